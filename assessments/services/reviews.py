"""Writes of the auditor's review: verdicts on answers, comments, findings."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Comment,
    Finding,
    FindingKind,
    Review,
    Severity,
    Status,
    Verdict,
    status_in_sentence,
)
from assessments.permissions import Action, require
from assessments.selectors.questionnaire import awaits_acceptance
from assessments.services.common import (
    ReviewClosed,
    delete_as,
    lock_assessment,
    page_codes,
    save_as,
)
from assessments.services.limits import check_bounds, text_too_long
from maturity.catalogues import get_requirement_codes

logger = logging.getLogger(__name__)

FINDING_FIELDS = frozenset({"requirement", "kind", "severity", "title", "description"})


def _lock_in_review(assessment, actor, action):
    """Check ``actor`` may do ``action``, lock the assessment, require in review."""
    require(actor, action, assessment)
    locked = lock_assessment(assessment)
    if locked.status != Status.IN_REVIEW:
        raise ReviewClosed(
            _(
                "Verdicts and findings can be recorded only while the assessment "
                "is in review; it is %(status)s."
            )
            % {"status": status_in_sentence(locked.status)},
            code="review_closed",
        )
    return locked


def _check_verdict(verdict: str, comment: str) -> None:
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose one of the listed verdicts.")})
    if verdict == Verdict.REJECTED and not comment:
        raise ValidationError(
            {"comment": _("Say why the answer is rejected: the assessors need it.")}
        )
    if verdict == Verdict.NEEDS_INFORMATION and not comment:
        raise ValidationError(
            {"comment": _("Write the question the assessors should answer.")}
        )


@transaction.atomic
def review_record(
    *, answer, verdict: str, comment: str, actor, seen_version: int | None = None
) -> Review:
    """Record the auditor's verdict on the current version of ``answer``.

    A rejection needs a reason and a request for information a question. A
    new verdict replaces the earlier one; the history keeps both. Given
    ``seen_version``, the version of the answer the auditor read, the
    verdict is refused when the answer has changed since.
    """
    _lock_in_review(answer.assessment, actor, Action.RECORD_VERDICT)
    comment = comment.strip()
    _check_verdict(verdict, comment)
    check_bounds(comment=comment)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if not answer.status:
        raise ValidationError(
            _("The requirement has no answer yet, so there is nothing to review.")
        )
    if seen_version is not None and seen_version > answer.version:
        raise ValidationError(
            _(
                "Version %(seen)s is not a version this answer has had: it is at "
                "version %(version)s. Read it again, then give your verdict."
            )
            % {"seen": seen_version, "version": answer.version},
            code="answer_changed",
        )
    if seen_version is not None and seen_version != answer.version:
        raise ValidationError(
            _(
                "The answer changed after you opened the page: you read version "
                "%(seen)s, it is now at version %(version)s. Read it again, then "
                "give your verdict."
            )
            % {"seen": seen_version, "version": answer.version},
            code="answer_changed",
        )

    now = timezone.now()
    review = Review.objects.filter(answer=answer).first() or Review(
        answer=answer, created_at=now
    )
    review.verdict = verdict
    review.comment = comment
    review.answer_version = answer.version
    review.reviewer = actor
    review.updated_at = now
    save_as(review, actor)
    logger.info("Answer %s given verdict %s by user %s", answer.pk, verdict, actor.pk)
    return review


@dataclass(frozen=True)
class PageAcceptance:
    """The acceptances recorded together on a page, and the answers left."""

    reviews: list[Review]
    # Codes of the answers awaiting a verdict that changed after the auditor
    # read them, or that were not on the page as read, in the page's order.
    left: list[str] = field(default_factory=list)


@transaction.atomic
def review_accept_unreviewed(
    *, assessment, area: str, actor, seen: dict[int, int] | None = None
) -> PageAcceptance:
    """Accept every answer of the questionnaire page ``area`` awaiting a verdict.

    Which answers await one is :func:`awaits_acceptance`; each acceptance
    is recorded by :func:`review_record`, so the history is the same as for
    verdicts given one by one. ``seen`` maps the answers the auditor read
    awaiting a verdict to the versions read: answers changed since, or not
    among them, are left for the auditor to look at. Runs a few queries per
    accepted answer.
    """
    locked = _lock_in_review(assessment, actor, Action.RECORD_VERDICT)
    codes = page_codes(locked.framework_id, area)

    answers = (
        Answer.objects.filter(assessment=locked, requirement__code__in=codes)
        .select_related("review")
        .order_by("requirement__sequence")
    )
    awaiting = [answer for answer in answers if awaits_acceptance(answer)]
    read = [
        answer
        for answer in awaiting
        if seen is None or seen.get(answer.pk) == answer.version
    ]
    reviews = [
        review_record(answer=answer, verdict=Verdict.ACCEPTED, comment="", actor=actor)
        for answer in read
    ]
    requirement_codes = get_requirement_codes(locked.framework_id)
    left = [
        requirement_codes[answer.requirement_id]
        for answer in awaiting
        if answer not in read
    ]
    logger.info(
        "%s answers of page %s of assessment %s accepted together by user %s, "
        "%s changed since read",
        len(reviews),
        area,
        locked.pk,
        actor.pk,
        len(left),
    )
    return PageAcceptance(reviews=reviews, left=left)


@transaction.atomic
def comment_add(*, assessment, answer=None, evidence=None, text: str, actor) -> Comment:
    """Add a comment on an answer or an evidence item, or on both together.

    Auditors, administrators and assessors write comments until the
    assessment is finalised.
    """
    require(actor, Action.COMMENT, assessment)
    if answer is None and evidence is None:
        raise ValidationError(_("Say which answer or evidence item this is about."))
    for subject in (answer, evidence):
        if subject is not None and subject.assessment_id != assessment.pk:
            raise ValidationError(_("The comment must concern this assessment."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    check_bounds(text=text)
    locked = lock_assessment(assessment)
    if locked.is_finalised:
        raise ReviewClosed(
            _("The assessment is finalised; no more comments can be added."),
            code="review_closed",
        )

    comment = save_as(
        Comment(
            assessment=locked,
            answer=answer,
            evidence=evidence,
            author=actor,
            text=text,
        ),
        actor,
    )
    logger.info(
        "Comment %s added to assessment %s by user %s", comment.pk, locked.pk, actor.pk
    )
    return comment


def _clean_finding(assessment, values: dict) -> dict:
    """Return ``values`` of a finding checked, or raise naming the bad field."""
    errors = {}
    if values.get("kind") not in FindingKind.values:
        errors["kind"] = _("Choose one of the listed kinds.")
    if values.get("severity") not in Severity.values:
        errors["severity"] = _("Choose one of the listed severities.")
    values["title"] = (values.get("title") or "").strip()
    if not values["title"]:
        errors["title"] = _("Give the finding a title.")
    values["description"] = (values.get("description") or "").strip()
    too_long = text_too_long("description", values["description"])
    if too_long:
        errors["description"] = too_long
    requirement = values.get("requirement")
    if requirement is not None and requirement.framework_id != assessment.framework_id:
        errors["requirement"] = _("Choose a requirement of this assessment's standard.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def finding_create(
    *,
    assessment,
    requirement=None,
    kind: str,
    severity: str,
    title: str,
    description: str = "",
    actor,
) -> Finding:
    """Record what the auditor found, about one requirement or the whole."""
    locked = _lock_in_review(assessment, actor, Action.MANAGE_FINDINGS)
    values = _clean_finding(
        locked,
        {
            "requirement": requirement,
            "kind": kind,
            "severity": severity,
            "title": title,
            "description": description,
        },
    )

    finding = save_as(Finding(assessment=locked, created_by=actor, **values), actor)
    logger.info(
        "Finding %s recorded on assessment %s by user %s",
        finding.pk,
        locked.pk,
        actor.pk,
    )
    return finding


@transaction.atomic
def finding_update(*, finding, actor, **fields) -> Finding:
    """Change the requirement, kind, severity, title or description of a finding."""
    unknown = fields.keys() - FINDING_FIELDS
    if unknown:
        raise TypeError(f"A finding has no field {min(unknown)!r} to change.")
    locked = _lock_in_review(finding.assessment, actor, Action.MANAGE_FINDINGS)
    current = {name: getattr(finding, name) for name in FINDING_FIELDS}
    values = _clean_finding(locked, {**current, **fields})

    for name, value in values.items():
        setattr(finding, name, value)
    finding.updated_at = timezone.now()
    save_as(finding, actor)
    logger.info("Finding %s changed by user %s", finding.pk, actor.pk)
    return finding


@transaction.atomic
def finding_delete(*, finding, actor) -> None:
    """Delete a finding; the history keeps what it said."""
    _lock_in_review(finding.assessment, actor, Action.MANAGE_FINDINGS)

    pk = finding.pk
    delete_as(finding, actor)
    logger.info("Finding %s deleted by user %s", pk, actor.pk)
