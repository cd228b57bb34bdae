"""How the report words the verdicts and the counts of its lists."""

import base64
import re

import pytest

from assessments import services as assessment_services
from assessments.models import Review, Status
from reports import rendering, selectors, vocabulary
from tests.assessments.assessment_factories import (
    AnswerFactory,
    AssessmentFactory,
    build_framework,
    requirement,
)

pytestmark = pytest.mark.django_db


STATUS = "(?:完全满足|部分满足|不满足|不适用|未作答)"


def gap_notes(html: str) -> dict[str, str]:
    """Map the code of each requirement in the gap lists to its note."""
    return dict(
        re.findall(
            rf'<p class="gaps__item"><b>([^<]+)</b> [^<]*（({STATUS}[^<]*)）</p>', html
        )
    )


def listing_notes(html: str) -> dict[str, str]:
    """Map the code of each requirement in the listing to its bracketed note."""
    return dict(re.findall(r"<b>([A-Z0-9.-]+) [^<]*</b>　【(.*)】", html))


def finalise(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()
    return assessment_services.assessment_transition(
        assessment=people.assessment, name="finalise", actor=people.auditor
    )


def test_it_marks_a_verdict_on_an_earlier_version_in_every_list(people):
    rejected, questioned, accepted = people.answers[:3]
    for answer, verdict in (
        (rejected, "rejected"),
        (questioned, "needs_information"),
        (accepted, "accepted"),
    ):
        Review.objects.create(
            answer=answer, verdict=verdict, answer_version=1, reviewer=people.auditor
        )
    # The assessors revised the answers; the auditor finalised without a
    # new verdict.
    for answer in (rejected, questioned, accepted):
        answer.version = 2
        answer.save()
    assessment = finalise(people)

    context = selectors.report_context(assessment)
    html = rendering.report_html(context, charts=[])

    assert context.reading == "verified"
    gaps, listing = gap_notes(html), listing_notes(html)
    for answer, verdict in (
        (rejected, "驳回"),
        (questioned, "需补充信息"),
        (accepted, "通过"),
    ):
        code = answer.requirement.code
        assert gaps[code] == f"完全满足 · 审核{verdict}（针对旧版本）"
        assert listing[code] == f"完全满足 · 审核{verdict}（针对旧版本）"


def test_it_names_a_current_verdict_without_an_earlier_version(people):
    answer = people.answers[0]
    Review.objects.create(
        answer=answer, verdict="rejected", answer_version=1, reviewer=people.auditor
    )

    html = rendering.report_html(
        selectors.report_context(people.assessment, reading="verified"), charts=[]
    )

    code = answer.requirement.code
    assert gap_notes(html)[code] == "完全满足 · 审核驳回"
    assert listing_notes(html)[code] == "完全满足 · 审核驳回"


def test_it_says_not_reviewed_of_an_answer_without_a_verdict(people):
    reviewed, unreviewed = people.answers[:2]
    Review.objects.create(
        answer=reviewed, verdict="accepted", answer_version=1, reviewer=people.auditor
    )

    html = rendering.report_html(
        selectors.report_context(people.assessment, reading="verified"), charts=[]
    )

    assert gap_notes(html)[unreviewed.requirement.code] == "完全满足 · 未审核"
    assert "审核未审核" not in html


@pytest.mark.parametrize(
    ("verdict", "current", "zh", "en"),
    [
        ("", True, "未审核", "Not reviewed"),
        ("accepted", True, "审核通过", "Accepted"),
        (
            "rejected",
            False,
            "审核驳回（针对旧版本）",
            "Rejected (on an earlier version)",
        ),
        (
            "needs_information",
            False,
            "审核需补充信息（针对旧版本）",
            "Needs information (on an earlier version)",
        ),
    ],
)
def test_it_labels_a_review_in_both_languages(verdict, current, zh, en):
    assert vocabulary.review_label(verdict, current=current) == vocabulary.Label(zh, en)


@pytest.fixture
def small_assessment():
    """Return an assessment one requirement short of its strategy target.

    The lifecycle module, left unanswered, is four requirements short.
    """
    framework = build_framework(per_level=1)
    assessment = AssessmentFactory(framework=framework, targets={"STR": 2, "LC": 2})
    AnswerFactory(assessment=assessment, requirement=requirement(assessment, "STR-1.1"))
    return assessment


def test_it_counts_the_requirements_to_meet_in_english(small_assessment):
    context = selectors.report_context(small_assessment)
    html = rendering.report_html(context, charts=[])

    assert [gap.sentence_en for gap in context.largest_gaps] == [
        "Lifecycle stands at level 0 against a target of 2: 4 requirements to meet. "
        "Weakest stage: Stage 1.",
        "Strategy stands at level 1 against a target of 2: 1 requirement to meet.",
    ]
    assert "差距 1 项要求 1 requirement to meet" in html
    assert "差距 4 项要求 4 requirements to meet" in html
    assert "1 requirements" not in html


def test_the_charts_speak_both_languages(people):
    context = selectors.report_context(people.assessment)

    figures = [
        base64.b64decode(chart.src.removeprefix("data:image/svg+xml;base64,")).decode()
        for chart in rendering.report_charts(context)
    ]

    radar = figures[0]
    assert "自评 Self-assessed" in radar
    # The modules by their codes, which the tables name in English too.
    for module in context.modules:
        assert f"{module.code} " in radar
