"""Limits on how often a person may create API tokens."""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class TokenCreateThrottle(ScopedRateThrottle):
    """Throttle token creation per user under the ``token`` scope.

    The rate is read from the settings on each request rather than once at
    import, so that a changed ``DEFAULT_THROTTLE_RATES`` applies at once.
    The token page uses the same throttle, so both share one count.
    """

    scope_attr = "throttle_scope"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        # Only creating a token counts; listing and revoking do not.
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class TokenScope:
    """Stands in for a view where a page, not a DRF view, is throttled."""

    throttle_scope = "token"
