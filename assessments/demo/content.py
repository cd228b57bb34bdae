"""The demo's content as read from ``content.toml``.

The file holds the words: people, documents, evidence, hand-written
justifications, templates and the auditor's verdicts. This module gives
them a shape the loader can rely on.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CONTENT_FILE = Path(__file__).with_name("content.toml")

YEARS = (2025, 2026)


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    email: str
    # Empty for the auditor, who is not a member of the organisation.
    role: str
    job: str
    # What the account can do in the portal, for the load's summary.
    can: str


@dataclass(frozen=True)
class Area:
    """How the demo organisation handles one module or lifecycle stage."""

    code: str
    author: str
    doc: str
    issued: dict[str, str]
    approver: str
    owner: str
    system: str
    evidence: tuple[str, ...]
    # The models its justifications name as examples; all when empty.
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceSpec:
    key: str
    year: int
    author: str
    title: str
    effective_from: date
    description: str = ""
    # One of these three says what kind of item it is.
    file: str = ""
    url: str = ""
    note: str = ""
    # "fixes" for items added after the auditor returned the assessment.
    stage: str = ""


@dataclass(frozen=True)
class Content:
    raw: dict

    @property
    def organisation_name(self) -> str:
        return self.raw["organisation"]["name"]

    @property
    def slug(self) -> str:
        return self.raw["organisation"]["slug"]

    @property
    def password(self) -> str:
        return self.raw["organisation"]["password"]

    @property
    def people(self) -> tuple[Person, ...]:
        return tuple(Person(**person) for person in self.raw["people"])

    @property
    def areas(self) -> dict[str, Area]:
        return {
            code: Area(
                code=code,
                **{
                    **area,
                    "evidence": tuple(area["evidence"]),
                    "models": tuple(area.get("models", ())),
                },
            )
            for code, area in self.raw["areas"].items()
        }

    @property
    def evidence(self) -> tuple[EvidenceSpec, ...]:
        return tuple(EvidenceSpec(**item) for item in self.raw["evidence"])

    @property
    def targets(self) -> dict[str, int]:
        return dict(self.raw["targets"])

    @property
    def topics(self) -> dict[str, str]:
        return self.raw["topics"]

    @property
    def documents(self) -> dict:
        return self.raw["documents"]

    @property
    def not_applicable(self) -> dict[str, str]:
        return self.raw["not_applicable"]

    @property
    def baseline_codes(self) -> frozenset[str]:
        return frozenset(self.raw["baseline"]["codes"])

    @property
    def templates(self) -> dict[str, list[str]]:
        return self.raw["templates"]

    @property
    def vocabulary(self) -> dict[str, list[str]]:
        return self.raw["vocabulary"]

    def assessment(self, year: int) -> dict:
        return self.raw["assessments"][str(year)]

    def levels(self, year: int) -> dict[str, int]:
        """Return the level each module or stage is answered to in ``year``."""
        return self.raw["levels"][str(year)]

    def statuses(self, year: int) -> dict[str, str]:
        """Return the statuses that differ from the level design in ``year``."""
        return self.raw["status"][str(year)]

    def justifications(self, year: int) -> dict[str, str]:
        return self.raw["justifications"][str(year)]

    def attachments(self, year: int) -> dict[str, list[str]]:
        return self.raw["attachments"][str(year)]

    def review(self, year: int) -> dict:
        return self.raw["review"][str(year)]


@cache
def load_content() -> Content:
    """Return the demo's content; reads the file once per process."""
    with CONTENT_FILE.open("rb") as handle:
        return Content(tomllib.load(handle))
