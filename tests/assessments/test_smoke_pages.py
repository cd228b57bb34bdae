"""Every page of the assessments app renders for members of organisation A."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Status
from tests.assessments.assessment_factories import answer_all, set_status


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "questionnaire",
        "stage",
        "evidence",
        "update",
        "org",
        "members",
        "home",
        "dashboard",
        "findings",
        "history",
        "organisation history",
    ],
)
def test_it_renders(people, login, name):
    client = login(people.admin)
    pk = people.assessment.pk
    url = {
        "overview": reverse("assessments:assessment-detail", args=[pk]),
        "questionnaire": reverse("assessments:questionnaire", args=[pk, "STR"]),
        "stage": reverse("assessments:questionnaire", args=[pk, "LC-S1"]),
        "evidence": reverse("assessments:evidence-list", args=[pk]),
        "update": reverse("assessments:assessment-update", args=[pk]),
        "org": reverse("assessments:organisation-detail", args=["org-a"]),
        "members": reverse("assessments:member-list", args=["org-a"]),
        "home": reverse("home"),
        "dashboard": reverse("assessments:assessment-dashboard", args=[pk]),
        "findings": reverse("assessments:finding-list", args=[pk]),
        "history": reverse("assessments:assessment-history", args=[pk]),
        "organisation history": reverse(
            "assessments:organisation-history", args=["org-a"]
        ),
    }[name]

    response = client.get(url)

    assert response.status_code == 200
    assert people.org_a.name in response.content.decode()


def test_it_fills_the_date_controls_with_iso_dates(people, login):
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:assessment-update", args=[people.assessment.pk])
    ).content.decode()

    assert 'type="date" name="period_start" value="2025-01-01"' in body


@pytest.mark.parametrize("page", ["assessment-detail", "assessment-dashboard"])
@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.IN_REVIEW, Status.RETURNED, Status.FINALISED]
)
def test_it_renders_the_overview_and_dashboard_in_every_status(
    people, login, page, status
):
    assessment = people.assessment
    answer_all(assessment)
    set_status(assessment)
    if status == Status.FINALISED:
        services.assessment_transition(
            assessment=assessment, name="finalise", actor=people.auditor
        )
    else:
        set_status(assessment, status)

    response = login(people.viewer).get(
        reverse(f"assessments:{page}", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["answered"] == response.context["total"] == 20
    assert response.context["readings"].frozen == (status == Status.FINALISED)
    assert str(Status(status).label) in response.content.decode()
