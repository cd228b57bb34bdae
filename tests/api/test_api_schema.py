"""The OpenAPI schema and the Swagger UI page, under the site's script policy."""

import importlib
import inspect
import pkgutil
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.validation import validate_schema

import assessments.api.serializers

# The modules whose serializers the schema describes.
SERIALIZER_MODULES = [
    *(
        f"assessments.api.serializers.{module.name}"
        for module in pkgutil.iter_modules(assessments.api.serializers.__path__)
    ),
    "maturity.api",
    "reports.api",
]


@pytest.fixture
def schema(people, api):
    response = api(people.viewer).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)

    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {
        "knoxApiToken",
        "cookieAuth",
    }


def test_every_operation_documents_its_errors(schema):
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]

    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert {"401", "403", "404"} <= set(responses), (path, method)
        if method in {"post", "put", "patch", "delete"}:
            assert "400" in responses, (path, method)
        error = responses["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}


def test_operations_are_described_for_the_apis_readers_not_from_docstrings(schema):
    descriptions = [
        operation.get("description", "")
        for methods in schema["paths"].values()
        for operation in methods.values()
    ]

    assert all(
        operation.get("summary")
        for methods in schema["paths"].values()
        for operation in methods.values()
    )
    assert any(descriptions)
    # What the views' docstrings say about the code, inherited ones included.
    for description in descriptions:
        assert "required_actions" not in description
        assert "queryset" not in description.lower()


def _docstrings() -> set[str]:
    return {
        inspect.cleandoc(value.__doc__)
        for name in SERIALIZER_MODULES
        for value in vars(importlib.import_module(name)).values()
        if inspect.isclass(value) and value.__doc__
    }


def test_objects_are_described_for_the_apis_readers_not_from_docstrings(people, api):
    schema = api(people.viewer).get(
        "/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    bodies = schema.json()["components"]["schemas"]

    descriptions = {name: body.get("description") for name, body in bodies.items()}
    assert not _docstrings() & set(descriptions.values())
    assert descriptions["Membership"] == "A member of the organisation and their role."
    assert descriptions["AuditorGrantUnlock"] == (
        "The grant of the auditor just unlocked, with how many records of failed "
        "logins were cleared."
    )
    assert descriptions["QuestionnaireApplied"] == (
        "What applying the workbook saved, and what it left as it was."
    )
    assert descriptions["TokenCreateRequest"] is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_objects_are_described_in_the_users_language(people, api, language):
    schema = api(people.viewer).get(
        "/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language
    )

    bodies = schema.json()["components"]["schemas"]
    with translation.override(language):
        assert bodies["Error"]["description"] == gettext(
            "The body of every error response."
        )
        assert bodies["NewToken"]["description"] == gettext(
            "The new API token, with its secret, which is shown only now."
        )


def test_request_bodies_say_they_take_no_other_fields(schema):
    bodies = {
        name: body
        for name, body in schema["components"]["schemas"].items()
        if name.endswith("Request")
    }

    assert len(bodies) > 15
    for name, body in bodies.items():
        assert body["additionalProperties"] is False, name


def test_the_answer_update_documents_the_conflict(schema):
    put = schema["paths"]["/api/v1/assessments/{assessment_pk}/answers/{code}/"]["put"]

    assert "409" in put["responses"]
    body = schema["components"]["schemas"]["AnswerUpdateRequest"]
    assert set(body["required"]) == {"status", "version"}


def test_the_schema_documents_the_longest_texts(schema):
    bodies = schema["components"]["schemas"]

    def longest(body, field):
        return bodies[body]["properties"][field].get("maxLength")

    assert longest("EvidenceCreateRequest", "note") == 20_000
    assert longest("AnswerUpdateRequest", "justification") == 20_000
    assert longest("CommentCreateRequest", "text") == 10_000


def test_schemathesis_loads_the_schema(schema):
    loaded = schemathesis.openapi.from_dict(schema)

    labels = {result.ok().label for result in loaded.get_all_operations()}
    assert "POST /api/v1/assessments/{assessment_pk}/evidence/" in labels


def test_the_schema_needs_a_login(api):
    assert api().get("/api/schema/").status_code == 401


def test_the_docs_page_runs_no_inline_script(people, api):
    client = api(people.viewer)

    page = client.get("/api/docs/")

    html = page.content.decode()
    policy = page["Content-Security-Policy"]
    assert page.status_code == 200
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 4
    assert all(
        'src="' in attributes and not body.strip() for attributes, body in scripts
    )
    assert "<style" not in html
    assert " style=" not in html


def test_the_docs_load_their_files_from_the_portal(people, api):
    client = api(people.viewer)
    html = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    static = [source for source in sources if source.startswith("/static/")]
    start = client.get(next(s for s in sources if s.startswith("/api/docs/")))

    assert all(source.startswith(("/", "#")) for source in sources)
    # Swagger UI's stylesheet and two scripts, and the portal's icon,
    # stylesheet and script.
    assert len(static) == 6
    for source in static:
        assert finders.find(source.removeprefix("/static/")), source
    assert start.status_code == 200
    assert start["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in start.content.decode()
    assert "/api/schema/" in start.content.decode()


def test_the_docs_send_signed_out_visitors_to_log_in(api):
    response = api().get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/docs/")


def test_the_docs_page_is_titled_in_the_users_language(people, api):
    client = api(people.viewer)

    chinese = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    english = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="en").content

    assert "<title>API 文档 · 成熟度评估平台</title>" in chinese.decode()
    assert "<title>API documentation · Maturity Portal</title>" in english.decode()


def test_the_docs_page_links_back_to_the_portal(people, api):
    html = api(people.viewer).get("/api/docs/", HTTP_ACCEPT_LANGUAGE="en")

    body = html.content.decode()
    assert '<a href="/">Back to the home page</a>' in body
    assert 'class="site-header"' in body
    assert 'action="/accounts/logout/" method="post"' in body


def test_the_schema_is_titled_in_the_users_language(people, api):
    client = api(people.viewer)

    english = client.get(
        "/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["info"]
    chinese = client.get(
        "/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()["info"]

    assert english["title"] == "AI Model Risk Governance Maturity Portal API"
    assert "Authorization: Token" in english["description"]
    assert chinese["title"] != english["title"]
    assert "Authorization: Token" in chinese["description"]


def test_the_schema_file_has_a_plain_name_in_every_language(people, api):
    client = api(people.viewer)

    for language in ("en", "zh-hans"):
        response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE=language)
        assert response["Content-Disposition"] == (
            'inline; filename="aimrg-portal-api.yaml"'
        )


def test_the_page_links_are_shown_without_a_made_up_host(schema):
    pages = {
        name: body
        for name, body in schema["components"]["schemas"].items()
        if name.startswith("Paginated")
    }

    assert pages
    assert "example.org" not in str(schema)
    for body in pages.values():
        for link in ("next", "previous"):
            example = body["properties"][link]["example"]
            assert example.startswith("/api/v1/"), example
            assert "page=" in example
