"""Organisations, their assessments against the standard, answers and evidence.

An assessment pins one version of the framework. Its answers say how each
requirement stands; evidence items back the answers up and may support
several requirements of the same assessment. Third-party auditors are not
members of the organisation: they see one assessment through a grant.

Models with a ``history`` manager keep every version of their rows
(django-simple-history): who changed what, and when. Only writes that call
``save()`` or ``delete()`` are recorded, so the services make every write.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_TARGET_LEVEL = 3


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ASSESSOR = "assessor", _("Assessor")
    VIEWER = "viewer", _("Viewer")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessments:organisation-detail", kwargs={"org": self.slug})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_user_org_unique"
            )
        ]
        ordering = ["organisation", "user__username"]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned")
    FINALISED = "finalised", _("Finalised")


def status_in_sentence(status: str) -> str:
    """Return the label of ``status`` as it reads inside a sentence.

    English labels start with a capital, as on a badge; a sentence says
    "the assessment is in review". Chinese labels have no case.
    """
    label = str(Status(status).label)
    return label[:1].lower() + label[1:]


# Statuses in which assessors may still change answers and evidence.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


class Assessment(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    framework = models.ForeignKey(
        "maturity.Framework",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("framework"),
    )
    title = models.CharField(_("title"), max_length=200)
    # What the assessment covers: business units, models, systems.
    scope = models.TextField(_("scope statement"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # The earlier assessment this one was started from, if any.
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("started from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    # score(...).to_dict() of the answers as they stood when finalised.
    self_scores = models.JSONField(_("self-assessed scores"), null=True, blank=True)
    # The same, over the answers as the auditor verified them.
    verified_scores = models.JSONField(_("verified scores"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessments:assessment-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_finalised(self) -> bool:
        return self.status == Status.FINALISED

    @property
    def was_submitted(self) -> bool:
        """Say whether the assessment went to the auditor, so verdicts count."""
        return self.status != Status.DRAFT


class AssessmentTarget(models.Model):
    """The level an assessment aims at for one module of the framework."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("assessment"),
    )
    module = models.ForeignKey(
        "maturity.Module",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("module"),
    )
    level = models.PositiveSmallIntegerField(
        _("target level"),
        default=DEFAULT_TARGET_LEVEL,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target level")
        verbose_name_plural = _("target levels")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "module"], name="target_assessment_module_unique"
            )
        ]

    def __str__(self):
        return f"{self.module.code}: {self.level}"


class StatusChange(models.Model):
    """One step of an assessment through its lifecycle."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("assessment"),
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Status.choices
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class AuditorGrant(models.Model):
    """Access of a third-party auditor to one assessment."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="auditor_grants",
        verbose_name=_("assessment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auditor_grants",
        verbose_name=_("auditor"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    # Last day on which the grant still works; open-ended when empty.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("auditor grant")
        verbose_name_plural = _("auditor grants")
        ordering = ["-granted_at", "-pk"]

    def __str__(self):
        return f"{self.user} → {self.assessment_id}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_on is None or timezone.localdate() <= self.expires_on


class AnswerStatus(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTIAL = "partial", _("Partially satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Why an answer has a version its status and justification do not explain,
# kept as the change reason of that version in its history, with the id of
# the evidence item after a colon: the answer was created to hold the item,
# or the item was attached to or detached from it.
HOLDS_EVIDENCE = "holds-evidence"
EVIDENCE_ATTACHED = "evidence-attached"
EVIDENCE_DETACHED = "evidence-detached"


class Answer(models.Model):
    """How one requirement stands in one assessment.

    A row with an empty status is unanswered: it exists when evidence was
    attached or a justification written before a status was chosen.
    """

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("assessment"),
    )
    requirement = models.ForeignKey(
        "maturity.Requirement",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requirement"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AnswerStatus.choices, blank=True
    )
    justification = models.TextField(_("justification"), blank=True)
    # Incremented by every save; an update names the version it was based on.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "requirement"],
                name="answer_assessment_requirement_unique",
            )
        ]

    def __str__(self):
        return f"{self.requirement_id}: {self.status or '-'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.status)


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    NOTE = "note", _("Text note")


class Evidence(models.Model):
    """A document, link or note that backs up answers of one assessment."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("assessment"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The day from which the document was in force or the fact held.
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Path under PRIVATE_STORAGE_ROOT, generated; never derived from the
    # uploader's file name.
    file_path = models.CharField(_("stored file"), max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    # Detected from the bytes, not the name or the browser's claim.
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The item of an earlier assessment this one was carried over from.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_download_url(self):
        return reverse(
            "assessments:evidence-download",
            kwargs={"pk": self.assessment_id, "evidence": self.pk},
        )


class EvidenceLink(models.Model):
    """Evidence supporting the answer to one requirement."""

    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("evidence item"),
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        related_name="evidence_links",
        verbose_name=_("answer"),
    )
    # Carried over from an earlier assessment and not yet looked at again.
    needs_reconfirmation = models.BooleanField(_("needs reconfirmation"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "answer"], name="evidence_link_unique"
            )
        ]
        ordering = ["evidence__title", "pk"]

    def __str__(self):
        return f"{self.evidence_id} → {self.answer_id}"


class EvidenceDeletion(models.Model):
    """Who removed which evidence item from a draft assessment, and when."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="evidence_deletions",
        verbose_name=_("assessment"),
    )
    evidence_id = models.PositiveBigIntegerField(_("evidence id"))
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # Requirement codes the item supported when it was deleted.
    requirement_codes = models.JSONField(_("requirements"), default=list)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence deletion")
        verbose_name_plural = _("evidence deletions")
        ordering = ["-deleted_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.deleted_at:%Y-%m-%d})"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    NEEDS_INFORMATION = "needs_information", _("Needs information")


class Review(models.Model):
    """The auditor's current verdict on one answer.

    Only an acceptance given on the answer's current version counts in the
    verified reading: an answer changed after it was accepted must be
    accepted again.
    """

    answer = models.OneToOneField(
        Answer,
        on_delete=models.CASCADE,
        related_name="review",
        verbose_name=_("answer"),
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    # The reason of a rejection or the question asked; may be blank when
    # the answer is accepted.
    comment = models.TextField(_("comment"), blank=True)
    # The version of the answer the verdict was given on.
    answer_version = models.PositiveIntegerField(_("answer version"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.answer_id}: {self.verdict}"

    @property
    def is_current(self) -> bool:
        return self.answer_version == self.answer.version

    @property
    def counts_as_accepted(self) -> bool:
        return self.verdict == Verdict.ACCEPTED and self.is_current


class Comment(models.Model):
    """A message between auditor and assessors about an answer or evidence."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("assessment"),
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("answer"),
    )
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("evidence item"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer__isnull=False)
                | models.Q(evidence__isnull=False),
                name="comment_has_subject",
            )
        ]

    def __str__(self):
        return f"{self.author} on {self.answer_id or self.evidence_id}"


class FindingKind(models.TextChoices):
    NONCONFORMITY = "nonconformity", _("Nonconformity")
    OBSERVATION = "observation", _("Observation")
    RECOMMENDATION = "recommendation", _("Recommendation")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Finding(models.Model):
    """What the auditor found, about one requirement or the whole assessment."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("assessment"),
    )
    # Empty when the finding concerns the assessment as a whole.
    requirement = models.ForeignKey(
        "maturity.Requirement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requirement"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title
