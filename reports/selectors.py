"""Reads of PDF reports: the records, the fingerprint and the content of one.

:func:`report_context` gathers everything a report shows in a fixed number
of queries, whatever the size of the assessment, and :func:`report_key`
fingerprints the same rows, so a report's revision always names what it
shows. Levels come only from ``maturity.scoring``; a finalised assessment
is read from the scores frozen when it was finalised.
"""

import datetime
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from assessments.models import (
    Answer,
    Assessment,
    AssessmentTarget,
    Evidence,
    EvidenceLink,
    Finding,
    Review,
)
from assessments.selectors.questionnaire import local_minute
from assessments.selectors.reviews import ReviewSummary, review_summary_from
from maturity.catalogues import get_catalogue
from maturity.models import Level, Module, Requirement, Stage
from maturity.scoring import score
from maturity.selectors import part_groups
from reports import vocabulary
from reports.models import ACTIVE_STATUSES, Report, ReportStatus
from reports.vocabulary import Label, label, level_ordinal

# Part of every revision: raise it when the report template changes what it
# shows, so that reports rendered before are not handed out again.
REPORT_LAYOUT = 9

SELF = "self"
VERIFIED = "verified"
# "auto" leads with the verified reading once the assessment is finalised.
READINGS = ("auto", SELF, VERIFIED)

# Slack over the hard time limit for clocks and the pool's kill to agree.
CLAIM_MARGIN = datetime.timedelta(seconds=5)
# Slack over the broker's redelivery for the message to reach a free worker.
REDELIVERY_MARGIN = datetime.timedelta(seconds=30)
# How long a report may wait in the queue before the pages stop promising it
# within a minute. An idle worker takes a queued report within a second or
# two, since each process prefetches one message, so half a minute in the
# queue already means that every worker is stopped or busy with other
# reports, and the promise can no longer be kept.
STALLED_AFTER = datetime.timedelta(seconds=30)

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
# How many of the largest gaps against target the summary spells out.
SUMMARY_GAPS = 5


# ---------------------------------------------------------------- records


class Phase(StrEnum):
    """How a report stands for whoever waits for it: its record and the clock."""

    # Queued or rendering, and within the time that takes.
    PENDING = "pending"
    # Queued for longer than an idle worker takes to pick a report up.
    STALLED = "stalled"
    # Its attempt died, and the broker is yet to hand the message on.
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"
    # Its attempt died, and no worker took it up again.
    ABANDONED = "abandoned"


# Phases in which the report may still come without anyone acting.
WAITING_PHASES = frozenset({Phase.PENDING, Phase.STALLED, Phase.RETRYING})


def claim_expiry() -> datetime.timedelta:
    """Return the age past which a rendering claim belongs to a dead attempt.

    The worker pool kills a task at the hard time limit, so no live attempt
    holds a claim longer than that.
    """
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + CLAIM_MARGIN


def redelivery_expiry() -> datetime.timedelta:
    """Return the age past which no worker takes up a dead attempt's report again.

    A worker that dies leaves its message unacknowledged. The broker hands
    it to another worker once the visibility timeout has passed since it
    delivered the message, which was no later than the claim, at its next
    sweep for such messages. Tasks run in-process are never handed on: their
    attempt is given up once its claim expires.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return claim_expiry()
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # Kombu's defaults for the Redis transport, for options left unset.
    visibility = options.get("visibility_timeout", 3600)
    sweep = options.get("unacked_restore_interval", 10) * options.get(
        "unacked_restore_throttle", 10
    )
    redelivered = datetime.timedelta(seconds=visibility + sweep) + REDELIVERY_MARGIN
    return max(redelivered, claim_expiry())


def report_phase(report: Report) -> Phase:
    """Return how ``report`` stands for whoever waits for it.

    The pages, the status endpoint and the API all tell a report's state
    from this one reading, so that they never disagree.
    """
    if report.status == ReportStatus.QUEUED:
        return Phase.STALLED if is_stalled(report) else Phase.PENDING
    if report.status == ReportStatus.RENDERING:
        if report.started_at is None:
            return Phase.PENDING
        age = timezone.now() - report.started_at
        if age < claim_expiry():
            return Phase.PENDING
        if age < redelivery_expiry():
            return Phase.RETRYING
        return Phase.ABANDONED
    return Phase(report.status)


def is_waiting(report: Report) -> bool:
    """Return whether ``report`` may still come without anyone acting."""
    return report_phase(report) in WAITING_PHASES


def is_stalled(report: Report) -> bool:
    """Return whether ``report`` has waited in the queue longer than it should.

    The message may have been lost (the broker restarted without keeping
    its data), or no worker is running, or every one is busy. Asking for
    the report again sends its message again; the task is idempotent, so a
    message that was only slow does no harm.
    """
    return (
        report.status == ReportStatus.QUEUED
        and report.requested_at < timezone.now() - STALLED_AFTER
    )


RETRYING_LABEL = gettext_lazy("To be tried again")


def phase_label(report: Report, phase: Phase) -> str:
    """Return the badge of ``report`` in ``phase``, agreeing with what it says."""
    if phase == Phase.RETRYING:
        return str(RETRYING_LABEL)
    if phase == Phase.ABANDONED:
        return str(ReportStatus.FAILED.label)
    return str(ReportStatus(report.status).label)


def reports_of(assessment) -> list[Report]:
    """Return every report of ``assessment``, newest first."""
    return list(
        Report.objects.filter(assessment=assessment).select_related("requested_by")
    )


def get_report(assessment, pk) -> Report | None:
    """Return report ``pk`` of ``assessment``, or None."""
    return Report.objects.filter(assessment=assessment, pk=pk).first()


def kept_report(assessment) -> Report | None:
    """Return the report kept for good of a finalised assessment, or None."""
    return Report.objects.filter(
        assessment=assessment, final=True, status__in=ACTIVE_STATUSES
    ).first()


def active_report(assessment, revision: str) -> Report | None:
    """Return the report standing for ``revision`` of ``assessment``, or None."""
    return Report.objects.filter(
        assessment=assessment, revision=revision, status__in=ACTIVE_STATUSES
    ).first()


# Statuses in which a record shows, or is being drawn from, one state of
# its assessment. A queued record is not: its worker renders the state it
# finds, and a failed one shows nothing.
DRAWN_STATUSES = (ReportStatus.RENDERING, ReportStatus.DONE)


def current_revision(assessment) -> str:
    """Return the revision a report of ``assessment`` would have now; five queries.

    ``assessment`` is taken as the caller read it, with its organisation,
    as the assessment pages read it at the start of each request.
    """
    return _fingerprint(_snapshot(assessment, reread=False))


class StateComparison:
    """Tell the reports of one assessment by the state they show.

    A finalised assessment's final report shows the state it keeps, and
    every other report an earlier one. Otherwise a report shows an earlier
    state when its revision is not the current one, read once, when a
    report first needs it: five queries.
    """

    def __init__(self, assessment):
        self.assessment = assessment
        self._revision = None

    def needs_revision(self, report: Report) -> bool:
        """Say whether telling the state ``report`` shows would read the revision."""
        return (
            report.status in DRAWN_STATUSES
            and not self.assessment.is_finalised
            and self._revision is None
        )

    def shows_earlier_state(self, report: Report) -> bool | None:
        """Return whether ``report`` shows an earlier state; None unless drawn."""
        if report.status not in DRAWN_STATUSES:
            return None
        if self.assessment.is_finalised:
            return not report.final
        if self._revision is None:
            self._revision = current_revision(self.assessment)
        return report.revision != self._revision


def shows_earlier_state(report: Report, assessment) -> bool:
    """Return whether ``report`` shows ``assessment`` as it stood before a change.

    Five queries for a report rendering or done of an assessment not
    finalised, none otherwise.
    """
    return StateComparison(assessment).shows_earlier_state(report) is True


@dataclass(frozen=True)
class ReportPanel:
    """What the assessment pages show about reports: the latest, the kept one."""

    latest: Report | None
    kept: Report | None
    # The latest report shows the assessment as it stood before a change;
    # None when the panel leaves that to the status endpoint.
    outdated: bool | None = False

    @property
    def latest_state(self) -> dict | None:
        return report_state(self.latest) if self.latest else None

    @property
    def kept_state(self) -> dict | None:
        return report_state(self.kept) if self.kept else None

    @property
    def current(self) -> bool:
        """Return whether the latest report shows the assessment as it stands."""
        return (
            self.latest is not None
            and self.latest.status in DRAWN_STATUSES
            and self.outdated is False
        )

    @property
    def compared_later(self) -> bool:
        """Say whether the page is to ask the status endpoint how the report stands."""
        return self.latest is not None and self.outdated is None


def report_panel(assessment, *, compare: bool = True) -> ReportPanel:
    """Return the latest and the kept report of ``assessment``, and how they stand.

    One query, and one more for a finalised assessment whose final report
    is not the latest. Telling whether the latest report of an assessment
    not finalised shows its current state, once that report is rendering
    or done, costs the five queries and the hashing of
    :func:`current_revision`; without ``compare`` the panel leaves that to
    the status endpoint, which the page's script asks once it is shown.
    """
    latest = Report.objects.filter(assessment=assessment).first()
    return _panel(assessment, latest, StateComparison(assessment), compare=compare)


def _panel(
    assessment, latest: Report | None, comparison, *, compare: bool = True
) -> ReportPanel:
    """Return the panel; unless ``compare``, leave open a state costly to tell."""
    if latest is None:
        return ReportPanel(latest=None, kept=None)
    if latest.final and not latest.is_failed:
        return ReportPanel(latest=latest, kept=latest)
    # Only a finalised assessment has a report kept for good.
    kept = kept_report(assessment) if assessment.is_finalised else None
    if not compare and comparison.needs_revision(latest):
        outdated = None
    else:
        outdated = comparison.shows_earlier_state(latest) is True
    return ReportPanel(latest=latest, kept=kept, outdated=outdated)


@dataclass(frozen=True)
class ListedReport:
    """A report in the list of an assessment's reports, with the state it shows."""

    report: Report
    # Rendering or done, and showing the assessment as it stood before.
    earlier: bool
    # Rendering or done, and showing the assessment as it stands.
    current: bool

    @property
    def phase(self) -> Phase:
        return report_phase(self.report)

    @property
    def phase_label(self) -> str:
        return phase_label(self.report, self.phase)


@dataclass(frozen=True)
class ReportListing:
    """The list of an assessment's reports and the panel above it."""

    panel: ReportPanel
    reports: list[ListedReport]


def report_listing(assessment) -> ReportListing:
    """Return every report of ``assessment``, newest first, and its panel.

    Two queries, and the five of :func:`current_revision` for an
    assessment not finalised with a report rendering or done.
    """
    reports = reports_of(assessment)
    comparison = StateComparison(assessment)
    listed = []
    for report in reports:
        earlier = comparison.shows_earlier_state(report)
        listed.append(
            ListedReport(report, earlier=earlier is True, current=earlier is False)
        )
    return ReportListing(
        panel=_panel(assessment, reports[0] if reports else None, comparison),
        reports=listed,
    )


def report_state(report: Report) -> dict:
    """Return the state of ``report`` as plain data, for the status endpoint."""
    phase = report_phase(report)
    retry_by = (
        report.started_at + redelivery_expiry() if phase == Phase.RETRYING else None
    )
    return {
        "id": report.pk,
        "phase": str(phase),
        "phase_label": phase_label(report, phase),
        "number": report.number,
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "pending": phase in WAITING_PHASES,
        "stalled": phase == Phase.STALLED,
        "error": report.error,
        "final": report.final,
        "page_count": report.page_count,
        "size": report.size,
        "size_label": filesizeformat(report.size) if report.size else "",
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        # When the rendering ended, in local time, as the pages print it.
        "finished_label": (
            local_minute(report.finished_at) if report.finished_at else ""
        ),
        # By when a report whose worker stopped is taken up again, if at all.
        "retry_by_label": local_minute(retry_by) if retry_by else "",
        "detail_url": report.get_absolute_url(),
        "download_url": report.get_download_url() if report.is_done else None,
    }


# Characters no file name may hold on common systems, and control characters.
_UNSAFE_IN_NAMES = set('\\/:*?"<>|') | {chr(n) for n in range(32)} | {"\x7f"}


def download_filename(report: Report, assessment) -> str:
    """Return the file name a report is saved under, in Chinese."""
    parts = [
        assessment.organisation.name,
        assessment.title,
        "成熟度评估报告",
        report.number,
    ]
    name = "_".join(
        "".join("_" if char in _UNSAFE_IN_NAMES else char for char in part).strip()
        for part in parts
    )
    return f"{' '.join(name.split())[:150]}.pdf"


# --------------------------------------------------------------- snapshot


@dataclass
class Snapshot:
    """The rows of one assessment that its report shows, read once."""

    assessment: Assessment
    targets: dict[str, int]
    answers: list[Answer]
    evidence: list[Evidence]
    links: list[tuple[int, int, bool]]
    findings: list[Finding]


def _snapshot(assessment, *, reread: bool = True) -> Snapshot:
    """Read the rows a report shows; six queries, five without ``reread``.

    Without ``reread``, ``assessment`` is taken as given rather than read
    again with its organisation.
    """
    if reread:
        assessment = Assessment.objects.select_related("organisation", "framework").get(
            pk=assessment.pk
        )
    targets = dict(
        AssessmentTarget.objects.filter(assessment=assessment).values_list(
            "module__code", "level"
        )
    )
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("review")
        .order_by("pk")
    )
    evidence = list(
        Evidence.objects.filter(assessment=assessment).order_by("title", "pk")
    )
    links = list(
        EvidenceLink.objects.filter(answer__assessment=assessment)
        .order_by("pk")
        .values_list("evidence_id", "answer_id", "needs_reconfirmation")
    )
    findings = list(Finding.objects.filter(assessment=assessment).order_by("pk"))
    return Snapshot(assessment, targets, answers, evidence, links, findings)


def _review_row(answer: Answer) -> list | None:
    review = _review_of(answer)
    if review is None:
        return None
    return [review.verdict, review.comment, review.answer_version, review.updated_at]


def _fingerprint(snapshot: Snapshot) -> str:
    """Return the SHA-256 of everything in ``snapshot`` that a report shows."""
    a = snapshot.assessment
    content = {
        "layout": REPORT_LAYOUT,
        "assessment": [
            a.pk,
            a.organisation.name,
            a.framework_id,
            a.title,
            a.scope,
            a.period_start,
            a.period_end,
            a.status,
            a.finalised_at,
            a.self_scores,
            a.verified_scores,
        ],
        "targets": sorted(snapshot.targets.items()),
        "answers": [
            [
                x.pk,
                x.requirement_id,
                x.status,
                x.justification,
                x.version,
                _review_row(x),
            ]
            for x in snapshot.answers
        ],
        "evidence": [
            [
                e.pk,
                e.kind,
                e.title,
                e.effective_from,
                e.sha256,
                e.original_name,
                e.url,
                e.size,
            ]
            for e in snapshot.evidence
        ],
        "links": sorted(snapshot.links),
        "findings": [
            [
                f.pk,
                f.requirement_id,
                f.kind,
                f.severity,
                f.title,
                f.description,
                f.updated_at,
            ]
            for f in snapshot.findings
        ],
    }
    encoded = json.dumps(content, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReportKey:
    """What identifies a report: its revision, and whether it is the final one."""

    revision: str
    final: bool


def report_key(assessment) -> ReportKey:
    """Return the revision of what a report of ``assessment`` shows; six queries.

    The revision covers the assessment's title, scope, period and status,
    its targets, the answers with their versions and reviews, the evidence
    and its links, the findings, the framework and :data:`REPORT_LAYOUT`.
    """
    snapshot = _snapshot(assessment)
    return ReportKey(_fingerprint(snapshot), snapshot.assessment.is_finalised)


def _review_of(answer: Answer) -> Review | None:
    try:
        return answer.review
    except Review.DoesNotExist:
        return None


# ---------------------------------------------------------------- content


@dataclass(frozen=True)
class LevelInfo:
    """A level of the framework, or level 0 below them, with its wording."""

    number: int
    name: str
    name_en: str
    characteristic: str = ""
    description: str = ""
    details: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return 第二级 基础级, or 未达到初始级 for level 0."""
        if self.number == 0:
            return self.name
        return f"{level_ordinal(self.number)} {self.name}"

    @property
    def ordinal(self) -> str:
        return level_ordinal(self.number) if self.number else self.name


@dataclass
class EvidenceRef:
    number: str
    title: str
    needs_reconfirmation: bool


@dataclass
class ReviewEntry:
    verdict: str
    label: Label
    comment: str
    current: bool


@dataclass
class RequirementEntry:
    """One requirement of the standard with how it stands in the assessment."""

    code: str
    level: int
    text: str
    parts: list[dict]
    status: str
    status_label: Label
    justification: str
    evidence: list[EvidenceRef]
    review: ReviewEntry | None
    # How every list of the report names the review, as 审核驳回 or 未审核;
    # a verdict given on an earlier version of the answer says so.
    review_label: Label
    # Counts in the verified reading: accepted on the answer's current version.
    verified: bool
    findings: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"req-{self.code}"


@dataclass
class AreaReading:
    """The standing of a module or stage in one reading."""

    level: LevelInfo
    next_level: LevelInfo | None
    progress: float | None
    # Satisfied and applicable requirements of the next level.
    satisfied: int | None
    applicable: int | None


@dataclass
class LevelGroup:
    level: LevelInfo
    requirements: list[RequirementEntry]
    met_self: bool
    met_verified: bool


@dataclass
class GapGroup:
    level: LevelInfo
    requirements: list[RequirementEntry]


@dataclass
class AreaEntry:
    """A module, or a stage of the lifecycle module, as the report shows it."""

    code: str
    name: str
    name_en: str
    description: str
    is_stage: bool
    self: AreaReading
    verified: AreaReading
    # The reading the report leads with, one of the two above.
    lead: AreaReading
    target: LevelInfo | None
    gaps: list[GapGroup]
    level_groups: list[LevelGroup]
    answered: int
    total: int
    stages: list["AreaEntry"] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"area-{self.code}"

    @property
    def gap_count(self) -> int:
        return sum(len(group.requirements) for group in self.gaps)


@dataclass
class FindingEntry:
    number: str
    severity: str
    severity_label: Label
    kind_label: Label
    title: str
    description: str
    requirement: RequirementEntry | None


@dataclass
class EvidenceEntry:
    number: str
    title: str
    kind: str
    kind_label: Label
    effective_from: datetime.date | None
    sha256: str
    original_name: str
    url: str
    size: int | None
    # (requirement code, needs reconfirmation), in catalogue order.
    requirements: list[tuple[str, bool]]

    @property
    def anchor(self) -> str:
        return f"evidence-{self.number}"


@dataclass
class OrganisationReading:
    level: LevelInfo
    mean: float
    distribution: dict[int, int]


@dataclass
class GapSummary:
    """One of the largest gaps against target, told in a sentence."""

    module: AreaEntry
    steps: int
    sentence: str
    sentence_en: str


@dataclass
class ReportContext:
    """Everything one PDF report shows, computed from one snapshot."""

    assessment: Assessment
    revision: str
    generated_at: datetime.datetime
    # The reading the summary and gap lists lead with: "self" or "verified".
    reading: str
    levels: list[LevelInfo]
    organisation: dict[str, OrganisationReading]
    distribution: list[tuple[LevelInfo, int, int]]
    largest_gaps: list[GapSummary]
    modules: list[AreaEntry]
    findings: list[FindingEntry]
    evidence: list[EvidenceEntry]
    answer_counts: list[tuple[Label, int]]
    # The answers by verdict, counted as the assessment overview counts them.
    review_counts: list[tuple[Label, int]]
    finding_counts: list[tuple[Label, int]]
    answered: int
    total: int
    # Whether an auditor gave any verdict, or a verified reading was frozen:
    # before that the verified reading says nothing and is not shown.
    audited: bool = True
    # Whether the verdict counts are shown: as on the assessment overview,
    # not for a draft, which no auditor has seen yet.
    shows_review: bool = True

    @property
    def is_final(self) -> bool:
        return self.assessment.is_finalised

    @property
    def reading_label(self) -> Label:
        return vocabulary.READINGS[self.reading]

    @property
    def status_label(self) -> Label:
        return label(vocabulary.ASSESSMENT_STATUSES, self.assessment.status)

    @property
    def lead(self) -> OrganisationReading:
        return self.organisation[self.reading]

    @property
    def stages(self) -> list[AreaEntry]:
        """Return the stages of every staged module, in order."""
        return [stage for module in self.modules for stage in module.stages]


def _levels(framework_id) -> dict[int, LevelInfo]:
    levels = {0: LevelInfo(0, vocabulary.LEVEL_ZERO.zh, vocabulary.LEVEL_ZERO.en)}
    for level in Level.objects.filter(framework_id=framework_id).order_by("number"):
        levels[level.number] = LevelInfo(
            level.number,
            level.name,
            level.name_en,
            level.characteristic,
            level.description,
            tuple(level.details),
        )
    return levels


def _scores(snapshot: Snapshot) -> dict[str, dict]:
    """Return the self-assessed and verified scores as ``Score.to_dict()`` data.

    A finalised assessment keeps the scores frozen at finalisation; a reading
    that was not frozen is scored from the answers, which no longer change.
    """
    a = snapshot.assessment
    self_statuses = {x.requirement.code: x.status for x in snapshot.answers if x.status}
    verified_statuses = {
        x.requirement.code: x.status
        for x in snapshot.answers
        if x.status
        and (review := _review_of(x)) is not None
        and review.counts_as_accepted
    }
    frozen = (
        {SELF: a.self_scores, VERIFIED: a.verified_scores} if a.is_finalised else {}
    )
    catalogue = get_catalogue(a.framework_id)
    scores = {}
    for reading, statuses in ((SELF, self_statuses), (VERIFIED, verified_statuses)):
        scores[reading] = frozen.get(reading) or (
            score(catalogue, statuses, snapshot.targets).to_dict()
        )
    return scores


def _area_reading(area: dict, levels: dict[int, LevelInfo]) -> AreaReading:
    next_number = area.get("next_level")
    next_result = area["levels"].get(str(next_number)) if next_number else None
    return AreaReading(
        level=levels[area["level"]],
        next_level=levels.get(next_number) if next_number else None,
        progress=area.get("progress"),
        satisfied=next_result["satisfied"] if next_result else None,
        applicable=next_result["applicable"] if next_result else None,
    )


def _requirement_entries(snapshot: Snapshot, requirements, evidence_numbers, findings):
    """Return code -> entry for every requirement of the framework."""
    answers = {x.requirement_id: x for x in snapshot.answers}
    links = defaultdict(list)
    evidence_titles = {e.pk: e.title for e in snapshot.evidence}
    for evidence_id, answer_id, needs_reconfirmation in snapshot.links:
        links[answer_id].append(
            EvidenceRef(
                evidence_numbers[evidence_id],
                evidence_titles[evidence_id],
                needs_reconfirmation,
            )
        )
    finding_numbers = defaultdict(list)
    for number, finding in findings:
        if finding.requirement_id:
            finding_numbers[finding.requirement_id].append(number)

    entries = {}
    for requirement in requirements:
        answer = answers.get(requirement.pk)
        status = answer.status if answer else ""
        review = _review_of(answer) if answer else None
        review_entry = None
        if review is not None:
            review_entry = ReviewEntry(
                review.verdict,
                label(vocabulary.VERDICTS, review.verdict),
                review.comment,
                review.is_current,
            )
        refs = sorted(links[answer.pk], key=_number_key) if answer else []
        entries[requirement.code] = RequirementEntry(
            code=requirement.code,
            level=requirement.level,
            text=requirement.text,
            parts=part_groups(requirement.parts),
            status=status,
            status_label=label(vocabulary.ANSWER_STATUSES, status),
            justification=answer.justification if answer else "",
            evidence=refs,
            review=review_entry,
            review_label=vocabulary.review_label(
                review.verdict if review else "",
                current=review is None or review.is_current,
            ),
            verified=bool(status and review and review.counts_as_accepted),
            findings=finding_numbers[requirement.pk],
        )
    return entries


def _number_key(ref) -> int:
    return int(ref.number[1:])


def _area_entry(
    *, code, row, is_stage, scores, reading, levels, requirements, entries
) -> AreaEntry:
    """Build the report's view of one module or stage from the score data."""
    self_area, verified_area = scores[SELF], scores[VERIFIED]
    lead = scores[reading]
    target = lead.get("target")
    level_groups = []
    for number in sorted(n for n in levels if n):
        group = [entries[r.code] for r in requirements if r.level == number]
        level_groups.append(
            LevelGroup(
                level=levels[number],
                requirements=group,
                met_self=self_area["levels"][str(number)]["met"],
                met_verified=verified_area["levels"][str(number)]["met"],
            )
        )
    gaps = [
        GapGroup(levels[int(number)], [entries[c] for c in codes])
        for number, codes in sorted(lead.get("gaps", {}).items())
        if codes
    ]
    readings = {
        SELF: _area_reading(self_area, levels),
        VERIFIED: _area_reading(verified_area, levels),
    }
    return AreaEntry(
        code=code,
        name=row.name,
        name_en=row.name_en,
        description=row.description,
        is_stage=is_stage,
        self=readings[SELF],
        verified=readings[VERIFIED],
        lead=readings[reading],
        target=levels.get(target) if target else None,
        gaps=gaps,
        level_groups=level_groups,
        answered=sum(1 for r in requirements if entries[r.code].status),
        total=len(requirements),
    )


def _modules(snapshot, scores, reading, levels, entries, requirements):
    framework_id = snapshot.assessment.framework_id
    modules = list(
        Module.objects.filter(framework_id=framework_id).order_by("position")
    )
    stages = defaultdict(list)
    for stage in Stage.objects.filter(module__framework_id=framework_id).order_by(
        "position"
    ):
        stages[stage.module_id].append(stage)
    by_area = defaultdict(list)
    for requirement in requirements:
        by_area[requirement.stage_id or ("module", requirement.module_id)].append(
            requirement
        )

    result = []
    for module in modules:
        module_scores = {r: scores[r]["modules"][module.code] for r in (SELF, VERIFIED)}
        stage_entries = [
            _area_entry(
                code=stage.code,
                row=stage,
                is_stage=True,
                scores={
                    r: module_scores[r]["stages"][stage.code] for r in module_scores
                },
                reading=reading,
                levels=levels,
                requirements=by_area[stage.pk],
                entries=entries,
            )
            for stage in stages[module.pk]
        ]
        entry = _area_entry(
            code=module.code,
            row=module,
            is_stage=False,
            scores=module_scores,
            reading=reading,
            levels=levels,
            requirements=[r for r in requirements if r.module_id == module.pk],
            entries=entries,
        )
        entry.stages = stage_entries
        if stage_entries:
            # Requirements are shown stage by stage; the module keeps none.
            entry.level_groups = []
        result.append(entry)
    return result


def _organisation(scores, levels) -> dict[str, OrganisationReading]:
    result = {}
    for reading, data in scores.items():
        organisation = data["organisation"]
        result[reading] = OrganisationReading(
            level=levels[organisation["level"]],
            mean=float(organisation["mean"]),
            distribution={int(k): v for k, v in organisation["distribution"].items()},
        )
    return result


def _largest_gaps(modules: list[AreaEntry], reading: str) -> list[GapSummary]:
    """Return up to five modules furthest below target, widest gap first."""
    reading_zh = vocabulary.READINGS[reading].zh
    candidates = []
    for module in modules:
        standing = module.lead
        if module.target is None or standing.level.number >= module.target.number:
            continue
        steps = module.target.number - standing.level.number
        candidates.append((steps, module.gap_count, module, standing))
    candidates.sort(key=lambda item: (-item[0], -item[1]))

    summaries = []
    for steps, count, module, standing in candidates[:SUMMARY_GAPS]:
        sentence = (
            f"{module.name}（{module.code}）{reading_zh}为{standing.level.label}，"
            f"目标为{module.target.label}，相差 {steps} 级；"
            f"达到目标还需满足 {count} 项要求。"
        )
        # The English half stays English in a report rendered in Chinese;
        # the catalogue only counts it.
        with translation.override("en"):
            sentence_en = ngettext(
                "%(module)s stands at level %(level)s against a target of "
                "%(target)s: %(count)s requirement to meet.",
                "%(module)s stands at level %(level)s against a target of "
                "%(target)s: %(count)s requirements to meet.",
                count,
            ) % {
                "module": module.name_en,
                "level": standing.level.number,
                "target": module.target.number,
                "count": count,
            }
        if module.stages:
            weakest = min(module.stages, key=lambda s: s.lead.level.number)
            weakest_level = weakest.lead.level.label
            sentence += f"最薄弱的阶段是{weakest.name}（{weakest_level}）。"
            sentence_en += f" Weakest stage: {weakest.name_en}."
        summaries.append(GapSummary(module, steps, sentence, sentence_en))
    return summaries


def _numbered_findings(snapshot) -> list[tuple[str, Finding]]:
    """Number the findings F1, F2, … from the most severe."""
    ordered = sorted(
        snapshot.findings,
        key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.created_at, f.pk),
    )
    return [(f"F{n}", finding) for n, finding in enumerate(ordered, 1)]


def _review_summary(snapshot: Snapshot) -> ReviewSummary:
    """Count the answers by verdict with the assessment overview's own rule."""
    rows = []
    for answer in snapshot.answers:
        review = _review_of(answer)
        rows.append(
            (
                answer.requirement.code,
                answer.status,
                answer.version,
                review.verdict if review else None,
                review.answer_version if review else None,
            )
        )
    return review_summary_from(rows)


def report_context(assessment, *, reading: str = "auto") -> ReportContext:
    """Return everything a PDF report of ``assessment`` shows; ten queries.

    ``reading`` picks the reading the summary and the gap lists lead with:
    ``self``, ``verified``, or ``auto`` (verified once finalised, else self).
    The catalogue of the framework costs three more queries the first time.
    """
    if reading not in READINGS:
        raise ValueError(f"Unknown reading {reading!r}; use one of {READINGS}.")
    snapshot = _snapshot(assessment)
    a = snapshot.assessment
    if reading == "auto":
        reading = VERIFIED if a.is_finalised else SELF

    levels = _levels(a.framework_id)
    requirements = list(
        Requirement.objects.filter(framework_id=a.framework_id).order_by("sequence")
    )
    requirement_codes = {r.pk: r.code for r in requirements}
    # Answers reach their requirement's code without a query per answer.
    by_pk = {r.pk: r for r in requirements}
    for answer in snapshot.answers:
        answer.requirement = by_pk[answer.requirement_id]

    evidence_numbers = {e.pk: f"E{n}" for n, e in enumerate(snapshot.evidence, 1)}
    numbered_findings = _numbered_findings(snapshot)
    entries = _requirement_entries(
        snapshot, requirements, evidence_numbers, numbered_findings
    )
    scores = _scores(snapshot)
    modules = _modules(snapshot, scores, reading, levels, entries, requirements)

    answer_of = {x.pk: x for x in snapshot.answers}
    supported = defaultdict(list)
    for evidence_id, answer_id, needs_reconfirmation in snapshot.links:
        requirement = answer_of[answer_id].requirement
        supported[evidence_id].append(
            (requirement.sequence, requirement.code, needs_reconfirmation)
        )
    evidence = [
        EvidenceEntry(
            number=evidence_numbers[e.pk],
            title=e.title,
            kind=e.kind,
            kind_label=label(vocabulary.EVIDENCE_KINDS, e.kind),
            effective_from=e.effective_from,
            sha256=e.sha256,
            original_name=e.original_name,
            url=e.url,
            size=e.size,
            requirements=[(c, n) for _, c, n in sorted(supported[e.pk])],
        )
        for e in snapshot.evidence
    ]
    findings = [
        FindingEntry(
            number=number,
            severity=f.severity,
            severity_label=label(vocabulary.SEVERITIES, f.severity),
            kind_label=label(vocabulary.FINDING_KINDS, f.kind),
            title=f.title,
            description=f.description,
            requirement=entries.get(requirement_codes.get(f.requirement_id)),
        )
        for number, f in numbered_findings
    ]

    organisation = _organisation(scores, levels)
    statuses = Counter(entry.status for entry in entries.values())
    review = _review_summary(snapshot)
    return ReportContext(
        assessment=a,
        revision=_fingerprint(snapshot),
        generated_at=timezone.localtime(),
        reading=reading,
        levels=[levels[n] for n in sorted(levels)],
        organisation=organisation,
        distribution=[
            (
                levels[n],
                organisation[SELF].distribution.get(n, 0),
                organisation[VERIFIED].distribution.get(n, 0),
            )
            for n in sorted(levels)
        ],
        largest_gaps=_largest_gaps(modules, reading),
        modules=modules,
        findings=findings,
        evidence=evidence,
        answer_counts=[
            (vocabulary.ANSWER_STATUSES[s], statuses[s])
            for s in ("satisfied", "partial", "not_satisfied", "not_applicable", "")
        ],
        review_counts=[
            (review_label, getattr(review, name))
            for name, review_label in vocabulary.REVIEW_SUMMARY.items()
        ],
        finding_counts=[
            (vocabulary.SEVERITIES[s], sum(f.severity == s for f in findings))
            for s in ("high", "medium", "low")
        ],
        answered=sum(1 for entry in entries.values() if entry.status),
        total=len(entries),
        audited=(
            a.verified_scores is not None
            if a.is_finalised
            else any(_review_of(x) is not None for x in snapshot.answers)
        ),
        shows_review=a.was_submitted,
    )
