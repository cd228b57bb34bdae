"""Error bodies of the API: a code, a message, and the fields to fix."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from assessments.api.pagination import PagePagination
from assessments.models import Answer, Evidence
from tests.assessments.assessment_factories import PDF_BYTES


def test_invalid_input_names_each_field(people, api):
    response = api(people.assessor).post(
        "/api/v1/assessments/",
        {"organisation": "org-a", "period_start": "someday"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "required"
    assert set(body["errors"]) == {"framework", "title", "period_start", "period_end"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())
    assert "title: This field is required." in body["message"]


def test_a_service_refusal_keeps_its_code_and_field(people, api):
    response = api(people.assessor).patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"period_end": "2024-01-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "period_end: The period cannot end before it starts.",
        "errors": {"period_end": ["The period cannot end before it starts."]},
    }


def test_malformed_json_is_a_parse_error(people, api):
    response = api(people.assessor).generic(
        "PATCH",
        f"/api/v1/assessments/{people.assessment.pk}/",
        "{not json",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_parse_error_speaks_the_callers_language(people, api, language):
    response = api(people.assessor).generic(
        "PATCH",
        f"/api/v1/assessments/{people.assessment.pk}/",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    with translation.override(language):
        expected = gettext(
            "The request body is not valid JSON. Check its syntax and send it again."
        )
    message = response.json()["message"]
    assert response.status_code == 400
    assert message == expected
    # Nothing of the parser's own, English, exception text.
    assert "Expecting" not in message
    assert "JSON parse error" not in message


def test_a_malformed_upload_is_a_parse_error_naming_its_type(people, api):
    response = api(people.assessor).generic(
        "POST",
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": (
            "The request body cannot be read as multipart/form-data. Check it and "
            "send it again."
        ),
    }


def test_a_forbidden_action_says_so(people, api):
    response = api(people.viewer).patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"title": "Mine"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Your role does not allow this action.",
    }


@pytest.mark.parametrize(
    "address",
    ["/api/v1/assessments/999999/", "/api/v1/nothing-here/", "/api/v1/assessments/x/"],
)
def test_an_unknown_address_is_a_json_404(people, api, address):
    response = api(people.assessor).get(address)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("get", "/api/v1/assessments"),
        ("get", "/api/v1/assessments/{pk}/history"),
        ("put", "/api/v1/assessments/{pk}/answers/STR-1.1"),
        ("post", "/api/v1/tokens"),
    ],
)
def test_an_address_without_its_slash_is_told_where_the_endpoint_is(
    people, api, method, address
):
    address = address.format(pk=people.assessment.pk)

    response = getattr(api(people.admin), method)(
        address, {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": (
            f"No endpoint of the API has this address. Did you mean {address}/, "
            "with a slash at the end?"
        ),
    }


@pytest.mark.parametrize(
    "address", ["/api/v1/nothing-here", "/api/v1/nothing-here/", "/api/v1/assessment"]
)
def test_an_unknown_address_points_at_the_index_and_the_docs(people, api, address):
    response = api(people.assessor).get(address, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["message"] == (
        "No endpoint of the API has this address. The endpoints are listed at "
        "/api/v1/ and described at /api/docs/."
    )


def test_the_root_lists_the_top_level_endpoints(people, api):
    client = api(people.viewer)

    response = client.get("/api/v1/")

    body = response.json()
    assert response.status_code == 200
    assert body == {
        "frameworks": "http://testserver/api/v1/frameworks/",
        "organisations": "http://testserver/api/v1/organisations/",
        "assessments": "http://testserver/api/v1/assessments/",
        "tokens": "http://testserver/api/v1/tokens/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }
    assert [client.get(address).status_code for address in body.values()] == [
        200
    ] * len(body)


def test_the_root_asks_for_a_login(api):
    response = api().get("/api/v1/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_wrong_method_is_405(people, api):
    response = api(people.assessor).put(
        f"/api/v1/assessments/{people.assessment.pk}/", {}
    )

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_lists_are_paginated_with_a_maximum_page_size(people, api, monkeypatch):
    monkeypatch.setattr(PagePagination, "max_page_size", 5)

    response = api(people.viewer).get(
        f"/api/v1/assessments/{people.assessment.pk}/answers/", {"page_size": 1000}
    )

    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"])) == (20, 5)
    assert "page=2" in body["next"]


def test_a_page_past_the_end_is_a_404(people, api):
    response = api(people.viewer).get(
        f"/api/v1/assessments/{people.assessment.pk}/answers/", {"page": 9}
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_body_past_the_memory_limit_is_a_json_413(people, api):
    response = api(people.assessor).put(
        f"/api/v1/assessments/{people.assessment.pk}/answers/STR-1.1/",
        {"status": "partial", "justification": "x" * 3 * 1024**2, "version": 0},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "too_large",
        "message": (
            "The request body, uploaded files apart, is larger than 2.5\xa0MB, the "
            "most the API accepts. Send less in one request."
        ),
    }
    assert not Answer.objects.exists()


def test_the_413_names_the_limit_in_force(people, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = api(people.assessor).patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"scope": "x" * 2000},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 413
    assert "larger than 1\xa0KB," in response.json()["message"]


def test_a_form_past_the_number_of_fields_is_refused_as_json(people, api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2

    response = api(people.assessor).post(
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        {"kind": "note", "title": "Minutes", "note": "Agreed."},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "too_many_fields",
        "message": (
            "The request has more fields than the API accepts in one request, 2. "
            "Send fewer at a time."
        ),
    }
    assert not Evidence.objects.exists()


def test_a_form_past_the_number_of_files_is_refused_as_json(people, api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1

    response = api(people.assessor).post(
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        {
            "kind": "file",
            "file": [
                SimpleUploadedFile("a.pdf", PDF_BYTES),
                SimpleUploadedFile("b.pdf", PDF_BYTES),
            ],
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert (
        "more files than the API accepts in one request, 1."
        in (response.json()["message"])
    )
    assert not Evidence.objects.exists()


def _csrf_message(language):
    with translation.override(language):
        return gettext(
            "The request was sent with the portal's session and failed its "
            "CSRF check. Send the value of the %(cookie)s cookie in the "
            "%(header)s header, from a page at the portal's own address, or "
            "authenticate with an API token instead."
        ) % {"cookie": "csrftoken", "header": "X-CSRFTOKEN"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_session_write_without_the_csrf_token_is_refused_in_the_callers_language(
    people, language
):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.assessor)

    response = client.patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"title": "Renamed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "csrf_failed",
        "message": _csrf_message(language),
    }
    people.assessment.refresh_from_db()
    assert people.assessment.title != "Renamed"


def test_a_session_write_with_a_wrong_csrf_token_is_refused_alike(people, rf):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.assessor)
    request = rf.get("/")
    get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]

    response = client.patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"title": "Renamed"},
        format="json",
        HTTP_X_CSRFTOKEN="x" * 32,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert response.json() == {"code": "csrf_failed", "message": _csrf_message("en")}


def test_a_session_write_with_the_csrf_token_goes_through(people, rf):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.assessor)
    request = rf.get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]

    response = client.patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"title": "Renamed"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("address", ["assessments/{pk}/", "tokens/"])
def test_a_null_body_is_refused_in_the_callers_language(people, api, language, address):
    method = "PATCH" if address.startswith("assessments") else "POST"

    response = api(people.assessor).generic(
        method,
        "/api/v1/" + address.format(pk=people.assessment.pk),
        "null",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    with translation.override(language):
        expected = gettext(
            "The request body is null. Send a JSON object with the fields of this "
            "request, or {} when it takes none."
        )
    assert response.status_code == 400
    assert response.json() == {
        "code": "null",
        "message": expected,
        "errors": {"non_field_errors": [expected]},
    }


def test_a_field_sent_as_null_is_refused_under_its_name(people, api):
    response = api(people.assessor).patch(
        f"/api/v1/assessments/{people.assessment.pk}/",
        {"title": None},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["This field may not be null."]}


def _drf_refusals(people) -> dict:
    """Return requests that DRF itself refuses, by what is wrong with them."""
    pk = people.assessment.pk
    address = f"/api/v1/assessments/{pk}/"
    signed_in = APIClient()
    signed_in.force_login(people.assessor)
    unknown_token = APIClient()
    unknown_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    return {
        "no credentials": lambda **kw: APIClient().get(address, **kw),
        "unknown token": lambda **kw: unknown_token.get(address, **kw),
        "method": lambda **kw: signed_in.put(address, {}, **kw),
        "media type": lambda **kw: signed_in.generic(
            "PATCH", address, "a", content_type="text/plain", **kw
        ),
        "accept": lambda **kw: signed_in.get(address, HTTP_ACCEPT="text/xml", **kw),
        "not an object": lambda **kw: signed_in.generic(
            "PATCH", address, "[]", content_type="application/json", **kw
        ),
        "choice": lambda **kw: signed_in.get(
            "/api/v1/assessments/", {"status": "x"}, **kw
        ),
    }


REFUSALS = [
    "no credentials",
    "unknown token",
    "method",
    "media type",
    "accept",
    "not an object",
    "choice",
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_drfs_own_refusals_are_in_chinese_too(people, refusal):
    response = _drf_refusals(people)[refusal](HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert 400 <= response.status_code < 500
    assert response.json()["code"]
    assert re.search(r"[\u4e00-\u9fff]", response.json()["message"])
