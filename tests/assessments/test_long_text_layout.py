"""Long text people type keeps tables inside their panels, drawn in Chromium.

The pages are fetched through the test client and drawn with their own
style sheets, on a desktop and a phone width.
"""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from assessments.models import EvidenceKind
from tests.assessments.assessment_factories import (
    EvidenceFactory,
    FindingFactory,
)
from tests.browser import evaluate_drawn, needs_chromium

ADDRESS = (
    "https://intranet.example.com/policies/model_risk/2026/outsourced_models/"
    "appendix_b_vendor_due_diligence_checklist_version_3_final_approved.pdf"
)

pytestmark = needs_chromium


def with_styles(html: str) -> str:
    """Return ``html`` with its style sheets inlined and its scripts left out."""

    def inline(match):
        path = finders.find(match.group(1))
        return f"<style>{Path(path).read_text()}</style>"

    html = re.sub(r'<link rel="stylesheet" href="/static/([^"]+)">', inline, html)
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)


def measure(html: str, width: int, script: str):
    """Draw the page ``html`` with its style sheets and evaluate ``script``."""
    return evaluate_drawn(with_styles(html), width, script)


TABLES_FIT = """() => [...document.querySelectorAll('.table-scroll')].map(
  (wrapper) => wrapper.scrollWidth - wrapper.clientWidth)"""


def page(client, name, *args, language="en") -> str:
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_long_finding_title_wraps_inside_the_table(people, login):
    FindingFactory(
        assessment=people.assessment,
        title=f"外包模型未纳入清单：{ADDRESS}",
        description=f"参见{ADDRESS}",
        created_by=people.auditor,
    )
    html = page(login(people.viewer), "assessments:finding-list", people.assessment.pk)

    overflow = measure(html, 1280, TABLES_FIT)

    assert overflow == [0]


def test_a_long_evidence_title_and_address_wrap_inside_the_table(people, login):
    EvidenceFactory(
        assessment=people.assessment,
        kind=EvidenceKind.LINK,
        title=ADDRESS.rsplit("/", 1)[1] * 2,
        url=ADDRESS,
        note="",
        created_by=people.assessor,
    )
    html = page(login(people.viewer), "assessments:evidence-list", people.assessment.pk)

    overflow = measure(html, 1280, TABLES_FIT)

    assert overflow == [0]


def test_a_long_e_mail_address_wraps_inside_the_members_table(people, login):
    people.viewer.email = "model_risk_second_line_of_defence_" * 3 + "@example.com"
    people.viewer.save()
    html = page(login(people.admin), "assessments:member-list", "org-a")

    overflow = measure(html, 1280, TABLES_FIT)

    assert overflow == [0]


def test_on_a_phone_the_home_page_keeps_the_organisation_readable(people, login):
    people.org_a.name = "栖桐普惠金融科技有限公司"
    people.org_a.save()
    for assessment in (people.assessment, people.other):
        assessment.title = "2026年度人工智能模型风险治理能力成熟度评估"
        assessment.save()
    # Chinese column headings are short: nothing else holds the column open.
    html = page(login(people.viewer), "home", language="zh-hans")

    widths = measure(
        html,
        375,
        """() => [...document.querySelectorAll('td')]
          .filter((cell) => cell.textContent.includes('栖桐普惠'))
          .map((cell) => cell.getBoundingClientRect().width)""",
    )

    assert widths
    # Four characters of 15 pixels a line at least, with the cell's padding.
    assert min(widths) >= 4 * 15 + 18
