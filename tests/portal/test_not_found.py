"""A view that finds nothing shows the portal's own page, on a laptop too."""

import pytest
from django.contrib.auth.models import User


@pytest.fixture
def client(client, db):
    client.force_login(User.objects.create_user("wang", password="Correct-horse-9"))
    return client


@pytest.mark.parametrize("debug", [True, False])
def test_an_assessment_not_shared_shows_the_portals_page(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/assessments/999999/", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in body
    assert "URLconf" not in body


def test_the_api_answers_its_own_not_found_as_json(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v1/assessments/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
