"""Personal API tokens: creating, using, expiring, revoking, throttling."""

import datetime
import logging
import re

import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from assessments.api import services
from assessments.api.models import PersonalToken

TODAY = timezone.localdate


def _bearer(secret, enforce_csrf_checks=False):
    client = APIClient(enforce_csrf_checks=enforce_csrf_checks)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_it_creates_a_named_token_and_shows_the_secret_once(people, api, caplog):
    caplog.set_level(logging.INFO)
    last_day = TODAY() + datetime.timedelta(days=30)

    response = api(people.assessor).post(
        "/api/v1/tokens/",
        {"name": "CI export", "expires_on": last_day.isoformat()},
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["name"] == "CI export"
    assert body["token"].startswith("aimrg_")
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert timezone.localtime(expires).date() == last_day + datetime.timedelta(days=1)
    assert timezone.localtime(expires).time() == datetime.time.min
    stored = AuthToken.objects.get()
    assert body["token"] not in {stored.digest, stored.token_key}
    assert body["token"] not in caplog.text
    listed = api(people.assessor).get("/api/v1/tokens/").json()["results"]
    assert [row["name"] for row in listed] == ["CI export"]
    assert "token" not in listed[0]


def test_a_token_acts_as_its_owner(people):
    _token, secret = services.token_create(user=people.auditor, name="audit")

    response = _bearer(secret).get("/api/v1/assessments/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [people.assessment.pk]


def test_a_token_needs_no_csrf_token(people):
    _token, secret = services.token_create(user=people.assessor, name="ci")

    response = _bearer(secret, enforce_csrf_checks=True).post(
        f"/api/v1/assessments/{people.assessment.pk}/evidence/",
        {"kind": "note", "title": "Minutes", "note": "Agreed."},
        format="json",
    )

    assert response.status_code == 201


def test_it_refuses_an_unknown_token(people):
    response = _bearer("aimrg_" + "0" * 64).get("/api/v1/assessments/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_revoked_token_stops_working(people, api):
    token, secret = services.token_create(user=people.assessor, name="ci")
    client = _bearer(secret)
    assert client.get("/api/v1/assessments/").status_code == 200

    revoked = api(people.assessor).delete(f"/api/v1/tokens/{token.pk}/")

    assert revoked.status_code == 204
    assert client.get("/api/v1/assessments/").status_code == 401
    assert not PersonalToken.objects.exists()
    assert not AuthToken.objects.exists()


def test_an_expired_token_stops_working(people):
    token, secret = services.token_create(user=people.assessor, name="ci")
    AuthToken.objects.filter(pk=token.token_id).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = _bearer(secret).get("/api/v1/assessments/")

    assert response.status_code == 401
    assert not PersonalToken.objects.exists()


def test_an_expired_token_says_when_it_expired(people):
    token, secret = services.token_create(user=people.assessor, name="ci")
    expiry = timezone.now() - datetime.timedelta(days=2)
    AuthToken.objects.filter(pk=token.token_id).update(expiry=expiry)

    response = _bearer(secret).get("/api/v1/assessments/", HTTP_ACCEPT_LANGUAGE="en")

    when = timezone.localtime(expiry).isoformat(timespec="seconds")
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_expired",
        "message": (
            f"This token expired at {when}. Create a new token at /api/tokens/ and "
            "send that one instead."
        ),
    }


def test_an_unknown_token_is_not_said_to_have_expired(people):
    token, secret = services.token_create(user=people.assessor, name="ci")
    AuthToken.objects.filter(pk=token.token_id).update(
        expiry=timezone.now() - datetime.timedelta(days=2)
    )
    # The same key, which knox looks tokens up by, with another secret.
    other = secret[:-1] + ("1" if secret.endswith("0") else "0")

    response = _bearer(other).get("/api/v1/assessments/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json() == {
        "code": "authentication_failed",
        "message": "Invalid token.",
    }


def test_a_token_without_expiry_keeps_working(people):
    token, secret = services.token_create(user=people.assessor, name="ci")

    response = _bearer(secret).get("/api/v1/assessments/")

    assert response.status_code == 200
    assert token.expires_at is None


def test_the_last_day_cannot_be_in_the_past(people, api):
    response = api(people.assessor).post(
        "/api/v1/tokens/",
        {
            "name": "old",
            "expires_on": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["expires_on"]
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "too_late",
    [
        lambda latest: latest + datetime.timedelta(days=1),
        lambda latest: datetime.date(9999, 12, 31),
    ],
    ids=["the day after", "the end of the calendar"],
)
def test_the_last_day_cannot_be_past_the_longest_validity(people, api, too_late):
    latest = services.latest_last_day(TODAY())

    response = api(people.assessor).post(
        "/api/v1/tokens/",
        {"name": "far", "expires_on": too_late(latest).isoformat()},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "too_late"
    assert list(body["errors"]) == ["expires_on"]
    assert body["message"] == (
        f"expires_on: The last day of validity can be at most 5 years from today, "
        f"{latest.isoformat()}. Choose an earlier day, or leave it empty for a "
        "token that does not expire."
    )
    assert not AuthToken.objects.exists()


def test_the_last_day_may_be_the_longest_validity(people, api):
    latest = services.latest_last_day(TODAY())

    response = api(people.assessor).post(
        "/api/v1/tokens/",
        {"name": "long", "expires_on": latest.isoformat()},
        format="json",
    )

    assert response.status_code == 201
    expires = datetime.datetime.fromisoformat(response.json()["expires_at"])
    assert timezone.localtime(expires).date() == latest + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (datetime.date(2026, 3, 1), datetime.date(2031, 3, 1)),
        (datetime.date(2028, 2, 29), datetime.date(2033, 2, 28)),
    ],
)
def test_the_longest_validity_is_five_years(today, latest):
    assert services.latest_last_day(today) == latest


def test_it_caps_the_number_of_tokens(people, api, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    for name in ("one", "two"):
        services.token_create(user=people.assessor, name=name)

    response = api(people.assessor).post(
        "/api/v1/tokens/", {"name": "three"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_tokens"
    assert PersonalToken.objects.count() == 2


def test_no_one_sees_or_revokes_anothers_token(people, api):
    token, _secret = services.token_create(user=people.viewer, name="viewer's")
    client = api(people.assessor)

    listed = client.get("/api/v1/tokens/").json()["results"]
    revoked = client.delete(f"/api/v1/tokens/{token.pk}/")

    assert listed == []
    assert revoked.status_code == 404
    assert PersonalToken.objects.filter(pk=token.pk).exists()


def test_an_admin_lists_and_revokes_the_tokens_of_members(people, api):
    members, _ = services.token_create(user=people.assessor, name="assessor's")
    services.token_create(user=people.outsider, name="outsider's")
    client = api(people.admin)

    listed = client.get("/api/v1/organisations/org-a/tokens/").json()["results"]
    revoked = client.delete(f"/api/v1/organisations/org-a/tokens/{members.pk}/")

    assert [(row["username"], row["name"]) for row in listed] == [
        (people.assessor.username, "assessor's")
    ]
    assert revoked.status_code == 204
    assert not PersonalToken.objects.filter(pk=members.pk).exists()


def test_an_admin_of_another_organisation_cannot_revoke(people, api):
    token, secret = services.token_create(user=people.assessor, name="assessor's")

    response = api(people.outsider).delete(
        f"/api/v1/organisations/org-b/tokens/{token.pk}/"
    )

    assert response.status_code == 404
    assert _bearer(secret).get("/api/v1/assessments/").status_code == 200


@pytest.mark.parametrize("persona", ["assessor", "viewer"])
def test_only_admins_see_the_tokens_of_members(people, api, persona):
    response = api(getattr(people, persona)).get("/api/v1/organisations/org-a/tokens/")

    assert response.status_code == 403


def test_it_throttles_token_creation(people, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/hour"},
    }
    client = api(people.assessor)

    statuses = [
        client.post("/api/v1/tokens/", {"name": f"t{n}"}, format="json").status_code
        for n in range(4)
    ]
    listing = client.get("/api/v1/tokens/")

    assert statuses == [201, 201, 201, 429]
    refused = client.post("/api/v1/tokens/", {"name": "t5"}, format="json")
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert listing.status_code == 200
    assert PersonalToken.objects.count() == 3


# ------------------------------------------------------------------ the page


def test_the_page_creates_a_token_and_shows_it_once(people, client):
    client.force_login(people.assessor)

    created = client.post("/api/tokens/", {"name": "Laptop script"})
    shown = client.get(created["Location"])
    again = client.get("/api/tokens/")

    token = PersonalToken.objects.get()
    secret = shown.context["secret"]
    assert created.status_code == 302
    assert created["Location"] == "/api/tokens/"
    assert secret.startswith("aimrg_")
    assert secret not in created.content.decode()
    assert secret in shown.content.decode()
    assert shown.context["created"] == token
    assert "no-store" in shown["Cache-Control"]
    assert secret not in again.content.decode()
    assert "Laptop script" in again.content.decode()
    assert _bearer(secret).get("/api/v1/tokens/").json()["results"][0]["id"] == (
        token.pk
    )


def test_reloading_after_creating_a_token_creates_no_other(people, client):
    client.force_login(people.assessor)

    created = client.post("/api/tokens/", {"name": "Laptop script"}, follow=True)
    reloaded = client.get("/api/tokens/")

    assert created.redirect_chain == [("/api/tokens/", 302)]
    assert reloaded.status_code == 200
    assert PersonalToken.objects.count() == 1


def test_the_secret_is_not_shown_to_another_session(people, client):
    client.force_login(people.assessor)
    client.post("/api/tokens/", {"name": "Laptop script"})
    other = Client()
    other.force_login(people.assessor)

    body = other.get("/api/tokens/").content.decode()

    assert "aimrg_" not in body
    assert "Laptop script" in body


def test_the_page_forgets_a_secret_whose_token_was_revoked(people, client):
    client.force_login(people.assessor)
    client.post("/api/tokens/", {"name": "Laptop script"})
    services.token_revoke(token=PersonalToken.objects.get(), actor=people.assessor)

    response = client.get("/api/tokens/")

    assert response.context["secret"] is None
    assert "aimrg_" not in response.content.decode()


def test_an_invalid_form_is_shown_again_with_its_errors(people, client):
    client.force_login(people.assessor)

    response = client.post("/api/tokens/", {"name": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not PersonalToken.objects.exists()


def test_the_page_refuses_a_last_day_past_the_longest_validity(people, client):
    client.force_login(people.assessor)
    latest = services.latest_last_day(TODAY())

    response = client.post(
        "/api/tokens/",
        {"name": "far", "expires_on": "9999-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.context["form"].errors["expires_on"] == [
        f"The last day of validity can be at most 5 years from today, "
        f"{latest.isoformat()}. Choose an earlier day, or leave it empty for a "
        "token that does not expire."
    ]
    assert not PersonalToken.objects.exists()


def test_the_pages_date_picker_offers_the_days_a_token_may_last(people, client):
    client.force_login(people.assessor)
    latest = services.latest_last_day(TODAY())

    body = client.get("/api/tokens/").content.decode()

    assert f'min="{TODAY().isoformat()}"' in body
    assert f'max="{latest.isoformat()}"' in body


def test_the_page_shows_an_admin_the_tokens_of_members(people, client):
    services.token_create(user=people.assessor, name="assessor's script")
    services.token_create(user=people.outsider, name="outsider's script")
    client.force_login(people.admin)

    body = client.get("/api/tokens/").content.decode()

    assert "assessor&#x27;s script" in body
    assert "outsider" not in body


def test_the_page_lists_an_admins_own_tokens_once(people, client):
    own, _secret = services.token_create(user=people.admin, name="admin's export")
    services.token_create(user=people.assessor, name="assessor's script")
    client.force_login(people.admin)

    response = client.get("/api/tokens/")

    body = response.content.decode()
    assert body.count('<th scope="row">admin&#x27;s export</th>') == 1
    assert list(response.context["tokens"]) == [own]
    [section] = response.context["administered"]
    assert [token.name for token in section["tokens"]] == ["assessor's script"]


def test_the_api_still_lists_an_admins_own_token_among_the_members(people, api):
    own, _secret = services.token_create(user=people.admin, name="admin's export")

    response = api(people.admin).get("/api/v1/organisations/org-a/tokens/")

    assert own.pk in [row["id"] for row in response.json()["results"]]


def test_the_page_asks_before_revoking_a_token(people, client):
    services.token_create(user=people.admin, name="export")
    services.token_create(user=people.assessor, name="script")
    client.force_login(people.admin)

    body = client.get("/api/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    forms = re.findall(r"<form [^>]*api/tokens/\d+/revoke/[^>]*>", body)
    assert len(forms) == 2
    assert all("data-confirm=" in form for form in forms)
    assert "Revoke your token “export”?" in body
    assert "Revoke the token “script” of" in body


def test_the_page_revokes_a_members_token(people, client):
    token, secret = services.token_create(user=people.assessor, name="script")
    client.force_login(people.admin)

    response = client.post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert _bearer(secret).get("/api/v1/tokens/").status_code == 401


def test_the_page_hides_tokens_beyond_ones_organisations(people, client):
    token, _secret = services.token_create(user=people.assessor, name="script")
    client.force_login(people.outsider)

    response = client.post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    assert PersonalToken.objects.filter(pk=token.pk).exists()


def test_the_page_shares_the_throttle_with_the_api(people, client, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/hour"},
    }
    api(people.assessor).post("/api/v1/tokens/", {"name": "api"}, format="json")
    client.force_login(people.assessor)

    allowed = client.post("/api/tokens/", {"name": "page"})
    refused = client.post(
        "/api/tokens/", {"name": "one more"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (allowed.status_code, refused.status_code) == (302, 429)
    assert "Too many tokens" in refused.content.decode()
    assert PersonalToken.objects.count() == 2


def test_the_page_needs_a_login(client):
    response = client.get("/api/tokens/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_the_last_day_a_token_is_valid_on(people, client):
    client.force_login(people.assessor)
    last_day = timezone.localdate() + datetime.timedelta(days=3)
    services.token_create(user=people.assessor, name="CI", expires_on=last_day)

    page = client.get("/api/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Valid through" in page
    assert f"<td>{last_day.isoformat()}</td>" in page
