"""Two people edit the same answer at once and save theirs over the other's.

The admin and the assessor have the same questionnaire page open. Each
changes one field of STR-1.1 while the other's page still shows the old
answer; the later save is refused, says what saving over it keeps, and
saving over it changes only the field its author changed. Where both
changed the same field, the one who saves over the other wins there.
"""

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from assessments.selectors import questionnaire_url
from tests.journeys.journey_data import build_world
from tests.journeys.portal_pages import justify, requirement

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CODE = "STR-1.1"
ADMINS = "模型风险管理委员会已审议并批准该制度，2026 年 3 月起执行。"
ADMINS_AGAIN = "制度由董事会于 2026 年 3 月批准，每年复核一次。"
ASSESSORS = "制度已批准，但两家子公司尚未落地执行。"
KEEPS_JUSTIFICATION = (
    "Saving yours over it changes only the status you chose and keeps the "
    "justification saved in the meantime."
)
KEEPS_STATUS = (
    "Saving yours over it changes only the justification you wrote and keeps "
    "the status saved in the meantime."
)


def _stored(world) -> tuple[str, str]:
    stored = Answer.objects.get(assessment=world.assessment, requirement__code=CODE)
    return stored.status, stored.justification


def test_saving_over_a_newer_answer_keeps_the_fields_left_alone(
    transactional_db, framework, portal
):
    world = build_world(framework)
    url = questionnaire_url(world.assessment.pk, "STR")
    admin = portal(world.people.admin)
    assessor = portal(world.people.assessor)
    admin.page.goto(url)
    assessor.page.goto(url)
    admins_block = requirement(admin.page, CODE)
    assessors_block = requirement(assessor.page, CODE)

    justify(admin.page, CODE, ADMINS)
    assessors_block.get_by_label("Status").select_option(label="Partially satisfied")
    expect(assessors_block.get_by_role("status")).to_have_text("Conflict")
    conflict = assessors_block.get_by_text("saved this answer in the meantime")
    expect(conflict).to_contain_text("周思远")
    expect(conflict).to_contain_text(KEEPS_JUSTIFICATION)
    assessor.shot("conflict-over-the-status")
    assert _stored(world) == ("satisfied", ADMINS)

    assessors_block.get_by_role("button", name="Save mine over it").click()
    expect(assessors_block.get_by_role("status")).to_have_text("Saved")
    expect(assessors_block.get_by_label("Justification")).to_have_value(ADMINS)
    expect(assessors_block.get_by_label("Status")).to_have_value("partial")
    assessor.shot("saved-over-it")
    assert _stored(world) == ("partial", ADMINS)

    # The admin's page still shows the status they loaded.
    admins_block.get_by_label("Justification").fill(ADMINS_AGAIN)
    expect(admins_block.get_by_role("status")).to_have_text("Conflict")
    expect(admins_block.get_by_text(KEEPS_STATUS)).to_be_visible()
    admins_block.get_by_role("button", name="Save mine over it").click()
    expect(admins_block.get_by_role("status")).to_have_text("Saved")
    expect(admins_block.get_by_label("Status")).to_have_value("partial")
    assert _stored(world) == ("partial", ADMINS_AGAIN)

    # Both changed the justification: saving over it keeps the assessor's.
    assessors_block.get_by_label("Justification").fill(ASSESSORS)
    expect(assessors_block.get_by_role("status")).to_have_text("Conflict")
    conflict = assessors_block.get_by_text("saved this answer in the meantime")
    expect(conflict).not_to_contain_text("Saving yours over it")
    assessors_block.get_by_role("button", name="Save mine over it").click()
    expect(assessors_block.get_by_role("status")).to_have_text("Saved")
    assessor.shot("both-changed-the-justification")
    assert _stored(world) == ("partial", ASSESSORS)
    assert admin.script_errors == assessor.script_errors == []


def test_a_first_save_opens_the_comments_of_a_new_answer(
    transactional_db, framework, portal
):
    world = build_world(framework, open_codes={"TEX-4.1"})
    assessor = portal(world.people.assessor)
    assessor.page.goto(questionnaire_url(world.assessment.pk, "TEX"))
    block = requirement(assessor.page, "TEX-4.1")
    expect(block.get_by_text("Write a comment")).to_be_hidden()

    block.get_by_label("Status").select_option(label="Partially satisfied")

    expect(block.get_by_role("status")).to_have_text("Saved")
    block.get_by_text("Write a comment").click()
    block.get_by_label("Comment", exact=True).fill("请补充子公司的执行证据。")
    block.get_by_role("button", name="Add comment").click()
    expect(requirement(assessor.page, "TEX-4.1")).to_contain_text(
        "请补充子公司的执行证据。"
    )
