"""Tests that tasks reach a real worker through Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.celery import app
from portal.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_a_real_worker_runs_a_task(worker_factory):
    worker = worker_factory()

    result = ping.apply_async(queue=worker.queue)

    assert result.get(timeout=30) == "pong"
    assert not app.conf.task_always_eager
    assert "portal.tasks.ping" in worker.log_text()


def test_tasks_run_eagerly_without_a_broker(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(PORTAL_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db")
    code = (
        "from portal.celery import app; from portal.tasks import ping; "
        "print(app.conf.task_always_eager, ping.delay().get())"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "pong"]
