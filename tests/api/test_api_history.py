"""The audit trail through the API: who changed what, and when."""

from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.services.common import save_as
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    UserFactory,
    requirement,
)


def _lock_out(user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "x"})


def test_it_lists_the_changes_of_an_assessment_newest_first(people, api):
    services.answer_save(
        assessment=people.assessment,
        requirement=requirement(people.assessment, "STR-1.1"),
        status="partial",
        justification="Draft policy",
        base_version=0,
        actor=people.assessor,
    )

    response = api(people.auditor).get(
        f"/api/v1/assessments/{people.assessment.pk}/history/",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 200
    latest = body["results"][0]
    assert (latest["kind"], latest["action"], latest["who"]) == (
        "answer",
        "+",
        people.assessor.username,
    )
    assert "STR-1.1" in latest["subject"]
    assert {"label": "justification", "old": None, "new": "Draft policy"} in [
        {**field, "label": field["label"].lower()} for field in latest["fields"]
    ]
    assert body["count"] >= 1


def test_it_lists_the_membership_changes_of_an_organisation(people, api):
    UserFactory(username="newcomer")
    services.membership_add(
        organisation=people.org_a,
        identifier="newcomer",
        role="viewer",
        actor=people.admin,
    )

    response = api(people.admin).get("/api/v1/organisations/org-a/history/")

    latest = response.json()["results"][0]
    assert response.status_code == 200
    assert (latest["kind"], latest["who"]) == ("membership", people.admin.username)
    assert "newcomer" in latest["subject"]


def test_a_deleted_draft_is_listed_with_what_it_was(people, api):
    draft = AssessmentFactory(organisation=people.org_a, title="Spare draft")
    api(people.admin).delete(f"/api/v1/assessments/{draft.pk}/")

    response = api(people.admin).get(
        "/api/v1/organisations/org-a/history/", HTTP_ACCEPT_LANGUAGE="en"
    )

    latest = response.json()["results"][0]
    assert response.status_code == 200
    assert (latest["kind"], latest["action"]) == ("assessment", "-")
    assert {"label": "title", "old": "Spare draft", "new": None} in latest["fields"]


def test_the_schema_says_a_deleted_rows_values_after_are_null(people, api):
    schema = api(people.viewer).get("/api/schema/", {"format": "json"}).json()

    change = schema["components"]["schemas"]["FieldChange"]["properties"]
    assert change["new"]["nullable"] is True


def test_it_says_in_words_what_a_change_of_evidence_did(people, api):
    services.evidence_add_note(
        assessment=people.assessment,
        note="Minutes of the model risk committee",
        title="Committee minutes",
        requirement=requirement(people.assessment, "STR-1.1"),
        actor=people.assessor,
    )

    response = api(people.auditor).get(
        f"/api/v1/assessments/{people.assessment.pk}/history/",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    answers = [
        change for change in response.json()["results"] if change["kind"] == "answer"
    ]
    assert response.status_code == 200
    assert [change["summary"] for change in answers] == [
        "New version of the answer after evidence “Committee minutes” was attached.",
        "Created without a status, to hold evidence “Committee minutes”.",
    ]
    # The reason recorded for them is told by the summary alone.
    assert [change["reason"] for change in answers] == ["", ""]


def test_a_page_past_the_end_of_a_history_answers_404(people, api):
    client = api(people.admin)
    base = f"/api/v1/assessments/{people.assessment.pk}/history/"

    assert client.get(f"{base}?page=1").status_code == 200
    assert client.get(f"{base}?page=99").status_code == 404
    assert client.get("/api/v1/organisations/org-a/history/?page=99").status_code == (
        404
    )


def test_a_lockout_is_said_to_be_made_by_the_portal(people, api, settings):
    _lock_out(people.viewer, settings)

    response = api(people.admin).get("/api/v1/organisations/org-a/history/")

    latest = response.json()["results"][0]
    assert response.status_code == 200
    assert (latest["kind"], latest["who"], latest["by_portal"]) == (
        "membership",
        "",
        True,
    )
    assert people.viewer.username in latest["subject"]
    assert latest["summary"]


def test_an_auditors_lockout_is_in_the_assessments_history(people, api, settings):
    _lock_out(people.auditor, settings)

    response = api(people.admin).get(
        f"/api/v1/assessments/{people.assessment.pk}/history/"
    )

    latest = response.json()["results"][0]
    assert (latest["kind"], latest["who"], latest["by_portal"]) == (
        "grant",
        "",
        True,
    )


def test_a_change_by_a_person_or_an_unknown_author_is_not_the_portals(people, api):
    membership = people.viewer.memberships.get()
    save_as(membership, people.admin, update_fields=["role"])
    save_as(membership, None, update_fields=["role"])

    response = api(people.admin).get("/api/v1/organisations/org-a/history/")

    unknown, by_admin = response.json()["results"][:2]
    assert (unknown["who"], unknown["by_portal"]) == ("", False)
    assert (by_admin["who"], by_admin["by_portal"]) == (people.admin.username, False)


def test_the_schema_documents_who_made_a_change(people, api):
    schema = api(people.viewer).get("/api/schema/", {"format": "json"}).json()

    change = schema["components"]["schemas"]["Change"]
    assert change["properties"]["by_portal"]["type"] == "boolean"
    assert change["properties"]["by_portal"]["description"]
    assert "by_portal" in change["required"]
