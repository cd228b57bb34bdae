"""Starting an assessment from an earlier one of the same organisation."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, Evidence, EvidenceLink, Status
from assessments.selectors import questionnaire_url, submission_problems, targets_of
from tests.assessments.assessment_factories import answer, file_evidence, requirement


def _finalised(people):
    previous = people.assessment
    answer(previous, "STR-1.1")
    answer(
        previous,
        "STR-1.2",
        "not_applicable",
        evidence=False,
        justification="无此类模型。",
    )
    answer(previous, "STR-2.1", "partial", evidence=False, justification="进行中")
    document = file_evidence(previous, people.assessor, code="STR-1.1")
    services.evidence_attach(
        evidence=document,
        requirement=requirement(previous, "STR-2.1"),
        actor=people.assessor,
    )
    previous.targets.filter(module__code="STR").update(level=4)
    Assessment.objects.filter(pk=previous.pk).update(status=Status.FINALISED)
    previous.refresh_from_db()
    return previous, document


def _start(people, previous, actor=None):
    return services.assessment_start_from(
        previous=previous,
        title="2026 年度评估",
        scope="同上",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=actor or people.assessor,
    )


def test_it_carries_answers_and_justifications(people):
    previous, _document = _finalised(people)

    successor = _start(people, previous)

    carried = dict(
        Answer.objects.filter(assessment=successor).values_list(
            "requirement__code", "status"
        )
    )
    assert carried == {
        "STR-1.1": "satisfied",
        "STR-1.2": "not_applicable",
        "STR-2.1": "partial",
    }
    assert (
        successor.answers.get(requirement__code="STR-1.2").justification
        == "无此类模型。"
    )
    assert successor.status == Status.DRAFT
    assert successor.previous == previous
    assert targets_of(successor) == {"STR": 4, "LC": 3}
    assert not successor.status_changes.exists()
    assert successor.self_scores is None


def test_it_carries_evidence_to_be_reconfirmed(people, private_storage):
    previous, document = _finalised(people)

    successor = _start(people, previous)

    copies = Evidence.objects.filter(assessment=successor)
    assert copies.count() == 2
    copy = copies.get(carried_from=document)
    assert (copy.sha256, copy.original_name) == (
        document.sha256,
        document.original_name,
    )
    assert copy.file_path != document.file_path
    assert (private_storage / copy.file_path).read_bytes() == (
        private_storage / document.file_path
    ).read_bytes()
    links = EvidenceLink.objects.filter(answer__assessment=successor)
    assert sorted(links.values_list("answer__requirement__code", flat=True)) == [
        "STR-1.1",
        "STR-1.1",
        "STR-2.1",
    ]
    assert all(link.needs_reconfirmation for link in links)
    assert previous.evidence.count() == 2
    assert not EvidenceLink.objects.filter(
        answer__assessment=previous, needs_reconfirmation=True
    ).exists()


def test_a_carried_copy_keeps_who_added_the_original_and_when(people):
    previous, document = _finalised(people)
    uploaded_at = timezone.make_aware(datetime.datetime(2025, 3, 14, 9, 30))
    Evidence.objects.filter(pk=document.pk).update(created_at=uploaded_at)

    successor = _start(people, previous, actor=people.admin)

    copy = successor.evidence.get(carried_from=document)
    assert (copy.created_by, copy.created_at) == (people.assessor, uploaded_at)
    assert copy.history.get().history_user == people.admin


def test_the_evidence_list_says_where_a_copy_was_carried_from(people, login):
    people.assessor.first_name = "林晓雯"
    people.assessor.save(update_fields=["first_name"])
    previous, document = _finalised(people)
    uploaded_at = timezone.make_aware(datetime.datetime(2025, 3, 14, 9, 30))
    Evidence.objects.filter(pk=document.pk).update(created_at=uploaded_at)
    successor = _start(people, previous, actor=people.admin)
    copy = successor.evidence.get(carried_from=document)

    body = (
        login(people.viewer)
        .get(
            reverse("assessments:evidence-list", args=[successor.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    row = body.split(f'id="evidence-{copy.pk}"')[1].split("</tr>")[0]
    assert (
        '<td class="evidence-added">林晓雯<br><span class="muted">2025-03-14</span>'
        in row
    )
    assert "carried over from 2025 年度评估" in row


def test_carried_evidence_counts_once_reconfirmed(people):
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    kinds = {p.code: p.kind for p in submission_problems(successor)}
    assert kinds["STR-1.1"] == "unconfirmed_evidence"

    link = EvidenceLink.objects.filter(
        answer__assessment=successor, answer__requirement__code="STR-1.1"
    ).first()
    services.evidence_reconfirm(link=link, actor=people.assessor)

    assert "STR-1.1" not in {p.code for p in submission_problems(successor)}


def test_deleting_a_carried_copy_keeps_the_finalised_file(
    people, private_storage, django_capture_on_commit_callbacks
):
    previous, document = _finalised(people)
    successor = _start(people, previous)
    copy = successor.evidence.get(carried_from=document)

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(evidence=copy, actor=people.assessor)

    assert not (private_storage / copy.file_path).exists()
    assert (private_storage / document.file_path).exists()


def test_it_starts_from_a_previous_one_through_the_page(people, login):
    previous, _document = _finalised(people)
    client = login(people.assessor)
    form_url = reverse("assessments:assessment-create", args=["org-a"])
    assert (
        f'value="{previous.pk}" selected'
        in client.get(f"{form_url}?from={previous.pk}").content.decode()
    )

    response = client.post(
        form_url,
        {
            "title": "Next",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "framework": previous.framework_id,
            "previous": previous.pk,
        },
    )

    successor = Assessment.objects.get(title="Next")
    assert response["Location"] == successor.get_absolute_url()
    assert successor.answers.count() == 3


def test_it_offers_only_assessments_of_the_same_organisation(people, login):
    client = login(people.assessor)

    client.post(
        reverse("assessments:assessment-create", args=["org-a"]),
        {
            "title": "Stolen",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "framework": people.assessment.framework_id,
            "previous": people.assessment_b.pk,
        },
    )

    assert not Assessment.objects.filter(title="Stolen").exists()


def _reconfirm_page_url(assessment, area):
    return reverse("assessments:evidence-reconfirm-area", args=[assessment.pk, area])


def _unconfirmed_codes(assessment):
    return set(
        EvidenceLink.objects.filter(
            answer__assessment=assessment, needs_reconfirmation=True
        ).values_list("answer__requirement__code", flat=True)
    )


def test_it_filters_the_requirements_with_evidence_to_reconfirm(people, login):
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    client = login(people.assessor)
    page = questionnaire_url(successor.pk, "STR")

    body = client.get(f"{page}?show=unconfirmed").content.decode()

    shown = set(re.findall(r'<article class="requirement panel" id="([^"]+)"', body))
    assert shown == {"STR-1.1", "STR-2.1"}
    assert "重新确认本页 2 项要求沿用的证据" in body
    assert "沿用待重新确认的证据" in body


def test_the_filter_is_offered_only_on_an_assessment_with_a_predecessor(people, login):
    body = (
        login(people.assessor)
        .get(questionnaire_url(people.assessment.pk, "STR"))
        .content.decode()
    )

    assert "?show=unconfirmed" not in body


def test_it_reconfirms_the_carried_evidence_of_one_page_together(people, login):
    answer(people.assessment, "LC-S1-1.1")
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    assert _unconfirmed_codes(successor) == {"STR-1.1", "STR-2.1", "LC-S1-1.1"}
    client = login(people.assessor)

    response = client.post(
        _reconfirm_page_url(successor, "STR"), {"show": "unconfirmed"}
    )

    assert response.status_code == 302
    assert response.url == questionnaire_url(successor.pk, "STR", "unconfirmed")
    assert _unconfirmed_codes(successor) == {"LC-S1-1.1"}
    assert "STR-1.1" not in {p.code for p in submission_problems(successor)}
    reconfirmed = EvidenceLink.history.filter(
        answer__assessment=successor, needs_reconfirmation=False
    )
    assert reconfirmed.count() == 3
    assert {row.history_user for row in reconfirmed} == {people.assessor}
    body = client.get(response.url).content.decode()
    assert "已重新确认本页 2 项要求沿用的证据。" in body
    assert '<article class="requirement panel"' not in body


def test_it_asks_before_reconfirming_a_page(people, login):
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    client = login(people.assessor)

    body = client.get(
        questionnaire_url(successor.pk, "STR"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    action = _reconfirm_page_url(successor, "STR")
    assert (
        f'action="{action}" class="form accept-page" data-confirm="Reconfirm the '
        "carried-over evidence of 2 requirements? Each item then counts as checked "
        'for this assessment."'
    ) in body


def test_reconfirming_a_page_with_nothing_carried_says_so(people, login):
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    client = login(people.assessor)

    response = client.post(_reconfirm_page_url(successor, "LC-S2"), follow=True)

    assert "本页没有待重新确认的沿用证据。" in response.content.decode()
    assert _unconfirmed_codes(successor) == {"STR-1.1", "STR-2.1"}


def test_a_viewer_cannot_reconfirm_a_page(people, login):
    previous, _document = _finalised(people)
    successor = _start(people, previous)

    response = login(people.viewer).post(_reconfirm_page_url(successor, "STR"))

    assert response.status_code == 403
    assert _unconfirmed_codes(successor) == {"STR-1.1", "STR-2.1"}


def test_reconfirming_an_unknown_page_changes_nothing(people, login):
    previous, _document = _finalised(people)
    successor = _start(people, previous)

    response = login(people.assessor).post(_reconfirm_page_url(successor, "NOPE"))

    assert response.status_code == 302
    assert _unconfirmed_codes(successor) == {"STR-1.1", "STR-2.1"}


def test_the_page_wide_reconfirm_is_offered_only_where_it_lists_what_it_acts_on(
    people, login
):
    previous, _document = _finalised(people)
    successor = _start(people, previous)
    client = login(people.assessor)
    page = questionnaire_url(successor.pk, "STR")
    action = _reconfirm_page_url(successor, "STR")

    offered = {
        selected: f'action="{action}"'
        in client.get(f"{page}?show={selected}" if selected else page).content.decode()
        for selected in ("", "unconfirmed", "not_satisfied", "unanswered")
    }

    assert offered == {
        "": True,
        "unconfirmed": True,
        "not_satisfied": False,
        "unanswered": False,
    }
