"""Authentication of the API by personal token, saying when a token expired.

Knox refuses an expired token with the message it gives an unknown one, and
deletes it. Saying that the token expired, and when, tells the owner of a
script to create a new one rather than look for a mistyped secret.
"""

import logging
from hmac import compare_digest

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

logger = logging.getLogger(__name__)


class TokenExpired(exceptions.AuthenticationFailed):
    """A token that was valid once, sent after its expiry."""

    default_code = "token_expired"


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


class TokenScheme(KnoxTokenScheme):
    """The token scheme of the API schema, as knox's own class has it."""

    target_class = TokenAuthentication
