"""Reads of failed logins: which accounts django-axes keeps locked out now."""

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum
from django.utils import timezone


def locked_out_usernames(usernames) -> set[str]:
    """Return those of ``usernames`` locked out from some address; one query.

    Counts as axes does: the failures of a username and address since the
    cool-off began, against the failure limit.
    """
    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    limit = get_failure_limit(None, None)
    locked = (
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=limit)
    )
    return {row["username"] for row in locked}
