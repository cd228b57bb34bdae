"""The assessment file: one whole assessment as a versioned JSON document.

``export_document`` writes it, ``parse_document`` reads it back into plain
data, checked against the installed framework, without writing anything.
The format is described in ``FORMAT.md``.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.interchange.errors import FileRefused
from assessments.models import (
    Answer,
    AnswerStatus,
    Comment,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    FindingKind,
    Severity,
    Status,
    Verdict,
)
from assessments.selectors import assessment_score, targets_of, verified_statuses
from assessments.services.limits import FIRST_YEAR, LAST_YEAR, TEXT_LIMITS
from maturity.models import Framework, Module, Requirement

FORMAT = "aimrg-assessment"
FORMAT_VERSION = 1
SHA256 = re.compile(r"[0-9a-f]{64}")
# The largest version, size or ref a file may give: room is left below the
# database's 32-bit columns for the versions that saves add.
LARGEST_NUMBER = 1_000_000_000


def _encodable(text: str) -> bool:
    """Return whether ``text`` is whole Unicode, without lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ------------------------------------------------------------------ export


def export_document(assessment) -> dict:
    """Return ``assessment`` as an assessment file; runs about ten queries."""
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("requirement")
        .order_by("requirement__sequence")
    )
    links = EvidenceLink.objects.select_related("answer__requirement").order_by(
        "answer__requirement__sequence"
    )
    evidence = list(
        Evidence.objects.filter(assessment=assessment)
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("pk")
    )
    ref_of = {item.pk: ref for ref, item in enumerate(evidence, 1)}
    reviews = (
        assessment.answers.filter(review__isnull=False)
        .select_related("review__reviewer", "requirement")
        .order_by("requirement__sequence")
    )
    comments = (
        Comment.objects.filter(assessment=assessment)
        .select_related("author", "answer__requirement")
        .order_by("created_at", "pk")
    )
    framework = assessment.framework
    self_assessed = assessment_score(assessment)
    verified = assessment_score(assessment, verified_statuses(assessment))

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "framework": {"code": framework.code, "version": framework.version},
        "organisation": {"name": assessment.organisation.name},
        "assessment": {
            "title": assessment.title,
            "scope": assessment.scope,
            "period_start": assessment.period_start.isoformat(),
            "period_end": assessment.period_end.isoformat(),
            "status": assessment.status,
            "finalised_at": _iso(assessment.finalised_at),
            "targets": targets_of(assessment),
        },
        "answers": [
            {
                "requirement": answer.requirement.code,
                "status": answer.status or None,
                "justification": answer.justification,
                "version": answer.version,
            }
            for answer in answers
        ],
        "evidence": [_evidence_entry(ref_of[item.pk], item) for item in evidence],
        "reviews": [
            {
                "requirement": answer.requirement.code,
                "verdict": answer.review.verdict,
                "comment": answer.review.comment,
                "answer_version": answer.review.answer_version,
                "reviewer": answer.review.reviewer.get_username(),
                "reviewed_at": _iso(answer.review.updated_at),
            }
            for answer in reviews
        ],
        "findings": [
            {
                "requirement": finding.requirement.code
                if finding.requirement
                else None,
                "kind": finding.kind,
                "severity": finding.severity,
                "title": finding.title,
                "description": finding.description,
                "recorded_by": finding.created_by.get_username(),
                "recorded_at": _iso(finding.created_at),
            }
            for finding in assessment.findings.select_related(
                "requirement", "created_by"
            )
        ],
        "comments": [
            {
                "requirement": comment.answer.requirement.code
                if comment.answer
                else None,
                "evidence": ref_of.get(comment.evidence_id),
                "author": comment.author.get_username(),
                "text": comment.text,
                "written_at": _iso(comment.created_at),
            }
            for comment in comments
        ],
        # Derived from the answers and reviews above; ignored on import.
        "scores": {
            "self_assessed": self_assessed.to_dict(),
            "verified": verified.to_dict(),
        },
    }


def _evidence_entry(ref: int, item: Evidence) -> dict:
    item_links = list(item.links.all())
    entry = {
        "ref": ref,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "effective_from": _iso(item.effective_from),
        "requirements": [link.answer.requirement.code for link in item_links],
        "needs_reconfirmation": [
            link.answer.requirement.code
            for link in item_links
            if link.needs_reconfirmation
        ],
    }
    if item.kind == EvidenceKind.LINK:
        entry["url"] = item.url
    elif item.kind == EvidenceKind.NOTE:
        entry["note"] = item.note
    else:
        entry.update(
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
    return entry


def _iso(value) -> str | None:
    """Return ``value`` in ISO 8601; a moment in the portal's time zone.

    The API gives its moments in that zone too, so that a file and the API
    read alike.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def dump(document: dict) -> bytes:
    """Return ``document`` as UTF-8 JSON that people can read, too."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def load(raw: bytes) -> dict:
    """Return the JSON object in ``raw``, or raise FileRefused saying why not."""
    try:
        # Bytes let json detect UTF-8, UTF-16 or UTF-32 and skip a BOM.
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise FileRefused(
            _(
                "The file is not JSON: it cannot be read past line %(line)d, "
                "column %(column)d. Upload the file exported by the portal."
            )
            % {"line": error.lineno, "column": error.colno}
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FileRefused(
            _(
                "The file is not JSON that can be read. Upload the file exported "
                "by the portal."
            )
        ) from None
    if not isinstance(data, dict):
        raise FileRefused(
            _("The file holds no assessment. Upload the file exported by the portal.")
        )
    return data


# ------------------------------------------------------------------ import


@dataclass(frozen=True)
class ParsedAnswer:
    code: str
    status: str
    justification: str
    version: int


@dataclass(frozen=True)
class ParsedEvidence:
    ref: int | None
    kind: str
    title: str
    description: str
    effective_from: datetime.date | None
    url: str = ""
    note: str = ""
    original_name: str = ""
    content_type: str = ""
    size: int | None = None
    sha256: str = ""
    requirements: tuple[str, ...] = ()
    needs_reconfirmation: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParsedReview:
    code: str
    verdict: str
    comment: str
    answer_version: int
    reviewer: str = ""
    reviewed_at: datetime.datetime | None = None


@dataclass(frozen=True)
class ParsedFinding:
    code: str | None
    kind: str
    severity: str
    title: str
    description: str
    recorded_by: str = ""
    recorded_at: datetime.datetime | None = None


@dataclass(frozen=True)
class ParsedComment:
    code: str | None
    evidence_ref: int | None
    author: str
    text: str
    written_at: datetime.datetime | None


@dataclass
class ParsedAssessment:
    """An assessment file read and checked, ready to be written."""

    framework: Framework
    title: str
    scope: str
    period_start: datetime.date
    period_end: datetime.date
    # The status in the source portal; the import is a draft whatever it was.
    status: str
    targets: dict[str, int]
    answers: list[ParsedAnswer] = field(default_factory=list)
    evidence: list[ParsedEvidence] = field(default_factory=list)
    reviews: list[ParsedReview] = field(default_factory=list)
    findings: list[ParsedFinding] = field(default_factory=list)
    comments: list[ParsedComment] = field(default_factory=list)


def parse_document(document: dict, *, with_reviews: bool = True) -> ParsedAssessment:
    """Return the checked content of an assessment file.

    Raise FileRefused listing every problem found: an unknown format or
    framework version stops the reading at once, anything else is collected.
    Without ``with_reviews`` the reviews, findings and comments are left
    unread, so they cannot refuse the file: each of them need only be a list.
    """
    framework = _read_header(document)
    reader = _Reader(framework)
    parsed = reader.assessment(document, with_reviews=with_reviews)
    if reader.errors:
        raise FileRefused(reader.errors)
    return parsed


def _read_header(document) -> Framework:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FileRefused(
            _(
                "The file is not an assessment exported by the portal (its "
                "“format” is not “%(format)s”)."
            )
            % {"format": FORMAT}
        )
    version = document.get("format_version")
    if type(version) is not int or version < 1:
        raise FileRefused(_("“format_version” must be a whole number."))
    if version > FORMAT_VERSION:
        raise FileRefused(
            _(
                "The file was written in version %(version)d of the assessment "
                "format; this portal reads version %(supported)d. Export it again "
                "from a portal of the same release or update this one."
            )
            % {"version": version, "supported": FORMAT_VERSION}
        )

    named = document.get("framework")
    code = named.get("code") if isinstance(named, dict) else None
    framework_version = named.get("version") if isinstance(named, dict) else None
    if not isinstance(code, str) or not isinstance(framework_version, str):
        raise FileRefused(
            _(
                "“framework” must name the code and version of the standard, as "
                '{"code": "AIMRG", "version": "1.0"}.'
            )
        )
    framework = Framework.objects.filter(code=code, version=framework_version).first()
    if framework is None:
        installed = ", ".join(
            Framework.objects.filter(code=code).values_list("version", flat=True)
        )
        if installed:
            message = _(
                "The file was made against version %(version)s of %(code)s, which "
                "is not installed here (installed: %(installed)s). Install that "
                "version of the standard first."
            )
        else:
            message = _(
                "The file was made against %(code)s %(version)s, a standard that "
                "is not installed here. Install it first."
            )
        raise FileRefused(
            message
            % {"code": code, "version": framework_version, "installed": installed}
        )
    return framework


class _Reader:
    """Read the parts of an assessment file, collecting every problem."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.errors: list[str] = []
        self.answers_readable = True
        self.codes = set(
            Requirement.objects.filter(framework=framework).values_list(
                "code", flat=True
            )
        )
        self.modules = set(
            Module.objects.filter(framework=framework).values_list("code", flat=True)
        )

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    # --- values

    def text(self, entry, key, where, *, max_length=None, required=False) -> str:
        value = entry.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(f"{where}.{key}", _("must be text."))
            return ""
        if "\x00" in value or not _encodable(value):
            # Neither can be stored, and the pages refuse both.
            self.error(
                f"{where}.{key}",
                _("holds a NUL character or a lone surrogate, which text cannot hold."),
            )
            return ""
        if required and not value.strip():
            self.error(f"{where}.{key}", _("must not be empty."))
        if max_length is not None and len(value) > max_length:
            self.error(
                f"{where}.{key}",
                _("must be at most %(count)d characters long.") % {"count": max_length},
            )
        return value

    def number(self, entry, key, where, *, required=True) -> int | None:
        value = entry.get(key)
        if value is None and not required:
            return None
        # True and 3.0 compare equal to numbers but are none.
        if type(value) is not int or not 0 <= value <= LARGEST_NUMBER:
            self.error(
                f"{where}.{key}",
                _("must be a whole number from 0 to %(largest)d.")
                % {"largest": LARGEST_NUMBER},
            )
            return None
        return value

    def date(self, entry, key, where, *, required=False) -> datetime.date | None:
        value = entry.get(key)
        if value is None and not required:
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(f"{where}.{key}", _("must be a date written YYYY-MM-DD."))
            return None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.error(
                f"{where}.{key}",
                _("must be a date in the years %(first)d to %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return None
        return day

    def moment(self, entry, key, where) -> datetime.datetime | None:
        value = entry.get(key)
        if value is None:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(f"{where}.{key}", _("must be a date and time in ISO 8601."))
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def choice(self, entry, key, where, choices, *, blank=False) -> str:
        value = entry.get(key)
        if blank and value is None:
            return ""
        if not isinstance(value, str) or value not in choices:
            expected = ", ".join(choices) + (", null" if blank else "")
            self.error(
                f"{where}.{key}",
                _("unknown value %(value)s (expected %(expected)s).")
                % {
                    "value": json.dumps(value, ensure_ascii=False),
                    "expected": expected,
                },
            )
            return ""
        return value

    def code(self, entry, key, where, *, blank=False) -> str | None:
        value = entry.get(key)
        if blank and value is None:
            return None
        return self.known_code(value, f"{where}.{key}")

    def known_code(self, value, where) -> str | None:
        if not isinstance(value, str) or value not in self.codes:
            self.error(
                where,
                _("unknown requirement code %(code)s in %(framework)s %(version)s.")
                % {
                    "code": json.dumps(value, ensure_ascii=False),
                    "framework": self.framework.code,
                    "version": self.framework.version,
                },
            )
            return None
        return value

    def listed(self, document, key, *, required=False) -> list:
        if required and key not in document:
            self.error(key, _("is missing; an assessment file always has it."))
            return []
        value = document.get(key, [])
        if not isinstance(value, list):
            self.error(key, _("must be a list."))
            return []
        return value

    def entries(self, document, key, *, required=False) -> list[tuple[str, dict]]:
        result = []
        for index, entry in enumerate(self.listed(document, key, required=required)):
            where = f"{key}[{index}]"
            if isinstance(entry, dict):
                result.append((where, entry))
            else:
                self.error(where, _("must be an object."))
        return result

    # --- parts

    def assessment(self, document, *, with_reviews: bool) -> ParsedAssessment:
        part = document.get("assessment")
        if not isinstance(part, dict):
            self.error("assessment", _("must be an object."))
            part = {}
        period_start = self.date(part, "period_start", "assessment", required=True)
        period_end = self.date(part, "period_end", "assessment", required=True)
        if period_start and period_end and period_end < period_start:
            self.error(
                "assessment.period_end", _("The period cannot end before it starts.")
            )
        answers = self.answers(document)
        answered = {answer.code for answer in answers}
        evidence = self.evidence(document)
        reviews, findings, comments = [], [], []
        if with_reviews:
            reviews = self.reviews(document, answered)
            findings = self.findings(document)
            comments = self.comments(document, {item.ref for item in evidence})
        else:
            for key in ("reviews", "findings", "comments"):
                self.listed(document, key)
        return ParsedAssessment(
            framework=self.framework,
            title=self.text(part, "title", "assessment", max_length=200, required=True),
            scope=self.text(
                part, "scope", "assessment", max_length=TEXT_LIMITS["scope"].length
            ),
            period_start=period_start,
            period_end=period_end,
            status=self.choice(part, "status", "assessment", Status.values),
            targets=self.targets(part),
            answers=answers,
            evidence=evidence,
            reviews=reviews,
            findings=findings,
            comments=comments,
        )

    def targets(self, part) -> dict[str, int]:
        value = part.get("targets", {})
        if not isinstance(value, dict):
            self.error("assessment.targets", _("must be an object."))
            return {}
        targets = {}
        for module, level in value.items():
            where = f"assessment.targets.{module}"
            if module not in self.modules:
                self.error(where, _("unknown module code."))
            elif type(level) is not int or level not in range(1, 6):
                self.error(where, _("the target level must be 1 to 5."))
            else:
                targets[module] = level
        return targets

    def answers(self, document) -> list[ParsedAnswer]:
        answers, first = [], {}
        for where, entry in self.entries(document, "answers", required=True):
            code = self.code(entry, "requirement", where)
            status = self.choice(
                entry, "status", where, AnswerStatus.values, blank=True
            )
            justification = self.text(
                entry,
                "justification",
                where,
                max_length=TEXT_LIMITS["justification"].length,
            )
            version = self.number(entry, "version", where)
            if code is None:
                continue
            if code in first:
                self.error(
                    where,
                    _("%(code)s is answered twice (first at %(first)s).")
                    % {"code": code, "first": first[code]},
                )
                continue
            first[code] = where
            if version is not None:
                answers.append(ParsedAnswer(code, status, justification, version))
        # Reviews are checked against the answers only when these could be
        # read: a list that is none would refuse every review as well.
        self.answers_readable = isinstance(document.get("answers"), list)
        return answers

    def evidence(self, document) -> list[ParsedEvidence]:
        items, refs = [], set()
        for where, entry in self.entries(document, "evidence"):
            kind = self.choice(entry, "kind", where, EvidenceKind.values)
            ref = self.number(entry, "ref", where, required=False)
            if ref is not None and ref in refs:
                self.error(f"{where}.ref", _("another item has the same ref."))
            refs.add(ref)
            fields = {
                "ref": ref,
                "kind": kind,
                "title": self.text(
                    entry, "title", where, max_length=200, required=True
                ),
                "description": self.text(
                    entry,
                    "description",
                    where,
                    max_length=TEXT_LIMITS["description"].length,
                ),
                "effective_from": self.date(entry, "effective_from", where),
                "requirements": tuple(self.item_codes(entry, "requirements", where)),
            }
            fields["needs_reconfirmation"] = frozenset(
                self.item_codes(entry, "needs_reconfirmation", where)
            )
            if not fields["needs_reconfirmation"] <= set(fields["requirements"]):
                self.error(
                    f"{where}.needs_reconfirmation",
                    _("may list only codes that the item supports."),
                )
            if kind == EvidenceKind.LINK:
                fields["url"] = self.text(
                    entry, "url", where, max_length=1000, required=True
                )
                # An empty address is refused above already.
                if fields["url"].strip() and not fields["url"].lower().startswith(
                    ("https://", "http://")
                ):
                    self.error(
                        f"{where}.url",
                        _("must be an address starting with https:// or http://."),
                    )
            elif kind == EvidenceKind.NOTE:
                fields["note"] = self.text(
                    entry,
                    "note",
                    where,
                    max_length=TEXT_LIMITS["note"].length,
                    required=True,
                )
            elif kind == EvidenceKind.FILE:
                fields.update(self.file_fields(entry, where))
            items.append(ParsedEvidence(**fields))
        return items

    def file_fields(self, entry, where) -> dict:
        sha256 = entry.get("sha256")
        if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
            self.error(f"{where}.sha256", _("must be 64 lowercase hexadecimal digits."))
            sha256 = ""
        return {
            "original_name": self.text(entry, "original_name", where, max_length=255),
            "content_type": self.text(entry, "content_type", where, max_length=120),
            "size": self.number(entry, "size", where, required=False),
            "sha256": sha256,
        }

    def item_codes(self, entry, key, where) -> list[str]:
        value = entry.get(key, [])
        if not isinstance(value, list):
            self.error(f"{where}.{key}", _("must be a list of requirement codes."))
            return []
        codes = []
        for index, item in enumerate(value):
            code = self.known_code(item, f"{where}.{key}[{index}]")
            if code is not None and code not in codes:
                codes.append(code)
        return codes

    def reviews(self, document, answered: set[str]) -> list[ParsedReview]:
        reviews, seen = [], set()
        for where, entry in self.entries(document, "reviews"):
            code = self.code(entry, "requirement", where)
            verdict = self.choice(entry, "verdict", where, Verdict.values)
            comment = self.text(
                entry, "comment", where, max_length=TEXT_LIMITS["comment"].length
            )
            version = self.number(entry, "answer_version", where)
            reviewer = self.text(entry, "reviewer", where, max_length=150)
            reviewed_at = self.moment(entry, "reviewed_at", where)
            if code is None:
                continue
            if code not in answered:
                if self.answers_readable:
                    self.error(
                        where, _("%(code)s has no answer to review.") % {"code": code}
                    )
            elif code in seen:
                self.error(where, _("%(code)s is reviewed twice.") % {"code": code})
            elif verdict and version is not None:
                reviews.append(
                    ParsedReview(code, verdict, comment, version, reviewer, reviewed_at)
                )
            seen.add(code)
        return reviews

    def findings(self, document) -> list[ParsedFinding]:
        findings = []
        for where, entry in self.entries(document, "findings"):
            findings.append(
                ParsedFinding(
                    code=self.code(entry, "requirement", where, blank=True),
                    kind=self.choice(entry, "kind", where, FindingKind.values),
                    severity=self.choice(entry, "severity", where, Severity.values),
                    title=self.text(
                        entry, "title", where, max_length=200, required=True
                    ),
                    description=self.text(
                        entry,
                        "description",
                        where,
                        max_length=TEXT_LIMITS["description"].length,
                    ),
                    recorded_by=self.text(entry, "recorded_by", where, max_length=150),
                    recorded_at=self.moment(entry, "recorded_at", where),
                )
            )
        return findings

    def comments(self, document, refs: set[int | None]) -> list[ParsedComment]:
        comments = []
        for where, entry in self.entries(document, "comments"):
            code = self.code(entry, "requirement", where, blank=True)
            ref = self.number(entry, "evidence", where, required=False)
            if ref is not None and ref not in refs:
                self.error(f"{where}.evidence", _("no evidence item has this ref."))
            if entry.get("requirement") is None and ref is None:
                self.error(
                    where, _("a comment needs a requirement or an evidence ref.")
                )
            comments.append(
                ParsedComment(
                    code=code,
                    evidence_ref=ref,
                    author=self.text(entry, "author", where, max_length=150),
                    text=self.text(
                        entry,
                        "text",
                        where,
                        max_length=TEXT_LIMITS["text"].length,
                        required=True,
                    ),
                    written_at=self.moment(entry, "written_at", where),
                )
            )
        return comments
