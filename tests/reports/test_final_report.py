"""The final report is recorded with the finalising and queued once it commits."""

import time

import kombu.exceptions
import pytest
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import translation

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


def in_review(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()
    return people.assessment


def finalise(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return assessment_services.assessment_transition(
            assessment=in_review(people), name="finalise", actor=people.auditor
        )


def test_finalising_records_the_final_report_and_queues_it_once_it_commits(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = assessment_services.assessment_transition(
            assessment=in_review(people), name="finalise", actor=people.auditor
        )
        report = Report.objects.get(assessment=assessment)
        assert enqueued == []

    assert assessment.status == Status.FINALISED
    assert report.final
    assert report.status == ReportStatus.QUEUED
    assert report.requested_by == people.auditor
    assert enqueued == [report.pk]


def finalise_and_fail_later(people):
    with transaction.atomic():
        assessment_services.assessment_transition(
            assessment=in_review(people), name="finalise", actor=people.auditor
        )
        raise RuntimeError("the finalising failed later")


def test_a_finalising_rolled_back_leaves_no_final_report(people, enqueued):
    with pytest.raises(RuntimeError):
        finalise_and_fail_later(people)

    assert not Report.objects.exists()
    assert enqueued == []


@pytest.mark.parametrize("name", ["return", "start_review"])
def test_other_status_changes_record_no_final_report(
    people, enqueued, django_capture_on_commit_callbacks, name
):
    assessment = people.assessment
    assessment.status = Status.SUBMITTED if name == "start_review" else Status.IN_REVIEW
    assessment.save()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.assessment_transition(
            assessment=assessment, name=name, actor=people.auditor, reason="补充证据"
        )

    assert not Report.objects.exists()
    assert enqueued == []


def test_the_reports_page_shows_the_final_report_queued_with_no_worker(
    client, people, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    client.force_login(people.viewer)

    with translation.override("en"):
        response = client.get(
            reverse("reports:report-list", kwargs={"pk": assessment.pk}),
            HTTP_ACCEPT_LANGUAGE="en",
        )

    html = response.content.decode()
    report = Report.objects.get(assessment=assessment)
    assert report.number in html
    assert "The final report of this assessment, not rendered yet." in html
    assert '<span class="badge badge--report-pending"' in html
    assert "Rendering takes up to a minute" in html
    assert reverse("reports:report-request", kwargs={"pk": assessment.pk}) not in html
    assert "No report has been asked for yet." not in html


def test_the_legacy_task_finds_the_final_report_already_recorded(
    people, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    report = Report.objects.get(assessment=assessment)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_final_report.apply(args=[assessment.pk, people.auditor.pk])

    assert list(Report.objects.filter(assessment=assessment)) == [report]
    assert enqueued == [report.pk]


def test_a_viewer_asking_after_the_finalising_gets_the_kept_report(
    people, enqueued, fake_render, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    kept = Report.objects.get(assessment=assessment)
    services.report_render(report_id=kept.pk)

    again = services.report_request(assessment=assessment, actor=people.viewer)

    kept.refresh_from_db()
    assert again == kept
    assert list(Report.objects.filter(assessment=assessment)) == [kept]
    assert kept.status == ReportStatus.DONE
    assert kept.requested_by == people.auditor
    assert len(fake_render) == 1


def test_the_finaliser_is_named_even_once_their_grant_is_revoked(
    people, enqueued, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    grant = AuditorGrant.objects.get(assessment=assessment, user=people.auditor)
    assessment_services.auditor_revoke(grant=grant, actor=people.admin)

    report = Report.objects.get(assessment=assessment)
    assert report.final
    assert report.requested_by == people.auditor


def test_the_legacy_task_tries_again_when_the_database_is_out_of_reach(
    people, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    assessment = finalise(people, django_capture_on_commit_callbacks)
    # As for an assessment finalised before finalising recorded its report.
    Report.objects.filter(assessment=assessment).delete()
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
        tasks.request_final_report.apply(
            args=[assessment.pk, people.auditor.pk], throw=False
        )

    assert len(calls) == 2
    assert Report.objects.get(assessment=assessment).final


def test_the_task_asks_for_nothing_for_an_assessment_not_finalised(
    people, enqueued, caplog
):
    tasks.request_final_report.apply(args=[people.assessment.pk, people.auditor.pk])

    assert not Report.objects.exists()
    assert enqueued == []
    assert "No final report for assessment" in caplog.text


def test_a_task_queue_out_of_reach_fails_the_final_report_visibly(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def unreachable(report_id):
        raise kombu.exceptions.OperationalError(
            "Error 111 connecting to 127.0.0.1:6379. Connection refused."
        )

    monkeypatch.setattr(tasks.render_report, "delay", unreachable)

    with translation.override("en"):
        assessment = finalise(people, django_capture_on_commit_callbacks)

    assessment.refresh_from_db()
    report = Report.objects.get(assessment=assessment)
    assert assessment.status == Status.FINALISED
    assert report.final
    assert report.status == ReportStatus.FAILED
    assert "The task queue could not be reached" in report.error
    assert "Error 111" in caplog.text


def test_a_final_report_the_queue_refused_is_asked_for_again(
    people, monkeypatch, enqueued, django_capture_on_commit_callbacks
):
    def unreachable(report_id):
        raise kombu.exceptions.OperationalError("Error 111")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.render_report, "delay", unreachable)
        assessment = finalise(people, django_capture_on_commit_callbacks)
    refused = Report.objects.get(assessment=assessment)

    with django_capture_on_commit_callbacks(execute=True):
        asked = services.report_retry(report=refused, actor=people.viewer)

    assert asked.report != refused
    assert asked.report.final
    assert asked.report.status == ReportStatus.QUEUED
    assert not asked.unreachable
    assert enqueued == [asked.report.pk]


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
