"""Logging out: a POST logs out, a GET asks first."""

import pytest
from django.contrib.auth.models import User


@pytest.fixture
def user(db):
    return User.objects.create_user("wang", password="Correct-horse-9")


def test_a_get_asks_to_confirm_and_keeps_the_session(client, user):
    client.force_login(user)

    response = client.get("/accounts/logout/", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Do you want to log out of the portal?" in body
    assert 'class="site-header"' in body
    assert body.count('action="/accounts/logout/"') == 2
    assert 'name="csrfmiddlewaretoken"' in body
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_confirmation_speaks_chinese(client, user):
    client.force_login(user)

    body = client.get("/accounts/logout/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "<h1>退出</h1>" in body.content.decode()


def test_the_confirmation_button_logs_out(client, user):
    client.force_login(user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_logged_out_visitor_is_sent_to_log_in(client, db):
    response = client.get("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_the_confirmation_is_not_cached(client, user):
    client.force_login(user)

    response = client.get("/accounts/logout/")

    assert "no-store" in response["Cache-Control"]
