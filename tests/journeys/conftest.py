"""Set-up of the browser journeys: Chromium, the live portal, screenshots.

The journeys drive Debian's Chromium through Playwright against pytest-
django's live server, which serves the real URLconf and middleware from the
committed test database (``transactional_db``), so the browser, the portal
and a Celery worker see the same rows. Each step a person would check is
saved as a full-page screenshot, one folder per journey, under
``JOURNEY_SCREENSHOTS`` when set and under pytest's temporary folder if not.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from tests.assessments.assessment_factories import PASSWORD
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.journeys.portal_pages import language_of, log_in

VIEWPORT = {"width": 1280, "height": 900}

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Keep evidence and reports under a folder of this test's own."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture(scope="package", autouse=True)
def _standard_reinstalled(django_db_setup, django_db_blocker):
    """Leave the standard installed for the tests after the journeys.

    ``transactional_db`` empties every table after each journey; the tests
    that follow expect the standard that ``django_db_setup`` installed.
    """
    yield
    with django_db_blocker.unblock():
        from maturity.models import Framework

        if Framework.objects.latest_version("AIMRG") is None:
            call_command("load_framework", verbosity=0)


@pytest.fixture(scope="package")
def browser():
    """Start Chromium once for every journey."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in this thread
        # for as long as it is started. Django then refuses every database
        # call made here, from the data set-up to the flush after each test,
        # although nothing runs concurrently: the loop only waits on the
        # browser while a Playwright call is in progress.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_root(tmp_path_factory) -> Path:
    """Return the folder the journeys' screenshots are saved under."""
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if not folder:
        return tmp_path_factory.mktemp("journey-screenshots")
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    return root


class Visit:
    """One person's browser session on the portal: a page and what it saw."""

    def __init__(self, context, who: str, folder: Path, counter: list[int]):
        self.context = context
        self.page = context.new_page()
        self.who = who
        self.folder = folder
        self.counter = counter
        self.script_errors: list[str] = []
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.script_errors.append(message.text)

    def shot(self, step: str) -> Path:
        """Save the whole page as the next screenshot of the journey."""
        self.counter[0] += 1
        path = self.folder / f"{self.counter[0]:02d}-{self.who}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def portal(browser, live_server, screenshot_root, request):
    """Return a function opening the portal logged in as a user.

    ``portal(user, locale="zh-CN")`` gives a Visit whose browser asks for
    ``locale``; the portal answers in Chinese or English accordingly.
    """
    name = re.sub(r"^test_", "", request.node.name)
    folder = screenshot_root / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = [0]
    contexts = []

    def open_as(user, *, locale="en-GB") -> Visit:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=VIEWPORT,
            accept_downloads=True,
        )
        contexts.append(context)
        visit = Visit(context, user.get_username(), folder, counter)
        log_in(
            visit.page,
            user.get_username(),
            PASSWORD,
            language_of(locale),
        )
        return visit

    yield open_as
    for context in contexts:
        context.close()
