"""The dashboard of an assessment: both readings, charts and the gap list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments import selectors
from assessments.permissions import get_assessment
from assessments.views.common import assessment_context
from portal.jinja2 import render_part


@login_required
@require_GET
def assessment_dashboard(request, pk):
    assessment = get_assessment(request.user, pk)

    dashboard = selectors.assessment_dashboard(assessment, request.GET.get("gaps"))
    context = assessment_context(request, assessment, "dashboard", **dashboard)
    context["dashboard"] = render_part(
        "assessments/assessment_dashboard.jinja", context
    )
    return render(request, "assessments/assessment_dashboard.html", context)
