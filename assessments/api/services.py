"""Writes of personal API tokens: creating and revoking them.

A token acts as its owner, with the owner's roles and grants, and nothing
else; it is shown once and only its digest is kept. Its owner, and the
administrators of an organisation the owner belongs to, may revoke it.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from knox.models import AuthToken
from knox.settings import knox_settings

from assessments.api.models import PersonalToken
from assessments.permissions import Action, can, organisations_of

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_LIMIT = 20
# The longest a token with a last day may last; one meant to work for longer
# is created without one. The limit also keeps the moment it expires, the
# start of the day after the last, within the calendar.
MAX_TOKEN_YEARS = 5


def latest_last_day(today: datetime.date) -> datetime.date:
    """Return the latest last day of validity a token created ``today`` may have."""
    try:
        return today.replace(year=today.year + MAX_TOKEN_YEARS)
    except ValueError:
        # 29 February, in a year that has none.
        return today.replace(year=today.year + MAX_TOKEN_YEARS, day=28)


def _expiry(expires_on: datetime.date | None) -> datetime.datetime | None:
    """Return the end of the last day of validity, in the portal's time zone."""
    if expires_on is None:
        return None
    today = timezone.localdate()
    if expires_on < today:
        raise ValidationError(
            {"expires_on": _("The last day of validity cannot be in the past.")}
        )
    latest = latest_last_day(today)
    if expires_on > latest:
        raise ValidationError(
            {
                "expires_on": ValidationError(
                    ngettext(
                        "The last day of validity can be at most %(years)d year "
                        "from today, %(latest)s. Choose an earlier day, or leave "
                        "it empty for a token that does not expire.",
                        "The last day of validity can be at most %(years)d years "
                        "from today, %(latest)s. Choose an earlier day, or leave "
                        "it empty for a token that does not expire.",
                        MAX_TOKEN_YEARS,
                    )
                    % {"years": MAX_TOKEN_YEARS, "latest": latest.isoformat()},
                    code="too_late",
                )
            }
        )
    next_day = datetime.datetime.combine(
        expires_on + datetime.timedelta(days=1), datetime.time.min
    )
    return timezone.make_aware(next_day)


@transaction.atomic
def token_create(
    *, user, name: str, expires_on: datetime.date | None = None
) -> tuple[PersonalToken, str]:
    """Create a named token for ``user``; return it with its secret.

    The secret is returned only here: knox keeps a digest of it.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what it is for.")})
    expiry = _expiry(expires_on)
    limit = knox_settings.TOKEN_LIMIT_PER_USER or DEFAULT_TOKEN_LIMIT
    # Locking the owner keeps two requests at once from passing the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    active = AuthToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
    if active.count() >= limit:
        raise ValidationError(
            _(
                "You have %(count)d tokens, the most allowed. Revoke one you no "
                "longer use first."
            )
            % {"count": limit},
            code="too_many_tokens",
        )

    knox_token, secret = AuthToken.objects.create(user=user, expiry=None)
    if expiry is not None:
        knox_token.expiry = expiry
        knox_token.save(update_fields=["expiry"])
    token = PersonalToken.objects.create(token=knox_token, name=name)
    logger.info("API token %s created by user %s", token.pk, user.pk)
    return token, secret


def can_revoke(actor, token: PersonalToken) -> bool:
    """Return whether ``actor`` may revoke ``token``: owner or their admin."""
    owner = token.token.user
    if actor.pk == owner.pk:
        return True
    return any(
        can(actor, Action.MANAGE_MEMBERS, organisation)
        for organisation in organisations_of(owner)
    )


@transaction.atomic
def token_revoke(*, token: PersonalToken, actor) -> None:
    """End ``token`` now; a request sent with it afterwards is refused."""
    if not can_revoke(actor, token):
        raise PermissionDenied(_("Only the owner or their administrator may do this."))

    pk = token.pk
    token.token.delete()
    logger.info("API token %s revoked by user %s", pk, actor.pk)
