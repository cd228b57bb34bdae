"""Background work on PDF reports: asking for the final one, rendering."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, connection

from reports import services

logger = logging.getLogger(__name__)

# A record busy with another attempt is looked at again this many times.
MAX_BUSY_RETRIES = 5
# A request that could not reach the database is tried again this many times.
MAX_DATABASE_RETRIES = 5
# Seconds before a render that lost the database is tried again, doubled at
# each retry: about a minute in all, as long as PostgreSQL takes to restart
# or fail over, and far less than a claim lives.
DATABASE_RETRY_DELAY = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=MAX_BUSY_RETRIES,
)
def render_report(
    self, report_id: int, attempt_token: str = "", stored_path: str = ""
) -> None:
    """Render report ``report_id``; a no-op once it is done or failed.

    ``attempt_token`` and ``stored_path`` come from an attempt that lost
    the database: the claim it held and the file it stored, if any.
    """
    try:
        result = services.report_render(
            report_id=report_id, attempt_token=attempt_token, stored_path=stored_path
        )
    except services.DatabaseLost as lost:
        _close_broken_connection()
        retries = self.request.retries
        if retries >= MAX_DATABASE_RETRIES:
            logger.exception("Report %s: the database stayed out of reach", report_id)
            services.report_give_up(
                report_id=report_id,
                attempt_token=lost.attempt_token,
                stored_path=lost.stored_path,
            )
            return
        countdown = DATABASE_RETRY_DELAY * 2**retries
        logger.warning(
            "Report %s: the database went out of reach (%s); trying again in %d s",
            report_id,
            lost.__cause__,
            countdown,
        )
        raise self.retry(
            args=[report_id],
            kwargs={
                "attempt_token": lost.attempt_token,
                "stored_path": lost.stored_path,
            },
            countdown=countdown,
        ) from lost
    if result.outcome == services.Outcome.BUSY:
        # The claim may belong to a dead attempt: come back once it expires.
        raise self.retry(countdown=result.retry_after + 1)


def _close_broken_connection() -> None:
    """Close the database connection that failed, so that the next use opens one.

    A worker keeps its connection from one use to the next, and a broken
    one would fail them all. A connection inside a transaction belongs to
    whoever opened it, as when a task runs in-process.
    """
    if not connection.in_atomic_block:
        connection.close()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A database that is briefly out of reach must not leave the
    # finalised assessment without its report.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=MAX_DATABASE_RETRIES,
)
def request_final_report(assessment_id: int, actor_id: int) -> None:
    """Ask for the final report of assessment ``assessment_id`` for ``actor_id``.

    Finalising records the final report in its own transaction; this task
    still serves the messages queued before it did.
    """
    services.final_report_request(assessment_id=assessment_id, actor_id=actor_id)
