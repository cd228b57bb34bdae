"""The two readings of an assessment: self-assessed and verified by the auditor.

Both are :func:`maturity.scoring.score`; they differ only in the answers
passed in. A finalised assessment shows the readings frozen when it was
finalised, rebuilt from their stored form without scoring again.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.models import Answer, AssessmentTarget
from assessments.selectors.reviews import (
    VERDICT_COLUMNS,
    Verdicts,
    verdicts_from,
    verdicts_of,
)
from maturity.catalogues import get_catalogue, get_requirement_codes, get_structure
from maturity.models import LEVEL_ORDINALS
from maturity.scoring import (
    AreaScore,
    Catalogue,
    LevelResult,
    OrganisationScore,
    Score,
    score,
)
from portal.compiled import CompiledQuery


@dataclass(frozen=True)
class Readings:
    """The self-assessed and the verified reading of one assessment.

    ``verified`` is None for an assessment not audited yet, that is without
    any verdict on any answer (``audited`` is then False), and for one
    finalised before verified readings were frozen; ``frozen`` says the
    readings are the stored ones.
    """

    self_assessed: Score
    verified: Score | None
    frozen: bool
    audited: bool = True


def targets_of(assessment) -> dict[str, int]:
    """Return module code -> target level of ``assessment``; one query.

    The module codes come from the framework's structure in memory, sparing
    the query a join.
    """
    codes = {
        module.pk: module.code
        for module in get_structure(assessment.framework_id).modules
    }
    return {codes[module_id]: level for module_id, level in TARGETS(assessment.pk)}


TARGETS = CompiledQuery(
    lambda assessment: AssessmentTarget.objects.filter(
        assessment_id=assessment
    ).values_list("module_id", "level")
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
    codes = get_requirement_codes(assessment.framework_id)
    return {
        codes[requirement_id]: status
        for requirement_id, status in Answer.objects.filter(assessment=assessment)
        .exclude(status="")
        .values_list("requirement_id", "status")
    }


def answer_standing(assessment) -> tuple[dict[str, str], Verdicts]:
    """Return the self-assessed statuses and the verdicts of ``assessment``.

    :func:`answer_statuses` and :func:`verdicts_of` in one query. The
    requirements' codes are looked up in memory rather than joined.
    """
    return standing_from(assessment.framework_id, STANDING(assessment.pk))


# The rows :func:`standing_from` reads: :data:`VERDICT_COLUMNS` with the
# requirement's id in place of its code.
STANDING = CompiledQuery(
    lambda assessment: Answer.objects.filter(assessment_id=assessment).values_list(
        "requirement_id", *VERDICT_COLUMNS[1:]
    )
)


def standing_from(framework_id, rows) -> tuple[dict[str, str], Verdicts]:
    """Return what :func:`answer_standing` does, from rows of :data:`STANDING`."""
    codes = get_requirement_codes(framework_id)
    rows = [(codes[requirement_id], *columns) for requirement_id, *columns in rows]
    statuses = {code: status for code, status, *_review in rows if status}
    return statuses, verdicts_from(rows)


def verified_statuses(assessment) -> dict[str, str]:
    """Return requirement code -> status of the answers an auditor accepted.

    An acceptance counts only when given on the answer's current version;
    rejected, questioned and unreviewed answers are left out, so they score
    as unanswered. One query.
    """
    return verdicts_of(assessment).accepted


def assessment_score(assessment, statuses=None) -> Score:
    """Score the self-assessed answers of ``assessment``; two queries."""
    if statuses is None:
        statuses = answer_statuses(assessment)
    return score(
        get_catalogue(assessment.framework_id), statuses, targets_of(assessment)
    )


def readings_of(
    assessment, statuses=None, verdicts: Verdicts | None = None
) -> Readings:
    """Return both readings of ``assessment``, frozen ones once finalised.

    No query for a finalised assessment; otherwise two, and one when either
    the self-assessed ``statuses`` or the ``verdicts`` are given.
    """
    catalogue = get_catalogue(assessment.framework_id)
    if assessment.is_finalised and assessment.self_scores is not None:
        verified = assessment.verified_scores
        return Readings(
            self_assessed=frozen_score(assessment.self_scores, catalogue),
            verified=None if verified is None else frozen_score(verified, catalogue),
            frozen=True,
        )
    if statuses is None and verdicts is None:
        statuses, verdicts = answer_standing(assessment)
    elif statuses is None:
        statuses = answer_statuses(assessment)
    elif verdicts is None:
        verdicts = verdicts_of(assessment)
    targets = targets_of(assessment)
    return Readings(
        self_assessed=score(catalogue, statuses, targets),
        verified=(
            score(catalogue, verdicts.accepted, targets) if verdicts.audited else None
        ),
        frozen=False,
        audited=verdicts.audited,
    )


def frozen_score(data: dict, catalogue: Catalogue) -> Score:
    """Rebuild a Score from its ``to_dict()`` form, in the catalogue's order.

    The order comes from the catalogue because PostgreSQL's jsonb does not
    keep the order of keys.
    """
    modules = {}
    for code in catalogue.modules:
        module = data["modules"][code]
        stages = None
        if code in catalogue.stages:
            stages = {
                stage: _frozen_area(stage, module["stages"][stage])
                for stage in catalogue.stages[code]
            }
        modules[code] = _frozen_area(code, module, stages)
    organisation = data["organisation"]
    return Score(
        modules=modules,
        organisation=OrganisationScore(
            level=organisation["level"],
            mean=Decimal(str(organisation["mean"])).quantize(Decimal("0.01")),
            distribution={
                level: organisation["distribution"].get(str(level), 0)
                for level in range(6)
            },
        ),
    )


def _frozen_area(code: str, data: dict, stages=None) -> AreaScore:
    levels = tuple(
        LevelResult(
            number,
            row["total"],
            row["applicable"],
            row["satisfied"],
            row["met"],
            tuple(row["unmet"]),
        )
        for number, row in sorted(
            ((int(key), row) for key, row in data["levels"].items()),
            key=lambda item: item[0],
        )
    )
    return AreaScore(
        code=code,
        level=data["level"],
        levels=levels,
        progress=data["progress"],
        target=data.get("target"),
        gaps={
            int(level): tuple(codes)
            for level, codes in sorted(
                data.get("gaps", {}).items(), key=lambda item: int(item[0])
            )
        },
        stages=stages,
    )


def level_names(framework_id) -> dict[int, str]:
    """Return level number (0 to 5) -> its full name, e.g. 第二级 基础级.

    Level 0 is named after the first level: 未达到初始级, "Not yet Initial".
    """
    return level_names_of([framework_id])[framework_id]


def level_names_of(framework_ids) -> dict[int, dict[int, str]]:
    """Return framework id -> :func:`level_names` for several frameworks.

    No query for a framework whose structure is in memory.
    """
    english = not (get_language() or "").startswith("zh")
    names = {}
    for framework_id in framework_ids:
        framework_names = names[framework_id] = {}
        for level in get_structure(framework_id).levels:
            name = level.name_en if english else level.name
            framework_names[level.number] = _("%(ordinal)s %(name)s") % {
                "ordinal": LEVEL_ORDINALS.get(level.number, level.number),
                "name": name,
            }
            if level.number == 1:
                framework_names[0] = _("Not yet %(name)s") % {"name": name}
        framework_names.setdefault(0, _("Not yet at the first level"))
    return names
