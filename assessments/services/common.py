"""What every service shares: its errors, the edit lock and history authors."""

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Answer, Assessment, Membership, status_in_sentence
from assessments.permissions import active_grants, require
from assessments.selectors.history import LOCKED_OUT, LOCKOUT_LIFTED
from maturity.catalogues import get_catalogue

User = get_user_model()


class AssessmentLocked(ValidationError):
    """Raised on a write the assessment's status no longer allows."""


class AnswerConflict(Exception):
    """Raised when an answer changed since the version the update was based on."""

    def __init__(self, current: Answer):
        super().__init__(
            _(
                "Someone else saved this answer in the meantime. Their version "
                "is shown; check it and save again."
            )
        )
        self.current = current


class SubmissionIncomplete(ValidationError):
    """Raised on submit while requirements lack a status, evidence or reason."""

    def __init__(self, problems):
        super().__init__(
            ngettext(
                "The assessment cannot be submitted yet: %(count)d requirement "
                "needs attention.",
                "The assessment cannot be submitted yet: %(count)d requirements "
                "need attention.",
                len(problems),
            )
            % {"count": len(problems)},
            code="incomplete",
        )
        self.problems = problems


class TransitionNotAllowed(ValidationError):
    """Raised on a status change that the current status does not allow."""


class ReviewClosed(ValidationError):
    """Raised on a verdict, finding or comment the status does not allow."""


def save_as(instance, actor, *, reason: str | None = None, **kwargs):
    """Save ``instance``, recording ``actor`` as the author in its history.

    Services also run outside requests (tasks, imports, the shell), where
    the history middleware knows no user. ``reason`` becomes the change
    reason of the new version.
    """
    instance._history_user = actor
    if reason is not None:
        instance._change_reason = reason
    instance.save(**kwargs)
    return instance


def lift_lockout(record, actor, *, unchanged: str) -> int:
    """Clear the failed logins of ``record.user`` from every address.

    Returns how many attempt records django-axes reset. Axes keeps no
    record of a reset, so when there was a lockout to lift, ``record`` (the
    membership or grant it was lifted through) is saved again as it is,
    its field ``unchanged`` written alone: a version whose change reason
    the histories tell as the lockout lifted.
    """
    count = axes_reset(username=record.user.get_username())
    if count:
        save_as(record, actor, reason=LOCKOUT_LIFTED, update_fields=[unchanged])
    return count


def record_lockout(username: str) -> None:
    """Leave the lockout of account ``username`` in the histories that show it.

    Each membership and active auditor grant of the account is saved again
    as it is, with no author (whoever typed the passwords is not known): a
    version whose change reason the histories tell as the lockout. An
    unknown username leaves nothing.
    """
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        return
    for membership in Membership.objects.filter(user=user):
        save_as(membership, None, reason=LOCKED_OUT, update_fields=["role"])
    for grant in active_grants().filter(user=user):
        save_as(grant, None, reason=LOCKED_OUT, update_fields=["revoked_at"])


def delete_as(instance, actor) -> None:
    """Delete ``instance``, recording ``actor`` as the author in its history."""
    instance._history_user = actor
    instance.delete()


def locked_error(assessment) -> AssessmentLocked:
    """Return the error for a write to answers or evidence of a locked assessment."""
    if assessment.is_finalised:
        message = _("The assessment is finalised and can no longer be changed.")
    else:
        message = _(
            "The assessment is %(status)s: answers and evidence can be changed only "
            "while it is a draft or has been returned."
        ) % {"status": status_in_sentence(assessment.status)}
    return AssessmentLocked(message, code="locked")


def lock_assessment(assessment, *, shared: bool = False) -> Assessment:
    """Lock ``assessment`` for the transaction and return it as stored.

    A ``shared`` lock lets writes that change only rows of their own, such
    as saves of different answers by several assessors, run side by side;
    it still waits for and holds off a status change, which takes the
    exclusive lock. On a database without row locks (SQLite) both are a
    plain read, as select_for_update is there.
    """
    if shared and connection.features.has_select_for_update:
        table = connection.ops.quote_name(Assessment._meta.db_table)
        column = connection.ops.quote_name(Assessment._meta.pk.column)
        rows = Assessment.objects.raw(
            f"SELECT * FROM {table} WHERE {column} = %s FOR SHARE",  # noqa: S608
            [assessment.pk],
        )
        return rows[0]
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def lock_editable(assessment, actor, action, *, shared: bool = False) -> Assessment:
    """Lock ``assessment`` for the transaction and check it can be changed."""
    require(actor, action, assessment)
    locked = lock_assessment(assessment, shared=shared)
    if not locked.is_editable:
        raise locked_error(locked)
    return locked


def page_codes(framework_id, area: str) -> list[str]:
    """Return the requirement codes of questionnaire page ``area``, or refuse it."""
    codes = [
        ref.code for ref in get_catalogue(framework_id).requirements if ref.area == area
    ]
    if not codes:
        raise ValidationError(_("This page of the questionnaire does not exist."))
    return codes


def find_user(identifier: str):
    """Return the one active user with this username or e-mail, or None."""
    identifier = identifier.strip()
    if not identifier:
        return None
    lookup = Q(username=identifier)
    if "@" in identifier:
        lookup |= Q(email__iexact=identifier)
    matches = list(User.objects.filter(lookup, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None
