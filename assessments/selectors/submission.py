"""What keeps an assessment from being submitted, and which status changes are open."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Answer, AnswerStatus, Status, Verdict
from assessments.selectors.questionnaire import questionnaire_url
from assessments.selectors.reviews import VERDICT_COLUMNS
from maturity.catalogues import get_catalogue
from portal.compiled import CompiledQuery


@dataclass(frozen=True)
class Problem:
    """Something that keeps an assessment from being submitted."""

    code: str
    area: str
    kind: str
    url: str

    @property
    def message(self) -> str:
        return str(PROBLEM_MESSAGES[self.kind])

    @property
    def is_objection(self) -> bool:
        """Say whether the auditor, not a gap in the answer, raised it."""
        return self.kind in OBJECTION_KINDS


PROBLEM_MESSAGES = {
    "unanswered": _("Choose a status."),
    "no_evidence": _("Attach at least one evidence item: satisfied needs evidence."),
    "unconfirmed_evidence": _(
        "Reconfirm the evidence carried over from the previous assessment, "
        "or attach new evidence."
    ),
    "no_justification": _("Explain why the requirement does not apply."),
    "rejected": _(
        "The auditor rejected this answer: revise it before submitting again."
    ),
    "needs_information": _(
        "The auditor asked a question about this answer: put the information "
        "asked for in the answer before submitting again; a comment can say "
        "what changed."
    ),
}

# Problems raised by a verdict on the answer's current version.
OBJECTION_KINDS = frozenset({Verdict.REJECTED.value, Verdict.NEEDS_INFORMATION.value})


# What :func:`answer_rows` reads of each answer: the verdict columns first,
# so that ``row[:len(VERDICT_COLUMNS)]`` feeds the review selectors.
ANSWER_COLUMNS = (*VERDICT_COLUMNS, "justification", "links", "confirmed")


def answer_rows(assessment) -> list[tuple]:
    """Return the :data:`ANSWER_COLUMNS` of each answer, as named rows.

    Enough for the statuses, the verdicts, the review counts and the
    submission check at once; one query.
    """
    return ANSWER_ROWS(assessment.pk)


# Counted through a join: EXISTS subqueries, as fast on a small database,
# took six times as long among 140,000 evidence links.
ANSWER_ROWS = CompiledQuery(
    lambda assessment: (
        Answer.objects.filter(assessment_id=assessment)
        .annotate(
            links=Count("evidence_links"),
            confirmed=Count(
                "evidence_links", filter=Q(evidence_links__needs_reconfirmation=False)
            ),
        )
        .values_list(*ANSWER_COLUMNS)
    ),
    named=True,
)


def submission_problems(assessment, rows=None) -> list[Problem]:
    """Return what keeps ``assessment`` from being submitted, in source order.

    Every requirement needs a status; a satisfied one needs at least one
    evidence item (carried-over items count once reconfirmed); a not
    applicable one needs a justification; an answer rejected or questioned
    by the auditor needs revising, that is a version newer than the one the
    verdict was given on. Runs one query, none when given the
    :func:`answer_rows` of ``assessment``.
    """
    if rows is None:
        rows = answer_rows(assessment)
    answers = {row.requirement__code: row for row in rows}
    catalogue = get_catalogue(assessment.framework_id)
    page_urls = {}
    problems = []
    for ref in catalogue.requirements:
        kind = _problem_kind(answers.get(ref.code))
        if not kind:
            continue
        if ref.area not in page_urls:
            page_urls[ref.area] = questionnaire_url(assessment.pk, ref.area)
        url = f"{page_urls[ref.area]}#{ref.code}"
        problems.append(Problem(code=ref.code, area=ref.area, kind=kind, url=url))
    return problems


def _problem_kind(row) -> str | None:
    if row is None or not row.status:
        return "unanswered"
    if row.status == AnswerStatus.SATISFIED:
        if not row.links:
            return "no_evidence"
        if not row.confirmed:
            return "unconfirmed_evidence"
    if row.status == AnswerStatus.NOT_APPLICABLE and not row.justification.strip():
        return "no_justification"
    if (
        row.review__verdict in OBJECTION_KINDS
        and row.review__answer_version == row.version
    ):
        return row.review__verdict
    return None


def available_transitions(user, assessment) -> list[str]:
    """Return the names of the transitions ``user`` may make now."""
    from assessments.services import TRANSITIONS, transition_allowed

    return [name for name in TRANSITIONS if transition_allowed(user, assessment, name)]


def status_label(status) -> str:
    """Return the label of an assessment status."""
    return str(Status(status).label)
