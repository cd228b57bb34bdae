"""Template helpers of reports: the assessment panel and number formats."""

from django import template

from reports import selectors

register = template.Library()


@register.inclusion_tag("reports/_assessment_reports.html", takes_context=True)
def assessment_reports(context, assessment):
    """Render the latest report state and the request button; two queries.

    Whether the latest report of an assessment not finalised shows it as it
    stands costs more than the rest of an assessment's overview, so the
    panel's script asks the status endpoint for it after the page is shown
    (see ``report_panel``).
    """
    panel = selectors.report_panel(assessment, compare=False)
    return {
        "assessment": assessment,
        "panel": panel,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def share(value):
    """Return a share between 0 and 1 as a whole percentage, or an em dash."""
    if value is None:
        return "—"
    return f"{round(value * 100)}%"


@register.filter
def bar_step(value):
    """Return a share between 0 and 1 in whole steps of five percent.

    Progress bars take their width from a class per step, since the PDF
    template, like the portal's pages, writes no inline style.
    """
    if value is None:
        return 0
    return round(max(0.0, min(float(value), 1.0)) * 20) * 5


@register.filter
def short_hash(value, length=12):
    """Return the first ``length`` characters of a hex digest."""
    return (value or "")[: int(length)]


@register.filter
def grouped_hash(value):
    """Return a SHA-256 in groups of eight, so that it wraps in a PDF."""
    value = value or ""
    return " ".join(value[i : i + 8] for i in range(0, len(value), 8))


# A clause ends at one of these, once it holds this many characters.
CLAUSE_ENDS = "，。；：,;"
MIN_CLAUSE = 6


@register.filter
def first_clause(value, limit=36):
    """Return the text up to its first comma or stop, cut at ``limit`` characters.

    Gives a requirement a title of one line in the report's listing.
    """
    text = value or ""
    end = next(
        (i for i, char in enumerate(text) if char in CLAUSE_ENDS and i >= MIN_CLAUSE),
        len(text),
    )
    clause = text[:end]
    return clause if len(clause) <= int(limit) else clause[: int(limit) - 1] + "…"
