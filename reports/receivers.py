"""What the reports app does when an assessment is finalised or deleted."""

from django.db import transaction
from django.dispatch import receiver

from assessments.signals import assessment_deleting, assessment_finalised
from reports import services, tasks


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


@receiver(assessment_deleting, dispatch_uid="reports.delete_reports")
def delete_reports(sender, *, assessment, actor, **kwargs) -> None:
    """Delete the reports of an assessment about to be deleted."""
    services.report_delete_all(assessment=assessment, actor=actor)
