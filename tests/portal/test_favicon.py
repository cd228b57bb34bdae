"""Tests of /favicon.ico, which browsers ask for whatever the pages link."""

from django.templatetags.static import static


def test_it_sends_browsers_to_the_portals_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("portal/favicon.svg")


def test_the_icon_it_names_is_served(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)
