"""Template helpers for the standard's text: how its levels are named."""

from django import template

from maturity.models import LEVEL_ORDINALS

register = template.Library()


@register.filter
def ordinal(level):
    """Return the rank of a level (a Level or its number) as the standard writes it.

    第一级 … 第五级 in Chinese, Level 1 … Level 5 in English.
    """
    number = getattr(level, "number", level)
    return LEVEL_ORDINALS.get(number, number)
