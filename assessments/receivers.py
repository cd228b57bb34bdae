"""What this app does when another app reports something about its people."""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.dispatch import receiver

from assessments.services.common import record_lockout


@receiver(user_locked_out, dispatch_uid="assessments.record_lockout")
def lockout_recorded(sender, *, request, username, **kwargs) -> None:
    """Record a lockout once, when the failed login that caused it is counted.

    django-axes also reports each further attempt while the lockout lasts;
    those are not new lockouts.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    credentials = getattr(request, "axes_credentials", None)
    if username and failures == get_failure_limit(request, credentials):
        record_lockout(username)
