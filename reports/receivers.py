"""What the reports app does when an assessment changes: the final report."""

from django.db import transaction
from django.dispatch import receiver

from assessments.signals import assessment_finalised
from reports import tasks


@receiver(assessment_finalised, dispatch_uid="reports.request_final_report")
def request_final_report(sender, *, assessment, actor, **kwargs) -> None:
    """Queue the request of the final report once the finalising commits."""
    assessment_id, actor_id = assessment.pk, actor.pk
    # A broker that is down must not fail the finalising, which has
    # committed by then; asking for the report on its page still works.
    transaction.on_commit(
        lambda: tasks.request_final_report.delay(assessment_id, actor_id),
        robust=True,
    )
