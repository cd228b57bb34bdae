"""The answers of an assessment as CSV, for spreadsheets and BI tools.

The columns and values are stable codes, not labels, so that a tool reading
the file does not depend on the language it was downloaded in. The file is
UTF-8 with a byte order mark, which Excel needs to read Chinese text.
"""

import csv
import io

from django.db.models import Count

from assessments.models import Answer
from maturity.models import Requirement

HEADER = [
    "code",
    "module",
    "stage",
    "level",
    "status",
    "justification",
    "evidence_count",
    "verdict",
]
# A cell starting with one of these runs as a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def answers_csv(assessment) -> bytes:
    """Return one row per requirement of ``assessment``; two queries.

    The verdict is the auditor's on the current version of the answer; a
    verdict on an earlier version no longer counts and is left out.
    """
    requirements = (
        Requirement.objects.filter(framework_id=assessment.framework_id)
        .select_related("module", "stage")
        .order_by("sequence")
    )
    answers = {
        answer.requirement_id: answer
        for answer in Answer.objects.filter(assessment=assessment)
        .select_related("review")
        .annotate(evidence_count=Count("evidence_links"))
    }

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for requirement in requirements:
        answer = answers.get(requirement.pk)
        review = getattr(answer, "review", None) if answer else None
        verdict = (
            review.verdict if review and review.answer_version == answer.version else ""
        )
        writer.writerow(
            [
                requirement.code,
                requirement.module.code,
                requirement.stage.code if requirement.stage else "",
                requirement.level,
                answer.status if answer else "",
                _safe(answer.justification) if answer else "",
                answer.evidence_count if answer else 0,
                verdict,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()
