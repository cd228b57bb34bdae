"""Every read of organisations, assessments, questionnaires, evidence and reviews.

Each function runs a fixed number of queries, whatever the number of
requirements, answers or evidence items, so that pages cost the same for a
small and a large assessment. Levels come only from ``maturity.scoring``.
"""

from assessments.permissions import memberships_of
from assessments.selectors.assessments import (
    AssessmentStanding,
    assessment_overview,
    assessments_of,
    is_deletable,
    member_assessments,
    organisation_standing,
    previous_candidates,
    status_history,
    went_to_auditor,
)
from assessments.selectors.dashboards import (
    SELF_ASSESSED,
    VERIFIED,
    GapRequirement,
    ModuleGaps,
    Standing,
    assessment_dashboard,
)
from assessments.selectors.evidence import (
    evidence_choices,
    evidence_of,
    get_evidence,
)
from assessments.selectors.history import (
    PAGE_SIZE,
    Change,
    FieldChange,
    assessment_history,
    organisation_history,
)
from assessments.selectors.people import (
    granted_assessments,
    grants_of,
    members_of,
    person_name,
)
from assessments.selectors.questionnaire import (
    OBJECTIONS,
    Filter,
    Item,
    area_requirements,
    questionnaire_page,
    questionnaire_url,
)
from assessments.selectors.readings import (
    Readings,
    answer_standing,
    answer_statuses,
    assessment_score,
    frozen_score,
    level_names,
    level_names_of,
    readings_of,
    target_rows,
    targets_of,
    verified_statuses,
)
from assessments.selectors.reviews import (
    ReviewSummary,
    Verdicts,
    findings_of,
    get_finding,
    requirement_choices,
    verdicts_of,
)
from assessments.selectors.structure import (
    Area,
    area_summary,
    areas_of,
    find_area,
    first_area_code,
    level_summary,
    module_of,
    module_rows,
)
from assessments.selectors.submission import (
    PROBLEM_MESSAGES,
    Problem,
    available_transitions,
    status_label,
    submission_problems,
)

__all__ = [
    "OBJECTIONS",
    "PAGE_SIZE",
    "PROBLEM_MESSAGES",
    "SELF_ASSESSED",
    "VERIFIED",
    "Area",
    "AssessmentStanding",
    "Change",
    "FieldChange",
    "Filter",
    "GapRequirement",
    "Item",
    "ModuleGaps",
    "Problem",
    "Readings",
    "ReviewSummary",
    "Standing",
    "Verdicts",
    "answer_standing",
    "answer_statuses",
    "area_requirements",
    "area_summary",
    "areas_of",
    "assessment_dashboard",
    "assessment_history",
    "assessment_overview",
    "assessment_score",
    "assessments_of",
    "available_transitions",
    "evidence_choices",
    "evidence_of",
    "find_area",
    "findings_of",
    "first_area_code",
    "frozen_score",
    "get_evidence",
    "get_finding",
    "granted_assessments",
    "grants_of",
    "is_deletable",
    "level_names",
    "level_names_of",
    "level_summary",
    "member_assessments",
    "members_of",
    "memberships_of",
    "module_of",
    "module_rows",
    "organisation_history",
    "organisation_standing",
    "person_name",
    "previous_candidates",
    "questionnaire_page",
    "questionnaire_url",
    "readings_of",
    "requirement_choices",
    "status_history",
    "status_label",
    "submission_problems",
    "target_rows",
    "targets_of",
    "verdicts_of",
    "verified_statuses",
    "went_to_auditor",
]
