"""Role × action × scope: every view of the app, for every persona.

Guessing the address of something not granted is a 404; a forbidden action
on something visible is a 403; neither changes anything in the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.interchange import json_io
from assessments.models import Assessment, Status
from assessments.permissions import Action, can
from tests.assessments.assessment_factories import (
    EvidenceFactory,
    FindingFactory,
    answer,
    file_evidence,
    fingerprint,
)

PERSONAS = ("admin", "assessor", "viewer", "auditor", "expired", "outsider")


@dataclass
class Case:
    name: str
    method: str
    url: Callable
    expected: dict
    data: Callable = field(default=lambda objects: {})
    prepare: Callable = field(default=lambda people: None)
    # Whether an allowed request must change the database.
    changes: bool = False


def _objects(people):
    assessment = people.assessment
    linked = answer(assessment, "STR-1.1")
    link = linked.evidence_links.get()
    link.needs_reconfirmation = True
    link.save()
    spare = EvidenceFactory(assessment=assessment, created_by=people.assessor)
    document = file_evidence(assessment, people.assessor)
    return {
        "pk": assessment.pk,
        "link": link,
        "spare": spare,
        "document": document,
        "viewer_membership": people.viewer.memberships.get(),
        "grant": people.auditor.auditor_grants.get(),
        "finding": FindingFactory(assessment=assessment, created_by=people.auditor),
    }


def _submitted(people):
    people.assessment.status = Status.SUBMITTED
    people.assessment.save()


def _in_review(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()


READ_ALL = {
    "admin": 200,
    "assessor": 200,
    "viewer": 200,
    "auditor": 200,
    "expired": 404,
    "outsider": 404,
}
WRITE = {
    "admin": 302,
    "assessor": 302,
    "viewer": 403,
    "auditor": 403,
    "expired": 404,
    "outsider": 404,
}
ORG_READ = {**READ_ALL, "auditor": 404}
ADMIN_ONLY = {
    "admin": 200,
    "assessor": 403,
    "viewer": 403,
    "auditor": 403,
    "expired": 404,
    "outsider": 404,
}
AUDITOR_ONLY = {
    "admin": 403,
    "assessor": 403,
    "viewer": 403,
    "auditor": 302,
    "expired": 404,
    "outsider": 404,
}
HISTORY = {**ADMIN_ONLY, "auditor": 200}
ORG_ADMIN_POST = {
    "admin": 302,
    "assessor": 403,
    "viewer": 403,
    "auditor": 404,
    "expired": 404,
    "outsider": 404,
}


def url(name, *args, namespace="assessments"):
    return lambda o: reverse(f"{namespace}:{name}", args=[a(o) for a in args])


def pk(o):
    return o["pk"]


def _assessment_file(o):
    document = json_io.export_document(Assessment.objects.get(pk=o["pk"]))
    content = json_io.dump(document)
    return {"file": SimpleUploadedFile("assessment.json", content, "application/json")}


CASES = [
    Case("overview", "get", url("assessment-detail", pk), READ_ALL),
    Case("dashboard", "get", url("assessment-dashboard", pk), READ_ALL),
    Case("findings", "get", url("finding-list", pk), READ_ALL),
    Case("history", "get", url("assessment-history", pk), HISTORY),
    Case(
        "organisation history",
        "get",
        url("organisation-history", lambda o: "org-a"),
        {**ADMIN_ONLY, "auditor": 404},
    ),
    Case(
        "edit finding page",
        "get",
        url("finding-update", pk, lambda o: o["finding"].pk),
        {**AUDITOR_ONLY, "auditor": 200},
        prepare=_in_review,
    ),
    Case(
        "record verdict",
        "post",
        url("review-record", pk, lambda o: "STR-1.1"),
        AUDITOR_ONLY,
        data=lambda o: {"verdict": "rejected", "comment": "Unsigned."},
        prepare=_in_review,
        changes=True,
    ),
    Case(
        "comment",
        "post",
        url("comment-add", pk, lambda o: "STR-1.1"),
        {**WRITE, "auditor": 302},
        data=lambda o: {"subject": "answer", "text": "Please add the minutes."},
        prepare=_in_review,
        changes=True,
    ),
    Case(
        "record finding",
        "post",
        url("finding-list", pk),
        AUDITOR_ONLY,
        data=lambda o: {"kind": "observation", "severity": "low", "title": "Gap"},
        prepare=_in_review,
        changes=True,
    ),
    Case(
        "edit finding",
        "post",
        url("finding-update", pk, lambda o: o["finding"].pk),
        AUDITOR_ONLY,
        data=lambda o: {"kind": "observation", "severity": "high", "title": "Gap"},
        prepare=_in_review,
        changes=True,
    ),
    Case(
        "delete finding",
        "post",
        url("finding-delete", pk, lambda o: o["finding"].pk),
        AUDITOR_ONLY,
        prepare=_in_review,
        changes=True,
    ),
    Case(
        "questionnaire",
        "get",
        url("questionnaire", pk, lambda o: "STR"),
        READ_ALL,
    ),
    Case("evidence list", "get", url("evidence-list", pk), READ_ALL),
    Case(
        "download",
        "get",
        url("evidence-download", pk, lambda o: o["document"].pk),
        READ_ALL,
    ),
    Case(
        "edit page",
        "get",
        url("assessment-update", pk),
        {**ADMIN_ONLY, "assessor": 200},
    ),
    Case("auditors page", "get", url("auditor-list", pk), ADMIN_ONLY),
    Case(
        "organisation", "get", url("organisation-detail", lambda o: "org-a"), ORG_READ
    ),
    Case(
        "members page",
        "get",
        url("member-list", lambda o: "org-a"),
        {**ADMIN_ONLY, "auditor": 404},
    ),
    Case(
        "new assessment page",
        "get",
        url("assessment-create", lambda o: "org-a"),
        {**ADMIN_ONLY, "assessor": 200, "auditor": 404},
    ),
    Case(
        "save answer",
        "post",
        url("answer-update", pk, lambda o: "STR-1.2"),
        WRITE,
        data=lambda o: {"status": "partial", "justification": "x", "version": 0},
        changes=True,
    ),
    Case(
        "edit",
        "post",
        url("assessment-update", pk),
        WRITE,
        data=lambda o: {
            "title": "Renamed",
            "scope": "",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "target_STR": 4,
            "target_LC": 3,
        },
        changes=True,
    ),
    Case(
        "add evidence note",
        "post",
        url("evidence-add", pk, lambda o: "STR-1.2"),
        WRITE,
        data=lambda o: {"kind": "note", "title": "Minutes", "note": "Agreed."},
        changes=True,
    ),
    Case(
        "attach existing evidence",
        "post",
        url("evidence-attach", pk, lambda o: "STR-1.2"),
        WRITE,
        data=lambda o: {"evidence": o["spare"].pk},
        changes=True,
    ),
    Case(
        "detach evidence",
        "post",
        url("evidence-detach", pk, lambda o: o["link"].pk),
        WRITE,
        changes=True,
    ),
    Case(
        "reconfirm evidence",
        "post",
        url("evidence-reconfirm", pk, lambda o: o["link"].pk),
        WRITE,
        changes=True,
    ),
    Case(
        "delete evidence",
        "post",
        url("evidence-delete", pk, lambda o: o["spare"].pk),
        WRITE,
        changes=True,
    ),
    Case(
        "submit",
        "post",
        url("assessment-transition", pk, lambda o: "submit"),
        WRITE,
    ),
    Case(
        "start review",
        "post",
        url("assessment-transition", pk, lambda o: "start_review"),
        {**WRITE, "admin": 403, "assessor": 403, "auditor": 302},
        prepare=_submitted,
        changes=True,
    ),
    Case(
        "delete draft",
        "post",
        url("assessment-delete", pk),
        {**WRITE, "assessor": 403},
        changes=True,
    ),
    Case(
        "grant auditor",
        "post",
        url("auditor-list", pk),
        {**WRITE, "assessor": 403},
        data=lambda o: {"identifier": "newcomer"},
        changes=True,
    ),
    Case(
        "revoke auditor",
        "post",
        url("auditor-revoke", pk, lambda o: o["grant"].pk),
        {**WRITE, "assessor": 403},
        changes=True,
    ),
    Case(
        "add member",
        "post",
        url("member-add", lambda o: "org-a"),
        ORG_ADMIN_POST,
        data=lambda o: {"add-identifier": "newcomer", "add-role": "viewer"},
        changes=True,
    ),
    Case(
        "create member",
        "post",
        url("member-create", lambda o: "org-a"),
        ORG_ADMIN_POST,
        data=lambda o: {
            "create-username": "fresh",
            "create-password": "a-long-unusual-passphrase-42",
            "create-role": "assessor",
        },
        changes=True,
    ),
    Case(
        "change role",
        "post",
        url("member-role", lambda o: "org-a", lambda o: o["viewer_membership"].pk),
        ORG_ADMIN_POST,
        data=lambda o: {"role": "assessor"},
        changes=True,
    ),
    Case(
        "remove member",
        "post",
        url("member-remove", lambda o: "org-a", lambda o: o["viewer_membership"].pk),
        ORG_ADMIN_POST,
        changes=True,
    ),
    Case(
        "import page",
        "get",
        url("assessment-import", lambda o: "org-a", namespace="interchange"),
        {**ADMIN_ONLY, "auditor": 404},
    ),
    Case(
        "import",
        "post",
        url("assessment-import", lambda o: "org-a", namespace="interchange"),
        ORG_ADMIN_POST,
        data=_assessment_file,
        changes=True,
    ),
    Case(
        "new assessment",
        "post",
        url("assessment-create", lambda o: "org-a"),
        {**ORG_ADMIN_POST, "assessor": 302},
        data=lambda o: {
            "title": "Next year",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "framework": o["framework"],
        },
        changes=True,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_it_decides_access(people, login, case, persona):
    from tests.assessments.assessment_factories import UserFactory

    UserFactory(username="newcomer")
    objects = _objects(people)
    objects["framework"] = people.assessment.framework_id
    case.prepare(people)
    client = login(getattr(people, persona))
    before = fingerprint()

    response = getattr(client, case.method)(case.url(objects), case.data(objects))

    assert response.status_code == case.expected[persona]
    if response.status_code in {403, 404}:
        assert fingerprint() == before
    elif case.changes:
        assert fingerprint() != before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_may_import_into_their_organisation(people, persona):
    user = getattr(people, persona)

    allowed = can(user, Action.IMPORT_ASSESSMENT, people.org_a)

    assert allowed is (persona == "admin")


@pytest.mark.parametrize("persona", ["auditor", "outsider", "viewer"])
def test_it_hides_assessments_not_granted(people, login, persona):
    """A grant opens one assessment; another organisation's stays hidden.

    The last address pairs a visible assessment with evidence of another.
    """
    client = login(getattr(people, persona))
    other = people.assessment_b if persona == "viewer" else people.other
    document = file_evidence(other, other.created_by)

    pages = [
        reverse("assessments:assessment-detail", args=[other.pk]),
        reverse("assessments:questionnaire", args=[other.pk, "STR"]),
        reverse("assessments:evidence-download", args=[other.pk, document.pk]),
        reverse(
            "assessments:evidence-download", args=[people.assessment.pk, document.pk]
        ),
    ]

    assert [client.get(page).status_code for page in pages] == [404] * 4


def test_it_sends_anonymous_visitors_to_log_in(people, client):
    response = client.get(
        reverse("assessments:assessment-detail", args=[people.assessment.pk])
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_visible_assessments_on_home(people, login):
    client = login(people.auditor)

    body = client.get(reverse("home")).content.decode()

    assert people.assessment.title in body
    assert people.other.title not in body
    assert people.org_a.name in body  # as the organisation of the granted one
    assert reverse("assessments:organisation-detail", args=["org-a"]) not in body


def test_it_ends_access_on_revoking(people, login):
    grant = people.auditor.auditor_grants.get()
    grant.revoked_at = timezone.now()
    grant.save()
    client = login(people.auditor)

    response = client.get(
        reverse("assessments:assessment-detail", args=[people.assessment.pk])
    )

    assert response.status_code == 404
