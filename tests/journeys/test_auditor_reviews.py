"""The external auditor reviews the one assessment granted to them.

The auditor's home lists only that assessment; another organisation's
assessment and the client's other one are not found by direct address
either. The auditor starts the review, accepts most answers (through the
review service, the way 300 clicks would), rejects TEX-2.1 with a reason,
accepts the rest of TEX in the browser and records a finding. The verified
reading then holds TEX at level 1 while the self-assessed one stands at 5,
and the auditor returns the assessment to the assessors.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Finding, Review, Status
from tests.journeys.journey_data import (
    FINDING_TITLE,
    LAST_YEAR_TITLE,
    OTHER_ORGANISATION,
    OTHER_TITLE,
    REJECTION,
    RETURN_REASON,
    TITLE,
    accept_answers,
    build_world,
    move,
)
from tests.journeys.portal_pages import (
    area_summary,
    figure,
    messages,
    module_levels,
    open_area,
    reading,
    requirement,
    tab,
    title,
    verdict,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CODES = [f"TEX-{level}.1" for level in range(1, 6)]


def test_the_auditor_rejects_one_answer_and_the_verified_level_drops(
    transactional_db, framework, portal
):
    world = build_world(framework)
    people, assessment = world.people, world.assessment
    move(assessment, "submit", people.assessor)

    auditor = portal(people.auditor)
    page = auditor.page
    audited = page.get_by_role("region", name="Assessments you audit")
    expect(audited.get_by_role("rowheader")).to_have_text([TITLE])
    expect(page.get_by_text(OTHER_TITLE)).to_have_count(0)
    expect(page.get_by_text(LAST_YEAR_TITLE)).to_have_count(0)
    expect(page.get_by_text(OTHER_ORGANISATION)).to_have_count(0)
    auditor.shot("home")

    hidden = [
        f"/assessments/{world.other.pk}/",
        f"/assessments/{world.other.pk}/modules/TEX/",
        f"/assessments/{world.other.pk}/reports/",
        f"/assessments/{world.last_year.pk}/",
        f"/orgs/{people.other_organisation.slug}/",
        f"/orgs/{people.organisation.slug}/",
    ]
    statuses = {url: page.goto(url).status for url in hidden}
    assert statuses == dict.fromkeys(hidden, 404)
    page.goto(hidden[0])
    expect(page.get_by_text(OTHER_TITLE)).to_have_count(0)
    auditor.shot("other-assessment-not-found")

    page.goto("/")
    audited.get_by_role("link", name=TITLE).click()
    expect(title(page)).to_contain_text("Submitted")
    page.get_by_role("button", name="Start review").click()
    expect(messages(page)).to_have_text("The review has started.")
    expect(title(page)).to_contain_text("In review")

    assert accept_answers(assessment, people.auditor, skip=CODES) == 326
    page.reload()
    standing = page.get_by_role("region", name="Standing")
    expect(figure(page, standing, "Accepted")).to_have_text("326")
    expect(figure(page, standing, "Not reviewed")).to_have_text("5")
    auditor.shot("overview-in-review")

    page.get_by_role("link", name="Open the questionnaire").click()
    open_area(page, "TEX")
    summary = area_summary(page, "TEX")
    verified = figure(page, summary, "Verified level")
    expect(figure(page, summary, "Self-assessed level")).to_have_text("5")
    expect(verified).to_have_text("0")
    auditor.shot("questionnaire-before-verdicts")

    verdict(page, "TEX-1.1", "Accepted")
    expect(messages(page)).to_have_text("Recorded “Accepted” on TEX-1.1.")
    expect(verified).to_have_text("1")
    verdict(page, "TEX-2.1", "Rejected")
    # Said in the verdict's form, which the page opens at, not at its top.
    refusal = requirement(page, "TEX-2.1").get_by_role("alert")
    expect(refusal).to_have_text(
        "Say why the answer is rejected: the assessors need it."
    )
    expect(refusal).to_be_in_viewport()
    expect(messages(page)).to_have_count(0)
    auditor.shot("rejection-without-reason")
    verdict(page, "TEX-2.1", "Rejected", REJECTION)
    expect(messages(page)).to_have_text("Recorded “Rejected” on TEX-2.1.")
    expect(
        requirement(page, "TEX-2.1").get_by_text(f"Reason: {REJECTION}")
    ).to_be_visible()
    for code in CODES[2:]:
        verdict(page, code, "Accepted")
        expect(messages(page)).to_have_text(f"Recorded “Accepted” on {code}.")
    expect(verified).to_have_text("1")
    expect(figure(page, summary, "Self-assessed level")).to_have_text("5")
    auditor.shot("verdicts-recorded")

    requirement(page, "TEX-2.1").get_by_role(
        "link", name="Record a finding about this requirement"
    ).click()
    form = page.get_by_role("region", name="Record a finding")
    expect(form.get_by_label("Requirement").locator("option:checked")).to_have_text(
        re.compile(r"^TEX-2\.1 ")
    )
    form.get_by_label("Kind").select_option(label="Nonconformity")
    form.get_by_label("Severity").select_option(label="High")
    form.get_by_label("Title", exact=True).fill(FINDING_TITLE)
    form.get_by_label("Description").fill("未见模型输入特征与输出关联方法的评估记录。")
    form.get_by_role("button", name="Record", exact=True).click()
    expect(messages(page)).to_have_text(f"Recorded the finding “{FINDING_TITLE}”.")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(FINDING_TITLE))
    )
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text("Nonconformity")
    expect(cells.nth(1)).to_have_text("High")
    expect(cells.nth(2)).to_have_text("TEX-2.1")
    auditor.shot("finding-recorded")

    tab(page, "Overview")
    assert module_levels(page, "TEX") == ("5", "1")
    assert module_levels(page, "STR") == ("5", "5")
    expect(reading(page, "Self-assessed")).to_have_text("5 Level 5 Outstanding")
    expect(reading(page, "Verified by the auditor")).to_have_text("1 Level 1 Initial")
    expect(figure(page, standing, "Accepted")).to_have_text("330")
    expect(figure(page, standing, "Rejected")).to_have_text("1")
    expect(figure(page, standing, "Not reviewed")).to_have_text("0")
    auditor.shot("overview-verified-differs")

    page.get_by_label("What the assessors need to fix").fill(RETURN_REASON)
    page.get_by_role("button", name="Return to the assessors").click()
    expect(messages(page)).to_have_text("The assessment was returned to the assessors.")
    expect(title(page)).to_contain_text("Returned")
    changes = page.get_by_role("region", name="Status changes")
    expect(changes.get_by_role("row").last).to_contain_text(RETURN_REASON)
    auditor.shot("returned")

    assessment.refresh_from_db()
    assert assessment.status == Status.RETURNED
    rejected = Review.objects.get(
        answer__assessment=assessment, answer__requirement__code="TEX-2.1"
    )
    assert (rejected.verdict, rejected.comment) == ("rejected", REJECTION)
    assert list(
        Finding.objects.filter(assessment=assessment).values_list(
            "title", "requirement__code", "severity"
        )
    ) == [(FINDING_TITLE, "TEX-2.1", "high")]
    assert auditor.script_errors == []
