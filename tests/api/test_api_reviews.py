"""The auditor's review through the API: verdicts, comments, findings."""

import pytest

from assessments.models import Comment, Finding, Review, Status, Verdict
from tests.assessments.assessment_factories import EvidenceFactory, answer


@pytest.fixture
def in_review(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()
    return people


def _url(people, path):
    return f"/api/v1/assessments/{people.assessment.pk}/{path}"


def test_the_auditor_records_a_verdict_on_the_current_version(in_review, api):
    answered = answer(in_review.assessment, "STR-1.1", version=4)

    response = api(in_review.auditor).post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "accepted"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["answer_version"], response.json()["is_current"]) == (
        4,
        True,
    )
    review = Review.objects.get(answer=answered)
    assert (review.verdict, review.reviewer) == (Verdict.ACCEPTED, in_review.auditor)
    score = api(in_review.viewer).get(_url(in_review, "score/")).json()
    assert score["verified"]["modules"]["STR"]["levels"]["1"]["satisfied"] == 1
    assert score["audited"] is True


def test_a_verdict_naming_an_earlier_version_is_refused(in_review, api):
    answered = answer(in_review.assessment, "STR-1.1", version=4)
    client = api(in_review.auditor)

    stale = client.post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "accepted", "answer_version": 3},
        format="json",
    )
    current = client.post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "accepted", "answer_version": 4},
        format="json",
    )

    assert stale.status_code == 400
    assert stale.json()["code"] == "answer_changed"
    assert current.status_code == 200
    assert Review.objects.get(answer=answered).answer_version == 4


def test_a_rejection_needs_a_reason(in_review, api):
    answer(in_review.assessment, "STR-1.1")

    response = api(in_review.auditor).post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "rejected"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["comment"]
    assert not Review.objects.exists()


def test_a_verdict_needs_an_answer(in_review, api):
    response = api(in_review.auditor).post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.2", "verdict": "accepted"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["requirement"]


def test_verdicts_wait_for_the_review_to_start(people, api):
    answer(people.assessment, "STR-1.1")

    response = api(people.auditor).post(
        _url(people, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "accepted"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "review_closed"


def test_it_lists_verdicts(in_review, api):
    answer(in_review.assessment, "STR-1.1")
    api(in_review.auditor).post(
        _url(in_review, "reviews/"),
        {"requirement": "STR-1.1", "verdict": "needs_information", "comment": "Who?"},
        format="json",
    )

    response = api(in_review.assessor).get(_url(in_review, "reviews/"))

    rows = response.json()["results"]
    assert [(row["requirement"], row["verdict"], row["comment"]) for row in rows] == [
        ("STR-1.1", "needs_information", "Who?")
    ]


def test_comments_name_an_answer_or_an_evidence_item(people, api):
    answer(people.assessment, "STR-1.1")
    item = EvidenceFactory(assessment=people.assessment, created_by=people.assessor)
    client = api(people.auditor)

    on_answer = client.post(
        _url(people, "comments/"),
        {"requirement": "STR-1.1", "text": "Which board?"},
        format="json",
    )
    on_item = client.post(
        _url(people, "comments/"),
        {"evidence": item.pk, "text": "Unsigned"},
        format="json",
    )
    neither = client.post(_url(people, "comments/"), {"text": "Hm"}, format="json")

    assert (on_answer.status_code, on_item.status_code, neither.status_code) == (
        201,
        201,
        400,
    )
    assert on_answer.json()["requirement"] == "STR-1.1"
    assert on_item.json()["evidence"] == item.pk
    listed = client.get(_url(people, "comments/")).json()["results"]
    assert [row["text"] for row in listed] == ["Which board?", "Unsigned"]


def test_a_comment_cannot_name_evidence_of_another_tenant(people, api):
    foreign = EvidenceFactory(
        assessment=people.assessment_b, created_by=people.outsider
    )

    response = api(people.assessor).post(
        _url(people, "comments/"), {"evidence": foreign.pk, "text": "x"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["evidence"]
    assert not Comment.objects.exists()


def test_the_auditor_records_changes_and_deletes_findings(in_review, api):
    client = api(in_review.auditor)

    created = client.post(
        _url(in_review, "findings/"),
        {
            "requirement": "STR-1.1",
            "kind": "nonconformity",
            "severity": "high",
            "title": "No policy",
        },
        format="json",
    )
    finding = created.json()
    changed = client.patch(
        _url(in_review, f"findings/{finding['id']}/"),
        {"severity": "low"},
        format="json",
    )
    deleted = client.delete(_url(in_review, f"findings/{finding['id']}/"))

    assert (created.status_code, changed.status_code, deleted.status_code) == (
        201,
        200,
        204,
    )
    assert finding["requirement"] == "STR-1.1"
    assert (changed.json()["severity"], changed.json()["title"]) == ("low", "No policy")
    assert not Finding.objects.exists()


def test_assessors_read_findings_but_cannot_change_them(in_review, api):
    finding = Finding.objects.create(
        assessment=in_review.assessment,
        kind="observation",
        severity="low",
        title="Minutes unsigned",
        created_by=in_review.auditor,
    )
    client = api(in_review.assessor)

    read = client.get(_url(in_review, f"findings/{finding.pk}/"))
    changed = client.patch(
        _url(in_review, f"findings/{finding.pk}/"), {"title": "Fine"}, format="json"
    )

    assert (read.status_code, changed.status_code) == (200, 403)
    assert Finding.objects.get().title == "Minutes unsigned"


def test_a_finding_cannot_name_a_requirement_of_another_standard(in_review, api):
    response = api(in_review.auditor).post(
        _url(in_review, "findings/"),
        {
            "requirement": "GOV-1.1",
            "kind": "observation",
            "severity": "low",
            "title": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["requirement"]


def test_a_comment_past_its_limit_is_refused(people, api):
    answer(people.assessment, "STR-1.1")

    response = api(people.auditor).post(
        _url(people, "comments/"),
        {"requirement": "STR-1.1", "text": "x" * 10_001},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "text": [
            "“Comment” is too long (10001 characters); shorten it to at most 10000."
        ]
    }
    assert not Comment.objects.exists()
