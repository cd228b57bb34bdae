"""Assessment pages: create, overview, settings, status changes, delete, auditors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors, services
from assessments.forms import (
    AssessmentCreateForm,
    AssessmentUpdateForm,
    AuditorGrantForm,
    ReturnForm,
    apply_errors,
)
from assessments.models import AuditorGrant
from assessments.permissions import (
    Action,
    can,
    can_now,
    get_assessment,
    get_organisation,
    require,
)
from assessments.selectors.lockouts import locked_out_usernames
from assessments.views.common import assessment_context, redirect_with_errors
from maturity.models import Module
from portal.jinja2 import render_part


@login_required
def assessment_create(request, org):
    organisation = get_organisation(request.user, org)
    require(request.user, Action.CREATE_ASSESSMENT, organisation)

    initial = {}
    if request.GET.get("from", "").isdigit():
        initial["previous"] = int(request.GET["from"])
    form = AssessmentCreateForm(
        request.POST or None, initial=initial, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "scope": data["scope"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "actor": request.user,
        }
        try:
            if data["previous"] is not None:
                assessment = services.assessment_start_from(
                    previous=data["previous"], **fields
                )
            else:
                assessment = services.assessment_create(
                    organisation=organisation, framework=data["framework"], **fields
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The assessment was created."))
            return redirect(assessment)
    context = {"organisation": organisation, "form": form}
    return render(request, "assessments/assessment_create.html", context)


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment = get_assessment(request.user, pk)

    overview = selectors.assessment_overview(assessment)
    transitions = [
        (name, services.TRANSITIONS[name])
        for name in selectors.available_transitions(request.user, assessment)
    ]
    context = assessment_context(
        request,
        assessment,
        "overview",
        transitions=transitions,
        return_form=ReturnForm(),
        can_edit=can_now(request.user, Action.EDIT, assessment),
        can_start_from=can(request.user, Action.START_FROM, assessment),
        can_delete=overview["deletable"]
        and can(request.user, Action.DELETE, assessment),
        **overview,
    )
    # The parts that repeat a row per module, stage or problem, in Jinja2.
    if assessment.is_editable:
        context["missing_list"] = render_part(
            "assessments/_overview_missing.jinja", context
        )
    context["modules_table"] = render_part(
        "assessments/_overview_modules.jinja", context
    )
    return render(request, "assessments/assessment_detail.html", context)


@login_required
def assessment_update(request, pk):
    assessment = get_assessment(request.user, pk, Action.EDIT)
    if not assessment.is_editable:
        return redirect_with_errors(
            request,
            services.settings_locked_error(assessment),
            assessment.get_absolute_url(),
        )

    modules = Module.objects.filter(framework_id=assessment.framework_id).order_by(
        "position"
    )

    initial = {
        "title": assessment.title,
        "scope": assessment.scope,
        "period_start": assessment.period_start,
        "period_end": assessment.period_end,
    }
    for code, level in selectors.targets_of(assessment).items():
        initial[f"target_{code}"] = level
    form = AssessmentUpdateForm(request.POST or None, initial=initial, modules=modules)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment,
                title=form.cleaned_data["title"],
                scope=form.cleaned_data["scope"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                targets=form.targets(),
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect(assessment)
    context = assessment_context(request, assessment, "overview", form=form)
    return render(request, "assessments/assessment_update.html", context)


@login_required
@require_POST
def assessment_transition(request, pk, name):
    assessment = get_assessment(request.user, pk)
    if name not in services.TRANSITIONS:
        return redirect(assessment)
    # Finalising is for good: the auditor confirms having seen what is open.
    if (
        name == "finalise"
        and request.POST.get("confirm") != "yes"
        and services.transition_allowed(request.user, assessment, name)
    ):
        messages.error(
            request,
            _("Tick “I have reviewed the answers…” to confirm, then finalise again."),
        )
        return redirect(assessment)

    try:
        services.assessment_transition(
            assessment=assessment,
            name=name,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except services.SubmissionIncomplete as error:
        messages.error(request, error.messages[0])
        return redirect(f"{assessment.get_absolute_url()}#missing")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(assessment)
    messages.success(request, services.TRANSITIONS[name].done)
    return redirect(assessment)


@login_required
@require_POST
def assessment_delete(request, pk):
    assessment = get_assessment(request.user, pk, Action.DELETE)

    try:
        services.assessment_delete(assessment=assessment, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, assessment.get_absolute_url())
    messages.success(
        request,
        _("The draft “%(title)s” was deleted.") % {"title": assessment.title},
    )
    return redirect(assessment.organisation)


def _auditors_page(request, assessment, form=None, status=200):
    grants = selectors.grants_of(assessment)
    context = assessment_context(
        request,
        assessment,
        "auditors",
        grants=grants,
        locked_out=locked_out_usernames(
            grant.user.get_username() for grant in grants if grant.is_active
        ),
        # A finalised assessment is read-only; its grants can only be revoked.
        can_grant=not assessment.is_finalised,
        form=form or AuditorGrantForm(),
    )
    return render(request, "assessments/auditor_list.html", context, status=status)


@login_required
def auditor_list(request, pk):
    assessment = get_assessment(request.user, pk, Action.MANAGE_AUDITORS)
    if request.method != "POST":
        return _auditors_page(request, assessment)

    form = AuditorGrantForm(request.POST)
    if form.is_valid():
        try:
            grant = services.auditor_grant(
                assessment=assessment,
                identifier=form.cleaned_data["identifier"],
                expires_on=form.cleaned_data["expires_on"],
                actor=request.user,
            )
        except services.AssessmentLocked as error:
            return redirect_with_errors(
                request, error, reverse("assessments:auditor-list", args=[pk])
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(user)s can now audit this assessment.")
                % {"user": selectors.person_name(grant.user)},
            )
            return redirect("assessments:auditor-list", pk=assessment.pk)
    return _auditors_page(request, assessment, form, status=400)


@login_required
@require_POST
def auditor_revoke(request, pk, grant):
    assessment = get_assessment(request.user, pk, Action.MANAGE_AUDITORS)
    grant = _grant(assessment, grant)

    services.auditor_revoke(grant=grant, actor=request.user)
    messages.success(
        request,
        _("The access of %(user)s was revoked.")
        % {"user": selectors.person_name(grant.user)},
    )
    return redirect(reverse("assessments:auditor-list", kwargs={"pk": assessment.pk}))


@login_required
@require_POST
def auditor_unlock(request, pk, grant):
    assessment = get_assessment(request.user, pk, Action.MANAGE_AUDITORS)
    grant = _grant(assessment, grant)
    back = reverse("assessments:auditor-list", kwargs={"pk": assessment.pk})

    try:
        reset = services.auditor_unlock(grant=grant, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    name = selectors.person_name(grant.user)
    if reset:
        messages.success(request, _("%(user)s can log in again.") % {"user": name})
    else:
        messages.info(request, _("%(user)s was not locked out.") % {"user": name})
    return redirect(back)


def _grant(assessment, pk) -> AuditorGrant:
    """Return auditor grant ``pk`` of ``assessment``, with its user, else raise 404."""
    return get_object_or_404(
        AuditorGrant.objects.select_related("user"), assessment=assessment, pk=pk
    )
