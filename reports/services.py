"""Every write of PDF reports: asking for one, and rendering it in a worker.

A request returns the report that already stands for the assessment's
current revision, or creates one and queues its rendering once the
transaction commits; a task queue out of reach then marks the record
failed, saying so, rather than leaving it queued for a message that was
never sent. A worker claims the record, renders, stores the file and only
then marks the record done.

A claim records the database's clock in ``started_at`` and a random
``attempt_token``. The pool kills a task at its hard time limit, so a claim
older than :func:`reports.selectors.claim_expiry` belongs to an attempt
that is dead: a lost worker, or a render the hard limit cut short. A
redelivered message may then claim the record again. A request for the same
revision marks it failed and queues a new one only once the broker would
have handed on the message (:func:`reports.selectors.redelivery_expiry`),
so that a report is never called failed and then rendered. A record left
queued longer than a worker takes to pick it up lost its message, or waits
for workers that are stopped or busy; a request for it sends the message
again. Only the attempt whose token the record holds may mark it done or
failed, so a late attempt cannot overwrite a newer one.

An attempt that loses the database raises :class:`DatabaseLost` with its
token and the file it stored, if any: the task tries again, and the next
attempt takes the claim over at once and keeps that file only if the record
came to point to it.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

import kombu.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.permissions import Action, require
from reports import rendering, selectors, storage
from reports.models import Report, ReportStatus

logger = logging.getLogger(__name__)

# What a database that went out of reach raises: the connection broke, or
# was found broken when next used.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# What sending a message raises when the broker is out of reach: Celery
# gives up after its publish retries with kombu's error.
BROKER_ERRORS = (kombu.exceptions.OperationalError, ConnectionError)


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


class DatabaseLost(Exception):
    """The database went out of reach while rendering; the task tries again.

    ``attempt_token`` is the claim the attempt held, if any, which the next
    attempt takes over; ``stored_path`` the file it stored, if any, which
    the next attempt keeps only if the record points to it, since the
    update that would have marked the record done may have been committed
    before the connection broke.
    """

    def __init__(self, attempt_token: str = "", stored_path: str = ""):
        super().__init__(attempt_token, stored_path)
        self.attempt_token = attempt_token
        self.stored_path = stored_path


def _dead_attempt_message() -> str:
    return _(
        "The worker rendering this report stopped before it finished (it was "
        "lost or ran past the time limit). Ask for the report again."
    )


def _queue_unreachable_message() -> str:
    return _(
        "The task queue could not be reached, so the report was not queued for "
        "rendering. Try again in a few minutes; if it keeps failing, tell an "
        "administrator."
    )


# ---------------------------------------------------------------- request


class _Sending:
    """The render message of one report, sent once the transaction commits."""

    def __init__(self, report_id: int):
        self.report_id = report_id
        # Set once the message could not be sent.
        self.unreachable = False

    def __call__(self) -> None:
        self.unreachable = not _enqueue(self.report_id)


def _send_on_commit(report_id: int) -> _Sending:
    sending = _Sending(report_id)
    # Anything but an unreachable queue, which _enqueue records, is logged
    # rather than raised: the transaction has committed by then.
    transaction.on_commit(sending, robust=True)
    return sending


@dataclass(frozen=True)
class Asked:
    """What asking for a report found: its record, whether it is new, its message."""

    report: Report
    made: bool
    # The render message the ask sent, or None when none was due.
    sending: _Sending | None = None

    @property
    def unreachable(self) -> bool:
        """Return whether the task queue refused the message, once committed."""
        return self.sending is not None and self.sending.unreachable


def report_request(*, assessment, actor) -> Report:
    """Return the report of ``assessment`` as it stands now, queuing it if new.

    Anyone who may view the assessment may ask. A finalised assessment's
    kept report is returned whatever changed since; otherwise the record
    standing for the current revision is, unless its attempt died and no
    worker will take it up again.
    """
    return _requested(assessment, actor).report


def report_ask(*, assessment, actor) -> Asked:
    """Ask for the report of ``assessment`` as a page or the API does.

    :func:`report_request`, saying whether the record is new and whether
    the task queue could be reached. The record is read again once the
    request committed: where tasks run in-process (the laptop defaults),
    the report was rendered then, and is returned done; where the queue was
    out of reach, it is returned failed.
    """
    asked = _requested(assessment, actor)
    asked.report.refresh_from_db()
    return asked


@transaction.atomic
def _requested(assessment, actor) -> Asked:
    require(actor, Action.VIEW, assessment)
    return _request(assessment, actor)


def final_report_record(*, assessment, actor) -> Report:
    """Record the final report of ``assessment``, which ``actor`` is finalising.

    Meant for the transaction that finalises it, which checked ``actor``
    may: the record commits with the finalising, so the pages show the
    report queued at once, and its rendering is queued once that commits.
    Returns the kept report, new or already standing.
    """
    return _request(assessment, actor).report


@transaction.atomic
def final_report_request(*, assessment_id: int, actor_id: int) -> Report | None:
    """Ask for the final report of a finalised assessment for its finaliser.

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

    return _request(assessment, actor).report


def _request(assessment, actor) -> Asked:
    """Return the record standing for ``assessment`` now, made if there was none.

    Sends its render message once the transaction commits where it is new
    or stalled in the queue.
    """
    key = selectors.report_key(assessment)
    existing = (
        selectors.kept_report(assessment) if key.final else None
    ) or selectors.active_report(assessment, key.revision)
    if existing is not None and not _fail_if_abandoned(existing):
        sending = None
        if selectors.is_stalled(existing):
            logger.warning("Report %s: still queued, sending it again", existing.pk)
            sending = _send_on_commit(existing.pk)
        return Asked(report=existing, made=False, sending=sending)

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
        return Asked(report=racing, made=False)

    sending = _send_on_commit(report.pk)
    logger.info(
        "Report %s of assessment %s requested by user %s",
        report.pk,
        assessment.pk,
        actor.pk,
    )
    return Asked(report=report, made=True, sending=sending)


def report_retry(*, report: Report, actor) -> Asked:
    """Ask again for a failed or abandoned report, or send a stalled one again.

    A failed or abandoned record steps aside for a new one of the
    assessment as it stands; a record stalled in the queue keeps its place
    and its message is sent again. Raise ValidationError for any other:
    there is nothing to try again, and asking for a report is what it
    answers.
    """
    require(actor, Action.VIEW, report.assessment)
    _fail_if_abandoned(report)
    report.refresh_from_db()
    if selectors.is_stalled(report):
        logger.info("Report %s: sent again by user %s", report.pk, actor.pk)
        sending = _send_on_commit(report.pk)
        report.refresh_from_db()
        return Asked(report=report, made=False, sending=sending)
    if report.status != ReportStatus.FAILED:
        raise ValidationError(
            _(
                "Report %(number)s did not fail, so there is nothing to try "
                "again; it is %(status)s."
            )
            % {"number": report.number, "status": report.get_status_display().lower()},
            code="not_failed",
        )
    return report_ask(assessment=report.assessment, actor=actor)


def _fail_if_abandoned(report: Report) -> bool:
    """Mark ``report`` failed if no worker will take it up; return whether so.

    That is once its claim is older than the broker takes to hand a dead
    attempt's message on: until then, the report may still be rendered.
    """
    failed = Report.objects.filter(
        pk=report.pk,
        status=ReportStatus.RENDERING,
        started_at__lt=Now() - selectors.redelivery_expiry(),
    ).update(
        status=ReportStatus.FAILED,
        error=_dead_attempt_message(),
        attempt_token="",
        finished_at=Now(),
    )
    if failed:
        logger.warning("Report %s: its rendering attempt died", report.pk)
    return bool(failed)


def _enqueue(report_id: int) -> bool:
    """Send the render message of report ``report_id``; return whether it went.

    A task queue out of reach marks the report failed, saying so, where it
    is still queued: no message would ever render it, and asking again is
    what the person waiting can do.
    """
    # Imported here: the task module imports this one.
    from reports.tasks import render_report

    try:
        render_report.delay(report_id)
    except BROKER_ERRORS as error:
        logger.error(
            "Report %s: the task queue could not be reached (%s)", report_id, error
        )
        Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.FAILED,
            error=_queue_unreachable_message(),
            finished_at=Now(),
        )
        return False
    return True


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


def report_render(
    *, report_id: int, attempt_token: str = "", stored_path: str = ""
) -> RenderResult:
    """Claim report ``report_id``, render it, store it and mark it done.

    Returns what happened; never raises for a failed render, which is
    recorded on the report with a reason instead. Raises DatabaseLost when
    the database goes out of reach; ``attempt_token`` and ``stored_path``
    come from such an attempt, to take over its claim and settle its file.
    """
    try:
        claim = _claim(report_id, attempt_token=attempt_token, stored_path=stored_path)
    except DATABASE_ERRORS as error:
        raise DatabaseLost(attempt_token, stored_path) from error
    if isinstance(claim, RenderResult):
        return claim
    report, token = claim

    try:
        return _render(report, token)
    except DATABASE_ERRORS as error:
        raise DatabaseLost(token) from error


def _render(report: Report, token: str) -> RenderResult:
    """Render the report this attempt claimed, store it and mark it done."""
    _pause_for_tests()
    try:
        context = selectors.report_context(report.assessment)
        if context.revision != report.revision or context.is_final != report.final:
            moved = _follow_revision(report, token, context)
            if moved is not None:
                return moved
        rendered = rendering.render_report(context, number=report.number)
        stored = storage.store_pdf(rendered.data, assessment_id=report.assessment_id)
    except DATABASE_ERRORS:
        # The connection failed, not the report: the task tries again.
        raise
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

    try:
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
    except DATABASE_ERRORS as error:
        raise DatabaseLost(token, stored.path) from error
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
def _claim(
    report_id: int, *, attempt_token: str = "", stored_path: str = ""
) -> tuple[Report, str] | RenderResult:
    """Take report ``report_id`` for this attempt, or say why not.

    A claim held under ``attempt_token`` is taken over at once: it belongs
    to the attempt that lost the database and left this one to go on.
    """
    report = (
        # Only the report's row is locked, not its assessment's.
        Report.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .annotate(database_now=Now())
        .filter(pk=report_id)
        .first()
    )
    _remove_unless_kept(report, stored_path)
    if report is None:
        logger.warning("Report %s to render does not exist", report_id)
        return RenderResult(Outcome.MISSING)
    if report.status in {ReportStatus.DONE, ReportStatus.FAILED}:
        return RenderResult(Outcome.FINISHED)
    if report.status == ReportStatus.RENDERING:
        if attempt_token and report.attempt_token == attempt_token:
            logger.info(
                "Report %s: attempt %d lost the database; going on with it",
                report.pk,
                report.attempts,
            )
        else:
            age = report.database_now - report.started_at
            if age < selectors.claim_expiry():
                remaining = (selectors.claim_expiry() - age).total_seconds()
                return RenderResult(Outcome.BUSY, retry_after=remaining)
            logger.warning(
                "Report %s: attempt %d died; claiming it again",
                report.pk,
                report.attempts,
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


def _remove_unless_kept(report: Report | None, stored_path: str) -> None:
    """Remove the file an attempt stored at ``stored_path`` unless ``report`` has it.

    Only the attempt that stored the file could have pointed the record to
    it, and that attempt is over, so a file the locked record does not
    point to is nobody's.
    """
    if stored_path and (report is None or report.file_path != stored_path):
        storage.remove_stored(stored_path)
        logger.info("Removed %s, which no report points to", stored_path)


@transaction.atomic
def report_give_up(
    *, report_id: int, attempt_token: str = "", stored_path: str = ""
) -> None:
    """Mark report ``report_id`` failed once the database stayed out of reach.

    Fails the record if it is still queued or held under ``attempt_token``,
    and removes the file the attempt stored unless the record points to it.
    """
    report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
    _remove_unless_kept(report, stored_path)
    if report is None:
        return

    held = Q(status=ReportStatus.QUEUED)
    if attempt_token:
        held |= Q(status=ReportStatus.RENDERING, attempt_token=attempt_token)
    message = _(
        "The database could not be reached while this report was being "
        "rendered. Ask for it again; if it keeps failing, tell an "
        "administrator the report number %(number)s."
    ) % {"number": report.number}
    failed = Report.objects.filter(held, pk=report.pk).update(
        status=ReportStatus.FAILED,
        error=message,
        attempt_token="",
        finished_at=Now(),
    )
    if failed:
        logger.error("Report %s failed: the database stayed out of reach", report.pk)


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
