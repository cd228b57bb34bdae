"""Report pages: asking for a report, following it, downloading it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.permissions import get_assessment
from assessments.views.common import assessment_context, wants_json
from reports import selectors, services, storage

logger = logging.getLogger(__name__)


def _get_report(assessment, pk):
    report = selectors.get_report(assessment, pk)
    if report is None:
        raise Http404
    return report


def _status_code(asked: services.Asked, status: int) -> int:
    """Return ``status``, or 503 when the task queue refused the report's message."""
    return 503 if asked.unreachable else status


@login_required
@require_GET
def report_list(request, pk):
    assessment = get_assessment(request.user, pk)

    listing = selectors.report_listing(assessment)
    context = assessment_context(
        request,
        assessment,
        "reports",
        reports=listing.reports,
        panel=listing.panel,
    )
    return render(request, "reports/report_list.html", context)


@login_required
@require_POST
def report_request(request, pk):
    assessment = get_assessment(request.user, pk)

    asked = services.report_ask(assessment=assessment, actor=request.user)
    report = asked.report
    if wants_json(request):
        return JsonResponse(
            selectors.report_state(report),
            status=_status_code(asked, 202 if asked.made else 200),
        )
    if not asked.made and not asked.unreachable:
        messages.info(
            request,
            _(
                "Report %(number)s already shows the assessment as it stands, so "
                "no other was made."
            )
            % {"number": report.number},
        )
    return redirect(report)


@login_required
@require_GET
def report_detail(request, pk, report):
    assessment = get_assessment(request.user, pk)
    report = _get_report(assessment, report)

    context = assessment_context(
        request,
        assessment,
        "reports",
        report=report,
        state=selectors.report_state(report),
        outdated=selectors.shows_earlier_state(report, assessment),
    )
    return render(request, "reports/report_detail.html", context)


@login_required
@require_GET
def report_status(request, pk, report):
    assessment = get_assessment(request.user, pk)
    report = _get_report(assessment, report)

    state = selectors.report_state(report)
    if request.GET.get("compare"):
        # Asked by the reports panel of the assessment's overview.
        state["earlier"] = selectors.shows_earlier_state(report, assessment)
    response = JsonResponse(state)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def report_retry(request, pk, report):
    assessment = get_assessment(request.user, pk)
    report = _get_report(assessment, report)

    try:
        asked = services.report_retry(report=report, actor=request.user)
    except ValidationError as error:
        if wants_json(request):
            return JsonResponse({"errors": error.messages}, status=400)
        messages.error(request, error.messages[0])
        return redirect(report)
    if wants_json(request):
        return JsonResponse(
            selectors.report_state(asked.report), status=_status_code(asked, 202)
        )
    if asked.report.pk == report.pk and not asked.unreachable:
        messages.info(
            request,
            _("Report %(number)s was sent to the workers again.")
            % {"number": report.number},
        )
    return redirect(asked.report)


@login_required
@require_GET
def report_download(request, pk, report):
    assessment = get_assessment(request.user, pk)
    report = _get_report(assessment, report)
    if not report.is_done:
        raise Http404

    try:
        handle = storage.stored_path(report.file_path).open("rb")
    except (OSError, ValueError):
        logger.warning("Stored file of report %s is missing", report.pk)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.download_filename(report, assessment),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
