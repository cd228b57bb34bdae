"""Managing members and auditor grants from the portal's own pages."""

import datetime

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AuditorGrant, Membership, Role, Status
from assessments.permissions import assessments_visible_to
from tests.assessments.assessment_factories import UserFactory, set_status

User = get_user_model()


def _members(org):
    return reverse("assessments:member-list", args=[org])


def test_it_adds_an_existing_user_by_email(people, login):
    newcomer = UserFactory(username="li", email="Li.Ming@example.com")
    client = login(people.admin)

    client.post(
        reverse("assessments:member-add", args=["org-a"]),
        {"add-identifier": "li.ming@example.com", "add-role": "assessor"},
    )

    assert Membership.objects.get(user=newcomer).role == Role.ASSESSOR


def test_it_says_when_nobody_matches(people, login):
    client = login(people.admin)

    response = client.post(
        reverse("assessments:member-add", args=["org-a"]),
        {"add-identifier": "ghost", "add-role": "viewer"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "No single active account" in response.content.decode()


def test_it_creates_an_account_with_a_valid_password(people, login):
    client = login(people.admin)

    client.post(
        reverse("assessments:member-create", args=["org-a"]),
        {
            "create-username": "wang",
            "create-email": "wang@example.com",
            "create-password": "quiet-river-basalt-71",
            "create-role": "viewer",
        },
    )

    user = User.objects.get(username="wang")
    assert user.check_password("quiet-river-basalt-71")
    assert user.memberships.get().role == Role.VIEWER


@pytest.mark.parametrize(
    ("username", "email", "refused"),
    [
        ("Admin-Of-A", "", "This username is taken."),
        ("newcomer", "TAKEN@example.com", "Another account has this e-mail address."),
    ],
)
def test_it_refuses_an_account_others_would_take_for_another(
    people, login, username, email, refused
):
    UserFactory(username="admin-of-a", email="taken@example.com")
    client = login(people.admin)

    response = client.post(
        reverse("assessments:member-create", args=["org-a"]),
        {
            "create-username": username,
            "create-email": email,
            "create-password": "quiet-river-basalt-71",
            "create-role": "viewer",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert refused in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_it_refuses_a_weak_password(people, login, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = login(people.admin)

    response = client.post(
        reverse("assessments:member-create", args=["org-a"]),
        {
            "create-username": "zhao",
            "create-password": "12345678",
            "create-role": "viewer",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="zhao").exists()


def test_it_keeps_the_last_administrator(people):
    membership = people.admin.memberships.get()

    with pytest.raises(services.ValidationError):
        services.membership_change_role(
            membership=membership, role=Role.VIEWER, actor=people.admin
        )
    with pytest.raises(services.ValidationError):
        services.membership_remove(membership=membership, actor=people.admin)

    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_it_changes_a_role_and_removes_a_member(people, login):
    viewer = people.viewer.memberships.get()
    client = login(people.admin)

    client.post(
        reverse("assessments:member-role", args=["org-a", viewer.pk]),
        {"role": "assessor"},
    )
    viewer.refresh_from_db()
    assert viewer.role == Role.ASSESSOR
    client.post(reverse("assessments:member-remove", args=["org-a", viewer.pk]))

    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert not assessments_visible_to(people.viewer).exists()


def test_it_does_not_reach_members_of_another_organisation(people, login):
    foreign = people.outsider.memberships.get()
    client = login(people.admin)

    response = client.post(
        reverse("assessments:member-remove", args=["org-a", foreign.pk])
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_it_grants_an_auditor_one_assessment(people, login):
    auditor = UserFactory(username="audit-co")
    client = login(people.admin)
    last_day = timezone.localdate() + datetime.timedelta(days=30)

    client.post(
        reverse("assessments:auditor-list", args=[people.assessment.pk]),
        {"identifier": "audit-co", "expires_on": last_day.isoformat()},
    )

    grant = AuditorGrant.objects.get(user=auditor)
    assert (grant.assessment, grant.granted_by, grant.expires_on) == (
        people.assessment,
        people.admin,
        last_day,
    )
    assert list(assessments_visible_to(auditor)) == [people.assessment]


def test_it_refuses_a_member_as_auditor(people):
    with pytest.raises(services.ValidationError) as raised:
        services.auditor_grant(
            assessment=people.assessment,
            identifier=people.viewer.username,
            expires_on=None,
            actor=people.admin,
        )

    assert "identifier" in raised.value.error_dict
    assert not AuditorGrant.objects.filter(user=people.viewer).exists()


def test_access_ends_after_the_last_day(people, login):
    grant = people.auditor.auditor_grants.get()
    grant.expires_on = timezone.localdate()
    grant.save()
    client = login(people.auditor)
    url = people.assessment.get_absolute_url()
    assert client.get(url).status_code == 200

    grant.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    grant.save()

    assert client.get(url).status_code == 404


def test_a_finalised_assessment_offers_no_grant_form(people, login):
    set_status(people.assessment, Status.FINALISED)
    client = login(people.admin)

    response = client.get(
        reverse("assessments:auditor-list", args=[people.assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="identifier"' not in body
    assert "no further auditor can be granted access" in body
    assert "Revoke" in body


def test_it_refuses_a_grant_on_a_finalised_assessment(people, login):
    UserFactory(username="audit-co")
    set_status(people.assessment, Status.FINALISED)
    url = reverse("assessments:auditor-list", args=[people.assessment.pk])
    client = login(people.admin)

    response = client.post(
        url, {"identifier": "audit-co"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    assert "The assessment is finalised and can no longer be changed." in (
        response.content.decode()
    )
    assert not AuditorGrant.objects.filter(user__username="audit-co").exists()


def test_the_service_refuses_a_grant_on_a_finalised_assessment(people):
    UserFactory(username="audit-co")
    set_status(people.assessment, Status.FINALISED)

    with pytest.raises(services.AssessmentLocked):
        services.auditor_grant(
            assessment=people.assessment,
            identifier="audit-co",
            expires_on=None,
            actor=people.admin,
        )
    assert not AuditorGrant.objects.filter(user__username="audit-co").exists()


def test_it_still_revokes_a_grant_of_a_finalised_assessment(people, login):
    set_status(people.assessment, Status.FINALISED)
    grant = people.auditor.auditor_grants.get()

    login(people.admin).post(
        reverse("assessments:auditor-revoke", args=[people.assessment.pk, grant.pk])
    )

    grant.refresh_from_db()
    assert grant.revoked_by == people.admin


def test_it_revokes_a_grant(people, login):
    grant = people.auditor.auditor_grants.get()
    client = login(people.admin)

    client.post(
        reverse("assessments:auditor-revoke", args=[people.assessment.pk, grant.pk])
    )

    grant.refresh_from_db()
    assert grant.revoked_by == people.admin
    assert not assessments_visible_to(people.auditor).exists()


def test_it_switches_organisation(people, login):
    from tests.assessments.assessment_factories import MembershipFactory

    MembershipFactory(user=people.assessor, organisation=people.org_b, role=Role.VIEWER)
    client = login(people.assessor)

    page = client.get(reverse("home")).content.decode()
    response = client.get(reverse("assessments:organisation-switch"), {"org": "org-b"})

    assert 'id="org-switcher"' in page
    assert response["Location"] == people.org_b.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_it_refuses_to_switch_to_a_foreign_organisation(people, login):
    client = login(people.assessor)

    response = client.get(reverse("assessments:organisation-switch"), {"org": "org-b"})

    assert response.status_code == 404


def test_staff_create_an_organisation(db, login):
    staff = UserFactory(is_staff=True)
    client = login(staff)

    client.post(
        reverse("assessments:organisation-create"), {"name": "丙公司", "slug": "org-c"}
    )

    assert Membership.objects.get(user=staff).organisation.slug == "org-c"


def test_others_do_not_create_organisations(people, login):
    client = login(people.admin)

    response = client.post(
        reverse("assessments:organisation-create"), {"name": "丁", "slug": "org-d"}
    )

    assert response.status_code == 403


def test_an_admin_who_makes_themselves_a_viewer_lands_on_the_organisation(
    people, login
):
    other = UserFactory(username="second-admin")
    Membership.objects.create(organisation=people.org_a, user=other, role=Role.ADMIN)
    own = Membership.objects.get(organisation=people.org_a, user=people.admin)
    client = login(people.admin)

    response = client.post(
        reverse("assessments:member-role", args=["org-a", own.pk]),
        {"role": "viewer"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "assessments:organisation-detail", args=["org-a"]
    )
    own.refresh_from_db()
    assert own.role == Role.VIEWER


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_changes_to_members_wait_for_the_organisations_turn(people):
    """Two administrators demoting each other take turns instead of deadlocking."""
    membership = people.viewer.memberships.get()
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM assessments_organisation WHERE id = %s FOR UPDATE",
                [people.org_a.pk],
            )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")

        with pytest.raises(OperationalError, match="lock timeout"):
            services.membership_change_role(
                membership=membership, role=Role.ASSESSOR, actor=people.admin
            )
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")

    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
