"""Tests of the portal shell: login, layout, languages, security headers."""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def user(db):
    return User.objects.create_user("wang", password="Correct-horse-9")


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_logs_in_and_out(client, user):
    response = client.post(
        "/accounts/login/", {"username": "wang", "password": "Correct-horse-9"}
    )
    assert response.status_code == 302

    home = client.get("/")
    assert home.status_code == 200
    assert "wang" in home.content.decode()

    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_it_locks_out_after_repeated_failures(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "wang", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "wang", "password": "Correct-horse-9"}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_page_speaks_chinese_by_default_and_english_on_request(client, user):
    client.force_login(user)

    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'lang="zh-hans"' in chinese
    assert "退出" in chinese
    assert 'lang="en"' in english
    assert "Log out" in english


def test_the_language_switcher_changes_the_language(client, user):
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert 'lang="en"' in response.content.decode()


def test_pages_send_security_headers(client, user):
    client.force_login(user)

    response = client.get("/")

    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if "script-src" in p)
    assert "'unsafe-inline'" not in script_src
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_static_assets_are_served_locally(client, user):
    client.force_login(user)

    page = client.get("/").content.decode()

    assert "/static/portal/portal.css" in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


def test_pages_name_the_portal_icon(client, user):
    client.force_login(user)

    page = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/portal/favicon.svg"' in page


def test_the_icon_is_served_with_debug_off(client, user, settings, tmp_path):
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    # The other apps' files, which the page does not use, take most of the time.
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar"],
    )
    client.force_login(user)

    page = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    icon = client.get(href)

    assert re.fullmatch(r"/static/portal/favicon\.[0-9a-f]{12}\.svg", href)
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"#1f4e8c" in b"".join(icon.streaming_content)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_api_tokens_page_ends_its_sentences_once(client, user, language):
    client.force_login(user)

    response = client.get(reverse("api-tokens"), HTTP_ACCEPT_LANGUAGE=language)

    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    assert "Authorization: Token" in text
    assert "…." not in text
    assert "…。" not in text
