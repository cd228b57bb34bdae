"""Servers and workers started for the run, each in a process group of its own.

A group of its own keeps Ctrl-C in the terminal away from them, so that
the benchmark stops them in order, and lets :meth:`ChildProcess.stop` end
the whole group it started (a gunicorn master and its workers, a Celery
worker and its pool) and nothing else.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from portal.benchmark.sandbox import BASE_DIR

STOP_TIMEOUT = 20


class ChildProcess:
    """A command run in its own process group, its output kept in a log file."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path):
        self.command = command
        self.env = env
        self.log_path = log_path
        self.process = None
        self.log = None

    def start(self) -> "ChildProcess":
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]

    def wait(self, timeout: float) -> int:
        """Wait for the command to end; raise RuntimeError if it fails."""
        code = self.process.wait(timeout=timeout)
        if code != 0:
            raise RuntimeError(
                f"{' '.join(self.command[:4])} failed ({code}):\n{self.log_text()}"
            )
        return code

    def stop(self) -> None:
        """Stop the process group: politely, then by force after a while."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait()
        if self.log is not None:
            self.log.close()

    def _signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)


def celery_worker_command(queue: str, hostname: str) -> list[str]:
    """Return the command of one Celery worker of the portal, on ``queue`` only.

    One task at a time in one child process, without gossip or mingle, so
    that a worker can be started, killed and counted on its own.
    """
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--loglevel=INFO",
        "--pool=prefork",
        "--concurrency=1",
        f"--queues={queue}",
        f"--hostname={hostname}@%h",
        "--without-gossip",
        "--without-mingle",
    ]


def free_port() -> int:
    """Return a TCP port on the loopback address that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, process: ChildProcess, what: str, timeout: float) -> None:
    """Poll ``condition`` until it holds; raise if ``process`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running:
            raise RuntimeError(f"{what} exited early:\n{process.log_text()}")
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s:\n{process.log_text()}")
