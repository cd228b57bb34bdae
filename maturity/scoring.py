"""The scoring rule of the maturity model, over plain data.

Every level the portal shows, the reports print and the API returns comes
from :func:`score`. It reads no database: callers describe the framework as a
:class:`Catalogue` and pass the answers as a mapping of requirement code to
status.

The rule, as the standard states it (a module stands at a level only when it
meets that level and every level below):

* A level of a module or stage is *met* when every one of its requirements
  is ``satisfied`` or ``not_applicable``; a level whose requirements are all
  ``not_applicable`` is met. ``partial``, ``not_satisfied`` and unanswered
  requirements are not met.
* The *achieved level* of a module or stage is the highest L such that levels
  1 to L are all met, and 0 ("not yet Initial") when level 1 is not met. A
  met level above an unmet one does not count.
* The lifecycle module stands at the lowest achieved level of its stages.
* The organisation stands at the lowest achieved level of its modules; the
  mean of the module levels (two decimals) and the number of modules at each
  level are reported beside it.
* *Progress* of a module or stage, for display only, is the share of the next
  level's applicable requirements that are satisfied.
* The *gap to target* of a module lists, grouped by level and in source
  order, the requirements not yet met between its achieved level and its
  target level.

The self-assessed and the verified readings of an assessment are both this
function; they differ only in the answers passed in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

SATISFIED = "satisfied"
PARTIAL = "partial"
NOT_SATISFIED = "not_satisfied"
NOT_APPLICABLE = "not_applicable"
STATUSES = (SATISFIED, PARTIAL, NOT_SATISFIED, NOT_APPLICABLE)
LEVELS = (1, 2, 3, 4, 5)
TOP_LEVEL = LEVELS[-1]

_MET = frozenset({SATISFIED, NOT_APPLICABLE})
_VALID = frozenset(STATUSES) | {None}


class ScoringInputError(ValueError):
    """Raised when answers or targets name an unknown code, status or level."""


@dataclass(frozen=True, slots=True)
class RequirementRef:
    """Where a requirement sits: its module, its stage if any, its level."""

    code: str
    module: str
    level: int
    stage: str | None = None

    @property
    def area(self) -> str:
        return self.stage or self.module


@dataclass(frozen=True)
class Catalogue:
    """The structure of one framework version, as much as scoring needs.

    ``modules`` lists module codes in the framework's order; ``stages`` maps
    the code of a module made of stages (the lifecycle) to its stage codes in
    order; ``requirements`` lists every requirement in source order.
    """

    modules: tuple[str, ...]
    stages: Mapping[str, tuple[str, ...]]
    requirements: tuple[RequirementRef, ...]

    @classmethod
    def build(
        cls,
        modules: Iterable[str],
        stages: Mapping[str, Iterable[str]],
        requirements: Iterable[RequirementRef],
    ) -> "Catalogue":
        """Return a catalogue, checking that every requirement has a home."""
        catalogue = cls(
            modules=tuple(modules),
            stages={module: tuple(codes) for module, codes in stages.items()},
            requirements=tuple(requirements),
        )
        catalogue.check()
        return catalogue

    def check(self) -> None:
        """Raise ValueError when a requirement's module, stage or level is off."""
        if not self.modules:
            raise ValueError("A catalogue needs at least one module.")
        if len(set(self.modules)) != len(self.modules):
            raise ValueError("Module codes must be unique.")
        known_stages = {}
        for module, codes in self.stages.items():
            if module not in self.modules:
                raise ValueError(f"Stages are listed for unknown module {module}.")
            # A staged module stands at its lowest stage, so it needs one.
            if not codes:
                raise ValueError(f"Module {module} is staged but has no stage.")
            for stage in codes:
                if stage in known_stages or stage in self.modules:
                    raise ValueError(f"Stage code {stage} is used twice.")
                known_stages[stage] = module
        seen = set()
        for ref in self.requirements:
            if ref.code in seen:
                raise ValueError(f"Requirement {ref.code} appears twice.")
            seen.add(ref.code)
            if ref.module not in self.modules:
                raise ValueError(f"Requirement {ref.code} names module {ref.module}.")
            if ref.level not in LEVELS:
                raise ValueError(f"Requirement {ref.code} has level {ref.level}.")
            staged = ref.module in self.stages
            if staged != (ref.stage is not None):
                raise ValueError(f"Requirement {ref.code} must name a stage.")
            if ref.stage is not None and known_stages.get(ref.stage) != ref.module:
                raise ValueError(f"Requirement {ref.code} names stage {ref.stage}.")

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(ref.code for ref in self.requirements)

    @cached_property
    def by_area_level(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """Map each stage and each unstaged module to its codes by level."""
        areas = {}
        for module in self.modules:
            for area in self.stages.get(module, (module,)):
                areas[area] = tuple([] for _ in LEVELS)
        for ref in self.requirements:
            areas[ref.area][ref.level - 1].append(ref.code)
        return {area: tuple(map(tuple, levels)) for area, levels in areas.items()}


@dataclass(frozen=True, slots=True)
class LevelResult:
    """How the requirements of one level of one module or stage stand."""

    level: int
    total: int
    applicable: int
    satisfied: int
    met: bool
    # Requirements that keep the level from being met, in source order.
    unmet: tuple[str, ...]


@dataclass(frozen=True)
class AreaScore:
    """The achieved level of a module or stage, with what lies above it."""

    code: str
    level: int
    levels: tuple[LevelResult, ...]
    progress: float | None
    target: int | None = None
    # Level -> requirements between the achieved and the target level.
    gaps: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    stages: Mapping[str, "AreaScore"] | None = None

    @property
    def next_level(self) -> int | None:
        return self.level + 1 if self.level < TOP_LEVEL else None

    def to_dict(self) -> dict:
        data = {
            "level": self.level,
            "next_level": self.next_level,
            "progress": self.progress,
            "levels": {
                str(result.level): {
                    "met": result.met,
                    "total": result.total,
                    "applicable": result.applicable,
                    "satisfied": result.satisfied,
                    "unmet": list(result.unmet),
                }
                for result in self.levels
            },
        }
        if self.target is not None:
            data["target"] = self.target
            data["gaps"] = {
                str(level): list(codes) for level, codes in self.gaps.items()
            }
        if self.stages is not None:
            data["stages"] = {
                code: stage.to_dict() for code, stage in self.stages.items()
            }
        return data


@dataclass(frozen=True)
class OrganisationScore:
    """The level the whole organisation meets, with the mean and distribution."""

    level: int
    mean: Decimal
    # Level (0 to 5) -> number of modules standing at it.
    distribution: Mapping[int, int]

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "mean": float(self.mean),
            "distribution": {str(level): n for level, n in self.distribution.items()},
        }


@dataclass(frozen=True)
class Score:
    """The scores of every module and of the organisation."""

    modules: Mapping[str, AreaScore]
    organisation: OrganisationScore

    def area(self, code: str) -> AreaScore:
        """Return the score of a module or of a lifecycle stage."""
        if code in self.modules:
            return self.modules[code]
        for module in self.modules.values():
            if module.stages and code in module.stages:
                return module.stages[code]
        raise KeyError(code)

    def to_dict(self) -> dict:
        return {
            "modules": {code: area.to_dict() for code, area in self.modules.items()},
            "organisation": self.organisation.to_dict(),
        }


def score(
    catalogue: Catalogue,
    answers: Mapping[str, str | None],
    targets: Mapping[str, int] | None = None,
) -> Score:
    """Score ``answers`` (requirement code -> status) against ``catalogue``.

    Requirements missing from ``answers``, or mapped to None, are unanswered.
    ``targets`` maps module codes to the level each module aims at; modules
    without a target get no gap list. Raises ScoringInputError for an unknown
    requirement code or status, and for a target that is no module or level.
    """
    _check_answers(catalogue, answers, targets or {})
    targets = targets or {}

    modules = {}
    for module in catalogue.modules:
        target = targets.get(module)
        stage_codes = catalogue.stages.get(module)
        if stage_codes is None:
            modules[module] = _score_area(
                module, catalogue.by_area_level[module], answers, target
            )
        else:
            stages = {
                stage: _score_area(
                    stage, catalogue.by_area_level[stage], answers, target
                )
                for stage in stage_codes
            }
            modules[module] = _combine_stages(module, stages, target)

    return Score(modules=modules, organisation=_organisation(modules.values()))


def _check_answers(catalogue, answers, targets) -> None:
    unknown = answers.keys() - catalogue.codes
    if unknown:
        # Sorting by str keeps the message stable even for keys of mixed types.
        raise ScoringInputError(f"Unknown requirement code {min(unknown, key=str)}.")
    try:
        valid = _VALID.issuperset(answers.values())
    except TypeError:  # an unhashable status, such as a list from JSON
        valid = False
    if not valid:
        code, status = min(
            ((code, status) for code, status in answers.items() if not _valid(status)),
            key=lambda item: str(item[0]),
        )
        raise ScoringInputError(f"Unknown status {status!r} for {code}.")
    for module, target in targets.items():
        if module not in catalogue.modules:
            raise ScoringInputError(f"Unknown module code {module} in targets.")
        # 3.0 and True compare equal to levels but are no level numbers.
        if type(target) is not int or target not in LEVELS:
            raise ScoringInputError(
                f"Target of {module} must be 1 to 5, not {target!r}."
            )


def _valid(status) -> bool:
    return status is None or (isinstance(status, str) and status in _VALID)


def _evaluate_level(level, codes, status_of) -> LevelResult:
    satisfied = not_applicable = 0
    unmet = []
    for code in codes:
        status = status_of(code)
        if status == SATISFIED:
            satisfied += 1
        elif status == NOT_APPLICABLE:
            not_applicable += 1
        else:
            unmet.append(code)
    total = len(codes)
    # Positional arguments: this runs about a hundred times per score.
    return LevelResult(
        level, total, total - not_applicable, satisfied, not unmet, tuple(unmet)
    )


def _achieved(levels: tuple[LevelResult, ...]) -> int:
    achieved = 0
    for result in levels:
        if not result.met:
            break
        achieved = result.level
    return achieved


def _progress(levels: tuple[LevelResult, ...], achieved: int) -> float | None:
    """Return satisfied / applicable of the level above ``achieved``."""
    if achieved >= TOP_LEVEL:
        return None
    result = levels[achieved]
    # Only a guard: the level above the achieved one is unmet, so at least one
    # of its requirements is applicable and not satisfied.
    if result.applicable == 0:
        return 1.0
    return result.satisfied / result.applicable


def _gaps(levels, achieved, target) -> dict[int, tuple[str, ...]]:
    if target is None:
        return {}
    return {
        result.level: result.unmet for result in levels[achieved:target] if result.unmet
    }


def _score_area(code, codes_by_level, answers, target) -> AreaScore:
    status_of = answers.get
    levels = tuple(
        [
            _evaluate_level(level, codes, status_of)
            for level, codes in zip(LEVELS, codes_by_level, strict=True)
        ]
    )
    achieved = _achieved(levels)
    return AreaScore(
        code=code,
        level=achieved,
        levels=levels,
        progress=_progress(levels, achieved),
        target=target,
        gaps=_gaps(levels, achieved, target),
    )


def _combine_stages(code, stages: Mapping[str, AreaScore], target) -> AreaScore:
    """Score a module made of stages: it stands at its lowest stage."""
    achieved = min(stage.level for stage in stages.values())
    levels = tuple(
        _sum_levels(level, [stage.levels[level - 1] for stage in stages.values()])
        for level in LEVELS
    )
    return AreaScore(
        code=code,
        level=achieved,
        levels=levels,
        progress=_progress(levels, achieved),
        target=target,
        gaps=_gaps(levels, achieved, target),
        stages=dict(stages),
    )


def _sum_levels(level, results: list[LevelResult]) -> LevelResult:
    """Add up one level over the stages of a module, in stage order."""
    total = applicable = satisfied = 0
    unmet = []
    for result in results:
        total += result.total
        applicable += result.applicable
        satisfied += result.satisfied
        unmet.extend(result.unmet)
    return LevelResult(level, total, applicable, satisfied, not unmet, tuple(unmet))


def _organisation(modules: Iterable[AreaScore]) -> OrganisationScore:
    levels = [module.level for module in modules]
    distribution = dict.fromkeys((0, *LEVELS), 0)
    for level in levels:
        distribution[level] += 1
    mean = (Decimal(sum(levels)) / Decimal(len(levels))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return OrganisationScore(level=min(levels), mean=mean, distribution=distribution)
