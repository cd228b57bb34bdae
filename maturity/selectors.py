"""Read the installed catalogue of the maturity model as plain data.

Every function here runs a fixed number of queries whatever the size of the
catalogue, so pages and the export command stay cheap as the standard grows.
"""

import re
from collections import defaultdict

from maturity.models import Framework, Level, Module, Principle, Requirement, Stage

DEFAULT_FRAMEWORK_CODE = "AIMRG"


def get_framework(code=DEFAULT_FRAMEWORK_CODE, version=None):
    """Return framework ``code`` at ``version``, or its latest installed version.

    Raise ``Framework.DoesNotExist`` with a readable message when there is none.
    """
    if version is None:
        framework = Framework.objects.latest_version(code)
        if framework is None:
            raise Framework.DoesNotExist(
                f"No version of framework {code!r} is installed."
            )
        return framework
    try:
        return Framework.objects.get(code=code, version=version)
    except Framework.DoesNotExist:
        raise Framework.DoesNotExist(
            f"Framework {code!r} has no installed version {version!r}."
        ) from None


def installed_versions(code):
    """Return the installed versions of framework ``code``, latest first."""
    return list(
        Framework.objects.filter(code=code)
        .order_by("-installed_at", "-pk")
        .values_list("version", flat=True)
    )


def level_dict(level):
    """Return a level as plain data."""
    return {
        "number": level.number,
        "name": level.name,
        "name_en": level.name_en,
        "characteristic": level.characteristic,
        "description": level.description,
        "details": list(level.details),
    }


def principle_dict(principle):
    """Return a governance principle as plain data."""
    return {
        "name": principle.name,
        "name_en": principle.name_en,
        "description": principle.description,
    }


def requirement_dict(requirement):
    """Return a requirement as plain data."""
    return {
        "code": requirement.code,
        "level": requirement.level,
        "text": requirement.text,
        "parts": [dict(part) for part in requirement.parts],
    }


def _area_dict(area, requirements):
    return {
        "code": area.code,
        "name": area.name,
        "name_en": area.name_en,
        "description": area.description,
        "requirements": [requirement_dict(r) for r in requirements],
    }


def _requirement_order():
    # Level first, then the order of the source; ``sequence`` already ranks
    # positions within a level, so it breaks ties the same way.
    return ["level", "position", "sequence"]


def framework_tree(framework):
    """Return the whole catalogue of ``framework`` as nested plain data."""
    levels = Level.objects.filter(framework=framework).order_by("number")
    principles = Principle.objects.filter(framework=framework).order_by("position")
    modules = list(Module.objects.filter(framework=framework).order_by("position"))
    stages = Stage.objects.filter(module__framework=framework).order_by(
        "module__position", "position"
    )
    requirements = Requirement.objects.filter(framework=framework).order_by(
        *_requirement_order()
    )

    stages_by_module = defaultdict(list)
    for stage in stages:
        stages_by_module[stage.module_id].append(stage)
    by_module = defaultdict(list)
    by_stage = defaultdict(list)
    for requirement in requirements:
        if requirement.stage_id is None:
            by_module[requirement.module_id].append(requirement)
        else:
            by_stage[requirement.stage_id].append(requirement)

    module_dicts = []
    for module in modules:
        entry = {
            "code": module.code,
            "name": module.name,
            "name_en": module.name_en,
            "description": module.description,
        }
        if stages_by_module[module.pk]:
            entry["stages"] = [
                _area_dict(stage, by_stage[stage.pk])
                for stage in stages_by_module[module.pk]
            ]
        else:
            entry["requirements"] = [requirement_dict(r) for r in by_module[module.pk]]
        module_dicts.append(entry)

    return {
        "code": framework.code,
        "version": framework.version,
        "title": framework.title,
        "title_en": framework.title_en,
        "source": framework.source,
        "levels": [level_dict(level) for level in levels],
        "principles": [principle_dict(p) for p in principles],
        "modules": module_dicts,
    }


def catalogue_outline(framework):
    """Return the modules of ``framework`` in order, each with its stages.

    Each module carries ``stage_list`` and ``requirement_count`` for display.
    """
    modules = list(Module.objects.filter(framework=framework).order_by("position"))
    stages = Stage.objects.filter(module__framework=framework).order_by("position")
    counts = defaultdict(int)
    for module_id, stage_id in Requirement.objects.filter(
        framework=framework
    ).values_list("module_id", "stage_id"):
        counts[module_id] += 1
        if stage_id is not None:
            counts[("stage", stage_id)] += 1
    stages_by_module = defaultdict(list)
    for stage in stages:
        stage.requirement_count = counts[("stage", stage.pk)]
        stages_by_module[stage.module_id].append(stage)
    for module in modules:
        module.framework = framework
        module.stage_list = stages_by_module[module.pk]
        module.requirement_count = counts[module.pk]
    return modules


def levels_of(framework):
    """Return the levels of ``framework`` in order."""
    return list(Level.objects.filter(framework=framework).order_by("number"))


def principles_of(framework):
    """Return the governance principles of ``framework`` in order."""
    return list(Principle.objects.filter(framework=framework).order_by("position"))


def group_by_level(requirements, levels):
    """Group ``requirements`` under ``levels``, keeping levels without any."""
    grouped = defaultdict(list)
    for requirement in requirements:
        grouped[requirement.level].append(requirement)
    return [{"level": level, "requirements": grouped[level.number]} for level in levels]


def part_groups(parts):
    """Gather consecutive parts of the same kind, so items render as one list."""
    groups = []
    for part in parts:
        if groups and groups[-1]["kind"] == part["kind"]:
            groups[-1]["texts"].append(part["text"])
        else:
            groups.append({"kind": part["kind"], "texts": [part["text"]]})
    return groups


def module_detail(framework, module_code):
    """Return a module of ``framework`` with its requirements grouped by level.

    The result maps ``module``, ``levels`` and either ``level_groups`` (a
    module without stages) or ``stages``, each stage carrying its own
    ``level_groups``. Raise ``Module.DoesNotExist`` for an unknown code.
    """
    module = Module.objects.get(framework=framework, code=module_code)
    module.framework = framework
    levels = levels_of(framework)
    stages = list(Stage.objects.filter(module=module).order_by("position"))
    requirements = list(
        Requirement.objects.filter(module=module).order_by(*_requirement_order())
    )
    by_stage = defaultdict(list)
    for requirement in requirements:
        requirement.part_groups = part_groups(requirement.parts)
        by_stage[requirement.stage_id].append(requirement)
    for stage in stages:
        stage.level_groups = group_by_level(by_stage[stage.pk], levels)
        stage.requirement_count = len(by_stage[stage.pk])
    return {
        "module": module,
        "levels": levels,
        "stages": stages,
        "level_groups": group_by_level(by_stage[None], levels),
        "requirement_count": len(requirements),
    }


def search_terms(query):
    """Split ``query`` into the distinct words a requirement must all hold."""
    terms, seen = [], set()
    for word in query.split():
        if word.casefold() not in seen:
            seen.add(word.casefold())
            terms.append(word)
    return terms


def term_pattern(term, *, word_start=False):
    """Return a case-blind pattern finding ``term``, or only at a word's start.

    English names are matched at word starts, so that "ai" finds "AI" but
    not "Maintenance" or "Training".
    """
    prefix = r"(?<!\w)" if word_start else ""
    return re.compile(prefix + re.escape(term), re.IGNORECASE)


def _haystacks(requirement):
    """Return the texts searched in, each with whether it is an English name."""
    texts = [(requirement.code, False), (requirement.text, False)]
    texts.extend((part["text"], False) for part in requirement.parts)
    for area in (requirement.module, requirement.stage):
        if area is not None:
            texts.extend([(area.name, False), (area.name_en, True)])
    return texts


def _matches(requirement, patterns):
    haystacks = _haystacks(requirement)
    return all(
        any(
            (english_pattern if english else pattern).search(text)
            for text, english in haystacks
        )
        for pattern, english_pattern in patterns
    )


def search_requirements(framework, query):
    """Return the requirements of ``framework`` holding every word of ``query``.

    A word may be found in the code, the text, a sub-point or note, or the
    name of the requirement's module or stage, in Chinese or in English;
    each word may be found in a different one. Matching ignores case. It
    runs in Python because JSON columns store Chinese escaped on some
    databases, and one framework's catalogue is small.
    """
    terms = search_terms(query)
    if not terms:
        return []
    patterns = [
        (term_pattern(term), term_pattern(term, word_start=True)) for term in terms
    ]
    requirements = Requirement.objects.filter(framework=framework).select_related(
        "module", "stage"
    )
    results = []
    for requirement in requirements.order_by("sequence"):
        if _matches(requirement, patterns):
            requirement.module.framework = framework
            results.append(requirement)
    return results
