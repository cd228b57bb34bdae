"""Every page of the assessments app renders for an admin of organisation A."""

import pytest
from django.urls import reverse


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
