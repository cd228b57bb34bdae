"""The questionnaire: one page per module or lifecycle stage, and answer saves."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors, services
from assessments.forms import AnswerForm
from assessments.models import AnswerStatus, Status, Verdict
from assessments.permissions import Action, can, can_now, get_assessment
from assessments.views.common import assessment_context, wants_json
from maturity import catalogues
from maturity.models import Requirement
from portal.jinja2 import render_part

FILTERS = {code for code, _label in selectors.Filter.choices}
# Filters that make sense once the auditor has seen the assessment.
REVIEW_FILTERS = {selectors.Filter.REJECTED, selectors.Filter.UNREVIEWED}
# Session key of a verdict refused by the service, shown again once.
REVIEW_DRAFT = "review_draft"
# Session key of an answer refused for a newer version without JavaScript,
# put back in its form once.
ANSWER_DRAFT = "answer_draft"
# Session key of a comment refused by the service, shown again once.
COMMENT_DRAFT = "comment_draft"


@login_required
@require_GET
def questionnaire_start(request, pk):
    assessment = get_assessment(request.user, pk)
    statuses = selectors.answer_statuses(assessment)
    areas = selectors.areas_of(
        assessment, statuses, selectors.assessment_score(assessment, statuses)
    )
    first = selectors.first_area_code(areas)
    if first is None:
        raise Http404
    return redirect(selectors.questionnaire_url(assessment.pk, first))


@login_required
@require_GET
def questionnaire(request, pk, area):
    assessment = get_assessment(request.user, pk)
    selected = request.GET.get("show")
    if selected not in FILTERS:
        selected = None

    statuses, verdicts, answers = selectors.questionnaire_answers(assessment)
    if assessment.is_finalised:
        # The frozen readings stand; the verdicts are not scored again.
        verdicts = None
    readings = selectors.readings_of(assessment, statuses, verdicts)
    areas = selectors.areas_of(
        assessment,
        statuses,
        readings.self_assessed,
        readings.verified,
        verdicts.objections if verdicts else (),
    )
    current = selectors.find_area(areas, area)
    if current is None:
        raise Http404
    _add_objection_labels(areas)
    page = selectors.questionnaire_page(assessment, current, selected, answers)
    can_review = can_now(request.user, Action.RECORD_VERDICT, assessment)
    draft = request.session.pop(REVIEW_DRAFT, None)
    if (
        draft
        and draft.get("assessment") == assessment.pk
        and not (can_review and _add_review_draft(page, draft))
    ):
        # The verdict's form is not on this page: say at the top why it was
        # refused.
        for message in draft.get("errors", []):
            messages.error(request, message)
    can_comment = can_now(request.user, Action.COMMENT, assessment)
    comment_draft = request.session.pop(COMMENT_DRAFT, None)
    if (
        comment_draft
        and comment_draft.get("assessment") == assessment.pk
        and not (can_comment and _add_comment_draft(page, comment_draft))
    ):
        for message in comment_draft.get("errors", []):
            messages.error(request, message)
    answer_draft = request.session.pop(ANSWER_DRAFT, None)
    if (
        answer_draft
        and answer_draft.get("assessment") == assessment.pk
        and not _add_answer_draft(page, answer_draft)
    ):
        for message in answer_draft.get("errors", []):
            messages.error(request, message)
    filters = [
        (code, label)
        for code, label in selectors.Filter.choices
        if (assessment.status != Status.DRAFT or code not in REVIEW_FILTERS)
        and (assessment.previous_id or code != selectors.Filter.UNCONFIRMED)
    ]
    context = assessment_context(
        request,
        assessment,
        "questionnaire",
        areas=areas,
        area=current,
        module=selectors.module_of(areas, current),
        page=page,
        selected=selected,
        filters=filters,
        status_labels={value: str(label) for value, label in AnswerStatus.choices},
        verdict_choices=[(value, str(label)) for value, label in Verdict.choices],
        findings_url=reverse("assessments:finding-list", kwargs={"pk": assessment.pk}),
        can_answer=can_now(request.user, Action.ANSWER, assessment),
        can_manage_evidence=can_now(request.user, Action.MANAGE_EVIDENCE, assessment),
        can_review=can_review,
        can_comment=can_comment,
        replies_to_objections=not can(request.user, Action.RECORD_VERDICT, assessment),
        can_manage_findings=can_now(request.user, Action.MANAGE_FINDINGS, assessment),
        summary=selectors.area_summary(
            assessment, current.code, readings.self_assessed, statuses
        ),
        verified=(
            selectors.level_summary(readings.verified, current.code)
            if readings.verified
            else None
        ),
        frozen=readings.frozen,
        audited=readings.audited,
        login_url=resolve_url(settings.LOGIN_URL),
        csrf_cookie_name=settings.CSRF_COOKIE_NAME,
        # Made once: every form of every requirement needs it.
        csrf_input=csrf_input(request),
    )
    context["questionnaire"] = render_part("assessments/questionnaire.jinja", context)
    return render(request, "assessments/questionnaire.html", context)


def _add_objection_labels(areas) -> None:
    """Give each module and stage of the navigation the badge of its objections.

    ``objections_label`` counts the answers the auditor rejected or
    questioned there, which the assessors are to revise.
    """
    stages = [stage for module in areas for stage in module.stages]
    for area in [*areas, *stages]:
        area.objections_label = _objections_label(area.objections)


def _objections_label(count: int) -> str:
    return ngettext("%(counter)s to revise", "%(counter)s to revise", count) % {
        "counter": count
    }


def _objection_badges(assessment, requirement) -> dict:
    """Return the badges of objections of the areas holding ``requirement``.

    Its module and, in the lifecycle, its stage: code -> the count of
    answers rejected or questioned there and the badge's label.
    """
    objections = selectors.verdicts_of(assessment).objections
    catalogue = catalogues.get_catalogue(assessment.framework_id)
    codes = {requirement.module.code, requirement.area_code}
    counts = dict.fromkeys(codes, 0)
    for ref in catalogue.requirements:
        if ref.code in objections:
            for code in codes & {ref.module, ref.area}:
                counts[code] += 1
    return {
        code: {"count": count, "label": _objections_label(count)}
        for code, count in counts.items()
    }


def _add_review_draft(page, draft: dict) -> bool:
    """Give the draft of a refused verdict back to the item it was about.

    Return False when that item is not on the page.
    """
    for group in page["groups"]:
        for item in group["items"]:
            if item.requirement.code == draft.get("code"):
                item.review_draft = {
                    "verdict": draft.get("verdict", ""),
                    "comment": draft.get("comment", ""),
                    "errors": draft.get("errors", []),
                }
                return True
    return False


def keep_comment_draft(request, assessment, code, error: ValidationError) -> None:
    """Keep a refused comment, its text and the reasons for the next page.

    The questionnaire shows the reasons inside the comment's form, opened
    where the person wrote it.
    """
    request.session[COMMENT_DRAFT] = {
        "assessment": assessment.pk,
        "code": code,
        "subject": request.POST.get("subject", "")[:40],
        "text": request.POST.get("text", "")[:10_000],
        "errors": [str(message) for message in error.messages],
    }


def _add_comment_draft(page, draft: dict) -> bool:
    """Give the draft of a refused comment back to its requirement's form.

    Return False when that form is not on the page.
    """
    for group in page["groups"]:
        for item in group["items"]:
            if item.requirement.code == draft.get("code") and item.answer:
                item.comment_draft = {
                    "subject": draft.get("subject", ""),
                    "text": draft.get("text", ""),
                    "errors": draft.get("errors", []),
                }
                return True
    return False


def _add_answer_draft(page, draft: dict) -> bool:
    """Put an answer refused for a newer version back in its form, as typed.

    The form keeps the version the refusal showed, so that saving it again
    puts it over that version and no later one, and says why it was
    refused. The badges go on showing what is stored. Return False when the
    answer is not on the page.
    """
    for group in page["groups"]:
        for item in group["items"]:
            if item.requirement.code == draft.get("code") and item.answer:
                item.answer_draft = {
                    name: draft.get(name, "")
                    for name in (
                        "status",
                        "justification",
                        "base_status",
                        "base_justification",
                    )
                }
                item.answer_draft["version"] = draft.get("version", item.answer.version)
                item.answer_errors = draft.get("errors", [])
                return True
    return False


def get_requirement(assessment, code) -> Requirement:
    """Return requirement ``code`` of the assessment's framework, else raise 404."""
    requirement = catalogues.get_requirement(assessment.framework_id, code)
    if requirement is None:
        raise Http404
    return requirement


def area_url(assessment, area: str, selected=None) -> str:
    """Return the address of questionnaire page ``area``, keeping a known filter."""
    return selectors.questionnaire_url(
        assessment.pk, area, selected if selected in FILTERS else None
    )


def requirement_url(assessment, requirement, selected=None) -> str:
    url = area_url(assessment, requirement.area_code, selected)
    return f"{url}#{requirement.code}"


def _answer_data(answer) -> dict:
    """Return what the page shows of ``answer``, as its script reads it."""
    return {
        "status": answer.status,
        "status_label": str(AnswerStatus(answer.status).label) if answer.status else "",
        # Satisfied without evidence: marked, and refused on submission.
        "missing_evidence": answer.status == AnswerStatus.SATISFIED
        and not answer.evidence_links.exists(),
        "justification": answer.justification,
        "version": answer.version,
        "updated_by": answer.updated_by.get_username() if answer.updated_by else "",
        "updated_at": answer.updated_at.isoformat(),
    }


def _saved_data(assessment, requirement, change) -> dict:
    """Return an autosave's reply: the answer, and the figures if they can move.

    Typing in a justification saves many times without touching a level, so
    the readings are read and scored again only when the status changed or
    an acceptance was lost. A save revising an answer the auditor objected
    to brings the counts of answers left to revise.
    """
    data = {"answer": _answer_data(change.answer)}
    if change.moves_levels:
        data |= _figures(assessment, requirement)
    if change.ends_objection:
        data["objections"] = _objection_badges(assessment, requirement)
    return data


def _figures(assessment, requirement) -> dict:
    """Return the figures of the page of ``requirement``, as the page shows them."""
    statuses, verdicts = selectors.answer_standing(assessment)
    readings = selectors.readings_of(assessment, statuses, verdicts)
    return {
        "summary": selectors.area_summary(
            assessment, requirement.area_code, readings.self_assessed, statuses
        ),
        "verified": (
            selectors.level_summary(readings.verified, requirement.area_code)
            if readings.verified
            else None
        ),
    }


def _conflict_message(answer, user, kept=()) -> str:
    """Return why a save was refused for the newer version ``answer``.

    ``kept`` names the fields that saving over it keeps as they are stored.
    """
    status = AnswerStatus(answer.status).label if answer.status else _("Unanswered")
    values = {"status": status, "justification": answer.justification or "—"}
    if answer.updated_by_id is not None and answer.updated_by_id == user.pk:
        text = _(
            "Not saved: you saved this answer in another tab or window in the "
            "meantime. It now reads “%(status)s” with the justification "
            "“%(justification)s”. Check it and save again."
        )
    else:
        text = _(
            "Not saved: %(user)s saved this answer in the meantime. It now reads "
            "“%(status)s” with the justification “%(justification)s”. Check it and "
            "save again."
        )
        values["user"] = selectors.person_name(answer.updated_by) or "?"
    message = text % values
    if list(kept) == ["justification"]:
        message += " " + _(
            "Saving yours over it changes only the status you chose and keeps the "
            "justification saved in the meantime."
        )
    elif list(kept) == ["status"]:
        message += " " + _(
            "Saving yours over it changes only the justification you wrote and "
            "keeps the status saved in the meantime."
        )
    return message


def _kept_fields(form, answer) -> list[str]:
    """Return the fields that saving the form over ``answer`` keeps as stored.

    They are those the newer version changed and the person did not, which
    saving over it takes from the stored answer. A post that does not say
    what its page held keeps none. Line ends are compared as one: a browser
    sends a text area's as CR LF, and reads an attribute's as LF.
    """
    base = form.base()
    if base is None:
        return []
    return [
        name
        for name, value in base.items()
        if _same(form.cleaned_data[name], value)
        and not _same(getattr(answer, name), value)
    ]


def _same(text: str, other: str) -> bool:
    return text.replace("\r\n", "\n") == other.replace("\r\n", "\n")


def _form_problem(form) -> str:
    """Return why an answer's form was refused, naming a field the person can mend.

    A bad version comes from the page, not from the person: reloading it
    is the remedy.
    """
    problems = [
        _("%(field)s: %(problem)s")
        % {"field": form.fields[name].label, "problem": " ".join(errors)}
        for name, errors in form.errors.items()
        if name in form.fields and name != "version"
    ]
    if problems:
        return " ".join(problems)
    return _("The answer could not be read; reload the page and try again.")


@login_required
@require_POST
def answer_update(request, pk, code):
    assessment = get_assessment(request.user, pk, related=False)
    requirement = get_requirement(assessment, code)
    json = wants_json(request)
    back = (
        None
        if json
        else requirement_url(assessment, requirement, request.POST.get("show"))
    )

    form = AnswerForm(request.POST)
    if not form.is_valid():
        message = _form_problem(form)
        if json:
            return JsonResponse({"error": message, "fields": form.errors}, status=400)
        messages.error(request, message)
        return redirect(back)
    try:
        change = services.answer_change(
            assessment=assessment,
            requirement=requirement,
            status=form.cleaned_data["status"],
            justification=form.cleaned_data["justification"],
            base_version=form.cleaned_data["version"],
            actor=request.user,
        )
    except PermissionDenied as error:
        if json:
            return JsonResponse({"error": str(error)}, status=403)
        raise
    except services.AnswerConflict as conflict:
        current = conflict.current
        if json:
            # The figures of the stored answer, for the page to show if its
            # reader takes that version.
            data = {
                "error": _conflict_message(
                    current, request.user, _kept_fields(form, current)
                ),
                "answer": _answer_data(current),
                **_figures(assessment, requirement),
            }
            return JsonResponse(data, status=409)
        kept = _kept_fields(form, current)
        # As the autosave does: what was left as the page showed it takes
        # the stored value, so saving again changes only what was typed.
        draft = {
            name: getattr(current, name) if name in kept else form.cleaned_data[name]
            for name in ("status", "justification")
        }
        kept_in_form = _(
            "Your version is still in the form: saving it again puts it over this one."
        )
        request.session[ANSWER_DRAFT] = {
            "assessment": assessment.pk,
            "code": requirement.code,
            **draft,
            "version": current.version,
            # The stored answer the form is now based on, as if the page
            # showed it.
            "base_status": current.status,
            "base_justification": current.justification,
            "errors": [
                f"{_conflict_message(current, request.user, kept)} {kept_in_form}"
            ],
        }
        # Without the filter: the stored answer may no longer match it, and
        # the form holding what was typed must be on the page.
        return redirect(requirement_url(assessment, requirement))
    except ValidationError as error:
        if json:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)

    if json:
        return JsonResponse(_saved_data(assessment, requirement, change))
    messages.success(
        request, _("Saved the answer to %(code)s.") % {"code": requirement.code}
    )
    return redirect(back)
