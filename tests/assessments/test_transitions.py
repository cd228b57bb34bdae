"""Status changes of an assessment: who may make each, from which status."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Status, StatusChange
from maturity.catalogues import get_catalogue
from maturity.scoring import score
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer_all,
    requirement,
    set_status,
)
from tests.assessments.test_readings import figure

LEGAL = [
    ("submit", Status.DRAFT, "assessor", Status.SUBMITTED),
    ("submit", Status.RETURNED, "admin", Status.SUBMITTED),
    ("start_review", Status.SUBMITTED, "auditor", Status.IN_REVIEW),
    ("return", Status.IN_REVIEW, "auditor", Status.RETURNED),
    ("finalise", Status.IN_REVIEW, "auditor", Status.FINALISED),
]


def _set_status(assessment, status):
    assessment.status = status
    assessment.save(update_fields=["status"])


@pytest.mark.parametrize(("name", "source", "persona", "target"), LEGAL)
def test_it_makes_legal_transitions(people, name, source, persona, target):
    assessment = people.assessment
    answer_all(assessment)
    _set_status(assessment, source)
    actor = getattr(people, persona)

    result = services.assessment_transition(
        assessment=assessment, name=name, actor=actor, reason="Fix STR-1.1."
    )

    assert result.status == target
    change = StatusChange.objects.get(assessment=assessment)
    assert (change.from_status, change.to_status, change.actor) == (
        source,
        target,
        actor,
    )
    assert change.created_at is not None


ILLEGAL_STATUSES = [
    (name, status)
    for name, transition in services.TRANSITIONS.items()
    for status in Status.values
    if status not in transition.sources
]


@pytest.mark.parametrize(("name", "status"), ILLEGAL_STATUSES)
def test_it_refuses_transitions_from_the_wrong_status(people, name, status):
    assessment = people.assessment
    answer_all(assessment)
    _set_status(assessment, status)
    actor = (
        people.auditor
        if services.TRANSITIONS[name].action == "assessment.review"
        else people.assessor
    )

    with pytest.raises(services.TransitionNotAllowed) as raised:
        services.assessment_transition(
            assessment=assessment, name=name, actor=actor, reason="x"
        )

    assert raised.value.code == "illegal"
    assessment.refresh_from_db()
    assert assessment.status == status
    assert not StatusChange.objects.exists()


WRONG_ROLE = [
    ("submit", Status.DRAFT, "viewer"),
    ("submit", Status.DRAFT, "auditor"),
    ("start_review", Status.SUBMITTED, "admin"),
    ("start_review", Status.SUBMITTED, "assessor"),
    ("start_review", Status.SUBMITTED, "expired"),
    ("return", Status.IN_REVIEW, "assessor"),
    ("finalise", Status.IN_REVIEW, "admin"),
    ("finalise", Status.IN_REVIEW, "viewer"),
    ("finalise", Status.IN_REVIEW, "outsider"),
]


@pytest.mark.parametrize(("name", "status", "persona"), WRONG_ROLE)
def test_it_refuses_transitions_to_the_wrong_role(people, name, status, persona):
    assessment = people.assessment
    answer_all(assessment)
    _set_status(assessment, status)

    with pytest.raises(PermissionDenied):
        services.assessment_transition(
            assessment=assessment, name=name, actor=getattr(people, persona), reason="x"
        )

    assessment.refresh_from_db()
    assert assessment.status == status
    assert not StatusChange.objects.exists()


def test_it_needs_a_reason_to_return(people):
    _set_status(people.assessment, Status.IN_REVIEW)

    with pytest.raises(ValidationError) as raised:
        services.assessment_transition(
            assessment=people.assessment,
            name="return",
            actor=people.auditor,
            reason="  ",
        )

    assert "reason" in raised.value.error_dict
    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.IN_REVIEW


def test_it_goes_round_the_return_loop(people):
    assessment = people.assessment
    answer_all(assessment)
    steps = [
        ("submit", people.assessor, ""),
        ("start_review", people.auditor, ""),
        ("return", people.auditor, "Evidence of STR-2.1 is out of date."),
        ("submit", people.assessor, ""),
        ("start_review", people.auditor, ""),
        ("finalise", people.auditor, ""),
    ]

    for name, actor, reason in steps:
        services.assessment_transition(
            assessment=assessment, name=name, actor=actor, reason=reason
        )

    history = list(
        StatusChange.objects.filter(assessment=assessment).values_list(
            "to_status", "reason"
        )
    )
    assert history == [
        ("submitted", ""),
        ("in_review", ""),
        ("returned", "Evidence of STR-2.1 is out of date."),
        ("submitted", ""),
        ("in_review", ""),
        ("finalised", ""),
    ]


def test_it_freezes_both_readings_on_finalising(people):
    assessment = people.assessment
    answer_all(assessment)
    Answer.objects.filter(requirement__code="STR-3.2").update(status="partial")
    _set_status(assessment, Status.IN_REVIEW)
    statuses = dict(
        Answer.objects.filter(assessment=assessment).values_list(
            "requirement__code", "status"
        )
    )
    expected = score(
        get_catalogue(assessment.framework), statuses, {"STR": 3, "LC": 3}
    ).to_dict()

    finalised = services.assessment_transition(
        assessment=assessment, name="finalise", actor=people.auditor
    )

    assert finalised.self_scores == expected
    assert finalised.self_scores["modules"]["STR"]["level"] == 2
    # Nothing was reviewed, so nothing counts in the verified reading.
    unreviewed = score(get_catalogue(assessment.framework), {}, {"STR": 3, "LC": 3})
    assert finalised.verified_scores == unreviewed.to_dict()
    assert finalised.verified_scores["organisation"]["level"] == 0
    assert finalised.finalised_at is not None


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.IN_REVIEW, Status.FINALISED]
)
def test_it_refuses_answer_changes_once_submitted(people, status):
    _set_status(people.assessment, status)

    with pytest.raises(services.AssessmentLocked):
        services.answer_save(
            assessment=people.assessment,
            requirement=requirement(people.assessment, "STR-1.1"),
            status="satisfied",
            justification="",
            base_version=0,
            actor=people.assessor,
        )

    assert not Answer.objects.exists()


def test_it_refuses_every_evidence_write_when_finalised(people):
    from tests.assessments.assessment_factories import answer, file_evidence

    assessment = people.assessment
    backed = answer(assessment, "STR-1.1")
    link = backed.evidence_links.get()
    document = file_evidence(assessment, people.assessor, code="STR-1.2")
    stored = document.file_path
    _set_status(assessment, Status.FINALISED)
    str_2_1 = requirement(assessment, "STR-2.1")

    attempts = [
        lambda: services.evidence_delete(evidence=document, actor=people.admin),
        lambda: services.evidence_detach(link=link, actor=people.admin),
        lambda: services.evidence_attach(
            evidence=document, requirement=str_2_1, actor=people.admin
        ),
        lambda: services.evidence_add_note(
            assessment=assessment, note="n", title="t", actor=people.admin
        ),
    ]
    for attempt in attempts:
        with pytest.raises(services.AssessmentLocked):
            attempt()

    document.refresh_from_db()
    from assessments.uploads import stored_path

    assert stored_path(stored).exists()
    assert document.links.count() == 1
    assert backed.evidence_links.count() == 1


LOCKED_MESSAGES = {
    Status.SUBMITTED: "The assessment is submitted: its title, period and targets "
    "can be changed only while it is a draft or has been returned.",
    Status.FINALISED: "The assessment is finalised and can no longer be changed.",
}


@pytest.mark.parametrize("status", LOCKED_MESSAGES)
def test_it_refuses_the_settings_page_of_a_locked_assessment(people, login, status):
    _set_status(people.assessment, status)
    client = login(people.admin)
    url = reverse("assessments:assessment-update", args=[people.assessment.pk])

    opened = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    saved = client.post(
        url,
        {
            "title": "Renamed",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "target_STR": 3,
            "target_LC": 3,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = opened.content.decode()
    overview = people.assessment.get_absolute_url()
    assert opened.redirect_chain == [(overview, 302)]
    assert body.count(LOCKED_MESSAGES[status]) == 1
    assert 'name="period_start"' not in body
    assert saved["Location"] == overview
    people.assessment.refresh_from_db()
    assert people.assessment.title != "Renamed"


def test_the_overview_of_a_returned_assessment_says_why_in_its_status(people, login):
    assessment = people.assessment
    answer_all(assessment)
    for name, actor, reason in [
        ("submit", people.assessor, ""),
        ("start_review", people.auditor, ""),
        ("return", people.auditor, "STR-2.1 的证据已过期。\n请补充 2026 年版本。"),
    ]:
        services.assessment_transition(
            assessment=assessment, name=name, actor=actor, reason=reason
        )

    body = (
        login(people.assessor)
        .get(reverse("assessments:assessment-detail", args=[assessment.pk]))
        .content.decode()
    )

    status = body.split('aria-labelledby="status-heading"')[1].split("</section>")[0]
    assert "STR-2.1 的证据已过期。<br>请补充 2026 年版本。" in status
    assert "退回" in status


def test_it_refuses_a_return_reason_past_its_limit(people, login):
    _set_status(people.assessment, Status.IN_REVIEW)
    client = login(people.auditor)

    response = client.post(
        reverse(
            "assessments:assessment-transition", args=[people.assessment.pk, "return"]
        ),
        {"reason": "x" * 10_001},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert (
        "“What the assessors need to fix” is too long (10001 characters); shorten "
        "it to at most 10000." in response.content.decode()
    )
    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.IN_REVIEW
    assert not StatusChange.objects.exists()


def test_it_shows_the_transitions_open_to_the_auditor(people, login):
    _set_status(people.assessment, Status.SUBMITTED)
    client = login(people.auditor)

    body = client.get(
        reverse("assessments:assessment-detail", args=[people.assessment.pk])
    ).content.decode()

    assert (
        reverse(
            "assessments:assessment-transition",
            args=[people.assessment.pk, "start_review"],
        )
        in body
    )
    assert (
        reverse(
            "assessments:assessment-transition", args=[people.assessment.pk, "submit"]
        )
        not in body
    )


def test_it_shows_an_illegal_transition_refused_in_the_page(people, login):
    client = login(people.auditor)

    response = client.post(
        reverse(
            "assessments:assessment-transition", args=[people.assessment.pk, "finalise"]
        ),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "is not possible while the assessment is draft" in response.content.decode()
    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.DRAFT


def _finalise_url(assessment):
    return reverse(
        "assessments:assessment-transition", args=[assessment.pk, "finalise"]
    )


def test_it_shows_what_is_open_before_finalising(people, login):
    answers = answer_all(people.assessment)
    ReviewFactory(answer=answers[0], reviewer=people.auditor)
    ReviewFactory(
        answer=answers[1], verdict="rejected", comment="否", reviewer=people.auditor
    )
    ReviewFactory(
        answer=answers[2],
        verdict="needs_information",
        comment="?",
        reviewer=people.auditor,
    )
    ReviewFactory(answer=answers[3], answer_version=0, reviewer=people.auditor)
    set_status(people.assessment, Status.IN_REVIEW)

    body = (
        login(people.auditor)
        .get(people.assessment.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert figure(body, "finalise.unreviewed") == str(len(answers) - 3)
    assert figure(body, "finalise.objections") == "2"
    assert re.search(
        r'<input type="checkbox" name="confirm" value="yes" required>', body
    )
    assert "I have reviewed the answers" in body


def test_it_refuses_to_finalise_without_the_confirmation(people, login):
    answer_all(people.assessment)
    set_status(people.assessment, Status.IN_REVIEW)
    client = login(people.auditor)

    response = client.post(
        _finalise_url(people.assessment), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Tick “I have reviewed the answers…” to confirm" in response.content.decode()
    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.IN_REVIEW


def test_it_finalises_once_confirmed(people, login):
    answer_all(people.assessment)
    set_status(people.assessment, Status.IN_REVIEW)

    login(people.auditor).post(_finalise_url(people.assessment), {"confirm": "yes"})

    people.assessment.refresh_from_db()
    assert people.assessment.status == Status.FINALISED
