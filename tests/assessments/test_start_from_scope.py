"""The scope statement when an assessment starts from an earlier one."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Assessment


def _page_form(people, scope):
    return {
        "title": "2026 年度评估",
        "scope": scope,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "framework": people.assessment.framework_id,
        "previous": people.assessment.pk,
    }


@pytest.mark.parametrize("scope", ["", "   "])
def test_a_blank_scope_carries_the_previous_one(people, scope):
    successor = services.assessment_start_from(
        previous=people.assessment,
        title="2026 年度评估",
        scope=scope,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=people.assessor,
    )

    assert successor.scope == "All models in production."


def test_a_scope_given_replaces_the_previous_one(people):
    successor = services.assessment_start_from(
        previous=people.assessment,
        title="2026 年度评估",
        scope="仅信贷模型。",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=people.assessor,
    )

    assert successor.scope == "仅信贷模型。"


def test_the_page_and_the_api_start_from_the_same_scope(people, login):
    api = APIClient()
    api.force_login(people.assessor)

    page = login(people.assessor).post(
        reverse("assessments:assessment-create", args=["org-a"]),
        _page_form(people, ""),
    )
    through_api = api.post(
        f"/api/v1/assessments/{people.assessment.pk}/start-from/",
        {"title": "2026", "period_start": "2026-01-01", "period_end": "2026-12-31"},
        format="json",
    )

    assert page.status_code == 302
    assert through_api.status_code == 201
    successors = Assessment.objects.filter(previous=people.assessment)
    assert sorted(successors.values_list("scope", flat=True)) == [
        "All models in production.",
        "All models in production.",
    ]
