"""A viewer asks for the PDF report and downloads what a real worker rendered.

The chief risk officer reads the organisation-wide level on the dashboard,
in Chinese, and asks for the report. The report page shows it queued while
no worker runs, then a Celery worker on the real broker starts and the page
follows the report to done by itself, without reloading. The downloaded
PDF leads with the level and mean the dashboard showed. Back on the
overview, the panel says the report shows the assessment as it stands,
and, once an answer changed, that it shows an earlier state.
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.db.models import F
from playwright.sync_api import expect

from assessments.models import Answer, AnswerStatus
from maturity.models import Requirement
from reports.models import Report, ReportStatus
from tests.journeys.journey_data import ORGANISATION, TITLE, build_world
from tests.journeys.portal_pages import tab

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Up to which level each module, or lifecycle stage, is met; above it the
# answers say not satisfied. The organisation stands at its lowest module.
STRENGTH = {
    "STR": 4,
    "ORG": 3,
    "SIA": 3,
    "ERS": 3,
    "TEX": 5,
    "ICM": 4,
    "EXT": 3,
    "IPP": 4,
    "ESR": 2,
    "MMA": 3,
    "LC-MON": 2,
}
LIFECYCLE = 3
# A worker renders the 331 requirements in about half a minute.
RENDER_TIMEOUT = 180_000


def statuses_of(framework) -> dict[str, str]:
    return {
        requirement.code: AnswerStatus.NOT_SATISFIED
        for requirement in Requirement.objects.filter(framework=framework)
        if requirement.level > STRENGTH.get(requirement.area_code, LIFECYCLE)
    }


def pdf_text(path: Path) -> str:
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return completed.stdout.decode("utf-8")


def cover_headline(text: str) -> str:
    """Return the cover's organisation-wide level, on one line.

    The draft watermark's letters land between the cover's lines in the
    extracted text; they are dropped.
    """
    cover = text.split("组织整体成熟度级别", 1)[1].split("评估范围", 1)[0]
    lines = [line.strip() for line in cover.splitlines()]
    return " ".join(line for line in lines if len(line) > 1)


def test_a_viewer_downloads_the_report_a_worker_rendered(
    transactional_db, framework, portal, worker_factory, private_storage, tmp_path
):
    world = build_world(framework, statuses=statuses_of(framework))

    viewer = portal(world.people.viewer, locale="zh-CN")
    page = viewer.page
    page.get_by_role("link", name=re.compile(ORGANISATION)).first.click()
    page.get_by_role("link", name=TITLE).click()
    tab(page, "仪表盘")
    card = page.get_by_role("region", name="自评等级")
    level = card.get_by_role("paragraph").first
    mean = card.get_by_role("paragraph").nth(1)
    expect(level).to_have_text("2 第二级 基础级")
    expect(mean).to_have_text("模块等级平均值 3.27")
    shown_name = re.fullmatch(r"\s*\d\s*(\S.*?)\s*", level.text_content())[1]
    shown_mean = mean.text_content().split()[-1]
    viewer.shot("dashboard")

    tab(page, "报告")
    page.get_by_role("button", name="生成报告").click()
    state = page.get_by_role("region", name="成熟度评估报告", exact=True)
    badge = state.get_by_text(re.compile("^(排队中|生成中|已完成|失败)$"))
    expect(badge).to_have_text("排队中")
    expect(state.get_by_text("生成约需一分钟，本页会自动更新。")).to_be_visible()
    expect(state.get_by_role("link", name="下载 PDF")).to_be_hidden()
    viewer.shot("report-queued")
    page.evaluate("window.stillTheSamePage = true")

    worker_factory({"PRIVATE_STORAGE_ROOT": str(private_storage)})
    expect(badge).to_have_text("已完成", timeout=RENDER_TIMEOUT)
    assert page.evaluate("window.stillTheSamePage") is True
    download_link = state.get_by_role("link", name="下载 PDF")
    expect(download_link).to_be_visible()
    viewer.shot("report-done")

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    report = Report.objects.get(assessment=world.assessment)
    assert report.status == ReportStatus.DONE
    assert report.size == saved.stat().st_size

    headline = cover_headline(pdf_text(saved))
    assert headline.startswith(
        f"Organisation-wide level（自评 Self-assessed） {shown_name} "
    )
    assert headline.endswith(f"mean of the module levels {shown_mean}")

    # The overview's panel asks, once shown, whether the report still shows
    # the assessment as it stands; after a change it says it does not.
    tab(page, "概览")
    expect(page.get_by_text("该报告反映评估的当前状态。")).to_be_visible()
    earlier = page.get_by_text(
        "该报告反映的是评估的较早状态：此后其答复、证据、审核结论、审核发现、设置或状态已有变化。"
    )
    expect(earlier).to_be_hidden()
    Answer.objects.filter(
        pk=Answer.objects.filter(assessment=world.assessment).first().pk
    ).update(justification="改过的说明", version=F("version") + 1)
    page.reload()
    expect(earlier).to_be_visible()
    expect(page.get_by_text("该报告反映评估的当前状态。")).to_be_hidden()
    viewer.shot("report-earlier")
    assert viewer.script_errors == []
