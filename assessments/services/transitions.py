"""Status changes of an assessment, and the readings frozen on finalising."""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import (
    Assessment,
    Status,
    StatusChange,
    status_in_sentence,
)
from assessments.permissions import Action, can
from assessments.services.common import (
    SubmissionIncomplete,
    TransitionNotAllowed,
    lock_assessment,
    save_as,
)
from assessments.services.limits import check_bounds
from assessments.signals import assessment_finalised

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    action: Action
    # The button's words, and what the page says once it is done.
    label: str
    done: str
    needs_reason: bool = False


TRANSITIONS = {
    "submit": Transition(
        frozenset({Status.DRAFT, Status.RETURNED}),
        Status.SUBMITTED,
        Action.SUBMIT,
        gettext_lazy("Submit for review"),
        gettext_lazy("The assessment was submitted for review."),
    ),
    "start_review": Transition(
        frozenset({Status.SUBMITTED}),
        Status.IN_REVIEW,
        Action.REVIEW,
        gettext_lazy("Start review"),
        gettext_lazy("The review has started."),
    ),
    "return": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.RETURNED,
        Action.REVIEW,
        gettext_lazy("Return to the assessors"),
        gettext_lazy("The assessment was returned to the assessors."),
        needs_reason=True,
    ),
    "finalise": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.FINALISED,
        Action.REVIEW,
        gettext_lazy("Finalise"),
        gettext_lazy("The assessment was finalised."),
    ),
}


def transition_allowed(user, assessment, name: str) -> bool:
    """Return whether ``user`` may make transition ``name`` now."""
    transition = TRANSITIONS[name]
    return assessment.status in transition.sources and can(
        user, transition.action, assessment
    )


@transaction.atomic
def assessment_transition(
    *, assessment, name: str, actor, reason: str = ""
) -> Assessment:
    """Move ``assessment`` along transition ``name`` and record who did it.

    Finalising freezes the self-assessed and the verified reading and
    sends ``assessment_finalised``. Raise PermissionDenied when the actor's
    role does not allow it, TransitionNotAllowed when the current status
    does not, and SubmissionIncomplete when submitting with requirements
    left to do.
    """
    from assessments.selectors import (
        assessment_score,
        submission_problems,
        verified_statuses,
    )

    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown status change."), code="unknown")
    if not can(actor, transition.action, assessment):
        raise PermissionDenied(_("Your role does not allow this status change."))
    locked = lock_assessment(assessment)
    if locked.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(transition)s” is not possible while the assessment is %(status)s.")
            % {
                "transition": transition.label,
                "status": status_in_sentence(locked.status),
            },
            code="illegal",
        )
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise ValidationError(
            {"reason": _("Say what the assessors need to fix.")}, code="reason"
        )
    check_bounds(reason=reason)
    if name == "submit":
        problems = submission_problems(locked)
        if problems:
            raise SubmissionIncomplete(problems)

    previous_status = locked.status
    locked.status = transition.target
    fields = ["status"]
    if transition.target == Status.FINALISED:
        locked.finalised_at = timezone.now()
        locked.self_scores = assessment_score(locked).to_dict()
        locked.verified_scores = assessment_score(
            locked, verified_statuses(locked)
        ).to_dict()
        fields += ["finalised_at", "self_scores", "verified_scores"]
    save_as(locked, actor, update_fields=fields)
    StatusChange.objects.create(
        assessment=locked,
        from_status=previous_status,
        to_status=transition.target,
        actor=actor,
        reason=reason,
    )
    logger.info(
        "Assessment %s moved from %s to %s by user %s",
        locked.pk,
        previous_status,
        transition.target,
        actor.pk,
    )
    if transition.target == Status.FINALISED:
        assessment_finalised.send(sender=Assessment, assessment=locked, actor=actor)
    return locked
