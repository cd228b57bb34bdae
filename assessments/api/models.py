"""Personal API tokens: a name for each knox token a person creates.

Knox keeps only a digest of the token and its expiry; the name says what the
token is for, so that its owner or an administrator can tell which to revoke.
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalToken(models.Model):
    """A named knox token; deleting the knox token deletes this row too."""

    token = models.OneToOneField(
        "knox.AuthToken",
        on_delete=models.CASCADE,
        related_name="personal",
        verbose_name=_("token"),
    )
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        app_label = "api"
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def user(self):
        return self.token.user

    @property
    def expires_at(self):
        return self.token.expiry

    @property
    def last_day(self):
        """Return the last day the token is valid on, in the portal's time zone.

        Tokens are made to expire as their last day of validity ends, at the
        next midnight.
        """
        if self.token.expiry is None:
            return None
        return (
            timezone.localtime(self.token.expiry) - datetime.timedelta(seconds=1)
        ).date()

    @property
    def is_expired(self) -> bool:
        return self.token.expiry is not None and self.token.expiry <= timezone.now()
