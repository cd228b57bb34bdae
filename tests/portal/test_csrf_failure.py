"""A form refused for its security token gets the portal's own page."""

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture
def user(db):
    return User.objects.create_user("wang", password="Correct-horse-9")


@pytest.fixture
def strict(user):
    """A logged-in browser whose forms carry no valid security token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        ("en", "This page has expired", "Nothing was saved."),
        ("zh-hans", "页面已过期", "未保存任何内容。"),
    ],
)
def test_it_explains_an_expired_page_in_the_persons_language(
    strict, language, title, advice
):
    response = strict.post(
        "/i18n/setlang/",
        {"language": "en", "csrfmiddlewaretoken": "stale" * 8},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    body = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in body
    assert advice in body
    assert "CSRF" not in body
    assert '<header class="site-header">' in body


def test_it_leads_back_to_the_page_the_form_was_on(strict):
    response = strict.post(
        "/i18n/setlang/",
        {"language": "en"},
        HTTP_REFERER="http://testserver/assessments/",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert '<a href="http://testserver/assessments/">Open the page again</a>' in (
        response.content.decode()
    )


def test_it_does_not_lead_to_another_site(strict):
    response = strict.post(
        "/i18n/setlang/",
        {"language": "en"},
        HTTP_REFERER="https://elsewhere.example/phish",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert "elsewhere.example" not in response.content.decode()
