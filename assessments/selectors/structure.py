"""The pages of a questionnaire: modules and lifecycle stages, with their levels."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from assessments.selectors.questionnaire import Address
from maturity.catalogues import get_catalogue, get_structure
from maturity.scoring import Score


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
    # Towards the next level in the self-assessed reading; None at the top.
    progress: float | None = None
    target: int | None = None
    # The level in the verified reading; None when there is none.
    verified_level: int | None = None
    # Towards the next level in the verified reading; None when there is
    # none, or at the top.
    verified_progress: float | None = None
    # Answers rejected or questioned on their current version.
    objections: int = 0
    # The address of its questionnaire page.
    url: str = ""
    stages: list["Area"] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def reached(self) -> bool:
        return self.target is not None and self.level >= self.target


def module_rows(framework_id):
    """Return the modules of a framework in order, and module id -> its stages.

    No query once the framework's structure is in memory.
    """
    structure = get_structure(framework_id)
    return structure.modules, structure.stages


def areas_of(
    assessment,
    statuses: dict[str, str],
    result: Score,
    verified: Score | None = None,
    objections: Collection[str] = (),
) -> list[Area]:
    """Return the modules of ``assessment`` with counts, levels and addresses.

    Lifecycle modules carry their stages in ``stages``. ``verified`` adds
    the levels and progress of the verified reading, ``objections``
    (requirement codes) the count of answers the assessors have to revise
    for the auditor.
    """
    catalogue = get_catalogue(assessment.framework_id)
    address = Address("assessments:questionnaire", "area", pk=assessment.pk)
    total = defaultdict(int)
    answered = defaultdict(int)
    objected = defaultdict(int)
    for ref in catalogue.requirements:
        for key in {ref.module, ref.area}:
            total[key] += 1
            answered[key] += ref.code in statuses
            objected[key] += ref.code in objections

    modules, stages_by_module = module_rows(assessment.framework_id)
    areas = []
    for module in modules:
        module_score = result.modules[module.code]
        area = Area(
            url=address(module.code),
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
            verified_level=verified.modules[module.code].level if verified else None,
            verified_progress=(
                verified.modules[module.code].progress if verified else None
            ),
            objections=objected[module.code],
        )
        for stage in stages_by_module[module.pk]:
            stage_score = module_score.stages[stage.code]
            area.stages.append(
                Area(
                    url=address(stage.code),
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
                    verified_level=(
                        verified.area(stage.code).level if verified else None
                    ),
                    verified_progress=(
                        verified.area(stage.code).progress if verified else None
                    ),
                    objections=objected[stage.code],
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
    """Return the code of the first questionnaire page."""
    for area in areas:
        return area.stages[0].code if area.stages else area.code
    return None


def module_of(areas: list[Area], area: Area) -> Area:
    """Return the module ``area`` belongs to, or ``area`` itself."""
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


def level_summary(result: Score, area_code: str) -> dict:
    """Return the levels of a page, its module and the organisation in ``result``."""
    area = result.area(area_code)
    module = next(
        (
            module
            for code, module in result.modules.items()
            if code == area_code or (module.stages and area_code in module.stages)
        ),
        area,
    )
    return {
        "area": {"code": area_code, "level": area.level},
        "module": {"code": module.code, "level": module.level},
        "overall": {"level": result.organisation.level},
    }
