"""Reads of assessments: lists, the overview, history, organisation standing."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from assessments.models import (
    Answer,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Status,
    StatusChange,
    Verdict,
)
from assessments.permissions import active_grants
from assessments.selectors.readings import level_names, level_names_of, readings_of
from assessments.selectors.reviews import (
    VERDICT_COLUMNS,
    review_summary_from,
    verdicts_from,
)
from assessments.selectors.structure import areas_of, first_area_code
from assessments.selectors.submission import answer_rows, submission_problems
from maturity.catalogues import get_catalogue
from maturity.scoring import score


def assessments_of(organisation):
    """Return the assessments of ``organisation``, latest period first."""
    return list(
        Assessment.objects.filter(organisation=organisation).select_related("framework")
    )


def member_assessments(user, limit=20):
    """Return the assessments of the user's organisations, latest period first."""
    return list(
        Assessment.objects.filter(organisation__memberships__user=user)
        .select_related("organisation", "framework")
        .distinct()[:limit]
    )


def ended_audits(user) -> list[AuditorGrant]:
    """Return the latest ended grant of ``user`` for each assessment; one query.

    A grant ends when revoked or past its last day. Each comes with its
    assessment and organisation, the latest grant first; assessments the
    user audits now are left out.
    """
    grants = (
        AuditorGrant.objects.filter(user=user)
        .exclude(assessment__in=active_grants().filter(user=user).values("assessment"))
        .select_related("assessment__organisation")
        .order_by("-granted_at", "-pk")
    )
    latest = {}
    for grant in grants:
        latest.setdefault(grant.assessment_id, grant)
    return list(latest.values())


def status_history(assessment):
    """Return the status changes of ``assessment`` with their actors."""
    return list(
        StatusChange.objects.filter(assessment=assessment).select_related("actor")
    )


# Statuses that mean the assessment went to the auditor.
SENT_TO_AUDITOR = frozenset({Status.SUBMITTED, Status.IN_REVIEW})


def went_to_auditor(assessment, history=None) -> bool:
    """Return whether ``assessment`` was ever submitted or in review.

    ``history``, its status changes when already read, saves the query.
    """
    if history is None:
        return StatusChange.objects.filter(
            assessment=assessment, to_status__in=SENT_TO_AUDITOR
        ).exists()
    return any(change.to_status in SENT_TO_AUDITOR for change in history)


def is_deletable(assessment, history=None) -> bool:
    """Return whether ``assessment`` is a draft that never went to the auditor."""
    return assessment.status == Status.DRAFT and not went_to_auditor(
        assessment, history
    )


def assessment_overview(assessment) -> dict:
    """Return the standing, review, problems and history of ``assessment``.

    The answers are read once for the statuses, the verdicts, the review
    counts and the submission check; six queries in all, whatever the
    number of answers.
    """
    rows = answer_rows(assessment)
    verdict_rows = [row[: len(VERDICT_COLUMNS)] for row in rows]
    statuses = {row.requirement__code: row.status for row in rows if row.status}
    readings = readings_of(assessment, statuses, verdicts_from(verdict_rows))
    areas = areas_of(assessment, statuses, readings.self_assessed, readings.verified)
    problems = submission_problems(assessment, rows) if assessment.is_editable else []
    history = status_history(assessment)
    return {
        "areas": areas,
        "readings": readings,
        "level_names": level_names(assessment.framework_id),
        "review": (
            review_summary_from(verdict_rows) if assessment.was_submitted else None
        ),
        "answered": len(statuses),
        "total": sum(area.total for area in areas),
        "problems": problems,
        "gaps": [problem for problem in problems if not problem.is_objection],
        "objections": [problem for problem in problems if problem.is_objection],
        "history": history,
        # Why the auditor sent it back, while it is back with the assessors.
        "returned": (
            history[-1]
            if assessment.status == Status.RETURNED
            and history
            and history[-1].to_status == Status.RETURNED
            else None
        ),
        "first_area": first_area_code(areas),
        "deletable": is_deletable(assessment, history),
    }


def previous_candidates(organisation):
    """Return the assessments a new one of ``organisation`` may start from."""
    return list(
        Assessment.objects.filter(organisation=organisation).order_by(
            "-period_end", "-pk"
        )
    )


@dataclass
class AssessmentStanding:
    """One assessment in an organisation's list: progress and both readings."""

    assessment: Assessment
    answered: int
    total: int
    self_level: int
    # None for an assessment no auditor has given a verdict on yet, and for
    # one finalised before verified readings were kept.
    verified_level: int | None
    level_name: str = ""
    verified_level_name: str = ""

    @property
    def progress(self) -> float:
        return self.answered / self.total if self.total else 0.0


def organisation_standing(organisation) -> list[AssessmentStanding]:
    """Return the assessments of ``organisation`` with progress and levels.

    Four queries however many assessments and answers there are (plus
    the catalogue of a framework not read before). Finalised assessments
    show their frozen readings.
    """
    assessments = assessments_of(organisation)
    names = level_names_of({assessment.framework_id for assessment in assessments})
    accepted = ExpressionWrapper(
        Q(review__verdict=Verdict.ACCEPTED, review__answer_version=F("version")),
        output_field=BooleanField(),
    )
    statuses = defaultdict(dict)
    verified = defaultdict(dict)
    # Assessments with a verdict on any answer; the others have no verified
    # reading yet, as on their own pages.
    audited = set()
    for assessment_id, code, status, is_accepted, reviewed in (
        Answer.objects.filter(assessment__organisation=organisation)
        .exclude(status="")
        .annotate(
            accepted=accepted,
            reviewed=ExpressionWrapper(
                Q(review__isnull=False), output_field=BooleanField()
            ),
        )
        .values_list(
            "assessment_id", "requirement__code", "status", "accepted", "reviewed"
        )
    ):
        statuses[assessment_id][code] = status
        if is_accepted:
            verified[assessment_id][code] = status
        if reviewed:
            audited.add(assessment_id)
    targets = defaultdict(dict)
    for assessment_id, code, level in AssessmentTarget.objects.filter(
        assessment__organisation=organisation
    ).values_list("assessment_id", "module__code", "level"):
        targets[assessment_id][code] = level

    rows = []
    for assessment in assessments:
        catalogue = get_catalogue(assessment.framework_id)
        if assessment.is_finalised and assessment.self_scores is not None:
            self_level = assessment.self_scores["organisation"]["level"]
            frozen = assessment.verified_scores
            verified_level = frozen["organisation"]["level"] if frozen else None
        else:
            pk = assessment.pk
            self_level = score(catalogue, statuses[pk], targets[pk]).organisation.level
            verified_level = (
                score(catalogue, verified[pk], targets[pk]).organisation.level
                if pk in audited
                else None
            )
        rows.append(
            AssessmentStanding(
                assessment=assessment,
                answered=len(statuses[assessment.pk]),
                total=len(catalogue.requirements),
                self_level=self_level,
                verified_level=verified_level,
                level_name=names[assessment.framework_id][self_level],
                verified_level_name=(
                    names[assessment.framework_id][verified_level]
                    if verified_level is not None
                    else ""
                ),
            )
        )
    return rows
