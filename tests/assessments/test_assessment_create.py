"""The new-assessment page: the version of the standard it is made against."""

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment
from tests.assessments.assessment_factories import build_framework

FORM = {
    "title": "2026 年度评估",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
}


@pytest.fixture
def newer(people):
    """A later version of the standard people.assessment was made against."""
    return build_framework(code="TST", version="2")


def _create(client, **fields):
    return client.post(
        reverse("assessments:assessment-create", args=["org-a"]),
        {**FORM, **fields},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_it_marks_each_previous_assessment_with_the_version_it_leads_to(
    people, login, newer
):
    body = (
        login(people.assessor)
        .get(
            reverse("assessments:assessment-create", args=["org-a"]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    select = re.search(r'<select name="previous"[^>]*>', body).group(0)
    assert 'data-settles="id_framework"' in select
    assert (
        f'<option value="{people.assessment.pk}" data-settles-to="{newer.pk}">' in body
    )
    assert "the latest version of its standard is used" in body


def test_it_starts_from_a_previous_one_with_no_version_chosen(people, login, newer):
    response = _create(login(people.assessor), previous=people.assessment.pk)

    successor = Assessment.objects.get(previous=people.assessment)
    assert response["Location"] == successor.get_absolute_url()
    assert successor.framework == newer


def test_it_accepts_the_version_a_start_from_uses(people, login, newer):
    _create(login(people.assessor), previous=people.assessment.pk, framework=newer.pk)

    assert Assessment.objects.get(previous=people.assessment).framework == newer


def test_it_refuses_an_earlier_version_with_a_previous_assessment(people, login, newer):
    response = _create(
        login(people.assessor),
        previous=people.assessment.pk,
        framework=people.assessment.framework_id,
    )

    assert response.status_code == 200
    assert (
        "An assessment started from a previous one uses the latest version of "
        f"its standard, {newer}. Choose that version, or start empty."
    ) in response.content.decode().replace("&quot;", '"')
    assert not Assessment.objects.filter(previous=people.assessment).exists()


def test_it_starts_empty_against_the_version_chosen(people, login, newer):
    framework = people.assessment.framework
    _create(login(people.assessor), framework=framework.pk)

    assert Assessment.objects.get(title=FORM["title"]).framework == framework


def test_it_asks_for_a_version_when_starting_empty(people, login, newer):
    response = _create(login(people.assessor))

    assert response.status_code == 200
    assert "Choose the version of the standard to assess against." in (
        response.content.decode()
    )
    assert not Assessment.objects.filter(title=FORM["title"]).exists()


def test_each_previous_assessment_is_named_with_its_period_and_status(people, login):
    body = (
        login(people.assessor)
        .get(
            reverse("assessments:assessment-create", args=["org-a"]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    assessment = people.assessment
    assert (
        f"{assessment.title} ({assessment.period_start.isoformat()} – "
        f"{assessment.period_end.isoformat()}, Draft)</option>"
    ) in body
