"""Every write of organisations, assessments, answers and evidence.

Each function checks who is acting through ``assessments.permissions`` and
refuses what the assessment's status does not allow, with a message that
says what to do, so a view or an API endpoint cannot forget a rule.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import uploads
from assessments.models import (
    DEFAULT_TARGET_LEVEL,
    Answer,
    AnswerStatus,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Evidence,
    EvidenceDeletion,
    EvidenceKind,
    EvidenceLink,
    Membership,
    Organisation,
    Role,
    Status,
    StatusChange,
)
from assessments.permissions import Action, active_grants, can, forget_access, require
from maturity.models import Framework, Module, Requirement

logger = logging.getLogger(__name__)
User = get_user_model()


class AssessmentLocked(ValidationError):
    """Raised on a write the assessment's status no longer allows."""


class AnswerConflict(Exception):
    """Raised when an answer changed since the version the update was based on."""

    def __init__(self, current: Answer):
        super().__init__(
            _(
                "Someone else saved this answer in the meantime. Their version "
                "is shown; check it and save again."
            )
        )
        self.current = current


class SubmissionIncomplete(ValidationError):
    """Raised on submit while requirements lack a status, evidence or reason."""

    def __init__(self, problems):
        super().__init__(
            _(
                "The assessment cannot be submitted yet: %(count)d requirements "
                "need attention."
            )
            % {"count": len(problems)},
            code="incomplete",
        )
        self.problems = problems


class TransitionNotAllowed(ValidationError):
    """Raised on a status change that the current status does not allow."""


def _locked_error(assessment) -> AssessmentLocked:
    if assessment.is_finalised:
        message = _("The assessment is finalised and can no longer be changed.")
    else:
        message = _(
            "The assessment is %(status)s: answers and evidence can be changed only "
            "while it is a draft or has been returned."
        ) % {"status": Status(assessment.status).label}
    return AssessmentLocked(message, code="locked")


def _lock_editable(assessment, actor, action) -> Assessment:
    """Lock ``assessment`` for the transaction and check it can be changed."""
    require(actor, action, assessment)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_editable:
        raise _locked_error(locked)
    return locked


def _find_user(identifier: str):
    identifier = identifier.strip()
    if not identifier:
        return None
    lookup = Q(username=identifier)
    if "@" in identifier:
        lookup |= Q(email__iexact=identifier)
    matches = list(User.objects.filter(lookup, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


# --------------------------------------------------------- organisations


@transaction.atomic
def organisation_create(*, name: str, slug: str, actor) -> Organisation:
    """Create an organisation with ``actor`` as its first administrator."""
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": _("This short name is taken. Choose another one.")}
        )
    organisation = Organisation.objects.create(name=name, slug=slug)
    Membership.objects.create(user=actor, organisation=organisation, role=Role.ADMIN)
    forget_access(actor)
    logger.info("Organisation %s created by user %s", organisation.pk, actor.pk)
    return organisation


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})


def _refuse_auditor_as_member(organisation, user) -> None:
    if (
        active_grants()
        .filter(user=user, assessment__organisation=organisation)
        .exists()
    ):
        raise ValidationError(
            _(
                "%(user)s audits an assessment of this organisation; revoke the "
                "grant before adding them as a member."
            )
            % {"user": user.get_username()}
        )


@transaction.atomic
def membership_add(*, organisation, identifier: str, role: str, actor) -> Membership:
    """Add the existing user named by username or e-mail ``identifier``."""
    require(actor, Action.MANAGE_MEMBERS, organisation)
    _check_role(role)
    user = _find_user(identifier)
    if user is None:
        raise ValidationError(
            {
                "identifier": _(
                    "No single active account has this username or e-mail address. "
                    "Check the spelling, or create the account below."
                )
            }
        )
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"identifier": _("This person is already a member.")})
    _refuse_auditor_as_member(organisation, user)
    membership = Membership.objects.create(
        organisation=organisation, user=user, role=role
    )
    forget_access(user)
    logger.info(
        "User %s added to organisation %s as %s by user %s",
        user.pk,
        organisation.pk,
        role,
        actor.pk,
    )
    return membership


@transaction.atomic
def membership_create_user(
    *,
    organisation,
    username: str,
    email: str,
    password: str,
    role: str,
    actor,
) -> Membership:
    """Create an account and make it a member of ``organisation``."""
    require(actor, Action.MANAGE_MEMBERS, organisation)
    _check_role(role)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(
        organisation=organisation, user=user, role=role
    )
    logger.info(
        "User %s created in organisation %s by user %s",
        user.pk,
        organisation.pk,
        actor.pk,
    )
    return membership


def _refuse_last_admin(membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.role == Role.ADMIN and not others.exists():
        raise ValidationError(
            _(
                "An organisation needs at least one administrator. Make someone "
                "else an administrator first."
            )
        )


@transaction.atomic
def membership_change_role(*, membership, role: str, actor) -> Membership:
    """Give ``membership`` another role, keeping at least one administrator."""
    require(actor, Action.MANAGE_MEMBERS, membership.organisation)
    _check_role(role)
    if role != Role.ADMIN:
        _refuse_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    forget_access(membership.user)
    logger.info("Membership %s now %s, by user %s", membership.pk, role, actor.pk)
    return membership


@transaction.atomic
def membership_remove(*, membership, actor) -> None:
    """Remove a member, keeping at least one administrator."""
    require(actor, Action.MANAGE_MEMBERS, membership.organisation)
    _refuse_last_admin(membership)
    membership.delete()
    forget_access(membership.user)
    logger.info("Membership %s removed by user %s", membership.pk, actor.pk)


# --------------------------------------------------------------- auditors


@transaction.atomic
def auditor_grant(
    *, assessment, identifier: str, expires_on: date | None, actor
) -> AuditorGrant:
    """Give the user named by ``identifier`` auditor access to ``assessment``."""
    require(actor, Action.MANAGE_AUDITORS, assessment)
    user = _find_user(identifier)
    if user is None:
        raise ValidationError(
            {
                "identifier": _(
                    "No single active account has this username or e-mail address."
                )
            }
        )
    if Membership.objects.filter(
        organisation_id=assessment.organisation_id, user=user
    ).exists():
        raise ValidationError(
            {
                "identifier": _(
                    "Members of the organisation cannot audit it; an auditor must "
                    "be a third party."
                )
            }
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError(
            {"expires_on": _("The last day of access cannot be in the past.")}
        )
    if active_grants().filter(assessment=assessment, user=user).exists():
        raise ValidationError(
            {"identifier": _("This auditor already has access to the assessment.")}
        )
    grant = AuditorGrant.objects.create(
        assessment=assessment, user=user, granted_by=actor, expires_on=expires_on
    )
    forget_access(user)
    logger.info(
        "Auditor %s granted assessment %s by user %s",
        user.pk,
        assessment.pk,
        actor.pk,
    )
    return grant


@transaction.atomic
def auditor_revoke(*, grant, actor) -> AuditorGrant:
    """End an auditor's access now."""
    require(actor, Action.MANAGE_AUDITORS, grant.assessment)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        forget_access(grant.user)
        logger.info("Auditor grant %s revoked by user %s", grant.pk, actor.pk)
    return grant


# ------------------------------------------------------------ assessments


def _check_period(period_start, period_end) -> None:
    if period_start and period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The period cannot end before it starts.")}
        )


def _save_targets(assessment, framework, targets: dict[str, int]) -> None:
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
            AssessmentTarget.objects.create(
                assessment=assessment, module=module, level=level
            )
        elif target.level != level:
            target.level = level
            target.save(update_fields=["level"])


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
) -> Assessment:
    """Create a draft assessment of ``organisation`` pinned to ``framework``."""
    require(actor, Action.CREATE_ASSESSMENT, organisation)
    _check_period(period_start, period_end)
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework=framework,
        title=title,
        scope=scope,
        period_start=period_start,
        period_end=period_end,
        previous=previous,
        created_by=actor,
    )
    _save_targets(assessment, framework, targets or {})
    logger.info("Assessment %s created by user %s", assessment.pk, actor.pk)
    return assessment


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
    locked = _lock_editable(assessment, actor, Action.EDIT)
    _check_period(period_start, period_end)
    locked.title = title
    locked.scope = scope
    locked.period_start = period_start
    locked.period_end = period_end
    locked.save(update_fields=["title", "scope", "period_start", "period_end"])
    _save_targets(locked, locked.framework, targets)
    return locked


@transaction.atomic
def assessment_start_from(
    *,
    previous: Assessment,
    title: str,
    scope: str,
    period_start: date,
    period_end: date,
    actor,
) -> Assessment:
    """Create a draft from ``previous``: answers, targets and evidence carried over.

    The new assessment uses the latest installed version of the framework;
    answers move by requirement code. Evidence items are copied, their files
    linked rather than duplicated, and every carried link needs
    reconfirmation before the answer counts as backed up. Nothing of a
    review is carried.
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
        scope=scope,
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
    Answer.objects.bulk_create(
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
        ]
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
            evidence_map[old.pk] = Evidence.objects.create(
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
                created_by=actor,
            )
        EvidenceLink.objects.bulk_create(
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
            ]
        )
    except BaseException:
        for path in copied_files:
            uploads.remove_stored(path)
        raise
    logger.info(
        "Assessment %s started from %s by user %s", assessment.pk, previous.pk, actor.pk
    )
    return assessment


# ------------------------------------------------------------ transitions


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    action: Action
    label: str
    needs_reason: bool = False


TRANSITIONS = {
    "submit": Transition(
        frozenset({Status.DRAFT, Status.RETURNED}),
        Status.SUBMITTED,
        Action.SUBMIT,
        gettext_lazy("Submit for review"),
    ),
    "start_review": Transition(
        frozenset({Status.SUBMITTED}),
        Status.IN_REVIEW,
        Action.REVIEW,
        gettext_lazy("Start review"),
    ),
    "return": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.RETURNED,
        Action.REVIEW,
        gettext_lazy("Return to the assessors"),
        needs_reason=True,
    ),
    "finalise": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.FINALISED,
        Action.REVIEW,
        gettext_lazy("Finalise"),
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

    Raise PermissionDenied when the actor's role does not allow it,
    TransitionNotAllowed when the current status does not, and
    SubmissionIncomplete when submitting with requirements left to do.
    """
    from assessments.selectors import assessment_score, submission_problems

    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown status change."), code="unknown")
    if not can(actor, transition.action, assessment):
        raise PermissionDenied(_("Your role does not allow this status change."))
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(transition)s” is not possible while the assessment is %(status)s.")
            % {"transition": transition.label, "status": Status(locked.status).label},
            code="illegal",
        )
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise ValidationError(
            {"reason": _("Say what the assessors need to fix.")}, code="reason"
        )
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
        fields += ["finalised_at", "self_scores"]
    locked.save(update_fields=fields)
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
    return locked


# ----------------------------------------------------------------- answers


def _answer_for(assessment, requirement) -> Answer:
    if requirement.framework_id != assessment.framework_id:
        raise ValidationError(_("The requirement belongs to another framework."))
    try:
        with transaction.atomic():
            answer, _created = Answer.objects.get_or_create(
                assessment=assessment, requirement=requirement
            )
    except IntegrityError:
        answer = Answer.objects.get(assessment=assessment, requirement=requirement)
    return answer


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
    locked = _lock_editable(assessment, actor, Action.ANSWER)
    answer = _answer_for(locked, requirement)

    updated = Answer.objects.filter(pk=answer.pk, version=base_version).update(
        status=status,
        justification=justification,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    answer.refresh_from_db()
    if updated == 0:
        raise AnswerConflict(answer)
    return answer


# ---------------------------------------------------------------- evidence


def _link(evidence, assessment, requirement, actor) -> EvidenceLink:
    answer = _answer_for(assessment, requirement)
    link, created = EvidenceLink.objects.get_or_create(
        evidence=evidence, answer=answer, defaults={"created_by": actor}
    )
    if not created:
        raise ValidationError(
            _("This evidence item already supports the requirement."), code="linked"
        )
    return link


def _create_evidence(*, assessment, requirement, actor, **fields) -> Evidence:
    if not fields.get("title", "").strip():
        raise ValidationError({"title": _("Give the evidence item a title.")})
    evidence = Evidence.objects.create(
        assessment=assessment, created_by=actor, **fields
    )
    if requirement is not None:
        _link(evidence, assessment, requirement, actor)
    logger.info(
        "Evidence %s (%s) added to assessment %s by user %s",
        evidence.pk,
        evidence.kind,
        assessment.pk,
        actor.pk,
    )
    return evidence


def evidence_add_file(
    *,
    assessment,
    uploaded,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Check and store an uploaded file as evidence, linked to ``requirement``.

    A refused file leaves neither a row nor a file behind.
    """
    with transaction.atomic():
        _lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    content_type = uploads.check_upload(uploaded)
    original_name = (uploaded.name or "").rsplit("/", 1)[-1][:255]
    stored = uploads.store_upload(uploaded, assessment_id=assessment.pk)
    try:
        with transaction.atomic():
            locked = _lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
            return _create_evidence(
                assessment=locked,
                requirement=requirement,
                actor=actor,
                kind=EvidenceKind.FILE,
                title=title.strip() or original_name,
                description=description,
                effective_from=effective_from,
                file_path=stored.path,
                original_name=original_name,
                size=stored.size,
                content_type=content_type,
                sha256=stored.sha256,
            )
    except BaseException:
        uploads.remove_stored(stored.path)
        raise


@transaction.atomic
def evidence_add_link(
    *,
    assessment,
    url: str,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Record a link to a document kept elsewhere as evidence."""
    locked = _lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Enter an address starting with https://.")})
    return _create_evidence(
        assessment=locked,
        requirement=requirement,
        actor=actor,
        kind=EvidenceKind.LINK,
        title=title.strip() or url[:200],
        description=description,
        effective_from=effective_from,
        url=url,
    )


@transaction.atomic
def evidence_add_note(
    *,
    assessment,
    note: str,
    title: str,
    description: str = "",
    effective_from: date | None = None,
    requirement=None,
    actor,
) -> Evidence:
    """Record a written statement as evidence."""
    locked = _lock_editable(assessment, actor, Action.MANAGE_EVIDENCE)
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    return _create_evidence(
        assessment=locked,
        requirement=requirement,
        actor=actor,
        kind=EvidenceKind.NOTE,
        title=title,
        description=description,
        effective_from=effective_from,
        note=note,
    )


@transaction.atomic
def evidence_attach(*, evidence, requirement, actor) -> EvidenceLink:
    """Let an existing evidence item support one more requirement."""
    locked = _lock_editable(evidence.assessment, actor, Action.MANAGE_EVIDENCE)
    return _link(evidence, locked, requirement, actor)


@transaction.atomic
def evidence_detach(*, link, actor) -> None:
    """Stop an evidence item supporting one requirement; the item stays."""
    _lock_editable(link.answer.assessment, actor, Action.MANAGE_EVIDENCE)
    link.delete()


@transaction.atomic
def evidence_reconfirm(*, link, actor) -> EvidenceLink:
    """Confirm that carried-over evidence still supports the requirement."""
    _lock_editable(link.answer.assessment, actor, Action.MANAGE_EVIDENCE)
    if link.needs_reconfirmation:
        link.needs_reconfirmation = False
        link.save(update_fields=["needs_reconfirmation"])
    return link


@transaction.atomic
def evidence_delete(*, evidence, actor) -> EvidenceDeletion:
    """Delete an evidence item and its file, recording who did it and when."""
    locked = _lock_editable(evidence.assessment, actor, Action.MANAGE_EVIDENCE)
    codes = list(
        evidence.links.order_by("answer__requirement__sequence").values_list(
            "answer__requirement__code", flat=True
        )
    )
    deletion = EvidenceDeletion.objects.create(
        assessment=locked,
        evidence_id=evidence.pk,
        kind=evidence.kind,
        title=evidence.title,
        original_name=evidence.original_name,
        sha256=evidence.sha256,
        requirement_codes=codes,
        deleted_by=actor,
    )
    path = evidence.file_path
    evidence.delete()
    if path:
        transaction.on_commit(lambda: uploads.remove_stored(path))
    logger.info(
        "Evidence %s deleted from assessment %s by user %s",
        deletion.evidence_id,
        locked.pk,
        actor.pk,
    )
    return deletion
