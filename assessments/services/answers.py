"""Writes of answers: the status and justification of one requirement."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Answer, AnswerStatus, Verdict
from assessments.permissions import Action
from assessments.selectors.reviews import OBJECTIONS
from assessments.services.common import AnswerConflict, lock_editable, save_as
from assessments.services.limits import check_bounds


def _check_framework(assessment, requirement) -> None:
    if requirement.framework_id != assessment.framework_id:
        raise ValidationError(_("The requirement belongs to another framework."))


def answer_for(assessment, requirement, actor, *, reason: str) -> Answer:
    """Return the answer row of ``requirement``, creating an empty one if needed.

    ``reason`` says, in the history of a created one, why it was created.
    """
    _check_framework(assessment, requirement)
    answer = Answer.objects.filter(
        assessment=assessment, requirement=requirement
    ).first()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            return save_as(
                Answer(assessment=assessment, requirement=requirement),
                actor,
                reason=reason,
            )
    except IntegrityError:
        # Someone else created it between the read and the write.
        return Answer.objects.get(assessment=assessment, requirement=requirement)


@dataclass(frozen=True)
class AnswerChange:
    """A saved answer, and whether saving it can have moved a level."""

    answer: Answer
    # False when the status stayed and the answer had no acceptance on its
    # previous version: the self-assessed reading reads only statuses and
    # the verified one only current acceptances, so neither can differ.
    moves_levels: bool
    # True when the previous version was rejected or questioned by the
    # auditor: the new version leaves the answers the assessors are to revise.
    ends_objection: bool = False


def answer_save(
    *,
    assessment,
    requirement,
    status: str,
    justification: str,
    base_version: int,
    actor,
) -> Answer:
    """Save the status and justification of one requirement.

    ``base_version`` is the version the person edited; when the stored
    answer has moved on, nothing is written and AnswerConflict carries the
    stored answer. Saving what is stored already writes nothing either.
    """
    return answer_change(
        assessment=assessment,
        requirement=requirement,
        status=status,
        justification=justification,
        base_version=base_version,
        actor=actor,
    ).answer


@transaction.atomic
def answer_change(
    *,
    assessment,
    requirement,
    status: str,
    justification: str,
    base_version: int,
    actor,
) -> AnswerChange:
    """Save an answer as :func:`answer_save` does, saying whether levels can move."""
    if status not in AnswerStatus.values and status != "":
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    check_bounds(justification=justification)
    locked = lock_editable(assessment, actor, Action.ANSWER, shared=True)
    _check_framework(locked, requirement)

    # Locked, so that no other save slips in between the check and the write.
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("review")
        .filter(assessment=locked, requirement=requirement)
        .first()
    ) or Answer(assessment=locked, requirement=requirement)
    if answer.version != base_version:
        raise AnswerConflict(answer)
    review = getattr(answer, "review", None) if answer.pk else None
    was_accepted = (
        review is not None
        and review.verdict == Verdict.ACCEPTED
        and review.answer_version == answer.version
    )
    moves_levels = was_accepted or answer.status != status
    was_objected = (
        review is not None
        and review.verdict in OBJECTIONS
        and review.answer_version == answer.version
        and bool(answer.status)
    )
    if answer.pk is not None and (answer.status, answer.justification) == (
        status,
        justification,
    ):
        # Nothing changed: no new version, so a verdict on this one stands.
        return AnswerChange(answer=answer, moves_levels=False)

    answer.status = status
    answer.justification = justification
    answer.version += 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    if answer.pk is not None:
        return AnswerChange(
            answer=save_as(answer, actor),
            moves_levels=moves_levels,
            ends_objection=was_objected,
        )
    try:
        with transaction.atomic():
            save_as(answer, actor)
    except IntegrityError:
        # Another first answer to the requirement was saved since the read:
        # the shared lock does not keep two first saves apart.
        raise AnswerConflict(
            Answer.objects.get(assessment=locked, requirement=requirement)
        ) from None
    return AnswerChange(answer=answer, moves_levels=moves_levels)
