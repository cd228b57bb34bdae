"""PDF maturity reports: one record per rendering of an assessment.

The record, not Celery's result backend, says how a report stands. Its
``revision`` fingerprints everything the report shows, so an assessment
that has not changed is rendered once however often a report is asked for;
a failed record steps aside and lets a new one take its revision. The report
of a finalised assessment is marked ``final``: there is at most one such
record per assessment that has not failed, and it is never replaced.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Statuses in which a record still stands for its revision.
ACTIVE_STATUSES = (ReportStatus.QUEUED, ReportStatus.RENDERING, ReportStatus.DONE)


class Report(models.Model):
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("assessment"),
    )
    # SHA-256 of what the report shows; see reports.selectors.report_key.
    revision = models.CharField(_("revision"), max_length=64)
    # Rendered from the finalised assessment: kept for good, never replaced.
    final = models.BooleanField(_("final report"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
    )
    # Why the rendering failed, in words a user can act on.
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # Set by the database clock when an attempt claims the record.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Number of times a worker claimed the record to render it.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Random token of the attempt that holds the claim; only that attempt
    # may mark the record done or failed.
    attempt_token = models.CharField(_("attempt token"), max_length=32, blank=True)
    # Path under PRIVATE_STORAGE_ROOT, generated; empty until done.
    file_path = models.CharField(_("stored file"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "revision"],
                condition=~Q(status=ReportStatus.FAILED),
                name="report_assessment_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(final=True) & ~Q(status=ReportStatus.FAILED),
                name="report_assessment_final_unique",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "-requested_at"])]

    def __str__(self):
        return f"R-{self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse(
            "reports:report-detail",
            kwargs={"pk": self.assessment_id, "report": self.pk},
        )

    def get_download_url(self):
        return reverse(
            "reports:report-download",
            kwargs={"pk": self.assessment_id, "report": self.pk},
        )

    @property
    def number(self) -> str:
        """Return the report's identifier as printed on its cover."""
        return f"R-{self.pk:06d}"

    @property
    def is_pending(self) -> bool:
        return self.status in {ReportStatus.QUEUED, ReportStatus.RENDERING}

    @property
    def is_done(self) -> bool:
        return self.status == ReportStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ReportStatus.FAILED
