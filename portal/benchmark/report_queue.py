"""Many report requests at once, rendered by real Celery workers.

Reports are asked for through :func:`reports.services.report_request`, the
service behind the report page's button, from several threads at once and
twice per assessment, as impatient people click. Two workers, each in its
own process with a pool of one, render them from a queue of their own.
A report counts as duplicated when its assessment got more than one record
for the revision, when its record was claimed more than once, or when the
workers' logs show it rendered more than once.
"""

import random
import re
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
from kombu import Exchange, Queue

from portal.benchmark.processes import ChildProcess, celery_worker_command, wait_for
from portal.benchmark.sandbox import Sandbox
from portal.celery import app
from reports.models import Report, ReportStatus
from reports.services import report_request

WORKERS = 2
REQUEST_THREADS = 8
REQUESTS_PER_ASSESSMENT = 2
POLL_SECONDS = 0.5
RENDERED = re.compile(rb"Report (\d+) rendered:")
DONE = ReportStatus.DONE
FINISHED = frozenset({ReportStatus.DONE, ReportStatus.FAILED})


class Worker:
    """A Celery worker of the portal in its own process, on one queue."""

    def __init__(self, sandbox: Sandbox, queue: str, number: int):
        command = celery_worker_command(
            queue, f"benchmark-{number}-{uuid.uuid4().hex[:8]}"
        )
        env = sandbox.environment(CELERY_TASK_DEFAULT_QUEUE=queue)
        log_path = sandbox.log_path(f"worker-{number}.log")
        self.process = ChildProcess(command, env, log_path)

    def start(self) -> "Worker":
        self.process.start()
        return self

    def wait_until_ready(self) -> None:
        wait_for(self._ready, self.process, "Celery worker", timeout=90)

    def rendered_ids(self) -> Counter:
        """Count the 'rendered' lines of each report id in the worker's log."""
        text = self.process.log_path.read_bytes()
        return Counter(int(found) for found in RENDERED.findall(text))

    def stop(self) -> None:
        self.process.stop()

    def _ready(self) -> bool:
        return b"ready." in self.process.log_path.read_bytes()


@dataclass(frozen=True)
class Record:
    """What the benchmark reads back of one report record."""

    pk: int
    assessment_id: int
    revision: str
    status: str
    attempts: int
    error: str
    # Seconds from the claim to the end; None until finished.
    rendering: float | None


@dataclass
class QueueResult:
    assessments: list[int]
    requests: int
    records: list[Record]
    # Report id -> times the workers' logs show it rendered.
    rendered: Counter
    # Assessment id -> report ids its requests were answered with.
    answered: dict[int, set[int]]
    wall: float  # first request to last report finished
    timed_out: bool

    @property
    def complete(self) -> int:
        """Return the number of assessments with a rendered report."""
        return len({r.assessment_id for r in self.records if r.status == DONE})

    @property
    def lost(self) -> int:
        """Return the number of assessments whose reports never finished."""
        finished = {r.assessment_id for r in self.records if r.status in FINISHED}
        return len(set(self.assessments) - finished)

    @property
    def failed(self) -> list[Record]:
        return [r for r in self.records if r.status == ReportStatus.FAILED]

    @property
    def duplicated(self) -> set[int]:
        """Return the reports rendered although another one stood for them.

        A second rendered report of an unchanged assessment, a record
        claimed twice, or one the logs show rendered twice.
        """
        flagged = {r.pk for r in self.records if r.attempts > 1}
        flagged |= {pk for pk, count in self.rendered.items() if count > 1}
        done = defaultdict(list)
        for record in self.records:
            if record.status == DONE:
                done[record.assessment_id].append(record.pk)
        for pks in done.values():
            flagged |= set(sorted(pks)[1:])
        return flagged

    @property
    def disagreements(self) -> int:
        """Return how many requests got another record than their first."""
        return sum(len(pks) - 1 for pks in self.answered.values())

    @property
    def busy(self) -> float:
        """Return the seconds the workers spent on claimed reports."""
        return sum(r.rendering for r in self.records if r.rendering is not None)

    @property
    def ideal_wall(self) -> float:
        """Return the wall time with every worker always busy."""
        return self.busy / WORKERS


def run_queue(sandbox: Sandbox, requests, timeout: float, progress) -> QueueResult:
    """Ask for a report of each ``(assessment, actor)`` and wait for them all."""
    queue = f"benchmark-{uuid.uuid4().hex[:12]}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    workers = [Worker(sandbox, queue, number) for number in range(1, WORKERS + 1)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_until_ready()
        progress(f"{WORKERS} workers ready; asking for {len(requests)} reports")
        return _run(requests, workers, timeout, progress)
    finally:
        for worker in workers:
            worker.stop()
        app.conf.task_default_queue = previous_queue
        _delete_queue(queue)


def _delete_queue(queue: str) -> None:
    """Remove the queue and its bindings from the broker."""
    with app.connection_for_write() as broker:
        # A fresh channel deletes only the bindings it declared itself;
        # Celery binds the queue to an exchange of the same name.
        bound = Queue(queue, Exchange(queue), routing_key=queue)(broker.default_channel)
        bound.declare()
        bound.delete()


def _run(requests, workers, timeout: float, progress) -> QueueResult:
    calls = [pair for pair in requests for _ in range(REQUESTS_PER_ASSESSMENT)]
    random.Random(0).shuffle(calls)  # noqa: S311 - an order, not a secret
    assessment_ids = [assessment.pk for assessment, _actor in requests]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=REQUEST_THREADS) as pool:
        returned = list(pool.map(_request, calls))
    progress(f"Requests made in {time.monotonic() - started:.1f} s; waiting")
    timed_out = not _wait(assessment_ids, started + timeout, progress)

    reports = list(Report.objects.filter(assessment_id__in=assessment_ids))
    answered = defaultdict(set)
    for assessment_id, report_id in returned:
        answered[assessment_id].add(report_id)
    rendered = Counter()
    for worker in workers:
        rendered.update(worker.rendered_ids())
    return QueueResult(
        assessments=assessment_ids,
        requests=len(calls),
        records=[_record(report) for report in reports],
        rendered=rendered,
        answered=dict(answered),
        wall=_wall(reports),
        timed_out=timed_out,
    )


def _record(report: Report) -> Record:
    rendering = None
    if report.started_at and report.finished_at:
        rendering = (report.finished_at - report.started_at).total_seconds()
    return Record(
        pk=report.pk,
        assessment_id=report.assessment_id,
        revision=report.revision,
        status=report.status,
        attempts=report.attempts,
        error=report.error,
        rendering=rendering,
    )


def _request(pair) -> tuple[int, int]:
    assessment, actor = pair
    try:
        report = report_request(assessment=assessment, actor=actor)
    finally:
        # Each thread has its own connection; leave none open.
        connection.close()
    return assessment.pk, report.pk


def _wait(assessment_ids, deadline: float, progress) -> bool:
    """Wait until every assessment's report is done or failed; False on timeout."""
    reported = -10
    while time.monotonic() < deadline:
        counts = Counter(
            Report.objects.filter(assessment_id__in=assessment_ids).values_list(
                "status", flat=True
            )
        )
        finished = counts[ReportStatus.DONE] + counts[ReportStatus.FAILED]
        pending = counts[ReportStatus.QUEUED] + counts[ReportStatus.RENDERING]
        if finished // 10 != reported // 10:
            progress(f"{finished} of {len(assessment_ids)} reports finished")
            reported = finished
        if not pending and finished >= len(assessment_ids):
            return True
        time.sleep(POLL_SECONDS)
    return False


def _wall(reports) -> float:
    finished = [r.finished_at for r in reports if r.finished_at]
    if not finished:
        return 0.0
    first = min(r.requested_at for r in reports)
    return (max(finished) - first).total_seconds()
