"""A status chosen from the keyboard: the arrow keys step through the
choices, and only the one the assessor stops at is saved."""

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from assessments.selectors import questionnaire_url
from tests.journeys.journey_data import build_world
from tests.journeys.portal_pages import requirement

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_arrow_keys_through_the_statuses_save_only_the_last(
    transactional_db, framework, portal
):
    world = build_world(framework, open_codes=["STR-1.1"])
    assessor = portal(world.people.assessor)
    page = assessor.page
    page.goto(questionnaire_url(world.assessment.pk, "STR"))
    block = requirement(page, "STR-1.1")
    status = block.get_by_label("Status")

    status.focus()
    # Not answered, then satisfied, partially and not satisfied.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(status).to_have_value("not_satisfied")
    expect(block.get_by_role("status")).to_have_text("Saved")

    answer = Answer.objects.get(
        assessment=world.assessment, requirement__code="STR-1.1"
    )
    assert (answer.status, answer.history.count()) == ("not_satisfied", 1)
    assert assessor.script_errors == []
