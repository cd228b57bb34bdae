"""Asking for reports and rendering them: one record per revision, claims."""

import datetime
import socket

import kombu.exceptions
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import (
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models.query import QuerySet
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
        retried = services.report_retry(report=report, actor=people.viewer).report

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


def test_a_request_keeps_a_report_the_broker_will_hand_on(people, enqueued):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    # The attempt died, but its message is yet to be handed to a worker.
    died = timezone.now() - selectors.claim_expiry() - datetime.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=died, attempts=1
    )

    again = services.report_request(assessment=people.assessment, actor=people.viewer)
    with pytest.raises(ValidationError) as refused:
        services.report_retry(report=report, actor=people.viewer)

    report.refresh_from_db()
    assert again == report
    assert report.status == ReportStatus.RENDERING
    assert refused.value.code == "not_failed"
    assert Report.objects.count() == 1


def test_a_request_replaces_a_report_no_worker_took_up_again(people, enqueued):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    long_ago = (
        timezone.now() - selectors.redelivery_expiry() - datetime.timedelta(seconds=1)
    )
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


def test_it_sends_again_a_report_left_queued_too_long(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
    assert not selectors.report_state(report)["stalled"]

    # Nobody took the report for longer than an idle worker would.
    queued_before(report, selectors.STALLED_AFTER + datetime.timedelta(seconds=1))
    assert selectors.report_state(report)["stalled"]

    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )

    assert again == report
    assert Report.objects.count() == 1
    assert enqueued == [report.pk, report.pk]


def queued_before(report, age):
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - age)
    report.refresh_from_db()


def test_retrying_a_stalled_report_sends_it_again(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
    queued_before(report, selectors.STALLED_AFTER + datetime.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        asked = services.report_retry(report=report, actor=people.viewer)

    assert asked.report == report
    assert not asked.made
    assert not asked.unreachable
    assert Report.objects.get().status == ReportStatus.QUEUED
    assert enqueued == [report.pk, report.pk]


def test_a_report_queued_a_moment_ago_is_not_retried(people, enqueued):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)

    with pytest.raises(ValidationError) as refused:
        services.report_retry(report=report, actor=people.viewer)

    assert refused.value.code == "not_failed"
    assert enqueued == []


def test_a_report_queued_a_moment_ago_is_not_sent_twice(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(
            assessment=people.assessment, actor=people.viewer
        )
        services.report_request(assessment=people.assessment, actor=people.viewer)

    assert enqueued == [first.pk]


def broker_down(report_id):
    raise kombu.exceptions.OperationalError(
        "Error 111 connecting to 127.0.0.1:6379. Connection refused."
    )


def test_a_task_queue_out_of_reach_fails_the_report_saying_so(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    monkeypatch.setattr(tasks.render_report, "delay", broker_down)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        asked = services.report_ask(assessment=people.assessment, actor=people.viewer)
    asked.report.refresh_from_db()

    assert asked.made
    assert asked.unreachable
    assert asked.report.status == ReportStatus.FAILED
    assert asked.report.error.startswith("The task queue could not be reached")
    assert selectors.report_state(asked.report)["phase"] == "failed"
    assert "Error 111" in caplog.text


def test_a_stalled_report_the_queue_refuses_fails_too(
    people, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    queued_before(report, selectors.STALLED_AFTER + datetime.timedelta(seconds=1))
    monkeypatch.setattr(tasks.render_report, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        asked = services.report_retry(report=report, actor=people.viewer)
    asked.report.refresh_from_db()

    assert asked.report == report
    assert asked.unreachable
    assert asked.report.status == ReportStatus.FAILED


@pytest.mark.redis
def test_celery_raises_for_a_broker_out_of_reach_what_the_service_catches(
    unused_port,
):
    from portal.celery import app

    closed = app.connection_for_write(f"redis://127.0.0.1:{unused_port}/0")

    with closed, pytest.raises(services.BROKER_ERRORS):
        tasks.render_report.apply_async(args=[0], connection=closed)


@pytest.fixture
def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------- database lost


@pytest.fixture
def worker_retries(monkeypatch):
    """Let a task run in-process retry at once as often as a worker would."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def lose_the_database_once(monkeypatch, *, committed=False):
    """Make the update marking a report done fail once, as a dropped link would.

    With ``committed``, the update reaches the database before the
    connection breaks, as when the link drops while the answer is on its way.
    """
    real_update = QuerySet.update
    failures = [OperationalError("server closed the connection unexpectedly")]

    def update(self, **kwargs):
        if kwargs.get("status") == ReportStatus.DONE and failures:
            if committed:
                real_update(self, **kwargs)
            raise failures.pop()
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)


def test_a_render_that_loses_the_database_leaves_its_claim_to_the_next_attempt(
    people, enqueued, fake_render, monkeypatch, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    real_context = selectors.report_context
    calls = []

    def context_once_unreachable(assessment, **kwargs):
        calls.append(assessment)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_context(assessment, **kwargs)

    monkeypatch.setattr(selectors, "report_context", context_once_unreachable)

    with pytest.raises(services.DatabaseLost) as lost:
        services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.RENDERING
    assert lost.value.attempt_token == report.attempt_token
    assert lost.value.stored_path == ""

    result = services.report_render(
        report_id=report.pk, attempt_token=lost.value.attempt_token
    )

    report.refresh_from_db()
    assert result.outcome == Outcome.RENDERED
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    assert stored_files(private_storage) == [report.file_path.rsplit("/", 1)[1]]


def test_a_file_stored_before_the_database_went_away_is_removed(
    people, enqueued, fake_render, monkeypatch, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    lose_the_database_once(monkeypatch)

    with pytest.raises(services.DatabaseLost) as lost:
        services.report_render(report_id=report.pk)
    orphan = lost.value.stored_path
    assert storage.stored_path(orphan).exists()

    services.report_render(
        report_id=report.pk,
        attempt_token=lost.value.attempt_token,
        stored_path=orphan,
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.file_path != orphan
    assert not storage.stored_path(orphan).exists()
    assert stored_files(private_storage) == [report.file_path.rsplit("/", 1)[1]]


def test_a_file_the_record_came_to_point_to_is_kept(
    people, enqueued, fake_render, monkeypatch, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    lose_the_database_once(monkeypatch, committed=True)

    with pytest.raises(services.DatabaseLost) as lost:
        services.report_render(report_id=report.pk)
    result = services.report_render(
        report_id=report.pk,
        attempt_token=lost.value.attempt_token,
        stored_path=lost.value.stored_path,
    )

    report.refresh_from_db()
    assert result.outcome == Outcome.FINISHED
    assert report.status == ReportStatus.DONE
    assert report.file_path == lost.value.stored_path
    assert storage.stored_path(report.file_path).exists()
    assert len(fake_render) == 1


def test_giving_up_fails_the_report_and_removes_its_file(
    people, enqueued, fake_render, monkeypatch, private_storage
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    lose_the_database_once(monkeypatch)
    with pytest.raises(services.DatabaseLost) as lost:
        services.report_render(report_id=report.pk)

    with translation.override("en"):
        services.report_give_up(
            report_id=report.pk,
            attempt_token=lost.value.attempt_token,
            stored_path=lost.value.stored_path,
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.attempt_token == ""
    assert "The database could not be reached" in report.error
    assert report.number in report.error
    assert stored_files(private_storage) == []
    assert selectors.report_state(report)["phase"] == "failed"
    retried = services.report_retry(report=report, actor=people.viewer).report
    assert retried != report


def test_giving_up_leaves_a_report_another_attempt_holds(people, enqueued):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, started_at=timezone.now(), attempt_token="other"
    )

    services.report_give_up(report_id=report.pk, attempt_token="mine")

    assert Report.objects.get(pk=report.pk).status == ReportStatus.RENDERING


def test_the_task_tries_again_soon_passing_on_the_claim(
    people, enqueued, fake_render, monkeypatch
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    lose_the_database_once(monkeypatch)
    retried = []

    class Retry(Exception):
        pass

    def retry(**options):
        retried.append(options)
        return Retry()

    monkeypatch.setattr(tasks.render_report, "retry", retry)

    with pytest.raises(Retry):
        tasks.render_report(report.pk)

    report.refresh_from_db()
    assert retried[0]["countdown"] <= 10
    assert retried[0]["args"] == [report.pk]
    assert retried[0]["kwargs"]["attempt_token"] == report.attempt_token
    assert retried[0]["kwargs"]["stored_path"].startswith("reports/")


def test_the_task_renders_once_the_database_is_back(
    people, enqueued, fake_render, monkeypatch, private_storage, worker_retries
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    lose_the_database_once(monkeypatch)

    tasks.render_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    assert stored_files(private_storage) == [report.file_path.rsplit("/", 1)[1]]


def test_the_task_fails_the_report_once_the_database_stays_away(
    people, enqueued, fake_render, monkeypatch, private_storage, worker_retries
):
    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    calls = []

    def unreachable(assessment, **kwargs):
        calls.append(assessment)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "report_context", unreachable)

    with translation.override("en"):
        tasks.render_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert len(calls) == tasks.MAX_DATABASE_RETRIES + 1
    assert report.status == ReportStatus.FAILED
    assert "The database could not be reached" in report.error
    assert stored_files(private_storage) == []


@pytest.mark.postgres
def test_the_task_closes_a_connection_the_server_dropped_and_renders(
    transactional_db, people, enqueued, monkeypatch, private_storage, worker_retries
):
    from reports.pdf import RenderedPDF

    report = services.report_request(assessment=people.assessment, actor=people.viewer)
    renders = []

    def render_then_drop_the_connection(context, *, number=""):
        renders.append(number)
        if len(renders) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
        return RenderedPDF(data=b"%PDF-1.4\n%%EOF\n", page_count=1)

    monkeypatch.setattr(rendering, "render_report", render_then_drop_the_connection)

    tasks.render_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    assert len(renders) == 2
    assert stored_files(private_storage) == [report.file_path.rsplit("/", 1)[1]]
