"""Export and import pages: downloads, the workbook preview, assessment import."""

import logging
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import uploads
from assessments.interchange import excel, json_io, selectors, services, staging
from assessments.interchange.archive import (
    archive_too_large,
    max_archive_size,
    read_assessment_file,
    write_archive,
)
from assessments.interchange.csv_io import answers_csv
from assessments.interchange.errors import FileRefused
from assessments.interchange.forms import (
    AssessmentImportForm,
    ConfirmForm,
    QuestionnaireUploadForm,
)
from assessments.permissions import Action, can_now, get_assessment, get_organisation
from assessments.selectors import local_minute
from assessments.views.common import assessment_context, redirect_with_errors

logger = logging.getLogger(__name__)


def _export_url(assessment) -> str:
    return reverse("interchange:export", kwargs={"pk": assessment.pk})


def _upload_url(assessment) -> str:
    return reverse("interchange:questionnaire-upload", kwargs={"pk": assessment.pk})


def _preview_url(assessment, upload: str | None = None) -> str:
    url = reverse("interchange:questionnaire-preview", kwargs={"pk": assessment.pk})
    return f"{url}?{urlencode({'upload': upload})}" if upload else url


def _can_import_answers(user, assessment) -> bool:
    return can_now(user, Action.ANSWER, assessment)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ export


@login_required
@require_GET
def export(request, pk):
    assessment = get_assessment(request.user, pk)

    context = assessment_context(
        request,
        assessment,
        "export",
        can_import_answers=_can_import_answers(request.user, assessment),
        upload_form=QuestionnaireUploadForm(),
        waiting=staging.waiting(request.session, assessment=assessment),
        max_upload_size=uploads.max_upload_size(),
    )
    return render(request, "interchange/export.html", context)


@login_required
@require_GET
def export_json(request, pk):
    assessment = get_assessment(request.user, pk)

    content = json_io.dump(json_io.export_document(assessment))
    logger.info("Assessment %s exported as JSON by user %s", pk, request.user.pk)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    return _attachment(response, f"assessment-{assessment.pk}.json")


@login_required
@require_GET
def export_zip(request, pk):
    assessment = get_assessment(request.user, pk)

    # Closed by FileResponse once the archive has been sent.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024**2)  # noqa: SIM115
    try:
        write_archive(assessment, spool)
    except FileRefused as error:
        spool.close()
        return redirect_with_errors(request, error, _export_url(assessment))
    spool.seek(0)
    logger.info("Assessment %s exported as ZIP by user %s", pk, request.user.pk)
    response = FileResponse(spool, content_type="application/zip")
    return _attachment(response, f"assessment-{assessment.pk}.zip")


@login_required
@require_GET
def export_csv(request, pk):
    assessment = get_assessment(request.user, pk)

    response = HttpResponse(
        answers_csv(assessment), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"answers-{assessment.pk}.csv")


@login_required
@require_GET
def export_xlsx(request, pk):
    assessment = get_assessment(request.user, pk)

    response = HttpResponse(
        excel.questionnaire_workbook(assessment), content_type=excel.XLSX_TYPE
    )
    return _attachment(response, f"questionnaire-{assessment.pk}.xlsx")


# -------------------------------------------------------------- workbook


@csrf_exempt
@require_http_methods(["GET", "POST"])
def questionnaire_upload(request, pk):
    """Receive a workbook; the upload handler goes in before CSRF reads."""
    handler = uploads.install_upload_handler(request)
    return _questionnaire_upload(request, pk, handler)


@csrf_protect
@login_required
def _questionnaire_upload(request, pk, handler):
    assessment = get_assessment(request.user, pk, Action.ANSWER)

    form = QuestionnaireUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST":
        upload, errors = _read_upload(request, assessment, form, handler)
        if upload:
            return redirect(_preview_url(assessment, upload))
    context = assessment_context(
        request,
        assessment,
        "export",
        form=form,
        errors=errors,
        # Why there is no form to upload with, before anything was sent.
        locked_notice=(
            ""
            if assessment.is_editable
            else selectors.locked_error(assessment).messages[0]
        ),
        max_upload_size=uploads.max_upload_size(),
        waiting=staging.waiting(request.session, assessment=assessment),
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "interchange/questionnaire_upload.html", context, status=status
    )


def _read_upload(request, assessment, form, handler) -> tuple[str, list[str]]:
    """Read and keep the uploaded workbook; return its id, or what is wrong."""
    # Reading the files parses the body, which runs the handler's count.
    valid = form.is_valid()
    if handler.exceeded:
        return "", uploads.too_large_error().messages
    if not assessment.is_editable:
        return "", selectors.locked_error(assessment).messages
    if not valid:
        # The form says why beside its field.
        return "", []
    uploaded = form.cleaned_data["file"]
    try:
        rows = excel.read_questionnaire(uploaded, assessment)
    except FileRefused as error:
        logger.warning("Workbook for assessment %s refused", assessment.pk)
        return "", error.messages
    upload = staging.stage(
        request.session,
        assessment=assessment,
        user=request.user,
        rows=rows,
        filename=(uploaded.name or "")[:255],
    )
    return upload, []


def _staged_rows(request, assessment, upload):
    """Return the waiting ``upload`` and its rows, or None and None."""
    kept = staging.staged(
        request.session, assessment=assessment, user=request.user, upload=upload
    )
    if kept is None:
        return None, None
    try:
        return kept.upload, excel.rows_from_dicts(kept.rows)
    except ValidationError:
        return None, None


def _gone(request, assessment, upload):
    """Say why ``upload`` cannot be previewed or confirmed; go to the upload form.

    The upload form lists the uploads still waiting, each with its preview.
    """
    if not upload:
        messages.info(request, _("Upload the filled-in questionnaire first."))
        return redirect(_upload_url(assessment))

    kept = staging.find(request.session, assessment=assessment, upload=upload)
    outcome = kept.outcome if kept else None
    if outcome == staging.SAVED:
        messages.info(
            request,
            _(
                "The questionnaire “%(filename)s” was saved at %(time)s; there is "
                "nothing left to confirm."
            )
            % {"filename": kept.filename, "time": local_minute(kept.settled_at)},
        )
    elif outcome == staging.DISCARDED:
        messages.warning(
            request,
            _(
                "The questionnaire “%(filename)s” was discarded at %(time)s, so "
                "nothing of it was saved. Upload it again to save its answers."
            )
            % {"filename": kept.filename, "time": local_minute(kept.settled_at)},
        )
    else:
        messages.warning(
            request,
            _(
                "The questionnaire of that preview is no longer kept, so nothing "
                "of it was saved: uploads wait a day at most, and only the "
                "%(count)d latest of an assessment. Upload it again to save its "
                "answers."
            )
            % {"count": staging.MAX_PENDING},
        )
    return redirect(_upload_url(assessment))


@login_required
@require_GET
def questionnaire_preview(request, pk):
    assessment = get_assessment(request.user, pk, Action.ANSWER)
    # Without an upload named, the newest waiting one is shown.
    upload = request.GET.get("upload") or None
    shown, rows = _staged_rows(request, assessment, upload)
    if shown is None:
        return _gone(request, assessment, upload)

    plan = selectors.questionnaire_plan(assessment, rows)
    context = assessment_context(
        request,
        assessment,
        "export",
        plan=plan,
        upload=shown,
        confirm_form=ConfirmForm(initial={"upload": shown.id, "plan": plan.digest}),
        editable=assessment.is_editable,
        waiting=[
            other
            for other in staging.waiting(request.session, assessment=assessment)
            if other.id != shown.id
        ],
    )
    return render(request, "interchange/questionnaire_preview.html", context)


@login_required
@require_POST
def questionnaire_confirm(request, pk):
    assessment = get_assessment(request.user, pk, Action.ANSWER)

    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm from the preview page."))
        return redirect(_preview_url(assessment))
    upload = form.cleaned_data["upload"]
    kept, rows = _staged_rows(request, assessment, upload)
    if kept is None:
        return _gone(request, assessment, upload)
    try:
        plan = services.questionnaire_apply(
            assessment=assessment,
            rows=rows,
            expected=form.cleaned_data["plan"],
            actor=request.user,
        )
    except ValidationError as error:
        return redirect_with_errors(request, error, _preview_url(assessment, upload))
    staging.settle(
        request.session, assessment=assessment, upload=upload, outcome=staging.SAVED
    )
    saved = len(plan.applicable)
    messages.success(
        request,
        ngettext(
            "Saved %(count)d answer from the questionnaire.",
            "Saved %(count)d answers from the questionnaire.",
            saved,
        )
        % {"count": saved},
    )
    if plan.conflicts:
        messages.warning(
            request,
            ngettext(
                "%(count)d answer was changed in the portal since the download "
                "and was left as it is there.",
                "%(count)d answers were changed in the portal since the download "
                "and were left as they are there.",
                len(plan.conflicts),
            )
            % {"count": len(plan.conflicts)},
        )
    _say_what_waits(request, assessment)
    return redirect(assessment)


def _say_what_waits(request, assessment) -> None:
    """Name the uploads of ``assessment`` that still wait for confirmation."""
    waiting = staging.waiting(request.session, assessment=assessment)
    if not waiting:
        return
    names = pgettext("between the names of a list", ", ").join(
        f"“{upload.filename}”" for upload in waiting
    )
    messages.info(
        request,
        ngettext(
            "Another uploaded questionnaire, %(names)s, still waits: confirm or "
            "discard it from the %(tab)s tab.",
            "Other uploaded questionnaires, %(names)s, still wait: confirm or "
            "discard them from the %(tab)s tab.",
            len(waiting),
        )
        % {"names": names, "tab": _("Export")},
    )


@login_required
@require_POST
def questionnaire_cancel(request, pk):
    assessment = get_assessment(request.user, pk, Action.ANSWER)

    # The preview names its upload; without one, every waiting upload goes.
    upload = request.POST.get("upload", "")
    if not upload:
        staging.discard(request.session, assessment=assessment)
        messages.info(request, _("The uploaded questionnaire was discarded."))
        return redirect(_export_url(assessment))
    discarded = staging.settle(
        request.session,
        assessment=assessment,
        upload=upload,
        outcome=staging.DISCARDED,
    )
    if discarded is None:
        return _gone(request, assessment, upload)
    messages.info(
        request,
        _("The uploaded questionnaire “%(filename)s” was discarded.")
        % {"filename": discarded.filename},
    )
    return redirect(_export_url(assessment))


# ------------------------------------------------------------------ import


@csrf_exempt
@require_http_methods(["GET", "POST"])
def assessment_import(request, org):
    """Receive an assessment file; the upload handler goes in before CSRF reads."""
    handler = uploads.EvidenceUploadHandler(request, limit=max_archive_size())
    request.upload_handlers.insert(0, handler)
    return _assessment_import(request, org, handler)


@csrf_protect
@login_required
def _assessment_import(request, org, handler):
    organisation = get_organisation(request.user, org)
    services.require_importer(request.user, organisation)

    form = AssessmentImportForm(request.POST or None, request.FILES or None)
    # Why the file was refused; a form refused as typed says why beside its
    # field instead.
    errors = []
    if request.method == "POST":
        valid = form.is_valid()
        if handler.exceeded:
            errors = [archive_too_large()]
        elif valid:
            try:
                result = _import(request, organisation, form.cleaned_data)
            except FileRefused as error:
                logger.warning("Import into organisation %s refused", organisation.pk)
                errors = error.messages
            else:
                messages.success(request, _imported_message(result))
                return redirect(result.assessment)
    context = {
        "organisation": organisation,
        "form": form,
        "errors": errors,
        "max_archive_size": max_archive_size(),
        "max_upload_size": uploads.max_upload_size(),
    }
    status = 400 if errors or form.errors else 200
    return render(request, "interchange/assessment_import.html", context, status=status)


def _import(request, organisation, data):
    document, files = read_assessment_file(data["file"])
    return services.assessment_import(
        organisation=organisation,
        document=document,
        files=files,
        with_reviews=data["with_reviews"],
        actor=request.user,
    )


def _imported_message(result) -> str:
    message = _(
        "Imported “%(title)s” as a new draft: %(answers)d answers, %(evidence)d "
        "evidence items."
    ) % {
        "title": result.assessment.title,
        "answers": result.answers,
        "evidence": result.evidence,
    }
    if result.renamed_from:
        message += " " + _(
            "The organisation already has an assessment titled “%(title)s”, so "
            "this one is marked as imported in its title; change it under "
            "“Title, period and targets” if you like."
        ) % {"title": result.renamed_from}
    if result.reviews_as_comments:
        message += " " + ngettext(
            "%(count)d verdict from the file came in as a comment on its answer; "
            "it does not make a verified level, only a review by an auditor here "
            "does.",
            "%(count)d verdicts from the file came in as comments on their "
            "answers; they do not make a verified level, only a review by an "
            "auditor here does.",
            result.reviews_as_comments,
        ) % {"count": result.reviews_as_comments}
    if result.findings or result.comments:
        message += " " + _("Findings: %(findings)d; comments: %(comments)d.") % {
            "findings": result.findings,
            "comments": result.comments,
        }
    if result.files_left_out:
        message += " " + ngettext(
            "%(count)d file item was left out: a JSON file carries no files; "
            "import the ZIP to bring them.",
            "%(count)d file items were left out: a JSON file carries no files; "
            "import the ZIP to bring them.",
            result.files_left_out,
        ) % {"count": result.files_left_out}
    if result.comments_left_out:
        message += " " + ngettext(
            "%(count)d comment about a file item left out was left out with it.",
            "%(count)d comments about file items left out were left out with them.",
            result.comments_left_out,
        ) % {"count": result.comments_left_out}
    return message
