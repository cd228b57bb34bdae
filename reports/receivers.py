"""What the reports app does when an assessment is finalised or deleted."""

from django.dispatch import receiver

from assessments.signals import assessment_deleting, assessment_finalised
from reports import services


@receiver(assessment_finalised, dispatch_uid="reports.request_final_report")
def request_final_report(sender, *, assessment, actor, **kwargs) -> None:
    """Record the final report in the finalising's transaction.

    The record commits with the finalising, so the pages show the final
    report queued from then on, whether or not a worker or the task queue
    is up; its rendering is queued once the finalising commits.
    """
    services.final_report_record(assessment=assessment, actor=actor)


@receiver(assessment_deleting, dispatch_uid="reports.delete_reports")
def delete_reports(sender, *, assessment, actor, **kwargs) -> None:
    """Delete the reports of an assessment about to be deleted."""
    services.report_delete_all(assessment=assessment, actor=actor)
