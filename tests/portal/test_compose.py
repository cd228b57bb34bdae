"""Tests of the production run files: docker-compose.yml and the Dockerfile."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_names_every_service(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker"}


@pytest.mark.parametrize("service", ["db", "redis", "web", "worker"])
def test_every_service_has_a_health_check(compose, service):
    assert compose["services"][service]["healthcheck"]["test"]


def test_the_database_is_postgresql_15_or_newer_on_a_named_volume(compose):
    db = compose["services"]["db"]
    image, _, tag = db["image"].partition(":")

    assert image == "postgres"
    assert int(tag.split(".")[0]) >= 15
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_web_migrates_and_loads_the_standard_before_serving(compose):
    command = " ".join(compose["services"]["web"]["command"])

    assert command.index("migrate") < command.index("load_framework")
    assert command.index("load_framework") < command.index("gunicorn")


def test_web_and_worker_talk_to_the_database_and_broker(compose):
    for service in ("web", "worker"):
        environment = compose["services"][service]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert environment["DEBUG"] == "false"
        assert set(compose["services"][service]["depends_on"]) == {"db", "redis"}


def test_the_image_has_the_pdf_libraries_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "libharfbuzz-subset0" in dockerfile
    assert "fonts-noto-cjk" in dockerfile
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines
    assert user_lines[-1] != "USER root"


def test_the_image_collects_static_files_with_the_production_storage():
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    collect = [line for line in dockerfile.splitlines() if "collectstatic" in line]

    # With DEBUG true, collectstatic writes no manifest, and a container
    # running with DEBUG false could not resolve a single static file.
    assert len(collect) == 1
    assert "DEBUG=false" in collect[0].split()


def _compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return [docker, "compose"]
    return None


def test_compose_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed")

    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
