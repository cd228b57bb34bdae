"""The history of an assessment started from another tells the carry-over once."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Answer, Evidence, EvidenceLink
from assessments.selectors import history as history_selectors
from tests.assessments.assessment_factories import (
    AuditorGrantFactory,
    EvidenceFactory,
    EvidenceLinkFactory,
    answer,
    answer_all,
)
from tests.assessments.test_history import ROW, _entries, _rows


def _start_from(people, previous=None):
    return services.assessment_start_from(
        previous=previous or people.assessment,
        title="2026 年度评估",
        scope="",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=people.admin,
    )


def _page(client, assessment, **params):
    url = reverse("assessments:assessment-history", args=[assessment.pk])
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def _carried_row(body):
    """Return the HTML of the one row telling the carry-over."""
    rows = [html for kind, html in ROW.findall(body) if kind == "carried"]
    assert len(rows) == 1
    return rows[0]


def _parts(row):
    """Return (label, [items]) for each kind the carry-over row lists."""
    return [
        (
            label,
            [
                re.sub(r"<[^>]+>", "", item)
                for item in re.findall(r"<li>(.*?)</li>", items)
            ],
        )
        for label, items in re.findall(
            r"<details><summary>(.*?)</summary>"
            r'<ul class="history-carried__items[^"]*">(.*?)</ul></details>',
            row,
        )
    ]


def test_it_tells_what_was_carried_over_as_one_entry(people, login):
    answer_all(people.assessment)
    carried = _start_from(people)

    response = _page(login(people.admin), carried)

    body = response.content.decode()
    codes = Answer.objects.filter(assessment=carried).values_list(
        "requirement__code", flat=True
    )
    assert [kind for kind, *_rest in _entries(body)] == [
        "carried",
        "target",
        "target",
        "assessment",
    ]
    assert _entries(body)[0] == (
        "carried",
        "Answers and evidence from “2025 年度评估” carried over",
        "Carried over when this assessment was started from it:",
    )
    assert _rows(body)[0][1] == people.admin.username
    parts = _parts(_carried_row(body))
    assert [label for label, _items in parts] == [
        "20 answers",
        "20 evidence items",
        "20 evidence links, to be reconfirmed",
    ]
    assert sorted(parts[0][1]) == sorted(codes)
    # Each item of the earlier assessment supported one requirement.
    titles = Evidence.objects.filter(assessment=carried).values_list("title", flat=True)
    assert sorted(parts[1][1]) == sorted(titles)
    assert len(parts[2][1]) == 20
    assert all(
        re.fullmatch(r"Evidence \d+ — [A-Z]+-[\w.-]+", item) for item in parts[2][1]
    )
    assert response.context["page"].paginator.count == 4
    assert "Attached evidence" not in body


def test_it_keeps_every_carried_version_in_the_api(people):
    answer_all(people.assessment)
    carried = _start_from(people)
    api = APIClient()
    api.force_login(people.admin)

    response = api.get(
        f"/api/v1/assessments/{carried.pk}/history/", HTTP_ACCEPT_LANGUAGE="en"
    )

    body = response.json()
    kinds = [change["kind"] for change in body["results"]]
    assert response.status_code == 200
    assert body["count"] == 1 + 2 + 20 + 20 + 20
    assert "carried" not in kinds
    assert {
        change["reason"] for change in body["results"] if change["kind"] == "answer"
    } == {history_selectors.CARRIED_OVER}


def test_it_pages_the_entries_rather_than_the_versions(people, login):
    answer_all(people.assessment)
    carried = _start_from(people)
    client = login(people.assessor)
    for version in range(1, 60):
        client.post(
            reverse("assessments:answer-update", args=[carried.pk, "STR-1.1"]),
            {
                "status": "partial",
                "justification": f"第{version}版",
                "version": version,
            },
            HTTP_ACCEPT="application/json",
        )

    admin = login(people.admin)
    first = _page(admin, carried)
    second = _page(admin, carried, page=2)

    assert first.context["page"].paginator.count == 59 + 4
    assert [kind for kind, *_rest in _entries(second.content.decode())] == [
        "answer",
        "answer",
        "answer",
        "answer",
        "answer",
        "answer",
        "answer",
        "answer",
        "answer",
        "carried",
        "target",
        "target",
        "assessment",
    ]


def test_it_shows_the_value_a_carried_answer_had_before_its_first_change(people, login):
    answer(people.assessment, "STR-1.1", "partial", justification="去年的说明")
    carried = _start_from(people)
    stored = Answer.objects.get(assessment=carried)
    services.answer_save(
        assessment=carried,
        requirement=stored.requirement,
        status="satisfied",
        justification="今年的说明",
        base_version=stored.version,
        actor=people.assessor,
    )

    rows = _rows(_page(login(people.admin), carried).content.decode())

    assert rows[0][:3] == (
        "answer",
        people.assessor.username,
        "Answer to STR-1.1 changed",
    )
    assert ("Justification", "去年的说明", "今年的说明") in rows[0][3]


def test_it_says_the_assessment_was_started_from_the_earlier_one(people, login):
    answer(people.assessment, "STR-1.1")
    carried = _start_from(people)

    body = _page(login(people.admin), carried).content.decode()

    previous_url = reverse("assessments:assessment-detail", args=[people.assessment.pk])
    created = next(html for kind, html in ROW.findall(body) if kind == "assessment")
    assert f'Started from “<a href="{previous_url}">2025 年度评估</a>”.' in created
    assert f'<a href="{previous_url}">Answers and evidence from' in _carried_row(body)


def test_it_names_the_earlier_assessment_without_a_link_to_who_cannot_open_it(
    people, login
):
    answer(people.assessment, "STR-1.1")
    carried = _start_from(people)
    outside_auditor = AuditorGrantFactory(assessment=carried, granted_by=people.admin)

    body = _page(login(outside_auditor.user), carried).content.decode()

    previous_url = reverse("assessments:assessment-detail", args=[people.assessment.pk])
    assert "Started from “2025 年度评估”." in body
    assert previous_url not in body


def test_it_names_the_earlier_assessment_after_it_was_deleted(people, login):
    people.assessment.auditor_grants.all().delete()
    answer(people.assessment, "STR-1.1")
    carried = _start_from(people)
    services.assessment_delete(assessment=people.assessment, actor=people.admin)

    body = _page(login(people.admin), carried).content.decode()

    assert "Started from “2025 年度评估”." in body
    assert "Answers and evidence from “2025 年度评估”" in body


def test_it_recognises_answers_carried_before_they_were_marked(people, login):
    answer_all(people.assessment)
    carried = _start_from(people)
    Answer.history.filter(assessment_id=carried.pk).update(history_change_reason=None)

    body = _page(login(people.admin), carried).content.decode()

    assert "answer" not in [kind for kind, *_rest in _entries(body)]
    assert _parts(_carried_row(body))[0][0] == "20 answers"


def test_it_tells_apart_what_was_done_after_the_carry_over(people, login):
    answer(people.assessment, "STR-1.1")
    carried = _start_from(people)
    client = login(people.assessor)
    client.post(
        reverse("assessments:answer-update", args=[carried.pk, "STR-1.2"]),
        {"status": "partial", "justification": "新答复", "version": 0},
        HTTP_ACCEPT="application/json",
    )
    stored = Answer.objects.get(assessment=carried, requirement__code="STR-1.2")
    EvidenceLinkFactory(
        answer=stored,
        evidence=EvidenceFactory(assessment=carried, created_by=people.assessor),
        created_by=people.assessor,
        needs_reconfirmation=True,
    )

    body = _page(login(people.admin), carried).content.decode()

    kinds = [kind for kind, *_rest in _entries(body)]
    assert kinds[:3] == ["link", "evidence", "answer"]
    assert _parts(_carried_row(body))[0] == ("1 answer", ["STR-1.1"])


def test_links_needing_reconfirmation_alone_are_no_carry_over(people, login):
    stored = answer(people.assessment, "STR-1.1", evidence=False)
    EvidenceLinkFactory(
        answer=stored,
        evidence=EvidenceFactory(
            assessment=people.assessment, created_by=people.assessor
        ),
        created_by=people.assessor,
        needs_reconfirmation=True,
    )

    body = _page(login(people.admin), people.assessment).content.decode()

    assert "carried" not in [kind for kind, *_rest in _entries(body)]
    assert "to be reconfirmed." in body


def test_it_reads_a_carry_over_at_the_same_cost_however_large(people, login):
    answer(people.assessment, "STR-1.1")
    small = _start_from(people)
    answer_all(people.other)
    large = _start_from(people, people.other)
    assert EvidenceLink.objects.filter(answer__assessment=large).count() > 1
    assert Evidence.objects.filter(assessment=large).count() > 1
    client = login(people.admin)
    _page(client, small)  # fills the catalogue cache, as any earlier page would

    with CaptureQueriesContext(connection) as few:
        _page(client, small)
    with CaptureQueriesContext(connection) as many:
        _page(client, large)

    assert len(many) == len(few)
