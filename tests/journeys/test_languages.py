"""The main pages speak English or Chinese; the standard stays as written.

An admin whose browser asks for English reads the assessment list, the
overview, the dashboard, the questionnaire and the reports in English, then
switches to Chinese with the site's language picker and reads them again.
The auditor, whose browser asks for Chinese, does the same with the review
pages the other way round. Each page shows its own words in the language
chosen and none of the other language's; the requirements of the standard
read in Chinese in both.
"""

import pytest
from playwright.sync_api import expect

from tests.journeys.journey_data import FINDING_TITLE, build_rejected, requirement_text

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Words of each page, in English and in Chinese, each shown as a whole.
MEMBER_PAGES = {
    "assessment-list": (
        "/orgs/{world.people.organisation.slug}/",
        [("Assessments", "评估"), ("Self-assessed level", "自评等级")],
    ),
    "overview": (
        "/assessments/{world.assessment.pk}/",
        [
            ("Standing", "等级概况"),
            ("Verified by the auditor", "审核员核验"),
            ("Open the questionnaire", "打开问卷"),
        ],
    ),
    "dashboard": (
        "/assessments/{world.assessment.pk}/dashboard/",
        [
            ("Modules against their targets", "各模块与目标"),
            ("Gaps to the targets", "与目标的差距"),
        ],
    ),
    "questionnaire": (
        "/assessments/{world.assessment.pk}/modules/TEX/",
        [
            ("Self-assessed level", "自评等级"),
            ("Towards the next level (self-assessed)", "距下一等级（自评）"),
            ("Evidence", "证据"),
        ],
    ),
    "reports": (
        "/assessments/{world.assessment.pk}/reports/",
        [
            ("Maturity report (PDF)", "成熟度评估报告（PDF）"),
            ("Reports", "报告"),
        ],
    ),
}
AUDITOR_PAGES = {
    "review": (
        "/assessments/{world.assessment.pk}/modules/TEX/",
        [("Reason:", "理由："), ("Auditor's verdict", "审核结论")],
    ),
    "findings": (
        "/assessments/{world.assessment.pk}/findings/",
        [("Record a finding", "记录审核发现"), ("Nonconformity", "不符合项")],
    ),
}
STATUS = ("In review", "审核中")
LANGUAGES = {"en": (0, "en"), "zh": (1, "zh-hans")}


def read_pages(visit, pages, world, language, standard_text) -> None:
    """Visit each page and check it speaks ``language`` only."""
    page = visit.page
    index, code = LANGUAGES[language]
    for name, (path, words) in pages.items():
        page.goto(path.format(world=world))
        expect(page.locator("html")).to_have_attribute("lang", code)
        for pair in [*words, STATUS]:
            expect(page.get_by_text(pair[index], exact=True).first).to_be_visible()
            expect(page.get_by_text(pair[1 - index], exact=True)).to_have_count(0)
        if name in ("questionnaire", "review"):
            expect(page.get_by_text(standard_text, exact=True)).to_be_visible()
        if name == "findings":
            finding = page.get_by_role("rowheader").filter(has_text=FINDING_TITLE)
            expect(finding).to_be_visible()
        visit.shot(f"{name}-{language}")


def switch_language(visit, label: str, language: str) -> None:
    """Pick ``language`` in the site's language picker labelled ``label``."""
    visit.page.get_by_label(label, exact=True).select_option(label=language)
    expect(visit.page.get_by_label(label)).to_have_count(0)


def test_the_pages_speak_the_chosen_language(transactional_db, framework, portal):
    world = build_rejected(framework, returned=False)
    standard_text = requirement_text(framework, "TEX-1.1")

    admin = portal(world.people.admin, locale="en-GB")
    read_pages(admin, MEMBER_PAGES, world, "en", standard_text)
    switch_language(admin, "Language", "简体中文")
    read_pages(admin, MEMBER_PAGES, world, "zh", standard_text)

    auditor = portal(world.people.auditor, locale="zh-CN")
    read_pages(auditor, AUDITOR_PAGES, world, "zh", standard_text)
    switch_language(auditor, "语言", "English")
    read_pages(auditor, AUDITOR_PAGES, world, "en", standard_text)

    assert admin.script_errors == []
    assert auditor.script_errors == []
