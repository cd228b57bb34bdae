"""Background work on PDF reports: asking for the final one, rendering."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from reports import services

# A record busy with another attempt is looked at again this many times.
MAX_BUSY_RETRIES = 5
# A request that could not reach the database is tried again this many times.
MAX_DATABASE_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=MAX_BUSY_RETRIES,
)
def render_report(self, report_id: int) -> None:
    """Render report ``report_id``; a no-op once it is done or failed."""
    result = services.report_render(report_id=report_id)
    if result.outcome == services.Outcome.BUSY:
        # The claim may belong to a dead attempt: come back once it expires.
        raise self.retry(countdown=result.retry_after + 1)


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
    """Ask for the final report of assessment ``assessment_id`` for ``actor_id``."""
    services.final_report_request(assessment_id=assessment_id, actor_id=actor_id)
