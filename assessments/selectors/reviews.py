"""Reads of the auditor's review: verdict counts, findings, requirement choices."""

from dataclasses import dataclass

from assessments.models import Answer, Finding, Verdict
from maturity.models import Requirement


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
    def total(self) -> int:
        return (
            self.accepted
            + self.rejected
            + self.needs_information
            + self.outdated
            + self.unreviewed
        )


def review_summary(assessment) -> ReviewSummary:
    """Count the answers of ``assessment`` by their verdict; one query."""
    counts = dict.fromkeys(
        ["accepted", "rejected", "needs_information", "outdated", "unreviewed"], 0
    )
    for verdict, reviewed_version, version in (
        Answer.objects.filter(assessment=assessment)
        .exclude(status="")
        .values_list("review__verdict", "review__answer_version", "version")
    ):
        if verdict is None:
            counts["unreviewed"] += 1
        elif reviewed_version != version:
            counts["outdated"] += 1
        else:
            counts[Verdict(verdict).value] += 1
    return ReviewSummary(**counts)


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
