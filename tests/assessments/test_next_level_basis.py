"""Progress towards the next level names its reading, on the pages and the PDF."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Status
from reports import rendering, selectors
from tests.assessments.assessment_factories import (
    ReviewFactory,
    answer,
    set_status,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def audited(people):
    """STR at level 1 with half of level 2 self-assessed, none of it verified."""
    assessment = people.assessment
    for code in ["STR-1.1", "STR-1.2", "STR-2.1"]:
        stored = answer(assessment, code)
        if code.startswith("STR-1"):
            ReviewFactory(answer=stored, reviewer=people.auditor)
    answer(assessment, "STR-2.2", "partial", evidence=False)
    set_status(assessment, Status.IN_REVIEW)
    return assessment


def cell(html: str, attribute: str) -> str:
    """Return the text of the table cell carrying ``attribute``."""
    match = re.search(rf"<td {re.escape(attribute)}>([^<]*)</td>", html)
    assert match, attribute
    return match.group(1).strip()


def dashboard_cell(html: str, module: str, reading: str) -> str:
    row = html.split(f'data-module="{module}"', 1)[1].split("</tr>", 1)[0]
    match = re.search(rf'<td data-reading="{reading}">([^<]*)</td>', row)
    assert match, (module, reading)
    return match.group(1).strip()


def test_the_overview_shows_both_readings_under_their_names(people, login, audited):
    client = login(people.viewer)

    html = client.get(
        reverse("assessments:assessment-detail", args=[audited.pk]), **ENGLISH
    ).content.decode()

    assert "Towards the next level (self-assessed)" in html
    assert "Towards the next level (verified)" in html
    assert ">Towards the next level<" not in html
    assert cell(html, 'data-module-progress="STR"') == "50 %"
    assert cell(html, 'data-module-verified-progress="STR"') == "0 %"


def test_the_dashboard_shows_both_readings_under_their_names(people, login, audited):
    client = login(people.viewer)

    html = client.get(
        reverse("assessments:assessment-dashboard", args=[audited.pk]), **ENGLISH
    ).content.decode()

    assert "Towards the next level (self-assessed)" in html
    assert "Towards the next level (verified)" in html
    assert dashboard_cell(html, "STR", "self-progress") == "50 %"
    assert dashboard_cell(html, "STR", "verified-progress") == "0 %"


@pytest.mark.parametrize("page", ["assessment-detail", "assessment-dashboard"])
def test_no_verified_progress_is_shown_before_the_audit(people, login, page):
    answer(people.assessment, "STR-1.1")
    client = login(people.viewer)

    html = client.get(
        reverse(f"assessments:{page}", args=[people.assessment.pk]), **ENGLISH
    ).content.decode()

    verified = re.findall(
        r'<td data-(?:module-verified-progress="[^"]+"|reading="verified-progress")>'
        r"([^<]*)</td>",
        html,
    )
    assert verified
    assert set(verified) == {"—"}


def pdf_overview_row(assessment, module: str) -> tuple[str, str]:
    """Return the progress column's heading and ``module``'s figure in the PDF."""
    html = rendering.report_html(selectors.report_context(assessment), charts=[])
    table = html.split('<table class="overview-table">', 1)[1]
    heading = re.findall(r"<th>([^<]*)</th>", table.split("</thead>", 1)[0])[-1]
    row = table.split(f"<th>{module} ", 1)[1].split("</tr>", 1)[0]
    figure = re.findall(r"<td>([^<]*)</td>", row)[-1].strip()
    return heading, figure


def test_the_pdf_names_the_reading_its_progress_comes_from(people, login, audited):
    draft_heading, draft_figure = pdf_overview_row(audited, "STR")
    services.assessment_transition(
        assessment=audited, name="finalise", actor=people.auditor
    )
    audited.refresh_from_db()
    final_heading, final_figure = pdf_overview_row(audited, "STR")
    client = login(people.viewer)
    html = client.get(
        reverse("assessments:assessment-detail", args=[audited.pk]), **ENGLISH
    ).content.decode()

    assert draft_heading == "距下一级（自评）Next level (self-assessed)"
    assert draft_figure == "第二级 1/2（50%）"
    assert final_heading == "距下一级（核验）Next level (verified)"
    assert final_figure == "第二级 0/2（0%）"
    # The same figures on the overview, each under its reading's name.
    assert cell(html, 'data-module-progress="STR"') == "50 %"
    assert cell(html, 'data-module-verified-progress="STR"') == "0 %"
