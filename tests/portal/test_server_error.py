"""A request that fails on the server gets the portal's page, or JSON under the API."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.views import APIView


def fail(*args, **kwargs):
    raise RuntimeError("the database went away")


@pytest.fixture
def client(db):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user("wang", password="Correct-horse-9"))
    return client


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Server error"), ("zh-hans", "服务器错误")]
)
def test_a_page_that_fails_shows_the_portals_error_page(
    client, monkeypatch, language, title
):
    monkeypatch.setattr("portal.views.selectors.memberships_of", fail)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)

    body = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{title}</h1>" in body
    assert "portal.css" in body


def test_an_api_request_that_fails_answers_json(client, monkeypatch):
    monkeypatch.setattr(APIView, "initial", fail)

    response = client.get("/api/v1/organisations/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "The server could not answer this request; the error was "
        "recorded. Try again in a moment.",
    }
