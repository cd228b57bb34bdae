"""Reads of memberships and auditor grants."""

from assessments.models import AuditorGrant, Membership
from assessments.permissions import active_grants


def person_name(user) -> str:
    """Return the full name of ``user``, or the username when none is recorded."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def members_of(organisation):
    """Return the memberships of ``organisation`` with their users."""
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def grants_of(assessment):
    """Return every auditor grant of ``assessment``, newest first."""
    return list(
        AuditorGrant.objects.filter(assessment=assessment).select_related(
            "user", "granted_by", "revoked_by"
        )
    )


def granted_assessments(user):
    """Return the assessments ``user`` reviews through active grants."""
    grants = (
        active_grants().filter(user=user).select_related("assessment__organisation")
    )
    return [grant.assessment for grant in grants.order_by("assessment__title")]
