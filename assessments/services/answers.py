"""Writes of answers: the status and justification of one requirement."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Answer, AnswerStatus
from assessments.permissions import Action
from assessments.services.common import AnswerConflict, lock_editable, save_as


def _check_framework(assessment, requirement) -> None:
    if requirement.framework_id != assessment.framework_id:
        raise ValidationError(_("The requirement belongs to another framework."))


def answer_for(assessment, requirement, actor) -> Answer:
    """Return the answer row of ``requirement``, creating an empty one if needed."""
    _check_framework(assessment, requirement)
    answer = Answer.objects.filter(
        assessment=assessment, requirement=requirement
    ).first()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            return save_as(
                Answer(assessment=assessment, requirement=requirement), actor
            )
    except IntegrityError:
        # Someone else created it between the read and the write.
        return Answer.objects.get(assessment=assessment, requirement=requirement)


@transaction.atomic
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
    stored answer.
    """
    if status not in AnswerStatus.values and status != "":
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    locked = lock_editable(assessment, actor, Action.ANSWER)
    _check_framework(locked, requirement)

    # Locked, so that no other save slips in between the check and the write.
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(assessment=locked, requirement=requirement)
        .first()
    ) or Answer(assessment=locked, requirement=requirement)
    if answer.version != base_version:
        raise AnswerConflict(answer)
    answer.status = status
    answer.justification = justification
    answer.version += 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    return save_as(answer, actor)
