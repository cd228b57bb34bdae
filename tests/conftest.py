"""Shared test set-up: service detection, a real Celery worker, clean caches.

Tests marked ``postgres`` or ``redis`` need the real service. On a laptop
without them they are skipped with the reason shown; with
``PORTAL_REQUIRE_SERVICES=1`` (as CI sets it) a missing service fails them
instead, so CI always covers them.
"""

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


def _services_required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _redis_problem() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at REDIS_URL is unreachable ({error})"
    return None


def _postgres_problem() -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    broker = settings.REDIS_URL or "none (Celery runs tasks eagerly)"
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}",
        f"broker: {broker}",
    ]


def pytest_runtest_setup(item):
    problems = []
    if item.get_closest_marker("postgres"):
        problems.append(_postgres_problem())
    if item.get_closest_marker("redis"):
        problems.append(_redis_problem())
    problems = [problem for problem in problems if problem]
    if not problems:
        return
    reason = "; ".join(problems)
    if _services_required():
        pytest.fail(f"service required but missing: {reason}", pytrace=False)
    pytest.skip(f"needs a real service: {reason}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database with the shipped standard installed once.

    Loading the standard takes a couple of seconds; tests see it through
    their rolled-back transactions instead of loading it again.
    """
    with django_db_blocker.unblock():
        call_command("load_framework", verbosity=0)


@pytest.fixture
def framework(db):
    """Return the latest installed version of the shipped standard."""
    from maturity.models import Framework

    installed = Framework.objects.latest_version("AIMRG")
    if installed is None:
        # A transactional test before this one emptied the database.
        call_command("load_framework", verbosity=0)
        installed = Framework.objects.latest_version("AIMRG")
    return installed


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache():
    """Forget catalogues between tests, since database ids may be reused."""
    from maturity.catalogues import clear_cache

    clear_cache()
    yield
    clear_cache()


def _database_url_of_test_database() -> str:
    from django.db import connection

    params = connection.settings_dict
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{params['NAME']}"


class WorkerProcess:
    """A Celery worker running in its own process, as in production."""

    def __init__(
        self,
        queue: str,
        database_url: str | None,
        log_path: Path,
        extra_env: dict[str, str] | None = None,
    ):
        self.queue = queue
        self.database_url = database_url
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.process = None

    def start(self) -> "WorkerProcess":
        env = dict(os.environ)
        env["REDIS_URL"] = settings.REDIS_URL
        env["CELERY_TASK_DEFAULT_QUEUE"] = self.queue
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        # The worker must run against the very files under test.
        env["PYTHONPATH"] = str(ROOT)
        env.update(self.extra_env)
        from portal.benchmark.processes import celery_worker_command

        command = celery_worker_command(self.queue, f"test-{uuid.uuid4().hex[:8]}")
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_text()}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def worker_factory(tmp_path, request):
    """Start real Celery workers on a queue of their own for this test.

    Tasks sent with ``queue=worker.queue`` reach them. A worker that touches
    the database needs the test database committed and shared, so tests that
    use one against the database must also be marked ``postgres`` and use
    ``transactional_db``.
    """
    from portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    workers = []
    uses_database = "transactional_db" in request.fixturenames
    database_url = _database_url_of_test_database() if uses_database else None

    # Tasks sent with .delay() during the test go to this worker's queue.
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue

    def start(env: dict[str, str] | None = None) -> WorkerProcess:
        """Start a worker; ``env`` adds to or overrides its environment."""
        log_path = tmp_path / f"worker-{len(workers)}.log"
        worker = WorkerProcess(queue, database_url, log_path, env).start()
        workers.append(worker)
        return worker

    start.queue = queue
    yield start

    for worker in workers:
        worker.stop()
    app.conf.task_default_queue = previous_queue
    if settings.REDIS_URL:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
