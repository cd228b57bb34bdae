"""The auditor's review: verdicts on answers, comments, findings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.forms import CommentForm, FindingForm, ReviewForm, apply_errors
from assessments.models import Answer
from assessments.permissions import Action, can_now, get_assessment, require
from assessments.views.common import assessment_context, redirect_with_errors
from assessments.views.questionnaire import (
    REVIEW_DRAFT,
    area_url,
    get_requirement,
    keep_comment_draft,
    requirement_url,
)
from maturity.models import Requirement


def _answer(assessment, requirement) -> Answer:
    answer = Answer.objects.filter(
        assessment=assessment, requirement=requirement
    ).first()
    if answer is None:
        raise Http404
    return answer


def _form_error(form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[name].label}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        ]
    )


def _keep_review_draft(request, assessment, code, error: ValidationError) -> None:
    """Keep a refused verdict, its text and the reasons for the next page.

    The questionnaire shows the reasons inside the verdict's form, which the
    page opens scrolled to, rather than at the top of a long page.
    """
    request.session[REVIEW_DRAFT] = {
        "assessment": assessment.pk,
        "code": code,
        "verdict": request.POST.get("verdict", "")[:40],
        "comment": request.POST.get("comment", "")[:10_000],
        "errors": [str(message) for message in error.messages],
    }


@login_required
@require_POST
def review_record(request, pk, code):
    assessment = get_assessment(request.user, pk, Action.RECORD_VERDICT)
    requirement = get_requirement(assessment, code)
    answer = _answer(assessment, requirement)
    back = requirement_url(assessment, requirement, request.POST.get("show"))

    form = ReviewForm(request.POST)
    if not form.is_valid():
        _keep_review_draft(request, assessment, code, _form_error(form))
        return redirect(f"{back}-review")
    try:
        review = services.review_record(
            answer=answer,
            verdict=form.cleaned_data["verdict"],
            comment=form.cleaned_data["comment"],
            actor=request.user,
            seen_version=form.cleaned_data["answer_version"],
        )
    except ValidationError as error:
        _keep_review_draft(request, assessment, code, error)
        return redirect(f"{back}-review")
    messages.success(
        request,
        _("Recorded “%(verdict)s” on %(code)s.")
        % {"verdict": review.get_verdict_display(), "code": requirement.code},
    )
    return redirect(back)


def _seen_versions(values: list[str]) -> dict[int, int]:
    """Read the page's "answer id:version" pairs of the answers shown awaiting."""
    seen = {}
    for value in values:
        answer_id, _colon, version = value.partition(":")
        if answer_id.isdigit() and version.isdigit():
            seen[int(answer_id)] = int(version)
    return seen


@login_required
@require_POST
def review_accept_unreviewed(request, pk, area):
    assessment = get_assessment(request.user, pk, Action.RECORD_VERDICT)
    back = area_url(assessment, area, request.POST.get("show"))

    try:
        accepted = services.review_accept_unreviewed(
            assessment=assessment,
            area=area,
            actor=request.user,
            seen=_seen_versions(request.POST.getlist("seen")),
        )
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    count = len(accepted.reviews)
    if count:
        message = ngettext(
            "Accepted %(count)d answer on this page.",
            "Accepted %(count)d answers on this page.",
            count,
        ) % {"count": count}
    else:
        message = _("No answer on this page was waiting for a verdict.")
    if accepted.left:
        message += " " + ngettext(
            "%(count)d answer changed after you opened the page and was left "
            "for you to read: %(codes)s.",
            "%(count)d answers changed after you opened the page and were left "
            "for you to read: %(codes)s.",
            len(accepted.left),
        ) % {"count": len(accepted.left), "codes": ", ".join(accepted.left)}
        messages.warning(request, message)
        return redirect(back)
    messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
def comment_add(request, pk, code):
    assessment = get_assessment(request.user, pk, Action.COMMENT)
    requirement = get_requirement(assessment, code)
    answer = _answer(assessment, requirement)
    back = requirement_url(assessment, requirement, request.POST.get("show"))

    form = CommentForm(request.POST)
    if not form.is_valid():
        keep_comment_draft(request, assessment, code, _form_error(form))
        return redirect(f"{back}-comment-form")
    evidence = None
    evidence_id = form.evidence_id()
    if evidence_id is not None:
        link = answer.evidence_links.filter(evidence_id=evidence_id).first()
        if link is None:
            raise Http404
        evidence = link.evidence
    try:
        services.comment_add(
            assessment=assessment,
            answer=answer,
            evidence=evidence,
            text=form.cleaned_data["text"],
            actor=request.user,
        )
    except ValidationError as error:
        keep_comment_draft(request, assessment, code, error)
        return redirect(f"{back}-comment-form")
    messages.success(
        request, _("Added the comment on %(code)s.") % {"code": requirement.code}
    )
    return redirect(back)


def _finding_form(assessment, data=None, initial=None):
    return FindingForm(
        data,
        initial=initial,
        requirement_choices=selectors.requirement_choices(assessment.framework_id),
    )


def _finding_values(assessment, form) -> dict:
    data = form.cleaned_data
    requirement = None
    if data["requirement"] is not None:
        requirement = Requirement.objects.filter(
            framework_id=assessment.framework_id, pk=data["requirement"]
        ).first()
    return {
        "requirement": requirement,
        "kind": data["kind"],
        "severity": data["severity"],
        "title": data["title"],
        "description": data["description"],
    }


def _findings_url(assessment) -> str:
    return reverse("assessments:finding-list", kwargs={"pk": assessment.pk})


def _can_manage_findings(user, assessment) -> bool:
    return can_now(user, Action.MANAGE_FINDINGS, assessment)


@login_required
def finding_list(request, pk):
    assessment = get_assessment(request.user, pk)
    if request.method == "POST":
        require(request.user, Action.MANAGE_FINDINGS, assessment)
    can_manage = _can_manage_findings(request.user, assessment)

    initial = {}
    code = request.GET.get("requirement", "")
    if code:
        requirement = Requirement.objects.filter(
            framework_id=assessment.framework_id, code=code
        ).first()
        if requirement is not None:
            initial["requirement"] = requirement.pk
    form = _finding_form(
        assessment, request.POST if request.method == "POST" else None, initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                finding = services.finding_create(
                    assessment=assessment,
                    actor=request.user,
                    **_finding_values(assessment, form),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Recorded the finding “%(title)s”.") % {"title": finding.title},
                )
                return redirect(_findings_url(assessment))
        status = 400
    context = assessment_context(
        request,
        assessment,
        "findings",
        findings=selectors.findings_of(assessment),
        form=form,
        can_manage_findings=can_manage,
    )
    return render(request, "assessments/finding_list.html", context, status=status)


def _get_finding(assessment, finding):
    found = selectors.get_finding(assessment, finding)
    if found is None:
        raise Http404
    return found


@login_required
def finding_update(request, pk, finding):
    assessment = get_assessment(request.user, pk, Action.MANAGE_FINDINGS)
    finding = _get_finding(assessment, finding)

    initial = {
        "kind": finding.kind,
        "severity": finding.severity,
        "title": finding.title,
        "requirement": finding.requirement_id,
        "description": finding.description,
    }
    data = request.POST if request.method == "POST" else None
    form = _finding_form(assessment, data, initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.finding_update(
                    finding=finding,
                    actor=request.user,
                    **_finding_values(assessment, form),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved the finding “%(title)s”.") % {"title": finding.title},
                )
                return redirect(_findings_url(assessment))
        status = 400
    context = assessment_context(
        request,
        assessment,
        "findings",
        finding=finding,
        form=form,
        can_manage_findings=_can_manage_findings(request.user, assessment),
    )
    return render(request, "assessments/finding_update.html", context, status=status)


@login_required
@require_POST
def finding_delete(request, pk, finding):
    assessment = get_assessment(request.user, pk, Action.MANAGE_FINDINGS)
    finding = _get_finding(assessment, finding)
    back = _findings_url(assessment)

    try:
        services.finding_delete(finding=finding, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(
        request, _("Deleted the finding “%(title)s”.") % {"title": finding.title}
    )
    return redirect(back)
