"""Check the shipped fixture against the text of the standard itself.

The standard is parsed here on its own, line by line, so a slip in whatever
produced the fixture shows up as a difference in text rather than hiding in a
shared parser.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO.parent / "shared" / "seed"
FIXTURE = REPO / "fixtures" / "framework_aimrg_1.0.json"

# The body's section headings, keyed to module codes, listed in the order of
# the framework's a) to k) list (the body itself is ordered differently).
MODULE_HEADINGS = {
    "策略": "STR",
    "组织": "ORG",
    "模型安全影响评估": "SIA",
    "模型生命周期": "LC",
    "应急响应": "ERS",
    "透明可解释": "TEX",
    "交互与沟通": "ICM",
    "外部合作": "EXT",
    "专利保护": "IPP",
    "环境保护和社会责任": "ESR",
    "管理层监控和审计": "MMA",
}
STAGE_HEADINGS = {
    "需求分析": "LC-REQ",
    "数据准备": "LC-DAT",
    "模型构建": "LC-BLD",
    "检验验证": "LC-VAL",
    "部署和存储": "LC-DEP",
    "运行监控": "LC-MON",
    "持续验证": "LC-CV",
    "模型修正": "LC-REV",
    "模型下线": "LC-RET",
}
LEVEL_NUMERALS = {"第一级": 1, "第二级": 2, "第三级": 3, "第四级": 4, "第五级": 5}
LEVEL_NAMES = ["初始级", "基础级", "增强级", "优秀级", "卓越级"]
ITEM_MARKERS = {f"{letter}{paren}" for letter in "abcdefghijklmn" for paren in "）)"}
ITEM_MARKERS.add("1.")
INTRO_LINES = {"该等级的能力描述如下：", "该等级能力描述如下："}


def seed_file():
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not files:
        pytest.skip(f"the standard's text is not available under {SEED_DIR}")
    return files[0]


def seed_lines():
    raw = seed_file().read_text(encoding="utf-8")
    return [
        re.sub(r"\[bookmark: [^\]]*\]", "", line).strip() for line in raw.split("\n")
    ]


def classify(line):
    """Return ``(kind, text)`` for a line inside a level's list."""
    if line.startswith("注："):
        return "note", line.removeprefix("注：").strip()
    marker, _, rest = line.partition(" ")
    if marker in ITEM_MARKERS:
        return "requirement", rest.strip()
    if marker.endswith(")") and marker[:-1].isdigit():
        return "item", rest.strip()
    return "other", line


def parse_seed():
    """Return modules, stages and requirements of the standard's body."""
    lines = seed_lines()
    # The body starts after the governance principles, at the first module.
    start = lines.index("治理原则")
    modules, stages, requirements = {}, {}, {}
    area = level = None
    awaiting_description = None
    in_lifecycle = False
    for line in lines[start + 1 :]:
        if not line:
            continue
        if line in MODULE_HEADINGS:
            code = MODULE_HEADINGS[line]
            modules[code] = {"name": line, "description": None}
            in_lifecycle = code == "LC"
            area, level, awaiting_description = code, None, modules[code]
            continue
        if in_lifecycle and line in STAGE_HEADINGS:
            code = STAGE_HEADINGS[line]
            stages[code] = {"name": line, "description": None}
            area, level, awaiting_description = code, None, stages[code]
            continue
        if awaiting_description is not None:
            awaiting_description["description"] = line
            awaiting_description = None
            continue
        if line in LEVEL_NUMERALS:
            level = LEVEL_NUMERALS[line]
            continue
        if line in INTRO_LINES or area is None:
            continue
        kind, text = classify(line)
        assert level is not None, f"text outside any level in {area}: {line!r}"
        if kind == "requirement":
            number = sum(
                1 for key in requirements if key[0] == area and key[1] == level
            )
            requirements[(area, level, number + 1)] = {"text": text, "parts": []}
        elif kind in ("item", "note"):
            last = max(key for key in requirements if key[:2] == (area, level))
            requirements[last]["parts"].append({"kind": kind, "text": text})
        else:
            pytest.fail(f"unrecognised line in {area} level {level}: {line!r}")
    return modules, stages, requirements


def parse_summaries():
    """Return the a) to k) entries of the framework section, in order."""
    lines = seed_lines()
    start = lines.index("人工智能模型风险治理框架包括11个子模型：")
    entries = lines[start + 1 : start + 12]
    return [entry.split("：", 1)[1] for entry in entries]


def parse_level_table():
    """Return the level table's rows: name, cells (特征, 详细说明) and details."""
    rows = []
    for line in seed_lines():
        if line.startswith("人工智能模型风险治理框架与能力成熟度等级的关系"):
            break
        if re.fullmatch(r"（\S+级）", line):
            rows.append({"name": line[1:-1], "cells": [], "details": []})
        elif rows and re.match(r"（\d+）", line):
            rows[-1]["details"].append(line[line.index("）") + 1 :].strip())
        elif rows and line and line not in LEVEL_NUMERALS:
            rows[-1]["cells"].append(line)
    return rows


@pytest.fixture(scope="module")
def seed():
    return parse_seed()


@pytest.fixture(scope="module")
def fixture_objects():
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_model = {}
    for entry in objects:
        assert "pk" not in entry, "the fixture must match rows by natural key"
        by_model.setdefault(entry["model"], []).append(entry["fields"])
    return by_model


def test_every_requirement_has_identical_text_and_parts(seed, fixture_objects):
    _, _, expected = seed
    actual = {}
    for fields in fixture_objects["maturity.requirement"]:
        area = fields["stage"][2] if fields["stage"] else fields["module"][2]
        key = (area, fields["level"], fields["position"])
        assert key not in actual, f"duplicate requirement {key}"
        assert fields["code"] == f"{area}-{fields['level']}.{fields['position']}"
        actual[key] = {"text": fields["text"], "parts": fields["parts"]}

    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing, f"missing from the fixture: {missing}"
    assert not extra, f"not in the standard: {extra}"
    for key, requirement in expected.items():
        assert actual[key] == requirement, key


def test_every_module_and_stage_has_five_levels(seed):
    modules, stages, requirements = seed
    areas = [code for code in modules if code != "LC"] + list(stages)
    for area in areas:
        levels = {key[1] for key in requirements if key[0] == area}
        assert levels == {1, 2, 3, 4, 5}, area
    assert not any(key[0] == "LC" for key in requirements)


def test_known_quirks_of_the_source_are_kept(seed):
    _, _, requirements = seed
    assert ("STR", 4, 3) in requirements  # lettered l) m) n) in the source
    assert requirements[("LC-RET", 5, 1)]["text"].startswith(
        "组织对模型下线进行动态迭代"
    )
    assert [p["kind"] for p in requirements[("LC-MON", 3, 3)]["parts"]] == ["note"]
    assert [p["kind"] for p in requirements[("ICM", 5, 2)]["parts"]] == ["item"] * 3
    assert "苏纳法" in requirements[("LC-REV", 3, 6)]["text"]


def test_modules_match_the_standard(seed, fixture_objects):
    modules, _, _ = seed
    summaries = parse_summaries()
    fixture_modules = sorted(
        fixture_objects["maturity.module"], key=lambda fields: fields["position"]
    )
    assert [m["code"] for m in fixture_modules] == list(MODULE_HEADINGS.values())
    assert [m["position"] for m in fixture_modules] == list(range(1, 12))
    for fields, summary in zip(fixture_modules, summaries, strict=True):
        source = modules[fields["code"]]
        assert fields["name"] == source["name"]
        assert fields["description"] == source["description"]
        assert fields["summary"] == summary


def test_stages_match_the_standard(seed, fixture_objects):
    _, stages, _ = seed
    fixture_stages = sorted(
        fixture_objects["maturity.stage"], key=lambda fields: fields["position"]
    )
    assert [s["code"] for s in fixture_stages] == list(STAGE_HEADINGS.values())
    for fields in fixture_stages:
        assert fields["module"][2] == "LC"
        assert fields["name"] == stages[fields["code"]]["name"]
        assert fields["description"] == stages[fields["code"]]["description"]


def test_level_names_match_the_standard(fixture_objects):
    table = parse_level_table()
    assert [row["name"] for row in table] == LEVEL_NAMES
    levels = sorted(fixture_objects["maturity.level"], key=lambda f: f["number"])
    assert [level["name"] for level in levels] == LEVEL_NAMES
    assert [level["number"] for level in levels] == [1, 2, 3, 4, 5]
    for level, row in zip(levels, table, strict=True):
        assert [level["characteristic"], level["description"]] == row["cells"]
        assert level["details"] == row["details"]


def test_requirement_sequence_follows_catalogue_order(fixture_objects):
    module_rank = {code: rank for rank, code in enumerate(MODULE_HEADINGS.values())}
    stage_rank = {code: rank for rank, code in enumerate(STAGE_HEADINGS.values())}
    requirements = fixture_objects["maturity.requirement"]

    def catalogue_key(fields):
        stage = fields["stage"][2] if fields["stage"] else None
        return (
            module_rank[fields["module"][2]],
            stage_rank.get(stage, -1),
            fields["level"],
            fields["position"],
        )

    in_order = sorted(requirements, key=catalogue_key)
    assert [f["sequence"] for f in in_order] == list(range(1, len(requirements) + 1))
