"""Writes of organisations and their memberships."""

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Membership, Organisation, Role
from assessments.permissions import Action, active_grants, forget_access, require
from assessments.selectors import person_name
from assessments.services.common import (
    User,
    delete_as,
    find_user,
    lift_lockout,
    save_as,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def organisation_create(*, name: str, slug: str, actor) -> Organisation:
    """Create an organisation with ``actor`` as its first administrator."""
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": _("This short name is taken. Choose another one.")}
        )
    organisation = Organisation.objects.create(name=name, slug=slug)
    save_as(Membership(user=actor, organisation=organisation, role=Role.ADMIN), actor)
    forget_access(actor)
    logger.info("Organisation %s created by user %s", organisation.pk, actor.pk)
    return organisation


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})


def _refuse_auditor_as_member(organisation, user) -> None:
    if (
        active_grants()
        .filter(user=user, assessment__organisation=organisation)
        .exists()
    ):
        raise ValidationError(
            _(
                "%(user)s audits an assessment of this organisation; revoke the "
                "grant before adding them as a member."
            )
            % {"user": person_name(user)}
        )


@transaction.atomic
def membership_add(*, organisation, identifier: str, role: str, actor) -> Membership:
    """Add the existing user named by username or e-mail ``identifier``."""
    require(actor, Action.MANAGE_MEMBERS, organisation)
    _check_role(role)
    user = find_user(identifier)
    if user is None:
        raise ValidationError(
            {
                "identifier": _(
                    "No single active account has this username or e-mail address. "
                    "Check the spelling, or create the account below."
                )
            }
        )
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"identifier": _("This person is already a member.")})
    _refuse_auditor_as_member(organisation, user)

    membership = save_as(
        Membership(organisation=organisation, user=user, role=role), actor
    )
    forget_access(user)
    logger.info(
        "User %s added to organisation %s as %s by user %s",
        user.pk,
        organisation.pk,
        role,
        actor.pk,
    )
    return membership


@transaction.atomic
def membership_create_user(
    *,
    organisation,
    username: str,
    email: str,
    password: str,
    role: str,
    actor,
) -> Membership:
    """Create an account and make it a member of ``organisation``.

    A username differing from another only in case, or an e-mail address
    another account has, is refused: people would take one account for the
    other, and adding a member by e-mail needs it to name one account.
    """
    require(actor, Action.MANAGE_MEMBERS, organisation)
    _check_role(role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Another account has this e-mail address.")})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None

    user.set_password(password)
    user.save()
    membership = save_as(
        Membership(organisation=organisation, user=user, role=role), actor
    )
    logger.info(
        "User %s created in organisation %s by user %s",
        user.pk,
        organisation.pk,
        actor.pk,
    )
    return membership


def _lock_members(organisation_id, actor) -> None:
    """Take the organisation's lock on its members, then check ``actor`` again.

    Two administrators demoting each other at once would otherwise each lock
    the other's row and wait for their own: changes to an organisation's
    members take turns here. The second in turn may no longer be an
    administrator.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    forget_access(actor)
    require(actor, Action.MANAGE_MEMBERS, organisation)


def _refuse_last_admin(membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.role == Role.ADMIN and not others.exists():
        raise ValidationError(
            _(
                "An organisation needs at least one administrator. Make someone "
                "else an administrator first."
            )
        )


@transaction.atomic
def membership_change_role(*, membership, role: str, actor) -> Membership:
    """Give ``membership`` another role, keeping at least one administrator."""
    require(actor, Action.MANAGE_MEMBERS, membership.organisation)
    _check_role(role)
    _lock_members(membership.organisation_id, actor)
    if role != Role.ADMIN:
        _refuse_last_admin(membership)

    membership.role = role
    save_as(membership, actor, update_fields=["role"])
    forget_access(membership.user)
    logger.info("Membership %s now %s, by user %s", membership.pk, role, actor.pk)
    return membership


@transaction.atomic
def membership_remove(*, membership, actor) -> None:
    """Remove a member, keeping at least one administrator."""
    require(actor, Action.MANAGE_MEMBERS, membership.organisation)
    _lock_members(membership.organisation_id, actor)
    _refuse_last_admin(membership)

    pk = membership.pk
    delete_as(membership, actor)
    forget_access(membership.user)
    logger.info("Membership %s removed by user %s", pk, actor.pk)


@transaction.atomic
def membership_unlock(*, membership, actor) -> int:
    """Lift a member's lockout after failed logins; return the attempts reset.

    Clears the failures of the member's username from every address, through
    django-axes' own reset, so the next login is counted from zero. The
    organisation's history keeps who lifted it and when, as a version of the
    membership with the same role: axes keeps no record of a reset.
    """
    require(actor, Action.MANAGE_MEMBERS, membership.organisation)

    count = lift_lockout(membership, actor, unchanged="role")
    logger.info(
        "Login lockout of user %s lifted by user %s of organisation %s "
        "(%d attempt records reset)",
        membership.user_id,
        actor.pk,
        membership.organisation_id,
        count,
    )
    return count
