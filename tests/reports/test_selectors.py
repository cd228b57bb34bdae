"""The revision and the content of a report, read in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessments.models import (
    AssessmentTarget,
    Evidence,
    EvidenceLink,
    Finding,
    Review,
    Status,
)
from assessments.selectors import assessment_overview
from maturity.catalogues import get_catalogue
from maturity.scoring import score
from reports import rendering, selectors
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import AssessmentFactory
from tests.reports.report_data import build_assessment


def revision(assessment) -> str:
    return selectors.report_key(assessment).revision


def test_it_keeps_the_revision_while_nothing_changes(people):
    assert revision(people.assessment) == revision(people.assessment)
    assert len(revision(people.assessment)) == 64


def change_answer(people):
    answer = people.answers[0]
    answer.justification, answer.version = "新的说明", answer.version + 1
    answer.save()


def review_answer(people):
    Review.objects.create(
        answer=people.answers[1],
        verdict="accepted",
        answer_version=people.answers[1].version,
        reviewer=people.auditor,
    )


def record_finding(people):
    Finding.objects.create(
        assessment=people.assessment,
        kind="observation",
        severity="low",
        title="观察",
        created_by=people.auditor,
    )


def link_evidence(people):
    evidence = Evidence.objects.create(
        assessment=people.assessment,
        kind="note",
        title="说明",
        note="有记录。",
        created_by=people.assessor,
    )
    EvidenceLink.objects.create(
        evidence=evidence, answer=people.answers[2], created_by=people.assessor
    )


def change_target(people):
    AssessmentTarget.objects.filter(assessment=people.assessment).update(level=5)


def change_status(people):
    people.assessment.status = Status.SUBMITTED
    people.assessment.save()


def change_title(people):
    people.assessment.title = "另一个标题"
    people.assessment.save()


@pytest.mark.parametrize(
    "change",
    [
        change_answer,
        review_answer,
        record_finding,
        link_evidence,
        change_target,
        change_status,
        change_title,
    ],
)
def test_it_changes_the_revision_with_what_the_report_shows(people, change):
    before = revision(people.assessment)

    change(people)

    assert revision(people.assessment) != before


def test_it_ignores_other_assessments(people):
    before = revision(people.assessment)

    other = AssessmentFactory(
        organisation=people.organisation,
        framework=people.assessment.framework,
        created_by=people.admin,
    )
    Finding.objects.create(
        assessment=other,
        kind="observation",
        severity="low",
        title="别处",
        created_by=people.auditor,
    )

    assert revision(people.assessment) == before


def test_it_reads_the_revision_in_a_fixed_number_of_queries(people, framework):
    big = build_assessment(framework, people)

    with CaptureQueriesContext(connection) as small_queries:
        revision(people.assessment)
    with CaptureQueriesContext(connection) as big_queries:
        revision(big)

    assert len(small_queries) == len(big_queries) == 6


def test_it_reads_the_whole_report_in_a_fixed_number_of_queries(people, framework):
    big = build_assessment(framework, people)
    get_catalogue(framework.pk)

    with CaptureQueriesContext(connection) as small_queries:
        small = selectors.report_context(people.assessment)
    with CaptureQueriesContext(connection) as big_queries:
        full = selectors.report_context(big)

    assert len(small_queries) == len(big_queries) <= 12
    assert small.total == full.total == 331
    assert full.answered == 331
    assert full.revision == revision(big)


def test_it_takes_levels_from_the_scoring_rule(people, framework):
    assessment = build_assessment(framework, people)
    catalogue = get_catalogue(framework.pk)
    expected = score(
        catalogue,
        dict(
            assessment.answers.exclude(status="").values_list(
                "requirement__code", "status"
            )
        ),
        dict(assessment.targets.values_list("module__code", "level")),
    )

    context = selectors.report_context(assessment)

    assert context.reading == "self"
    assert context.organisation["self"].level.number == expected.organisation.level
    assert [m.self.level.number for m in context.modules] == [
        expected.modules[code].level for code in catalogue.modules
    ]
    lifecycle = next(m for m in context.modules if m.stages)
    assert [s.code for s in lifecycle.stages] == list(catalogue.stages["LC"])
    gaps = [r.code for g in lifecycle.stages[0].gaps for r in g.requirements]
    stage = expected.modules["LC"].stages[lifecycle.stages[0].code]
    assert gaps == [code for codes in stage.gaps.values() for code in codes]


def test_it_counts_only_current_acceptances_in_the_verified_reading(people):
    first, second = people.answers[0], people.answers[1]
    Review.objects.create(
        answer=first, verdict="accepted", answer_version=1, reviewer=people.auditor
    )
    # Accepted on version 1, then the answer changed.
    Review.objects.create(
        answer=second, verdict="accepted", answer_version=1, reviewer=people.auditor
    )
    second.version = 2
    second.save()

    entries = {
        r.code: r
        for m in selectors.report_context(people.assessment).modules
        for g in m.level_groups
        for r in g.requirements
    }

    assert entries[first.requirement.code].verified
    assert not entries[second.requirement.code].verified
    assert entries[second.requirement.code].review_label.en == (
        "Accepted (on an earlier version)"
    )
    assert entries[second.requirement.code].review.label.zh == "通过"
    assert not entries[second.requirement.code].review.current


def test_it_counts_the_verdicts_as_the_assessment_overview_does(people):
    # The fifth answer has no verdict.
    accepted, rejected, questioned, revised_acceptance = people.answers[:4]
    for answer, verdict in (
        (accepted, "accepted"),
        (rejected, "rejected"),
        (questioned, "needs_information"),
        (revised_acceptance, "accepted"),
    ):
        Review.objects.create(
            answer=answer, verdict=verdict, answer_version=1, reviewer=people.auditor
        )
    # The assessors revised the rejected and the questioned answer, and one
    # accepted answer, after the auditor's verdicts.
    for answer in (rejected, questioned, revised_acceptance):
        answer.version = 2
        answer.save()
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()

    counts = [
        (item.en, count)
        for item, count in selectors.report_context(people.assessment).review_counts
    ]

    review = assessment_overview(people.assessment)["review"]
    assert (review.accepted, review.rejected, review.needs_information) == (1, 0, 0)
    assert (review.outdated, review.unreviewed) == (3, 1)
    assert counts == [
        ("Accepted", review.accepted),
        ("Rejected", review.rejected),
        ("Needs information", review.needs_information),
        ("Changed since the verdict", review.outdated),
        ("Not reviewed", review.unreviewed),
    ]


@pytest.mark.parametrize("status", list(Status))
def test_it_shows_the_verdict_counts_where_the_overview_does(people, status):
    Review.objects.create(
        answer=people.answers[0],
        verdict="accepted",
        answer_version=people.answers[0].version,
        reviewer=people.auditor,
    )
    people.assessment.status = status
    people.assessment.save()

    shown = selectors.report_context(people.assessment).shows_review

    assert shown is (status != Status.DRAFT)
    assert shown is (assessment_overview(people.assessment)["review"] is not None)


def test_it_words_the_verdicts_as_the_portal_does(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()

    labels = [
        item for item, _ in selectors.report_context(people.assessment).review_counts
    ]

    # The overview's figures, in its order and as its catalogue words them.
    web = [
        "Accepted",
        "Rejected",
        "Needs information",
        "Changed since the verdict",
        "Not reviewed",
    ]
    with translation.override("zh-hans"):
        assert [(x.zh, x.en) for x in labels] == [(gettext(s), s) for s in web]


def test_it_reads_a_finalised_assessment_from_its_frozen_scores(people, framework):
    assessment = people.assessment
    catalogue = get_catalogue(framework.pk)
    # Scores as frozen: every module at level 2, whatever the answers say.
    frozen = score(catalogue, {}, {}).to_dict()
    for module in frozen["modules"].values():
        module["level"] = 2
    frozen["organisation"] = {"level": 2, "mean": 2.0, "distribution": {"2": 11}}
    assessment.status = Status.FINALISED
    assessment.finalised_at = timezone.now()
    assessment.self_scores = assessment.verified_scores = frozen
    assessment.save()

    context = selectors.report_context(assessment)

    assert context.reading == "verified"
    assert context.is_final
    assert context.lead.level.label == "第二级 基础级"
    assert {m.verified.level.number for m in context.modules} == {2}


def test_it_names_the_download_in_chinese_without_unsafe_characters(people):
    people.assessment.title = '2025/年度:评估*"终稿"'
    report = Report(pk=12, assessment=people.assessment)

    name = selectors.download_filename(report, people.assessment)

    assert (
        name
        == "华东智能金融科技有限公司_2025_年度_评估__终稿__成熟度评估报告_R-000012.pdf"
    )


def rendering_since(people, age) -> Report:
    return Report.objects.create(
        assessment=people.assessment,
        revision="a" * 64,
        requested_by=people.viewer,
        status=ReportStatus.RENDERING,
        started_at=timezone.now() - age,
        attempts=1,
    )


SECOND = datetime.timedelta(seconds=1)


def test_a_render_within_its_claim_is_pending(people):
    state = selectors.report_state(rendering_since(people, datetime.timedelta(0)))

    assert state["phase"] == "pending"
    assert state["pending"] is True
    assert state["retry_by_label"] == ""


def test_a_dead_attempt_is_tried_again_until_the_broker_would_have_handed_it_on(
    people,
):
    report = rendering_since(people, selectors.claim_expiry() + SECOND)

    with translation.override("en"):
        state = selectors.report_state(report)

    retry_by = timezone.localtime(report.started_at + selectors.redelivery_expiry())
    assert state["phase"] == "retrying"
    assert state["pending"] is True
    assert state["status"] == "rendering"
    assert state["phase_label"] == "To be tried again"
    assert state["retry_by_label"] == retry_by.strftime("%Y-%m-%d %H:%M")


def test_a_dead_attempt_no_worker_took_up_again_is_abandoned(people):
    report = rendering_since(people, selectors.redelivery_expiry() + SECOND)

    with translation.override("en"):
        state = selectors.report_state(report)

    assert state["phase"] == "abandoned"
    assert state["pending"] is False
    assert state["phase_label"] == "Failed"
    assert state["download_url"] is None


def test_the_broker_hands_a_message_on_after_its_visibility_timeout(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_TIME_LIMIT = 300
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 600,
        "unacked_restore_interval": 30,
        "unacked_restore_throttle": 1,
    }

    # The timeout, a sweep for unacknowledged messages, and the margin.
    assert selectors.redelivery_expiry() == datetime.timedelta(seconds=660)
    assert selectors.claim_expiry() == datetime.timedelta(seconds=305)


def test_a_dead_attempt_run_in_process_is_abandoned_once_its_claim_expires(
    people, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    report = rendering_since(people, selectors.claim_expiry() + SECOND)

    assert selectors.redelivery_expiry() == selectors.claim_expiry()
    assert selectors.report_state(report)["phase"] == "abandoned"


def test_a_report_queued_longer_than_a_worker_takes_is_stalled(people):
    report = Report.objects.create(
        assessment=people.assessment, revision="a" * 64, requested_by=people.viewer
    )
    assert selectors.report_state(report)["phase"] == "pending"

    report.requested_at -= selectors.STALLED_AFTER + SECOND

    with translation.override("en"):
        state = selectors.report_state(report)
    assert state["phase"] == "stalled"
    assert state["stalled"] is True
    assert state["pending"] is True
    assert state["phase_label"] == "Queued"


def test_the_list_tells_each_report_by_the_same_phase(people):
    report = rendering_since(people, selectors.claim_expiry() + SECOND)

    listed = selectors.report_listing(people.assessment).reports

    assert [item.phase for item in listed] == ["retrying"]
    assert listed[0].phase_label == selectors.report_state(report)["phase_label"]


def test_it_shows_no_verified_reading_before_any_verdict(people):
    before = selectors.report_context(people.assessment)
    html_before = rendering.report_html(before, charts=[])
    Review.objects.create(
        answer=people.answers[0],
        verdict="rejected",
        comment="缺少证据",
        answer_version=people.answers[0].version,
        reviewer=people.auditor,
    )
    after = selectors.report_context(people.assessment)
    html_after = rendering.report_html(after, charts=[])

    assert not before.audited
    assert after.audited
    assert "尚未审核" in html_before
    assert "尚未审核" not in html_after
    # Whether each level is met in the verified reading, once there is one.
    assert "· 核验" not in html_before
    assert "· 核验未达到" in html_after
