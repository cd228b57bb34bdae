"""Every write of PDF reports: asking for one, and rendering it in a worker.

A request returns the report that already stands for the assessment's
current revision, or creates one and queues its rendering once the
transaction commits. A worker claims the record, renders, stores the file
and only then marks the record done.

A claim records the database's clock in ``started_at`` and a random
``attempt_token``. The pool kills a task at its hard time limit, so a claim
older than :func:`reports.selectors.claim_expiry` belongs to an attempt
that is dead: a lost worker, or a render the hard limit cut short. A
redelivered message may then claim the record again; a request for the
same revision marks it failed and queues a new one. A record left queued
past that age lost its message, or waits for workers that are not running;
a request for it sends the message again. Only the attempt whose
token the record holds may mark it done or failed, so a late attempt
cannot overwrite a newer one.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.permissions import Action, require
from reports import rendering, selectors, storage
from reports.models import Report, ReportStatus

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    RENDERED = "rendered"
    # Done or failed already: nothing to do.
    FINISHED = "finished"
    # Claimed by an attempt that may still be alive: look again later.
    BUSY = "busy"
    FAILED = "failed"
    # The assessment changed and another record shows its current state.
    SUPERSEDED = "superseded"
    # Another attempt took the record over while this one rendered.
    LOST = "lost"
    MISSING = "missing"


@dataclass(frozen=True)
class RenderResult:
    outcome: Outcome
    # Seconds after which a BUSY record's claim expires.
    retry_after: float | None = None


def _dead_attempt_message() -> str:
    return _(
        "The worker rendering this report stopped before it finished (it was "
        "lost or ran past the time limit). Ask for the report again."
    )


# ---------------------------------------------------------------- request


@dataclass(frozen=True)
class Asked:
    """What asking for a report found: its record, and whether the ask made it."""

    report: Report
    made: bool


def report_request(*, assessment, actor) -> Report:
    """Return the report of ``assessment`` as it stands now, queuing it if new.

    Anyone who may view the assessment may ask. A finalised assessment's
    kept report is returned whatever changed since; otherwise the record
    standing for the current revision is, unless its attempt died.
    """
    return _requested(assessment, actor)[0]


def report_ask(*, assessment, actor) -> Asked:
    """Ask for the report of ``assessment`` as a page or the API does.

    :func:`report_request`, saying whether the record is new. The record is
    read again once the request committed: where tasks run in-process (the
    laptop defaults), the report was rendered then, and is returned done.
    """
    report, made = _requested(assessment, actor)
    report.refresh_from_db()
    return Asked(report=report, made=made)


@transaction.atomic
def _requested(assessment, actor) -> tuple[Report, bool]:
    require(actor, Action.VIEW, assessment)
    return _request(assessment, actor)


@transaction.atomic
def final_report_request(*, assessment_id: int, actor_id: int) -> Report | None:
    """Ask for the final report of a just finalised assessment for its finaliser.

    Returns the kept report, new or already standing, or None when the
    assessment is gone or not finalised. The finaliser's right to see the
    assessment was checked when finalising; it is not asked again, since
    an auditor's grant may be revoked right after and the record only
    names who it was rendered for.
    """
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if assessment is None or actor is None or not assessment.is_finalised:
        logger.warning(
            "No final report for assessment %s by user %s: one of them is gone, "
            "or the assessment is not finalised",
            assessment_id,
            actor_id,
        )
        return None

    return _request(assessment, actor)[0]


def _request(assessment, actor) -> tuple[Report, bool]:
    """Return the record standing for ``assessment`` now, and whether it is new."""
    key = selectors.report_key(assessment)
    existing = (
        selectors.kept_report(assessment) if key.final else None
    ) or selectors.active_report(assessment, key.revision)
    if existing is not None and not _fail_if_abandoned(existing):
        if selectors.is_stalled(existing):
            logger.warning("Report %s: still queued, sending it again", existing.pk)
            transaction.on_commit(lambda: _enqueue(existing.pk), robust=True)
        return existing, False

    try:
        with transaction.atomic():
            report = Report.objects.create(
                assessment=assessment,
                revision=key.revision,
                final=key.final,
                requested_by=actor,
            )
    except IntegrityError:
        # A concurrent request created the record first; it is committed by
        # now, since the unique index made this insert wait for it.
        racing = (
            selectors.kept_report(assessment) if key.final else None
        ) or selectors.active_report(assessment, key.revision)
        if racing is None:
            raise
        return racing, False

    # A broker that is down must not fail the request: the record stays
    # queued, shows as stalled, and asking again sends the message again.
    transaction.on_commit(lambda: _enqueue(report.pk), robust=True)
    logger.info(
        "Report %s of assessment %s requested by user %s",
        report.pk,
        assessment.pk,
        actor.pk,
    )
    return report, True


def report_retry(*, report: Report, actor) -> Report:
    """Ask again for the report of a failed or abandoned record's assessment.

    Raise ValidationError for a record queued, rendering or done: there is
    nothing to try again, and asking for a report is what it answers.
    """
    require(actor, Action.VIEW, report.assessment)
    _fail_if_abandoned(report)
    report.refresh_from_db(fields=["status"])
    if report.status != ReportStatus.FAILED:
        raise ValidationError(
            _(
                "Report %(number)s did not fail, so there is nothing to try "
                "again; it is %(status)s."
            )
            % {"number": report.number, "status": report.get_status_display().lower()},
            code="not_failed",
        )
    return report_ask(assessment=report.assessment, actor=actor).report


def _fail_if_abandoned(report: Report) -> bool:
    """Mark ``report`` failed if its claim expired; return whether it was."""
    failed = Report.objects.filter(
        pk=report.pk,
        status=ReportStatus.RENDERING,
        started_at__lt=Now() - selectors.claim_expiry(),
    ).update(
        status=ReportStatus.FAILED,
        error=_dead_attempt_message(),
        attempt_token="",
        finished_at=Now(),
    )
    if failed:
        logger.warning("Report %s: its rendering attempt died", report.pk)
    return bool(failed)


def _enqueue(report_id: int) -> None:
    # Imported here: the task module imports this one.
    from reports.tasks import render_report

    render_report.delay(report_id)


@transaction.atomic
def report_delete_all(*, assessment, actor) -> int:
    """Delete every report of ``assessment`` and, after commit, their files.

    Meant for the transaction that deletes the assessment, which checked
    ``actor`` may; returns how many records went. A worker still rendering
    one finds its record gone and removes the file it wrote.
    """
    reports = list(
        Report.objects.select_for_update().filter(assessment=assessment).order_by("pk")
    )
    paths = [report.file_path for report in reports if report.file_path]
    Report.objects.filter(pk__in=[report.pk for report in reports]).delete()

    def remove_files():
        for path in paths:
            storage.remove_stored(path)

    transaction.on_commit(remove_files)
    logger.info(
        "%s reports of assessment %s deleted by user %s",
        len(reports),
        assessment.pk,
        actor.pk,
    )
    return len(reports)


# ---------------------------------------------------------------- render


def report_render(*, report_id: int) -> RenderResult:
    """Claim report ``report_id``, render it, store it and mark it done.

    Returns what happened; never raises for a failed render, which is
    recorded on the report with a reason instead.
    """
    claim = _claim(report_id)
    if isinstance(claim, RenderResult):
        return claim
    report, token = claim

    _pause_for_tests()
    try:
        context = selectors.report_context(report.assessment)
        if context.revision != report.revision or context.is_final != report.final:
            moved = _follow_revision(report, token, context)
            if moved is not None:
                return moved
        rendered = rendering.render_report(context, number=report.number)
        stored = storage.store_pdf(rendered.data, assessment_id=report.assessment_id)
    except SoftTimeLimitExceeded:
        logger.exception("Report %s ran past the soft time limit", report.pk)
        message = _(
            "Rendering took longer than %(seconds)d seconds and was stopped. Ask "
            "for the report again; if it keeps failing, tell an administrator."
        ) % {"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT}
        _fail(report, token, message)
        return RenderResult(Outcome.FAILED)
    except Exception as error:
        logger.exception("Report %s failed to render", report.pk)
        message = _(
            "The report could not be rendered (%(error)s). Ask for it again; if "
            "it keeps failing, tell an administrator the report number %(number)s."
        ) % {"error": type(error).__name__, "number": report.number}
        _fail(report, token, message)
        return RenderResult(Outcome.FAILED)

    finished = Report.objects.filter(
        pk=report.pk, status=ReportStatus.RENDERING, attempt_token=token
    ).update(
        status=ReportStatus.DONE,
        file_path=stored.path,
        size=stored.size,
        sha256=stored.sha256,
        page_count=rendered.page_count,
        finished_at=Now(),
        attempt_token="",
        error="",
    )
    if not finished:
        storage.remove_stored(stored.path)
        logger.warning("Report %s was taken over while rendering", report.pk)
        return RenderResult(Outcome.LOST)
    logger.info(
        "Report %s rendered: %d pages, %d bytes",
        report.pk,
        rendered.page_count,
        stored.size,
    )
    return RenderResult(Outcome.RENDERED)


@transaction.atomic
def _claim(report_id: int) -> tuple[Report, str] | RenderResult:
    """Take report ``report_id`` for this attempt, or say why not."""
    report = (
        # Only the report's row is locked, not its assessment's.
        Report.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .annotate(database_now=Now())
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        logger.warning("Report %s to render does not exist", report_id)
        return RenderResult(Outcome.MISSING)
    if report.status in {ReportStatus.DONE, ReportStatus.FAILED}:
        return RenderResult(Outcome.FINISHED)
    if report.status == ReportStatus.RENDERING:
        age = report.database_now - report.started_at
        if age < selectors.claim_expiry():
            remaining = (selectors.claim_expiry() - age).total_seconds()
            return RenderResult(Outcome.BUSY, retry_after=remaining)
        logger.warning(
            "Report %s: attempt %d died; claiming it again", report.pk, report.attempts
        )

    token = uuid.uuid4().hex
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING,
        started_at=Now(),
        attempts=F("attempts") + 1,
        attempt_token=token,
        error="",
    )
    report.refresh_from_db()
    return report, token


def _follow_revision(report, token, context) -> RenderResult | None:
    """Point ``report`` at the revision about to be rendered, if none has it.

    The assessment may change between the request and the render; the
    record then takes the new revision, or, when another record already
    stands for it, fails naming that one. Returns None to go on rendering.
    """
    try:
        with transaction.atomic():
            moved = Report.objects.filter(
                pk=report.pk, status=ReportStatus.RENDERING, attempt_token=token
            ).update(revision=context.revision, final=context.is_final)
    except IntegrityError:
        other = (
            selectors.kept_report(report.assessment) if context.is_final else None
        ) or selectors.active_report(report.assessment, context.revision)
        message = _(
            "The assessment changed after this report was asked for; report "
            "%(number)s shows its current state."
        ) % {"number": other.number if other else "—"}
        _fail(report, token, message)
        return RenderResult(Outcome.SUPERSEDED)
    if not moved:
        return RenderResult(Outcome.LOST)
    report.revision, report.final = context.revision, context.is_final
    return None


def _fail(report: Report, token: str, message: str) -> None:
    """Mark ``report`` failed with ``message`` if this attempt still holds it."""
    Report.objects.filter(
        pk=report.pk, status=ReportStatus.RENDERING, attempt_token=token
    ).update(
        status=ReportStatus.FAILED,
        error=message,
        attempt_token="",
        finished_at=Now(),
    )


def _pause_for_tests() -> None:
    """Wait ``REPORT_RENDER_PAUSE`` seconds between claiming and rendering.

    Only the test suite's worker settings define it, to stop a worker in
    the middle of a render; the portal's settings never do, so this is a
    no-op in production.
    """
    pause = getattr(settings, "REPORT_RENDER_PAUSE", 0)
    if pause:
        time.sleep(pause)
