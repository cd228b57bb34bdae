"""How the demo answers each requirement: its status and its justification.

A module or stage answered to level N has every requirement of levels 1 to
N satisfied (or not applicable), the next level a mix in which the first
requirement is only partly satisfied, so the level is not met but shows
progress, and the levels above mostly not satisfied. Justifications are
written by hand for the requirements a reader is likely to open and made
from templates for the rest; each template is filled with the area's
documents, owners and systems and with values drawn from a generator
seeded by the requirement, so that loading twice writes the same words.
"""

import random
import re

from maturity.scoring import NOT_APPLICABLE, NOT_SATISFIED, PARTIAL, SATISFIED

# Statuses of the level above the one answered to, in turn. The first is
# never met, so the level is not reached.
NEXT_LEVEL = (PARTIAL, SATISFIED, NOT_SATISFIED, SATISFIED, PARTIAL, SATISFIED)
# The top level is never satisfied, even when it is the next one.
NEXT_LEVEL_TOP = (PARTIAL, NOT_SATISFIED)
TWO_LEVELS_UP = (NOT_SATISFIED, PARTIAL, NOT_SATISFIED)

# Share of answers carried over unchanged that the assessors annotate with
# the year's review.
REFRESH_SHARE = 0.25

# Requirements asking for systems, tools or automation get the templates
# that speak of them.
TOOLING = re.compile("自动|系统|平台|工具|智能|实时")


def designed_status(
    code: str, level: int, index: int, area_level: int, not_applicable
) -> str:
    """Return the status of the ``index``-th requirement of ``level`` of an area."""
    if code in not_applicable:
        return NOT_APPLICABLE
    if level <= area_level:
        return SATISFIED
    if level == area_level + 1:
        cycle = NEXT_LEVEL_TOP if level == 5 else NEXT_LEVEL
        return cycle[index % len(cycle)]
    if level == area_level + 2 and level < 5:
        return TWO_LEVELS_UP[index % len(TWO_LEVELS_UP)]
    return NOT_SATISFIED


class Writer:
    """Write the justifications of one year's assessment."""

    def __init__(self, content, year: int):
        self.content = content
        self.year = year
        self.hand_written = content.justifications(year)
        self.areas = content.areas
        self.models = content.assessment(year)["models"]

    def status(self, code: str, level: int, index: int, area: str) -> str:
        """Return the status of the ``index``-th requirement ``code`` of its level."""
        override = self.content.statuses(self.year).get(code)
        if override:
            return override
        area_level = self.content.levels(self.year)[area]
        return designed_status(
            code, level, index, area_level, self.content.not_applicable
        )

    def justification(self, requirement, area: str, status: str) -> str:
        """Return the justification of the answer ``status`` to ``requirement``."""
        code = requirement.code
        if code in self.hand_written:
            return self.hand_written[code]
        if status == NOT_APPLICABLE:
            return self.content.not_applicable[code]

        if status == SATISFIED:
            is_baseline = code in self.content.baseline_codes
            kind = "baseline" if is_baseline else "satisfied"
        elif status == PARTIAL:
            kind = "partial"
        elif requirement.level == 5:
            kind = "outstanding"
        else:
            kind = "not_satisfied"
        templates = self.content.templates
        choices = list(templates[kind])
        if TOOLING.search(requirement.text):
            choices += templates.get(f"{kind}_tooling", [])
        generator = random.Random(f"{self.year}:{code}:{status}")  # noqa: S311
        template = generator.choice(choices)
        return template.format(**self._fields(generator, code, area))

    def refresh(self, code: str, area: str) -> str | None:
        """Return the note of this year's review for a carried answer, if any."""
        generator = random.Random(f"refresh:{self.year}:{code}")  # noqa: S311
        if generator.random() >= REFRESH_SHARE:
            return None
        template = generator.choice(self.content.templates["refresh"])
        return template.format(**self._fields(generator, code, area))

    def _fields(self, generator: random.Random, code: str, area: str) -> dict:
        context = self.areas[area]
        vocabulary = self.content.vocabulary
        models = context.models or vocabulary["models"]
        model, other_model = generator.sample(models, 2)
        year = self.year
        month = generator.randint(2, 11)
        return {
            "topic": self.content.topics[code],
            "doc": context.doc,
            "issued": context.issued[str(year)],
            "approver": context.approver,
            "owner": context.owner,
            "system": context.system,
            "model": model,
            "model2": other_model,
            "date": f"{year}年{month}月{generator.randint(1, 28)}日",
            "month": generator.randint(9, 11),
            "year": year,
            "next_year": year + 1,
            "later": f"{year + 1}年{generator.randint(3, 12)}月",
            "quarter": f"{year + 1}年第{generator.choice('一二三')}季度",
            "k": generator.randint(3, 14),
            "n": self.models,
            "article": generator.randint(6, 48),
            "freq": generator.choice(vocabulary["frequencies"]),
            "constraint": generator.choice(vocabulary["constraints"]),
        }
