"""Answers through the API: listing, reading, saving against a version."""

import pytest

from assessments.models import Answer, Status
from tests.assessments.assessment_factories import answer


def _url(people, code=""):
    base = f"/api/v1/assessments/{people.assessment.pk}/answers/"
    return f"{base}{code}/" if code else base


def test_it_lists_every_requirement_with_its_answer(people, api):
    answer(people.assessment, "STR-1.1", "partial", justification="Drafted")

    response = api(people.viewer).get(_url(people), {"page_size": 3})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 20
    assert [row["requirement"] for row in body["results"]] == [
        "STR-1.1",
        "STR-1.2",
        "STR-2.1",
    ]
    first, second = body["results"][:2]
    assert (first["status"], first["justification"], first["version"]) == (
        "partial",
        "Drafted",
        1,
    )
    assert len(first["evidence_links"]) == 1
    assert (second["status"], second["version"], second["updated_at"]) == ("", 0, None)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"status": "satisfied"}, ["STR-1.1"]),
        ({"status": "unanswered", "module": "STR", "level": 1}, ["STR-1.2"]),
        ({"stage": "LC-S2", "level": 5}, ["LC-S2-5.1"]),
    ],
)
def test_it_filters_the_list(people, api, query, codes):
    answer(people.assessment, "STR-1.1")

    response = api(people.viewer).get(_url(people), query)

    assert [row["requirement"] for row in response.json()["results"]] == codes


def test_it_refuses_an_unknown_filter_value(people, api):
    response = api(people.viewer).get(_url(people), {"status": "great"})

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_it_saves_an_answer_and_bumps_its_version(people, api):
    response = api(people.assessor).put(
        _url(people, "STR-1.2"),
        {"status": "not_applicable", "justification": "No models yet", "version": 0},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 1
    stored = Answer.objects.get(
        assessment=people.assessment, requirement__code="STR-1.2"
    )
    assert (stored.status, stored.justification, stored.version) == (
        "not_applicable",
        "No models yet",
        1,
    )
    assert stored.updated_by == people.assessor


def test_it_keeps_what_a_patch_leaves_out(people, api):
    answer(people.assessment, "STR-1.1", "partial", justification="Drafted")

    response = api(people.assessor).patch(
        _url(people, "STR-1.1"), {"status": "satisfied", "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["justification"]) == (
        "satisfied",
        "Drafted",
    )


def test_it_refuses_a_stale_version_with_the_current_answer(people, api):
    answer(people.assessment, "STR-1.1", "partial", justification="Theirs", version=3)

    response = api(people.assessor).put(
        _url(people, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine", "version": 2},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "conflict"
    assert "Someone else saved this answer" in body["message"]
    assert body["current"]["status"] == "partial"
    assert body["current"]["justification"] == "Theirs"
    assert body["current"]["version"] == 3
    assert Answer.objects.get(assessment=people.assessment, version=3).status == (
        "partial"
    )


def test_a_stale_version_of_ones_own_save_says_so(people, api):
    client = api(people.assessor)
    first = client.put(
        _url(people, "STR-1.1"),
        {"status": "partial", "justification": "First", "version": 0},
        format="json",
    ).json()

    response = client.put(
        _url(people, "STR-1.1"),
        {"status": "satisfied", "justification": "Again", "version": 0},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    message = response.json()["message"]
    assert message.startswith("You saved this answer again since version 0")
    assert f"it is at version {first['version']}" in message


@pytest.mark.parametrize(("stored", "sent"), [(3, 7), (None, 1)])
def test_it_refuses_a_version_the_answer_never_had(people, api, stored, sent):
    if stored is not None:
        answer(people.assessment, "STR-1.1", "partial", evidence=False, version=stored)

    response = api(people.assessor).put(
        _url(people, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine", "version": sent},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "conflict"
    assert body["message"] == (
        f"Version {sent} is not a version this answer has had: it is at version "
        f"{stored or 0}. Read the answer again and send its version."
    )
    assert "Someone else" not in body["message"]
    assert body["current"]["version"] == (stored or 0)
    assert not Answer.objects.filter(status="satisfied").exists()


def test_it_needs_the_version(people, api):
    response = api(people.assessor).patch(
        _url(people, "STR-1.1"), {"status": "satisfied"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


@pytest.mark.parametrize("persona", ["viewer", "auditor"])
def test_it_forbids_readers_to_change_answers(people, api, persona):
    response = api(getattr(people, persona)).put(
        _url(people, "STR-1.1"), {"status": "satisfied", "version": 0}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Answer.objects.exists()


def test_it_refuses_changes_once_submitted(people, api):
    people.assessment.status = Status.SUBMITTED
    people.assessment.save()

    response = api(people.assessor).put(
        _url(people, "STR-1.1"),
        {"status": "satisfied", "version": 0},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "locked"
    assert "draft or has been returned" in response.json()["message"]


def test_it_answers_404_for_a_code_not_in_the_standard(people, api):
    response = api(people.assessor).put(
        _url(people, "GOV-1.1"), {"status": "satisfied", "version": 0}, format="json"
    )

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_it_refuses_a_justification_past_its_limit(people, api):
    response = api(people.assessor).put(
        _url(people, "STR-1.2"),
        {"status": "partial", "justification": "x" * 20_001, "version": 0},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "justification": [
            "“Justification” is too long (20001 characters); shorten it to at most "
            "20000."
        ]
    }
    assert not Answer.objects.exists()
