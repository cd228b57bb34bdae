"""The dashboard of an assessment: levels, charts and gaps, all from the readings.

Every figure comes from :func:`maturity.scoring.score` through
:func:`readings_of`; nothing here decides a level.
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.selectors.questionnaire import questionnaire_url
from assessments.selectors.readings import answer_statuses, level_names, readings_of
from assessments.selectors.reviews import review_summary
from assessments.selectors.structure import module_rows
from maturity.catalogues import get_catalogue
from maturity.models import Requirement
from maturity.scoring import Score
from reports.charts import Series, module_radar, stage_bars, svg_data_uri

SELF_ASSESSED = "self"
VERIFIED = "verified"
# The radar needs three axes to draw an area.
RADAR_MIN_MODULES = 3


@dataclass
class Standing:
    """A module or stage in both readings, against its target."""

    code: str
    name: str
    name_en: str
    level: int
    verified_level: int | None
    target: int | None
    progress: float | None
    stages: list["Standing"] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return self.target is not None and self.level >= self.target

    @property
    def verified_reached(self) -> bool:
        return (
            self.target is not None
            and self.verified_level is not None
            and self.verified_level >= self.target
        )

    @property
    def title(self) -> str:
        """Return the name in the language of the page."""
        return self.name if _chinese() else self.name_en

    def chart_label(self) -> str:
        """Return the name on a chart axis: the code where English runs long."""
        return self.name if _chinese() else self.code


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


@dataclass(frozen=True)
class GapRequirement:
    """A requirement that keeps a module from its target."""

    code: str
    text: str
    url: str


@dataclass
class ModuleGaps:
    """The requirements between a module's level and its target, by level."""

    module: Standing
    levels: list[tuple[int, list[GapRequirement]]]

    @property
    def count(self) -> int:
        return sum(len(requirements) for _level, requirements in self.levels)


def assessment_dashboard(assessment, gap_reading: str | None = None) -> dict:
    """Return the figures, charts and gap list of ``assessment``'s dashboard.

    The gap list follows the self-assessed reading, or the verified one
    when ``gap_reading`` asks for it (the default once finalised). Nine
    queries at most, whatever the number of answers.
    """
    statuses = answer_statuses(assessment)
    readings = readings_of(assessment, statuses)
    verified = readings.verified
    if gap_reading not in {SELF_ASSESSED, VERIFIED}:
        gap_reading = VERIFIED if readings.frozen and verified else SELF_ASSESSED
    if verified is None:
        gap_reading = SELF_ASSESSED
    names = level_names(assessment.framework_id)

    modules, stages_by_module = module_rows(assessment.framework_id)
    standings = []
    for module in modules:
        standing = _standing(module, readings.self_assessed, verified)
        for stage in stages_by_module[module.pk]:
            standing.stages.append(_standing(stage, readings.self_assessed, verified))
        standings.append(standing)

    chosen = verified if gap_reading == VERIFIED else readings.self_assessed
    organisation = readings.self_assessed.organisation
    return {
        "readings": readings,
        "level_names": names,
        "organisation": {
            "level": organisation.level,
            "name": names[organisation.level],
            "mean": organisation.mean,
            "verified_level": verified.organisation.level if verified else None,
            "verified_name": names[verified.organisation.level] if verified else "",
            "verified_mean": verified.organisation.mean if verified else None,
        },
        "distribution": [
            {
                "level": level,
                "name": names[level],
                "count": organisation.distribution[level],
                "verified_count": (
                    verified.organisation.distribution[level] if verified else None
                ),
            }
            for level in sorted(organisation.distribution)
        ],
        "modules": standings,
        "answered": len(statuses),
        "total": len(get_catalogue(assessment.framework_id).requirements),
        "review": review_summary(assessment),
        "gap_reading": gap_reading,
        "gaps": _gaps(assessment, standings, chosen),
        "radar": _radar(standings, verified is not None),
        "stage_charts": [
            (standing, _bars(standing, verified is not None))
            for standing in standings
            if standing.stages
        ],
    }


def _standing(area, self_assessed: Score, verified: Score | None) -> Standing:
    result = self_assessed.area(area.code)
    return Standing(
        code=area.code,
        name=area.name,
        name_en=area.name_en,
        level=result.level,
        verified_level=verified.area(area.code).level if verified else None,
        target=result.target,
        progress=result.progress,
    )


def _gaps(assessment, standings, result: Score) -> list[ModuleGaps]:
    """Return, per module short of its target, what blocks it; one query."""
    codes = {
        code
        for module in result.modules.values()
        for level_codes in module.gaps.values()
        for code in level_codes
    }
    texts = dict(
        Requirement.objects.filter(
            framework_id=assessment.framework_id, code__in=codes
        ).values_list("code", "text")
    )
    areas = {
        ref.code: ref.area
        for ref in get_catalogue(assessment.framework_id).requirements
    }
    page_urls = {}
    gaps = []
    for standing in standings:
        levels = []
        for level, level_codes in result.modules[standing.code].gaps.items():
            requirements = []
            for code in level_codes:
                area = areas[code]
                if area not in page_urls:
                    page_urls[area] = questionnaire_url(assessment.pk, area)
                requirements.append(
                    GapRequirement(
                        code=code,
                        text=texts.get(code, ""),
                        url=f"{page_urls[area]}#{code}",
                    )
                )
            levels.append((level, requirements))
        if levels:
            gaps.append(ModuleGaps(module=standing, levels=levels))
    return gaps


def _series(areas: list[Standing], with_verified: bool) -> list[Series]:
    series = [Series(_("Self-assessed"), [a.level for a in areas], "self_assessed")]
    if with_verified:
        series.append(
            Series(_("Verified"), [a.verified_level for a in areas], "verified")
        )
    if any(a.target is not None for a in areas):
        series.append(Series(_("Target"), [a.target for a in areas], "target"))
    return series


def _radar(standings, with_verified: bool) -> str | None:
    """Return the radar of the module levels as a data: URI, or None."""
    if len(standings) < RADAR_MIN_MODULES:
        return None
    svg = module_radar(
        [standing.chart_label() for standing in standings],
        _series(standings, with_verified),
    )
    return svg_data_uri(svg)


def _bars(module: Standing, with_verified: bool) -> str:
    """Return the bars of a staged module's stage levels as a data: URI."""
    svg = stage_bars(
        [stage.chart_label() for stage in module.stages],
        _series(module.stages, with_verified),
    )
    return svg_data_uri(svg)
