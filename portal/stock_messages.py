"""Django's own messages that the portal's Chinese catalogue words itself.

Django's Simplified Chinese catalogue addresses people as 你 where the portal
says 您, and lags behind Django's English: Django 5.2 gave the message of a
too-short password a new msgid (``%d`` for ``%(min_length)d``) that its
catalogue does not have yet, so that message showed in English. The portal's
catalogue takes precedence over Django's and Django REST framework's, and
listing the messages here keeps them in it: ``makemessages --no-obsolete``
drops any msgid no source file marks. Nothing imports this module at run
time.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

PASSWORD_MESSAGES = [
    # The help texts under a new password, and the errors of the same
    # validators.
    gettext_noop(
        "Your password can’t be too similar to your other personal information."
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
]

FIELD_MESSAGES = [
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has "
        "%(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has "
        "%(show_value)d).",
    ),
    # Django REST framework's catalogue translates this msgid too, and its
    # wording wins over Django's unless the portal's own is there.
    gettext_noop("Enter a valid URL."),
    # Django's Chinese for it reads as nonsense ("不允许是用空字符串").
    gettext_noop("Null characters are not allowed."),
]

TEXT_MESSAGES = [
    # What ``truncatechars`` ends a shortened text with: Django's Chinese
    # gives three full stops, which also count against the length kept.
    pgettext_lazy("String to return when truncating text", "%(truncated_text)s…"),
]
