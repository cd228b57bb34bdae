"""What render_pdf puts in a PDF besides the page content."""

import io

from django.template.loader import render_to_string
from pypdf import PdfReader

from reports.pdf import Contents, render_document, render_pdf
from reports.templatetags.report_tags import first_clause
from tests.reports.conftest import pdftotext_pages

HTML_WITH_OWN_METADATA = """<!DOCTYPE html>
<html lang="en"><head>
<title>Title from the HTML</title>
<meta name="author" content="Someone in the HTML">
<meta name="keywords" content="injected">
<meta name="dcterms.created" content="1999-01-01">
<meta name="x-custom" content="custom value">
</head><body><h1>模型生命周期</h1><p>需求分析</p></body></html>"""


def test_it_takes_the_metadata_from_the_arguments_only():
    pdf = render_pdf(
        HTML_WITH_OWN_METADATA,
        title="人工智能模型风险治理能力成熟度评估报告",
        author="评估门户",
        subject="成熟度评估",
        keywords=["成熟度", "模型风险"],
    )

    reader = PdfReader(io.BytesIO(pdf))
    info = reader.metadata
    assert info.title == "人工智能模型风险治理能力成熟度评估报告"
    assert info.author == "评估门户"
    assert info.subject == "成熟度评估"
    assert info["/Keywords"] == "成熟度, 模型风险"
    assert not info["/CreationDate"].startswith("D:1999")
    assert "/xcustom" not in {key.lower() for key in info}
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_it_leaves_out_an_empty_author():
    pdf = render_pdf("<p>策略</p>", title="报告")

    assert PdfReader(io.BytesIO(pdf)).metadata.author is None


def test_it_applies_the_report_stylesheet(pdf_text):
    pdf = render_pdf("<p>策略</p><p>组织</p>", title="报告")

    # The stylesheet's page footer numbers the pages.
    assert "1/1" in pdf_text(pdf).split()
    assert round(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width) == 595  # A4


SENTENCES = [
    "应具备基本的管理活动，管理活动一般依赖于约定俗成、个人经验或其他现有的管理体系和机制来实现。",
    "组织最高管理层应明确以满足外部行业监管要求为主要目标，分配了适当的资源支持合规所需的工作。",
    "应建立有效的需求分析机制，调研并理解业务需求，将业务需求转化为人工智能模型构建问题。",
    "建立模型部署和存储环节的风险管理机制，防范模型缺陷、模型窃取和被植入后门等风险。",
    "建立持续验证管理机制，跟踪已知的模型问题并识别新的问题，保证线上模型持续保持建模时的效果。",
]


def test_it_renders_three_hundred_requirements_over_many_pages():
    requirements = [
        {
            "code": f"LC-{n}",
            "text": SENTENCES[n % len(SENTENCES)],
            "notes": ["已提供记录。"],
        }
        for n in range(300)
    ]
    html = render_to_string(
        "reports/plain_blocks.html",
        {"title": "成熟度评估报告", "requirements": requirements},
    )

    pdf = render_pdf(html, title="成熟度评估报告")

    assert len(PdfReader(io.BytesIO(pdf)).pages) > 10


def sections_document(pages: int) -> str:
    placeholders = "".join('<div class="toc__placeholder"></div>' for _ in range(pages))
    # Report chapters follow one another on a page; these take one each.
    sections = "".join(
        f'<section class="chapter" id="s{n}" style="break-before: page">'
        f"<h1>第{n}节</h1><p>策略</p></section>"
        for n in range(1, 4)
    )
    return (
        '<section class="cover"><p>封面</p></section>'
        f'<nav class="toc" id="contents">{placeholders}</nav>{sections}'
    )


def numbered_contents(lines: int):
    def contents(pages: dict[str, int]) -> str:
        entries = "".join(
            f'<p class="toc__entry">条目{n} 第{pages["s" + str(n % 3 + 1)]}页</p>'
            for n in range(lines)
        )
        return f'<nav class="toc">{entries}</nav>'

    return contents


def test_it_writes_the_page_numbers_into_the_contents(tmp_path):
    contents = Contents(sections_document, numbered_contents(3))

    rendered = render_document(contents, title="报告")
    pages = pdftotext_pages(rendered.data, tmp_path)

    assert rendered.page_count == 5
    assert "条目0 第3页" in pages[1]
    assert "条目2 第5页" in pages[1]
    assert "2/5" in pages[1].split()
    assert "第1节" in pages[2]


def test_it_gives_contents_longer_than_a_page_the_room_they_take(tmp_path):
    contents = Contents(sections_document, numbered_contents(120))

    rendered = render_document(contents, title="报告")
    pages = pdftotext_pages(rendered.data, tmp_path)

    toc_pages = [n for n, page in enumerate(pages) if "条目" in page]
    first_section = next(n for n, page in enumerate(pages) if "第1节" in page)
    assert len(toc_pages) > 1
    assert toc_pages == list(range(1, first_section))
    assert f"条目0 第{first_section + 1}页" in pages[1]
    assert f"{first_section}/{rendered.page_count}" in pages[first_section - 1].split()


def test_it_titles_a_requirement_by_its_first_clause():
    text = "应具备基本的管理活动，管理活动一般依赖于约定俗成。"

    assert first_clause(text) == "应具备基本的管理活动"
    assert first_clause("应明确，职责分工与考核要求") == "应明确，职责分工与考核要求"
    assert first_clause("组" * 50) == "组" * 35 + "…"
