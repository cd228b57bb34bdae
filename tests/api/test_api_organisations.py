"""Organisations and their members through the API."""

from assessments.models import Membership, Role
from tests.assessments.assessment_factories import UserFactory


def test_it_shows_the_callers_role(people, api):
    response = api(people.viewer).get("/api/v1/organisations/org-a/")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "org-a",
        "name": "甲公司",
        "created_at": response.json()["created_at"],
        "role": "viewer",
    }


def test_an_admin_lists_the_members(people, api):
    response = api(people.admin).get("/api/v1/organisations/org-a/members/")

    rows = response.json()["results"]
    assert sorted((row["username"], row["role"]) for row in rows) == sorted(
        [
            (people.admin.username, "admin"),
            (people.assessor.username, "assessor"),
            (people.viewer.username, "viewer"),
        ]
    )


def test_an_admin_adds_changes_and_removes_a_member(people, api):
    newcomer = UserFactory(username="newcomer")
    client = api(people.admin)

    added = client.post(
        "/api/v1/organisations/org-a/members/",
        {"identifier": "newcomer@example.com", "role": "viewer"},
        format="json",
    )
    membership = added.json()["id"]
    changed = client.patch(
        f"/api/v1/organisations/org-a/members/{membership}/",
        {"role": "assessor"},
        format="json",
    )
    assert Membership.objects.get(pk=membership).role == Role.ASSESSOR
    removed = client.delete(f"/api/v1/organisations/org-a/members/{membership}/")

    assert (added.status_code, changed.status_code, removed.status_code) == (
        201,
        200,
        204,
    )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_it_names_the_field_of_an_unknown_account(people, api):
    response = api(people.admin).post(
        "/api/v1/organisations/org-a/members/",
        {"identifier": "nobody", "role": "viewer"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["identifier"]
    assert "No single active account" in response.json()["message"]


def test_it_keeps_the_last_administrator(people, api):
    own = people.admin.memberships.get()

    response = api(people.admin).patch(
        f"/api/v1/organisations/org-a/members/{own.pk}/",
        {"role": "viewer"},
        format="json",
    )

    assert response.status_code == 400
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN


def test_a_membership_of_another_organisation_is_not_found(people, api):
    foreign = people.outsider.memberships.get()

    response = api(people.admin).delete(
        f"/api/v1/organisations/org-a/members/{foreign.pk}/"
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_an_admin_grants_and_revokes_auditor_access(people, api):
    UserFactory(username="newcomer")
    client = api(people.admin)
    url = f"/api/v1/assessments/{people.assessment.pk}/auditors/"

    granted = client.post(
        url, {"identifier": "newcomer", "expires_on": "2999-12-31"}, format="json"
    )
    grant = granted.json()["id"]
    revoked = client.post(f"{url}{grant}/revoke/")

    assert (granted.status_code, revoked.status_code) == (201, 200)
    assert granted.json()["is_active"] is True
    assert revoked.json()["is_active"] is False
    listed = client.get(url).json()["results"]
    assert {row["username"] for row in listed} >= {people.auditor.username, "newcomer"}


def test_a_member_cannot_be_made_an_auditor(people, api):
    response = api(people.admin).post(
        f"/api/v1/assessments/{people.assessment.pk}/auditors/",
        {"identifier": people.viewer.username},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["identifier"]
