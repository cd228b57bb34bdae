"""Every write of organisations, assessments, answers, evidence and reviews.

Each function checks who is acting through ``assessments.permissions`` and
refuses what the assessment's status does not allow, with a message that
says what to do, so a view or an API endpoint cannot forget a rule. Each
saves through ``save()`` and ``delete()`` with the actor set, so that the
history records who made every change, in a request or not.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from assessments.services.answers import AnswerChange, answer_change, answer_save
from assessments.services.assessments import (
    assessment_create,
    assessment_delete,
    assessment_start_from,
    assessment_update,
    settings_locked_error,
)
from assessments.services.auditors import auditor_grant, auditor_revoke, auditor_unlock
from assessments.services.common import (
    AnswerConflict,
    AssessmentLocked,
    ReviewClosed,
    SubmissionIncomplete,
    TransitionNotAllowed,
)
from assessments.services.evidence import (
    evidence_add_file,
    evidence_add_link,
    evidence_add_note,
    evidence_attach,
    evidence_delete,
    evidence_detach,
    evidence_reconfirm,
    evidence_reconfirm_area,
)
from assessments.services.organisations import (
    membership_add,
    membership_change_role,
    membership_create_user,
    membership_remove,
    organisation_create,
)
from assessments.services.reviews import (
    comment_add,
    finding_create,
    finding_delete,
    finding_update,
    review_accept_unreviewed,
    review_record,
)
from assessments.services.transitions import (
    TRANSITIONS,
    Transition,
    assessment_transition,
    transition_allowed,
)

__all__ = [
    "TRANSITIONS",
    "AnswerChange",
    "AnswerConflict",
    "AssessmentLocked",
    "PermissionDenied",
    "ReviewClosed",
    "SubmissionIncomplete",
    "Transition",
    "TransitionNotAllowed",
    "ValidationError",
    "answer_change",
    "answer_save",
    "assessment_create",
    "assessment_delete",
    "assessment_start_from",
    "assessment_transition",
    "assessment_update",
    "auditor_grant",
    "auditor_revoke",
    "auditor_unlock",
    "comment_add",
    "evidence_add_file",
    "evidence_add_link",
    "evidence_add_note",
    "evidence_attach",
    "evidence_delete",
    "evidence_detach",
    "evidence_reconfirm",
    "evidence_reconfirm_area",
    "finding_create",
    "finding_delete",
    "finding_update",
    "membership_add",
    "membership_change_role",
    "membership_create_user",
    "membership_remove",
    "organisation_create",
    "review_accept_unreviewed",
    "review_record",
    "settings_locked_error",
    "transition_allowed",
]
