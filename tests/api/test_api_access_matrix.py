"""Role × action × scope through the API, for every persona.

The rules are those of the pages: an assessment or organisation the caller
cannot see is a 404, a forbidden action on a visible one a 403, and neither
changes anything in the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.api.models import PersonalToken
from assessments.models import Comment, Finding, Review, Status
from tests.assessments.assessment_factories import (
    EvidenceFactory,
    UserFactory,
    answer,
    file_evidence,
    fingerprint,
)

PERSONAS = ("admin", "assessor", "viewer", "auditor", "expired", "outsider")


def _expect(admin, assessor, viewer, auditor, expired=404, outsider=404):
    statuses = (admin, assessor, viewer, auditor, expired, outsider)
    return dict(zip(PERSONAS, statuses, strict=True))


READ_ALL = _expect(200, 200, 200, 200)
WRITE = _expect(200, 200, 403, 403)
CREATE = _expect(201, 201, 403, 403)
DELETE = _expect(204, 204, 403, 403)
ADMIN_ONLY = _expect(200, 403, 403, 403)
AUDITOR_ONLY = _expect(403, 403, 403, 200)
ORG_READ = _expect(200, 200, 200, 404)
ORG_ADMIN = _expect(200, 403, 403, 404)


@dataclass
class Case:
    name: str
    method: str
    url: Callable
    expected: dict
    data: Callable = field(default=lambda objects: None)
    prepare: Callable = field(default=lambda people: None)


def _objects(people):
    assessment = people.assessment
    linked = answer(assessment, "STR-1.1")
    link = linked.evidence_links.get()
    link.needs_reconfirmation = True
    link.save()
    spare = EvidenceFactory(assessment=assessment, created_by=people.assessor)
    return {
        "pk": assessment.pk,
        "link": link,
        "spare": spare,
        "document": file_evidence(assessment, people.assessor),
        "framework": assessment.framework_id,
        "viewer_membership": people.viewer.memberships.get(),
    }


def _in_review(people):
    people.assessment.status = Status.IN_REVIEW
    people.assessment.save()


def _viewer_locked_out(people):
    AccessAttempt.objects.create(
        username=people.viewer.username,
        ip_address="127.0.0.1",
        user_agent="",
        http_accept="",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        attempt_time=timezone.now(),
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )


def _submitted(people):
    people.assessment.status = Status.SUBMITTED
    people.assessment.save()


def on(path):
    return lambda o: (
        f"/api/v1/assessments/{o['pk']}/{path(o) if callable(path) else path}"
    )


def org(path=""):
    return lambda o: f"/api/v1/organisations/org-a/{path}"


CASES = [
    Case("assessment", "get", on(""), READ_ALL),
    Case("answers", "get", on("answers/"), READ_ALL),
    Case("answer", "get", on("answers/STR-1.1/"), READ_ALL),
    Case("evidence list", "get", on("evidence/"), READ_ALL),
    Case("evidence item", "get", on(lambda o: f"evidence/{o['spare'].pk}/"), READ_ALL),
    Case(
        "download",
        "get",
        on(lambda o: f"evidence/{o['document'].pk}/download/"),
        READ_ALL,
    ),
    Case("links", "get", on("links/"), READ_ALL),
    Case("score", "get", on("score/"), READ_ALL),
    Case("transitions", "get", on("transitions/"), READ_ALL),
    Case("status changes", "get", on("status-changes/"), READ_ALL),
    Case("reviews", "get", on("reviews/"), READ_ALL),
    Case("comments", "get", on("comments/"), READ_ALL),
    Case("findings", "get", on("findings/"), READ_ALL),
    Case("history", "get", on("history/"), _expect(200, 403, 403, 200)),
    Case("auditors", "get", on("auditors/"), ADMIN_ONLY),
    Case("export json", "get", on("export/json/"), READ_ALL),
    Case("export zip", "get", on("export/zip/"), READ_ALL),
    Case("export csv", "get", on("export/csv/"), READ_ALL),
    Case("export workbook", "get", on("export/xlsx/"), READ_ALL),
    Case(
        "save answer",
        "put",
        on("answers/STR-1.2/"),
        WRITE,
        data=lambda o: {"status": "partial", "justification": "x", "version": 0},
    ),
    Case(
        "change answer",
        "patch",
        on("answers/STR-1.1/"),
        WRITE,
        data=lambda o: {"justification": "Board minutes", "version": 1},
    ),
    Case(
        "edit assessment",
        "patch",
        on(""),
        WRITE,
        data=lambda o: {"title": "Renamed", "targets": {"STR": 4}},
    ),
    Case(
        "add note",
        "post",
        on("evidence/"),
        CREATE,
        data=lambda o: {"kind": "note", "title": "Minutes", "note": "Agreed."},
    ),
    Case(
        "attach evidence",
        "post",
        on("links/"),
        CREATE,
        data=lambda o: {"evidence": o["spare"].pk, "requirement": "STR-1.2"},
    ),
    Case("detach evidence", "delete", on(lambda o: f"links/{o['link'].pk}/"), DELETE),
    Case(
        "reconfirm evidence",
        "post",
        on(lambda o: f"links/{o['link'].pk}/reconfirm/"),
        WRITE,
    ),
    Case(
        "delete evidence", "delete", on(lambda o: f"evidence/{o['spare'].pk}/"), DELETE
    ),
    Case("delete draft", "delete", on(""), _expect(204, 403, 403, 403)),
    Case(
        "start from",
        "post",
        on("start-from/"),
        CREATE,
        data=lambda o: {
            "title": "Next year",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    ),
    # The draft lacks answers: those allowed to submit are told what to do.
    Case("submit", "post", on("transitions/submit/"), _expect(400, 400, 403, 403)),
    Case(
        "start review",
        "post",
        on("transitions/start_review/"),
        AUDITOR_ONLY,
        prepare=_submitted,
    ),
    Case(
        "record verdict",
        "post",
        on("reviews/"),
        AUDITOR_ONLY,
        data=lambda o: {"requirement": "STR-1.1", "verdict": "accepted"},
        prepare=_in_review,
    ),
    Case(
        "accept page",
        "post",
        on("reviews/accept-page/"),
        AUDITOR_ONLY,
        data=lambda o: {
            "page": "STR",
            "seen": {"STR-1.1": o["link"].answer.version},
        },
        prepare=_in_review,
    ),
    Case(
        "record finding",
        "post",
        on("findings/"),
        _expect(403, 403, 403, 201),
        data=lambda o: {
            "kind": "observation",
            "severity": "low",
            "title": "Minutes unsigned",
        },
        prepare=_in_review,
    ),
    Case(
        "comment",
        "post",
        on("comments/"),
        _expect(201, 201, 403, 201),
        data=lambda o: {"requirement": "STR-1.1", "text": "Which board?"},
    ),
    Case(
        "grant auditor",
        "post",
        on("auditors/"),
        _expect(201, 403, 403, 403),
        data=lambda o: {"identifier": "newcomer"},
    ),
    Case("organisation", "get", org(), ORG_READ),
    Case("members", "get", org("members/"), ORG_ADMIN),
    Case("members' tokens", "get", org("tokens/"), ORG_ADMIN),
    Case("membership history", "get", org("history/"), ORG_ADMIN),
    Case(
        "add member",
        "post",
        org("members/"),
        {**ORG_ADMIN, "admin": 201},
        data=lambda o: {"identifier": "newcomer", "role": "viewer"},
    ),
    Case(
        "change role",
        "patch",
        lambda o: f"/api/v1/organisations/org-a/members/{o['viewer_membership'].pk}/",
        ORG_ADMIN,
        data=lambda o: {"role": "assessor"},
    ),
    Case(
        "unlock member",
        "post",
        lambda o: (
            f"/api/v1/organisations/org-a/members/{o['viewer_membership'].pk}/unlock/"
        ),
        ORG_ADMIN,
        prepare=_viewer_locked_out,
    ),
    Case(
        "remove member",
        "delete",
        lambda o: f"/api/v1/organisations/org-a/members/{o['viewer_membership'].pk}/",
        {**ORG_ADMIN, "admin": 204},
    ),
    # A member of no organisation may create nowhere: refused before the
    # body is read. Another organisation's admin may create in their own, so
    # naming one they are not a member of is invalid input.
    Case(
        "create assessment",
        "post",
        lambda o: "/api/v1/assessments/",
        _expect(201, 201, 403, 403, expired=403, outsider=400),
        data=lambda o: {
            "organisation": "org-a",
            "framework": o["framework"],
            "title": "Next year",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    ),
]


def _state():
    """Return what the API can change, beyond the assessments' fingerprint."""
    return {
        **fingerprint(),
        "reviews": sorted(Review.objects.values_list("pk", "verdict")),
        "comments": Comment.objects.count(),
        "findings": Finding.objects.count(),
        "tokens": PersonalToken.objects.count(),
        "login failures": AccessAttempt.objects.count(),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_it_decides_access(people, api, case, persona):
    UserFactory(username="newcomer")
    objects = _objects(people)
    case.prepare(people)
    client = api(getattr(people, persona))
    before = _state()

    response = getattr(client, case.method)(
        case.url(objects), case.data(objects), format="json"
    )

    assert response.status_code == case.expected[persona], response.content
    if response.status_code >= 400:
        assert _state() == before
    elif case.method != "get":
        assert _state() != before


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("admin", ["other", "assessment"]),
        ("viewer", ["other", "assessment"]),
        ("auditor", ["assessment"]),
        ("expired", []),
        ("outsider", ["assessment_b"]),
    ],
)
def test_it_lists_only_visible_assessments(people, api, persona, visible):
    response = api(getattr(people, persona)).get("/api/v1/assessments/")

    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [getattr(people, name).pk for name in visible]


@pytest.mark.parametrize(
    ("persona", "slugs"),
    [("admin", ["org-a"]), ("auditor", []), ("outsider", ["org-b"])],
)
def test_it_lists_only_own_organisations(people, api, persona, slugs):
    response = api(getattr(people, persona)).get("/api/v1/organisations/")

    assert [row["slug"] for row in response.json()["results"]] == slugs


@pytest.mark.parametrize("persona", ["auditor", "viewer"])
def test_it_hides_what_was_not_granted(people, api, persona):
    """A grant opens one assessment; another organisation's stays hidden.

    The last address pairs a visible assessment with evidence of another.
    """
    client = api(getattr(people, persona))
    other = people.other if persona == "auditor" else people.assessment_b
    document = file_evidence(other, other.created_by)

    addresses = [
        f"/api/v1/assessments/{other.pk}/",
        f"/api/v1/assessments/{other.pk}/answers/",
        f"/api/v1/assessments/{other.pk}/evidence/{document.pk}/download/",
        f"/api/v1/assessments/{people.assessment.pk}/evidence/{document.pk}/",
        f"/api/v1/assessments/{people.assessment.pk}/evidence/{document.pk}/download/",
    ]

    assert [client.get(address).status_code for address in addresses] == [404] * 5


def test_it_refuses_anonymous_callers(people, api):
    response = api().get(f"/api/v1/assessments/{people.assessment.pk}/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_it_ends_access_when_a_membership_goes(people, api):
    get_user_model().objects.filter(pk=people.viewer.pk).update(is_active=False)

    response = api(people.viewer).get(f"/api/v1/assessments/{people.assessment.pk}/")

    assert response.status_code in {401, 403}
