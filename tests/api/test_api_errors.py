"""Error bodies of the API: a code, a message, and the fields to fix."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from assessments.api.pagination import PagePagination


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
