"""Assessments through the API: creating, editing, status changes, scores."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from assessments.models import (
    Assessment,
    AssessmentTarget,
    Status,
    StatusChange,
    Verdict,
)
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer,
    answer_all,
    set_status,
)

NEW = {
    "organisation": "org-a",
    "title": "2026 年度评估",
    "scope": "All production models.",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
}


def _url(people, path=""):
    return f"/api/v1/assessments/{people.assessment.pk}/{path}"


def test_it_creates_a_draft_with_targets(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {**NEW, "framework": people.assessment.framework_id, "targets": {"STR": 4}},
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["organisation"], body["created_by"]) == (
        "draft",
        "org-a",
        people.assessor.username,
    )
    assert body["targets"] == {"STR": 4, "LC": 3}
    assert "assessment.edit" in body["allowed_actions"]
    assert Assessment.objects.get(pk=body["id"]).title == "2026 年度评估"


def test_it_refuses_an_organisation_of_another_tenant(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {**NEW, "organisation": "org-b", "framework": people.assessment.framework_id},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["organisation"]
    assert "not a member" in response.json()["message"]
    assert not Assessment.objects.filter(organisation=people.org_b, title=NEW["title"])


def test_it_refuses_unknown_module_codes_in_targets(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {
            **NEW,
            "framework": people.assessment.framework_id,
            "targets": {"GOV": 2},
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "GOV" in response.json()["message"]


def test_it_refuses_a_period_that_ends_before_it_starts(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {
            **NEW,
            "framework": people.assessment.framework_id,
            "period_end": "2025-06-30",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period_end"]


def test_it_changes_only_the_fields_sent(people, api):
    response = api(people.assessor).patch(
        _url(people), {"title": "Renamed", "targets": {"LC": 5}}, format="json"
    )

    assert response.status_code == 200
    assessment = Assessment.objects.get(pk=people.assessment.pk)
    assert (assessment.title, assessment.scope) == ("Renamed", people.assessment.scope)
    assert dict(
        AssessmentTarget.objects.filter(assessment=assessment).values_list(
            "module__code", "level"
        )
    ) == {"STR": 3, "LC": 5}


def test_a_title_change_in_review_is_refused_about_the_settings(people, api):
    set_status(people.assessment, Status.IN_REVIEW)

    response = api(people.assessor).patch(
        _url(people), {"title": "Renamed"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The assessment is in review: its title, period and targets can be "
        "changed only while it is a draft or has been returned."
    )
    assert Assessment.objects.get(pk=people.assessment.pk).title != "Renamed"


EDITING = ["answer.edit", "evidence.manage"]
ALLOWED_NOW = {
    ("assessor", Status.DRAFT): [
        "assessment.view",
        "assessment.edit",
        *EDITING,
        "assessment.submit",
        "assessment.start_from",
        "comment.add",
    ],
    ("assessor", Status.SUBMITTED): [
        "assessment.view",
        "assessment.start_from",
        "comment.add",
    ],
    ("assessor", Status.IN_REVIEW): [
        "assessment.view",
        "assessment.start_from",
        "comment.add",
    ],
    ("assessor", Status.RETURNED): [
        "assessment.view",
        "assessment.edit",
        *EDITING,
        "assessment.submit",
        "assessment.start_from",
        "comment.add",
    ],
    ("assessor", Status.FINALISED): ["assessment.view", "assessment.start_from"],
    ("admin", Status.FINALISED): [
        "assessment.view",
        "auditors.manage",
        "assessment.start_from",
        "history.view",
    ],
    ("viewer", Status.DRAFT): ["assessment.view"],
    ("auditor", Status.DRAFT): ["assessment.view", "comment.add", "history.view"],
    ("auditor", Status.SUBMITTED): [
        "assessment.view",
        "assessment.review",
        "comment.add",
        "history.view",
    ],
    ("auditor", Status.IN_REVIEW): [
        "assessment.view",
        "assessment.review",
        "review.verdict",
        "findings.manage",
        "comment.add",
        "history.view",
    ],
    ("auditor", Status.FINALISED): ["assessment.view", "history.view"],
}


@pytest.mark.parametrize(
    ("persona", "status"), list(ALLOWED_NOW), ids=lambda value: str(value)
)
def test_it_lists_only_the_actions_allowed_in_the_status(people, api, persona, status):
    set_status(people.assessment, status)

    response = api(getattr(people, persona)).get(_url(people))

    assert response.status_code == 200
    assert response.json()["allowed_actions"] == ALLOWED_NOW[(persona, status)]


def test_the_actions_listed_in_the_list_are_those_of_the_status(people, api):
    set_status(people.assessment, Status.FINALISED)

    response = api(people.assessor).get("/api/v1/assessments/")

    actions = {row["id"]: row["allowed_actions"] for row in response.json()["results"]}
    assert actions[people.assessment.pk] == ["assessment.view", "assessment.start_from"]
    assert "answer.edit" in actions[people.other.pk]


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.FINALISED])
def test_an_action_not_listed_is_refused(people, api, status):
    set_status(people.assessment, status)
    client = api(people.assessor)

    listed = client.get(_url(people)).json()["allowed_actions"]
    saved = client.put(
        _url(people, "answers/STR-1.1/"),
        {"status": "partial", "justification": "x", "version": 0},
        format="json",
    )

    assert "answer.edit" not in listed
    assert saved.status_code == 400


def test_it_lists_the_status_changes_the_caller_may_make(people, api):
    response = api(people.auditor).get(_url(people, "transitions/"))

    allowed = {row["name"]: row["allowed"] for row in response.json()["results"]}
    assert allowed == {
        "submit": False,
        "start_review": False,
        "return": False,
        "finalise": False,
    }


def test_it_says_what_keeps_a_draft_from_being_submitted(people, api):
    answer(people.assessment, "STR-1.1", evidence=False)

    response = api(people.assessor).post(_url(people, "transitions/submit/"))

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "incomplete"
    problems = {row["requirement"]: row["kind"] for row in body["problems"]}
    assert problems["STR-1.1"] == "no_evidence"
    assert problems["STR-1.2"] == "unanswered"
    assert len(problems) == 20


def test_it_walks_an_assessment_through_review(people, api):
    answer_all(people.assessment)
    assessor, auditor = api(people.assessor), api(people.auditor)

    steps = [
        assessor.post(_url(people, "transitions/submit/")),
        auditor.post(_url(people, "transitions/start_review/")),
        auditor.post(
            _url(people, "transitions/return/"), {"reason": "Sign the minutes"}
        ),
    ]

    assert [step.status_code for step in steps] == [200, 200, 200]
    assert steps[-1].json()["status"] == Status.RETURNED
    change = StatusChange.objects.filter(assessment=people.assessment).last()
    assert (change.to_status, change.reason, change.actor) == (
        Status.RETURNED,
        "Sign the minutes",
        people.auditor,
    )
    history = assessor.get(_url(people, "status-changes/")).json()
    assert [row["to_status"] for row in history["results"]] == [
        "submitted",
        "in_review",
        "returned",
    ]


def test_returning_needs_a_reason(people, api):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()

    response = api(people.auditor).post(_url(people, "transitions/return/"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    assert Assessment.objects.get(pk=people.assessment.pk).status == Status.IN_REVIEW


def test_it_refuses_a_status_change_the_status_does_not_allow(people, api):
    response = api(people.auditor).post(
        _url(people, "transitions/finalise/"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "illegal"


def test_it_answers_404_for_an_unknown_status_change(people, api):
    response = api(people.assessor).post(_url(people, "transitions/approve/"))

    assert response.status_code == 404


def test_it_starts_a_new_draft_from_an_assessment(people, api):
    answer(people.assessment, "STR-1.1")

    response = api(people.assessor).post(
        _url(people, "start-from/"),
        {"title": "Next", "period_start": "2026-01-01", "period_end": "2026-12-31"},
        format="json",
    )

    assert response.status_code == 201
    successor = Assessment.objects.get(pk=response.json()["id"])
    assert successor.previous == people.assessment
    assert response.json()["previous"] == people.assessment.pk
    assert successor.answers.get().requirement.code == "STR-1.1"


def test_starting_from_an_assessment_carries_its_scope(people, api):
    response = api(people.assessor).post(
        _url(people, "start-from/"),
        {"title": "Next", "period_start": "2026-01-01", "period_end": "2026-12-31"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["scope"] == "All models in production."
    successor = Assessment.objects.get(pk=response.json()["id"])
    assert successor.scope == people.assessment.scope


def test_starting_from_an_assessment_takes_a_scope_given(people, api):
    response = api(people.assessor).post(
        _url(people, "start-from/"),
        {
            "title": "Next",
            "scope": "Credit models only.",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
        format="json",
    )

    assert response.status_code == 201
    assert Assessment.objects.get(pk=response.json()["id"]).scope == (
        "Credit models only."
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"organisation": "org-a"}, {**NEW, "period_end": "not a date"}],
    ids=["empty", "organisation only", "invalid"],
)
def test_a_viewer_is_refused_before_the_body_is_checked(people, api, body):
    response = api(people.viewer).post(
        "/api/v1/assessments/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Assessment.objects.count() == 3


def test_a_member_of_no_organisation_is_refused_before_the_body(people, api):
    response = api(people.auditor).post("/api/v1/assessments/", {}, format="json")

    assert response.status_code == 403


def test_a_viewer_who_may_create_elsewhere_is_refused_here(people, api):
    from assessments.models import Role
    from tests.assessments.assessment_factories import MembershipFactory

    MembershipFactory(organisation=people.org_b, user=people.viewer, role=Role.ADMIN)

    refused = api(people.viewer).post(
        "/api/v1/assessments/", {"organisation": "org-a"}, format="json"
    )
    invalid = api(people.viewer).post(
        "/api/v1/assessments/", {"organisation": "org-b"}, format="json"
    )

    assert refused.status_code == 403
    assert invalid.status_code == 400
    assert "title" in invalid.json()["errors"]


def test_an_organisation_that_is_not_a_name_is_invalid_input(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/", {**NEW, "organisation": ["org-a"]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"organisation", "framework"}


def test_an_assessor_still_gets_the_validation_errors(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/", {"organisation": "org-a"}, format="json"
    )

    assert response.status_code == 400
    assert {"framework", "title", "period_start", "period_end"} <= set(
        response.json()["errors"]
    )


def test_a_status_change_is_refused_before_its_reason_is_checked(people, api):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()

    response = api(people.viewer).post(
        _url(people, "transitions/return/"), {"reason": "x" * 20_001}, format="json"
    )

    assert response.status_code == 403
    assert Assessment.objects.get(pk=people.assessment.pk).status == Status.IN_REVIEW


def test_it_scores_self_assessed_and_verified_answers_with_gaps(people, api):
    for code in ("STR-1.1", "STR-1.2", "STR-2.1"):
        answer(people.assessment, code)

    response = api(people.viewer).get(_url(people, "score/"))

    body = response.json()
    assert response.status_code == 200
    strategy = body["self_assessed"]["modules"]["STR"]
    assert (strategy["level"], strategy["target"]) == (1, 3)
    assert strategy["gaps"] == {"2": ["STR-2.2"], "3": ["STR-3.1", "STR-3.2"]}
    assert body["verified"]["modules"]["STR"]["level"] == 0
    assert body["audited"] is False
    assert set(body["self_assessed"]["modules"]["LC"]["stages"]) == {"LC-S1", "LC-S2"}
    assert body["self_assessed"]["organisation"]["level"] == 0


@pytest.mark.parametrize(("status", "count"), [("draft", 2), ("finalised", 0)])
def test_it_filters_the_list_by_status(people, api, status, count):
    response = api(people.admin).get("/api/v1/assessments/", {"status": status})

    assert response.json()["count"] == count


def test_it_refuses_to_resubmit_an_untouched_rejection(people, api):
    answers = answer_all(people.assessment)
    ReviewFactory(
        answer=answers[0],
        verdict=Verdict.REJECTED,
        comment="证据过期。",
        reviewer=people.auditor,
    )
    set_status(people.assessment, Status.RETURNED)

    response = api(people.assessor).post(_url(people, "transitions/submit/"))

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "incomplete"
    assert body["problems"] == [
        {
            "requirement": answers[0].requirement.code,
            "kind": "rejected",
            "message": body["problems"][0]["message"],
        }
    ]
    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.RETURNED


def test_it_refuses_a_period_in_the_year_one(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {
            **NEW,
            "framework": people.assessment.framework_id,
            "period_start": "0001-01-01",
            "period_end": "0001-12-31",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "period_start": ["“Period start” must be a date in the years 1990 to 2100."],
        "period_end": ["“Period end” must be a date in the years 1990 to 2100."],
    }
    assert not Assessment.objects.filter(title=NEW["title"]).exists()


def test_it_refuses_a_scope_past_its_limit(people, api):
    response = api(people.assessor).patch(
        _url(people), {"scope": "x" * 10_001}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "scope": [
            "“Scope statement” is too long (10001 characters); shorten it to at "
            "most 10000."
        ]
    }
    people.assessment.refresh_from_db()
    assert people.assessment.scope == "All models in production."


def test_a_status_sent_in_a_patch_is_refused_naming_the_status_changes(people, api):
    response = api(people.assessor).patch(
        _url(people),
        {"title": "Renamed", "status": "final"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    transitions = _url(people, "transitions/")
    assert response.status_code == 400
    assert response.json()["code"] == "unexpected_field"
    assert response.json()["errors"] == {
        "status": [
            f"The status cannot be set here: it changes only through POST "
            f"{transitions}{{name}}/, where {{name}} is one of submit, "
            f"start_review, return, finalise. GET {transitions} lists the status "
            f"changes you may make now."
        ]
    }
    people.assessment.refresh_from_db()
    assert (people.assessment.status, people.assessment.title) == (
        Status.DRAFT,
        "2025 年度评估",
    )


def test_a_read_only_field_sent_in_a_patch_is_refused_by_name(people, api):
    response = api(people.assessor).patch(
        _url(people),
        {"title": "Renamed", "created_by": "someone", "finalised_at": None},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    fields = "title, scope, period_start, period_end, targets"
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "created_by": [f"“created_by” cannot be changed. Send only {fields}."],
        "finalised_at": [f"“finalised_at” cannot be changed. Send only {fields}."],
    }
    people.assessment.refresh_from_db()
    assert people.assessment.title == "2025 年度评估"


def test_an_unknown_field_sent_in_a_patch_is_refused_with_the_others(people, api):
    response = api(people.assessor).patch(
        _url(people),
        {"titel": "Renamed", "scope": "x" * 10_001},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert set(errors) == {"titel", "scope"}
    assert errors["titel"] == [
        "“titel” is not a field of this request. Send only title, scope, "
        "period_start, period_end, targets."
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("field", ["period_start", "period_end"])
def test_a_date_in_another_format_is_refused_with_an_example(
    people, api, field, language
):
    response = api(people.assessor).patch(
        _url(people),
        {field: "31/12/2025"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    with translation.override(language):
        expected = gettext("Enter a date as YYYY-MM-DD, for example 2026-01-31.")
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [expected]}
    people.assessment.refresh_from_db()
    assert str(getattr(people.assessment, field)) in {"2025-01-01", "2025-12-31"}


def test_a_new_assessment_with_a_date_in_another_format_is_refused(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {
            **NEW,
            "framework": people.assessment.framework_id,
            "period_start": "1 January 2026",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "period_start": ["Enter a date as YYYY-MM-DD, for example 2026-01-31."]
    }
    assert not Assessment.objects.filter(title=NEW["title"]).exists()
