"""Tests of the load_framework and export_framework commands."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from maturity.models import Framework, Level, Module, Principle, Requirement, Stage

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "framework_aimrg_1.0.json"
MODELS = [Framework, Level, Principle, Module, Stage, Requirement]

pytestmark = pytest.mark.django_db


def snapshot():
    """Return every catalogue row as comparable values, keyed by model."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in MODELS
    }


def run(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def export(*args, **kwargs):
    return json.loads(run("export_framework", *args, **kwargs))


def test_load_prints_one_summary_line_per_framework():
    output = run("load_framework")

    assert output.strip().splitlines() == [
        "AIMRG 1.0: 5 levels, 5 principles, 11 modules, 9 stages, 331 requirements"
    ]


def test_loading_twice_changes_nothing():
    run("load_framework")
    before = snapshot()

    run("load_framework")
    run("load_framework", str(FIXTURE))

    assert snapshot() == before
    assert Framework.objects.count() == 1
    assert Requirement.objects.count() == 331


def second_version(tmp_path):
    """Write a copy of the shipped fixture as version 2.0 and return its path."""
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for entry in objects:
        fields = entry["fields"]
        if entry["model"] == "maturity.framework":
            fields["version"] = "2.0"
        for key in ("framework", "module", "stage"):
            if isinstance(fields.get(key), list):
                fields[key][1] = "2.0"
        if fields.get("code") == "STR-4.1":
            fields["text"] = "第二版的要求。"
    path = tmp_path / "framework_aimrg_2.0.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    return path


def test_new_version_is_installed_beside_the_old_one(tmp_path):
    run("load_framework")
    before = snapshot()
    old = Framework.objects.get(code="AIMRG", version="1.0")

    output = run("load_framework", str(second_version(tmp_path)))

    assert output.startswith("AIMRG 2.0: ")
    assert sorted(Framework.objects.values_list("version", flat=True)) == ["1.0", "2.0"]
    assert Framework.objects.latest_version("AIMRG").version == "2.0"
    after = snapshot()
    for name, rows in before.items():
        assert all(row in after[name] for row in rows), name
        assert len(after[name]) == 2 * len(rows), name
    assert Requirement.objects.filter(framework=old).count() == 331
    assert Requirement.objects.get(framework=old, code="STR-4.1").text.startswith(
        "组织制定的管理制度"
    )
    assert export(version="2.0")["modules"][0]["requirements"][11]["text"] == (
        "第二版的要求。"
    )


def test_reloading_an_old_version_keeps_the_newer_one_latest(tmp_path):
    run("load_framework")
    run("load_framework", str(second_version(tmp_path)))

    run("load_framework", str(FIXTURE))

    assert Framework.objects.latest_version("AIMRG").version == "2.0"


def test_load_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such fixture file"):
        run("load_framework", str(tmp_path / "absent.json"))


def test_export_shape_and_order():
    run("load_framework")

    data = export()

    assert list(data) == [
        "code",
        "version",
        "title",
        "title_en",
        "source",
        "levels",
        "principles",
        "modules",
    ]
    assert (data["code"], data["version"]) == ("AIMRG", "1.0")
    assert [level["name"] for level in data["levels"]] == [
        "初始级",
        "基础级",
        "增强级",
        "优秀级",
        "卓越级",
    ]
    assert len(data["principles"]) == 5
    codes = [module["code"] for module in data["modules"]]
    assert codes == [
        "STR",
        "ORG",
        "SIA",
        "LC",
        "ERS",
        "TEX",
        "ICM",
        "EXT",
        "IPP",
        "ESR",
        "MMA",
    ]
    strategy = data["modules"][0]
    assert set(strategy) == {"code", "name", "name_en", "description", "requirements"}
    assert strategy["requirements"][11] == {
        "code": "STR-4.1",
        "level": 4,
        "text": "组织制定的管理制度能够全面涵盖人工智能模型开发、实施和使用的各个环节。"
        "在系统工具的支持下，管理过程实现自动化和可量化。",
        "parts": [],
    }
    lifecycle = data["modules"][3]
    assert "requirements" not in lifecycle
    assert [stage["code"] for stage in lifecycle["stages"]] == [
        "LC-REQ",
        "LC-DAT",
        "LC-BLD",
        "LC-VAL",
        "LC-DEP",
        "LC-MON",
        "LC-CV",
        "LC-REV",
        "LC-RET",
    ]
    for module in data["modules"]:
        for area in module.get("stages", [module]):
            keys = [
                (r["level"], int(r["code"].rsplit(".", 1)[1]))
                for r in area["requirements"]
            ]
            assert keys == sorted(keys), area["code"]
    monitoring = lifecycle["stages"][5]
    assert monitoring["requirements"][16]["code"] == "LC-MON-3.7"


def test_export_defaults_to_the_latest_version(tmp_path):
    run("load_framework")
    run("load_framework", str(second_version(tmp_path)))

    assert export()["version"] == "2.0"
    assert export("AIMRG", version="1.0")["version"] == "1.0"


def test_export_rejects_an_unknown_code():
    run("load_framework")

    with pytest.raises(CommandError, match="No version of framework 'NOPE'"):
        run("export_framework", "NOPE")


def test_export_rejects_an_unknown_version():
    run("load_framework")

    with pytest.raises(CommandError, match=r"no installed version '9\.9'"):
        run("export_framework", version="9.9")
