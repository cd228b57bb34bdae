"""Evidence pages: adding, attaching, listing, downloading and deleting."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors, services, uploads
from assessments.forms import AttachExistingForm, EvidenceForm
from assessments.models import EvidenceKind, EvidenceLink
from assessments.permissions import Action, can_now, get_assessment, require
from assessments.services.common import AssessmentLocked, locked_error
from assessments.services.evidence import DuplicateEvidence
from assessments.views.common import (
    assessment_context,
    redirect_with_errors,
    safe_next,
)
from assessments.views.questionnaire import (
    FILTERS,
    area_url,
    get_requirement,
    requirement_url,
)

logger = logging.getLogger(__name__)

# Session key of a new-evidence form the portal refused: what was typed and
# why each field was refused, shown again once on the form it came from. A
# file cannot be kept and is chosen again.
EVIDENCE_DRAFT = "evidence_draft"
DRAFT_FIELDS = ("kind", "title", "url", "note", "description", "effective_from")


def _evidence_list_url(assessment) -> str:
    return reverse("assessments:evidence-list", kwargs={"pk": assessment.pk})


def _attach_url(assessment, requirement, selected=None) -> str:
    """Return the page attaching evidence to ``requirement``, keeping the filter."""
    url = reverse(
        "assessments:requirement-evidence",
        kwargs={"pk": assessment.pk, "code": requirement.code},
    )
    return f"{url}?show={selected}" if selected in FILTERS else url


@login_required
@require_GET
def evidence_list(request, pk):
    assessment = get_assessment(request.user, pk)

    can_manage = can_now(request.user, Action.MANAGE_EVIDENCE, assessment)
    context = assessment_context(
        request,
        assessment,
        "evidence",
        items=selectors.evidence_of(assessment),
        deletions=list(assessment.evidence_deletions.select_related("deleted_by")),
        can_manage_evidence=can_manage,
        evidence_form=_evidence_form(
            _take_draft(request, assessment), auto_id="new-evidence-%s"
        ),
        max_upload_size=uploads.max_upload_size(),
    )
    return render(request, "assessments/evidence_list.html", context)


@login_required
@require_GET
def requirement_evidence(request, pk, code):
    """Show the forms attaching new or existing evidence to one requirement."""
    assessment = get_assessment(request.user, pk, Action.MANAGE_EVIDENCE)
    requirement = get_requirement(assessment, code)
    selected = request.GET.get("show")
    selected = selected if selected in FILTERS else None
    back = requirement_url(assessment, requirement, selected)
    draft = _take_draft(request, assessment, requirement)
    if not assessment.is_editable:
        return redirect_with_errors(request, locked_error(assessment), back)

    choices = selectors.evidence_choices(assessment, requirement)
    context = assessment_context(
        request,
        assessment,
        "questionnaire",
        form=_evidence_form(draft, auto_id="evidence-%s"),
        requirement=requirement,
        selected=selected,
        back=back,
        supporting=[item for item in choices if item.supports],
        choices=[item for item in choices if not item.supports],
        chosen=draft.get("existing") if draft else None,
        max_upload_size=uploads.max_upload_size(),
    )
    return render(request, "assessments/requirement_evidence.html", context)


def _take_draft(request, assessment, requirement=None) -> dict | None:
    """Return the refused form kept for this page, forgetting any other."""
    draft = request.session.pop(EVIDENCE_DRAFT, None)
    where = [assessment.pk, requirement.code if requirement else None]
    return draft if draft and draft.get("where") == where else None


def _evidence_form(draft, *, auto_id: str) -> EvidenceForm:
    """Return an empty new-evidence form, or the refused one of ``draft``."""
    if draft is None:
        return EvidenceForm(auto_id=auto_id)
    typed = {field: draft[field] for field in DRAFT_FIELDS if draft.get(field)}
    form = EvidenceForm(initial=typed, auto_id=auto_id)
    form.show_refusal(draft.get("errors", {}))
    return form


@csrf_exempt
@require_POST
def evidence_add(request, pk, code=None):
    """Add a file, link or note; the upload handler goes in before CSRF reads."""
    handler = uploads.install_upload_handler(request)
    return _evidence_add(request, pk, code, handler)


@csrf_protect
@login_required
def _evidence_add(request, pk, code, handler):
    assessment = get_assessment(request.user, pk)
    requirement = get_requirement(assessment, code) if code else None
    require(request.user, Action.MANAGE_EVIDENCE, assessment)
    selected = request.POST.get("show")
    if requirement:
        # Once added, back to the questionnaire; refused, back to the form.
        back = requirement_url(assessment, requirement, selected)
        again = _attach_url(assessment, requirement, selected)
    else:
        back = again = _evidence_list_url(assessment)

    # Reading the files parses the body, which runs the handler's count.
    form = EvidenceForm(request.POST, request.FILES)
    where = [assessment.pk, requirement.code if requirement else None]
    if handler.exceeded:
        errors = {"file": uploads.too_large_error().messages}
        return _refuse(request, where, errors, again)
    if not form.is_valid():
        return _refuse(request, where, form.errors, again)
    data = form.cleaned_data
    common = {
        "assessment": assessment,
        "title": data["title"],
        "description": data["description"],
        "effective_from": data["effective_from"],
        "requirement": requirement,
        "actor": request.user,
    }
    try:
        if data["kind"] == EvidenceKind.FILE:
            evidence = services.evidence_add_file(uploaded=data["file"], **common)
        elif data["kind"] == EvidenceKind.LINK:
            evidence = services.evidence_add_link(url=data["url"], **common)
        else:
            evidence = services.evidence_add_note(note=data["note"], **common)
    except AssessmentLocked as error:
        # The attach page sends a locked assessment back to the questionnaire
        # with this same message; going there at once says it only once.
        return redirect_with_errors(request, error, back)
    except DuplicateEvidence as error:
        errors = _field_errors(error, data["kind"])
        return _refuse(request, where, errors, again, existing=error.existing)
    except ValidationError as error:
        return _refuse(request, where, _field_errors(error, data["kind"]), again)
    request.session.pop(EVIDENCE_DRAFT, None)
    messages.success(
        request, _("Added the evidence item “%(title)s”.") % {"title": evidence.title}
    )
    return redirect(back)


def _field_errors(error: ValidationError, kind: str) -> dict[str, list[str]]:
    """Return the messages of a service's ``error`` by the field they concern."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    # The checks of an uploaded file name no field: they are about the file.
    field = "file" if kind == EvidenceKind.FILE else NON_FIELD_ERRORS
    return {field: error.messages}


def _refuse(request, where, errors, to: str, existing=None):
    """Keep what was typed and why it was refused, and go back to the form.

    A message about a field is shown next to it and nowhere else; one about
    the whole form is shown at the top of the page. An ``existing`` evidence
    item holding the same file is chosen in the list of existing evidence.
    """
    draft = {field: request.POST.get(field, "") for field in DRAFT_FIELDS}
    draft["where"] = where
    draft["existing"] = existing.pk if existing else None
    draft["errors"] = {}
    for field, field_messages in errors.items():
        if field in EvidenceForm.base_fields:
            draft["errors"][field] = [str(message) for message in field_messages]
        else:
            for message in field_messages:
                messages.error(request, message)
    request.session[EVIDENCE_DRAFT] = draft
    return redirect(to)


@login_required
@require_POST
def evidence_attach(request, pk, code):
    assessment = get_assessment(request.user, pk)
    requirement = get_requirement(assessment, code)
    require(request.user, Action.MANAGE_EVIDENCE, assessment)
    selected = request.POST.get("show")
    back = requirement_url(assessment, requirement, selected)
    again = _attach_url(assessment, requirement, selected)

    evidence_ids = assessment.evidence.values_list("pk", flat=True)
    form = AttachExistingForm(request.POST, evidence_ids=evidence_ids)
    if not form.is_valid():
        return redirect_with_errors(
            request,
            ValidationError(_("Choose an evidence item of this assessment.")),
            again,
        )
    evidence = assessment.evidence.get(pk=form.cleaned_data["evidence"])
    try:
        services.evidence_attach(
            evidence=evidence, requirement=requirement, actor=request.user
        )
    except AssessmentLocked as error:
        # Not to the attach page, which would say it a second time.
        return redirect_with_errors(request, error, back)
    except ValidationError as error:
        return redirect_with_errors(request, error, again)
    messages.success(
        request,
        _("“%(title)s” now supports %(code)s.")
        % {"title": evidence.title, "code": requirement.code},
    )
    return redirect(back)


def _link(assessment, pk) -> EvidenceLink:
    return get_object_or_404(
        EvidenceLink.objects.select_related(
            "evidence", "answer__requirement", "answer__assessment"
        ),
        answer__assessment=assessment,
        pk=pk,
    )


@login_required
@require_POST
def evidence_detach(request, pk, link):
    assessment = get_assessment(request.user, pk)
    link = _link(assessment, link)
    back = requirement_url(
        assessment, link.answer.requirement, request.POST.get("show")
    )

    try:
        services.evidence_detach(link=link, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(
        request,
        _("“%(title)s” no longer supports %(code)s.")
        % {"title": link.evidence.title, "code": link.answer.requirement.code},
    )
    return redirect(back)


@login_required
@require_POST
def evidence_reconfirm(request, pk, link):
    assessment = get_assessment(request.user, pk)
    link = _link(assessment, link)
    back = requirement_url(
        assessment, link.answer.requirement, request.POST.get("show")
    )

    try:
        services.evidence_reconfirm(link=link, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(request, _("The evidence was reconfirmed."))
    return redirect(back)


@login_required
@require_POST
def evidence_delete(request, pk, evidence):
    assessment = get_assessment(request.user, pk)
    item = get_object_or_404(assessment.evidence.all(), pk=evidence)
    back = safe_next(request, _evidence_list_url(assessment))

    try:
        services.evidence_delete(evidence=item, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(
        request, _("Deleted the evidence item “%(title)s”.") % {"title": item.title}
    )
    return redirect(back)


@login_required
@require_GET
def evidence_download(request, pk, evidence):
    assessment = get_assessment(request.user, pk)
    item = get_object_or_404(
        assessment.evidence.all(), pk=evidence, kind=EvidenceKind.FILE
    )

    try:
        handle = uploads.stored_path(item.file_path).open("rb")
    except (OSError, ValueError):
        logger.warning("Stored file of evidence %s is missing", item.pk)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.original_name or f"evidence-{item.pk}",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def evidence_reconfirm_area(request, pk, area):
    assessment = get_assessment(request.user, pk, Action.MANAGE_EVIDENCE)
    back = area_url(assessment, area, request.POST.get("show"))

    try:
        links = services.evidence_reconfirm_area(
            assessment=assessment, area=area, actor=request.user
        )
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    requirements = len({link.answer.requirement_id for link in links})
    if requirements:
        message = ngettext(
            "Reconfirmed the carried-over evidence of %(count)d requirement "
            "on this page.",
            "Reconfirmed the carried-over evidence of %(count)d requirements "
            "on this page.",
            requirements,
        ) % {"count": requirements}
    else:
        message = _("No evidence on this page was waiting to be reconfirmed.")
    messages.success(request, message)
    return redirect(back)
