"""Reads of the interchange: what an uploaded workbook would change."""

import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.models import Answer, AnswerStatus, status_in_sentence
from assessments.selectors import person_name
from assessments.services import AssessmentLocked
from maturity.models import Requirement

NEW = "new"
CHANGED = "changed"
CONFLICT = "conflict"


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

    @property
    def applicable(self) -> list[Change]:
        return sorted(self.new + self.changed, key=lambda change: change.row)

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
    saved it in the portal since. Two queries.
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
            )
        )
    return Plan(
        new=buckets[NEW],
        changed=buckets[CHANGED],
        conflicts=buckets[CONFLICT],
        unchanged=unchanged,
    )


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
