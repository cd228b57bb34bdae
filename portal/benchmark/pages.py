"""Server time and queries of pages and autosaves, in this process.

Requests go through Django's test client with a logged-in user: the whole
middleware stack, the view and the template, without a network or a WSGI
server. Template instrumentation is not installed, so templates render as
they do in production.
"""

import logging
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.selectors import questionnaire_url
from maturity.catalogues import get_catalogue
from portal.benchmark.browser import JSON_ACCEPT, answer_form

WARM_UP = 3
# The statuses a status-changing autosave alternates between.
STATUS_CHANGES = ("partial", "satisfied")
TEST_ORIGIN = "http://testserver"


@dataclass(frozen=True)
class Timing:
    """The median server time of a request and the queries it ran."""

    name: str
    url: str
    median: float  # seconds
    queries: int
    size: int  # bytes of the response


@dataclass(frozen=True)
class PageSize:
    """The questionnaire page with the most requirements, and what has none."""

    area: str
    requirements: int
    # Staged modules, with their number of requirements: only their stages
    # have a page.
    staged: dict[str, int]


def largest_page(framework) -> PageSize:
    """Return the largest questionnaire page, by number of requirements."""
    catalogue = get_catalogue(framework)
    sizes = Counter(ref.area for ref in catalogue.requirements)
    area, count = sizes.most_common(1)[0]
    modules = Counter(ref.module for ref in catalogue.requirements)
    staged = {module: modules[module] for module in catalogue.stages}
    return PageSize(area=area, requirements=count, staged=staged)


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def status_of(user, url: str) -> int:
    """Return the status code ``user`` gets for ``url``, without logging it."""
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.CRITICAL)
    try:
        return logged_in(user).get(url).status_code
    finally:
        request_logger.setLevel(level)


def measure_pages(user, pages: dict[str, str], repeat: int) -> dict[str, Timing]:
    """Time ``repeat`` requests of each page, taking turns; count their queries."""
    client = logged_in(user)
    for url in pages.values():
        for _ in range(WARM_UP):
            _get(client, url)

    samples = {name: [] for name in pages}
    for _ in range(repeat):
        for name, url in pages.items():
            started = time.perf_counter()
            _get(client, url)
            samples[name].append(time.perf_counter() - started)

    timings = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, url)
        timings[name] = Timing(
            name=name,
            url=url,
            median=statistics.median(samples[name]),
            queries=len(queries),
            size=len(response.content),
        )
    return timings


def measure_autosave(
    user, assessment, code: str, area: str, repeat: int, *, status_change=False
) -> Timing:
    """Time ``repeat`` autosaves of one answer, sent as the questionnaire sends them.

    The justification changes, as when someone types, and the status stays
    as it is; with ``status_change`` the status also alternates between
    satisfied and partial, so that every save moves the readings. Each save
    names the version the last one returned.
    """
    client = logged_in(user, enforce_csrf_checks=True)
    page = _get(client, questionnaire_url(assessment.pk, area))
    action = reverse("assessments:answer-update", args=[assessment.pk, code])
    form = answer_form(page.content.decode(), action)
    version = int(form.fields["version"])
    text = form.fields["justification"]

    def save(number: int):
        nonlocal version
        fields = form.with_text(f"{text}（第{number}次保存）", version)
        if status_change:
            fields["status"] = STATUS_CHANGES[number % 2]
        response = client.post(
            action,
            fields,
            headers={"accept": JSON_ACCEPT, "origin": TEST_ORIGIN},
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"Autosave of {code} answered {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        version = response.json()["answer"]["version"]
        return response

    for number in range(WARM_UP):
        save(number)
    samples = []
    for number in range(WARM_UP, WARM_UP + repeat):
        started = time.perf_counter()
        save(number)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        response = save(WARM_UP + repeat)
    return Timing(
        name="autosave with a status change" if status_change else "autosave",
        url=action,
        median=statistics.median(samples),
        queries=len(queries),
        size=len(response.content),
    )


def minimal_page_url() -> str:
    """Return the smallest page a logged-in user can open: the password form."""
    return reverse("password_change")


def _get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}.")
    return response
