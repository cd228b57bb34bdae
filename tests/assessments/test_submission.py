"""The submit check: it lists exactly what keeps an assessment from review."""

from django.urls import reverse

from assessments import services
from assessments.models import Status
from assessments.selectors import submission_problems
from tests.assessments.assessment_factories import answer, answer_all


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
