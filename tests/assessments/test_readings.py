"""Both readings on every page that shows a level, frozen once finalised."""

import re

from django.urls import reverse

from assessments import selectors, services
from assessments.models import Answer, AssessmentTarget, Review, Verdict
from maturity.catalogues import get_catalogue, get_requirement_codes
from maturity.scoring import score
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer,
    answer_all,
    set_status,
)

TARGETS = {"STR": 3, "LC": 3}


def figure(body, name):
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', body)
    return match.group(1).strip()


def _reviewed(people):
    """Answer everything, STR-3.1 partially; accept all but a rejected STR-2.1.

    By hand: self-assessed STR stands at 2 (level 3 lacks STR-3.1), verified
    STR at 1 (level 2 lacks STR-2.1); the lifecycle stands at 5 in both.
    """
    assessment = people.assessment
    answers = {a.requirement.code: a for a in answer_all(assessment)}
    answers["STR-3.1"].status = "partial"
    answers["STR-3.1"].save()
    for code, stored in answers.items():
        verdict = Verdict.REJECTED if code == "STR-2.1" else Verdict.ACCEPTED
        ReviewFactory(answer=stored, verdict=verdict, reviewer=people.auditor)
    set_status(assessment)
    return assessment, answers


def _expected(assessment, answers):
    catalogue = get_catalogue(assessment.framework)
    statuses = {code: a.status for code, a in answers.items()}
    verified = {code: s for code, s in statuses.items() if code != "STR-2.1"}
    return score(catalogue, statuses, TARGETS), score(catalogue, verified, TARGETS)


def _pages(client, assessment, language=None):
    pk = assessment.pk
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    urls = {
        "overview": reverse("assessments:assessment-detail", args=[pk]),
        "questionnaire": reverse("assessments:questionnaire", args=[pk, "STR"]),
        "dashboard": reverse("assessments:assessment-dashboard", args=[pk]),
        "organisation": reverse("assessments:organisation-detail", args=["org-a"]),
    }
    return {
        name: client.get(url, **headers).content.decode() for name, url in urls.items()
    }


def _organisation_levels(body, assessment):
    row = re.search(
        rf'<tr data-assessment="{assessment.pk}">(.*?)</tr>', body, re.S
    ).group(1)
    return (
        re.search(r'data-reading="self">(\d)<', row).group(1),
        re.search(r'data-reading="verified">(\d)<', row).group(1),
    )


def _shown_levels(pages, assessment):
    """Return what each page shows: (organisation level, STR level) per reading."""
    dashboard_str = re.search(
        r'<tr[^>]*data-module="STR">(.*?)</tr>', pages["dashboard"], re.S
    ).group(1)
    return {
        "overview": (
            figure(pages["overview"], "overall.level"),
            figure(pages["overview"], "verified.overall.level"),
            re.search(r'data-module-level="STR">(\d)<', pages["overview"]).group(1),
            re.search(r'data-module-verified="STR">(\d)<', pages["overview"]).group(1),
        ),
        "questionnaire": (
            figure(pages["questionnaire"], "overall.level"),
            figure(pages["questionnaire"], "verified.overall.level"),
            figure(pages["questionnaire"], "area.level"),
            figure(pages["questionnaire"], "verified.area.level"),
        ),
        "dashboard": (
            figure(pages["dashboard"], "organisation.level"),
            figure(pages["dashboard"], "verified.organisation.level"),
            re.search(r'data-reading="self">(\d)<', dashboard_str).group(1),
            re.search(r'data-reading="verified">(\d)<', dashboard_str).group(1),
        ),
        "organisation": _organisation_levels(pages["organisation"], assessment),
    }


def test_it_shows_both_readings_wherever_a_level_appears(people, login):
    assessment, answers = _reviewed(people)
    self_assessed, verified = _expected(assessment, answers)

    shown = _shown_levels(_pages(login(people.viewer), assessment), assessment)

    organisation = str(self_assessed.organisation.level)
    verified_organisation = str(verified.organisation.level)
    module = str(self_assessed.modules["STR"].level)
    verified_module = str(verified.modules["STR"].level)
    assert (module, verified_module) == ("2", "1")
    for page in ("overview", "questionnaire", "dashboard"):
        assert shown[page] == (
            organisation,
            verified_organisation,
            module,
            verified_module,
        ), page
    assert shown["organisation"] == (organisation, verified_organisation)


def test_it_freezes_both_readings_and_shows_the_frozen_ones(people, login):
    assessment, answers = _reviewed(people)
    self_assessed, verified = _expected(assessment, answers)

    services.assessment_transition(
        assessment=assessment, name="finalise", actor=people.auditor
    )
    # Rows changed behind the portal's back must not move a finalised reading.
    Answer.objects.filter(assessment=assessment).update(status="not_satisfied")
    Review.objects.filter(answer__assessment=assessment).update(verdict="rejected")
    AssessmentTarget.objects.filter(assessment=assessment).update(level=5)
    shown = _shown_levels(_pages(login(people.admin), assessment), assessment)

    assessment.refresh_from_db()
    assert assessment.self_scores == self_assessed.to_dict()
    assert assessment.verified_scores == verified.to_dict()
    expected = (
        str(self_assessed.organisation.level),
        str(verified.organisation.level),
        "2",
        "1",
    )
    for page in ("overview", "questionnaire", "dashboard"):
        assert shown[page] == expected, page
    assert shown["organisation"] == expected[:2]


def test_it_shows_the_frozen_gap_list_once_finalised(people, login):
    assessment, _answers = _reviewed(people)
    services.assessment_transition(
        assessment=assessment, name="finalise", actor=people.auditor
    )
    Answer.objects.filter(assessment=assessment).update(status="satisfied")

    body = (
        login(people.viewer)
        .get(reverse("assessments:assessment-dashboard", args=[assessment.pk]))
        .content.decode()
    )

    # Verified by default once finalised: STR stands at 1, its target is 3.
    assert re.findall(r'data-gap="([^"]+)"', body) == [
        "STR-2.1",
        "STR-3.1",
    ]


def test_it_reports_the_verified_reading_after_an_autosave(people, login):
    assessment = people.assessment
    for code in ["STR-1.1", "STR-1.2", "LC-S1-1.1", "LC-S2-1.1"]:
        stored = answer(assessment, code)
        ReviewFactory(answer=stored, reviewer=people.auditor)
    set_status(assessment, "returned")
    stored = assessment.answers.get(requirement__code="STR-1.1")

    response = login(people.assessor).post(
        reverse("assessments:answer-update", args=[assessment.pk, "STR-1.1"]),
        {"status": "satisfied", "justification": "补充说明", "version": stored.version},
        HTTP_ACCEPT="application/json",
    )

    # STR stood at 1 in both readings; the changed answer is no longer accepted.
    data = response.json()
    assert data["summary"]["area"]["level"] == 1
    assert data["verified"] == {
        "area": {"code": "STR", "level": 0},
        "module": {"code": "STR", "level": 0},
        "overall": {"level": 0},
    }


# -- Before any audit -------------------------------------------------------------


def test_it_shows_not_audited_yet_where_no_answer_has_a_verdict(people, login):
    answer_all(people.assessment)

    pages = _pages(login(people.assessor), people.assessment, "en")

    for name in ["overview", "questionnaire", "dashboard"]:
        assert "not audited yet" in pages[name].lower(), name
    assert figure(pages["questionnaire"], "verified.area.level") == "—"
    assert figure(pages["overview"], "verified.overall.level") == "—"
    assert figure(pages["dashboard"], "verified.organisation.level") == "—"
    assert "badge--verified" not in pages["overview"]
    assert "badge--verified" not in pages["questionnaire"]


def test_it_keeps_the_verified_numbers_once_any_answer_has_a_verdict(people, login):
    answers = answer_all(people.assessment)
    ReviewFactory(
        answer=answers[0],
        verdict=Verdict.REJECTED,
        comment="不足。",
        reviewer=people.auditor,
    )
    set_status(people.assessment, "returned")

    pages = _pages(login(people.assessor), people.assessment, "en")

    for name in ["overview", "questionnaire", "dashboard"]:
        assert "not audited yet" not in pages[name].lower(), name
    assert figure(pages["questionnaire"], "verified.area.level") == "0"
    assert figure(pages["overview"], "verified.overall.level") == "0"
    assert figure(pages["dashboard"], "verified.organisation.level") == "0"


def test_it_autosaves_before_any_audit_without_a_verified_reading(people, login):
    stored = answer(people.assessment, "STR-1.1")

    response = login(people.assessor).post(
        reverse("assessments:answer-update", args=[people.assessment.pk, "STR-1.1"]),
        {"status": "partial", "justification": "", "version": stored.version},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    assert response.json()["verified"] is None


# -- Pages holding answers to revise ---------------------------------------------


def test_it_counts_the_answers_to_revise_in_the_page_navigation(people, login):
    answers = {a.requirement.code: a for a in answer_all(people.assessment)}
    for code, verdict in [
        ("STR-1.1", Verdict.REJECTED),
        ("STR-2.2", Verdict.NEEDS_INFORMATION),
        ("LC-S2-1.1", Verdict.REJECTED),
        ("LC-S1-1.1", Verdict.ACCEPTED),
    ]:
        ReviewFactory(
            answer=answers[code], verdict=verdict, comment="?", reviewer=people.auditor
        )
    # Revised since its rejection: nothing left to do for the auditor's sake.
    revised = answers["LC-S2-2.1"]
    ReviewFactory(
        answer=revised, verdict=Verdict.REJECTED, comment="?", reviewer=people.auditor
    )
    Answer.objects.filter(pk=revised.pk).update(version=revised.version + 1)
    set_status(people.assessment, "returned")

    body = _pages(login(people.assessor), people.assessment)["questionnaire"]

    counts = dict(
        re.findall(
            r'<span class="code">([^<]+)</span>[^<]*<span class="area-nav__count'
            r'[^"]*">(?:<span[^>]*>)?\d+(?:</span>)?/\d+</span>'
            r'(?: <span class="badge badge--rejected area-nav__objections"[^>]*>'
            r"(\d+)[^<]*</span>)?",
            body,
        )
    )
    assert counts == {"STR": "2", "LC-S1": "", "LC-S2": "1"}


def test_it_reads_statuses_and_verdicts_in_one_query(people, django_assert_num_queries):
    assessment, answers = _reviewed(people)
    Answer.objects.filter(pk=answers["LC-S1-1.1"].pk).update(status="")
    # The standard's requirements are read once per process, as by any page.
    get_requirement_codes(assessment.framework_id)

    with django_assert_num_queries(1):
        statuses, verdicts = selectors.answer_standing(assessment)

    assert statuses == selectors.answer_statuses(assessment)
    assert "LC-S1-1.1" not in statuses
    assert verdicts == selectors.verdicts_of(assessment)
    assert verdicts.objections == {"STR-2.1": Verdict.REJECTED}
