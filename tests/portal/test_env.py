"""Tests of the strict environment readers and of settings start-up errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_choice, env_int, env_list, env_size, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_it_reads_booleans_in_several_spellings():
    assert env_bool("X", False, environ={"X": "yes"}) is True
    assert env_bool("X", True, environ={"X": "OFF"}) is False
    assert env_bool("X", True, environ={}) is True


def test_it_refuses_a_boolean_it_cannot_read():
    with pytest.raises(ImproperlyConfigured, match=r"X='maybe' is not a boolean"):
        env_bool("X", False, environ={"X": "maybe"})


def test_it_reads_sizes_with_units():
    assert env_size("S", 1, environ={"S": "25M"}) == 25 * 1024 * 1024
    assert env_size("S", 1, environ={"S": "512k"}) == 512 * 1024
    assert env_size("S", 1, environ={"S": "1000"}) == 1000
    assert env_size("S", 7, environ={}) == 7


@pytest.mark.parametrize("value", ["25 GB", "lots", "-3", "M", "0"])
def test_it_refuses_sizes_it_cannot_read(value):
    with pytest.raises(ImproperlyConfigured, match="S"):
        env_size("S", 1, environ={"S": value})


def test_it_refuses_integers_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 5, minimum=1, environ={"N": "0"})
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("N", 5, environ={"N": "five"})


def test_it_splits_lists_and_drops_blanks():
    assert env_list("L", [], environ={"L": "a.example, b.example,,"}) == [
        "a.example",
        "b.example",
    ]


def test_it_requires_a_value_without_default():
    with pytest.raises(ImproperlyConfigured, match="REQUIRED must be set"):
        env_str("REQUIRED", environ={"REQUIRED": "  "})


def test_it_refuses_a_choice_outside_the_list():
    with pytest.raises(ImproperlyConfigured, match="fr"):
        env_choice(
            "LANGUAGE_CODE", "en", ["en", "zh-hans"], environ={"LANGUAGE_CODE": "fr"}
        )


def _manage(args, tmp_path, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    base.update(PORTAL_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setting(name, tmp_path, **env):
    return _manage(
        [
            "shell",
            "--no-imports",
            "-c",
            f"from django.conf import settings; print(settings.{name})",
        ],
        tmp_path,
        **env,
    )


def test_it_reads_the_largest_archive_from_the_environment(tmp_path):
    given = _setting(
        "INTERCHANGE_MAX_ARCHIVE_SIZE", tmp_path, INTERCHANGE_MAX_ARCHIVE_SIZE="64M"
    )
    default = _setting(
        "INTERCHANGE_MAX_ARCHIVE_SIZE", tmp_path, EVIDENCE_MAX_UPLOAD_SIZE="10M"
    )
    wrong = _setting(
        "INTERCHANGE_MAX_ARCHIVE_SIZE", tmp_path, INTERCHANGE_MAX_ARCHIVE_SIZE="lots"
    )

    assert given.stdout.strip() == str(64 * 1024**2), given.stderr
    assert default.stdout.strip() == str(20 * 10 * 1024**2), default.stderr
    assert wrong.returncode != 0
    assert "INTERCHANGE_MAX_ARCHIVE_SIZE='lots' is not a size" in wrong.stderr


def test_the_example_environment_documents_the_archive_limit():
    example = (ROOT / ".env.example").read_text()
    values = dict(
        line.split("=", 1)
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    )

    assert env_size("X", 1, environ={"X": values["INTERCHANGE_MAX_ARCHIVE_SIZE"]}) == (
        20 * env_size("X", 1, environ={"X": values["EVIDENCE_MAX_UPLOAD_SIZE"]})
    )


def test_it_stops_at_start_up_on_a_bad_value(tmp_path):
    result = _manage(["check"], tmp_path, DEBUG="sometimes")

    assert result.returncode != 0
    assert "DEBUG='sometimes' is not a boolean" in result.stderr


def test_it_requires_a_secret_key_in_production(tmp_path):
    result = _manage(["check"], tmp_path, DEBUG="false", ALLOWED_HOSTS="portal.example")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_it_explains_a_malformed_database_url(tmp_path):
    result = _manage(["check"], tmp_path, DATABASE_URL="mysqlx://nowhere")

    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_it_generates_and_keeps_a_local_secret_key(tmp_path):
    first = _manage(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        tmp_path,
    )
    second = _manage(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        tmp_path,
    )

    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!kq2v9#mz4@pl8w3&rt6^yb1*nc5(hd0)fj-gs_ue=ai+ox" * 2,
    "ALLOWED_HOSTS": "portal.example.org",
}


def test_production_settings_pass_the_deploy_check(tmp_path):
    collected = tmp_path / "static"
    collected.mkdir()
    (collected / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')

    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        STATIC_ROOT=str(collected),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_deploy_check_asks_for_the_static_files_to_be_collected(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        STATIC_ROOT=str(tmp_path / "static"),
        **PRODUCTION,
    )

    assert result.returncode != 0
    assert "portal.W002" in result.stderr
    assert "collectstatic --noinput" in result.stderr


def test_it_explains_a_redis_url_that_is_none(tmp_path):
    result = _manage(["check"], tmp_path, REDIS_URL="localhost:6379")

    assert result.returncode != 0
    assert "REDIS_URL='localhost:6379' is not a Redis URL" in result.stderr
