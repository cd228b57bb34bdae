"""One benchmark run: seed each scale, measure, and collect the table.

The small scale is one organisation with its three assessments; the large
scale adds organisations up to :data:`LARGE_ORGANISATIONS`. Pages, the
in-process autosave and the scoring selector are measured at each scale on
the same assessment, the one under way of the first organisation;
throughput, the score alone, the PDF report and the report queue once, at
the largest scale seeded.
"""

import gc
import os
import platform
import time
from dataclasses import dataclass, field

import django
from django.db import connection, reset_queries
from django.urls import reverse
from django.utils import timezone

from assessments.selectors import questionnaire_url
from maturity.catalogues import get_catalogue
from maturity.models import Framework
from portal.benchmark import figures, load, pages, pdf, report_queue, scoring
from portal.benchmark.results import Row, kib
from portal.benchmark.sandbox import Sandbox
from portal.benchmark.seeding import Seeder

SECTIONS = ("pages", "autosave", "scoring", "pdf", "queue")
FRAMEWORK_CODE = "AIMRG"
LARGE_ORGANISATIONS = 200
CLIENTS = 20
QUEUE_REPORTS = 50
MAX_PDF_RUNS = 3
# Seconds a queued report is allowed when no render was timed.
ASSUMED_RENDER = 30.0


@dataclass(frozen=True)
class Options:
    sections: frozenset[str]
    skip_large: bool
    repeat: int
    duration: float

    @property
    def pdf_runs(self) -> int:
        return max(1, min(self.repeat, MAX_PDF_RUNS))


@dataclass
class Outcome:
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Run:
    """Seed, measure and collect the rows and notes of one benchmark run."""

    def __init__(self, options: Options, sandbox: Sandbox, progress):
        self.options = options
        self.sandbox = sandbox
        self.progress = progress
        self.framework = Framework.objects.latest_version(FRAMEWORK_CODE)
        self.seeder = Seeder(self.framework, sandbox.private_root)
        self.organisations = []
        self.page = pages.largest_page(self.framework)
        self.outcome = Outcome(header=self._header())
        # Scale -> page name -> its timing.
        self.timings = {}
        self.render_estimate = ASSUMED_RENDER

    def __call__(self) -> Outcome:
        wants = self.options.sections.__contains__
        self._seed(1, clients=CLIENTS)
        self._at_scale("small")
        scale = "small"
        if not self.options.skip_large:
            scale = "large"
            self._seed(LARGE_ORGANISATIONS)
            self._at_scale(scale)
            if wants("pages"):
                self._compare_queries()
        if wants("autosave"):
            self._throughput(scale)
        if wants("scoring"):
            self._score(scale)
        if wants("pdf"):
            self._pdf(scale)
        if wants("queue"):
            self._queue(scale)
        return self.outcome

    @property
    def home(self):
        """Return the organisation measured at every scale."""
        return self.organisations[0]

    @property
    def assessment(self):
        return self.home.current

    @property
    def labels(self) -> dict[str, str]:
        page = self.page
        return {
            figures.MINIMAL: f"minimal page {pages.minimal_page_url()}",
            "questionnaire": f"questionnaire {page.area} ({page.requirements} req.)",
            "dashboard": "dashboard",
            "overview": "overview",
        }

    # -- Seeding -------------------------------------------------------------

    def _seed(self, total: int, clients: int = 0) -> None:
        started = time.perf_counter()
        for index in range(len(self.organisations), total):
            self.organisations.append(
                self.seeder.organisation(index, clients=clients if index == 0 else 0)
            )
            if (index + 1) % 20 == 0:
                self.progress(f"Seeded {index + 1} of {total} organisations")
        # Fresh rows have no planner statistics yet; autovacuum would gather
        # them on a live database, so gather them now.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # Seeding leaves objects and, with DEBUG on, its logged SQL behind.
        # Frozen, the leftovers are never walked by the garbage collector, so
        # the large scale is not timed with a heavier process than the small.
        reset_queries()
        gc.collect()
        gc.freeze()
        counts = self.seeder.counts
        levels = self.seeder.module_levels
        self.outcome.notes.append(
            f"Seeded up to {total} organisations in "
            f"{time.perf_counter() - started:.1f} s; totals: "
            + ", ".join(f"{counts[key]} {key}" for key in sorted(counts))
            + "; self-assessed module levels of the finalised assessments: "
            + ", ".join(f"{levels[n]} at {n}" for n in range(6))
            + "."
        )

    # -- At each scale -------------------------------------------------------

    def _at_scale(self, scale: str) -> None:
        wants = self.options.sections.__contains__
        if wants("pages") or wants("autosave"):
            self._pages(scale, every_page=wants("pages"))
        if wants("autosave"):
            self._autosave(scale)
        if wants("scoring"):
            self._selector(scale)

    def _pages(self, scale: str, every_page: bool) -> None:
        self.progress(f"Timing pages at the {scale} scale")
        pk = self.assessment.pk
        urls = {figures.MINIMAL: pages.minimal_page_url()}
        if every_page:
            urls |= {
                "questionnaire": questionnaire_url(pk, self.page.area),
                "dashboard": reverse("assessments:assessment-dashboard", args=[pk]),
                "overview": reverse("assessments:assessment-detail", args=[pk]),
            }
        timings = pages.measure_pages(self.home.assessor, urls, self.options.repeat)
        self.timings[scale] = timings
        self.outcome.rows += figures.page_rows(
            scale, timings, self.labels, self.options.repeat
        )
        if every_page and scale == "small":
            self._note_pages(timings)

    def _note_pages(self, timings) -> None:
        self.outcome.notes.append(
            f"Pages are those of assessment {self.assessment.pk} "
            f"({self.assessment.status}, every requirement answered) seen by an "
            "assessor: "
            + ", ".join(f"{t.name} {t.url} {kib(t.size)}" for t in timings.values())
            + "."
        )
        for module, count in self.page.staged.items():
            url = questionnaire_url(self.assessment.pk, module)
            status = pages.status_of(self.home.assessor, url)
            self.outcome.notes.append(
                f"{module} ({count} requirements) has no page of its own, only its "
                f"stages: {url} answers {status}. The largest page a user can "
                f"open is {self.page.area} with {self.page.requirements}."
            )

    def _compare_queries(self) -> None:
        queries = {
            scale: {name: timing.queries for name, timing in timings.items()}
            for scale, timings in self.timings.items()
        }
        self.outcome.rows += figures.query_rows(queries, self.labels)

    def _autosave(self, scale: str) -> None:
        self.progress(f"Timing autosaves at the {scale} scale")
        ref = self._requirements(1)[0]
        minimal = self.timings[scale][figures.MINIMAL]
        for status_change in (False, True):
            timing = pages.measure_autosave(
                self.home.assessor,
                self.assessment,
                ref.code,
                ref.area,
                self.options.repeat,
                status_change=status_change,
            )
            self.outcome.rows += figures.autosave_rows(scale, timing, minimal, ref.code)

    def _selector(self, scale: str) -> None:
        self.progress(f"Timing the scoring selector at the {scale} scale")
        batches = max(5, self.options.repeat)
        alone = scoring.measure_score(self.assessment, batches)
        selector = scoring.measure_selector(self.assessment, batches)
        self.outcome.rows += figures.selector_rows(scale, selector, alone)

    # -- Once ----------------------------------------------------------------

    def _throughput(self, scale: str) -> None:
        self.progress("Collecting static files for the server")
        load.collect_static(self.sandbox)
        server = load.Server(self.sandbox)
        self.progress(f"Starting {server.description}")
        server.start()
        try:
            minimal, saves = self._load(server)
        finally:
            server.stop()
        self.outcome.rows.append(figures.throughput_row(scale, CLIENTS, saves, minimal))
        self.outcome.notes.append(
            figures.throughput_note(
                server, CLIENTS, self.options.duration, saves, minimal
            )
        )

    def _load(self, server):
        minimal_url = pages.minimal_page_url()
        sessions = [
            server.session(load.session_cookies(user)) for user in self.home.clients
        ]
        server.warm_up(sessions, minimal_url)
        savers = []
        for session, ref in zip(sessions, self._requirements(CLIENTS), strict=True):
            action = reverse(
                "assessments:answer-update", args=[self.assessment.pk, ref.code]
            )
            page = questionnaire_url(self.assessment.pk, ref.area)
            savers.append(load.AutosaveClient(session, page, action))
        self.progress(
            f"Loading {minimal_url}, then autosaving, with {CLIENTS} clients, "
            f"{load.ROUNDS} rounds each"
        )
        try:
            return load.compare_load(
                [load.PageClient(session, minimal_url) for session in sessions],
                savers,
                self.options.duration,
            )
        finally:
            for session in sessions:
                session.close()

    def _score(self, scale: str) -> None:
        self.progress("Timing score()")
        alone = scoring.measure_score(self.assessment, max(5, self.options.repeat))
        self.outcome.rows.append(figures.score_row(scale, alone))

    def _pdf(self, scale: str) -> None:
        runs = self.options.pdf_runs
        self.progress(f"Rendering the report and both plain blocks {runs}× each")
        found = pdf.measure_pdf(self.assessment, runs)
        report, plain = found[pdf.REPORT], found[pdf.PLAIN]
        self.render_estimate = report.context_wall + report.wall
        self.outcome.rows += figures.pdf_rows(scale, report, plain)
        self.outcome.rows += figures.pdf_content_rows(
            scale, report, found[pdf.PLAIN_WITH_ANSWERS]
        )
        self.outcome.notes.append(figures.pdf_note(self.assessment, report))

    def _queue(self, scale: str) -> None:
        requests = self._queue_requests()
        # Three times the renders' own time: the machine may be busier now.
        renders = QUEUE_REPORTS * self.render_estimate / report_queue.WORKERS
        timeout = 120 + 3 * renders
        self.progress(f"Queuing {len(requests)} reports (timeout {timeout:.0f} s)")
        result = report_queue.run_queue(self.sandbox, requests, timeout, self.progress)
        self.outcome.rows += figures.queue_rows(scale, result)
        self.outcome.notes += figures.queue_notes(result)

    def _queue_requests(self):
        """Return (assessment, its administrator) pairs, seeding more if needed.

        The assessments belong to other organisations than the measured one,
        one each when there are enough organisations.
        """
        per_organisation = 1 if len(self.organisations) > QUEUE_REPORTS else 3
        needed = 1 + -(-QUEUE_REPORTS // per_organisation)
        if len(self.organisations) < needed:
            self._seed(needed)
        pairs = [
            (assessment, organisation.admin)
            for organisation in self.organisations[1:]
            for assessment in organisation.assessments[-per_organisation:]
        ]
        return pairs[:QUEUE_REPORTS]

    # -- Helpers -------------------------------------------------------------

    def _requirements(self, count: int):
        """Return ``count`` requirements spread over the whole standard."""
        refs = get_catalogue(self.framework).requirements
        return [refs[number * len(refs) // count] for number in range(count)]

    def _header(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        options = self.options
        scales = "small" if options.skip_large else "small and large"
        return [
            f"Maturity portal benchmark, {timezone.localtime():%Y-%m-%d %H:%M}, "
            f"{platform.node()}: Python {platform.python_version()}, "
            f"Django {django.get_version()}, PostgreSQL {postgres}, "
            f"{os.cpu_count()} CPUs.",
            f"Scales: {scales} (small: 1 organisation with 3 assessments; large: "
            f"{LARGE_ORGANISATIONS} organisations × 3 assessments, every "
            f"requirement answered). Sections: {', '.join(sorted(options.sections))}; "
            f"{options.repeat} requests per figure.",
        ]
