"""The final report is asked for by itself when an assessment is finalised."""

import time

import pytest
from django.db import OperationalError

from assessments import services as assessment_services
from assessments.models import AuditorGrant, Status
from reports import services, tasks
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import (
    AnswerFactory,
    AssessmentFactory,
    MembershipFactory,
    UserFactory,
    build_framework,
)


@pytest.fixture
def final_requests(monkeypatch):
    """Record what is sent to the final report task instead of sending it."""
    sent = []
    monkeypatch.setattr(
        tasks.request_final_report,
        "delay",
        lambda assessment_id, actor_id: sent.append((assessment_id, actor_id)),
    )
    return sent


def in_review(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()
    return people.assessment


def finalise(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return assessment_services.assessment_transition(
            assessment=in_review(people), name="finalise", actor=people.auditor
        )


def test_finalising_queues_one_request_once_it_commits(
    people, final_requests, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = assessment_services.assessment_transition(
            assessment=in_review(people), name="finalise", actor=people.auditor
        )
        assert final_requests == []

    assert assessment.status == Status.FINALISED
    assert final_requests == [(assessment.pk, people.auditor.pk)]


@pytest.mark.parametrize("name", ["return", "start_review"])
def test_other_status_changes_queue_no_final_report(
    people, final_requests, django_capture_on_commit_callbacks, name
):
    assessment = people.assessment
    assessment.status = Status.SUBMITTED if name == "start_review" else Status.IN_REVIEW
    assessment.save()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.assessment_transition(
            assessment=assessment, name=name, actor=people.auditor, reason="补充证据"
        )

    assert final_requests == []


def test_the_task_asks_for_one_final_report_for_the_finaliser(
    people, final_requests, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_final_report.apply(args=final_requests[0])

    report = Report.objects.get(assessment=assessment)
    assert report.final
    assert report.status == ReportStatus.QUEUED
    assert report.requested_by == people.auditor
    assert enqueued == [report.pk]


def test_running_the_task_again_makes_no_second_final_report(
    people, final_requests, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_final_report.apply(args=final_requests[0])
        tasks.request_final_report.apply(args=final_requests[0])

    assert Report.objects.filter(assessment=assessment).count() == 1
    assert len(enqueued) == 1


def test_an_existing_final_report_is_kept_rather_than_duplicated(
    people, final_requests, enqueued, fake_render, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    # A viewer asked for it before the task ran, and it was rendered.
    kept = services.report_request(assessment=assessment, actor=people.viewer)
    services.report_render(report_id=kept.pk)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_final_report.apply(args=final_requests[0])

    kept.refresh_from_db()
    assert list(Report.objects.filter(assessment=assessment)) == [kept]
    assert kept.final
    assert kept.status == ReportStatus.DONE
    assert kept.requested_by == people.viewer
    assert enqueued == []
    assert len(fake_render) == 1


def test_the_finaliser_is_named_even_once_their_grant_is_revoked(
    people, final_requests, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    grant = AuditorGrant.objects.get(assessment=assessment, user=people.auditor)
    assessment_services.auditor_revoke(grant=grant, actor=people.admin)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_final_report.apply(args=final_requests[0])

    report = Report.objects.get(assessment=assessment)
    assert report.final
    assert report.requested_by == people.auditor


def test_the_task_tries_again_when_the_database_is_out_of_reach(
    people, final_requests, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    calls = []
    real = services.final_report_request

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("connection refused")
        return real(**kwargs)

    monkeypatch.setattr(services, "final_report_request", flaky)

    with django_capture_on_commit_callbacks(execute=True):
        # Without throw, an eager run retries as a worker would.
        tasks.request_final_report.apply(args=final_requests[0], throw=False)

    assert len(calls) == 2
    assert Report.objects.get(assessment=assessment).final


def test_the_task_asks_for_nothing_for_an_assessment_not_finalised(
    people, enqueued, caplog
):
    tasks.request_final_report.apply(args=[people.assessment.pk, people.auditor.pk])

    assert not Report.objects.exists()
    assert enqueued == []
    assert "No final report for assessment" in caplog.text


def test_a_broker_that_is_down_does_not_undo_the_finalising(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def unreachable(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.request_final_report, "delay", unreachable)

    assessment = finalise(people, django_capture_on_commit_callbacks)

    assessment.refresh_from_db()
    assert assessment.status == Status.FINALISED
    assert "broker down" in caplog.text


def wait_for_report(assessment, timeout) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.filter(assessment=assessment).first()
        if report is not None and report.status in {
            ReportStatus.DONE,
            ReportStatus.FAILED,
        }:
            return report
        time.sleep(0.2)
    raise AssertionError(f"no final report of assessment {assessment.pk} done")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_renders_the_final_report_once_the_auditor_finalises(
    transactional_db, worker_factory, private_storage
):
    framework = build_framework(code="FIN")
    member = MembershipFactory(role="admin")
    auditor = UserFactory(username="final-auditor")
    assessment = AssessmentFactory(
        organisation=member.organisation,
        framework=framework,
        created_by=member.user,
        status=Status.IN_REVIEW,
    )
    AuditorGrant.objects.create(
        assessment=assessment, user=auditor, granted_by=member.user
    )
    for requirement in framework.requirements.all()[:4]:
        AnswerFactory(assessment=assessment, requirement=requirement)
    worker_factory({"PRIVATE_STORAGE_ROOT": str(private_storage)})

    assessment_services.assessment_transition(
        assessment=assessment, name="finalise", actor=auditor
    )
    report = wait_for_report(assessment, timeout=90)

    assert report.status == ReportStatus.DONE, report.error
    assert Report.objects.filter(assessment=assessment).count() == 1
    assert report.final
    assert report.requested_by == auditor
    stored = private_storage / report.file_path
    assert stored.read_bytes().startswith(b"%PDF-")
