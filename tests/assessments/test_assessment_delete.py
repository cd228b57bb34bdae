"""Deleting a draft that never went to the auditor: service, page and API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from assessments import services
from assessments.models import (
    Answer,
    Assessment,
    AssessmentTarget,
    Evidence,
    EvidenceLink,
    Status,
    StatusChange,
)
from assessments.selectors import history
from reports import storage
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    AssessmentFactory,
    answer,
    file_evidence,
    set_status,
)


def _fill(people):
    """Give the draft an answer backed by a note, a stored file and a report."""
    assessment = people.assessment
    answer(assessment, "STR-1.1")
    document = file_evidence(assessment, people.assessor, code="STR-1.2")
    pdf = storage.store_pdf(b"%PDF-1.4 report", assessment_id=assessment.pk)
    report = Report.objects.create(
        assessment=assessment,
        revision="0" * 64,
        requested_by=people.viewer,
        status=ReportStatus.DONE,
        file_path=pdf.path,
        size=pdf.size,
        sha256=pdf.sha256,
        page_count=1,
    )
    return document, report


def _returned(people):
    """Take the assessment to the auditor and back, as its transitions would."""
    assessment = people.assessment
    for before, after in [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.RETURNED),
    ]:
        StatusChange.objects.create(
            assessment=assessment,
            from_status=before,
            to_status=after,
            actor=people.auditor if before != Status.DRAFT else people.assessor,
        )
    set_status(assessment, Status.RETURNED)


def _delete_url(assessment):
    return reverse("assessments:assessment-delete", args=[assessment.pk])


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_it_deletes_a_draft_with_its_rows_and_files(
    people, private_storage, django_capture_on_commit_callbacks
):
    document, report = _fill(people)
    evidence_file = private_storage / document.file_path
    report_file = private_storage / report.file_path
    assessment_id = people.assessment.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_delete(assessment=people.assessment, actor=people.admin)

    assert not Assessment.objects.filter(pk=assessment_id).exists()
    assert not Answer.objects.filter(assessment_id=assessment_id).exists()
    assert not Evidence.objects.filter(assessment_id=assessment_id).exists()
    assert not EvidenceLink.objects.filter(answer__assessment_id=assessment_id).exists()
    assert not AssessmentTarget.objects.filter(assessment_id=assessment_id).exists()
    assert not Report.objects.filter(assessment_id=assessment_id).exists()
    assert not evidence_file.exists()
    assert not report_file.exists()
    assert Assessment.objects.filter(pk=people.other.pk).exists()


def test_it_records_the_actor_in_the_history_of_deleted_rows(people):
    answer(people.assessment, "STR-1.1")
    assessment_id = people.assessment.pk

    services.assessment_delete(assessment=people.assessment, actor=people.admin)

    deleted = Assessment.history.filter(id=assessment_id, history_type="-").get()
    answers = Answer.history.filter(assessment_id=assessment_id, history_type="-")
    assert deleted.history_user == people.admin
    assert [row.history_user for row in answers] == [people.admin]


def test_it_keeps_the_files_when_the_deletion_rolls_back(
    people, private_storage, django_capture_on_commit_callbacks
):
    document, _report = _fill(people)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assessment_delete(assessment=people.assessment, actor=people.admin)

    assert callbacks
    assert (private_storage / document.file_path).exists()


def test_assessments_started_from_a_deleted_draft_stay(people):
    successor = AssessmentFactory(
        organisation=people.org_a,
        framework=people.assessment.framework,
        created_by=people.admin,
        previous=people.assessment,
    )

    services.assessment_delete(assessment=people.assessment, actor=people.admin)

    successor.refresh_from_db()
    assert successor.previous is None
    assert successor.status == Status.DRAFT
    cleared = successor.history.latest()
    assert cleared.history_user == people.admin
    assert cleared.prev_record.previous_id == people.assessment.pk
    assert cleared.previous_id is None
    assert cleared.history_change_reason == history.PREVIOUS_DELETED


def test_the_history_of_a_successor_says_its_draft_was_deleted(people, login):
    successor = AssessmentFactory(
        organisation=people.org_a,
        framework=people.assessment.framework,
        created_by=people.admin,
        previous=people.assessment,
    )
    services.assessment_delete(assessment=people.assessment, actor=people.admin)

    body = (
        login(people.admin)
        .get(
            reverse("assessments:assessment-history", args=[successor.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    assert "The draft this assessment was started from was deleted" in body
    assert "Saved the settings" not in body


def test_deleting_a_draft_started_from_another_keeps_the_others_files(
    people, private_storage, django_capture_on_commit_callbacks
):
    earlier, _report = _fill(people)
    set_status(people.assessment, Status.FINALISED)
    draft = services.assessment_start_from(
        previous=people.assessment,
        title="下一年度",
        period_start=people.assessment.period_start,
        period_end=people.assessment.period_end,
        actor=people.admin,
    )
    carried = Evidence.objects.get(assessment=draft, title=earlier.title)
    assert carried.file_path != earlier.file_path

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_delete(assessment=draft, actor=people.admin)

    assert not (private_storage / carried.file_path).exists()
    assert (private_storage / earlier.file_path).read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    "prepare",
    [
        _returned,
        lambda people: set_status(people.assessment, Status.IN_REVIEW),
        lambda people: set_status(people.assessment, Status.SUBMITTED),
    ],
    ids=["returned", "in review", "submitted"],
)
def test_it_refuses_an_assessment_that_went_to_the_auditor(people, prepare):
    prepare(people)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.assessment_delete(assessment=people.assessment, actor=people.admin)

    assert "only a draft that never went to the auditor" in refused.value.messages[0]
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()


def test_it_refuses_a_draft_that_went_to_the_auditor_before(people):
    StatusChange.objects.create(
        assessment=people.assessment,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        actor=people.assessor,
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.assessment_delete(assessment=people.assessment, actor=people.admin)

    assert "went to the auditor before" in refused.value.messages[0]
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()


def test_the_page_deletes_and_goes_to_the_organisation(people, login):
    client = login(people.admin)

    response = client.post(
        _delete_url(people.assessment), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain[-1][0] == people.org_a.get_absolute_url()
    assert "The draft “2025 年度评估” was deleted." in response.content.decode()
    assert not Assessment.objects.filter(pk=people.assessment.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("assessor", 403), ("viewer", 403), ("auditor", 403), ("outsider", 404)],
)
def test_the_page_refuses_other_roles(people, login, persona, status):
    response = login(getattr(people, persona)).post(_delete_url(people.assessment))

    assert response.status_code == status
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()


def test_the_page_hides_a_draft_from_an_auditor_not_granted_it(people, login):
    response = login(people.auditor).post(_delete_url(people.other))

    assert response.status_code == 404
    assert Assessment.objects.filter(pk=people.other.pk).exists()


def test_the_page_shows_why_it_refuses(people, login):
    _returned(people)
    client = login(people.admin)

    response = client.post(
        _delete_url(people.assessment), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain[-1][0] == people.assessment.get_absolute_url()
    assert "only a draft that never went to the auditor" in response.content.decode()
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()


@pytest.mark.parametrize(
    ("persona", "prepare", "shown"),
    [
        ("admin", lambda people: None, True),
        ("assessor", lambda people: None, False),
        ("viewer", lambda people: None, False),
        ("auditor", lambda people: None, False),
        ("admin", _returned, False),
        (
            "admin",
            lambda people: set_status(people.assessment, Status.IN_REVIEW),
            False,
        ),
    ],
    ids=["admin", "assessor", "viewer", "auditor", "returned", "in review"],
)
def test_the_overview_offers_deletion_only_when_allowed(
    people, login, persona, prepare, shown
):
    prepare(people)
    client = login(getattr(people, persona))

    response = client.get(people.assessment.get_absolute_url())

    assert response.status_code == 200
    assert (_delete_url(people.assessment) in response.content.decode()) is shown


def test_the_api_deletes_a_draft(people):
    response = _api(people.admin).delete(f"/api/v1/assessments/{people.assessment.pk}/")

    assert response.status_code == 204
    assert not Assessment.objects.filter(pk=people.assessment.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("assessor", 403), ("viewer", 403), ("auditor", 403), ("outsider", 404)],
)
def test_the_api_refuses_other_roles(people, persona, status):
    client = _api(getattr(people, persona))

    response = client.delete(f"/api/v1/assessments/{people.assessment.pk}/")

    assert response.status_code == status
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()


def test_the_api_says_why_it_refuses(people):
    _returned(people)
    client = _api(people.admin)

    response = client.delete(
        f"/api/v1/assessments/{people.assessment.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "only a draft that never went to the auditor" in response.content.decode()
    assert Assessment.objects.filter(pk=people.assessment.pk).exists()
