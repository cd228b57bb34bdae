"""Tasks that let operators and tests prove a worker is consuming the queue."""

from celery import shared_task


@shared_task(ignore_result=False)
def ping() -> str:
    """Answer ``pong`` from whichever worker picked the task up."""
    return "pong"
