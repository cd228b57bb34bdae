"""The dashboard of an assessment: levels, charts and gaps, all from the readings.

Every figure comes from :func:`maturity.scoring.score` through
:func:`readings_of`; nothing here decides a level. The charts are kept in
the cache under a digest of everything they draw, so a chart is drawn once
per set of figures and language, and a changed figure is a new key.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pygal
import redis
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.selectors.questionnaire import questionnaire_url
from assessments.selectors.readings import answer_standing, level_names, readings_of
from assessments.selectors.structure import module_rows
from maturity.catalogues import get_catalogue, get_requirement
from maturity.scoring import Score
from reports import charts
from reports.charts import (
    Series,
    module_radar,
    stage_bars,
    stage_rows,
    svg_data_uri,
)

logger = logging.getLogger(__name__)

SELF_ASSESSED = "self"
VERIFIED = "verified"
# The radar needs three axes to draw an area.
RADAR_MIN_MODULES = 3

# A chart's key is a digest of its figures, so an entry is never stale;
# the timeout only lets charts nobody looks at any more leave the cache.
CHART_CACHE_TIMEOUT = 60 * 60 * 24 * 30
CHART_CACHE_PREFIX = "dashboard-chart"
# The drawing code, the fonts it names and pygal's version are part of
# every key: a release that draws differently does not show charts drawn
# by the one before.
DRAWING_VERSION = hashlib.sha256(
    b"\0".join(
        [
            Path(charts.__file__).read_bytes(),
            charts.CSS_FONT_STACK.encode(),
            pygal.__version__.encode(),
        ]
    )
).hexdigest()[:16]


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
    when ``gap_reading`` asks for it (the default once finalised). Five
    queries at most, whatever the number of answers, and none to draw a
    chart already in the cache.
    """
    statuses, verdicts = answer_standing(assessment)
    readings = readings_of(assessment, statuses, verdicts)
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
    radar, stage_charts = _charts(standings, verified is not None)
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
        # Accepted on their current version, as the verified reading counts.
        "accepted": len(verdicts.accepted),
        "gap_reading": gap_reading,
        "gaps": _gaps(assessment, standings, chosen),
        "radar": radar,
        "stage_charts": stage_charts,
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
    """Return, per module short of its target, what blocks it; no query."""
    page_urls = {}
    gaps = []
    for standing in standings:
        levels = []
        for level, level_codes in result.modules[standing.code].gaps.items():
            requirements = []
            for code in level_codes:
                requirement = get_requirement(assessment.framework_id, code)
                area = requirement.area_code
                if area not in page_urls:
                    page_urls[area] = questionnaire_url(assessment.pk, area)
                requirements.append(
                    GapRequirement(
                        code=code,
                        text=requirement.text,
                        url=f"{page_urls[area]}#{code}",
                    )
                )
            levels.append((level, requirements))
        if levels:
            gaps.append(ModuleGaps(module=standing, levels=levels))
    return gaps


@dataclass(frozen=True)
class Chart:
    """What one chart draws: its axes and the readings along them."""

    draw: Callable[[Sequence[str], Sequence[Series]], str]
    axes: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def cache_key(self) -> str:
        """Return the cache key: a digest of everything the chart shows."""
        drawn = [
            DRAWING_VERSION,
            get_language() or "",
            self.draw.__name__,
            self.axes,
            [
                (reading.label, list(reading.values), reading.kind)
                for reading in self.series
            ],
        ]
        digest = hashlib.sha256(
            json.dumps(drawn, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        return f"{CHART_CACHE_PREFIX}:{digest}"


def chart_images(wanted: Sequence[Chart]) -> list[str]:
    """Return each chart as a ``data:`` URI, drawing only those not cached.

    One round trip to the cache for all of them, and one more to keep
    those just drawn. An unreachable cache costs the drawing, not the page.
    """
    keys = [chart.cache_key for chart in wanted]
    try:
        images = cache.get_many(keys)
    except redis.RedisError:
        logger.warning("Chart cache unreachable; drawing the charts", exc_info=True)
        images = {}
    drawn = {}
    for key, chart in zip(keys, wanted, strict=True):
        if key not in images:
            drawn[key] = svg_data_uri(chart.draw(chart.axes, chart.series))
    if drawn:
        try:
            cache.set_many(drawn, CHART_CACHE_TIMEOUT)
        except redis.RedisError:
            logger.warning("Chart cache unreachable; charts not kept", exc_info=True)
        images.update(drawn)
    # Base64 holds no character that HTML escapes; marking the URIs safe
    # spares the page escaping some 60 kB on every request.
    return [mark_safe(images[key]) for key in keys]  # noqa: S308


def _series(areas: list[Standing], with_verified: bool) -> tuple[Series, ...]:
    series = [Series(_("Self-assessed"), [a.level for a in areas], "self_assessed")]
    if with_verified:
        series.append(
            Series(_("Verified"), [a.verified_level for a in areas], "verified")
        )
    if any(a.target is not None for a in areas):
        series.append(Series(_("Target"), [a.target for a in areas], "target"))
    return tuple(series)


def _charts(standings: list[Standing], with_verified: bool):
    """Return the radar of the modules, or None, and the bars of each stage.

    The stages of a module come as a pair of charts: bars side by side, and
    rows for a phone.
    """
    radar = None
    if len(standings) >= RADAR_MIN_MODULES:
        radar = Chart(
            module_radar,
            tuple(standing.chart_label() for standing in standings),
            _series(standings, with_verified),
        )
    staged = [standing for standing in standings if standing.stages]
    bars = [
        Chart(
            draw,
            tuple(stage.chart_label() for stage in standing.stages),
            _series(standing.stages, with_verified),
        )
        for standing in staged
        for draw in (stage_bars, stage_rows)
    ]
    images = chart_images([chart for chart in [radar, *bars] if chart])
    radar_image = images.pop(0) if radar else None
    pairs = zip(images[::2], images[1::2], strict=True)
    return radar_image, [
        (standing, wide, narrow)
        for standing, (wide, narrow) in zip(staged, pairs, strict=True)
    ]
