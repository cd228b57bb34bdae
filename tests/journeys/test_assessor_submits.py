"""An assessor answers a module in the browser and submits the assessment.

Everything but the five requirements of TEX is answered beforehand. The
assessor answers TEX with autosave and watches its level climb on the page,
attaches a real PDF on the requirement's evidence page, is refused on
submitting with the list of what is missing, fixes each item from that list
and submits.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, EvidenceLink, Status
from tests.journeys.journey_data import (
    NOT_APPLICABLE,
    ORGANISATION,
    TITLE,
    build_world,
    write_pdf,
)
from tests.journeys.portal_pages import (
    answer,
    area_summary,
    figure,
    innermost,
    justify,
    messages,
    open_area,
    requirement,
    tab,
    title,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CODES = [f"TEX-{level}.1" for level in range(1, 6)]
EVIDENCE = "模型可解释性评估报告（2026）"


def test_an_assessor_answers_a_module_and_submits(
    transactional_db, framework, portal, tmp_path
):
    world = build_world(framework, open_codes=CODES)
    pdf = write_pdf(tmp_path / "可解释性评估报告.pdf")

    assessor = portal(world.people.assessor)
    page = assessor.page
    page.get_by_role("link", name=re.compile(ORGANISATION)).first.click()
    page.get_by_role("link", name=TITLE).click()
    expect(title(page)).to_contain_text("Draft")
    page.get_by_role("link", name="Open the questionnaire").click()
    open_area(page, "TEX")
    summary = area_summary(page, "TEX")
    level = figure(page, summary, "Self-assessed level")
    answered = figure(page, summary, "Answered")
    expect(level).to_have_text("0")
    expect(answered).to_have_text("0 / 5")
    assessor.shot("questionnaire-unanswered")

    answer(page, "TEX-1.1", "Satisfied")
    expect(level).to_have_text("1")
    justify(page, "TEX-1.1", "每季度出具可解释性评估报告，覆盖全部生产模型。")
    answer(page, "TEX-2.1", "Satisfied")
    expect(level).to_have_text("2")
    answer(page, "TEX-3.1", "Not applicable")
    expect(level).to_have_text("3")
    expect(answered).to_have_text("3 / 5")
    expect(summary.get_by_text("Organisation level")).to_contain_text("self-assessed 3")
    assessor.shot("questionnaire-autosaved")

    requirement(page, "TEX-1.1").get_by_role("link", name="Attach evidence").click()
    heading = page.get_by_role("heading", name="Attach evidence to TEX-1.1")
    expect(heading).to_be_visible()
    page.get_by_label("Title", exact=True).fill(EVIDENCE)
    page.get_by_label("File", exact=True).and_(
        page.locator("input[type=file]")
    ).set_input_files(pdf)
    assessor.shot("attach-evidence")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(messages(page)).to_have_text(f"Added the evidence item “{EVIDENCE}”.")
    expect(page).to_have_url(re.compile(r"/modules/TEX/#TEX-1\.1$"))
    block = requirement(page, "TEX-1.1")
    expect(block).to_contain_text("可解释性评估报告.pdf")
    expect(block.get_by_label("Status")).to_have_value("satisfied")
    expect(block.get_by_label("Justification")).to_have_value(
        "每季度出具可解释性评估报告，覆盖全部生产模型。"
    )
    assessor.shot("evidence-attached")
    with page.expect_download() as download:
        block.get_by_role("link", name=EVIDENCE).click()
    assert Path(download.value.path()).read_bytes() == pdf.read_bytes()

    tab(page, "Overview")
    # Submitting is refused while anything is missing: the button stays
    # disabled, with the reason beside it and the list below.
    submit = page.get_by_role("button", name="Submit for review")
    expect(submit).to_be_disabled()
    expect(submit).to_have_accessible_description(
        "Submitting opens once every requirement listed below is in order."
    )
    missing = page.get_by_role(
        "heading", name="4 requirements need attention before submitting"
    )
    problems = innermost(page, missing).get_by_role("listitem")
    expect(problems).to_have_text(
        [
            "TEX-2.1 Attach at least one evidence item: satisfied needs evidence.",
            "TEX-3.1 Explain why the requirement does not apply.",
            "TEX-4.1 Choose a status.",
            "TEX-5.1 Choose a status.",
        ]
    )
    expect(title(page)).to_contain_text("Draft")
    assessor.shot("submit-refused")

    problems.get_by_role("link", name="TEX-2.1").click()
    expect(page).to_have_url(re.compile(r"/modules/TEX/#TEX-2\.1$"))
    requirement(page, "TEX-2.1").get_by_role("link", name="Attach evidence").click()
    page.get_by_label("Evidence item", exact=True).select_option(
        label=f"{EVIDENCE} (File)"
    )
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(messages(page)).to_have_text(f"“{EVIDENCE}” now supports TEX-2.1.")
    block = requirement(page, "TEX-2.1")
    expect(block.get_by_role("link", name=EVIDENCE)).to_be_visible()
    justify(page, "TEX-3.1", NOT_APPLICABLE)
    answer(page, "TEX-4.1", "Not satisfied")
    answer(page, "TEX-5.1", "Not satisfied")
    expect(level).to_have_text("3")
    expect(answered).to_have_text("5 / 5")
    # Checked last, so that the rest of the journey runs whatever it shows.
    whole = summary.get_by_text(re.compile("^Whole assessment:")).inner_text()
    assessor.shot("questionnaire-complete")

    tab(page, "Overview")
    expect(
        page.get_by_text(
            "Every requirement is answered and backed up: "
            "the assessment can be submitted."
        )
    ).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(messages(page)).to_have_text("The assessment was submitted for review.")
    expect(title(page)).to_contain_text("Submitted")
    assessor.shot("submitted")

    world.assessment.refresh_from_db()
    assert world.assessment.status == Status.SUBMITTED
    stored = dict(
        Answer.objects.filter(
            assessment=world.assessment, requirement__code__in=CODES
        ).values_list("requirement__code", "status")
    )
    assert stored == {
        "TEX-1.1": "satisfied",
        "TEX-2.1": "satisfied",
        "TEX-3.1": "not_applicable",
        "TEX-4.1": "not_satisfied",
        "TEX-5.1": "not_satisfied",
    }
    assert (
        EvidenceLink.objects.filter(
            evidence__title=EVIDENCE, answer__requirement__code__in=CODES
        ).count()
        == 2
    )
    assert assessor.script_errors == []
    assert "331 of 331 answered" in whole, "the count of the whole assessment is stale"
