"""Members locked out by failed logins, through the API: who, and unlocking."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from assessments.selectors.lockouts import locked_out_usernames
from tests.assessments.assessment_factories import PASSWORD


def _lock_out(user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "x"})


def _unlock_url(membership, organisation="org-a"):
    return f"/api/v1/organisations/{organisation}/members/{membership.pk}/unlock/"


def test_the_members_list_says_who_is_locked_out(people, api, settings):
    _lock_out(people.assessor, settings)

    response = api(people.admin).get("/api/v1/organisations/org-a/members/")

    locked = {row["username"]: row["locked_out"] for row in response.json()["results"]}
    assert locked == {
        people.admin.username: False,
        people.assessor.username: True,
        people.viewer.username: False,
    }


def test_an_admin_unlocks_a_member_who_then_logs_in(people, api, settings):
    _lock_out(people.assessor, settings)
    membership = people.assessor.memberships.get()

    response = api(people.admin).post(_unlock_url(membership))

    body = response.json()
    assert response.status_code == 200
    assert (body["id"], body["username"]) == (membership.pk, people.assessor.username)
    assert body["locked_out"] is False
    assert body["attempts_reset"] >= 1
    assert not AccessAttempt.objects.filter(username=people.assessor.username)
    logged_in = Client().post(
        reverse("login"), {"username": people.assessor.username, "password": PASSWORD}
    )
    assert logged_in.status_code == 302


def test_unlocking_someone_not_locked_out_says_so(people, api):
    response = api(people.admin).post(_unlock_url(people.viewer.memberships.get()))

    assert response.status_code == 200
    assert (response.json()["attempts_reset"], response.json()["locked_out"]) == (
        0,
        False,
    )


def test_unlocking_leaves_other_accounts_locked(people, api, settings):
    _lock_out(people.assessor, settings)
    _lock_out(people.viewer, settings)

    api(people.admin).post(_unlock_url(people.assessor.memberships.get()))

    assert locked_out_usernames([people.assessor.username, people.viewer.username]) == {
        people.viewer.username
    }


@pytest.mark.parametrize("persona", ["assessor", "viewer"])
def test_only_admins_unlock(people, api, settings, persona):
    _lock_out(people.admin, settings)

    response = api(getattr(people, persona)).post(
        _unlock_url(people.admin.memberships.get())
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert locked_out_usernames([people.admin.username]) == {people.admin.username}


@pytest.mark.parametrize("persona", ["auditor", "outsider"])
def test_outside_the_organisation_a_member_is_not_found(people, api, settings, persona):
    _lock_out(people.assessor, settings)

    response = api(getattr(people, persona)).post(
        _unlock_url(people.assessor.memberships.get())
    )

    assert response.status_code == 404
    assert locked_out_usernames([people.assessor.username])


def test_an_admin_cannot_unlock_a_member_of_another_organisation(people, api, settings):
    _lock_out(people.outsider, settings)
    foreign = people.outsider.memberships.get()
    client = api(people.admin)

    through_own = client.post(_unlock_url(foreign, "org-a"))
    through_foreign = client.post(_unlock_url(foreign, "org-b"))

    assert (through_own.status_code, through_foreign.status_code) == (404, 404)
    assert locked_out_usernames([people.outsider.username])


def test_unlocking_needs_a_post(people, api):
    response = api(people.admin).get(_unlock_url(people.viewer.memberships.get()))

    assert response.status_code == 405
