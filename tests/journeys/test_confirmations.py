"""Deleting asks first: an assessor deletes an evidence item in the browser.

Dismissing the question leaves the item as it was; confirming it deletes
the item and its links.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Evidence, EvidenceLink
from tests.journeys.journey_data import build_world
from tests.journeys.portal_pages import messages

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_deleting_an_evidence_item_asks_first(transactional_db, framework, portal):
    world = build_world(framework)
    evidence = Evidence.objects.get(assessment=world.assessment)
    assessor = portal(world.people.assessor)
    page = assessor.page
    page.goto(reverse("assessments:evidence-list", args=[world.assessment.pk]))
    delete = page.get_by_role("button", name=re.compile(f"^Delete {evidence.title}"))
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    delete.click()
    # Time for a form sent in spite of the answer to reach the portal.
    page.wait_for_timeout(500)
    expect(delete).to_be_visible()
    assert Evidence.objects.filter(pk=evidence.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    delete.click()
    expect(messages(page)).to_contain_text(evidence.title)

    assert (
        questions
        == [
            f"Delete the evidence item “{evidence.title}”? It stops "
            "supporting every requirement it supports now."
        ]
        * 2
    )
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not EvidenceLink.objects.filter(answer__assessment=world.assessment)
    assert assessor.script_errors == []
