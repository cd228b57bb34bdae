"""Reads of organisations, assessments, questionnaires and evidence.

Each function runs a fixed number of queries, whatever the number of
requirements, answers or evidence items, so that pages cost the same for a
small and a large assessment. Levels come only from ``maturity.scoring``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    Answer,
    AnswerStatus,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Evidence,
    EvidenceLink,
    Membership,
    Status,
    StatusChange,
    Verdict,
)
from assessments.permissions import active_grants
from maturity.catalogues import get_catalogue
from maturity.models import Module, Requirement, Stage
from maturity.scoring import Score, score
from maturity.selectors import levels_of


class Filter:
    """Names of the questionnaire filters."""

    UNANSWERED = "unanswered"
    NOT_SATISFIED = "not_satisfied"
    MISSING_EVIDENCE = "missing_evidence"
    # Answers the auditor rejected; the review that sets them comes later.
    REJECTED = "rejected"

    choices = (
        (UNANSWERED, _("Unanswered")),
        (NOT_SATISFIED, _("Partially or not satisfied")),
        (MISSING_EVIDENCE, _("Satisfied without evidence")),
    )


# ---------------------------------------------------------------- people


def memberships_of(user):
    """Return the user's memberships with their organisations, by name."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def members_of(organisation):
    """Return the memberships of ``organisation`` with their users."""
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def grants_of(assessment):
    """Return every auditor grant of ``assessment``, newest first."""
    return list(
        AuditorGrant.objects.filter(assessment=assessment).select_related(
            "user", "granted_by", "revoked_by"
        )
    )


def granted_assessments(user):
    """Return the assessments ``user`` reviews through active grants."""
    grants = (
        active_grants().filter(user=user).select_related("assessment__organisation")
    )
    return [grant.assessment for grant in grants.order_by("assessment__title")]


# ----------------------------------------------------------- assessments


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


def targets_of(assessment) -> dict[str, int]:
    """Return module code -> target level of ``assessment``."""
    return dict(
        AssessmentTarget.objects.filter(assessment=assessment).values_list(
            "module__code", "level"
        )
    )


def target_rows(assessment):
    """Return the targets of ``assessment`` with their modules, in order."""
    return list(
        AssessmentTarget.objects.filter(assessment=assessment)
        .select_related("module")
        .order_by("module__position")
    )


def answer_statuses(assessment) -> dict[str, str]:
    """Return requirement code -> status of the answered requirements."""
    return dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(status="")
        .values_list("requirement__code", "status")
    )


def verified_statuses(assessment) -> dict[str, str]:
    """Return requirement code -> status of the answers an auditor accepted.

    An acceptance counts only when given on the answer's current version;
    rejected, questioned and unreviewed answers are left out, so they score
    as unanswered. One query.
    """
    return dict(
        Answer.objects.filter(
            assessment=assessment,
            review__verdict=Verdict.ACCEPTED,
            review__answer_version=F("version"),
        )
        .exclude(status="")
        .values_list("requirement__code", "status")
    )


def assessment_score(assessment, statuses=None) -> Score:
    """Score the self-assessed answers of ``assessment``; two queries."""
    if statuses is None:
        statuses = answer_statuses(assessment)
    return score(
        get_catalogue(assessment.framework_id), statuses, targets_of(assessment)
    )


def status_history(assessment):
    """Return the status changes of ``assessment`` with their actors."""
    return list(
        StatusChange.objects.filter(assessment=assessment).select_related("actor")
    )


def previous_candidates(organisation):
    """Return the assessments a new one of ``organisation`` may start from."""
    return list(
        Assessment.objects.filter(organisation=organisation).order_by(
            "-period_end", "-pk"
        )
    )


# ------------------------------------------------------------- structure


@dataclass
class Area:
    """A questionnaire page: a module, or a stage of the lifecycle module."""

    code: str
    name: str
    name_en: str
    module_code: str
    is_stage: bool
    answered: int = 0
    total: int = 0
    level: int = 0
    progress: float | None = None
    target: int | None = None
    stages: list["Area"] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def _module_rows(framework_id):
    modules = list(
        Module.objects.filter(framework_id=framework_id).order_by("position")
    )
    stages = defaultdict(list)
    for stage in Stage.objects.filter(module__framework_id=framework_id).order_by(
        "position"
    ):
        stages[stage.module_id].append(stage)
    return modules, stages


def areas_of(assessment, statuses: dict[str, str], result: Score) -> list[Area]:
    """Return the modules of ``assessment`` with counts and levels; two queries.

    Lifecycle modules carry their stages in ``stages``.
    """
    catalogue = get_catalogue(assessment.framework_id)
    total = defaultdict(int)
    answered = defaultdict(int)
    for ref in catalogue.requirements:
        for key in {ref.module, ref.area}:
            total[key] += 1
            answered[key] += ref.code in statuses

    modules, stages_by_module = _module_rows(assessment.framework_id)
    areas = []
    for module in modules:
        module_score = result.modules[module.code]
        area = Area(
            code=module.code,
            name=module.name,
            name_en=module.name_en,
            module_code=module.code,
            is_stage=False,
            answered=answered[module.code],
            total=total[module.code],
            level=module_score.level,
            progress=module_score.progress,
            target=module_score.target,
        )
        for stage in stages_by_module[module.pk]:
            stage_score = module_score.stages[stage.code]
            area.stages.append(
                Area(
                    code=stage.code,
                    name=stage.name,
                    name_en=stage.name_en,
                    module_code=module.code,
                    is_stage=True,
                    answered=answered[stage.code],
                    total=total[stage.code],
                    level=stage_score.level,
                    progress=stage_score.progress,
                    target=stage_score.target,
                )
            )
        areas.append(area)
    return areas


def find_area(areas: list[Area], code: str) -> Area | None:
    """Return the page ``code`` among ``areas``: a module without stages or a stage."""
    for area in areas:
        if area.code == code and not area.stages:
            return area
        for stage in area.stages:
            if stage.code == code:
                return stage
    return None


def first_area_code(areas: list[Area]) -> str | None:
    for area in areas:
        return area.stages[0].code if area.stages else area.code
    return None


def module_of(areas: list[Area], area: Area) -> Area:
    return next(module for module in areas if module.code == area.module_code)


def area_summary(assessment, area_code: str, result: Score, statuses) -> dict:
    """Return the level, progress and counts of one page and its module."""
    catalogue = get_catalogue(assessment.framework_id)
    refs = [ref for ref in catalogue.requirements if ref.area == area_code]
    module_code = refs[0].module if refs else area_code
    module_refs = [ref for ref in catalogue.requirements if ref.module == module_code]
    area_score = result.area(area_code)
    module_score = result.modules[module_code]
    return {
        "area": {
            "code": area_code,
            "level": area_score.level,
            "progress": area_score.progress,
            "answered": sum(ref.code in statuses for ref in refs),
            "total": len(refs),
        },
        "module": {
            "code": module_code,
            "level": module_score.level,
            "progress": module_score.progress,
            "answered": sum(ref.code in statuses for ref in module_refs),
            "total": len(module_refs),
        },
        "overall": {
            "level": result.organisation.level,
            "answered": len(statuses),
            "total": len(catalogue.requirements),
        },
    }


# --------------------------------------------------------- questionnaire


@dataclass
class Item:
    """One requirement on a questionnaire page, with its answer and evidence."""

    requirement: Requirement
    answer: Answer | None
    links: list[EvidenceLink]

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
        # No answer is rejected until the auditor's review exists.
        return selected != Filter.REJECTED


def area_requirements(framework_id, area: Area):
    """Return the requirements of a questionnaire page, by level then position."""
    requirements = Requirement.objects.filter(framework_id=framework_id)
    if area.is_stage:
        requirements = requirements.filter(stage__code=area.code)
    else:
        requirements = requirements.filter(module__code=area.code, stage__isnull=True)
    return list(requirements.order_by("level", "position", "sequence"))


def questionnaire_page(assessment, area: Area, selected: str | None = None) -> dict:
    """Return the requirements of one page grouped by level; five queries.

    Each level group holds :class:`Item` rows filtered by ``selected``.
    """
    requirements = area_requirements(assessment.framework_id, area)
    links = EvidenceLink.objects.select_related("evidence").order_by(
        "evidence__title", "pk"
    )
    answers = {
        answer.requirement_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, requirement__in=[r.pk for r in requirements]
        ).prefetch_related(Prefetch("evidence_links", queryset=links))
    }
    items = []
    for requirement in requirements:
        answer = answers.get(requirement.pk)
        item_links = list(answer.evidence_links.all()) if answer else []
        items.append(Item(requirement=requirement, answer=answer, links=item_links))

    shown = [item for item in items if item.matches(selected)]
    groups = []
    for level in levels_of(assessment.framework_id):
        level_items = [i for i in shown if i.requirement.level == level.number]
        if level_items:
            groups.append({"level": level, "items": level_items})
    return {"groups": groups, "shown": len(shown), "total": len(items)}


def evidence_choices(assessment):
    """Return the evidence items of ``assessment`` for the attach-existing list."""
    return list(
        Evidence.objects.filter(assessment=assessment)
        .only("pk", "title", "kind", "original_name")
        .order_by("title", "pk")
    )


def evidence_of(assessment):
    """Return the evidence items of ``assessment`` with the codes they support."""
    links = EvidenceLink.objects.select_related("answer__requirement").order_by(
        "answer__requirement__sequence"
    )
    return list(
        Evidence.objects.filter(assessment=assessment)
        .select_related("created_by")
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("title", "pk")
    )


def get_evidence(assessment, pk) -> Evidence | None:
    return Evidence.objects.filter(assessment=assessment, pk=pk).first()


# ------------------------------------------------------------ submission


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


PROBLEM_MESSAGES = {
    "unanswered": _("Choose a status."),
    "no_evidence": _("Attach at least one evidence item: satisfied needs evidence."),
    "unconfirmed_evidence": _(
        "Reconfirm the evidence carried over from the previous assessment, "
        "or attach new evidence."
    ),
    "no_justification": _("Explain why the requirement does not apply."),
}


def submission_problems(assessment) -> list[Problem]:
    """Return what keeps ``assessment`` from being submitted, in source order.

    Every requirement needs a status; a satisfied one needs at least one
    evidence item (carried-over items count once reconfirmed); a not
    applicable one needs a justification. Runs one query.
    """
    catalogue = get_catalogue(assessment.framework_id)
    answers = {
        row["requirement__code"]: row
        for row in Answer.objects.filter(assessment=assessment)
        .annotate(
            links=Count("evidence_links"),
            confirmed=Count(
                "evidence_links", filter=Q(evidence_links__needs_reconfirmation=False)
            ),
        )
        .values("requirement__code", "status", "justification", "links", "confirmed")
    }
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


def questionnaire_url(assessment_id, area_code, selected=None) -> str:
    url = reverse(
        "assessments:questionnaire", kwargs={"pk": assessment_id, "area": area_code}
    )
    return f"{url}?show={selected}" if selected else url


def _problem_kind(row) -> str | None:
    if row is None or not row["status"]:
        return "unanswered"
    if row["status"] == AnswerStatus.SATISFIED:
        if row["links"] == 0:
            return "no_evidence"
        if row["confirmed"] == 0:
            return "unconfirmed_evidence"
    if (
        row["status"] == AnswerStatus.NOT_APPLICABLE
        and not row["justification"].strip()
    ):
        return "no_justification"
    return None


def available_transitions(user, assessment) -> list[str]:
    """Return the names of the transitions ``user`` may make now."""
    from assessments.services import TRANSITIONS, transition_allowed

    return [name for name in TRANSITIONS if transition_allowed(user, assessment, name)]


def status_label(status) -> str:
    return str(Status(status).label)
