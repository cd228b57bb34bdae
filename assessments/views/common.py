"""Helpers shared by the views of the assessments app."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from assessments.permissions import Action, access_to, can
from assessments.selectors.questionnaire import Address


def wants_json(request) -> bool:
    """Return whether the caller asked for JSON, as the autosave script does."""
    return "application/json" in request.headers.get("Accept", "")


def safe_next(request, fallback: str) -> str:
    """Return the ``next`` address of the request if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_with_errors(request, error, to: str):
    """Show the messages of a ValidationError and go back to ``to``."""
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)
    return redirect(to)


# The tabs of an assessment's header: name -> the URL name of its page.
TABS = {
    "overview": "assessments:assessment-detail",
    "dashboard": "assessments:assessment-dashboard",
    "questionnaire": "assessments:questionnaire-start",
    "evidence": "assessments:evidence-list",
    "findings": "assessments:finding-list",
    "reports": "reports:report-list",
    "export": "interchange:export",
    "history": "assessments:assessment-history",
    "auditors": "assessments:auditor-list",
}


def assessment_context(request, assessment, tab: str, **extra) -> dict:
    """Return what the header of every assessment page needs, plus ``extra``."""
    context = {
        "assessment": assessment,
        "tabs": {key: Address(name, "pk")(assessment.pk) for key, name in TABS.items()},
        "access": access_to(request.user, assessment),
        "can_manage_auditors": can(request.user, Action.MANAGE_AUDITORS, assessment),
        "can_view_history": can(request.user, Action.VIEW_HISTORY, assessment),
        "tab": tab,
    }
    context.update(extra)
    return context
