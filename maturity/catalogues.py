"""The scoring catalogue of a framework version, read once per process.

A framework version never changes once installed, so its catalogue is kept
in memory after the first read and scoring an assessment costs no query for
the structure of the standard.
"""

from maturity.models import Framework, Module, Requirement, Stage
from maturity.scoring import Catalogue, RequirementRef

_cache: dict[int, Catalogue] = {}


def get_catalogue(framework: Framework | int) -> Catalogue:
    """Return the catalogue of ``framework``; runs three queries the first time."""
    framework_id = framework if isinstance(framework, int) else framework.pk
    catalogue = _cache.get(framework_id)
    if catalogue is None:
        catalogue = _cache[framework_id] = _read_catalogue(framework_id)
    return catalogue


def clear_cache() -> None:
    """Forget every catalogue read so far, as after reinstalling a framework."""
    _cache.clear()


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
