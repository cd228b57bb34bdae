"""Benchmark pages, autosave, scoring and reports in a throwaway database."""

import logging
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.benchmark.results import table, verdicts
from portal.benchmark.runner import SECTIONS, Options, Run
from portal.benchmark.sandbox import require_postgresql, sandbox


def _sections(value: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in value.split(",") if name.strip())
    unknown = names - set(SECTIONS)
    if unknown or not names:
        raise CommandError(
            f"--only takes a comma-separated list of {', '.join(SECTIONS)}; "
            f"not {', '.join(sorted(unknown)) or 'nothing'}."
        )
    return names


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _quiet_reports() -> None:
    """Keep this process's report logs, a line per request and render, off stderr."""
    for name in ("reports.services", "reports.pdf"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Command(BaseCommand):
    help = (
        "Seed a throwaway PostgreSQL database at a small and a large scale and "
        "measure pages, autosave, scoring, the PDF report and the report queue "
        "against baselines of the same run; prints the table with PASS or FAIL "
        "per target. The configured database is never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-large",
            action="store_true",
            help="Measure the small scale only (one organisation).",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=30,
            help="Requests or batches per figure (default 30); the PDF renders "
            "min(N, 3) times each.",
        )
        parser.add_argument(
            "--only",
            type=_sections,
            default=frozenset(SECTIONS),
            help=f"Comma-separated sections to run: {','.join(SECTIONS)} "
            "(default: all).",
        )
        parser.add_argument(
            "--duration",
            type=float,
            default=10.0,
            help="Seconds of counted load per throughput figure (default 10).",
        )

    def handle(self, *args, skip_large, repeat, only, duration, **options):
        require_postgresql()
        if "queue" in only and not settings.REDIS_URL:
            raise CommandError(
                "The report queue needs Redis: set REDIS_URL=redis://host:6379/n, "
                "or leave the queue out with --only."
            )
        if repeat < 1 or duration <= 0:
            raise CommandError("--repeat and --duration must be positive.")
        options = Options(
            sections=only, skip_large=skip_large, repeat=repeat, duration=duration
        )

        started = time.monotonic()
        signal.signal(signal.SIGTERM, _interrupt)
        _quiet_reports()

        def progress(message: str) -> None:
            sys.stderr.write(f"[{time.monotonic() - started:7.1f} s] {message}\n")
            sys.stderr.flush()

        try:
            with sandbox(progress) as box:
                outcome = Run(options, box, progress)()
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted; the benchmark database and files were removed."
            ) from None

        self.stdout.write("\n".join(outcome.header))
        self.stdout.write("")
        self.stdout.write(table(outcome.rows))
        self.stdout.write("")
        for note in outcome.notes:
            self.stdout.write(f"- {note}")
        self.stdout.write("")
        self.stdout.write(
            f"{verdicts(outcome.rows)} Run took {time.monotonic() - started:.0f} s."
        )
