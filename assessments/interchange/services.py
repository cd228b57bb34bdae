"""Writes of the interchange: importing an assessment file, applying a workbook.

An import creates a new draft assessment in the importer's organisation.
Answers keep their status, justification and version, so the self-assessed
reading is the same as in the file. The auditor's reviews, findings and
comments come along only when asked for. Whoever edits a file can recompute
its hashes, so a verdict in it proves nothing: each review comes in as a
comment on its answer, never as a review, and the verified reading waits
for an auditor of this portal. The portal cannot vouch for the people the
file names either, so everything imported is recorded as written by the
importer; comments, and the comments made of reviews, name the original
author and time in their first line.

Applying a workbook saves its new and changed answers through
``answer_save``, based on the versions the workbook was downloaded with.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments import services, uploads
from assessments.interchange import selectors
from assessments.interchange.errors import FileRefused
from assessments.interchange.json_io import ParsedAssessment, parse_document
from assessments.models import (
    Answer,
    Assessment,
    Comment,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    Finding,
    Verdict,
)
from assessments.permissions import Action, can, require
from assessments.services.common import save_as
from maturity.models import Requirement

logger = logging.getLogger(__name__)


class PlanOutdated(ValidationError):
    """Raised on confirm when answers changed since the preview was shown."""


@dataclass(frozen=True)
class ImportResult:
    assessment: Assessment
    answers: int
    evidence: int
    # File items of a JSON import, which carries no files.
    files_left_out: int
    # Reviews of the file, written as comments on their answers.
    reviews_as_comments: int
    findings: int
    comments: int


def require_importer(actor, organisation) -> None:
    """Raise PermissionDenied unless ``actor`` may import into ``organisation``."""
    if not can(actor, Action.IMPORT_ASSESSMENT, organisation):
        raise PermissionDenied(
            _("Only administrators of the organisation may import assessments.")
        )


def assessment_import(
    *,
    organisation,
    document: dict,
    files=None,
    with_reviews: bool = False,
    actor,
) -> ImportResult:
    """Create a draft assessment of ``organisation`` from an assessment file.

    ``files`` reads the evidence files of an archive; without it file items
    are left out. Each file must match its SHA-256 and pass the checks of an
    upload. Any problem raises FileRefused and leaves nothing behind.
    """
    require_importer(actor, organisation)
    parsed = parse_document(document)

    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            result = _write(
                parsed, organisation, files, with_reviews, actor, stored_paths
            )
    except BaseException:
        for path in stored_paths:
            uploads.remove_stored(path)
        raise
    logger.info(
        "Assessment %s imported into organisation %s by user %s from a %s "
        "assessment (%d answers, %d evidence items, %d reviews as comments)",
        result.assessment.pk,
        organisation.pk,
        actor.pk,
        parsed.status,
        result.answers,
        result.evidence,
        result.reviews_as_comments,
    )
    return result


def _write(parsed: ParsedAssessment, organisation, files, with_reviews, actor, stored):
    assessment = services.assessment_create(
        organisation=organisation,
        framework=parsed.framework,
        title=parsed.title,
        scope=parsed.scope,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        targets=parsed.targets,
        actor=actor,
    )
    requirements = dict(
        Requirement.objects.filter(framework=parsed.framework).values_list("code", "pk")
    )
    now = timezone.now()
    # Bulk writes, with their history written in bulk beside them.
    bulk_create_with_history(
        [
            Answer(
                assessment=assessment,
                requirement_id=requirements[answer.code],
                status=answer.status,
                justification=answer.justification,
                version=answer.version,
                updated_by=actor,
                updated_at=now,
            )
            for answer in parsed.answers
        ],
        Answer,
        default_user=actor,
    )
    answers = dict(assessment.answers.values_list("requirement__code", "pk"))

    def answer_id(code):
        # Evidence and comments may name a requirement the file left unanswered.
        if code not in answers:
            answers[code] = save_as(
                Answer(assessment=assessment, requirement_id=requirements[code]),
                actor,
            ).pk
        return answers[code]

    evidence_by_ref, left_out = _write_evidence(
        parsed, assessment, files, actor, stored, answer_id
    )
    reviews = findings = comments = 0
    if with_reviews:
        reviews = _write_reviews_as_comments(parsed, assessment, answers, actor, now)
        findings = _write_findings(parsed, assessment, requirements, actor, now)
        comments = _write_comments(
            parsed, assessment, evidence_by_ref, answer_id, actor
        )
    return ImportResult(
        assessment=assessment,
        answers=len(parsed.answers),
        evidence=len(evidence_by_ref),
        files_left_out=left_out,
        reviews_as_comments=reviews,
        findings=findings,
        comments=comments,
    )


def _write_evidence(parsed, assessment, files, actor, stored, answer_id):
    created, left_out, problems = {}, 0, []
    for position, item in enumerate(parsed.evidence):
        fields = {
            "kind": item.kind,
            "title": item.title,
            "description": item.description,
            "effective_from": item.effective_from,
            "url": item.url,
            "note": item.note,
        }
        if item.kind == EvidenceKind.FILE:
            if files is None:
                left_out += 1
                continue
            try:
                fields.update(_store_file(item, files, assessment, stored))
            except ValidationError as error:
                problems.extend(error.messages)
                continue
        evidence = save_as(
            Evidence(assessment=assessment, created_by=actor, **fields), actor
        )
        created[item.ref if item.ref is not None else f"#{position}"] = evidence
        bulk_create_with_history(
            [
                EvidenceLink(
                    evidence=evidence,
                    answer_id=answer_id(code),
                    needs_reconfirmation=code in item.needs_reconfirmation,
                    created_by=actor,
                )
                for code in item.requirements
            ],
            EvidenceLink,
            default_user=actor,
        )
    if problems:
        raise FileRefused(problems)
    return created, left_out


def _store_file(item, files, assessment, stored) -> dict:
    """Check the archived file of ``item`` and store it; return its fields."""
    where = f"evidence/{item.sha256}"
    if item.sha256 not in files:
        raise FileRefused(
            _("%(name)s (“%(title)s”) is missing from the archive.")
            % {"name": where, "title": item.title}
        )
    with files.extract(item.sha256, item.original_name or item.sha256) as handle:
        try:
            content_type = uploads.check_upload(handle)
        except ValidationError as error:
            raise FileRefused(
                [f"{where} (“{item.title}”): {message}" for message in error.messages]
            ) from None
        saved = uploads.store_upload(handle, assessment_id=assessment.pk)
    stored.append(saved.path)
    if saved.sha256 != item.sha256:
        logger.warning("Archived file %s does not match its SHA-256", item.sha256)
        raise FileRefused(
            _(
                "%(name)s (“%(title)s”) does not match its SHA-256: the file was "
                "changed after the export. Export the archive again."
            )
            % {"name": where, "title": item.title}
        )
    return {
        "file_path": saved.path,
        "original_name": item.original_name,
        "size": saved.size,
        "content_type": content_type,
        "sha256": saved.sha256,
    }


def _write_reviews_as_comments(parsed, assessment, answers, actor, now) -> int:
    """Write each review of the file as a comment on its answer.

    A Review row would count in the verified reading, which only an auditor
    of this portal may make; the comment keeps what the file said.
    """
    rows = []
    for review in parsed.reviews:
        heading = _(
            "Verdict from the imported file: %(verdict)s, on answer version %(version)d"
        ) % {
            "verdict": Verdict(review.verdict).label,
            "version": review.answer_version,
        }
        if review.reviewer or review.reviewed_at:
            heading = f"{heading}; {_byline(review.reviewer, review.reviewed_at)}"
        text = f"[{heading}]"
        if review.comment:
            text = f"{text}\n{review.comment}"
        rows.append(
            Comment(
                assessment=assessment,
                answer_id=answers[review.code],
                author=actor,
                text=text,
                created_at=review.reviewed_at or now,
            )
        )
    bulk_create_with_history(rows, Comment, default_user=actor)
    return len(rows)


def _write_findings(parsed, assessment, requirements, actor, now) -> int:
    bulk_create_with_history(
        [
            Finding(
                assessment=assessment,
                requirement_id=requirements[finding.code] if finding.code else None,
                kind=finding.kind,
                severity=finding.severity,
                title=finding.title,
                description=finding.description,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            for finding in parsed.findings
        ],
        Finding,
        default_user=actor,
    )
    return len(parsed.findings)


def _write_comments(parsed, assessment, evidence_by_ref, answer_id, actor) -> int:
    rows = []
    for comment in parsed.comments:
        evidence = evidence_by_ref.get(comment.evidence_ref)
        if comment.code is None and evidence is None:
            # Its evidence item was a file left out of a JSON import.
            continue
        byline = _byline(comment.author, comment.written_at)
        rows.append(
            Comment(
                assessment=assessment,
                answer_id=answer_id(comment.code) if comment.code else None,
                evidence=evidence,
                author=actor,
                text=f"[{byline}]\n{comment.text}",
                created_at=comment.written_at or timezone.now(),
            )
        )
    bulk_create_with_history(rows, Comment, default_user=actor)
    return len(rows)


def _byline(name: str, moment) -> str:
    byline = name or "?"
    if moment:
        byline = f"{byline}, {timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return byline


# ------------------------------------------------------------- workbook


def questionnaire_apply(*, assessment, rows, expected: str, actor):
    """Save the new and changed answers of an uploaded workbook; return the plan.

    ``expected`` is the digest of the plan the person confirmed. When the
    answers moved on since then, nothing is written and PlanOutdated is
    raised; conflicting rows are never written.
    """
    require(actor, Action.ANSWER, assessment)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_editable:
            raise selectors.locked_error(locked)
        plan = selectors.questionnaire_plan(locked, rows)
        if plan.digest != expected:
            raise _outdated()
        requirements = {
            requirement.code: requirement
            for requirement in Requirement.objects.filter(
                framework_id=locked.framework_id,
                code__in=[change.code for change in plan.applicable],
            )
        }
        try:
            for change in plan.applicable:
                services.answer_save(
                    assessment=locked,
                    requirement=requirements[change.code],
                    status=change.status,
                    justification=change.justification,
                    base_version=change.base_version,
                    actor=actor,
                )
        except services.AnswerConflict:
            raise _outdated() from None
    logger.info(
        "Workbook applied to assessment %s by user %s: %d new, %d changed, "
        "%d conflicts left",
        assessment.pk,
        actor.pk,
        len(plan.new),
        len(plan.changed),
        len(plan.conflicts),
    )
    return plan


def _outdated() -> PlanOutdated:
    return PlanOutdated(
        _(
            "Answers changed in the portal since the preview, so nothing was "
            "saved. Check the updated preview and confirm again."
        ),
        code="outdated",
    )
