"""Writes of evidence: files, links and notes, and what they support."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import uploads
from assessments.models import (
    EVIDENCE_ATTACHED,
    EVIDENCE_DETACHED,
    HOLDS_EVIDENCE,
    Answer,
    Comment,
    Evidence,
    EvidenceDeletion,
    EvidenceKind,
    EvidenceLink,
)
from assessments.permissions import Action
from assessments.services.answers import answer_for
from assessments.services.common import (
    delete_as,
    lock_editable,
    page_codes,
    save_as,
)
from assessments.services.limits import check_bounds

logger = logging.getLogger(__name__)


class DuplicateEvidence(ValidationError):
    """Raised on an upload whose content is already an evidence item."""

    def __init__(self, message: str, *, existing: Evidence):
        # On the file field, so that the pages show it next to the file and
        # the API names the field, as for any other refused value.
        super().__init__(
            {
                "file": ValidationError(
                    message, code="duplicate", params={"title": existing.title}
                )
            }
        )
        self.existing = existing


def _evidence_changed(answer_id: int, actor, *, reason: str, evidence_id) -> None:
    """Count a change to an answer's evidence as a new version of the answer.

    A verdict is given on what the answer says and on what backs it up: an
    acceptance must not outlive the evidence it saw, and evidence added at
    the auditor's request answers a rejection as a revised text does. The
    history of the version says which item came or went (``reason`` is
    EVIDENCE_ATTACHED or EVIDENCE_DETACHED).
    """
    answer = Answer.objects.select_for_update().get(pk=answer_id)
    answer.version += 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    save_as(
        answer,
        actor,
        reason=f"{reason}:{evidence_id}",
        update_fields=["version", "updated_by", "updated_at"],
    )


def _link(evidence, assessment, requirement, actor) -> EvidenceLink:
    answer = answer_for(
        assessment, requirement, actor, reason=f"{HOLDS_EVIDENCE}:{evidence.pk}"
    )
    if EvidenceLink.objects.filter(evidence=evidence, answer=answer).exists():
        raise ValidationError(
            _("This evidence item already supports the requirement."), code="linked"
        )
    link = save_as(
        EvidenceLink(evidence=evidence, answer=answer, created_by=actor), actor
    )
    _evidence_changed(
        answer.pk, actor, reason=EVIDENCE_ATTACHED, evidence_id=evidence.pk
    )
    return link


def _refuse_duplicate(assessment, requirement, sha256: str) -> None:
    """Refuse a file whose content is already an evidence item of ``assessment``.

    A second copy would count the same document twice and leave two items
    to keep in step; the existing item can support any requirement instead.
    """
    supporting = EvidenceLink.objects.filter(
        evidence=OuterRef("pk"), answer__requirement=requirement
    )
    # Of several copies made before this rule, name one already in place.
    existing = (
        Evidence.objects.filter(assessment=assessment, sha256=sha256)
        .annotate(supports=Exists(supporting))
        .order_by("-supports", "pk")
        .first()
    )
    if existing is None:
        return

    if requirement is None:
        message = _(
            "This file is already in this assessment as the evidence item "
            "“%(title)s”; there is no need to upload it again."
        )
    elif existing.supports:
        message = _(
            "This file is already in this assessment as the evidence item "
            "“%(title)s”, which supports this requirement."
        )
    else:
        message = _(
            "This file is already in this assessment as the evidence item "
            "“%(title)s”. Attach that item from the existing evidence instead "
            "of uploading the file again."
        )
    logger.warning(
        "Upload to assessment %s refused: same content as evidence %s",
        assessment.pk,
        existing.pk,
    )
    raise DuplicateEvidence(message, existing=existing)


def _create_evidence(*, assessment, requirement, actor, **fields) -> Evidence:
    if not fields.get("title", "").strip():
        raise ValidationError({"title": _("Give the evidence item a title.")})
    evidence = save_as(
        Evidence(assessment=assessment, created_by=actor, **fields), actor
    )
    if requirement is not None:
        _link(evidence, assessment, requirement, actor)
    logger.info(
        "Evidence %s (%s) added to assessment %s by user %s",
        evidence.pk,
        evidence.kind,
        assessment.pk,
        actor.pk,
    )
    return evidence


def evidence_add_file(
    *,
    assessment,
    uploaded,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Check and store an uploaded file as evidence, linked to ``requirement``.

    A refused file leaves neither a row nor a file behind.
    """
    with transaction.atomic():
        lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    check_bounds(description=description, effective_from=effective_from)
    content_type = uploads.check_upload(uploaded)
    original_name = uploads.uploaded_file_name(uploaded)
    stored = uploads.store_upload(uploaded, assessment_id=assessment.pk)
    try:
        with transaction.atomic():
            locked = lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
            _refuse_duplicate(locked, requirement, stored.sha256)
            return _create_evidence(
                assessment=locked,
                requirement=requirement,
                actor=actor,
                kind=EvidenceKind.FILE,
                title=title.strip() or _title_from_name(original_name),
                description=description,
                effective_from=effective_from,
                file_path=stored.path,
                original_name=original_name,
                size=stored.size,
                content_type=content_type,
                sha256=stored.sha256,
            )
    except BaseException:
        uploads.remove_stored(stored.path)
        raise


# How much of a file name's ending a title shortened from it keeps, so that
# the kind of file still shows.
NAME_ENDING = 12


def _title_from_name(name: str) -> str:
    """Return file ``name`` as a title, shortened in the middle to fit one."""
    limit = Evidence._meta.get_field("title").max_length
    if len(name) <= limit:
        return name
    return name[: limit - NAME_ENDING - 1] + "…" + name[-NAME_ENDING:]


@transaction.atomic
def evidence_add_link(
    *,
    assessment,
    url: str,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Record a link to a document kept elsewhere as evidence."""
    locked = lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    check_bounds(description=description, effective_from=effective_from)
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError(
            {"url": _("Enter an address starting with https:// or http://.")}
        )
    return _create_evidence(
        assessment=locked,
        requirement=requirement,
        actor=actor,
        kind=EvidenceKind.LINK,
        title=title.strip() or url[:200],
        description=description,
        effective_from=effective_from,
        url=url,
    )


@transaction.atomic
def evidence_add_note(
    *,
    assessment,
    note: str,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Record a written statement as evidence."""
    locked = lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    check_bounds(note=note, description=description, effective_from=effective_from)
    return _create_evidence(
        assessment=locked,
        requirement=requirement,
        actor=actor,
        kind=EvidenceKind.NOTE,
        title=title,
        description=description,
        effective_from=effective_from,
        note=note,
    )


@transaction.atomic
def evidence_attach(*, evidence, requirement, actor) -> EvidenceLink:
    """Let an existing evidence item support one more requirement."""
    locked = lock_editable(evidence.assessment, actor, Action.MANAGE_EVIDENCE)
    return _link(evidence, locked, requirement, actor)


@transaction.atomic
def evidence_detach(*, link, actor) -> None:
    """Stop an evidence item supporting one requirement; the item stays."""
    lock_editable(link.answer.assessment, actor, Action.MANAGE_EVIDENCE)
    delete_as(link, actor)
    _evidence_changed(
        link.answer_id, actor, reason=EVIDENCE_DETACHED, evidence_id=link.evidence_id
    )


@transaction.atomic
def evidence_reconfirm(*, link, actor) -> EvidenceLink:
    """Confirm that carried-over evidence still supports the requirement."""
    lock_editable(link.answer.assessment, actor, Action.MANAGE_EVIDENCE)
    if link.needs_reconfirmation:
        link.needs_reconfirmation = False
        save_as(link, actor, update_fields=["needs_reconfirmation"])
    return link


@transaction.atomic
def evidence_reconfirm_area(*, assessment, area: str, actor) -> list[EvidenceLink]:
    """Reconfirm all carried-over evidence of the questionnaire page ``area``.

    Each link is saved on its own, so that the history reads as if they had
    been reconfirmed one by one. Runs a few queries per link.
    """
    locked = lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    codes = page_codes(locked.framework_id, area)

    links = list(
        EvidenceLink.objects.filter(
            answer__assessment=locked,
            answer__requirement__code__in=codes,
            needs_reconfirmation=True,
        ).select_related("answer")
    )
    for link in links:
        link.needs_reconfirmation = False
        save_as(link, actor, update_fields=["needs_reconfirmation"])
    logger.info(
        "%s carried-over links of page %s of assessment %s reconfirmed by user %s",
        len(links),
        area,
        locked.pk,
        actor.pk,
    )
    return links


@transaction.atomic
def evidence_delete(*, evidence, actor) -> EvidenceDeletion:
    """Delete an evidence item and its file, recording who did it and when.

    Its links and the comments on it go first, one by one, so that the
    history names the actor for each of them rather than leaving it to the
    cascade.
    """
    locked = lock_editable(evidence.assessment, actor, Action.MANAGE_EVIDENCE)
    links = list(
        evidence.links.select_related("answer__requirement").order_by(
            "answer__requirement__sequence"
        )
    )
    deletion = EvidenceDeletion.objects.create(
        assessment=locked,
        evidence_id=evidence.pk,
        kind=evidence.kind,
        title=evidence.title,
        original_name=evidence.original_name,
        sha256=evidence.sha256,
        requirement_codes=[link.answer.requirement.code for link in links],
        deleted_by=actor,
    )

    for link in links:
        delete_as(link, actor)
        _evidence_changed(
            link.answer_id,
            actor,
            reason=EVIDENCE_DETACHED,
            evidence_id=link.evidence_id,
        )
    for comment in Comment.objects.filter(evidence=evidence):
        delete_as(comment, actor)
    path = evidence.file_path
    delete_as(evidence, actor)
    if path:
        transaction.on_commit(lambda: uploads.remove_stored(path))
    logger.info(
        "Evidence %s deleted from assessment %s by user %s",
        deletion.evidence_id,
        locked.pk,
        actor.pk,
    )
    return deletion
