"""Reads of one questionnaire page: requirements, answers, evidence, reviews."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    Answer,
    AnswerStatus,
    Comment,
    EvidenceKind,
    EvidenceLink,
    Finding,
    FindingKind,
    Severity,
    Verdict,
)
from assessments.selectors.people import person_name
from assessments.selectors.readings import standing_from
from assessments.selectors.reviews import OBJECTIONS, Verdicts
from maturity.catalogues import get_catalogue, get_requirement, get_structure
from maturity.models import Requirement
from portal.compiled import CompiledQuery


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
    # Answers with evidence carried over from the previous assessment and not
    # reconfirmed yet.
    UNCONFIRMED = "unconfirmed"

    choices = (
        (UNANSWERED, _("Unanswered")),
        (NOT_SATISFIED, _("Partially or not satisfied")),
        (MISSING_EVIDENCE, _("Satisfied without evidence")),
        (REJECTED, _("Rejected or questioned by the auditor")),
        (UNREVIEWED, _("Awaiting a verdict")),
        (UNCONFIRMED, _("Carried-over evidence to reconfirm")),
    )


PLACEHOLDER = 2_147_483_647


@lru_cache(maxsize=1024)
def _address_parts(name, free, fixed, prefix, urlconf) -> tuple[str, str]:
    """Return what comes before and after ``free`` in the address ``name``."""
    address = reverse(name, kwargs={**dict(fixed), free: PLACEHOLDER}, urlconf=urlconf)
    head, _placeholder, tail = address.rpartition(str(PLACEHOLDER))
    return head, tail


class Address:
    """An address reversed once with a placeholder, then filled per item.

    Reversing costs far more than formatting a string, and a questionnaire
    page links every requirement and evidence item to several forms. The
    parts are kept per process, for the same name, arguments, script
    prefix and URLconf.
    """

    def __init__(self, name: str, free: str, **fixed):
        self.head, self.tail = _address_parts(
            name,
            free,
            tuple(sorted(fixed.items())),
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
        )

    def __call__(self, value) -> str:
        text = str(value)
        # Ids and requirement codes need no quoting; checking is quicker.
        if not _UNRESERVED(text):
            text = quote(text)
        return f"{self.head}{text}{self.tail}"


# Characters an address carries as they are (RFC 3986's unreserved ones).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


@dataclass(slots=True)
class Person:
    """The author of a verdict or comment, as :func:`person_name` reads a user."""

    username: str
    first_name: str
    last_name: str

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


def _person(username, first_name, last_name) -> Person | None:
    return None if username is None else Person(username, first_name, last_name)


@dataclass(slots=True)
class PageReview:
    """The auditor's verdict on an answer, as the page shows it."""

    verdict: str
    comment: str
    answer_version: int
    reviewer: Person | None
    updated_at: datetime
    # Who gave it, when, and on which version of the answer.
    byline: str = ""


@dataclass(slots=True)
class PageAnswer:
    """An answer as the page shows it, with its verdict if any."""

    pk: int
    requirement_id: int
    status: str
    justification: str
    version: int
    review: PageReview | None


@dataclass(slots=True)
class PageEvidence:
    """The columns of an evidence item the page shows, and its labels.

    One instance serves every link to the item on the page.
    """

    kind: str
    title: str
    description: str
    effective_from: date | None
    url: str
    note: str
    original_name: str
    size: int | None
    sha256: str
    size_label: str = ""
    effective_label: str = ""


@dataclass(slots=True)
class PageLink:
    """An evidence item linked to an answer, with its label and addresses."""

    pk: int
    answer_id: int
    evidence_id: int
    needs_reconfirmation: bool
    evidence: PageEvidence
    kind_label: str = ""
    # The link as the subject of a comment.
    subject_label: str = ""
    download_url: str = ""
    detach_url: str = ""
    reconfirm_url: str = ""
    # What the page asks before detaching the item from the requirement.
    detach_question: str = ""


@dataclass(slots=True)
class CommentSubject:
    """The evidence item a comment is about."""

    title: str


@dataclass(slots=True)
class PageComment:
    """A comment on an answer or on an evidence item."""

    pk: int
    answer_id: int | None
    evidence_id: int | None
    author: Person | None
    text: str
    created_at: datetime
    evidence: CommentSubject | None


@dataclass(slots=True)
class PageFinding:
    """A finding about a requirement, with the labels of its kind and severity."""

    pk: int
    requirement_id: int
    kind: str
    severity: str
    title: str
    kind_label: str
    severity_label: str


@dataclass
class Item:
    """One requirement on a questionnaire page, with its answer and evidence."""

    requirement: Requirement
    answer: PageAnswer | None
    links: list[PageLink]
    # Comments on the answer and on its evidence items, oldest first.
    comments: list[PageComment] = field(default_factory=list)
    findings: list[PageFinding] = field(default_factory=list)
    # The labels of the answer's status and of the auditor's verdict.
    status_label: str = ""
    verdict_label: str = ""
    # Addresses of the forms about the requirement: "answer", "evidence"
    # (the page attaching evidence), "comment" and "review".
    urls: dict[str, str] = field(default_factory=dict)
    # A verdict the service refused, to show again in the review form with
    # the reasons: {"verdict": ..., "comment": ..., "errors": [...]}.
    review_draft: dict | None = None
    # A comment the service refused, to show again in the comment form with
    # the reasons: {"subject": ..., "text": ..., "errors": [...]}.
    comment_draft: dict | None = None
    # Why a save of the answer without the script was refused, shown in its
    # form with what was typed.
    answer_errors: list[str] = field(default_factory=list)
    # What such a refused save had typed, which its form shows instead of
    # the stored answer: status, justification, and the version and fields
    # of the stored answer it is now based on.
    answer_draft: dict | None = None

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
    def form(self) -> dict:
        """Return what the answer's form holds: status, justification, version.

        With the base fields, the answer the form is based on. That is the
        stored answer, unless a refused save left what it had typed.
        """
        if self.answer_draft is not None:
            return self.answer_draft
        return {
            "status": self.status,
            "justification": self.justification,
            "version": self.version,
            "base_status": self.status,
            "base_justification": self.justification,
        }

    @cached_property
    def review(self) -> PageReview | None:
        return self.answer.review if self.answer else None

    @cached_property
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

    @property
    def has_unconfirmed_evidence(self) -> bool:
        return any(link.needs_reconfirmation for link in self.links)

    @property
    def review_form(self) -> dict:
        """Return what the review form starts with: open, verdict, comment.

        A refused draft comes back as it was typed; otherwise the current
        verdict, and an empty form once the answer changed after it.
        """
        review = self.review
        if self.review_draft is not None:
            return {"open": True, **self.review_draft}
        if review is not None and self.review_is_current:
            return {"open": False, "verdict": review.verdict, "comment": review.comment}
        return {"open": True, "verdict": "", "comment": ""}

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
        if selected == Filter.UNCONFIRMED:
            return self.has_unconfirmed_evidence
        return True


def area_requirements(framework_id, area) -> list[Requirement]:
    """Return the requirements of a questionnaire page, by level then position.

    The rows are those :mod:`maturity.catalogues` keeps in memory: no query
    once they are read, and they must not be changed.
    """
    catalogue = get_catalogue(framework_id)
    if area.is_stage:
        codes = [ref.code for ref in catalogue.requirements if ref.stage == area.code]
    else:
        codes = [
            ref.code
            for ref in catalogue.requirements
            if ref.module == area.code and ref.stage is None
        ]
    requirements = [get_requirement(framework_id, code) for code in codes]
    return sorted(requirements, key=lambda r: (r.level, r.position, r.sequence))


def questionnaire_answers(assessment) -> tuple[dict[str, str], Verdicts, dict]:
    """Return the statuses, the verdicts and the answer rows of ``assessment``.

    One query reads every answer with its verdict: the statuses and verdicts
    are those of :func:`~assessments.selectors.readings.answer_standing`,
    and the rows, by requirement id, what :func:`questionnaire_page` shows
    of the answers on its page.
    """
    rows = ANSWERS(assessment.pk)
    statuses, verdicts = standing_from(
        assessment.framework_id,
        [
            (requirement_id, status, version, verdict, answer_version)
            for _pk, requirement_id, status, _text, version, verdict, _comment, (
                answer_version
            ), *_rest in rows
        ],
    )
    return statuses, verdicts, {row[1]: row for row in rows}


def questionnaire_page(
    assessment, area, selected: str | None = None, answers: dict | None = None
) -> dict:
    """Return the requirements of one page grouped by level; four queries.

    ``answers`` are the answer rows of :func:`questionnaire_answers`, read
    here when not given, with one query less.

    The requirements and levels come from memory once read (see
    :func:`area_requirements` and :func:`maturity.catalogues.get_structure`).

    Each level group holds :class:`Item` rows filtered by ``selected``, with
    their evidence, verdicts, comments and findings, the labels of their
    choices and the addresses of their forms; ``acceptable`` lists the
    answers of the whole page the auditor could accept together, as (id,
    version) pairs, and
    ``unconfirmed`` its requirements with carried-over evidence to reconfirm.
    """
    requirements = area_requirements(assessment.framework_id, area)
    if answers is None:
        answers = questionnaire_answers(assessment)[2]
    answers = _answers_of(answers, [r.pk for r in requirements])
    links = _links_of(assessment, [answer.pk for answer in answers.values()])
    items = []
    for requirement in requirements:
        answer = answers.get(requirement.pk)
        item_links = links[answer.pk] if answer else []
        items.append(Item(requirement=requirement, answer=answer, links=item_links))

    shown = [item for item in items if item.matches(selected)]
    _add_comments(assessment, shown)
    _add_findings(assessment, shown)
    _add_labels_and_urls(assessment, shown)
    groups = []
    for level in get_structure(assessment.framework_id).levels:
        level_items = [i for i in shown if i.requirement.level == level.number]
        if level_items:
            groups.append({"level": level, "items": level_items})
    return {
        "groups": groups,
        "shown": len(shown),
        "total": len(items),
        "acceptable": [
            (item.answer.pk, item.answer.version)
            for item in items
            if item.awaits_acceptance
        ],
        "unconfirmed": sum(item.has_unconfirmed_evidence for item in items),
    }


# The page reads rows as tuples into the small classes above: building
# model instances cost more than the queries themselves.
ANSWER_COLUMNS = (
    "pk",
    "requirement_id",
    "status",
    "justification",
    "version",
    "review__verdict",
    "review__comment",
    "review__answer_version",
    "review__updated_at",
    "review__reviewer__username",
    "review__reviewer__first_name",
    "review__reviewer__last_name",
)


ANSWERS = CompiledQuery(
    lambda assessment: Answer.objects.filter(assessment_id=assessment).values_list(
        *ANSWER_COLUMNS
    )
)


def _answers_of(rows: dict, requirement_ids) -> dict[int, PageAnswer]:
    """Return requirement id -> its answer with its verdict, from ``rows``."""
    byline = gettext("by %(user)s, %(when)s, on version %(version)s of the answer")
    answers = {}
    for requirement_id in requirement_ids:
        row = rows.get(requirement_id)
        if row is None:
            continue
        pk, requirement_id, status, justification, version, verdict, *review = row
        review = None if verdict is None else _review(verdict, *review)
        if review is not None:
            review.byline = byline % {
                "user": person_name(review.reviewer),
                "when": local_minute(review.updated_at),
                "version": review.answer_version,
            }
        answers[requirement_id] = PageAnswer(
            pk=pk,
            requirement_id=requirement_id,
            status=status,
            justification=justification,
            version=version,
            review=review,
        )
    return answers


def _review(verdict, comment, answer_version, updated_at, *reviewer) -> PageReview:
    return PageReview(
        verdict=verdict,
        comment=comment,
        answer_version=answer_version,
        updated_at=updated_at,
        reviewer=_person(*reviewer),
    )


def local_minute(moment: datetime) -> str:
    """Return ``moment`` in the current time zone, to the minute, as pages show it."""
    return timezone.template_localtime(moment).strftime("%Y-%m-%d %H:%M")


LINK_COLUMNS = (
    "pk",
    "answer_id",
    "evidence_id",
    "needs_reconfirmation",
    "evidence__kind",
    "evidence__title",
    "evidence__description",
    "evidence__effective_from",
    "evidence__url",
    "evidence__note",
    "evidence__original_name",
    "evidence__size",
    "evidence__sha256",
)


LINKS = CompiledQuery(
    lambda answers: (
        EvidenceLink.objects.filter(answer_id__in=answers)
        .order_by("evidence__title", "pk")
        .values_list(*LINK_COLUMNS)
    )
)


def _links_of(assessment, answer_ids) -> defaultdict[int, list[PageLink]]:
    """Return answer id -> its evidence links, by evidence title; one query."""
    download = Address("assessments:evidence-download", "evidence", pk=assessment.pk)
    detach = Address("assessments:evidence-detach", "link", pk=assessment.pk)
    reconfirm = Address("assessments:evidence-reconfirm", "link", pk=assessment.pk)
    kinds = {value: str(label) for value, label in EvidenceKind.choices}
    subject = gettext("evidence “%(title)s”")
    effective = gettext("effective from %(day)s")
    shared = {}
    by_answer = defaultdict(list)
    for pk, answer_id, evidence_id, unconfirmed, *columns in LINKS(list(answer_ids)):
        evidence = shared.get(evidence_id)
        if evidence is None:
            evidence = shared[evidence_id] = PageEvidence(*columns)
            if evidence.size is not None:
                evidence.size_label = filesizeformat(evidence.size)
            if evidence.effective_from:
                day = evidence.effective_from.isoformat()
                evidence.effective_label = effective % {"day": day}
        by_answer[answer_id].append(
            PageLink(
                pk=pk,
                answer_id=answer_id,
                evidence_id=evidence_id,
                needs_reconfirmation=unconfirmed,
                evidence=evidence,
                kind_label=kinds.get(evidence.kind, evidence.kind),
                subject_label=subject % {"title": evidence.title},
                download_url=download(evidence_id),
                detach_url=detach(pk),
                reconfirm_url=reconfirm(pk),
            )
        )
    return by_answer


COMMENT_COLUMNS = (
    "pk",
    "answer_id",
    "evidence_id",
    "text",
    "created_at",
    "evidence__title",
    "author__username",
    "author__first_name",
    "author__last_name",
)


COMMENTS = CompiledQuery(
    lambda assessment, answers, evidence: Comment.objects.filter(
        Q(answer_id__in=answers) | Q(evidence_id__in=evidence),
        assessment_id=assessment,
    ).values_list(*COMMENT_COLUMNS)
)


def _add_comments(assessment, items: list[Item]) -> None:
    """Give each item the comments on its answer and its evidence; one query."""
    answer_ids = {item.answer.pk for item in items if item.answer}
    evidence_ids = {link.evidence_id for item in items for link in item.links}
    if not answer_ids and not evidence_ids:
        return
    by_answer = defaultdict(list)
    by_evidence = defaultdict(list)
    for pk, answer_id, evidence_id, text, created_at, title, *author in COMMENTS(
        assessment.pk, sorted(answer_ids), sorted(evidence_ids)
    ):
        comment = PageComment(
            pk=pk,
            answer_id=answer_id,
            evidence_id=evidence_id,
            author=_person(*author),
            text=text,
            created_at=created_at,
            evidence=None if title is None else CommentSubject(title),
        )
        if answer_id is not None:
            by_answer[answer_id].append(comment)
        if evidence_id is not None:
            by_evidence[evidence_id].append(comment)
    for item in items:
        found = {}
        if item.answer:
            found.update((c.pk, c) for c in by_answer[item.answer.pk])
        for link in item.links:
            found.update((c.pk, c) for c in by_evidence[link.evidence_id])
        item.comments = sorted(found.values(), key=lambda c: (c.created_at, c.pk))


FINDINGS = CompiledQuery(
    lambda assessment, requirements: Finding.objects.filter(
        assessment_id=assessment, requirement_id__in=requirements
    ).values_list("pk", "requirement_id", "kind", "severity", "title")
)


def _add_findings(assessment, items: list[Item]) -> None:
    """Give each item the findings about its requirement; one query."""
    if not items:
        return
    kinds = {value: str(label) for value, label in FindingKind.choices}
    severities = {value: str(label) for value, label in Severity.choices}
    by_requirement = defaultdict(list)
    for pk, requirement_id, kind, severity, title in FINDINGS(
        assessment.pk, [item.requirement.pk for item in items]
    ):
        by_requirement[requirement_id].append(
            PageFinding(
                pk=pk,
                requirement_id=requirement_id,
                kind=kind,
                severity=severity,
                title=title,
                kind_label=kinds.get(kind, kind),
                severity_label=severities.get(severity, severity),
            )
        )
    for item in items:
        item.findings = by_requirement[item.requirement.pk]


def _add_labels_and_urls(assessment, items: list[Item]) -> None:
    """Give each item the labels of its status and verdict and its addresses.

    Each evidence link gets the question asked before detaching it, worded
    here rather than in the template: formatted there, with its values
    escaped one by one, it cost more than the rest of the link.
    """
    detach = gettext(
        "Detach “%(title)s” from %(code)s? The evidence item stays in the "
        "evidence list of the assessment."
    )
    statuses = {value: str(label) for value, label in AnswerStatus.choices}
    verdicts = {value: str(label) for value, label in Verdict.choices}
    addresses = {
        "answer": Address("assessments:answer-update", "code", pk=assessment.pk),
        "evidence": Address(
            "assessments:requirement-evidence", "code", pk=assessment.pk
        ),
        "comment": Address("assessments:comment-add", "code", pk=assessment.pk),
        "review": Address("assessments:review-record", "code", pk=assessment.pk),
    }
    for item in items:
        item.status_label = statuses.get(item.status, "")
        review = item.review
        item.verdict_label = verdicts.get(review.verdict, "") if review else ""
        code = item.requirement.code
        item.urls = {name: address(code) for name, address in addresses.items()}
        for link in item.links:
            link.detach_question = detach % {"title": link.evidence.title, "code": code}


def questionnaire_url(assessment_id, area_code, selected=None) -> str:
    """Return the address of a questionnaire page, filtered by ``selected``."""
    url = reverse(
        "assessments:questionnaire", kwargs={"pk": assessment_id, "area": area_code}
    )
    return f"{url}?show={selected}" if selected else url
