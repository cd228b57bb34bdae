"""Unlocking, from the members page, a member locked out by failed logins."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.selectors.lockouts import locked_out_usernames
from assessments.services.organisations import membership_unlock
from tests.assessments.assessment_factories import PASSWORD


def _lock_out(user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "x"})
    return client


def _log_in(user):
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    return response, client


def _unlock_url(membership):
    return reverse(
        "assessments:member-unlock", args=[membership.organisation.slug, membership.pk]
    )


def test_the_members_page_shows_who_is_locked_out(people, login, settings):
    _lock_out(people.assessor, settings)
    membership = people.assessor.memberships.get()

    body = login(people.admin).get(
        reverse("assessments:member-list", args=["org-a"]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = body.content.decode()
    assert html.count("Locked out") == 1
    assert f'action="{_unlock_url(membership)}"' in html
    assert "data-confirm=" in html.split(_unlock_url(membership))[1].split(">")[0]
    assert html.count("/unlock/") == 1


def test_a_lockout_is_in_the_organisation_history(people, login, settings):
    _lock_out(people.assessor, settings)

    membership = people.assessor.memberships.get()
    assert membership.history.filter(history_change_reason="locked-out").count() == 1
    history = (
        login(people.admin)
        .get(
            reverse("assessments:organisation-history", args=["org-a"]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )
    assert "Locked out after too many failed logins" in history


def test_a_member_below_the_limit_is_not_shown_locked(people, login, settings):
    Client().post(
        reverse("login"), {"username": people.assessor.username, "password": "x"}
    )

    body = login(people.admin).get(
        reverse("assessments:member-list", args=["org-a"]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Locked out" not in body.content.decode()
    assert "/unlock/" not in body.content.decode()


def test_an_admin_unlocks_a_member_who_then_logs_in(people, login, settings):
    _lock_out(people.assessor, settings)
    assert _log_in(people.assessor)[0].status_code == 429
    membership = people.assessor.memberships.get()

    response = login(people.admin).post(
        _unlock_url(membership), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain == [
        (reverse("assessments:member-list", args=["org-a"]), 302)
    ]
    assert "can log in again" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=people.assessor.username)
    logged_in, client = _log_in(people.assessor)
    assert logged_in.status_code == 302
    assert client.session["_auth_user_id"] == str(people.assessor.pk)


def test_unlocking_someone_not_locked_out_says_so(people, login):
    membership = people.viewer.memberships.get()

    response = login(people.admin).post(
        _unlock_url(membership), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert "was not locked out" in response.content.decode()


def test_unlocking_leaves_other_accounts_locked(people, login, settings):
    _lock_out(people.assessor, settings)
    _lock_out(people.viewer, settings)

    login(people.admin).post(_unlock_url(people.assessor.memberships.get()))

    assert locked_out_usernames([people.assessor.username, people.viewer.username]) == {
        people.viewer.username
    }


@pytest.mark.parametrize("persona", ["assessor", "viewer"])
def test_only_admins_unlock(people, login, settings, persona):
    _lock_out(people.admin, settings)
    membership = people.admin.memberships.get()

    response = login(getattr(people, persona)).post(_unlock_url(membership))

    assert response.status_code == 403
    assert locked_out_usernames([people.admin.username]) == {people.admin.username}


def test_an_admin_cannot_unlock_outside_their_organisation(people, login, settings):
    _lock_out(people.outsider, settings)
    foreign = people.outsider.memberships.get()
    client = login(people.admin)

    through_own = client.post(
        reverse("assessments:member-unlock", args=["org-a", foreign.pk])
    )
    through_foreign = client.post(_unlock_url(foreign))

    assert (through_own.status_code, through_foreign.status_code) == (404, 404)
    assert locked_out_usernames([people.outsider.username]) == {
        people.outsider.username
    }


def test_an_auditor_cannot_unlock(people, login, settings):
    _lock_out(people.assessor, settings)

    response = login(people.auditor).post(
        _unlock_url(people.assessor.memberships.get())
    )

    assert response.status_code == 404
    assert locked_out_usernames([people.assessor.username])


def test_unlocking_needs_a_post(people, login, settings):
    response = login(people.admin).get(_unlock_url(people.viewer.memberships.get()))

    assert response.status_code == 405


def test_the_service_refuses_a_non_admin(people, settings):
    _lock_out(people.admin, settings)

    with pytest.raises(PermissionDenied):
        membership_unlock(
            membership=people.admin.memberships.get(), actor=people.assessor
        )

    assert locked_out_usernames([people.admin.username])


def test_the_unlock_is_logged_with_ids(people, settings, caplog):
    _lock_out(people.assessor, settings)
    membership = people.assessor.memberships.get()

    with caplog.at_level(logging.INFO, logger="assessments.services.organisations"):
        reset = membership_unlock(membership=membership, actor=people.admin)

    [record] = [
        r for r in caplog.records if r.name == "assessments.services.organisations"
    ]
    assert reset >= 1
    assert str(people.assessor.pk) in record.getMessage()
    assert str(people.admin.pk) in record.getMessage()
    assert people.assessor.username not in record.getMessage()


def test_failures_older_than_the_cool_off_do_not_lock(people, settings):
    _lock_out(people.assessor, settings)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(hours=1)
    )

    assert locked_out_usernames([people.assessor.username]) == set()


def test_the_lockout_page_leads_back_to_the_login(people, settings):
    client = _lock_out(people.assessor, settings)

    response = client.post(
        reverse("login"),
        {"username": people.assessor.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Too many failed logins" in response.content.decode()
    assert f'<a href="{reverse("login")}">Back to the login page</a>' in (
        response.content.decode()
    )
