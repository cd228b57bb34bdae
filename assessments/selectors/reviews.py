"""Reads of the auditor's review: verdict counts, findings, requirement choices."""

from dataclasses import dataclass

from assessments.models import Answer, Finding, Verdict
from maturity.models import Requirement

# Verdicts that send an answer back to the assessors.
OBJECTIONS = frozenset({Verdict.REJECTED, Verdict.NEEDS_INFORMATION})


@dataclass(frozen=True)
class ReviewSummary:
    """How the answered requirements of an assessment stand with the auditor."""

    accepted: int
    rejected: int
    needs_information: int
    # Answers changed since their verdict, which the auditor must see again.
    outdated: int
    unreviewed: int

    @property
    def awaiting(self) -> int:
        """Count the answers without a verdict on their current version."""
        return self.outdated + self.unreviewed

    @property
    def objections(self) -> int:
        """Count the answers rejected or questioned on their current version."""
        return self.rejected + self.needs_information

    @property
    def total(self) -> int:
        return (
            self.accepted
            + self.rejected
            + self.needs_information
            + self.outdated
            + self.unreviewed
        )


def review_summary_from(rows) -> ReviewSummary:
    """Count answer rows holding :data:`VERDICT_COLUMNS` by their verdict.

    Rows of unanswered requirements (an empty status) are not counted.
    """
    counts = dict.fromkeys(
        ["accepted", "rejected", "needs_information", "outdated", "unreviewed"], 0
    )
    for _code, status, version, verdict, reviewed_version in rows:
        if not status:
            continue
        if verdict is None:
            counts["unreviewed"] += 1
        elif reviewed_version != version:
            counts["outdated"] += 1
        else:
            counts[Verdict(verdict).value] += 1
    return ReviewSummary(**counts)


@dataclass(frozen=True)
class Verdicts:
    """Where the verdicts on the answers of an assessment stand now."""

    # Requirement code -> status of the answers accepted on their version.
    accepted: dict[str, str]
    # Requirement code -> verdict of the answers rejected or questioned on
    # their current version, which the assessors have still to revise.
    objections: dict[str, str]
    # Whether any answer was ever given a verdict, current or not.
    audited: bool


def verdicts_of(assessment) -> Verdicts:
    """Return the verdicts on the answers of ``assessment``; one query."""
    return verdicts_from(
        Answer.objects.filter(assessment=assessment, review__isnull=False).values_list(
            *VERDICT_COLUMNS
        )
    )


# What :func:`verdicts_from` reads of each answer, in this order.
VERDICT_COLUMNS = (
    "requirement__code",
    "status",
    "version",
    "review__verdict",
    "review__answer_version",
)


def verdicts_from(rows) -> Verdicts:
    """Return the verdicts of answer rows holding :data:`VERDICT_COLUMNS`.

    Rows of answers without a review (a verdict of None) are skipped.
    """
    accepted = {}
    objections = {}
    audited = False
    for code, status, version, verdict, reviewed_version in rows:
        if verdict is None:
            continue
        audited = True
        if reviewed_version != version or not status:
            continue
        if verdict == Verdict.ACCEPTED:
            accepted[code] = status
        elif verdict in OBJECTIONS:
            objections[code] = verdict
    return Verdicts(accepted=accepted, objections=objections, audited=audited)


def findings_of(assessment):
    """Return the findings of ``assessment`` with their requirements and authors."""
    return list(
        Finding.objects.filter(assessment=assessment).select_related(
            "requirement", "created_by"
        )
    )


def get_finding(assessment, pk) -> Finding | None:
    """Return finding ``pk`` of ``assessment``, or None."""
    return (
        Finding.objects.filter(assessment=assessment, pk=pk)
        .select_related("requirement")
        .first()
    )


def requirement_choices(framework_id) -> list[tuple[int, str]]:
    """Return (pk, "code text") of every requirement, in source order; one query."""
    return [
        (pk, f"{code} {text[:60]}{'…' if len(text) > 60 else ''}")
        for pk, code, text in Requirement.objects.filter(framework_id=framework_id)
        .order_by("sequence")
        .values_list("pk", "code", "text")
    ]
