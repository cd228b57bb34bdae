"""Tests of the catalogue selectors shared by the pages and the export."""

import pytest

from maturity import selectors
from maturity.models import Framework, Requirement

pytestmark = pytest.mark.django_db


def test_framework_tree_runs_five_queries(framework, django_assert_num_queries):
    with django_assert_num_queries(5):
        tree = selectors.framework_tree(framework)

    assert sum(len(m.get("requirements", [])) for m in tree["modules"]) == 149
    lifecycle = tree["modules"][3]
    assert sum(len(stage["requirements"]) for stage in lifecycle["stages"]) == 182


def test_get_framework_explains_what_is_missing(framework):
    assert selectors.get_framework("AIMRG") == framework
    assert selectors.get_framework("AIMRG", "1.0") == framework
    with pytest.raises(Framework.DoesNotExist, match="No version of framework 'X'"):
        selectors.get_framework("X")
    with pytest.raises(Framework.DoesNotExist, match="no installed version '0'"):
        selectors.get_framework("AIMRG", "0")


def test_module_detail_groups_requirements_by_level(framework):
    detail = selectors.module_detail(framework, "STR")

    assert detail["stages"] == []
    assert [len(group["requirements"]) for group in detail["level_groups"]] == [
        3,
        3,
        5,
        3,
        3,
    ]
    assert detail["level_groups"][3]["requirements"][0].code == "STR-4.1"


def test_part_groups_keep_items_together_and_notes_apart():
    parts = [
        {"kind": "item", "text": "一"},
        {"kind": "item", "text": "二"},
        {"kind": "note", "text": "注文"},
    ]

    assert selectors.part_groups(parts) == [
        {"kind": "item", "texts": ["一", "二"]},
        {"kind": "note", "texts": ["注文"]},
    ]


def test_search_ignores_case_and_blank_queries(framework):
    assert [r.code for r in selectors.search_requirements(framework, "lc-ret-5")] == [
        "LC-RET-5.1"
    ]
    assert selectors.search_requirements(framework, "   ") == []


def codes_of(framework, query):
    return [r.code for r in selectors.search_requirements(framework, query)]


def searched_texts(requirement):
    texts = [requirement.text, *(part["text"] for part in requirement.parts)]
    for area in (requirement.module, requirement.stage):
        if area is not None:
            texts += [area.name, area.name_en]
    return "\n".join(texts)


def test_search_needs_every_word_somewhere(framework):
    results = selectors.search_requirements(framework, "模型 下线")

    codes = [r.code for r in results]
    assert "LC-MON-2.5" in codes
    assert "LC-RET-1.1" in codes
    assert set(codes) <= set(codes_of(framework, "下线"))
    assert len(codes) < len(codes_of(framework, "模型"))
    for requirement in results:
        texts = searched_texts(requirement)
        assert "模型" in texts, requirement.code
        assert "下线" in texts, requirement.code


def test_search_finds_words_apart_as_well_as_together(framework):
    together = codes_of(framework, "灰度发布")

    assert together == ["LC-DEP-3.3", "LC-RET-3.3"]
    assert set(together) <= set(codes_of(framework, "灰度 发布"))


def test_search_splits_on_wide_spaces_and_ignores_repeats(framework):
    assert codes_of(framework, "模型\u3000下线") == codes_of(framework, "模型 下线")
    assert codes_of(framework, " 下线  下线 ") == codes_of(framework, "下线")


def test_search_finds_the_requirements_of_a_stage_by_its_english_name(framework):
    stage = Requirement.objects.filter(stage__code="LC-DEP").order_by("sequence")

    assert codes_of(framework, "deployment") == [r.code for r in stage]
    assert codes_of(framework, "DEPLOYMENT storage") == [r.code for r in stage]


def test_search_finds_english_names_only_at_a_word_start(framework):
    module = Requirement.objects.filter(module__code="TEX").order_by("sequence")

    assert codes_of(framework, "explain") == [r.code for r in module]
    assert not [code for code in codes_of(framework, "plain") if code[:3] == "TEX"]


def test_search_words_may_come_from_different_fields(framework):
    codes = codes_of(framework, "retirement 模型")

    assert codes
    assert all(code.startswith("LC-RET-") for code in codes)
    assert "LC-MON-2.5" not in codes
