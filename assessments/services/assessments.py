"""Writes of assessments: creation, settings, targets, starting from, deletion."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments import uploads
from assessments.models import (
    DEFAULT_TARGET_LEVEL,
    Answer,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceLink,
    Finding,
    Review,
    Status,
    status_in_sentence,
)
from assessments.permissions import Action, require
from assessments.selectors.assessments import went_to_auditor
from assessments.selectors.history import CARRIED_OVER, PREVIOUS_DELETED
from assessments.services.common import (
    AssessmentLocked,
    delete_as,
    lock_assessment,
    lock_editable,
    locked_error,
    save_as,
)
from assessments.services.limits import check_bounds
from assessments.signals import assessment_deleting
from maturity.models import Framework, Module, Requirement

logger = logging.getLogger(__name__)


def _check_settings(scope, period_start, period_end) -> None:
    check_bounds(scope=scope, period_start=period_start, period_end=period_end)
    if period_start and period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The period cannot end before it starts.")}
        )


def _save_targets(assessment, framework, targets: dict[str, int], actor) -> None:
    modules = Module.objects.filter(framework=framework).order_by("position")
    existing = {
        t.module_id: t for t in AssessmentTarget.objects.filter(assessment=assessment)
    }
    for module in modules:
        level = targets.get(module.code, DEFAULT_TARGET_LEVEL)
        if level not in range(1, 6):
            raise ValidationError(
                _("The target level of %(module)s must be 1 to 5.")
                % {"module": module.code}
            )
        target = existing.get(module.pk)
        if target is None:
            save_as(
                AssessmentTarget(assessment=assessment, module=module, level=level),
                actor,
            )
        elif target.level != level:
            target.level = level
            save_as(target, actor, update_fields=["level"])


@transaction.atomic
def assessment_create(
    *,
    organisation,
    framework: Framework,
    title: str,
    scope: str,
    period_start: date,
    period_end: date,
    actor,
    targets: dict[str, int] | None = None,
    previous: Assessment | None = None,
    reason: str | None = None,
) -> Assessment:
    """Create a draft assessment of ``organisation`` pinned to ``framework``.

    ``reason`` becomes the change reason of its first version in the history;
    an import gives ``selectors.history.IMPORTED``, which the organisation's
    history lists.
    """
    require(actor, Action.CREATE_ASSESSMENT, organisation)
    _check_settings(scope, period_start, period_end)

    assessment = save_as(
        Assessment(
            organisation=organisation,
            framework=framework,
            title=title,
            scope=scope,
            period_start=period_start,
            period_end=period_end,
            previous=previous,
            created_by=actor,
        ),
        actor,
        reason=reason,
    )
    _save_targets(assessment, framework, targets or {}, actor)
    logger.info("Assessment %s created by user %s", assessment.pk, actor.pk)
    return assessment


def settings_locked_error(assessment) -> ValidationError:
    """Return the error refusing a change of the settings in this status."""
    if assessment.is_finalised:
        return locked_error(assessment)
    return AssessmentLocked(
        _(
            "The assessment is %(status)s: its title, period and targets can be "
            "changed only while it is a draft or has been returned."
        )
        % {"status": status_in_sentence(assessment.status)},
        code="locked",
    )


@transaction.atomic
def assessment_update(
    *,
    assessment,
    title: str,
    scope: str,
    period_start: date,
    period_end: date,
    targets: dict[str, int],
    actor,
) -> Assessment:
    """Change the title, scope, period and targets of an editable assessment."""
    try:
        locked = lock_editable(assessment, actor, Action.EDIT)
    except AssessmentLocked:
        raise settings_locked_error(assessment) from None
    _check_settings(scope, period_start, period_end)

    locked.title = title
    locked.scope = scope
    locked.period_start = period_start
    locked.period_end = period_end
    save_as(
        locked, actor, update_fields=["title", "scope", "period_start", "period_end"]
    )
    _save_targets(locked, locked.framework, targets, actor)
    return locked


@transaction.atomic
def assessment_start_from(
    *,
    previous: Assessment,
    title: str,
    period_start: date,
    period_end: date,
    actor,
    scope: str = "",
) -> Assessment:
    """Create a draft from ``previous``: answers, targets and evidence carried over.

    A blank ``scope`` carries over the scope statement of ``previous``, so
    the page and the API start from the same one when none is typed.
    The new assessment uses the latest installed version of the framework;
    answers move by requirement code. Evidence items are copied, their files
    linked rather than duplicated, and every carried link needs
    reconfirmation before the answer counts as backed up. A copy keeps who
    added the original and when; its history records ``actor`` carrying it,
    with the change reason ``CARRIED_OVER`` on each answer, which nothing
    else tells from an answer written afterwards. Nothing of a review is
    carried.
    """
    require(actor, Action.START_FROM, previous)
    framework = Framework.objects.latest_version(previous.framework.code)
    previous_targets = dict(
        AssessmentTarget.objects.filter(assessment=previous).values_list(
            "module__code", "level"
        )
    )
    assessment = assessment_create(
        organisation=previous.organisation,
        framework=framework,
        title=title,
        scope=scope if scope.strip() else previous.scope,
        period_start=period_start,
        period_end=period_end,
        actor=actor,
        targets=previous_targets,
        previous=previous,
    )

    requirements = dict(
        Requirement.objects.filter(framework=framework).values_list("code", "pk")
    )
    old_answers = list(
        Answer.objects.filter(assessment=previous).select_related("requirement")
    )
    # Bulk writes, with their history written in bulk beside them.
    bulk_create_with_history(
        [
            Answer(
                assessment=assessment,
                requirement_id=requirements[old.requirement.code],
                status=old.status,
                justification=old.justification,
                version=1,
                updated_by=actor,
            )
            for old in old_answers
            if old.requirement.code in requirements
        ],
        Answer,
        default_user=actor,
        default_change_reason=CARRIED_OVER,
    )
    answer_by_code = dict(
        Answer.objects.filter(assessment=assessment).values_list(
            "requirement__code", "pk"
        )
    )

    copied_files = []
    try:
        evidence_map = {}
        for old in Evidence.objects.filter(assessment=previous).order_by("pk"):
            file_path = ""
            if old.file_path:
                file_path = uploads.copy_stored(
                    old.file_path, assessment_id=assessment.pk
                )
                copied_files.append(file_path)
            evidence_map[old.pk] = save_as(
                Evidence(
                    assessment=assessment,
                    kind=old.kind,
                    title=old.title,
                    description=old.description,
                    effective_from=old.effective_from,
                    url=old.url,
                    note=old.note,
                    file_path=file_path,
                    original_name=old.original_name,
                    size=old.size,
                    content_type=old.content_type,
                    sha256=old.sha256,
                    carried_from=old,
                    created_by_id=old.created_by_id,
                    created_at=old.created_at,
                ),
                actor,
            )
        bulk_create_with_history(
            [
                EvidenceLink(
                    evidence=evidence_map[link.evidence_id],
                    answer_id=answer_by_code[link.answer.requirement.code],
                    needs_reconfirmation=True,
                    created_by=actor,
                )
                for link in EvidenceLink.objects.filter(
                    answer__assessment=previous
                ).select_related("answer__requirement")
                if link.answer.requirement.code in answer_by_code
            ],
            EvidenceLink,
            default_user=actor,
        )
    except BaseException:
        for path in copied_files:
            uploads.remove_stored(path)
        raise
    logger.info(
        "Assessment %s started from %s by user %s", assessment.pk, previous.pk, actor.pk
    )
    return assessment


@transaction.atomic
def assessment_delete(*, assessment, actor) -> None:
    """Delete a draft that never went to the auditor, with its evidence files.

    The rows go one by one, children first, so that the history names the
    actor for each of them rather than leaving it to the cascade; runs a
    few queries per answer and evidence item. Other apps delete what they
    keep of the assessment on ``assessment_deleting``. Files are removed
    once the deletion commits. Assessments started from this one stay, no
    longer saying where they started from, and their history says so.
    """
    require(actor, Action.DELETE, assessment)
    locked = lock_assessment(assessment)
    if locked.status != Status.DRAFT:
        raise ValidationError(
            _(
                "The assessment is %(status)s: only a draft that never went to "
                "the auditor can be deleted."
            )
            % {"status": status_in_sentence(locked.status)},
            code="not_deletable",
        )
    if went_to_auditor(locked):
        raise ValidationError(
            _(
                "The assessment went to the auditor before, so it is kept with "
                "its history and cannot be deleted."
            ),
            code="not_deletable",
        )

    assessment_deleting.send(sender=Assessment, assessment=locked, actor=actor)
    children = [
        EvidenceLink.objects.filter(answer__assessment=locked),
        Comment.objects.filter(assessment=locked),
        Review.objects.filter(answer__assessment=locked),
        Finding.objects.filter(assessment=locked),
        Evidence.objects.filter(assessment=locked),
        Answer.objects.filter(assessment=locked),
        AssessmentTarget.objects.filter(assessment=locked),
        AuditorGrant.objects.filter(assessment=locked),
    ]
    assessment_id, organisation_id = locked.pk, locked.organisation_id
    paths = []
    for rows in children:
        for row in rows.order_by("pk"):
            if isinstance(row, Evidence) and row.file_path:
                paths.append(row.file_path)
            delete_as(row, actor)
    # The link would be cleared by the cascade; cleared here, the history of
    # each successor says who cleared it.
    for successor in Assessment.objects.filter(previous=locked).order_by("pk"):
        successor.previous = None
        save_as(successor, actor, reason=PREVIOUS_DELETED, update_fields=["previous"])
    delete_as(locked, actor)

    def remove_files():
        for path in paths:
            uploads.remove_stored(path)

    transaction.on_commit(remove_files)
    logger.info(
        "Assessment %s of organisation %s deleted by user %s with %s evidence files",
        assessment_id,
        organisation_id,
        actor.pk,
        len(paths),
    )
