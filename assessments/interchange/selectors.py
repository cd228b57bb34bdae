"""Reads of the interchange: what an uploaded workbook would change."""

import hashlib
import json
from collections import namedtuple
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.models import Answer, AnswerStatus, status_in_sentence
from assessments.selectors import person_name
from assessments.selectors.submission import (
    ANSWER_COLUMNS,
    Problem,
    answer_rows,
    submission_problems,
)
from assessments.services import AssessmentLocked
from maturity.catalogues import get_catalogue
from maturity.models import Requirement

NEW = "new"
CHANGED = "changed"
CONFLICT = "conflict"
# How many codes of the requirements absent from a workbook a preview lists.
ABSENT_SHOWN = 10

# An answer as the submission check reads it, for one not stored yet.
_AnswerState = namedtuple("_AnswerState", ANSWER_COLUMNS)


def clean_text(text: str) -> str:
    """Return ``text`` with line ends as Excel and browsers may rewrite them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Change:
    """One row of a workbook that differs from the answer in the portal."""

    kind: str
    row: int
    code: str
    status: str
    justification: str
    # The answer version the workbook was downloaded with.
    base_version: int
    current_status: str
    current_justification: str
    current_version: int
    updated_by: str
    updated_at: object
    # The requirement's text, to read beside the code.
    text: str = ""
    # What would keep the assessment from being submitted once the row is
    # saved; None for a conflict, which is not saved.
    problem: Problem | None = None

    @property
    def area_code(self) -> str:
        return self.code.rsplit("-", 1)[0]

    @property
    def status_label(self) -> str:
        return _status_label(self.status)

    @property
    def current_status_label(self) -> str:
        return _status_label(self.current_status)


def _status_label(status: str) -> str:
    """Return the label of an answer status; an empty status is unanswered."""
    return str(AnswerStatus(status).label) if status else _("Unanswered")


@dataclass
class Plan:
    """What applying a workbook would do: new, changed and conflicting answers."""

    new: list[Change]
    changed: list[Change]
    conflicts: list[Change]
    unchanged: int
    # Codes of the requirements the workbook has no row for, in catalogue
    # order; their answers are left as they are.
    absent: list[str]

    @property
    def applicable(self) -> list[Change]:
        return sorted(self.new + self.changed, key=lambda change: change.row)

    @property
    def blocking(self) -> list[Change]:
        """Return the changes that would keep the assessment from submission."""
        return [change for change in self.applicable if change.problem]

    @property
    def absent_shown(self) -> list[str]:
        return self.absent[:ABSENT_SHOWN]

    @property
    def absent_more(self) -> int:
        return max(len(self.absent) - ABSENT_SHOWN, 0)

    @property
    def digest(self) -> str:
        """Return a digest of what confirming would write and leave out."""
        changes = sorted(self.applicable + self.conflicts, key=lambda c: c.row)
        content = [
            [c.kind, c.code, c.base_version, c.status, c.justification] for c in changes
        ]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def questionnaire_plan(assessment, rows) -> Plan:
    """Compare the rows of an uploaded workbook with the answers now stored.

    A row left as it was downloaded changes nothing. A row that differs from
    the stored answer is new or changed when the answer is still at the
    version the workbook was downloaded with, and a conflict when someone
    saved it in the portal since. Each new or changed answer carries what
    would keep the assessment from being submitted once it is saved.
    Requirements without a row are listed as absent. Three queries, and
    those of the catalogue the first time.
    """
    stored = {
        answer.requirement.code: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related(
            "requirement", "updated_by"
        )
    }
    differing, unchanged = [], 0
    for row in rows:
        answer = stored.get(row.code)
        current = (
            (answer.status, clean_text(answer.justification)) if answer else ("", "")
        )
        if row.untouched or (row.status, row.justification) == current:
            unchanged += 1
        else:
            differing.append((row, answer, current))
    texts = dict(
        Requirement.objects.filter(
            framework_id=assessment.framework_id,
            code__in=[row.code for row, _answer, _current in differing],
        ).values_list("code", "text")
    )

    applicable = [
        row
        for row, answer, _current in differing
        if (answer.version if answer else 0) == row.version
    ]
    problems = _problems_once_saved(assessment, applicable)

    buckets = {NEW: [], CHANGED: [], CONFLICT: []}
    for row, answer, (status, justification) in differing:
        version = answer.version if answer else 0
        if version != row.version:
            kind = CONFLICT
        elif not status:
            # Not answered yet, whether or not a justification was drafted.
            kind = NEW
        else:
            kind = CHANGED
        buckets[kind].append(
            Change(
                kind=kind,
                row=row.row,
                code=row.code,
                status=row.status,
                justification=row.justification,
                base_version=row.version,
                current_status=status,
                current_justification=justification,
                current_version=version,
                updated_by=person_name(answer.updated_by) if answer else "",
                updated_at=answer.updated_at if answer else None,
                text=texts.get(row.code, ""),
                problem=None if kind == CONFLICT else problems.get(row.code),
            )
        )
    in_workbook = {row.code for row in rows}
    return Plan(
        new=buckets[NEW],
        changed=buckets[CHANGED],
        conflicts=buckets[CONFLICT],
        unchanged=unchanged,
        absent=[
            ref.code
            for ref in get_catalogue(assessment.framework_id).requirements
            if ref.code not in in_workbook
        ],
    )


def _problems_once_saved(assessment, rows) -> dict[str, Problem]:
    """Return, by code, what would keep submission back once ``rows`` are saved.

    The submission check is asked about the answers as saving the rows
    would leave them: the status and justification of the workbook, the
    evidence as it is, and a new version, on which no verdict was given
    yet. One query, none without rows.
    """
    if not rows:
        return {}
    stored = {state.requirement__code: state for state in answer_rows(assessment)}
    states = []
    for row in rows:
        state = stored.get(row.code)
        if state is None:
            state = _AnswerState(
                **{
                    **dict.fromkeys(ANSWER_COLUMNS),
                    "requirement__code": row.code,
                    "version": 0,
                    "links": 0,
                    "confirmed": 0,
                }
            )
        states.append(
            state._replace(
                status=row.status,
                justification=row.justification,
                version=state.version + 1,
            )
        )
    codes = {row.code for row in rows}
    return {
        problem.code: problem
        for problem in submission_problems(assessment, rows=states)
        if problem.code in codes
    }


def locked_error(assessment) -> AssessmentLocked:
    """Return the error of a workbook uploaded to an assessment not editable now."""
    return AssessmentLocked(
        _(
            "The assessment is %(status)s: answers can be imported only while it "
            "is a draft or has been returned."
        )
        % {"status": status_in_sentence(assessment.status)},
        code="locked",
    )
