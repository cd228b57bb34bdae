"""Authentication of the API: by personal token, or by the portal's session.

Knox refuses an expired token with the message it gives an unknown one, and
deletes it. Saying that the token expired, and when, tells the owner of a
script to create a new one rather than look for a mistyped secret. DRF
refuses a session's request that fails the CSRF check in English, with
Django's reason; here it is refused in the caller's language, saying what
to send.
"""

import logging
from hmac import compare_digest

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from rest_framework import authentication, exceptions

logger = logging.getLogger(__name__)


class TokenExpired(exceptions.AuthenticationFailed):
    """A token that was valid once, sent after its expiry."""

    default_code = "token_expired"


class CsrfFailed(exceptions.PermissionDenied):
    """A request with the session's cookie that failed the CSRF check."""

    default_code = "csrf_failed"


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token authentication, which says when an expired token expired.

    Only the first request with an expired token learns that it expired:
    knox deletes the token as it refuses it, and afterwards it is unknown.
    DRF makes an instance for each request, so what one saw stays its own.
    """

    def authenticate_credentials(self, token: bytes):
        # The expired tokens knox deleted while looking for this one.
        self._deleted = []
        try:
            return super().authenticate_credentials(token)
        except exceptions.AuthenticationFailed:
            expired = self._expired(token)
            if expired is None:
                raise
            logger.warning("Expired API token of user %s refused", expired.user_id)
            raise TokenExpired(
                _(
                    "This token expired at %(when)s. Create a new token at "
                    "%(url)s and send that one instead."
                )
                % {
                    "when": timezone.localtime(expired.expiry).isoformat(
                        timespec="seconds"
                    ),
                    "url": reverse("api-tokens"),
                }
            ) from None

    def _cleanup_token(self, auth_token) -> bool:
        # The digest is the token's primary key, which deleting it clears.
        digest = auth_token.digest
        deleted = super()._cleanup_token(auth_token)
        if deleted:
            self._deleted.append((digest, auth_token))
        return deleted

    def _expired(self, token: bytes):
        """Return the deleted token that ``token`` was, if any."""
        try:
            digest = hash_token(token.decode())
        except (UnicodeDecodeError, TypeError, ValueError):
            return None
        return next(
            (old for known, old in self._deleted if compare_digest(digest, known)),
            None,
        )


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, refusing a failed CSRF check as the API does."""

    def enforce_csrf(self, request):
        check = authentication.CSRFCheck(lambda request: None)
        # Puts the cookie's token in request.META, where the check reads it.
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if not reason:
            return
        # The session's user, since asking the request would authenticate again.
        user = request._request.user
        logger.warning("CSRF check of user %s failed: %s", user.pk, reason)
        header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
        raise CsrfFailed(
            _(
                "The request was sent with the portal's session and failed its "
                "CSRF check. Send the value of the %(cookie)s cookie in the "
                "%(header)s header, from a page at the portal's own address, or "
                "authenticate with an API token instead."
            )
            % {"cookie": settings.CSRF_COOKIE_NAME, "header": header}
        )


class TokenScheme(KnoxTokenScheme):
    """The token scheme of the API schema, as knox's own class has it."""

    target_class = TokenAuthentication


class SessionScheme(SpectacularSessionScheme):
    """The session scheme of the API schema, as DRF's own class has it."""

    target_class = SessionAuthentication
