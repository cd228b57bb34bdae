"""A render that loses its worker or its database, against the real services.

The first worker claims the report and pauses before rendering; it is
killed with its pool process, leaving the message unacknowledged. Once the
visibility timeout passes, the broker hands the message to a second worker,
which sees that the claim expired and renders the report: one record, one
file, two attempts. A worker whose database connection is dropped in the
same pause closes it, tries again shortly and renders the report, with the
same result.
"""

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection

from reports import services
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import (
    AnswerFactory,
    AssessmentFactory,
    MembershipFactory,
    build_framework,
)

# Hard and soft time limits of the workers; the visibility timeout follows
# as twice the hard limit, and a claim expires five seconds after it.
HARD_LIMIT = 12
SOFT_LIMIT = 10


def children_of(pid: int) -> list[int]:
    """Return the ids of the processes whose parent is ``pid``."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in brackets and may hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


def kill_hard(worker) -> None:
    """SIGKILL a worker and its pool processes, as a lost machine would."""
    pool = children_of(worker.process.pid)
    assert pool, "the worker has no pool process"
    os.kill(worker.process.pid, signal.SIGKILL)
    for pid in pool:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pool):
        assert time.monotonic() < deadline, "the pool process survived SIGKILL"
        time.sleep(0.1)


def wait_for(report, status, timeout) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status == status:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report.pk} still {report.status} after {timeout} s")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_report_survives_the_loss_of_its_worker(
    transactional_db, worker_factory, private_storage
):
    framework = build_framework(code="WRK")
    member = MembershipFactory(role="viewer")
    assessment = AssessmentFactory(
        organisation=member.organisation, framework=framework, created_by=member.user
    )
    for requirement in framework.requirements.all()[:6]:
        AnswerFactory(assessment=assessment, requirement=requirement)
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "CELERY_TASK_TIME_LIMIT": str(HARD_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT),
        "PRIVATE_STORAGE_ROOT": str(private_storage),
    }
    first = worker_factory({**env, "REPORT_RENDER_PAUSE": "60"})

    report = services.report_request(assessment=assessment, actor=member.user)
    wait_for(report, ReportStatus.RENDERING, timeout=30)
    kill_hard(first)
    killed_at = time.monotonic()
    second = worker_factory(env)
    wait_for(report, ReportStatus.DONE, timeout=4 * HARD_LIMIT + 20)

    assert time.monotonic() - killed_at < 4 * HARD_LIMIT + 20
    assert Report.objects.count() == 1
    assert report.attempts == 2
    assert report.attempt_token == ""
    assert report.page_count >= 1
    files = sorted((private_storage / "reports").rglob("*"))
    files = [path for path in files if path.is_file()]
    assert [path.relative_to(private_storage).as_posix() for path in files] == [
        report.file_path
    ]
    assert files[0].read_bytes().startswith(b"%PDF-")
    log = second.log_path.read_text(errors="replace")
    assert f"Report {report.pk}: attempt 1 died; claiming it again" in log
    assert f"Report {report.pk} rendered" in log


def terminate_other_connections() -> int:
    """Drop every other connection to the test database, as a failover would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.redis
def test_a_report_survives_the_loss_of_its_database_connection(
    transactional_db, worker_factory, private_storage
):
    framework = build_framework(code="DBL")
    member = MembershipFactory(role="viewer")
    assessment = AssessmentFactory(
        organisation=member.organisation, framework=framework, created_by=member.user
    )
    for requirement in framework.requirements.all()[:6]:
        AnswerFactory(assessment=assessment, requirement=requirement)
    worker = worker_factory(
        {
            "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
            "PRIVATE_STORAGE_ROOT": str(private_storage),
            "REPORT_RENDER_PAUSE": "3",
        }
    )

    report = services.report_request(assessment=assessment, actor=member.user)
    wait_for(report, ReportStatus.RENDERING, timeout=30)
    # The worker pauses between its claim and its render: its connection
    # is dropped under it.
    assert terminate_other_connections() >= 1
    wait_for(report, ReportStatus.DONE, timeout=60)

    assert Report.objects.count() == 1
    assert report.attempts == 2
    assert report.attempt_token == ""
    files = [
        path for path in (private_storage / "reports").rglob("*") if path.is_file()
    ]
    assert [path.relative_to(private_storage).as_posix() for path in files] == [
        report.file_path
    ]
    log = worker.log_path.read_text(errors="replace")
    assert f"Report {report.pk}: the database went out of reach" in log
    assert f"Report {report.pk}: attempt 1 lost the database; going on with it" in log
    assert "raised unexpected" not in log
