"""Tests of the catalogue selectors shared by the pages and the export."""

import pytest

from maturity import selectors
from maturity.models import Framework

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
