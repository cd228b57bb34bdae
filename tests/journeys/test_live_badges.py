"""The badges of the questionnaire follow each autosave, without a reload.

An assessor marks a requirement satisfied before attaching its evidence and
sees the warning at once, and it goes when the status changes. Another
revises the answer the auditor rejected and sees it leave the count of
answers to revise in the list of modules.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.selectors import questionnaire_url
from tests.journeys.journey_data import build_rejected, build_world
from tests.journeys.portal_pages import answer, justify, requirement

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_missing_evidence_warning_follows_the_status(
    transactional_db, framework, portal
):
    world = build_world(framework, open_codes=["TEX-1.1"])
    assessor = portal(world.people.assessor)
    page = assessor.page
    page.goto(questionnaire_url(world.assessment.pk, "TEX"))
    unbacked = requirement(page, "TEX-1.1").get_by_text("no evidence", exact=True)
    backed = requirement(page, "TEX-2.1").get_by_text("no evidence", exact=True)

    answer(page, "TEX-1.1", "Satisfied")
    expect(unbacked).to_be_visible()
    assessor.shot("satisfied-without-evidence")
    answer(page, "TEX-1.1", "Partially satisfied")
    expect(unbacked).to_have_count(0)
    answer(page, "TEX-1.1", "Satisfied")
    expect(unbacked).to_be_visible()
    # Backed by the evidence note: never marked.
    answer(page, "TEX-2.1", "Not satisfied")
    answer(page, "TEX-2.1", "Satisfied")
    expect(backed).to_have_count(0)

    page.reload()
    expect(unbacked).to_be_visible()
    expect(backed).to_have_count(0)
    assert assessor.script_errors == []


def test_a_revised_rejection_leaves_the_count_to_revise(
    transactional_db, framework, portal
):
    world = build_rejected(framework, returned=True)
    assessor = portal(world.people.assessor)
    page = assessor.page
    page.goto(questionnaire_url(world.assessment.pk, "TEX"))
    navigation = page.get_by_role("navigation", name="Modules and stages")
    tex = navigation.get_by_role("link", name=re.compile("^TEX "))
    expect(tex.get_by_title("Rejected or questioned by the auditor")).to_have_text(
        "1 to revise"
    )

    justify(page, "TEX-2.1", "已补充可解释性评估报告。")
    expect(tex).to_be_visible()
    expect(tex.get_by_title("Rejected or questioned by the auditor")).to_have_count(0)
    assessor.shot("rejection-revised")

    page.reload()
    expect(tex.get_by_title("Rejected or questioned by the auditor")).to_have_count(0)
    assert assessor.script_errors == []
