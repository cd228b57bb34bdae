"""Template helpers of the portal's pages: switcher, people, figures, levels."""

from django import template
from django.template import engines

from assessments import uploads
from assessments.selectors import memberships_of, person_name
from assessments.selectors.assessments import ended_audits as ended_audits_of

register = template.Library()


@register.inclusion_tag("assessments/_switcher.html", takes_context=True)
def organisation_switcher(context, current=None):
    """Render the organisation switcher for the signed-in user; one query."""
    request = context["request"]
    memberships = memberships_of(request.user) if request.user.is_authenticated else []
    return {"memberships": memberships, "current": current, "request": request}


@register.simple_tag(takes_context=True)
def ended_audits(context):
    """Return the ended auditor grants of the signed-in user; one query."""
    return ended_audits_of(context["request"].user)


@register.simple_tag
def requirement_text(requirement):
    """Render the text of a requirement as the questionnaire shows it."""
    from portal.jinja2 import requirement_body

    return requirement_body(engines["jinja2"].env, requirement)


@register.filter
def person(user):
    """Return how a person is shown: the full name, else the username."""
    return person_name(user)


@register.filter
def percent(value):
    """Return a share between 0 and 1 as a whole percentage, or an em dash."""
    if value is None:
        return "—"
    return f"{round(value * 100)} %"


@register.filter(is_safe=True)
def size_limit(size):
    """Return a size limit as ``filesizeformat`` does, without ".0" when whole."""
    return uploads.size_label(size)


@register.filter
def file_type(content_type):
    """Return what a file of ``content_type`` is called, e.g. "Excel workbook"."""
    return uploads.type_label(content_type)


@register.filter
def grouped_parts(parts):
    """Return requirement parts as runs: ("items", [texts]) or ("note", text)."""
    runs = []
    for part in parts or []:
        if part.get("kind") == "item":
            if runs and runs[-1][0] == "items":
                runs[-1][1].append(part["text"])
            else:
                runs.append(("items", [part["text"]]))
        else:
            runs.append(("note", part.get("text", "")))
    return runs


@register.filter
def level_name(level, names):
    """Return the full name of ``level`` from ``names`` (see ``level_names``)."""
    if level is None:
        return "—"
    return names.get(level, level)
