"""The Jinja2 environment, for the parts of pages that repeat a block many times.

A questionnaire page shows every requirement of a module with its answer,
evidence, verdict and forms. Django's template language takes about a
millisecond for each of them, Jinja2, which compiles templates to Python
code, a fraction of that. The pages themselves still extend ``base.html``;
the engine named ``jinja2`` in the settings renders only such parts, and
knows the same filters, under the same names, as the Django templates use.

Translations go through Django's catalogue: ``_()`` and ``{% trans %}``
blocks take the same message ids as ``{% translate %}`` and
``{% blocktranslate %}`` would, and their text is trusted, as in Django,
while the values put into it are escaped.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.template import defaultfilters
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, Undefined, pass_environment
from jinja2.ext import babel_extract
from markupsafe import Markup

from assessments.templatetags.assessment_tags import (
    grouped_parts,
    level_name,
    percent,
    person,
)
from maturity.templatetags.maturity_tags import ordinal


def environment(**options) -> Environment:
    """Return the Jinja2 environment the ``jinja2`` template engine renders with."""
    # Django's backend, in DEBUG, prints a missing variable's name on the
    # page; render nothing, as Django's own templates do. Escaping is never
    # left to the settings.
    options["undefined"] = Undefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(static=static, url=url)
    env.filters.update(
        date=date,
        filesizeformat=defaultfilters.filesizeformat,
        grouped_parts=grouped_parts,
        level_name=level_name,
        linebreaksbr=linebreaksbr,
        ordinal=ordinal,
        percent=percent,
        person=person,
        requirement_body=requirement_body,
        truncatechars=defaultfilters.truncatechars,
    )
    return env


def render_part(template_name: str, context: dict) -> SafeString:
    """Render the Jinja2 template ``template_name``, for a Django page to show."""
    html = render_to_string(template_name, context, using="jinja2")
    # Jinja2 escaped what it put in; its output goes into the page as it is.
    return mark_safe(html)  # noqa: S308


def url(name: str, *args) -> str:
    """Return the address of the URL pattern ``name`` with positional ``args``."""
    return reverse(name, args=args)


# Django date formats that read the same in every language, and their
# strftime equivalents, which cost a small fraction of Django's formatter.
STRFTIME = {"Y-m-d": "%Y-%m-%d", "Y-m-d H:i": "%Y-%m-%d %H:%M"}


def date(value, format_string: str) -> str:
    """Format a date, or a datetime in the current time zone, as Django's filter.

    Django's engine moves a datetime to the current time zone before its
    ``date`` filter sees it; called from here, the filter has to be given
    the local time.
    """
    if value is None:
        return ""
    value = timezone.template_localtime(value)
    if format_string in STRFTIME:
        return value.strftime(STRFTIME[format_string])
    return defaultfilters.date(value, format_string)


# The template of a requirement's text as the standard writes it.
REQUIREMENT_BODY = "assessments/_requirement_text.jinja"


@pass_environment
def requirement_body(env: Environment, requirement) -> str:
    """Return the text, items and notes of ``requirement`` as HTML.

    The standard's text never changes and every questionnaire page shows
    it, so each text is rendered once per process, kept by what it says.
    """
    parts = tuple(
        (part.get("kind"), part.get("text", "")) for part in requirement.parts
    )
    return _requirement_body(env, requirement.text, parts)


@lru_cache(maxsize=2048)
def _requirement_body(env: Environment, text: str, parts: tuple) -> str:
    template = env.get_template(REQUIREMENT_BODY)
    parts = [{"kind": kind, "text": part_text} for kind, part_text in parts]
    return Markup(template.render(text=text, parts=parts))  # noqa: S704


def linebreaksbr(value) -> str:
    """Escape ``value`` and turn its line breaks into ``<br>``."""
    return defaultfilters.linebreaksbr(value, autoescape=True)


@dataclass(frozen=True)
class Message:
    """A translatable string of a Jinja2 template, and where it is."""

    msgid: str
    msgid_plural: str | None
    path: str
    line: int


GETTEXT_NAMES = ("_", "gettext", "ngettext")


def jinja_messages(folder: Path) -> Iterator[Message]:
    """Yield the translatable strings of the Jinja2 templates under ``folder``.

    makemessages does not read these templates; its command in this project
    adds what this finds.
    """
    for path in sorted(folder.rglob("*.jinja")):
        with path.open("rb") as source:
            found = babel_extract(
                source, GETTEXT_NAMES, [], {"extensions": "jinja2.ext.i18n"}
            )
            for line, _function, message, _comments in found:
                forms = message if isinstance(message, tuple) else (message,)
                if forms[0]:
                    plural = forms[1] if len(forms) > 1 else None
                    yield Message(forms[0], plural, os.path.relpath(path), line)
