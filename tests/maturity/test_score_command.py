"""Tests of the score command, against the shipped AIMRG catalogue.

The levels expected from the answers file below are worked out by hand from
the rule; the file is built from the catalogue's own codes so that it covers
whole levels without listing three hundred requirements.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maturity.models import Framework, Module, Requirement

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["STR", "ORG", "SIA", "LC", "ERS", "TEX", "ICM", "EXT", "IPP", "ESR", "MMA"]
STAGES = [
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


@pytest.fixture
def installed(framework):
    """Give a test the shipped framework; what the test changes is rolled back."""


def codes_of(area, level):
    """Return the requirement codes of one level of a module or stage, in order."""
    codes = list(
        Requirement.objects.filter(
            framework__code="AIMRG", code__startswith=f"{area}-{level}."
        )
        .order_by("sequence")
        .values_list("code", flat=True)
    )
    assert codes, f"{area} has no level {level} in the fixture"
    return codes


def entries(area, levels, status="satisfied"):
    return [
        {"requirement": code, "status": status}
        for level in levels
        for code in codes_of(area, level)
    ]


def sample_answers():
    """Return an answers list whose levels are worked out in ``EXPECTED``."""
    # STR: levels 1 to 4 satisfied but for one partial of level 4 -> 3.
    answers = entries("STR", [1, 2, 3, 4])
    # ORG: level 2 wholly not applicable still counts as met -> 3.
    answers += entries("ORG", [1]) + entries("ORG", [2], "not_applicable")
    answers += [*entries("ORG", [3]), {"requirement": "ORG-4.1", "status": None}]
    # SIA: one unmet requirement of level 1 outweighs levels 2 to 5 -> 0.
    answers += entries("SIA", [1, 2, 3, 4, 5])
    # TEX: everything -> 5.
    answers += entries("TEX", [1, 2, 3, 4, 5])
    # LC: every stage meets 1 and 2, LC-REQ 3 as well, but one partial puts
    # LC-MON at 1, and LC with it.
    for stage in STAGES:
        answers += entries(stage, [1, 2, 3] if stage == "LC-REQ" else [1, 2])
    changes = {
        "STR-4.1": "partial",
        "SIA-1.2": "not_satisfied",
        "LC-MON-2.1": "partial",
    }
    for entry in answers:
        entry["status"] = changes.get(entry["requirement"], entry["status"])
    # ERS, ICM, EXT, IPP, ESR and MMA are not answered at all -> 0.
    return answers


EXPECTED = {"STR": 3, "ORG": 3, "SIA": 0, "LC": 1, "TEX": 5}
EXPECTED_STAGES = dict.fromkeys(STAGES, 2) | {"LC-REQ": 3, "LC-MON": 1}


def write(tmp_path, data, name="answers.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args):
    """Run the command; return its stdout parsed, failing on any stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("score", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return json.loads(out.getvalue())


def fail(*args):
    """Run the command expecting an error; return the message, checking stdout."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("score", *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- Scoring a file -------------------------------------------------------------


def test_it_prints_the_levels_of_a_full_file(installed, tmp_path):
    data = run(write(tmp_path, {"answers": sample_answers()}))

    assert data["framework"] == {"code": "AIMRG", "version": "1.0"}
    assert list(data["modules"]) == MODULES
    levels = {code: module["level"] for code, module in data["modules"].items()}
    assert levels == dict.fromkeys(MODULES, 0) | EXPECTED
    stages = data["modules"]["LC"]["stages"]
    assert list(stages) == STAGES
    assert {code: stage["level"] for code, stage in stages.items()} == EXPECTED_STAGES
    # (3 + 3 + 0 + 1 + 0 + 5 + 0 * 5) / 11 = 12 / 11 = 1.0909... -> 1.09.
    assert data["organisation"] == {
        "level": 0,
        "mean": 1.09,
        "distribution": {"0": 7, "1": 1, "2": 0, "3": 2, "4": 0, "5": 1},
    }
    assert "gaps" not in data["modules"]["STR"]


def test_it_lists_the_gaps_to_the_targets(installed, tmp_path):
    path = write(tmp_path, {"answers": sample_answers()})
    data = run(path, "--target", "STR=5", "--target-all", "2")

    modules = data["modules"]
    assert {code: module["target"] for code, module in modules.items()} == (
        dict.fromkeys(MODULES, 2) | {"STR": 5}
    )
    assert modules["STR"]["gaps"] == {"4": ["STR-4.1"], "5": codes_of("STR", 5)}
    assert modules["ORG"]["gaps"] == {}
    assert modules["SIA"]["gaps"] == {"1": ["SIA-1.2"]}
    assert modules["LC"]["gaps"] == {"2": ["LC-MON-2.1"]}
    assert modules["TEX"]["gaps"] == {}
    assert modules["MMA"]["gaps"] == {"1": codes_of("MMA", 1), "2": codes_of("MMA", 2)}


def test_it_reads_the_assessment_export_shape(installed, tmp_path):
    export = {
        "framework": {"code": "AIMRG", "version": "1.0"},
        "answers": sample_answers(),
    }
    assert run(write(tmp_path, export)) == run(
        write(tmp_path, {"answers": sample_answers()}, "plain.json")
    )


def test_it_reads_a_framework_code_and_version(installed, tmp_path):
    path = write(
        tmp_path, {"framework": "AIMRG", "version": "1.0", "answers": sample_answers()}
    )
    assert run(path)["modules"]["TEX"]["level"] == 5


def test_it_takes_an_empty_answer_list_as_nothing_answered(installed, tmp_path):
    data = run(write(tmp_path, {"answers": []}))
    assert data["organisation"]["distribution"]["0"] == 11


def test_it_takes_a_missing_status_as_unanswered(installed, tmp_path):
    path = write(tmp_path, {"answers": [{"requirement": "TEX-1.1"}]})
    assert run(path)["modules"]["TEX"]["levels"]["1"]["unmet"] == ["TEX-1.1"]


def test_it_prints_json_indented_by_two(installed, tmp_path):
    out = io.StringIO()
    call_command("score", write(tmp_path, {"answers": []}), stdout=out)
    assert out.getvalue().startswith('{\n  "framework": {\n    "code": "AIMRG",')


def test_it_scores_against_the_latest_version_unless_told(installed, tmp_path):
    newer = Framework.objects.create(
        code="AIMRG", version="2.0", title="t", title_en="t", source="s"
    )
    module = Module.objects.create(
        framework=newer, code="STR", position=1, name="n", name_en="n", description=""
    )
    for level in range(1, 6):
        Requirement.objects.create(
            framework=newer,
            module=module,
            level=level,
            position=1,
            sequence=level,
            code=f"STR-{level}.1",
            text="t",
        )
    answers = {"answers": [{"requirement": "STR-1.1", "status": "satisfied"}]}

    latest = run(write(tmp_path, answers))
    pinned = run(write(tmp_path, {"version": "1.0", **answers}, "pinned.json"))

    assert latest["framework"] == {"code": "AIMRG", "version": "2.0"}
    assert list(latest["modules"]) == ["STR"]
    assert latest["modules"]["STR"]["level"] == 1
    assert pinned["framework"] == {"code": "AIMRG", "version": "1.0"}
    assert pinned["modules"]["STR"]["level"] == 0


def test_it_reads_standard_input_for_a_dash(installed, monkeypatch):
    raw = json.dumps({"answers": [{"requirement": "TEX-1.1", "status": "satisfied"}]})
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw.encode())))
    assert run("-")["modules"]["TEX"]["level"] == 1


# -- Errors ---------------------------------------------------------------------


def test_it_names_a_missing_file(installed, tmp_path):
    path = str(tmp_path / "nowhere.json")
    assert fail(path) == f"{path}: cannot read file (No such file or directory)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"answers": [', "not JSON (Expecting value at line 1 column 14)"),
        (b"", "not JSON (Expecting value at line 1 column 1)"),
        (b'{"answers": ["\xe9"]}', "not JSON (not UTF-8 text)"),
    ],
)
def test_it_names_a_file_that_is_not_json(installed, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert fail(str(path)) == f"{path}: {message}"


def test_it_reads_a_file_with_a_byte_order_mark(installed, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"answers": []}).encode())
    assert run(str(path))["framework"]["code"] == "AIMRG"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "{path}: expected an object with an 'answers' list, not a list"),
        ("answers", "{path}: expected an object with an 'answers' list, not a string"),
        ({}, "answers: missing"),
        (
            {"answers": {"STR-1.1": "satisfied"}},
            "answers: expected a list, not an object",
        ),
        ({"answers": None}, "answers: expected a list, not null"),
        ({"answers": ["STR-1.1"]}, "answers[0]: expected an object, not a string"),
        (
            {"answers": [{"requirement": "STR-1.1"}, {"status": "satisfied"}]},
            "answers[1]: missing 'requirement'",
        ),
        (
            {"answers": [{"requirement": 11, "status": "satisfied"}]},
            "answers[0]: requirement must be a string, not 11",
        ),
        (
            {
                "answers": [
                    {"requirement": "STR-1.1", "status": "satisfied"},
                    {"requirement": "STR-1.2", "status": "satisfied"},
                    {"requirement": "STR-1.3", "status": "satisfied"},
                    {"requirement": "STR-9.9", "status": "satisfied"},
                ]
            },
            "answers[3]: unknown requirement code 'STR-9.9'",
        ),
        (
            {"answers": [{"requirement": "str-1.1", "status": "satisfied"}]},
            "answers[0]: unknown requirement code 'str-1.1'",
        ),
        (
            {
                "answers": [
                    {"requirement": "STR-1.1", "status": "satisfied"},
                    {"requirement": "STR-1.2", "status": "partial"},
                    {"requirement": "STR-1.1", "status": "partial"},
                ]
            },
            "answers[2]: duplicate requirement code 'STR-1.1' (first at answers[0])",
        ),
        (
            {"answers": [{"requirement": "STR-1.1", "status": "done"}]},
            "answers[0]: unknown status 'done' for STR-1.1 (expected satisfied, "
            "partial, not_satisfied, not_applicable or null)",
        ),
        (
            {"answers": [{"requirement": "STR-1.1", "status": True}]},
            "answers[0]: unknown status true for STR-1.1 (expected satisfied, "
            "partial, not_satisfied, not_applicable or null)",
        ),
        ({"framework": "XYZ", "answers": []}, "framework: unknown framework 'XYZ'"),
        (
            {"framework": {"code": "XYZ", "version": "1.0"}, "answers": []},
            "framework: unknown framework 'XYZ'",
        ),
        (
            {"version": "9.9", "answers": []},
            "version: unknown version '9.9' of framework AIMRG",
        ),
        (
            {"framework": {"code": "AIMRG", "version": "9.9"}, "answers": []},
            "framework.version: unknown version '9.9' of framework AIMRG",
        ),
        (
            {"framework": {"version": "1.0"}, "answers": []},
            "framework.code: expected a string, not null",
        ),
        (
            {"framework": {"code": "AIMRG", "version": 1.0}, "answers": []},
            "framework.version: expected a string, not 1.0",
        ),
        (
            {"framework": 7, "answers": []},
            "framework: expected a code or an object, not a number",
        ),
        (
            {
                "framework": {"code": "AIMRG", "version": "1.0"},
                "version": "2.0",
                "answers": [],
            },
            "framework.version: '1.0' disagrees with version '2.0'",
        ),
    ],
)
def test_it_names_the_offending_entry(installed, tmp_path, data, message):
    path = write(tmp_path, data)
    assert fail(path) == message.format(path=path)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--target", "STR"], "--target STR: expected MODULE=LEVEL"),
        (
            ["--target", "XYZ=3"],
            "--target XYZ=3: unknown module 'XYZ' (expected one of "
            "STR, ORG, SIA, LC, ERS, TEX, ICM, EXT, IPP, ESR, MMA)",
        ),
        (
            ["--target", "LC-REQ=3"],
            "--target LC-REQ=3: unknown module 'LC-REQ' (expected one of "
            "STR, ORG, SIA, LC, ERS, TEX, ICM, EXT, IPP, ESR, MMA)",
        ),
        (
            ["--target", "STR=6"],
            "--target STR=6: level must be a whole number from 1 to 5",
        ),
        (
            ["--target", "STR=0"],
            "--target STR=0: level must be a whole number from 1 to 5",
        ),
        (
            ["--target", "STR=x"],
            "--target STR=x: level must be a whole number from 1 to 5",
        ),
        (
            ["--target-all", "2.5"],
            "--target-all 2.5: level must be a whole number from 1 to 5",
        ),
        (
            ["--target", "STR=2", "--target", "STR=3"],
            "--target STR=3: module STR has a target already",
        ),
    ],
)
def test_it_names_a_bad_target(installed, tmp_path, options, message):
    assert fail(write(tmp_path, {"answers": []}), *options) == message


def test_it_says_when_no_framework_is_installed(installed, tmp_path):
    Framework.objects.all().delete()
    assert fail(write(tmp_path, {"answers": []})) == (
        "framework: the default framework 'AIMRG' is not installed; "
        "run load_framework first"
    )


# -- As a program ---------------------------------------------------------------


def test_it_exits_with_the_result_or_one_line_of_error(tmp_path):
    python = ROOT / ".venv" / "bin" / "python"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        PORTAL_DATA_DIR=str(tmp_path),
    )

    def manage(*args):
        return subprocess.run(
            [str(python if python.exists() else sys.executable), "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    for setup in (["migrate", "-v", "0"], ["load_framework", "-v", "0"]):
        result = manage(*setup)
        assert result.returncode == 0, result.stderr

    good = write(tmp_path, {"answers": [{"requirement": "TEX-1.1", "status": None}]})
    result = manage("score", good, "--target-all", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["modules"]["TEX"]["gaps"] == {"1": ["TEX-1.1"]}

    bad = {
        "answers": [
            {"requirement": "STR-1.1", "status": "satisfied"},
            {"requirement": "STR-1.2", "status": "satisfied"},
            {"requirement": "STR-1.3", "status": "satisfied"},
            {"requirement": "STR-9.9", "status": "satisfied"},
        ]
    }
    result = manage("score", write(tmp_path, bad, "bad.json"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "CommandError: answers[3]: unknown requirement code 'STR-9.9'"
    ]
