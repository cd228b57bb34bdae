"""A filled-in questionnaire workbook through the API: preview, then apply."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Answer, Status
from assessments.selectors.submission import PROBLEM_MESSAGES
from tests.assessments.assessment_factories import (
    answer,
    fingerprint,
    requirement,
    set_status,
)
from tests.interchange.interchange_helpers import XLSX, content_of, fill


@pytest.fixture
def started(people):
    """Answer two requirements of the first assessment of organisation A."""
    answer(people.assessment, "STR-1.1", justification="制度已发布。")
    answer(people.assessment, "STR-1.2", "partial", evidence=False)
    return people.assessment


def _url(assessment, step):
    return f"/api/v1/assessments/{assessment.pk}/questionnaire/{step}/"


def _workbook(client, assessment):
    response = client.get(
        f"/api/v1/assessments/{assessment.pk}/export/xlsx/",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _send(client, assessment, step, content, **fields):
    return client.post(
        _url(assessment, step),
        {"file": SimpleUploadedFile("questionnaire.xlsx", content, XLSX), **fields},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _stored(assessment, code):
    return Answer.objects.get(assessment=assessment, requirement__code=code)


def _filled(client, assessment) -> bytes:
    workbook = _workbook(client, assessment)
    fill(workbook, "STR-1.1", "Partially satisfied", "仅部分部门执行")
    fill(workbook, "STR-2.1", "Not applicable", "无此业务")
    fill(workbook, "LC-S1-1.1", "Satisfied")
    return content_of(workbook)


def test_the_preview_lists_the_plan_and_saves_nothing(started, people, api):
    client = api(people.assessor)
    content = _filled(client, started)
    before = fingerprint()

    response = _send(client, started, "preview", content)

    body = response.json()
    assert response.status_code == 200
    assert len(body["plan"]) == 64
    assert [change["requirement"] for change in body["new"]] == [
        "STR-2.1",
        "LC-S1-1.1",
    ]
    [changed] = body["changed"]
    assert (changed["requirement"], changed["status"], changed["justification"]) == (
        "STR-1.1",
        "partial",
        "仅部分部门执行",
    )
    assert (changed["current_status"], changed["current_justification"]) == (
        "satisfied",
        "制度已发布。",
    )
    assert (changed["base_version"], changed["current_version"]) == (1, 1)
    assert (body["conflicts"], body["unchanged"]) == ([], 17)
    assert fingerprint() == before


def test_the_preview_names_what_would_keep_submission_back(started, people, api):
    client = api(people.assessor)
    workbook = _workbook(client, started)
    fill(workbook, "STR-1.1", "Not applicable", "")
    fill(workbook, "STR-2.1", "Satisfied")
    fill(workbook, "STR-2.2", "Not applicable", "无此业务")

    body = _send(client, started, "preview", content_of(workbook)).json()

    problems = {
        change["requirement"]: change["problem"]
        for change in body["new"] + body["changed"]
    }
    assert problems == {
        "STR-1.1": {
            "kind": "no_justification",
            "message": str(PROBLEM_MESSAGES["no_justification"]),
        },
        "STR-2.1": {
            "kind": "no_evidence",
            "message": str(PROBLEM_MESSAGES["no_evidence"]),
        },
        "STR-2.2": None,
    }


def test_the_preview_lists_the_requirements_absent_from_the_workbook(
    started, people, api
):
    client = api(people.assessor)
    workbook = _workbook(client, started)
    sheet = workbook.worksheets[0]
    for code in ("LC-S1-1.1", "STR-2.1"):
        row = next(
            cell.row for (cell,) in sheet.iter_rows(max_col=1) if cell.value == code
        )
        sheet.delete_rows(row)

    body = _send(client, started, "preview", content_of(workbook)).json()

    assert body["absent"] == ["STR-2.1", "LC-S1-1.1"]
    assert body["unchanged"] == 18


def test_a_complete_workbook_has_no_absent_requirement(started, people, api):
    client = api(people.assessor)
    content = content_of(_workbook(client, started))

    body = _send(client, started, "preview", content).json()

    assert (body["absent"], body["unchanged"]) == ([], 20)


def test_applying_the_preview_saves_the_new_and_changed_answers(started, people, api):
    client = api(people.assessor)
    content = _filled(client, started)
    plan = _send(client, started, "preview", content).json()["plan"]

    response = _send(client, started, "apply", content, plan=plan)

    body = response.json()
    assert response.status_code == 200
    assert (body["saved"], body["plan"]) == (3, plan)
    changed = _stored(started, "STR-1.1")
    assert (changed.status, changed.justification, changed.version) == (
        "partial",
        "仅部分部门执行",
        2,
    )
    assert changed.updated_by == people.assessor
    assert _stored(started, "STR-2.1").status == "not_applicable"
    assert _stored(started, "LC-S1-1.1").status == "satisfied"


def test_answers_saved_since_the_download_are_left_as_conflicts(started, people, api):
    client = api(people.assessor)
    workbook = _workbook(client, started)
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.1"),
        status="not_satisfied",
        justification="审计发现问题",
        base_version=1,
        actor=people.admin,
    )
    fill(workbook, "STR-1.1", "Satisfied", "制度已发布并执行。")
    fill(workbook, "STR-2.1", "Satisfied")
    content = content_of(workbook)

    preview = _send(client, started, "preview", content).json()
    applied = _send(client, started, "apply", content, plan=preview["plan"]).json()

    [conflict] = preview["conflicts"]
    assert (conflict["requirement"], conflict["current_version"]) == ("STR-1.1", 2)
    assert conflict["current_justification"] == "审计发现问题"
    assert applied["saved"] == 1
    assert [change["requirement"] for change in applied["conflicts"]] == ["STR-1.1"]
    kept = _stored(started, "STR-1.1")
    assert (kept.status, kept.version) == ("not_satisfied", 2)
    assert _stored(started, "STR-2.1").status == "satisfied"


def test_a_change_after_the_preview_saves_nothing_and_shows_the_new_plan(
    started, people, api
):
    client = api(people.assessor)
    workbook = _workbook(client, started)
    fill(workbook, "STR-1.1", "Not satisfied")
    fill(workbook, "STR-2.1", "Satisfied")
    content = content_of(workbook)
    plan = _send(client, started, "preview", content).json()["plan"]
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.1"),
        status="partial",
        justification="刚刚修改",
        base_version=1,
        actor=people.admin,
    )
    before = fingerprint()

    response = _send(client, started, "apply", content, plan=plan)

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "outdated"
    assert "either the answers changed since the preview" in body["message"]
    assert body["current"]["plan"] != plan
    assert [c["requirement"] for c in body["current"]["conflicts"]] == ["STR-1.1"]
    assert fingerprint() == before


def test_another_workbook_than_the_one_previewed_saves_nothing(started, people, api):
    client = api(people.assessor)
    content = _filled(client, started)
    plan = _send(client, started, "preview", content).json()["plan"]
    workbook = _workbook(client, started)
    fill(workbook, "STR-2.2", "Satisfied")
    before = fingerprint()

    response = _send(client, started, "apply", content_of(workbook), plan=plan)

    assert response.status_code == 409
    assert fingerprint() == before


@pytest.mark.parametrize("plan", [None, "0" * 63, "Z" * 64])
def test_applying_needs_the_plan_of_a_preview(started, people, api, plan):
    client = api(people.assessor)
    content = _filled(client, started)
    before = fingerprint()

    fields = {} if plan is None else {"plan": plan}
    response = _send(client, started, "apply", content, **fields)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["plan"]
    assert fingerprint() == before


def test_a_file_that_is_no_workbook_is_refused_naming_the_field(started, people, api):
    response = _send(api(people.assessor), started, "preview", b"%PDF-1.4 nothing")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "refused"
    assert list(body["errors"]) == ["file"]


def test_a_workbook_over_the_size_limit_is_stopped(started, people, api, settings):
    content = _filled(api(people.assessor), started)
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1000

    response = _send(api(people.assessor), started, "preview", content)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("step", ["preview", "apply"])
def test_a_submitted_assessment_takes_no_workbook(started, people, api, step):
    client = api(people.assessor)
    content = _filled(client, started)
    set_status(started, Status.SUBMITTED)
    before = fingerprint()

    response = _send(client, started, step, content, plan="0" * 64)

    assert response.status_code == 400
    assert response.json()["code"] == "locked"
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("auditor", 403), ("expired", 404), ("outsider", 404)],
)
@pytest.mark.parametrize("step", ["preview", "apply"])
def test_only_those_who_answer_send_a_workbook(
    started, people, api, persona, status, step
):
    content = _filled(api(people.assessor), started)
    before = fingerprint()

    response = _send(
        api(getattr(people, persona)), started, step, content, plan="0" * 64
    )

    assert response.status_code == status
    assert fingerprint() == before


def test_a_workbook_must_be_sent_as_multipart(started, people, api):
    response = api(people.assessor).post(
        _url(started, "preview"), {"file": "STR-1.1"}, format="json"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
