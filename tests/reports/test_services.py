"""Asking for reports and rendering them: one record per revision, claims."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from assessments.models import Finding, Status
from reports import rendering, selectors, services, storage, tasks
from reports.models import Report, ReportStatus
from reports.services import Outcome


def stored_files(private_storage):
    folder = private_storage / "reports"
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_it_queues_a_new_report_once_the_transaction_commits(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
        assert enqueued == []

    assert len(callbacks) == 1
    assert enqueued == [report.pk]
    assert report.status == ReportStatus.QUEUED
    assert report.requested_by == people.viewer
    assert report.revision == selectors.report_key(people.assessment).revision
    assert not report.final


def test_it_returns_the_same_report_for_the_same_revision(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
        second = services.report_request(
            assessment=people.assessment, actor=people.auditor
        )

    assert second == first
    assert Report.objects.count() == 1
    assert enqueued == [first.pk]


def test_it_makes_a_new_report_once_the_assessment_changed(people, enqueued):
    first = services.report_request(assessment=people.assessment, actor=people.viewer)
    answer = people.answers[0]
    answer.status, answer.version = "partial", answer.version + 1
    answer.save()

    second = services.report_request(assessment=people.assessment, actor=people.viewer)

    assert second != first
    assert second.revision != first.revision
    assert Report.objects.count() == 2


def test_it_renders_a_revision_once_when_the_task_runs_twice(
    people, enqueued, fake_render, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    first = services.report_render(report_id=report.pk)
    second = services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert (first.outcome, second.outcome) == (Outcome.RENDERED, Outcome.FINISHED)
    assert len(fake_render) == 1
    assert fake_render[0].number == report.number
    assert report.status == ReportStatus.DONE
    assert report.attempts == 1
    assert report.page_count == 3
    assert report.attempt_token == ""
    data = storage.stored_path(report.file_path).read_bytes()
    assert report.size == len(data)
    assert len(report.sha256) == 64
    assert stored_files(private_storage) == [report.file_path.rsplit("/", 1)[1]]


def test_the_task_runs_the_render_through_celery(people, enqueued, fake_render):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    tasks.render_report.apply(args=[report.pk])
    tasks.render_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert len(fake_render) == 1


def test_the_task_is_acknowledged_late_with_time_limits(settings):
    task = tasks.render_report

    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.ignore_result is True
    assert task.time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert task.soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_it_records_why_a_render_failed(people, enqueued, monkeypatch, caplog):
    def broken(context, *, number=""):
        raise ValueError("no such font")

    monkeypatch.setattr(rendering, "render_report", broken)
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    with translation.override("en"):
        result = services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert result.outcome == Outcome.FAILED
    assert report.status == ReportStatus.FAILED
    assert "ValueError" in report.error
    assert report.number in report.error
    assert report.file_path == ""
    assert "failed to render" in caplog.text


def test_it_records_a_render_stopped_by_the_soft_time_limit(
    people, enqueued, monkeypatch, settings
):
    def slow(context, *, number=""):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(rendering, "render_report", slow)
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert str(settings.CELERY_TASK_SOFT_TIME_LIMIT) in report.error


def test_a_failed_report_steps_aside_for_a_new_one(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="x")

    with django_capture_on_commit_callbacks(execute=True):
        retried = services.report_retry(report=report, actor=people.viewer)

    assert retried != report
    assert retried.revision == report.revision
    assert retried.status == ReportStatus.QUEUED
    assert enqueued == [report.pk, retried.pk]


def test_it_leaves_a_report_claimed_by_a_live_attempt_alone(
    people, enqueued, fake_render
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=timezone.now(), attempts=1
    )

    result = services.report_render(report_id=report.pk)

    assert result.outcome == Outcome.BUSY
    expiry = selectors.claim_expiry().total_seconds()
    assert expiry - 5 < result.retry_after <= expiry
    assert fake_render == []
    assert Report.objects.get(pk=report.pk).attempts == 1


def test_the_task_looks_again_once_a_live_claim_would_expire(
    people, enqueued, fake_render, monkeypatch
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=timezone.now()
    )
    retried = []

    class Retry(Exception):
        pass

    def retry(**options):
        retried.append(options)
        return Retry()

    monkeypatch.setattr(tasks.render_report, "retry", retry)

    with pytest.raises(Retry):
        tasks.render_report(report.pk)

    assert retried[0]["countdown"] > selectors.claim_expiry().total_seconds() - 5


def test_it_claims_again_a_report_whose_attempt_died(people, enqueued, fake_render):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    long_ago = timezone.now() - selectors.claim_expiry() - datetime.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING,
        started_at=long_ago,
        attempts=1,
        attempt_token="dead",
    )

    result = services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert result.outcome == Outcome.RENDERED
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    assert len(fake_render) == 1


def test_a_request_replaces_a_report_whose_attempt_died(people, enqueued):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    long_ago = timezone.now() - selectors.claim_expiry() - datetime.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=long_ago, attempts=1
    )

    with translation.override("en"):
        replacement = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )

    report.refresh_from_db()
    assert replacement != report
    assert report.status == ReportStatus.FAILED
    assert "stopped before it finished" in report.error
    assert replacement.status == ReportStatus.QUEUED


def test_an_attempt_that_lost_its_claim_keeps_nothing(
    people, enqueued, monkeypatch, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    def taken_over(context, *, number=""):
        # Another attempt claims the record while this one renders.
        Report.objects.filter(pk=report.pk).update(attempt_token="newer")
        from reports.pdf import RenderedPDF

        return RenderedPDF(data=b"%PDF-1.4\n%%EOF\n", page_count=1)

    monkeypatch.setattr(rendering, "render_report", taken_over)

    result = services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert result.outcome == Outcome.LOST
    assert report.status == ReportStatus.RENDERING
    assert report.file_path == ""
    assert stored_files(private_storage) == []


def test_it_renders_what_the_assessment_shows_when_the_worker_starts(
    people, enqueued, fake_render
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    Finding.objects.create(
        assessment=people.assessment,
        kind="observation",
        severity="low",
        title="新发现",
        created_by=people.auditor,
    )

    services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.revision == selectors.report_key(people.assessment).revision
    assert fake_render[0].revision == report.revision


def test_it_gives_way_to_a_report_already_standing_for_the_new_state(
    people, enqueued, fake_render
):
    old = services.report_request(assessment=people.assessment, actor=people.viewer)
    Finding.objects.create(
        assessment=people.assessment,
        kind="observation",
        severity="low",
        title="新发现",
        created_by=people.auditor,
    )
    current = services.report_request(assessment=people.assessment, actor=people.viewer)

    result = services.report_render(report_id=old.pk)

    old.refresh_from_db()
    assert result.outcome == Outcome.SUPERSEDED
    assert old.status == ReportStatus.FAILED
    assert current.number in old.error
    assert fake_render == []


def test_it_keeps_the_report_of_a_finalised_assessment_for_good(
    people, enqueued, fake_render
):
    assessment = people.assessment
    assessment.status = Status.FINALISED
    assessment.save()
    kept = services.report_request(assessment=assessment, actor=people.viewer)
    services.report_render(report_id=kept.pk)
    Finding.objects.create(
        assessment=assessment,
        kind="observation",
        severity="low",
        title="定稿后补记",
        created_by=people.auditor,
    )

    again = services.report_request(assessment=assessment, actor=people.admin)

    kept.refresh_from_db()
    assert kept.final
    assert again == kept
    assert kept.status == ReportStatus.DONE
    assert Report.objects.filter(assessment=assessment).count() == 1
    assert selectors.report_panel(assessment).kept == kept


def test_only_one_final_report_may_stand_per_assessment(people):
    Report.objects.create(
        assessment=people.assessment,
        revision="a" * 64,
        final=True,
        requested_by=people.viewer,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            assessment=people.assessment,
            revision="b" * 64,
            final=True,
            requested_by=people.viewer,
        )


def test_it_returns_the_report_a_concurrent_request_created(
    people, enqueued, monkeypatch
):
    racing = Report.objects.create(
        assessment=people.assessment,
        revision=selectors.report_key(people.assessment).revision,
        requested_by=people.admin,
    )
    real_active_report = selectors.active_report
    lookups = []

    def not_yet_there(assessment, revision):
        # The first look happens before the other request committed.
        lookups.append(revision)
        return None if len(lookups) == 1 else real_active_report(assessment, revision)

    monkeypatch.setattr(selectors, "active_report", not_yet_there)

    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    assert report == racing
    assert len(lookups) == 2
    assert Report.objects.count() == 1
    assert enqueued == []


def test_only_those_who_see_the_assessment_may_ask(people, enqueued):
    with pytest.raises(PermissionDenied):
        services.report_request(assessment=people.assessment, actor=people.outsider)

    assert Report.objects.count() == 0


def test_it_sends_again_a_report_left_queued_past_a_claims_life(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
    assert not selectors.report_state(report)["stalled"]

    # The message went astray: nobody took the report for longer than a
    # claim could live.
    Report.objects.filter(pk=report.pk).update(
        requested_at=timezone.now()
        - selectors.claim_expiry()
        - datetime.timedelta(seconds=1)
    )
    report.refresh_from_db()
    assert selectors.report_state(report)["stalled"]

    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )

    assert again == report
    assert Report.objects.count() == 1
    assert enqueued == [report.pk, report.pk]


def test_a_report_queued_a_moment_ago_is_not_sent_twice(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
        services.report_request(assessment=people.assessment, actor=people.viewer)

    assert enqueued == [first.pk]


def test_a_broker_that_is_down_leaves_the_report_queued(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(report_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(services, "_enqueue", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert "Error 111" in caplog.text
