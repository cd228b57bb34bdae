"""A headless Chromium for the tests that look at how pages are drawn."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, run as root in a container with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"
)


def evaluate_drawn(html: str, width: int, script: str):
    """Draw ``html`` on a page ``width`` pixels wide and return ``script``'s value."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html)
            return page.evaluate(script)
        finally:
            browser.close()
