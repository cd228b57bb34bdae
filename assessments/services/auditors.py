"""Writes of third-party auditors' access to assessments."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AuditorGrant, Membership
from assessments.permissions import Action, active_grants, forget_access, require
from assessments.selectors import person_name
from assessments.services.common import (
    find_user,
    lift_lockout,
    lock_assessment,
    locked_error,
    save_as,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def auditor_grant(
    *, assessment, identifier: str, expires_on: date | None, actor
) -> AuditorGrant:
    """Give the user named by ``identifier`` auditor access to ``assessment``.

    A finalised assessment is read-only: nobody new may be let in to audit it.
    """
    require(actor, Action.MANAGE_AUDITORS, assessment)
    locked = lock_assessment(assessment)
    if locked.is_finalised:
        raise locked_error(locked)
    user = find_user(identifier)
    if user is None:
        raise ValidationError(
            {
                "identifier": _(
                    "No single active account has this username or e-mail address."
                )
            }
        )
    if Membership.objects.filter(
        organisation_id=assessment.organisation_id, user=user
    ).exists():
        raise ValidationError(
            {
                "identifier": _(
                    "Members of the organisation cannot audit it; an auditor must "
                    "be a third party."
                )
            }
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError(
            {"expires_on": _("The last day of access cannot be in the past.")}
        )
    if active_grants().filter(assessment=assessment, user=user).exists():
        raise ValidationError(
            {"identifier": _("This auditor already has access to the assessment.")}
        )

    grant = save_as(
        AuditorGrant(
            assessment=assessment, user=user, granted_by=actor, expires_on=expires_on
        ),
        actor,
    )
    forget_access(user)
    logger.info(
        "Auditor %s granted assessment %s by user %s",
        user.pk,
        assessment.pk,
        actor.pk,
    )
    return grant


@transaction.atomic
def auditor_revoke(*, grant, actor) -> AuditorGrant:
    """End an auditor's access now."""
    require(actor, Action.MANAGE_AUDITORS, grant.assessment)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        save_as(grant, actor, update_fields=["revoked_at", "revoked_by"])
        forget_access(grant.user)
        logger.info("Auditor grant %s revoked by user %s", grant.pk, actor.pk)
    return grant


@transaction.atomic
def auditor_unlock(*, grant, actor) -> int:
    """Lift the lockout of an auditor after failed logins; return the attempts reset.

    As for a member (see ``membership_unlock``): django-axes forgets the
    failures of the auditor's username from every address, and the
    assessment's history keeps who lifted the lockout, as a version of the
    grant. Only a grant still open can be unlocked through.
    """
    require(actor, Action.MANAGE_AUDITORS, grant.assessment)
    if not grant.is_active:
        raise ValidationError(
            _("The access of %(user)s has ended: there is no login to unlock here.")
            % {"user": person_name(grant.user)},
            code="grant_ended",
        )

    count = lift_lockout(grant, actor, unchanged="revoked_at")
    logger.info(
        "Login lockout of auditor %s lifted by user %s for assessment %s "
        "(%d attempt records reset)",
        grant.user_id,
        actor.pk,
        grant.assessment_id,
        count,
    )
    return count
