"""Throughput over loopback: a real gunicorn server and concurrent clients.

The server runs from the virtual environment against the benchmark
database, as in production: DEBUG off, static files collected, several
workers with threads each (``server_settings`` names the one difference).
Each client is a thread with a keep-alive connection and the session
cookie of its own logged-in user.
"""

import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from django.conf import settings

from portal.benchmark.browser import JSON_ACCEPT, answer_form, multipart
from portal.benchmark.pages import logged_in
from portal.benchmark.processes import ChildProcess, free_port, wait_for
from portal.benchmark.sandbox import Sandbox

HOST = "127.0.0.1"
WORKERS = 3
THREADS = 4
WARM_UP = 1.0  # seconds of load before counting starts
# Seconds of uncounted load that bring every server process up to speed.
SERVER_WARM_UP = 5.0
# Rounds in which the two kinds of client take turns.
ROUNDS = 3
STALE_CONNECTION = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
)


SETTINGS = "portal.benchmark.server_settings"


def collect_static(sandbox: Sandbox) -> None:
    """Collect the static files a server with DEBUG off needs for its pages."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    env = sandbox.environment(DJANGO_SETTINGS_MODULE=SETTINGS)
    process = ChildProcess(command, env, sandbox.log_path("collectstatic.log"))
    try:
        process.start().wait(timeout=300)
    finally:
        process.stop()


class Server:
    """A gunicorn server of the portal on a free loopback port."""

    def __init__(self, sandbox: Sandbox):
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={WORKERS}",
            f"--threads={THREADS}",
            "--worker-class=gthread",
            "--timeout=120",
        ]
        env = sandbox.environment(DJANGO_SETTINGS_MODULE=SETTINGS)
        self.process = ChildProcess(command, env, sandbox.log_path("gunicorn.log"))

    @property
    def description(self) -> str:
        return f"gunicorn, {WORKERS} workers × {THREADS} threads"

    def start(self) -> "Server":
        self.process.start()
        wait_for(self._answers, self.process, "gunicorn", timeout=60)
        return self

    def warm_up(self, sessions: list["HttpSession"], path: str) -> None:
        """Load ``path`` uncounted: each process imports the views on first use."""
        run_load([PageClient(session, path) for session in sessions], SERVER_WARM_UP)

    def stop(self) -> None:
        self.process.stop()

    def session(self, cookies: dict[str, str]) -> "HttpSession":
        return HttpSession(self.port, cookies)

    def _answers(self) -> bool:
        probe = HttpSession(self.port, {})
        try:
            status, _body = probe.request("GET", "/healthz")
        except OSError:
            return False
        finally:
            probe.close()
        return status in {200, 503}


def session_cookies(user) -> dict[str, str]:
    """Log ``user`` in and return the cookie a browser would then hold."""
    client = logged_in(user)
    name = settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


class HttpSession:
    """One browser's connection to the server, with its cookies."""

    def __init__(self, port: int, cookies: dict[str, str]):
        self.origin = f"http://{HOST}:{port}"
        self.cookies = dict(cookies)
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method, path, body=None, headers=None) -> tuple[int, bytes]:
        sent = {"Host": self.origin.removeprefix("http://"), **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            response, data = self._send(method, path, body, sent)
        except STALE_CONNECTION:
            # The server closed the kept-alive connection while it was idle;
            # a browser opens a new one and sends the request again.
            self.connection.close()
            response, data = self._send(method, path, body, sent)
        for header in response.headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update((key, morsel.value) for key, morsel in jar.items())
        return response.status, data

    def close(self) -> None:
        self.connection.close()

    def _send(self, method, path, body, headers):
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            return response, response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise


class PageClient:
    """A client asking for one page again and again."""

    def __init__(self, session: HttpSession, path: str):
        self.session = session
        self.path = path

    def step(self) -> int:
        status, _body = self.session.request("GET", self.path)
        return status


class AutosaveClient:
    """A client autosaving its own answer, carrying the version it gets back."""

    def __init__(self, session: HttpSession, page_path: str, action: str):
        status, body = session.request("GET", page_path)
        if status != 200:
            raise RuntimeError(f"GET {page_path} answered {status}.")
        self.session = session
        self.action = action
        self.form = answer_form(body.decode(), action)
        self.version = int(self.form.fields["version"])
        self.text = self.form.fields["justification"]
        self.saves = 0

    def step(self) -> int:
        self.saves += 1
        body, content_type = multipart(
            self.form.with_text(f"{self.text}（第{self.saves}次保存）", self.version)
        )
        headers = {
            "Content-Type": content_type,
            "Accept": JSON_ACCEPT,
            "Origin": self.session.origin,
        }
        status, data = self.session.request("POST", self.action, body, headers)
        if status in {200, 409}:
            # 409 carries the stored answer; saving over it needs its version.
            self.version = json.loads(data)["answer"]["version"]
        return status


@dataclass
class LoadResult:
    """Responses that completed while counting, by status, with their latency."""

    clients: int
    duration: float
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def add(self, other: "LoadResult") -> None:
        self.duration += other.duration
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        self.latencies.extend(other.latencies)

    @property
    def throughput(self) -> float:
        """Return successful responses per second."""
        return self.statuses[200] / self.duration

    @property
    def median_latency(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def summary(self) -> str:
        parts = [
            f"{count} × {status}" for status, count in sorted(self.statuses.items())
        ]
        parts += [f"{count} × {error}" for error, count in sorted(self.errors.items())]
        return ", ".join(parts) or "no response"


def compare_load(first, second, duration: float) -> tuple[LoadResult, LoadResult]:
    """Load with ``first`` and then ``second`` clients, in :data:`ROUNDS` turns.

    Each kind gets ``duration`` counted seconds in all; taking turns spreads
    whatever else the machine does over both.
    """
    results = (
        LoadResult(clients=len(first), duration=0.0),
        LoadResult(clients=len(second), duration=0.0),
    )
    for _ in range(ROUNDS):
        for clients, result in zip((first, second), results, strict=True):
            result.add(run_load(clients, duration / ROUNDS))
    return results


def run_load(clients, duration: float) -> LoadResult:
    """Run every client's ``step`` in its own thread and count what completes.

    Load runs for :data:`WARM_UP` seconds before counting starts and
    ``duration`` seconds while counting; a response counts when it arrives
    within that window.
    """
    result = LoadResult(clients=len(clients), duration=duration)
    lock = threading.Lock()
    ready = threading.Barrier(len(clients) + 1)
    window = {}

    def work(client):
        ready.wait()
        statuses, errors, latencies = Counter(), Counter(), []
        while (started := time.perf_counter()) < window["end"]:
            try:
                status = client.step()
            except (http.client.HTTPException, OSError, ValueError) as error:
                status = None
                errors[type(error).__name__] += 1
            finished = time.perf_counter()
            if status is not None and window["start"] <= finished <= window["end"]:
                statuses[status] += 1
                latencies.append(finished - started)
        with lock:
            result.statuses.update(statuses)
            result.errors.update(errors)
            result.latencies.extend(latencies)

    # Daemons, so that Ctrl-C does not wait for the window to end.
    threads = [
        threading.Thread(target=work, args=(client,), daemon=True) for client in clients
    ]
    for thread in threads:
        thread.start()
    window["start"] = time.perf_counter() + WARM_UP
    window["end"] = window["start"] + duration
    ready.wait()
    for thread in threads:
        thread.join()
    return result
