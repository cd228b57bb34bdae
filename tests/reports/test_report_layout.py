"""How long findings lie on the page: within the margins, beside their chapter."""

import re
import subprocess

import pytest

from reports import rendering, selectors
from tests.assessments.assessment_factories import (
    AnswerFactory,
    AssessmentFactory,
    FindingFactory,
    MembershipFactory,
    build_framework,
)
from tests.reports.conftest import pdftotext_pages

# A4 and the report's side margins, in PDF points.
MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
SIDE_MARGIN = 18 * MM
# The first glyph of a wrapped line may sit a hair past the content box.
SLACK = 1.5

LONG_URL = "https://intranet.example.com/inventory/" + "outsourcedmodel" * 10
LONG_TITLE = "模型清单未覆盖外包模型" + "A" * 150
TALL_FINDING = "完整描述见下" + "".join(f"\n第{n}条补充说明。" for n in range(70))


def render(findings) -> bytes:
    framework = build_framework(code="LAY")
    member = MembershipFactory(role="admin")
    assessment = AssessmentFactory(
        organisation=member.organisation, framework=framework, created_by=member.user
    )
    for requirement in framework.requirements.all():
        AnswerFactory(assessment=assessment, requirement=requirement)
    for title, description in findings:
        FindingFactory(
            assessment=assessment,
            title=title,
            description=description,
            created_by=member.user,
        )
    return rendering.render_report(selectors.report_context(assessment)).data


def word_boxes(pdf: bytes, folder) -> list[tuple[int, str, float]]:
    """Return (page, word, right edge) for every word pdftotext finds."""
    path = folder / "layout.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    boxes = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for right, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', page):
            boxes.append((number, word, float(right)))
    return boxes


@pytest.mark.django_db
def test_a_long_title_or_address_wraps_within_the_margin(tmp_path):
    pdf = render([(LONG_TITLE, LONG_URL), (LONG_URL, "短描述")])

    boxes = word_boxes(pdf, tmp_path)

    # The cover has margins of its own; the draft's watermark runs across
    # every page on purpose.
    past = [
        (page, word[:20])
        for page, word, right in boxes
        if page > 1
        and word not in {"草稿", "DRAFT"}
        and right > PAGE_WIDTH - SIDE_MARGIN + SLACK
    ]
    words = "".join(word for _page, word, _right in boxes)
    assert "AAAAAAAA" in words
    assert "outsourcedmodeloutsourcedmodel" in words
    assert past == []


@pytest.mark.django_db
def test_the_findings_chapter_starts_on_the_page_of_its_first_finding(tmp_path):
    # A first finding longer than a page cannot be kept whole; kept whole
    # anyway, it left the chapter's title alone on a page of its own.
    pdf = render([("归档材料不完整", TALL_FINDING)])

    pages = [re.sub(r"\s+", "", page) for page in pdftotext_pages(pdf, tmp_path)]

    opening = [
        page
        for page in pages
        if "5审核发现Findings" in page and "目录Contents" not in page
    ]
    assert len(opening) == 1
    assert "归档材料不完整" in opening[0]
    assert "第0条补充说明" in opening[0]
