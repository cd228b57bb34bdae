"""Accepting the answers of one questionnaire page together, through the API."""

import pytest

from assessments.models import Review, Status, Verdict
from tests.assessments.assessment_factories import ReviewFactory, answer, set_status


@pytest.fixture
def page(people):
    """Answer STR with every kind of verdict; LC-S1-1.1 lies on another page.

    STR-1.1, STR-2.2 and STR-3.1 await a verdict; STR-1.2 and STR-2.1 were
    rejected, and STR-3.2 has no status yet.
    """
    assessment = people.assessment
    answers = {
        code: answer(assessment, code)
        for code in ["STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2", "STR-3.1"]
    }
    answers["LC-S1-1.1"] = answer(assessment, "LC-S1-1.1")
    answers["STR-3.2"] = answer(assessment, "STR-3.2", status="", evidence=False)
    ReviewFactory(
        answer=answers["STR-1.2"],
        verdict=Verdict.REJECTED,
        comment="不足。",
        reviewer=people.auditor,
    )
    ReviewFactory(
        answer=answers["STR-2.1"],
        verdict=Verdict.REJECTED,
        comment="不足。",
        answer_version=0,
        reviewer=people.auditor,
    )
    ReviewFactory(answer=answers["STR-2.2"], answer_version=0, reviewer=people.auditor)
    set_status(assessment)
    return answers


def _url(people):
    return f"/api/v1/assessments/{people.assessment.pk}/reviews/accept-page/"


def _seen(answers, *codes):
    return {code: answers[code].version for code in codes}


def _verdicts(people):
    return {
        review.answer.requirement.code: (review.verdict, review.is_current)
        for review in Review.objects.filter(
            answer__assessment=people.assessment
        ).select_related("answer__requirement")
    }


def test_the_auditor_accepts_the_answers_read(people, page, api):
    seen = _seen(page, "STR-1.1", "STR-2.2", "STR-3.1")

    response = api(people.auditor).post(
        _url(people), {"page": "STR", "seen": seen}, format="json"
    )

    body = response.json()
    assert response.status_code == 200
    assert [review["requirement"] for review in body["accepted"]] == [
        "STR-1.1",
        "STR-2.2",
        "STR-3.1",
    ]
    assert all(review["verdict"] == "accepted" for review in body["accepted"])
    assert (body["left"], body["left_requirements"]) == (0, [])
    assert _verdicts(people) == {
        "STR-1.1": ("accepted", True),
        "STR-1.2": ("rejected", True),
        "STR-2.1": ("rejected", False),
        "STR-2.2": ("accepted", True),
        "STR-3.1": ("accepted", True),
    }


def test_answers_changed_since_they_were_read_are_left_and_named(people, page, api):
    seen = _seen(page, "STR-1.1", "STR-2.2", "STR-3.1")
    changed = page["STR-2.2"]
    changed.version += 1
    changed.save()

    response = api(people.auditor).post(
        _url(people), {"page": "STR", "seen": seen}, format="json"
    )

    body = response.json()
    assert [review["requirement"] for review in body["accepted"]] == [
        "STR-1.1",
        "STR-3.1",
    ]
    assert (body["left"], body["left_requirements"]) == (1, ["STR-2.2"])
    assert _verdicts(people)["STR-2.2"] == ("accepted", False)


def test_answers_not_sent_as_read_are_left(people, page, api):
    response = api(people.auditor).post(
        _url(people), {"page": "STR", "seen": _seen(page, "STR-3.1")}, format="json"
    )

    body = response.json()
    assert [review["requirement"] for review in body["accepted"]] == ["STR-3.1"]
    assert (body["left"], body["left_requirements"]) == (2, ["STR-1.1", "STR-2.2"])
    assert "STR-1.1" not in _verdicts(people)


def test_only_the_answers_of_the_page_are_accepted(people, page, api):
    seen = _seen(page, "STR-1.1", "LC-S1-1.1")

    response = api(people.auditor).post(
        _url(people), {"page": "LC-S1", "seen": seen}, format="json"
    )

    assert [review["requirement"] for review in response.json()["accepted"]] == [
        "LC-S1-1.1"
    ]
    assert "STR-1.1" not in _verdicts(people)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 403), ("assessor", 403), ("viewer", 403), ("expired", 404)],
)
def test_only_the_auditor_accepts_a_page(people, page, api, persona, status):
    response = api(getattr(people, persona)).post(
        _url(people),
        {"page": "STR", "seen": _seen(page, "STR-1.1")},
        format="json",
    )

    assert response.status_code == status
    assert "STR-1.1" not in _verdicts(people)


def test_a_page_is_accepted_only_in_review(people, page, api):
    set_status(people.assessment, Status.RETURNED)

    response = api(people.auditor).post(
        _url(people),
        {"page": "STR", "seen": _seen(page, "STR-1.1")},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "review_closed"
    assert "STR-1.1" not in _verdicts(people)


def test_an_unknown_page_is_refused(people, page, api):
    before = _verdicts(people)

    response = api(people.auditor).post(
        _url(people), {"page": "GOV", "seen": {}}, format="json"
    )

    assert response.status_code == 400
    assert _verdicts(people) == before


def test_unknown_requirement_codes_are_refused_by_name(people, page, api):
    response = api(people.auditor).post(
        _url(people),
        {"page": "STR", "seen": {"STR-1.1": 1, "GOV-9.9": 1}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["seen"]
    assert "GOV-9.9" in response.json()["message"]
    assert "STR-1.1" not in _verdicts(people)


def test_the_versions_read_are_needed(people, page, api):
    response = api(people.auditor).post(_url(people), {"page": "STR"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["seen"]
    assert "STR-1.1" not in _verdicts(people)
