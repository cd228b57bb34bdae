"""An assessor's session ends while they type an answer.

The autosave says they are no longer logged in, and the text stays on the
page. Once they log in again in another tab, saving on the first page
stores it, although the login gave the session a new CSRF token. Leaving
a page with an answer not stored asks first.
"""

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from assessments.selectors import questionnaire_url
from tests.assessments.assessment_factories import PASSWORD
from tests.journeys.journey_data import build_world
from tests.journeys.portal_pages import justify, log_in, requirement

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CODE = "TEX-1.1"
SIGNED_OUT = "Not saved: you are no longer logged in."


def test_an_answer_typed_after_the_session_ended_is_kept_and_saved_later(
    transactional_db, framework, portal
):
    world = build_world(framework, open_codes=[CODE])
    assessor = portal(world.people.assessor)
    page = assessor.page
    page.goto(questionnaire_url(world.assessment.pk, "TEX"))
    justify(page, CODE, "每季度出具可解释性评估报告。")
    state = requirement(page, CODE).get_by_role("status")

    page.context.clear_cookies(name="sessionid")
    requirement(page, CODE).get_by_label("Justification").fill(
        "每季度出具可解释性评估报告，覆盖全部生产模型。"
    )
    expect(state).to_contain_text(SIGNED_OUT)
    assessor.shot("signed-out")
    stored = Answer.objects.get(assessment=world.assessment, requirement__code=CODE)
    assert stored.justification == "每季度出具可解释性评估报告。"

    other_tab = page.context.new_page()
    log_in(other_tab, world.people.assessor.username, PASSWORD, "en")
    other_tab.close()
    requirement(page, CODE).get_by_role("button", name="Save").click()
    expect(state).to_have_text("Saved")
    stored.refresh_from_db()
    assert stored.justification == "每季度出具可解释性评估报告，覆盖全部生产模型。"

    page.context.clear_cookies(name="sessionid")
    requirement(page, CODE).get_by_label("Justification").fill("未保存的内容")
    expect(state).to_contain_text(SIGNED_OUT)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    if not page.is_closed():
        # The question is answered while the test waits.
        page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert not page.is_closed()
    assert assessor.script_errors == []
