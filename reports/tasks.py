"""Background rendering of PDF reports."""

from celery import shared_task
from django.conf import settings

from reports import services

# A record busy with another attempt is looked at again this many times.
MAX_BUSY_RETRIES = 5


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
