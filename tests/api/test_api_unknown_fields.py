"""Every endpoint that writes refuses, by name, the fields it does not take.

Each case sends a body the endpoint takes, with one field more. The answer
must be 400 ``unexpected_field`` naming that field alone, so the rest of
the body was fine, and nothing may have changed: the link awaits
reconfirmation, the viewer and the auditor are locked out, the report has
failed, the workbook and the assessment file are real ones, so that each
request but the workbook's preview would have changed something had it
gone through.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from rest_framework.test import APIClient

from assessments.api.models import PersonalToken
from assessments.interchange import excel, json_io, selectors
from assessments.models import Answer, Status
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    EvidenceFactory,
    FindingFactory,
    UserFactory,
    answer,
    fingerprint,
    set_status,
)
from tests.interchange.interchange_helpers import content_of, fill


@dataclass
class Case:
    name: str
    persona: str
    method: str
    url: Callable
    # The fields the endpoint takes, as its refusal lists them; None for none.
    fields: str | None
    data: Callable = field(default=lambda objects: {})
    format: str = "json"
    status: Status = Status.DRAFT


def _filled_workbook(assessment) -> bytes:
    with translation.override("en"):
        content = excel.questionnaire_workbook(assessment)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    fill(workbook, "STR-1.2", "Satisfied", "Policy published.")
    return content_of(workbook)


def _objects(people):
    assessment = people.assessment
    answered = answer(assessment, "STR-1.1")
    link = answered.evidence_links.get()
    link.needs_reconfirmation = True
    link.save()
    for locked_out in (people.viewer, people.auditor):
        AccessAttempt.objects.create(
            username=locked_out.username,
            ip_address="127.0.0.1",
            user_agent="",
            http_accept="",
            path_info="/accounts/login/",
            get_data="",
            post_data="",
            attempt_time=timezone.now(),
            failures_since_start=settings.AXES_FAILURE_LIMIT,
        )
    workbook = _filled_workbook(assessment)
    rows = excel.read_questionnaire(upload("questionnaire.xlsx", workbook), assessment)
    return {
        "pk": assessment.pk,
        "workbook": workbook,
        "plan": selectors.questionnaire_plan(assessment, rows).digest,
        "export": json_io.dump(json_io.export_document(assessment)),
        "framework": assessment.framework_id,
        "answer": answered,
        "link": link,
        "spare": EvidenceFactory(assessment=assessment, created_by=people.assessor),
        "finding": FindingFactory(assessment=assessment, created_by=people.auditor),
        "grant": people.auditor.auditor_grants.get(),
        "membership": people.viewer.memberships.get(),
        "report": Report.objects.create(
            assessment=assessment,
            revision="r1",
            status=ReportStatus.FAILED,
            requested_by=people.viewer,
        ),
    }


def on(path):
    return lambda o: (
        f"/api/v1/assessments/{o['pk']}/{path(o) if callable(path) else path}"
    )


def member(path=""):
    return lambda o: f"/api/v1/organisations/org-a/members/{o['membership'].pk}/{path}"


def upload(name, content=PDF_BYTES):
    return SimpleUploadedFile(name, content, "application/octet-stream")


CASES = [
    Case(
        "create assessment",
        "assessor",
        "post",
        lambda o: "/api/v1/assessments/",
        "organisation, framework, title, scope, period_start, period_end, targets",
        data=lambda o: {
            "organisation": "org-a",
            "framework": o["framework"],
            "title": "Next year",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    ),
    Case(
        "edit assessment",
        "assessor",
        "patch",
        on(""),
        "title, scope, period_start, period_end, targets",
        data=lambda o: {"title": "Renamed"},
    ),
    Case(
        "start from",
        "admin",
        "post",
        on("start-from/"),
        "title, scope, period_start, period_end",
        data=lambda o: {
            "title": "Next year",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    ),
    Case(
        "transition",
        "auditor",
        "post",
        on("transitions/start_review/"),
        "reason",
        status=Status.SUBMITTED,
    ),
    Case(
        "save answer",
        "assessor",
        "put",
        on("answers/STR-1.2/"),
        "status, justification, version",
        data=lambda o: {"status": "partial", "justification": "x", "version": 0},
    ),
    Case(
        "change answer",
        "assessor",
        "patch",
        on("answers/STR-1.1/"),
        "status, justification, version",
        data=lambda o: {"status": "not_satisfied", "version": o["answer"].version},
    ),
    Case(
        "add note",
        "assessor",
        "post",
        on("evidence/"),
        "kind, title, description, effective_from, file, url, note, requirement",
        data=lambda o: {"kind": "note", "title": "Minutes", "note": "Agreed."},
    ),
    Case(
        "upload file",
        "assessor",
        "post",
        on("evidence/"),
        "kind, title, description, effective_from, file, url, note, requirement",
        data=lambda o: {"kind": "file", "file": upload("policy.pdf")},
        format="multipart",
    ),
    Case(
        "attach evidence",
        "assessor",
        "post",
        on("links/"),
        "evidence, requirement",
        data=lambda o: {"evidence": o["spare"].pk, "requirement": "STR-1.2"},
    ),
    Case(
        "reconfirm evidence",
        "assessor",
        "post",
        on(lambda o: f"links/{o['link'].pk}/reconfirm/"),
        None,
    ),
    Case(
        "record verdict",
        "auditor",
        "post",
        on("reviews/"),
        "requirement, verdict, comment, answer_version",
        data=lambda o: {"requirement": "STR-1.1", "verdict": "accepted"},
        status=Status.IN_REVIEW,
    ),
    Case(
        "accept page",
        "auditor",
        "post",
        on("reviews/accept-page/"),
        "page, seen",
        data=lambda o: {"page": "STR", "seen": {"STR-1.1": o["answer"].version}},
        status=Status.IN_REVIEW,
    ),
    Case(
        "comment",
        "assessor",
        "post",
        on("comments/"),
        "requirement, evidence, text",
        data=lambda o: {"requirement": "STR-1.1", "text": "Which board?"},
    ),
    Case(
        "record finding",
        "auditor",
        "post",
        on("findings/"),
        "requirement, kind, severity, title, description",
        data=lambda o: {"kind": "observation", "severity": "low", "title": "Unsigned"},
        status=Status.IN_REVIEW,
    ),
    Case(
        "change finding",
        "auditor",
        "patch",
        on(lambda o: f"findings/{o['finding'].pk}/"),
        "requirement, kind, severity, title, description",
        data=lambda o: {"title": "Minutes unsigned"},
        status=Status.IN_REVIEW,
    ),
    Case(
        "grant auditor",
        "admin",
        "post",
        on("auditors/"),
        "identifier, expires_on",
        data=lambda o: {"identifier": "newcomer"},
    ),
    Case(
        "revoke auditor",
        "admin",
        "post",
        on(lambda o: f"auditors/{o['grant'].pk}/revoke/"),
        None,
    ),
    Case(
        "unlock auditor",
        "admin",
        "post",
        on(lambda o: f"auditors/{o['grant'].pk}/unlock/"),
        None,
    ),
    Case(
        "ask for a report",
        "viewer",
        "post",
        on("reports/"),
        None,
    ),
    Case(
        "retry a report",
        "viewer",
        "post",
        on(lambda o: f"reports/{o['report'].pk}/retry/"),
        None,
    ),
    Case(
        "preview workbook",
        "assessor",
        "post",
        on("questionnaire/preview/"),
        "file",
        data=lambda o: {"file": upload("questionnaire.xlsx", o["workbook"])},
        format="multipart",
    ),
    Case(
        "apply workbook",
        "assessor",
        "post",
        on("questionnaire/apply/"),
        "file, plan",
        data=lambda o: {
            "file": upload("questionnaire.xlsx", o["workbook"]),
            "plan": o["plan"],
        },
        format="multipart",
    ),
    Case(
        "import",
        "admin",
        "post",
        lambda o: "/api/v1/organisations/org-a/import/",
        "file, with_reviews",
        data=lambda o: {"file": upload("assessment.json", o["export"])},
        format="multipart",
    ),
    Case(
        "add member",
        "admin",
        "post",
        lambda o: "/api/v1/organisations/org-a/members/",
        "identifier, role",
        data=lambda o: {"identifier": "newcomer", "role": "viewer"},
    ),
    Case(
        "change role",
        "admin",
        "patch",
        member(),
        "role",
        data=lambda o: {"role": "assessor"},
    ),
    Case("unlock member", "admin", "post", member("unlock/"), None),
    Case(
        "create token",
        "viewer",
        "post",
        lambda o: "/api/v1/tokens/",
        "name, expires_on",
        data=lambda o: {"name": "CI export"},
    ),
]


def _state(private_storage):
    return {
        **fingerprint(),
        "tokens": PersonalToken.objects.count(),
        "reports": sorted(Report.objects.values_list("pk", "status")),
        "login failures": AccessAttempt.objects.count(),
        "files": sorted(p for p in private_storage.rglob("*") if p.is_file()),
    }


def _refusal(name, fields):
    if fields is None:
        return (
            f"“{name}” is not a field of this request, which takes none. "
            "Send an empty body or {}."
        )
    return f"“{name}” is not a field of this request. Send only {fields}."


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_field_the_request_does_not_take_is_refused_by_name(
    people, api, private_storage, case
):
    UserFactory(username="newcomer")
    objects = _objects(people)
    set_status(people.assessment, case.status)
    before = _state(private_storage)

    response = getattr(api(getattr(people, case.persona)), case.method)(
        case.url(objects),
        {**case.data(objects), "bogus": 1},
        format=case.format,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "unexpected_field"
    assert response.json()["errors"] == {"bogus": [_refusal("bogus", case.fields)]}
    assert _state(private_storage) == before


def test_fields_an_answer_only_shows_are_refused_as_unchangeable(people, api):
    stored = answer(people.assessment, "STR-1.1", justification="Board minutes")

    response = api(people.assessor).patch(
        f"/api/v1/assessments/{people.assessment.pk}/answers/STR-1.1/",
        {
            "status": "not_satisfied",
            "version": stored.version,
            "evidence_links": [],
            "review": None,
            "updated_by": "someone",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        name: [f"“{name}” cannot be changed. Send only status, justification, version."]
        for name in ("evidence_links", "review", "updated_by")
    }
    assert Answer.objects.values_list("status", "version").get(pk=stored.pk) == (
        "satisfied",
        stored.version,
    )


def test_fields_a_membership_only_shows_are_refused_as_unchangeable(people, api):
    membership = people.viewer.memberships.get()

    response = api(people.admin).patch(
        f"/api/v1/organisations/org-a/members/{membership.pk}/",
        {"role": "assessor", "username": "boss"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "username": ["“username” cannot be changed. Send only role."]
    }
    membership.refresh_from_db()
    assert membership.role == "viewer"


def _csrf_client(user, rf):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    request = rf.get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return client, token


def test_a_form_upload_may_carry_the_csrf_token_as_a_field(people, rf):
    client, token = _csrf_client(people.assessor, rf)

    response = client.post(
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        {"kind": "file", "file": upload("a.pdf"), "csrfmiddlewaretoken": token},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert people.assessment.evidence.count() == 1


def test_a_json_body_may_not_carry_the_csrf_token(people, rf):
    client, token = _csrf_client(people.assessor, rf)

    response = client.post(
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        {"kind": "note", "note": "Agreed.", "csrfmiddlewaretoken": token},
        format="json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["csrfmiddlewaretoken"]
    assert not people.assessment.evidence.exists()
