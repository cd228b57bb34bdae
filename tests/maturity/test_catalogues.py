"""Tests of the scoring catalogue read from the shipped AIMRG framework."""

import pytest

from maturity.catalogues import (
    clear_cache,
    get_catalogue,
    get_framework,
    get_requirement,
    get_structure,
)
from maturity.models import Framework, Module, Requirement, Stage
from maturity.scoring import RequirementRef

MODULES = ("STR", "ORG", "SIA", "LC", "ERS", "TEX", "ICM", "EXT", "IPP", "ESR", "MMA")
STAGES = (
    "LC-REQ",
    "LC-DAT",
    "LC-BLD",
    "LC-VAL",
    "LC-DEP",
    "LC-MON",
    "LC-CV",
    "LC-REV",
    "LC-RET",
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start and end every test with no catalogue cached."""
    clear_cache()
    yield
    clear_cache()


def test_it_lists_the_eleven_modules_in_order(framework):
    assert get_catalogue(framework).modules == MODULES


def test_it_lists_the_nine_lifecycle_stages_in_order(framework):
    assert get_catalogue(framework).stages == {"LC": STAGES}


def test_it_holds_every_requirement_in_catalogue_order(framework):
    catalogue = get_catalogue(framework)
    expected = [
        RequirementRef(
            code=requirement.code,
            module=requirement.module.code,
            level=requirement.level,
            stage=requirement.stage.code if requirement.stage else None,
        )
        for requirement in Requirement.objects.filter(framework=framework)
        .select_related("module", "stage")
        .order_by("sequence")
    ]
    assert list(catalogue.requirements) == expected
    assert len(expected) == Requirement.objects.count()
    assert catalogue.codes == {ref.code for ref in expected}


def test_it_files_each_requirement_under_its_area_and_level(framework):
    by_area_level = get_catalogue(framework).by_area_level
    assert list(by_area_level) == [
        area for module in MODULES for area in (STAGES if module == "LC" else [module])
    ]
    for area, levels in by_area_level.items():
        assert len(levels) == 5
        for level, codes in enumerate(levels, start=1):
            # Codes read AREA-L.N, with N counting from 1 within the level.
            assert codes == tuple(
                f"{area}-{level}.{n}" for n in range(1, len(codes) + 1)
            )
            assert codes, f"{area} has no requirement at level {level}"


def test_it_reads_the_database_once(framework, django_assert_num_queries):
    with django_assert_num_queries(3):
        first = get_catalogue(framework)
    with django_assert_num_queries(0):
        second = get_catalogue(framework)
        by_id = get_catalogue(framework.pk)
    assert second is first
    assert by_id is first


def test_it_reads_again_after_the_cache_is_cleared(
    framework, django_assert_num_queries
):
    first = get_catalogue(framework)
    clear_cache()
    with django_assert_num_queries(3):
        again = get_catalogue(framework)
    assert again is not first
    assert again == first


def test_it_keeps_one_catalogue_per_framework_version(framework):
    other = Framework.objects.create(
        code="AIMRG", version="0.1", title="t", title_en="t", source="s"
    )
    module = Module.objects.create(
        framework=other, code="LC", position=1, name="n", name_en="n", description=""
    )
    stage = Stage.objects.create(
        module=module, code="LC-ONE", position=1, name="n", name_en="n", description=""
    )
    Requirement.objects.create(
        framework=other,
        module=module,
        stage=stage,
        level=1,
        position=1,
        sequence=1,
        code="LC-ONE-1.1",
        text="t",
    )

    assert get_catalogue(framework).modules == MODULES
    small = get_catalogue(other)
    assert small.modules == ("LC",)
    assert small.stages == {"LC": ("LC-ONE",)}
    assert small.requirements == (
        RequirementRef(code="LC-ONE-1.1", module="LC", level=1, stage="LC-ONE"),
    )
    assert get_catalogue(framework).modules == MODULES


def test_it_finds_a_requirement_with_one_query_for_the_whole_framework(
    framework, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first = get_requirement(framework, "LC-REQ-1.1")
    with django_assert_num_queries(0):
        again = get_requirement(framework.pk, "LC-REQ-1.1")
        other = get_requirement(framework, "STR-1.1")
        unknown = get_requirement(framework, "STR-9.9")

    assert again is first
    assert (first.code, first.stage.code, first.module.code) == (
        "LC-REQ-1.1",
        "LC-REQ",
        "LC",
    )
    assert other == Requirement.objects.get(framework=framework, code="STR-1.1")
    assert unknown is None


def test_it_reads_the_levels_modules_and_stages_once(
    framework, django_assert_num_queries
):
    with django_assert_num_queries(3):
        first = get_structure(framework)
    with django_assert_num_queries(0):
        again = get_structure(framework.pk)

    assert again is first
    assert [level.number for level in first.levels] == [1, 2, 3, 4, 5]
    assert tuple(module.code for module in first.modules) == MODULES
    lifecycle = next(module for module in first.modules if module.code == "LC")
    assert tuple(stage.code for stage in first.stages[lifecycle.pk]) == STAGES
    assert all(
        first.stages[module.pk] == [] for module in first.modules if module.code != "LC"
    )


def test_it_reads_a_framework_once(framework, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = get_framework(framework.pk)
    with django_assert_num_queries(0):
        again = get_framework(framework.pk)

    assert again is first
    assert (first.code, first.version) == (framework.code, framework.version)
