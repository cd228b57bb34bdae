"""Reads of one questionnaire page: requirements, answers, evidence, reviews."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    Answer,
    AnswerStatus,
    Comment,
    EvidenceLink,
    Finding,
    Review,
    Verdict,
)
from maturity.models import Requirement
from maturity.selectors import levels_of

# Verdicts that send an answer back to the assessors.
OBJECTIONS = frozenset({Verdict.REJECTED, Verdict.NEEDS_INFORMATION})


def awaits_acceptance(answer) -> bool:
    """Say whether ``answer`` may be accepted with the others of its page.

    It must be answered and have no verdict on its current version; an
    answer rejected or questioned once, even on an earlier version, is left
    for the auditor to look at on its own.
    """
    if not answer.status:
        return False
    review = getattr(answer, "review", None)
    if review is None:
        return True
    return review.answer_version != answer.version and review.verdict == (
        Verdict.ACCEPTED
    )


class Filter:
    """Names of the questionnaire filters."""

    UNANSWERED = "unanswered"
    NOT_SATISFIED = "not_satisfied"
    MISSING_EVIDENCE = "missing_evidence"
    # Answers the auditor rejected or asked about.
    REJECTED = "rejected"
    # Answers without a verdict on their current version.
    UNREVIEWED = "unreviewed"

    choices = (
        (UNANSWERED, _("Unanswered")),
        (NOT_SATISFIED, _("Partially or not satisfied")),
        (MISSING_EVIDENCE, _("Satisfied without evidence")),
        (REJECTED, _("Rejected or questioned by the auditor")),
        (UNREVIEWED, _("Awaiting a verdict")),
    )


@dataclass
class Item:
    """One requirement on a questionnaire page, with its answer and evidence."""

    requirement: Requirement
    answer: Answer | None
    links: list[EvidenceLink]
    # Comments on the answer and on its evidence items, oldest first.
    comments: list[Comment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.answer.status if self.answer else ""

    @property
    def justification(self) -> str:
        return self.answer.justification if self.answer else ""

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def review(self) -> Review | None:
        return getattr(self.answer, "review", None) if self.answer else None

    @property
    def review_is_current(self) -> bool:
        review = self.review
        return review is not None and review.answer_version == self.answer.version

    @property
    def awaits_acceptance(self) -> bool:
        """Say whether accepting the page's answers together would accept it."""
        return self.answer is not None and awaits_acceptance(self.answer)

    @property
    def has_confirmed_evidence(self) -> bool:
        return any(not link.needs_reconfirmation for link in self.links)

    def matches(self, selected: str | None) -> bool:
        if not selected:
            return True
        if selected == Filter.UNANSWERED:
            return not self.status
        if selected == Filter.NOT_SATISFIED:
            return self.status in {AnswerStatus.PARTIAL, AnswerStatus.NOT_SATISFIED}
        if selected == Filter.MISSING_EVIDENCE:
            return self.status == AnswerStatus.SATISFIED and not self.links
        if selected == Filter.REJECTED:
            return self.review is not None and self.review.verdict in OBJECTIONS
        if selected == Filter.UNREVIEWED:
            return bool(self.status) and not self.review_is_current
        return True


def area_requirements(framework_id, area):
    """Return the requirements of a questionnaire page, by level then position."""
    requirements = Requirement.objects.filter(framework_id=framework_id)
    if area.is_stage:
        requirements = requirements.filter(stage__code=area.code)
    else:
        requirements = requirements.filter(module__code=area.code, stage__isnull=True)
    return list(requirements.order_by("level", "position", "sequence"))


def questionnaire_page(assessment, area, selected: str | None = None) -> dict:
    """Return the requirements of one page grouped by level; seven queries.

    Each level group holds :class:`Item` rows filtered by ``selected``, with
    their verdicts, comments and findings; ``acceptable`` counts the answers
    of the whole page the auditor could accept together.
    """
    requirements = area_requirements(assessment.framework_id, area)
    links = EvidenceLink.objects.select_related("evidence").order_by(
        "evidence__title", "pk"
    )
    answers = {
        answer.requirement_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, requirement__in=[r.pk for r in requirements]
        )
        .select_related("review__reviewer")
        .prefetch_related(Prefetch("evidence_links", queryset=links))
    }
    items = []
    for requirement in requirements:
        answer = answers.get(requirement.pk)
        item_links = list(answer.evidence_links.all()) if answer else []
        items.append(Item(requirement=requirement, answer=answer, links=item_links))
    _add_comments(assessment, items)
    _add_findings(assessment, items)

    shown = [item for item in items if item.matches(selected)]
    groups = []
    for level in levels_of(assessment.framework_id):
        level_items = [i for i in shown if i.requirement.level == level.number]
        if level_items:
            groups.append({"level": level, "items": level_items})
    return {
        "groups": groups,
        "shown": len(shown),
        "total": len(items),
        "acceptable": sum(item.awaits_acceptance for item in items),
    }


def _add_comments(assessment, items: list[Item]) -> None:
    """Give each item the comments on its answer and its evidence; one query."""
    answer_ids = {item.answer.pk for item in items if item.answer}
    evidence_ids = {link.evidence_id for item in items for link in item.links}
    if not answer_ids and not evidence_ids:
        return
    by_answer = defaultdict(list)
    by_evidence = defaultdict(list)
    for comment in (
        Comment.objects.filter(assessment=assessment)
        .filter(Q(answer_id__in=answer_ids) | Q(evidence_id__in=evidence_ids))
        .select_related("author", "evidence")
    ):
        if comment.answer_id is not None:
            by_answer[comment.answer_id].append(comment)
        if comment.evidence_id is not None:
            by_evidence[comment.evidence_id].append(comment)
    for item in items:
        found = {}
        if item.answer:
            found.update((c.pk, c) for c in by_answer[item.answer.pk])
        for link in item.links:
            found.update((c.pk, c) for c in by_evidence[link.evidence_id])
        item.comments = sorted(found.values(), key=lambda c: (c.created_at, c.pk))


def _add_findings(assessment, items: list[Item]) -> None:
    """Give each item the findings about its requirement; one query."""
    by_requirement = defaultdict(list)
    for finding in Finding.objects.filter(
        assessment=assessment,
        requirement_id__in=[item.requirement.pk for item in items],
    ):
        by_requirement[finding.requirement_id].append(finding)
    for item in items:
        item.findings = by_requirement[item.requirement.pk]


def questionnaire_url(assessment_id, area_code, selected=None) -> str:
    """Return the address of a questionnaire page, filtered by ``selected``."""
    url = reverse(
        "assessments:questionnaire", kwargs={"pk": assessment_id, "area": area_code}
    )
    return f"{url}?show={selected}" if selected else url
