"""The fixed bilingual wording of the PDF report: Chinese first, then English.

The report is a formal document in Simplified Chinese with English beside
its labels, whatever language the person asking for it reads the portal
in, so its vocabulary is written out here rather than translated. The
Chinese follows the portal's own translation catalogue where it has one.
"""

from dataclasses import dataclass

CHINESE_NUMERALS = {0: "零", 1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def __str__(self):
        return f"{self.zh} {self.en}"


# The reading below level 1, which the standard does not name as a level.
LEVEL_ZERO = Label("未达到初始级", "Not yet Initial")

READINGS = {
    "self": Label("自评", "Self-assessed"),
    "verified": Label("核验", "Verified"),
    "target": Label("目标", "Target"),
}

ANSWER_STATUSES = {
    "satisfied": Label("完全满足", "Satisfied"),
    "partial": Label("部分满足", "Partially satisfied"),
    "not_satisfied": Label("不满足", "Not satisfied"),
    "not_applicable": Label("不适用", "Not applicable"),
    "": Label("未作答", "Unanswered"),
}

VERDICTS = {
    "accepted": Label("通过", "Accepted"),
    "rejected": Label("驳回", "Rejected"),
    "needs_information": Label("需补充信息", "Needs information"),
}
UNREVIEWED = Label("未审核", "Not reviewed")
# Said of a verdict given on an earlier version of the answer.
EARLIER_VERSION = Label("针对旧版本", "on an earlier version")

# The figures of ``ReviewSummary``, in the order and the words of the
# assessment overview, so that the report and the page read alike.
REVIEW_SUMMARY = {
    "accepted": VERDICTS["accepted"],
    "rejected": VERDICTS["rejected"],
    "needs_information": VERDICTS["needs_information"],
    "outdated": Label("结论后已修改", "Changed since the verdict"),
    "unreviewed": UNREVIEWED,
}

SEVERITIES = {
    "high": Label("高", "High"),
    "medium": Label("中", "Medium"),
    "low": Label("低", "Low"),
}

FINDING_KINDS = {
    "nonconformity": Label("不符合项", "Nonconformity"),
    "observation": Label("观察项", "Observation"),
    "recommendation": Label("改进建议", "Recommendation"),
}

EVIDENCE_KINDS = {
    "file": Label("文件", "File"),
    "link": Label("链接", "Link"),
    "note": Label("文字说明", "Text note"),
}

ASSESSMENT_STATUSES = {
    "draft": Label("草稿", "Draft"),
    "submitted": Label("已提交", "Submitted"),
    "in_review": Label("审核中", "In review"),
    "returned": Label("已退回", "Returned"),
    "finalised": Label("已定稿", "Finalised"),
}


def label(table: dict[str, Label], value: str) -> Label:
    """Return the label of ``value`` in ``table``, or the value itself."""
    return table.get(value) or Label(value, value)


def level_ordinal(number: int) -> str:
    """Return 第N级 for a level number from 1 to 5."""
    return f"第{CHINESE_NUMERALS[number]}级"


def review_label(verdict: str, *, current: bool = True) -> Label:
    """Return how a requirement's line names its review: 审核驳回, or 未审核.

    ``verdict`` is empty for an answer without one; a verdict given on an
    earlier version of the answer says so.
    """
    if not verdict:
        return UNREVIEWED
    word = label(VERDICTS, verdict)
    if current:
        return Label(f"审核{word.zh}", word.en)
    return Label(
        f"审核{word.zh}（{EARLIER_VERSION.zh}）", f"{word.en} ({EARLIER_VERSION.en})"
    )
