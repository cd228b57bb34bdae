"""The scoring catalogue and the rows of a framework, read once per process.

A framework version never changes once installed, so its catalogue, its
levels, modules, stages and requirements are kept in memory after the first
read: scoring an assessment, laying out its pages or finding the requirement
an answer is about costs no query for the structure of the standard. The
rows are shared by every request of the process: read them, never change or
save them.
"""

from dataclasses import dataclass

from maturity.models import Framework, Level, Module, Requirement, Stage
from maturity.scoring import Catalogue, RequirementRef

_cache: dict[int, Catalogue] = {}
_requirements: dict[int, dict[str, Requirement]] = {}
_structures: dict[int, "Structure"] = {}
_frameworks: dict[int, Framework] = {}
_codes: dict[int, dict[int, str]] = {}


@dataclass(frozen=True)
class Structure:
    """The levels, modules and stages of a framework, in the standard's order."""

    levels: list[Level]
    modules: list[Module]
    # Module id -> its stages; an empty list for a module without stages.
    stages: dict[int, list[Stage]]


def get_catalogue(framework: Framework | int) -> Catalogue:
    """Return the catalogue of ``framework``; runs three queries the first time."""
    framework_id = framework if isinstance(framework, int) else framework.pk
    catalogue = _cache.get(framework_id)
    if catalogue is None:
        catalogue = _cache[framework_id] = _read_catalogue(framework_id)
    return catalogue


def get_framework(framework_id: int) -> Framework:
    """Return the framework ``framework_id``; one query the first time."""
    framework = _frameworks.get(framework_id)
    if framework is None:
        framework = _frameworks[framework_id] = Framework.objects.get(pk=framework_id)
    return framework


def get_structure(framework: Framework | int) -> Structure:
    """Return the levels, modules and stages of ``framework``; three queries once."""
    framework_id = framework if isinstance(framework, int) else framework.pk
    structure = _structures.get(framework_id)
    if structure is None:
        modules = list(
            Module.objects.filter(framework_id=framework_id).order_by("position")
        )
        stages = {module.pk: [] for module in modules}
        for stage in Stage.objects.filter(module__framework_id=framework_id).order_by(
            "position"
        ):
            stages[stage.module_id].append(stage)
        levels = list(
            Level.objects.filter(framework_id=framework_id).order_by("number")
        )
        structure = _structures[framework_id] = Structure(levels, modules, stages)
    return structure


def get_requirement(framework: Framework | int, code: str) -> Requirement | None:
    """Return requirement ``code`` of ``framework``, with its module and stage.

    One query the first time, for the whole framework.
    """
    framework_id = framework if isinstance(framework, int) else framework.pk
    return _requirements_of(framework_id).get(code)


def get_requirement_codes(framework: Framework | int) -> dict[int, str]:
    """Return requirement id -> code for ``framework``; no query once read.

    Lets a query of answers read ``requirement_id`` instead of joining the
    requirements for their codes.
    """
    framework_id = framework if isinstance(framework, int) else framework.pk
    codes = _codes.get(framework_id)
    if codes is None:
        codes = _codes[framework_id] = {
            requirement.pk: code
            for code, requirement in _requirements_of(framework_id).items()
        }
    return codes


def _requirements_of(framework_id: int) -> dict[str, Requirement]:
    requirements = _requirements.get(framework_id)
    if requirements is None:
        requirements = _requirements[framework_id] = {
            requirement.code: requirement
            for requirement in Requirement.objects.filter(
                framework_id=framework_id
            ).select_related("module", "stage")
        }
    return requirements


def clear_cache() -> None:
    """Forget every catalogue read so far, as after reinstalling a framework."""
    _cache.clear()
    _requirements.clear()
    _structures.clear()
    _frameworks.clear()
    _codes.clear()


def _read_catalogue(framework_id: int) -> Catalogue:
    modules = list(
        Module.objects.filter(framework_id=framework_id)
        .order_by("position")
        .values_list("pk", "code")
    )
    module_codes = dict(modules)

    stages: dict[str, list[str]] = {}
    stage_codes = {}
    for pk, module_id, code in (
        Stage.objects.filter(module__framework_id=framework_id)
        .order_by("module__position", "position")
        .values_list("pk", "module_id", "code")
    ):
        stages.setdefault(module_codes[module_id], []).append(code)
        stage_codes[pk] = code

    requirements = [
        RequirementRef(
            code=code,
            module=module_codes[module_id],
            level=level,
            stage=stage_codes.get(stage_id),
        )
        for code, module_id, stage_id, level in Requirement.objects.filter(
            framework_id=framework_id
        )
        .order_by("sequence")
        .values_list("code", "module_id", "stage_id", "level")
    ]
    return Catalogue.build(
        modules=[code for _, code in modules], stages=stages, requirements=requirements
    )
