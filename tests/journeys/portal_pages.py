"""What the journeys read and do on the portal's pages, by text and role.

Each helper finds a thing as a person sees it: a figure by the term beside
it, a requirement by its code, a table row by its heading cell.
"""

import re

from playwright.sync_api import Locator, Page, expect

LOGIN_LABELS = {
    "en": ("Username", "Password", "Log in"),
    "zh": ("用户名", "密码", "登录"),
}


def language_of(locale: str) -> str:
    return "zh" if locale.startswith("zh") else "en"


def log_in(page: Page, username: str, password: str, language: str) -> None:
    """Log in through the login form and wait for the home page."""
    username_label, password_label, button = LOGIN_LABELS[language]
    page.goto("/accounts/login/")
    page.get_by_label(username_label).fill(username)
    page.get_by_label(password_label, exact=True).fill(password)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))


def innermost(scope: Page | Locator, child: Locator) -> Locator:
    """Return the innermost block of ``scope`` holding ``child``.

    ``child`` is looked for inside each block, so it must be made from the
    page, not from ``scope``.
    """
    return scope.locator("div, section").filter(has=child).last


def figure(page: Page, scope: Locator, term: str) -> Locator:
    """Return the figure named by the term ``term`` in ``scope``."""
    name = page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(term)}$"))
    return innermost(scope, name).get_by_role("definition")


def area_summary(page: Page, area: str) -> Locator:
    """Return the summary of the questionnaire page of module or stage ``area``."""
    return page.get_by_role("region", name=re.compile(f"^{re.escape(area)} "))


def requirement(page: Page, code: str) -> Locator:
    """Return the block of requirement ``code`` on a questionnaire page."""
    return page.get_by_role("article", name=code, exact=True)


def answer(page: Page, code: str, status: str) -> None:
    """Choose ``status`` for ``code`` and wait until the autosave is done."""
    block = requirement(page, code)
    block.get_by_label("Status").select_option(label=status)
    expect(block.get_by_role("status")).to_have_text("Saved")


def justify(page: Page, code: str, text: str) -> None:
    """Type the justification of ``code`` and wait for the autosave."""
    block = requirement(page, code)
    block.get_by_label("Justification").fill(text)
    expect(block.get_by_role("status")).to_have_text("Unsaved changes")
    expect(block.get_by_role("status")).to_have_text("Saved")


def open_area(page: Page, area: str) -> None:
    """Go to the questionnaire page of ``area`` through the module list."""
    navigation = page.get_by_role("navigation", name=re.compile("Modules|模块"))
    navigation.get_by_role("link", name=re.compile(f"^{re.escape(area)} ")).click()
    expect(area_summary(page, area)).to_be_visible()


def module_row(page: Page, code: str) -> Locator:
    """Return the row of module ``code`` in a table of modules."""
    heading = page.get_by_role("rowheader", name=re.compile(f"^{re.escape(code)} "))
    return page.get_by_role("row").filter(has=heading)


def module_levels(page: Page, code: str) -> tuple[str, str]:
    """Return the self-assessed and verified level of ``code`` in the table."""
    row = module_row(page, code)
    expect(row).to_have_count(1)
    # The self-assessed cell also holds the "reached" badge of a met target.
    return (
        row.get_by_role("cell").nth(1).locator(".badge--level").inner_text().strip(),
        row.get_by_role("cell").nth(2).inner_text().strip(),
    )


def reading(page: Page, title: str) -> Locator:
    """Return the level line of the overview's reading headed ``title``."""
    heading = page.get_by_role("heading", name=title, exact=True)
    return innermost(page, heading).get_by_role("paragraph").first


def messages(page: Page) -> Locator:
    """Return the messages the portal shows after the last action."""
    return page.get_by_role("status").filter(has=page.get_by_role("listitem"))


def tab(page: Page, name: str) -> None:
    """Open the tab ``name`` of the assessment's pages."""
    tabs = page.get_by_role("navigation", name=re.compile("^(Assessment|评估)$"))
    tabs.get_by_role("link", name=name, exact=True).click()


def title(page: Page) -> Locator:
    """Return the page's main heading: the assessment's title and status."""
    return page.get_by_role("heading", level=1)


def verdict(page: Page, code: str, choice: str, reason: str = "") -> None:
    """Record the verdict ``choice`` on ``code``, with ``reason`` if given."""
    block = requirement(page, code)
    block.get_by_role("radio", name=choice, exact=True).check()
    if reason:
        block.get_by_label("Reason or question").fill(reason)
    block.get_by_role("button", name=f"Record verdict {code}").click()
