"""The submit check: it lists exactly what keeps an assessment from review."""

import re

from django.urls import reverse

from assessments import services
from assessments.models import Status, Verdict
from assessments.selectors import ReviewSummary, submission_problems
from assessments.selectors.submission import answer_rows
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer,
    answer_all,
    set_status,
)


def _problems(assessment):
    return [(problem.code, problem.kind) for problem in submission_problems(assessment)]


def test_it_lists_exactly_what_is_missing(people):
    assessment = people.assessment
    answers = answer_all(assessment)
    by_code = {a.requirement.code: a for a in answers}
    by_code["STR-1.2"].evidence_links.all().delete()
    by_code["STR-2.1"].status = "not_applicable"
    by_code["STR-2.1"].save()
    by_code["STR-2.2"].status = "not_applicable"
    by_code["STR-2.2"].justification = "No models of that kind."
    by_code["STR-2.2"].save()
    by_code["LC-S2-3.1"].delete()
    by_code["STR-4.1"].evidence_links.update(needs_reconfirmation=True)
    by_code["STR-5.2"].status = ""
    by_code["STR-5.2"].save()
    by_code["STR-3.1"].status = "partial"
    by_code["STR-3.1"].save()
    by_code["STR-3.1"].evidence_links.all().delete()

    problems = _problems(assessment)

    assert problems == [
        ("STR-1.2", "no_evidence"),
        ("STR-2.1", "no_justification"),
        ("STR-4.1", "unconfirmed_evidence"),
        ("STR-5.2", "unanswered"),
        ("LC-S2-3.1", "unanswered"),
    ]


def test_it_refuses_to_submit_with_the_list(people):
    assessment = people.assessment
    answer(assessment, "STR-1.1")

    try:
        services.assessment_transition(
            assessment=assessment, name="submit", actor=people.assessor
        )
    except services.SubmissionIncomplete as error:
        problems = error.problems
    else:
        raise AssertionError("submitted an incomplete assessment")

    assert len(problems) == 19
    assert problems[0].code == "STR-1.2"
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_it_lists_the_missing_items_with_links_on_the_page(people, login):
    assessment = people.assessment
    answer_all(assessment)
    answer_codes = ["STR-1.1", "LC-S1-2.1"]
    assessment.answers.filter(requirement__code__in=answer_codes).delete()
    client = login(people.assessor)

    response = client.post(
        reverse("assessments:assessment-transition", args=[assessment.pk, "submit"]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert "2 requirements need attention" in body
    str_url = reverse("assessments:questionnaire", args=[assessment.pk, "STR"])
    stage_url = reverse("assessments:questionnaire", args=[assessment.pk, "LC-S1"])
    assert f'href="{str_url}#STR-1.1"' in body
    assert f'href="{stage_url}#LC-S1-2.1"' in body
    assert body.count('class="code" href=') == 2
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_it_counts_a_single_missing_requirement_in_the_singular(people, login):
    assessment = people.assessment
    answer_all(assessment)
    assessment.answers.filter(requirement__code="STR-1.1").delete()
    client = login(people.assessor)

    response = client.post(
        reverse("assessments:assessment-transition", args=[assessment.pk, "submit"]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert (
        "The assessment cannot be submitted yet: 1 requirement needs attention."
    ) in body
    assert "1 requirements" not in body


SUBMIT_BUTTON = re.compile(
    r'<button type="submit" class="button"([^>]*)>Submit for review'
)


def _overview(client, assessment):
    return client.get(
        reverse("assessments:assessment-detail", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()


def test_it_offers_no_submit_click_while_something_is_missing(people, login):
    assessment = people.assessment
    answer_all(assessment)
    assessment.answers.filter(requirement__code__in=["STR-1.1", "STR-1.2"]).delete()

    body = _overview(login(people.assessor), assessment)

    (attributes,) = SUBMIT_BUTTON.findall(body)
    assert " disabled" in attributes
    assert 'aria-describedby="submit-blocked"' in attributes
    assert (
        '<p id="submit-blocked" class="help">Submitting opens once every '
        "requirement listed below is in order.</p>"
    ) in body
    assert "2 requirements need attention before submitting" in body


def test_it_offers_the_submit_click_once_nothing_is_missing(people, login):
    assessment = people.assessment
    answer_all(assessment)

    body = _overview(login(people.assessor), assessment)

    assert SUBMIT_BUTTON.findall(body) == [""]
    assert "submit-blocked" not in body


def test_it_submits_a_complete_assessment(people, login):
    assessment = people.assessment
    answer_all(assessment)
    client = login(people.assessor)

    client.post(
        reverse("assessments:assessment-transition", args=[assessment.pk, "submit"])
    )

    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    assert assessment.status_changes.get().actor == people.assessor


# -- Answers the auditor objected to ---------------------------------------------


def _returned_with_verdicts(people):
    """Return a complete assessment given back with a rejection and a question."""
    assessment = people.assessment
    answers = {a.requirement.code: a for a in answer_all(assessment)}
    ReviewFactory(
        answer=answers["STR-1.1"],
        verdict=Verdict.REJECTED,
        comment="制度未覆盖外包模型。",
        reviewer=people.auditor,
    )
    ReviewFactory(
        answer=answers["LC-S1-2.1"],
        verdict=Verdict.NEEDS_INFORMATION,
        comment="谁审批？",
        reviewer=people.auditor,
    )
    ReviewFactory(answer=answers["STR-1.2"], reviewer=people.auditor)
    set_status(assessment, Status.RETURNED)
    return assessment, answers


def test_it_lists_answers_rejected_or_questioned_on_their_current_version(people):
    assessment, _answers = _returned_with_verdicts(people)

    assert _problems(assessment) == [
        ("STR-1.1", "rejected"),
        ("LC-S1-2.1", "needs_information"),
    ]


def test_it_drops_an_objection_once_the_answer_is_revised(people):
    assessment, answers = _returned_with_verdicts(people)

    services.answer_save(
        assessment=assessment,
        requirement=answers["STR-1.1"].requirement,
        status="satisfied",
        justification="已覆盖外包模型。",
        base_version=answers["STR-1.1"].version,
        actor=people.assessor,
    )

    assert _problems(assessment) == [("LC-S1-2.1", "needs_information")]


def test_it_refuses_to_resubmit_an_untouched_rejection(people):
    assessment, _answers = _returned_with_verdicts(people)

    try:
        services.assessment_transition(
            assessment=assessment, name="submit", actor=people.assessor
        )
    except services.SubmissionIncomplete as error:
        kinds = [problem.kind for problem in error.problems]
    else:
        raise AssertionError("resubmitted an untouched rejection")

    assert kinds == ["rejected", "needs_information"]
    assessment.refresh_from_db()
    assert assessment.status == Status.RETURNED


def test_it_lists_the_objections_with_links_on_the_overview(people, login):
    assessment, _answers = _returned_with_verdicts(people)
    client = login(people.assessor)

    response = client.get(
        reverse("assessments:assessment-detail", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert "2 answers rejected or questioned by the auditor" in body
    assert "can be submitted" not in body
    str_url = reverse("assessments:questionnaire", args=[assessment.pk, "STR"])
    stage_url = reverse("assessments:questionnaire", args=[assessment.pk, "LC-S1"])
    assert f'href="{str_url}#STR-1.1"' in body
    assert f'href="{stage_url}#LC-S1-2.1"' in body
    assert "The auditor rejected this answer" in body


def test_it_finds_the_same_problems_in_the_answers_read_for_the_overview(
    people, django_assert_num_queries
):
    assessment, answers = _returned_with_verdicts(people)
    answers["STR-2.1"].evidence_links.all().delete()
    answers["LC-S2-3.1"].delete()
    expected = submission_problems(assessment)
    rows = answer_rows(assessment)

    with django_assert_num_queries(0):
        problems = submission_problems(assessment, rows)

    assert problems == expected
    assert [(problem.code, problem.kind) for problem in problems] == [
        ("STR-1.1", "rejected"),
        ("STR-2.1", "no_evidence"),
        ("LC-S1-2.1", "needs_information"),
        ("LC-S2-3.1", "unanswered"),
    ]


def test_it_shows_the_review_counts_and_the_problems_on_the_overview(people, login):
    assessment, answers = _returned_with_verdicts(people)
    # Changed since its acceptance, so the auditor has to see it again.
    answers["STR-1.2"].version += 1
    answers["STR-1.2"].save()
    client = login(people.assessor)

    response = client.get(
        reverse("assessments:assessment-detail", args=[assessment.pk])
    )

    context = response.context
    assert context["review"] == ReviewSummary(
        accepted=0,
        rejected=1,
        needs_information=1,
        outdated=1,
        unreviewed=len(answers) - 3,
    )
    assert context["problems"] == submission_problems(assessment)
    assert context["answered"] == context["total"] == len(answers)
    assert [problem.code for problem in context["objections"]] == [
        "STR-1.1",
        "LC-S1-2.1",
    ]
