"""Template helpers for the standard's text: level names, search matches."""

from django import template
from django.utils.html import format_html, format_html_join

from maturity.models import LEVEL_ORDINALS

register = template.Library()


@register.filter
def ordinal(level):
    """Return the rank of a level (a Level or its number) as the standard writes it.

    第一级 … 第五级 in Chinese, Level 1 … Level 5 in English.
    """
    number = getattr(level, "number", level)
    return LEVEL_ORDINALS.get(number, number)


@register.filter
def marked(segments):
    """Return ``(segment, is_match)`` pairs as HTML, each match in ``<mark>``."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<mark>{}</mark>", segment) if hit else segment,)
            for segment, hit in segments
        ),
    )
