"""Saving answers: autosave JSON, plain form posts, stale versions."""

import pytest
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Answer, Status
from maturity.catalogues import get_catalogue
from maturity.scoring import score
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer,
    requirement,
    set_status,
)

JSON = {"HTTP_ACCEPT": "application/json"}


def _url(assessment, code):
    return reverse("assessments:answer-update", args=[assessment.pk, code])


def test_it_saves_and_answers_with_the_new_level(people, login):
    assessment = people.assessment
    answer(assessment, "STR-1.1")
    client = login(people.assessor)

    response = client.post(
        _url(assessment, "STR-1.2"),
        {"status": "satisfied", "justification": "Policy approved.", "version": 0},
        **JSON,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["answer"]["version"] == 1
    assert data["answer"]["status"] == "satisfied"
    expected = score(
        get_catalogue(assessment.framework),
        {"STR-1.1": "satisfied", "STR-1.2": "satisfied"},
    ).modules["STR"]
    assert data["summary"]["area"] == {
        "code": "STR",
        "level": expected.level,
        "progress": expected.progress,
        "answered": 2,
        "total": 10,
    }
    assert data["summary"]["area"]["level"] == 1
    saved = Answer.objects.get(requirement__code="STR-1.2")
    assert (saved.justification, saved.updated_by) == (
        "Policy approved.",
        people.assessor,
    )


def test_it_reports_the_stage_and_its_module(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "LC-S1-1.1"),
        {"status": "satisfied", "version": 0},
        **JSON,
    )

    summary = response.json()["summary"]
    assert summary["area"]["code"] == "LC-S1"
    assert summary["area"]["level"] == 1
    assert summary["module"]["code"] == "LC"
    # The lifecycle stands at its lowest stage, and LC-S2 is not answered.
    assert summary["module"]["level"] == 0


def test_it_refuses_a_stale_version_with_the_newer_value(people, login):
    assessment = people.assessment
    client = login(people.assessor)
    client.post(
        _url(assessment, "STR-1.1"),
        {"status": "partial", "justification": "Draft policy only.", "version": 0},
        **JSON,
    )

    response = client.post(
        _url(assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine.", "version": 0},
        **JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    data = response.json()
    assert data["answer"]["status"] == "partial"
    assert data["answer"]["justification"] == "Draft policy only."
    assert data["answer"]["version"] == 1
    assert "Draft policy only." in data["error"]
    # The figures of the stored answer, for the page that takes that version.
    assert data["summary"]["area"]["answered"] == 1
    assert data["verified"] is None
    stored = Answer.objects.get()
    assert (stored.status, stored.justification, stored.version) == (
        "partial",
        "Draft policy only.",
        1,
    )


def test_it_refuses_a_stale_version_in_the_service(people):
    stored = answer(people.assessment, "STR-1.1", "partial", evidence=False)
    stored_version = stored.version

    with pytest.raises(services.AnswerConflict) as raised:
        services.answer_save(
            assessment=people.assessment,
            requirement=stored.requirement,
            status="satisfied",
            justification="",
            base_version=stored_version - 1,
            actor=people.admin,
        )

    assert raised.value.current.status == "partial"
    stored.refresh_from_db()
    assert (stored.status, stored.version) == ("partial", stored_version)


def test_it_shows_the_conflict_without_javascript(people, login):
    assessment = people.assessment
    answer(assessment, "STR-1.1", "partial", justification="Theirs.", evidence=False)
    client = login(people.assessor)

    response = client.post(
        _url(assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine.", "version": 0},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = reverse("assessments:questionnaire", args=[assessment.pk, "STR"])
    assert response.redirect_chain[-1][0] == f"{page}#STR-1.1"
    body = response.content.decode()
    assert "saved this answer in the meantime" in body
    assert "Theirs." in body
    assert Answer.objects.get().justification == "Theirs."


def test_it_saves_without_javascript_and_returns_to_the_anchor(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "LC-S2-1.1"),
        {
            "status": "not_applicable",
            "justification": "No such models.",
            "version": 0,
            "show": "unanswered",
        },
    )

    page = reverse("assessments:questionnaire", args=[people.assessment.pk, "LC-S2"])
    assert response["Location"] == f"{page}?show=unanswered#LC-S2-1.1"
    assert Answer.objects.get().status == "not_applicable"


def test_it_refuses_an_unknown_status(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"), {"status": "mostly", "version": 0}, **JSON
    )

    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_it_refuses_a_justification_past_its_limit_naming_it(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "partial", "justification": "x" * 20_001, "version": 0},
        HTTP_ACCEPT_LANGUAGE="en",
        **JSON,
    )

    assert response.status_code == 400
    assert response.json()["error"] == (
        "“Justification” is too long (20001 characters); shorten it to at most 20000."
    )
    assert not Answer.objects.exists()


def test_it_names_the_field_a_refused_save_is_about(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "partial", "justification": "见附件\x00", "version": 0},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **JSON,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "说明：不允许包含空字符（NUL），请删除后再保存。"
    assert not Answer.objects.exists()


def test_it_asks_to_reload_when_the_page_sent_a_bad_version(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "partial", "version": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
        **JSON,
    )

    assert response.status_code == 400
    assert response.json()["error"] == (
        "The answer could not be read; reload the page and try again."
    )


@pytest.mark.parametrize("persona", ["viewer", "auditor"])
def test_it_forbids_readers_from_answering(people, login, persona):
    stored = answer(people.assessment, "STR-1.1", "partial", evidence=False)
    client = login(getattr(people, persona))

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "version": stored.version},
        **JSON,
    )

    assert response.status_code == 403
    stored.refresh_from_db()
    assert stored.status == "partial"


def test_it_refuses_an_unknown_requirement(people, login):
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-9.9"), {"status": "satisfied", "version": 0}
    )

    assert response.status_code == 404


def test_a_later_save_carries_the_returned_version(people):
    str_1_1 = requirement(people.assessment, "STR-1.1")
    first = services.answer_save(
        assessment=people.assessment,
        requirement=str_1_1,
        status="partial",
        justification="",
        base_version=0,
        actor=people.assessor,
    )

    second = services.answer_save(
        assessment=people.assessment,
        requirement=str_1_1,
        status="satisfied",
        justification="Done.",
        base_version=first.version,
        actor=people.admin,
    )

    assert (first.version, second.version) == (1, 2)
    assert second.status == "satisfied"


def test_a_justification_edit_answers_without_figures(people, login):
    answer(people.assessment, "STR-1.1")
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Reworded.", "version": 1},
        **JSON,
    )

    assert response.status_code == 200
    data = response.json()
    assert data["answer"]["version"] == 2
    assert "summary" not in data
    assert "verified" not in data
    assert Answer.objects.get(requirement__code="STR-1.1").justification == (
        "Reworded."
    )


def test_a_status_change_answers_with_the_figures(people, login):
    answer(people.assessment, "STR-1.1")
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "partial", "justification": "", "version": 1},
        **JSON,
    )

    assert response.json()["summary"]["area"]["answered"] == 1


def test_saving_what_is_stored_keeps_the_version_and_the_verdict(people, login):
    stored = answer(people.assessment, "STR-1.1", justification="As it was.")
    ReviewFactory(answer=stored, reviewer=people.auditor)
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "As it was.", "version": 1},
        **JSON,
    )

    assert response.status_code == 200
    assert response.json()["answer"]["version"] == 1
    stored.refresh_from_db()
    assert stored.version == 1
    assert stored.history.count() == 1
    assert "STR-1.1" in selectors.verified_statuses(people.assessment)


# -- What the page marks beside the status ---------------------------------------


def test_it_says_when_a_satisfied_answer_has_no_evidence(people, login):
    answer(people.assessment, "STR-1.1", status="partial")
    answer(people.assessment, "STR-1.2", status="partial", evidence=False)
    client = login(people.assessor)

    def save(code, status, version=1):
        data = {"status": status, "justification": "", "version": version}
        response = client.post(_url(people.assessment, code), data, **JSON)
        return response.json()["answer"]["missing_evidence"]

    assert save("STR-1.2", "satisfied") is True
    assert save("STR-1.1", "satisfied") is False
    assert save("STR-1.2", "partial", version=2) is False


def _returned_with_objections(people):
    """Return the assessment given back with STR-1.1 rejected, STR-1.2 questioned."""
    assessment = people.assessment
    for code, verdict in [("STR-1.1", "rejected"), ("STR-1.2", "needs_information")]:
        ReviewFactory(
            answer=answer(assessment, code),
            verdict=verdict,
            comment="请补充。",
            reviewer=people.auditor,
        )
    set_status(assessment, Status.RETURNED)
    return assessment


def test_revising_an_objection_answers_with_the_count_left_to_revise(people, login):
    assessment = _returned_with_objections(people)
    client = login(people.assessor)

    revised = client.post(
        _url(assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "已补充。", "version": 1},
        **JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    again = client.post(
        _url(assessment, "STR-1.2"),
        {"status": "partial", "justification": "", "version": 1},
        **JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Only the justification changed: no figures, but the count.
    assert "summary" not in revised.json()
    assert revised.json()["objections"] == {"STR": {"count": 1, "label": "1 to revise"}}
    # The status changed: the count comes with the figures.
    assert "summary" in again.json()
    assert again.json()["objections"] == {"STR": {"count": 0, "label": "0 to revise"}}


def test_a_save_without_an_objection_answers_without_the_count(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment, Status.RETURNED)
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Reworded.", "version": 1},
        **JSON,
    )

    assert "objections" not in response.json()


def test_the_page_gives_the_script_the_warning_of_missing_evidence(people, login):
    answer(people.assessment, "STR-1.1", evidence=False)
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert '<span class="badge badge--warning" data-no-evidence>no evidence</span>' in (
        body
    )
    assert body.count('data-text-no-evidence="no evidence"') == 1


def test_revising_an_objection_in_a_stage_counts_its_stage_and_module(people, login):
    assessment = people.assessment
    for code in ("LC-S1-1.1", "LC-S2-1.1"):
        ReviewFactory(
            answer=answer(assessment, code),
            verdict="rejected",
            comment="证据不足。",
            reviewer=people.auditor,
        )
    set_status(assessment, Status.RETURNED)
    client = login(people.assessor)

    response = client.post(
        _url(assessment, "LC-S1-1.1"),
        {"status": "satisfied", "justification": "已补充。", "version": 1},
        **JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["objections"] == {
        "LC-S1": {"count": 0, "label": "0 to revise"},
        "LC": {"count": 1, "label": "1 to revise"},
    }
