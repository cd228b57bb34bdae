"""The benchmark's own world: a throwaway database, folder and secret key.

:func:`sandbox` creates a PostgreSQL database named after the process,
migrates it and installs the standard; everything the run stores on disk
goes to a temporary folder. Both are removed when the run ends, also on
Ctrl-C or an error. Servers and workers started for the run get the same
database, folder and secret key through :meth:`Sandbox.environment`.
"""

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import override_settings

BASE_DIR = Path(settings.BASE_DIR)
DATABASE_PREFIX = "portal_benchmark_"
# The test client's host name, next to the addresses servers listen on.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]


@dataclass(frozen=True)
class Sandbox:
    root: Path
    database_name: str
    secret_key: str
    redis_url: str

    @property
    def private_root(self) -> Path:
        return self.root / "private"

    @property
    def static_root(self) -> Path:
        return self.root / "static"

    def log_path(self, name: str) -> Path:
        return self.root / "logs" / name

    def database_url(self) -> str:
        """Return the URL of the benchmark database, for other processes."""
        params = connection.settings_dict
        user = quote(params.get("USER") or "", safe="")
        password = quote(params.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = params.get("HOST") or "127.0.0.1"
        port = params.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{self.database_name}"

    def environment(self, **extra: str) -> dict[str, str]:
        """Return the environment of a server or worker of this run.

        They run as in production, with DEBUG off, over plain HTTP on the
        loopback address.
        """
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url(),
            REDIS_URL=self.redis_url,
            SECRET_KEY=self.secret_key,
            DEBUG="false",
            ALLOWED_HOSTS=",".join(ALLOWED_HOSTS),
            SECURE_SSL_REDIRECT="false",
            PRIVATE_STORAGE_ROOT=str(self.private_root),
            STATIC_ROOT=str(self.static_root),
            PORTAL_DATA_DIR=str(self.root / "data"),
            PYTHONPATH=str(BASE_DIR),
            DJANGO_SETTINGS_MODULE="portal.settings",
        )
        env.update(extra)
        return env


def require_postgresql() -> None:
    """Raise CommandError unless DATABASE_URL points at PostgreSQL."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host/db "
            f"(now {connection.vendor})."
        )


@contextmanager
def sandbox(progress: Callable[[str], None]) -> Iterator[Sandbox]:
    """Create the benchmark's database and folder, and remove both afterwards.

    Inside, the process uses the benchmark database, a throwaway secret key
    and private storage under the temporary folder.
    """
    name = f"{DATABASE_PREFIX}{os.getpid()}"
    original_name = connection.settings_dict["NAME"]
    root = Path(tempfile.mkdtemp(prefix="portal-benchmark-"))
    (root / "logs").mkdir()
    box = Sandbox(
        root=root,
        database_name=name,
        secret_key=secrets.token_urlsafe(50),
        redis_url=settings.REDIS_URL,
    )
    try:
        with override_settings(
            SECRET_KEY=box.secret_key,
            PRIVATE_STORAGE_ROOT=box.private_root,
            ALLOWED_HOSTS=ALLOWED_HOSTS,
        ):
            progress(f"Creating and migrating database {name}")
            _create_database(name)
            progress("Loading the standard")
            call_command("load_framework", verbosity=0)
            yield box
    finally:
        progress(f"Dropping database {name}")
        _drop_database(name, original_name)
        shutil.rmtree(root, ignore_errors=True)


def _create_database(name: str) -> None:
    connection.settings_dict["TEST"]["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def _drop_database(name: str, original_name: str) -> None:
    """Drop database ``name``, ending any session still connected to it."""
    connections.close_all()
    # The server database, not ``name``: no one can drop the database they
    # are connected to.
    connection.settings_dict["NAME"] = original_name
    settings.DATABASES[connection.alias]["NAME"] = original_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
