"""The audit trail pages of an assessment and of an organisation."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments import selectors
from assessments.permissions import Action, get_assessment, get_organisation, require
from assessments.views.common import assessment_context


@login_required
@require_GET
def assessment_history(request, pk):
    assessment = get_assessment(request.user, pk, Action.VIEW_HISTORY)

    page = selectors.assessment_history(
        assessment,
        request.GET.get("page"),
        carry_over_as_one=True,
        viewer=request.user,
    )
    context = assessment_context(request, assessment, "history", page=page)
    return render(request, "assessments/assessment_history.html", context)


@login_required
@require_GET
def organisation_history(request, org):
    organisation = get_organisation(request.user, org)
    require(request.user, Action.VIEW_HISTORY, organisation)

    context = {
        "organisation": organisation,
        "page": selectors.organisation_history(organisation, request.GET.get("page")),
    }
    return render(request, "assessments/organisation_history.html", context)
