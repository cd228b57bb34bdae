"""A rejected answer is fixed, accepted and the assessment finalised for good.

The auditor rejected TEX-2.1 and returned the assessment. The assessor
finds the rejection with its reason, attaches better evidence, rewrites the
justification (autosaved), replies and submits again. The auditor sees the
changed answer, accepts it and finalises. After that the questionnaire is
read-only in the browser, and an answer sent straight to the portal, as the
autosave script or a plain form would send it, is refused.
"""

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Status
from tests.journeys.journey_data import (
    REJECTION,
    RETURN_REASON,
    TITLE,
    build_rejected,
    write_pdf,
)
from tests.journeys.portal_pages import (
    area_summary,
    figure,
    justify,
    messages,
    open_area,
    reading,
    requirement,
    tab,
    title,
    verdict,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EVIDENCE = "模型可解释性评估报告（补充版）"
FIXED = "已补充可解释性评估报告，说明输入特征与模型输出的关联方法及复核记录。"
REPLY = "已上传补充版评估报告，请复核。"
FINALISED = "The assessment is finalised and can no longer be changed."

CHANGE = {"status": "not_satisfied", "justification": "定稿后改写的说明。"}
# What the autosave script sends, built from the page's own answer form.
AUTOSAVE = """async ({code, change}) => {
    const form = document.getElementById(code).querySelector("form");
    const data = new FormData();
    data.set("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.set("version", form.elements.version.value);
    data.set("status", change.status);
    data.set("justification", change.justification);
    const response = await fetch(form.action, {
        method: "POST", body: data, headers: {Accept: "application/json"},
    });
    return {status: response.status, body: await response.json()};
}"""


def test_a_fixed_answer_is_accepted_and_the_finalised_assessment_is_locked(
    transactional_db, framework, portal, tmp_path
):
    world = build_rejected(framework, returned=True)
    people, assessment = world.people, world.assessment
    pdf = write_pdf(tmp_path / "可解释性评估报告-补充版.pdf")

    assessor = portal(people.assessor)
    page = assessor.page
    page.goto(assessment.get_absolute_url())
    expect(title(page)).to_contain_text("Returned")
    changes = page.get_by_role("region", name="Status changes")
    expect(changes.get_by_role("row").last).to_contain_text(RETURN_REASON)
    standing = page.get_by_role("region", name="Standing")
    expect(figure(page, standing, "Rejected")).to_have_text("1")
    assessor.shot("returned")

    page.get_by_role("link", name="Open the questionnaire").click()
    open_area(page, "TEX")
    summary = area_summary(page, "TEX")
    summary.get_by_role("link", name="Rejected or questioned by the auditor").click()
    expect(summary).to_contain_text("1 of 5 shown")
    expect(page.get_by_role("article")).to_have_count(1)
    block = requirement(page, "TEX-2.1")
    expect(block.get_by_text(f"Reason: {REJECTION}")).to_be_visible()
    assessor.shot("rejection-seen")

    block.get_by_role("link", name="Attach evidence").click()
    page.get_by_label("Title", exact=True).fill(EVIDENCE)
    page.get_by_label("File", exact=True).and_(
        page.locator("input[type=file]")
    ).set_input_files(pdf)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(messages(page)).to_have_text(f"Added the evidence item “{EVIDENCE}”.")
    # Back on the questionnaire, which still shows only the rejected answer.
    expect(page.get_by_role("article")).to_have_count(1)
    justify(page, "TEX-2.1", FIXED)
    # The verdict says at once, and after a reload, that it was given on an
    # earlier version.
    outdated = (
        "The answer changed after this verdict; the auditor must look at it again."
    )
    expect(block.get_by_text(outdated)).to_be_visible()
    expect(block.locator("[data-verdict]")).to_have_text("Rejected · earlier version")
    page.reload()
    block = requirement(page, "TEX-2.1")
    expect(block.get_by_text(outdated)).to_be_visible()
    expect(block.locator("[data-verdict]")).to_have_text("Rejected · earlier version")
    block.get_by_label("Comment", exact=True).fill(REPLY)
    block.get_by_role("button", name="Add comment TEX-2.1").click()
    expect(messages(page)).to_have_text("Added the comment on TEX-2.1.")
    assessor.shot("answer-fixed")

    tab(page, "Overview")
    page.get_by_role("button", name="Submit for review").click()
    expect(messages(page)).to_have_text("The assessment was submitted for review.")
    expect(title(page)).to_contain_text("Submitted")

    auditor = portal(people.auditor)
    review = auditor.page
    review.get_by_role("region", name="Assessments you audit").get_by_role(
        "link", name=TITLE
    ).click()
    review.get_by_role("button", name="Start review").click()
    expect(title(review)).to_contain_text("In review")
    standing = review.get_by_role("region", name="Standing")
    expect(figure(review, standing, "Changed since the verdict")).to_have_text("1")
    review.get_by_role("link", name="Open the questionnaire").click()
    open_area(review, "TEX")
    summary = area_summary(review, "TEX")
    summary.get_by_role("link", name="Awaiting a verdict").click()
    expect(summary).to_contain_text("1 of 5 shown")
    block = requirement(review, "TEX-2.1")
    expect(block.get_by_label("Justification")).to_have_value(FIXED)
    expect(block.get_by_role("link", name=EVIDENCE)).to_be_visible()
    expect(block.get_by_text(REPLY)).to_be_visible()
    expect(figure(review, summary, "Verified level")).to_have_text("1")
    auditor.shot("changed-answer")
    verdict(review, "TEX-2.1", "Accepted")
    expect(messages(review)).to_have_text("Recorded “Accepted” on TEX-2.1.")
    expect(figure(review, summary, "Verified level")).to_have_text("5")
    auditor.shot("accepted")

    tab(review, "Overview")
    expect(reading(review, "Verified by the auditor")).to_have_text(
        "5 Level 5 Outstanding"
    )
    expect(review.locator('[data-figure="finalise.unreviewed"]')).to_have_text("0")
    expect(review.locator('[data-figure="finalise.objections"]')).to_have_text("0")
    review.get_by_label("I have reviewed the answers").check()
    review.get_by_role("button", name="Finalise").click()
    expect(messages(review)).to_have_text("The assessment was finalised.")
    expect(title(review)).to_contain_text("Finalised")
    auditor.shot("finalised")

    page.reload()
    expect(title(page)).to_contain_text("Finalised")
    expect(page.get_by_text("No status change is open to you now.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    tab(page, "Questionnaire")
    open_area(page, "TEX")
    expect(
        page.get_by_text("The answers can no longer be changed in this status.")
    ).to_be_visible()
    block = requirement(page, "TEX-2.1")
    expect(block.get_by_label("Status")).to_be_disabled()
    expect(block.get_by_label("Justification")).not_to_be_editable()
    expect(block.get_by_role("button", name="Save")).to_have_count(0)
    expect(block.get_by_text("Attach evidence")).to_have_count(0)
    expect(block.get_by_role("button", name="Detach")).to_have_count(0)
    assessor.shot("finalised-read-only")

    autosave = page.evaluate(AUTOSAVE, {"code": "TEX-2.1", "change": CHANGE})
    assert autosave == {"status": 400, "body": {"error": FINALISED}}
    form = block.locator("form").first
    plain = page.request.post(
        urljoin(page.url, form.get_attribute("action")),
        form={
            "csrfmiddlewaretoken": form.locator(
                "[name=csrfmiddlewaretoken]"
            ).input_value(),
            "version": form.locator("[name=version]").input_value(),
            **CHANGE,
        },
        headers={"Accept-Language": "en-GB"},
        max_redirects=0,
    )
    assert plain.status == 302
    assert plain.headers["location"].endswith("/modules/TEX/#TEX-2.1")
    page.reload()
    expect(messages(page)).to_have_text(FINALISED)
    assessor.shot("post-refused")

    assessment.refresh_from_db()
    assert assessment.status == Status.FINALISED
    stored = Answer.objects.get(assessment=assessment, requirement__code="TEX-2.1")
    # Version 1 was rejected; attaching the evidence and saving the fix made
    # one version each.
    assert (stored.status, stored.justification, stored.version) == (
        "satisfied",
        FIXED,
        3,
    )
    assert assessor.script_errors == []
    assert auditor.script_errors == []
