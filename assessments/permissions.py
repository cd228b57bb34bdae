"""Who may see and do what: the one place that decides access.

Members of an organisation act by their role on every assessment of it. A
third-party auditor is not a member: an active grant opens one assessment,
its answers, evidence and history, and nothing else of the organisation.
Verdicts and findings are the auditor's alone. Views and the API ask
:func:`can` and scope their querysets with :func:`assessments_visible_to`;
an object outside the scope is a 404, a forbidden action on a visible
object a 403.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    AuditorGrant,
    Membership,
    Organisation,
    Role,
    Status,
)
from maturity.catalogues import get_framework
from portal.compiled import CompiledQuery


class Action(StrEnum):
    # On an organisation.
    VIEW_ORGANISATION = "organisation.view"
    CREATE_ASSESSMENT = "assessment.create"
    IMPORT_ASSESSMENT = "assessment.import"
    MANAGE_MEMBERS = "members.manage"
    # On an organisation (its memberships) and on an assessment.
    VIEW_HISTORY = "history.view"
    # On an assessment.
    VIEW = "assessment.view"
    EDIT = "assessment.edit"
    ANSWER = "answer.edit"
    MANAGE_EVIDENCE = "evidence.manage"
    SUBMIT = "assessment.submit"
    DELETE = "assessment.delete"
    REVIEW = "assessment.review"
    MANAGE_AUDITORS = "auditors.manage"
    START_FROM = "assessment.start_from"
    RECORD_VERDICT = "review.verdict"
    MANAGE_FINDINGS = "findings.manage"
    COMMENT = "comment.add"


_ORGANISATION_ACTIONS = {
    Action.VIEW_ORGANISATION: {Role.ADMIN, Role.ASSESSOR, Role.VIEWER},
    Action.CREATE_ASSESSMENT: {Role.ADMIN, Role.ASSESSOR},
    # An import brings in another organisation's answers, reviews and files.
    Action.IMPORT_ASSESSMENT: {Role.ADMIN},
    Action.MANAGE_MEMBERS: {Role.ADMIN},
    Action.VIEW_HISTORY: {Role.ADMIN},
}

_MEMBER_ACTIONS = {
    Action.VIEW: {Role.ADMIN, Role.ASSESSOR, Role.VIEWER},
    Action.EDIT: {Role.ADMIN, Role.ASSESSOR},
    Action.ANSWER: {Role.ADMIN, Role.ASSESSOR},
    Action.MANAGE_EVIDENCE: {Role.ADMIN, Role.ASSESSOR},
    Action.SUBMIT: {Role.ADMIN, Role.ASSESSOR},
    # Only a draft that never went to the auditor; the service checks that.
    Action.DELETE: {Role.ADMIN},
    Action.REVIEW: set(),
    Action.MANAGE_AUDITORS: {Role.ADMIN},
    Action.START_FROM: {Role.ADMIN, Role.ASSESSOR},
    # Verdicts and findings are the third party's alone.
    Action.RECORD_VERDICT: set(),
    Action.MANAGE_FINDINGS: set(),
    Action.COMMENT: {Role.ADMIN, Role.ASSESSOR},
    Action.VIEW_HISTORY: {Role.ADMIN},
}

_AUDITOR_ACTIONS = {
    Action.VIEW,
    Action.REVIEW,
    Action.RECORD_VERDICT,
    Action.MANAGE_FINDINGS,
    Action.COMMENT,
    Action.VIEW_HISTORY,
}


@dataclass(frozen=True)
class Access:
    """What one user holds on one assessment: a role, an auditor grant, or none."""

    role: str | None
    auditor: bool

    @property
    def visible(self) -> bool:
        return self.role is not None or self.auditor

    def allows(self, action: Action) -> bool:
        if self.role is not None and self.role in _MEMBER_ACTIONS.get(action, ()):
            return True
        return self.auditor and action in _AUDITOR_ACTIONS


def active_grants() -> QuerySet[AuditorGrant]:
    """Return the grants not revoked and not past their last day."""
    today = timezone.localdate()
    return AuditorGrant.objects.filter(revoked_at__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def memberships_of(user) -> list[Membership]:
    """Return the user's memberships with their organisations, by name.

    One query per request: the list is kept on the user object, which lives
    as long as the request, and serves :func:`role_in` as well.
    """
    if not user.is_authenticated:
        return []
    memberships = user.__dict__.get("_memberships")
    if memberships is None:
        memberships = user.__dict__["_memberships"] = list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        )
    return memberships


def role_in(user, organisation: Organisation | int) -> str | None:
    """Return the role of ``user`` in ``organisation``, or None.

    Read with :func:`memberships_of`: one query per request in all.
    """
    if not user.is_authenticated:
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    for membership in memberships_of(user):
        if membership.organisation_id == organisation_id:
            return membership.role
    return None


def access_to(user, assessment: Assessment) -> Access:
    """Return what ``user`` holds on ``assessment``; at most two queries, cached."""
    if not user.is_authenticated:
        return Access(role=None, auditor=False)
    cache = user.__dict__.setdefault("_assessment_access", {})
    if assessment.pk not in cache:
        role = role_in(user, assessment.organisation_id)
        auditor = (
            role is None
            and active_grants().filter(user=user, assessment=assessment).exists()
        )
        cache[assessment.pk] = Access(role=role, auditor=auditor)
    return cache[assessment.pk]


def forget_access(user) -> None:
    """Drop what was cached about ``user``, after a membership or grant changed."""
    user.__dict__.pop("_memberships", None)
    user.__dict__.pop("_assessment_access", None)


def can(user, action: Action, target: Assessment | Organisation) -> bool:
    """Return whether ``user`` may do ``action`` on an assessment or organisation."""
    if isinstance(target, Organisation):
        roles = _ORGANISATION_ACTIONS.get(action)
        if roles is None:
            raise ValueError(f"{action} is not an action on an organisation.")
        return role_in(user, target) in roles
    return access_to(user, target).allows(action)


def _in_review(assessment: Assessment) -> bool:
    return assessment.status == Status.IN_REVIEW


# What an assessment's status must be, besides the role allowing it, for the
# actions it allows only in some statuses: the pages show their forms, and
# the services take them, only then. The status changes are the
# transitions' own (``services.transition_allowed``).
_STATUS_RULES = {
    Action.EDIT: lambda assessment: assessment.is_editable,
    Action.ANSWER: lambda assessment: assessment.is_editable,
    Action.MANAGE_EVIDENCE: lambda assessment: assessment.is_editable,
    Action.RECORD_VERDICT: _in_review,
    Action.MANAGE_FINDINGS: _in_review,
    Action.COMMENT: lambda assessment: not assessment.is_finalised,
}


def can_now(user, action: Action, assessment: Assessment) -> bool:
    """Return whether ``user`` may do ``action`` on ``assessment`` in its status.

    :func:`can` asks the role alone; this asks the status too, first, which
    costs no query.
    """
    rule = _STATUS_RULES.get(action)
    return (rule is None or rule(assessment)) and can(user, action, assessment)


def require(user, action: Action, target: Assessment | Organisation) -> None:
    """Raise PermissionDenied unless ``user`` may do ``action`` on ``target``."""
    if not can(user, action, target):
        raise PermissionDenied(_("Your role does not allow this action."))


def organisations_of(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` is a member of."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """Return the assessments of the user's organisations and of active grants."""
    if not user.is_authenticated:
        return Assessment.objects.none()
    granted = active_grants().filter(user=user).values("assessment_id")
    return Assessment.objects.filter(
        Q(organisation__memberships__user=user) | Q(pk__in=granted)
    ).distinct()


def get_organisation(user, slug: str) -> Organisation:
    """Return the organisation ``slug`` if ``user`` is a member, else raise 404."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or role_in(user, organisation) is None:
        raise Http404
    return organisation


def get_assessment(
    user, pk: int, action: Action = Action.VIEW, *, related: bool = True
) -> Assessment:
    """Return assessment ``pk`` for ``action``.

    Raise 404 when ``user`` cannot see it at all, 403 when they can see it
    but not do ``action``. The organisation and framework come with it
    unless ``related`` is False, for writes that read neither; the
    framework, which never changes, from memory.
    """
    assessment = _read_assessment(int(pk), related)
    if assessment is None or not access_to(user, assessment).visible:
        raise Http404
    if related:
        assessment.framework = get_framework(assessment.framework_id)
    require(user, action, assessment)
    return assessment


# Every page of an assessment starts by reading it, so the SQL is written once
# (see portal.compiled) and the rows made into models as the ORM would.
ASSESSMENT_FIELDS = tuple(field.attname for field in Assessment._meta.concrete_fields)
ORGANISATION_FIELDS = tuple(
    field.attname for field in Organisation._meta.concrete_fields
)
ASSESSMENT_ROW = CompiledQuery(
    lambda pk: Assessment.objects.filter(pk=pk).values_list(*ASSESSMENT_FIELDS)
)
ASSESSMENT_AND_ORGANISATION_ROW = CompiledQuery(
    lambda pk: Assessment.objects.filter(pk=pk).values_list(
        *ASSESSMENT_FIELDS, *(f"organisation__{name}" for name in ORGANISATION_FIELDS)
    )
)


def _read_assessment(pk: int, related: bool) -> Assessment | None:
    """Return assessment ``pk``, with its organisation when ``related``, or None."""
    query = ASSESSMENT_AND_ORGANISATION_ROW if related else ASSESSMENT_ROW
    rows = query(pk)
    if not rows:
        return None
    db = router.db_for_read(Assessment)
    count = len(ASSESSMENT_FIELDS)
    assessment = Assessment.from_db(db, ASSESSMENT_FIELDS, rows[0][:count])
    if related:
        assessment.organisation = Organisation.from_db(
            db, ORGANISATION_FIELDS, rows[0][count:]
        )
    return assessment
