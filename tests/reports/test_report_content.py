"""Real PDF reports of a realistic assessment, a draft and a finalised one.

Both PDFs are rendered once for the module: the draft through the service a
worker runs, with hostile markup in a justification and a local server
that must receive nothing; the finalised one through the render_report
command. The tests then read the PDFs as a person or a parser would.
"""

import io
import re
import subprocess
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import Finding, Status
from assessments.selectors import (
    assessment_overview,
    assessment_score,
    verified_statuses,
)
from maturity.models import Framework, Level, Module, Requirement
from reports import selectors, services, storage
from reports.models import ReportStatus
from reports.templatetags.report_tags import first_clause
from tests.reports.conftest import (
    pdftotext_pages,
    recording_opened_paths,
    recording_server,
)
from tests.reports.report_data import (
    ORGANISATION,
    TITLE,
    build_assessment,
    build_people,
)

# The module's fixture renders with the test database; without the marker
# pytest-django would leave the portal's own database configured.
pytestmark = pytest.mark.django_db

NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
# A millimetre in PDF points.
MM = 72 / 25.4


def level_label(framework, number: int) -> str:
    if number == 0:
        return "未达到初始级"
    name = Level.objects.get(framework=framework, number=number).name
    return f"第{NUMERALS[number]}级 {name}"


def hostile_justification(port: int) -> str:
    return (
        '<link rel="attachment" href="file:///etc/hostname">'
        f'<img src="http://127.0.0.1:{port}/x">'
        '<p style="background:url(file:///etc/passwd)">背景</p>'
    )


def flat(text: str) -> str:
    """Return ``text`` without whitespace, as lines wrap anywhere in a PDF."""
    return re.sub(r"\s+", "", text)


def rotated_text(page) -> str:
    """Return the text drawn at an angle on a PDF page: the watermark."""
    parts = []

    def visit(text, cm, tm, font, size):
        # The second entry of the text's matrix is non-zero when rotated.
        if abs(tm[0] * cm[1] + tm[1] * cm[3]) > 1e-3:
            parts.append(text)

    page.extract_text(visitor_text=visit)
    return flat("".join(parts))


def read_pdf(pdf: bytes, folder) -> SimpleNamespace:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    pages = pdftotext_pages(pdf, folder)
    return SimpleNamespace(
        bytes=pdf,
        reader=reader,
        fonts=fonts,
        pages=pages,
        text=flat("".join(pages)),
    )


def _framework():
    installed = Framework.objects.latest_version("AIMRG")
    if installed is None:
        # A transactional test before this module emptied the database.
        call_command("load_framework", verbosity=0)
        installed = Framework.objects.latest_version("AIMRG")
    return installed


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """Render the draft and the finalised report once, then roll back."""
    folder = tmp_path_factory.mktemp("reports")
    private = folder / "private"
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_STORAGE_ROOT=private),
        recording_server() as server,
        transaction.atomic(),
    ):
        framework = _framework()
        people = build_people(framework)
        port = server.server_address[1]
        assessment = build_assessment(
            framework, people, hostile=hostile_justification(port)
        )

        with recording_opened_paths() as opened:
            report = services.report_request(assessment=assessment, actor=people.viewer)
            outcome = services.report_render(report_id=report.pk)
        report.refresh_from_db()
        stored = storage.stored_path(report.file_path)
        draft = read_pdf(stored.read_bytes(), folder)
        self_score = assessment_score(assessment)
        # The overview counts verdicts once the assessment is out of draft.
        assessment.status = Status.IN_REVIEW
        review = assessment_overview(assessment)["review"]

        verified_score = assessment_score(assessment, verified_statuses(assessment))
        assessment.status = Status.FINALISED
        assessment.finalised_at = timezone.now()
        assessment.self_scores = self_score.to_dict()
        assessment.verified_scores = verified_score.to_dict()
        assessment.save()
        out = folder / "final.pdf"
        command_output = io.StringIO()
        call_command(
            "render_report", assessment.pk, "--out", str(out), stdout=command_output
        )
        final = read_pdf(out.read_bytes(), folder)
        final_context = selectors.report_context(assessment)

        result = SimpleNamespace(
            draft=draft,
            final=final,
            report=report,
            outcome=outcome,
            stored=stored,
            private=private,
            requests=list(server.requests),
            opened=list(opened),
            command_output=command_output.getvalue(),
            review=review,
            self_label=level_label(framework, self_score.organisation.level),
            verified_label=level_label(framework, verified_score.organisation.level),
            modules=list(
                Module.objects.filter(framework=framework)
                .order_by("position")
                .values_list("code", "name")
            ),
            requirements=list(
                Requirement.objects.filter(framework=framework).values_list(
                    "code", "text"
                )
            ),
            gaps=[
                requirement.text
                for module in final_context.modules
                for area in module.stages or [module]
                for group in area.gaps
                for requirement in group.requirements
            ],
            findings=list(Finding.objects.values_list("title", flat=True)),
        )
        transaction.set_rollback(True)
    return result


def test_it_renders_the_report_and_records_it(rendered):
    report = rendered.report

    assert rendered.outcome.outcome == services.Outcome.RENDERED
    assert report.status == ReportStatus.DONE
    assert report.attempts == 1
    assert report.page_count == len(rendered.draft.reader.pages) > 30
    assert report.size == len(rendered.draft.bytes)
    assert report.file_path.startswith(f"reports/{report.assessment_id}/")
    assert rendered.stored.read_bytes() == rendered.draft.bytes
    # Only the finished file is left; the temporary one was renamed.
    assert [p.name for p in rendered.stored.parent.iterdir()] == [rendered.stored.name]


def test_it_embeds_only_the_chinese_font(rendered):
    for pdf in (rendered.draft, rendered.final):
        assert pdf.fonts
        assert all("Noto-Sans-CJK-SC" in name for name in pdf.fonts), pdf.fonts


def test_it_shows_the_levels_modules_and_findings(rendered):
    text = rendered.draft.text

    assert flat(rendered.self_label) in flat(rendered.draft.pages[0])
    assert flat(rendered.verified_label) in text
    for code, name in rendered.modules:
        assert flat(f"{code} {name}") in text
    for title in rendered.findings:
        assert flat(title) in text
    assert ORGANISATION in text
    assert flat(TITLE) in text


def test_it_counts_the_verdicts_as_the_assessment_overview_does(rendered):
    review = rendered.review
    rows = [
        f"通过 Accepted {review.accepted}",
        f"驳回 Rejected {review.rejected}",
        f"需补充信息 Needs information {review.needs_information}",
        f"结论后已修改 Changed since the verdict {review.outdated}",
        f"未审核 Not reviewed {review.unreviewed}",
    ]

    # Revised objections are there to be counted as changed, not as verdicts.
    assert review.outdated > review.rejected > 0
    text = rendered.final.text
    start = text.index(flat("结论 Verdict 答复数"))
    # The findings table beside this one interleaves its rows with these.
    found = [text.find(flat(row), start) for row in rows]
    assert -1 not in found, rows
    assert found == sorted(found)


def test_it_leaves_the_verdict_counts_out_of_a_draft_as_the_overview_does(rendered):
    text = rendered.draft.text

    # The draft's answers carry verdicts, yet the overview of a draft shows
    # no counts of them.
    assert rendered.report.final is False
    assert flat("审核结论 Auditor's verdicts") not in text
    assert flat("结论 Verdict 答复数") not in text
    assert flat("审核结论 Auditor's verdicts") in rendered.final.text
    assert flat("严重程度 Severity 发现数") in text


def test_it_lists_every_requirement_and_the_gaps_in_full(rendered):
    # The finalised report: a draft's watermark cuts into the text read back.
    text = rendered.final.text

    for code, requirement_text in rendered.requirements:
        assert flat(f"{code} {first_clause(requirement_text)}") in text
    assert len(rendered.gaps) > 10
    for gap in rendered.gaps:
        assert flat(gap) in text


def test_it_numbers_the_table_of_contents_with_real_pages(rendered):
    pages = rendered.draft.pages
    contents = next(page for page in pages if "目录" in page)

    match = re.search(r"4\.4 LC 模型生命周期\D*?(\d+)\s", contents, re.S)

    assert match
    target = pages[int(match.group(1)) - 1]
    assert "4.4 LC 模型生命周期" in target


def contents_lines(pdf: bytes, folder) -> list[tuple[str, int]]:
    """Return each line of the contents as its title and the page it names."""
    path = folder / "contents.pdf"
    path.write_bytes(pdf)
    completed = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "2", "-l", "2", path, "-"],
        capture_output=True,
        check=True,
    )
    lines = completed.stdout.decode("utf-8").splitlines()
    return [
        (match.group(1), int(match.group(2)))
        for line in lines
        if (match := re.fullmatch(r"\s*(\S.*?)\s{2,}(\d+)\s*", line))
    ]


def test_it_numbers_every_line_of_the_contents_with_its_page(rendered, tmp_path):
    # The finalised report: a draft's watermark cuts into the text read back.
    pages = [flat(page) for page in rendered.final.pages]

    lines = contents_lines(rendered.final.bytes, tmp_path)

    # Six chapters and the appendix, eleven modules and nine stages.
    assert len(lines) == 27
    for title, number in lines:
        assert flat(title) in pages[number - 1], (title, number)
        assert not any(flat(title) in page for page in pages[2 : number - 1])


def text_reach(pdf: bytes, folder) -> list[float]:
    """Return how far down the text area of each page its text reaches.

    The text area is the page less the margins of report.css's @page rule,
    which hold the running header and the page number: 0 for a page whose
    text area holds nothing, 1 for a page filled to the bottom.
    """
    path = folder / "reach.pdf"
    path.write_bytes(pdf)
    completed = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", path, "-"],
        capture_output=True,
        check=True,
    )
    top, bottom = 22 * MM, 297 * MM - 20 * MM
    reach = []
    for page in completed.stdout.decode("utf-8").split("<page ")[1:]:
        lowest = [
            float(y)
            for y in re.findall(r'<word [^>]*yMax="([\d.]+)"', page)
            if top < float(y) < bottom
        ]
        reach.append((max(lowest, default=top) - top) / (bottom - top))
    return reach


def test_it_leaves_no_page_mostly_blank(rendered, tmp_path):
    # The finalised report, without the watermark's text across each page.
    reach = text_reach(rendered.final.bytes, tmp_path)

    # The tallest block that is never split, a chart with its chapter's
    # title, takes less than two thirds of a page: a page with less than a
    # third of it filled was ended by a page break, not by what follows.
    # The cover and the contents are pages of their own.
    short = [
        (number, f"{share:.0%}")
        for number, share in enumerate(reach[2:-1], 3)
        if share < 1 / 3
    ]
    assert short == []


def test_it_marks_every_page_of_a_draft(rendered):
    pages = rendered.draft.pages

    assert rotated_text(rendered.draft.reader.pages[0]) == "草稿DRAFT"
    assert rotated_text(rendered.draft.reader.pages[-1]) == "草稿DRAFT"
    assert all("草" in page and "稿" in page for page in pages)


def test_it_does_not_mark_the_finalised_report(rendered):
    pages = rendered.final.pages

    assert rotated_text(rendered.final.reader.pages[0]) == ""
    assert rotated_text(rendered.final.reader.pages[-1]) == ""
    # The cover names the standard a draft (草案); no other page says 草.
    assert not any("草" in page for page in pages[1:])


def test_it_leads_the_finalised_report_with_the_frozen_verified_reading(rendered):
    cover = flat(rendered.final.pages[0])

    assert "已定稿" in cover
    assert flat(f"（核验 Verified）{rendered.verified_label}") in cover
    assert "led by the verified reading" in rendered.command_output


def test_it_prints_hostile_markup_as_text_and_fetches_nothing(rendered, pdf_contents):
    text = rendered.draft.text

    assert flat('<link rel="attachment" href="file:///etc/hostname">') in text
    assert flat('<img src="http://127.0.0.1:') in text
    assert flat('style="background:url(file:///etc/passwd)"') in text
    assert rendered.requests == []
    assert not [p for p in rendered.opened if p in {"/etc/hostname", "/etc/passwd"}]
    assert pdf_contents(rendered.draft.bytes) == {
        "embedded_files": 0,
        "images": 0,
        "file_attachments": 0,
    }


def test_it_names_the_assessment_in_the_pdf_metadata(rendered):
    info = rendered.draft.reader.metadata

    assert info.title == f"{TITLE} · 人工智能模型风险治理能力成熟度评估报告"
    assert info.author == ORGANISATION
