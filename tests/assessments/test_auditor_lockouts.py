"""Unlocking, from the auditors page, an auditor locked out by failed logins."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import AuditorGrant
from assessments.selectors.lockouts import locked_out_usernames
from tests.assessments.assessment_factories import PASSWORD


def _lock_out(user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": user.username, "password": "x"})


def _grant(people, user):
    return AuditorGrant.objects.get(assessment=people.assessment, user=user)


def _unlock_url(grant):
    return reverse("assessments:auditor-unlock", args=[grant.assessment_id, grant.pk])


def _auditors_page(client, people):
    return client.get(
        reverse("assessments:auditor-list", args=[people.assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()


def test_the_auditors_page_shows_a_locked_out_auditor(people, login, settings):
    _lock_out(people.auditor, settings)
    grant = _grant(people, people.auditor)

    html = _auditors_page(login(people.admin), people)

    assert html.count("Locked out") == 1
    assert f'action="{_unlock_url(grant)}"' in html


def test_unlocking_lets_the_auditor_log_in_and_is_in_the_history(
    people, login, settings
):
    _lock_out(people.auditor, settings)
    grant = _grant(people, people.auditor)
    client = login(people.admin)

    response = client.post(_unlock_url(grant), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert f"{people.auditor.username} can log in again." in response.content.decode()
    assert locked_out_usernames([people.auditor.username]) == set()
    logged_in = Client().post(
        reverse("login"), {"username": people.auditor.username, "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    history = client.get(
        reverse("assessments:assessment-history", args=[people.assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Lifted the lockout after too many failed logins." in history


def test_a_lockout_is_in_the_history_once(people, login, settings):
    _lock_out(people.auditor, settings)
    # Attempts during the lockout are no new lockout.
    _lock_out(people.auditor, settings)

    grant = _grant(people, people.auditor)
    reasons = list(grant.history.values_list("history_change_reason", flat=True))
    assert reasons.count("locked-out") == 1
    lockout = grant.history.filter(history_change_reason="locked-out").get()
    assert lockout.history_user is None
    history = (
        login(people.admin)
        .get(
            reverse("assessments:assessment-history", args=[people.assessment.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )
    assert history.count("Locked out after too many failed logins") == 1


def test_failed_logins_below_the_limit_leave_no_history(people, settings):
    Client().post(
        reverse("login"), {"username": people.auditor.username, "password": "x"}
    )

    grant = _grant(people, people.auditor)
    assert not grant.history.filter(history_change_reason="locked-out").exists()


def test_an_ended_grant_unlocks_nothing(people, settings):
    _lock_out(people.expired, settings)

    with pytest.raises(ValidationError) as refused:
        services.auditor_unlock(
            grant=_grant(people, people.expired), actor=people.admin
        )

    assert refused.value.code == "grant_ended"
    assert locked_out_usernames([people.expired.username]) == {people.expired.username}


@pytest.mark.parametrize("role", ["assessor", "viewer", "auditor"])
def test_only_an_admin_unlocks_an_auditor(people, role, settings):
    _lock_out(people.auditor, settings)

    with pytest.raises(PermissionDenied):
        services.auditor_unlock(
            grant=_grant(people, people.auditor), actor=getattr(people, role)
        )

    assert locked_out_usernames([people.auditor.username]) == {people.auditor.username}


def test_the_api_unlocks_an_auditor(people, settings):
    _lock_out(people.auditor, settings)
    grant = _grant(people, people.auditor)
    client = APIClient()
    client.force_authenticate(people.admin)

    response = client.post(
        f"/api/v1/assessments/{people.assessment.pk}/auditors/{grant.pk}/unlock/"
    )

    assert response.status_code == 200
    assert response.json()["attempts_reset"] >= 1
    assert locked_out_usernames([people.auditor.username]) == set()


def test_the_api_says_which_auditor_is_locked_out(people, settings):
    _lock_out(people.auditor, settings)
    grant = _grant(people, people.auditor)
    client = APIClient()
    client.force_authenticate(people.admin)
    base = f"/api/v1/assessments/{people.assessment.pk}/auditors/"

    listed = client.get(base).json()["results"]
    read = client.get(f"{base}{grant.pk}/")

    assert {row["username"]: row["locked_out"] for row in listed} == {
        people.auditor.username: True,
        people.expired.username: False,
    }
    assert read.status_code == 200
    assert read.json()["locked_out"] is True
