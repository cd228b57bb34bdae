"""Bounds of what people type: how long a free text, which years a date.

The services check every such value they store against these bounds, so
the pages, the API and the imports refuse it alike, with one message.
"""

import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TextLimit(NamedTuple):
    label: str
    length: int


# Evidence notes and descriptions, finding descriptions and justifications
# carry the substance of a document, an observation or an answer: 20,000
# characters is some ten printed pages, and the questionnaire has taken
# justifications that long from the start, so no stored answer becomes one
# that cannot be saved again. Comments, verdict comments, return reasons and
# scope statements are remarks, for which 10,000 is still several pages.
# Anything longer is a document pasted into a text field, better attached as
# an evidence file, and it swamps every page and history entry showing it.
LONG_TEXT = 20_000
SHORT_TEXT = 10_000

# The limit of each free-text field, by the name the services and the API
# give it.
TEXT_LIMITS = {
    "note": TextLimit(gettext_lazy("Note"), LONG_TEXT),
    "description": TextLimit(gettext_lazy("Description"), LONG_TEXT),
    "justification": TextLimit(gettext_lazy("Justification"), LONG_TEXT),
    "scope": TextLimit(gettext_lazy("Scope statement"), SHORT_TEXT),
    "comment": TextLimit(gettext_lazy("Reason or question"), SHORT_TEXT),
    "text": TextLimit(gettext_lazy("Comment"), SHORT_TEXT),
    "reason": TextLimit(gettext_lazy("What the assessors need to fix"), SHORT_TEXT),
}

# A date control takes any year from 1 to 9999, and a slip of the keyboard
# lands there; no assessment period or evidence of AI model governance falls
# before 1990 or after 2100.
FIRST_YEAR = 1990
LAST_YEAR = 2100
DATE_LABELS = {
    "period_start": gettext_lazy("Period start"),
    "period_end": gettext_lazy("Period end"),
    "effective_from": gettext_lazy("Effective from"),
}


def text_too_long(field: str, text: str) -> str | None:
    """Return why ``text`` is too long for ``field``, or None when it is not."""
    label, limit = TEXT_LIMITS[field]
    if len(text) <= limit:
        return None
    return _(
        "“%(field)s” is too long (%(count)d characters); shorten it to at most "
        "%(limit)d."
    ) % {"field": label, "count": len(text), "limit": limit}


def date_out_of_range(field: str, value: datetime.date | None) -> str | None:
    """Return why ``value`` is no date for ``field``, or None when it is one."""
    if value is None or FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return _("“%(field)s” must be a date in the years %(first)d to %(last)d.") % {
        "field": DATE_LABELS[field],
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def check_bounds(**values) -> None:
    """Raise ValidationError naming each text or date past its field's bounds.

    Each keyword is a field of TEXT_LIMITS or DATE_LABELS.
    """
    errors = {}
    for field, value in values.items():
        if field in TEXT_LIMITS:
            message, code = text_too_long(field, value), "too_long"
        else:
            message, code = date_out_of_range(field, value), "out_of_range"
        if message:
            errors[field] = ValidationError(message, code=code)
    if errors:
        raise ValidationError(errors)


class TextLengthValidator(MaxLengthValidator):
    """Refuse a text past its field's limit with the services' message.

    A MaxLengthValidator, so that the API schema documents the limit.
    """

    def __init__(self, field: str):
        super().__init__(TEXT_LIMITS[field].length)
        self.field = field

    def __call__(self, value):
        message = text_too_long(self.field, value)
        if message:
            raise ValidationError(message, code="too_long")
