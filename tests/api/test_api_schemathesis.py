"""Property-based run of the whole API against its own OpenAPI schema.

Schemathesis loads ``/api/schema/`` from the Django application through
WSGI and, for every operation, sends requests generated from the schema
(valid ones, then invalid ones) with a personal token of an organisation
administrator. Each response must be no server error, and its status code,
content type, headers and body must be as the schema documents them. The
administrator's own assessment and organisation stand in for generated path
ids, so that requests reach real rows rather than only 404s. Examples are
few per operation, so that the run fits in the normal suite.

Schemathesis' pytest plugin does not run under this version of pytest, so
each operation's strategy is driven with Hypothesis directly.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assessments.api import services as api_services
from portal.wsgi import application
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    EvidenceFactory,
    answer,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
# Revoking tokens by generated ids would sooner or later hit the token the
# run signs in with, and end it; these operations get a decoy's id instead.
TOKEN_REVOCATIONS = {
    "DELETE /api/v1/tokens/{id}/",
    "DELETE /api/v1/organisations/{organisation_slug}/tokens/{id}/",
}
# Deleting the run's draft would leave every later operation a 404; it
# deletes drafts of its own.
ASSESSMENT_DELETION = "DELETE /api/v1/assessments/{id}/"


@pytest.fixture
def _kept_connection():
    """Keep the test's database connection open across WSGI requests.

    A request through the WSGI application ends by closing connections that
    are inside a transaction, which the test's is; Django's own test client
    suspends this in the same way.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def run(people, _kept_connection):
    answer(people.assessment, "STR-1.1")
    EvidenceFactory(assessment=people.assessment, created_by=people.assessor)
    decoy, _secret = api_services.token_create(user=people.admin, name="decoy")
    _token, secret = api_services.token_create(user=people.admin, name="fuzz")
    return {
        "headers": {"Authorization": f"Token {secret}"},
        "fixed": {
            "assessment_pk": people.assessment.pk,
            "organisation_slug": people.org_a.slug,
            "slug": people.org_a.slug,
            "code": "STR-1.1",
        },
        # The ``id`` of the operations on one assessment or framework.
        "ids": {
            "/api/v1/assessments/{id}/": people.assessment.pk,
            "/api/v1/frameworks/{id}/": people.assessment.framework_id,
        },
        "decoy": decoy.pk,
        "organisation": people.org_a,
        "succeeded": set(),
    }


def _path_parameters(operation, run) -> dict | None:
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in run["fixed"].items() if name in names}
    for prefix, pk in run["ids"].items():
        if operation.path.startswith(prefix):
            fixed["id"] = pk
    if operation.label in TOKEN_REVOCATIONS:
        fixed["id"] = run["decoy"]
    if operation.label == ASSESSMENT_DELETION:
        fixed["id"] = AssessmentFactory(
            organisation=run["organisation"],
            framework_id=run["ids"]["/api/v1/frameworks/{id}/"],
        ).pk
    return fixed or None


def _failure(operation, mode, run) -> str | None:
    """Return how ``operation`` failed its checks in ``mode``, or None."""
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=_path_parameters(operation, run)
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    def check(case):
        response = case.call_and_validate(headers=run["headers"], checks=CHECKS)
        if 200 <= response.status_code < 300:
            run["succeeded"].add(operation.label)

    try:
        check()
    except Unsatisfiable:
        # Some parameters (a free-form string in the path) have no invalid
        # value, so negative mode has nothing to send.
        return None
    # Schemathesis reports failed checks as a BaseExceptionGroup.
    except (Exception, BaseExceptionGroup) as error:
        return f"{operation.label} [{mode.value}]: {error}"
    return None


def _modes(operation) -> list[GenerationMode]:
    # With the path ids fixed, only a body or a query is left to make
    # invalid; searching for invalid path ids would only spend time.
    if operation.body or len(operation.query):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def test_api_conforms_to_its_schema(run):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=run["headers"]
    )
    operations = [result.ok() for result in schema.get_all_operations()]

    failures = [
        failure
        for operation in operations
        for mode in _modes(operation)
        if (failure := _failure(operation, mode, run))
    ]

    assert not failures, "\n\n".join(failures)
    assert len(operations) > 40
    # Requests reached real rows, not only 404s.
    assert len(run["succeeded"]) > 25, "\n".join(sorted(run["succeeded"]))
