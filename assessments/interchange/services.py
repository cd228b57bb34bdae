"""Writes of the interchange: importing an assessment file, applying a workbook.

An import creates a new draft assessment in the importer's organisation.
Answers keep their status, justification and version, so the self-assessed
reading is the same as in the file. The auditor's reviews, findings and
comments come along only when asked for. Whoever edits a file can recompute
its hashes, so a verdict in it proves nothing: each review comes in as a
comment on its answer, never as a review, and the verified reading waits
for an auditor of this portal. The portal cannot vouch for the people the
file names either, so everything imported is recorded as written by the
importer at the time of the import; comments, and the comments made of
reviews, name the original author and time in their first line. Left
out, reviews, findings and comments are not read, so they cannot refuse
the file. An import whose title the organisation already uses is marked
as imported, so that the two can be told apart.

Applying a workbook saves its new and changed answers through
``answer_save``, based on the versions the workbook was downloaded with.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
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
from assessments.selectors.history import IMPORTED
from assessments.selectors.questionnaire import local_minute
from assessments.services.common import save_as
from maturity.models import Requirement

logger = logging.getLogger(__name__)

TITLE_LENGTH = Assessment._meta.get_field("title").max_length


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
    # The title of the file when the organisation already used it, else "".
    renamed_from: str = ""
    # Comments on file items of a JSON import, left out with their items.
    comments_left_out: int = 0


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
    are left out. The archive must hold the files the items list and no
    other, and each must match its SHA-256 and pass the checks of an upload.
    Reviews, findings and comments are read only ``with_reviews``. Any
    problem raises FileRefused and leaves nothing behind.
    """
    require_importer(actor, organisation)
    parsed = parse_document(document, with_reviews=with_reviews)
    if files is not None:
        files.check_listed(parsed.evidence)

    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            result = _write(parsed, organisation, files, actor, stored_paths)
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


def _write(parsed: ParsedAssessment, organisation, files, actor, stored):
    title = _unused_title(organisation, parsed.title)
    assessment = services.assessment_create(
        organisation=organisation,
        framework=parsed.framework,
        title=title,
        scope=parsed.scope,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        targets=parsed.targets,
        actor=actor,
        reason=IMPORTED,
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
    # Empty unless the reviews, findings and comments were asked for.
    reviews = _reviews_as_comments(parsed, assessment, answers, actor)
    comments, comments_left_out = _comments(
        parsed, assessment, evidence_by_ref, answer_id, actor
    )
    _write_comments([*reviews, *comments], actor, now)
    findings = _write_findings(parsed, assessment, requirements, actor, now)
    return ImportResult(
        assessment=assessment,
        answers=len(parsed.answers),
        evidence=len(evidence_by_ref),
        files_left_out=left_out,
        reviews_as_comments=len(reviews),
        findings=findings,
        comments=len(comments),
        renamed_from=parsed.title if title != parsed.title else "",
        comments_left_out=comments_left_out,
    )


def _unused_title(organisation, title: str) -> str:
    """Return ``title``, marked as imported if ``organisation`` already uses it."""
    taken = {
        used.strip().casefold()
        for used in Assessment.objects.filter(organisation=organisation).values_list(
            "title", flat=True
        )
    }
    candidate, number = title, 1
    while candidate.strip().casefold() in taken:
        candidate = _marked(title, number)
        number += 1
    return candidate


def _marked(title: str, number: int) -> str:
    """Return ``title`` marked as its ``number``-th import, shortened to fit."""
    if number == 1:
        mark = _("%(title)s (imported)")
    else:
        mark = _("%(title)s (imported %(number)d)")
    marked = mark % {"title": title, "number": number}
    overflow = len(marked) - TITLE_LENGTH
    if overflow > 0:
        marked = mark % {"title": title[:-overflow].rstrip(), "number": number}
    return marked


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


def _reviews_as_comments(parsed, assessment, answers, actor) -> list:
    """Return each review of the file as a comment on its answer, unsaved.

    A Review row would count in the verified reading, which only an auditor
    of this portal may make; the comment keeps what the file said. Each
    comment comes with the time of its review, to be written in order.
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
            heading = pgettext(
                "an imported verdict, then who gave it and when",
                "%(verdict)s; %(byline)s",
            ) % {
                "verdict": heading,
                "byline": _byline(review.reviewer, review.reviewed_at),
            }
        text = f"[{heading}]"
        if review.comment:
            text = f"{text}\n{review.comment}"
        comment = Comment(
            assessment=assessment,
            answer_id=answers[review.code],
            author=actor,
            text=text,
        )
        rows.append((review.reviewed_at, comment))
    return rows


def _write_findings(parsed, assessment, requirements, actor, now) -> int:
    bulk_create_with_history(
        [
            Finding(
                assessment=assessment,
                requirement_id=requirements[finding.code] if finding.code else None,
                kind=finding.kind,
                severity=finding.severity,
                title=finding.title,
                # Recorded by the importer, as the comments are; where it
                # comes from is told in its first line.
                description=_finding_description(finding),
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


def _finding_description(finding) -> str:
    """Return the description of an imported finding, led by where it comes from."""
    if finding.recorded_by and finding.recorded_at:
        origin = _("Imported finding, originally recorded by %(author)s on %(time)s")
    elif finding.recorded_by:
        origin = _("Imported finding, originally recorded by %(author)s")
    elif finding.recorded_at:
        origin = _("Imported finding, originally recorded on %(time)s")
    else:
        origin = _("Imported finding; the file does not name who recorded it")
    origin = origin % {
        "author": finding.recorded_by,
        "time": local_minute(finding.recorded_at) if finding.recorded_at else "",
    }
    if finding.description:
        return f"[{origin}]\n{finding.description}"
    return f"[{origin}]"


def _comments(parsed, assessment, evidence_by_ref, answer_id, actor):
    """Return the comments of the file, unsaved, each with its time.

    Also return how many were left out: those about a file item only, which
    a JSON import leaves out.
    """
    rows, left_out = [], 0
    for entry in parsed.comments:
        evidence = evidence_by_ref.get(entry.evidence_ref)
        if entry.code is None and evidence is None:
            left_out += 1
            continue
        comment = Comment(
            assessment=assessment,
            answer_id=answer_id(entry.code) if entry.code else None,
            evidence=evidence,
            author=actor,
            text=f"[{_origin(entry.author, entry.written_at)}]\n{entry.text}",
        )
        rows.append((entry.written_at, comment))
    return rows, left_out


def _write_comments(rows, actor, now) -> None:
    """Write ``(time, comment)`` pairs in the order they were written.

    A comment is shown under its author's name and its time; the author is
    the importer, so the time is the import's, or the two would pass the
    importer off as the writer. The original author and time are in the
    text, and the order of the rows keeps the order of the conversation.
    """
    rows = sorted(rows, key=lambda row: (row[0] is None, row[0] or now))
    comments = [comment for moment, comment in rows]
    for comment in comments:
        comment.created_at = now
    bulk_create_with_history(comments, Comment, default_user=actor)


def _origin(author: str, moment) -> str:
    """Return the first line of an imported comment: who wrote it, and when."""
    if author and moment:
        origin = _("Imported comment, originally written by %(author)s on %(time)s")
    elif author:
        origin = _("Imported comment, originally written by %(author)s")
    elif moment:
        origin = _("Imported comment, originally written on %(time)s")
    else:
        origin = _("Imported comment; the file does not name its author")
    return origin % {"author": author, "time": local_minute(moment) if moment else ""}


def _byline(name: str, moment) -> str:
    byline = name or "?"
    if moment:
        byline = pgettext(
            "who gave an imported verdict, then when", "%(name)s, %(time)s"
        ) % {"name": byline, "time": local_minute(moment)}
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
