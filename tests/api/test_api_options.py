"""OPTIONS on every address of the API: its methods, and where they are described.

The addresses are read from the API's URL patterns, so that an endpoint
added later is asked too; each id in them is that of a real row.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver

from assessments.api import services as api_services
from portal.api_urls import urlpatterns
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import (
    EvidenceFactory,
    FindingFactory,
    answer,
)

PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns, prefix=""):
    """Yield the route of every endpoint under ``patterns``, placeholders kept."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name is not None:
            # The unnamed pattern left out is the 404 of every other address.
            yield prefix + str(pattern.pattern)


@pytest.fixture
def rows(people):
    """Return the value of each placeholder, and of ``pk`` by the route before it."""
    assessment = people.assessment
    link = answer(assessment, "STR-1.1").evidence_links.get()
    viewers_token, _secret = api_services.token_create(user=people.viewer, name="v")
    own_token, _secret = api_services.token_create(user=people.admin, name="a")
    report = Report.objects.create(
        assessment=assessment,
        revision="r1",
        status=ReportStatus.FAILED,
        requested_by=people.admin,
    )
    return {
        "slug": people.org_a.slug,
        "organisation_slug": people.org_a.slug,
        "assessment_pk": assessment.pk,
        "code": "STR-1.1",
        "name": "submit",
        "pk": {
            "frameworks/": assessment.framework_id,
            "organisations/<slug:organisation_slug>/members/": (
                people.viewer.memberships.get().pk
            ),
            "organisations/<slug:organisation_slug>/tokens/": viewers_token.pk,
            "assessments/": assessment.pk,
            "assessments/<id:assessment_pk>/evidence/": EvidenceFactory(
                assessment=assessment, created_by=people.assessor
            ).pk,
            "assessments/<id:assessment_pk>/links/": link.pk,
            "assessments/<id:assessment_pk>/findings/": FindingFactory(
                assessment=assessment
            ).pk,
            "assessments/<id:assessment_pk>/auditors/": (
                people.auditor.auditor_grants.get().pk
            ),
            "assessments/<id:assessment_pk>/reports/": report.pk,
            "tokens/": own_token.pk,
        },
    }


def _address(route: str, rows: dict) -> str:
    def value(match):
        name = match.group(1)
        if name == "pk":
            return str(rows["pk"][route[: match.start()]])
        return str(rows[name])

    return "/api/v1/" + PLACEHOLDER.sub(value, route)


def _addresses(rows) -> list[str]:
    return [_address(route, rows) for route in _routes(urlpatterns)]


def test_it_asks_every_endpoint(rows):
    addresses = _addresses(rows)

    assert len(addresses) > 45
    assert "/api/v1/" in addresses
    assert not [address for address in addresses if "<" in address]


@pytest.mark.parametrize("persona", ["admin", "viewer", "auditor", "outsider"])
def test_options_never_fails_on_the_server(people, api, rows, persona):
    client = api(getattr(people, persona))

    statuses = {
        address: client.options(address).status_code for address in _addresses(rows)
    }

    assert {address: s for address, s in statuses.items() if s >= 500} == {}


def test_options_names_the_methods_of_every_endpoint(people, api, rows):
    client = api(people.admin)

    for address in _addresses(rows):
        response = client.options(address)

        assert response.status_code == 200, address
        body = response.json()
        allowed = [method.strip() for method in response["Allow"].split(",")]
        assert body["methods"] == allowed, address
        assert "OPTIONS" in body["methods"], address
        assert body["schema"] == "http://testserver/api/schema/"
        assert body["docs"] == "http://testserver/api/docs/"


def test_options_of_an_answer_says_how_it_is_written(people, api):
    response = api(people.assessor).options(
        f"/api/v1/assessments/{people.assessment.pk}/answers/STR-1.1/"
    )

    assert response.status_code == 200
    assert response.json() == {
        "methods": ["GET", "PUT", "PATCH", "HEAD", "OPTIONS"],
        "renders": ["application/json"],
        "parses": ["application/json"],
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


@pytest.mark.parametrize(
    "address",
    [
        "assessments/{pk}/questionnaire/preview/",
        "assessments/{pk}/questionnaire/apply/",
        "organisations/org-a/import/",
    ],
)
def test_options_of_an_upload_says_it_takes_a_form(people, api, address):
    response = api(people.admin).options(
        "/api/v1/" + address.format(pk=people.assessment.pk)
    )

    assert response.status_code == 200
    assert response.json()["methods"] == ["POST", "OPTIONS"]
    assert response.json()["parses"] == ["multipart/form-data"]


def test_options_asks_for_a_login(people, api):
    response = api().options(f"/api/v1/assessments/{people.assessment.pk}/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_options_of_a_hidden_assessment_is_a_404(people, api):
    response = api(people.outsider).options(
        f"/api/v1/assessments/{people.assessment.pk}/answers/STR-1.1/"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
