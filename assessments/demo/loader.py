"""Build the demo organisation through the services, one step at a time.

Every write goes through ``assessments.services`` as the person who would
make it, so the history reads like a year of real work: the assessors
answer and attach evidence, the auditor reviews, returns and finalises,
and the next year's assessment starts from the last one. Only what no
service writes is saved directly: the accounts of the first administrator
and of the external auditor, who belong to no organisation yet, and the
full names of the accounts. Every timestamp is the time of the load.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from assessments import services, uploads
from assessments.demo import files
from assessments.demo.content import load_content
from assessments.demo.writing import Writer
from assessments.models import (
    Answer,
    Assessment,
    Evidence,
    EvidenceLink,
    Organisation,
)
from assessments.permissions import forget_access
from assessments.selectors import assessment_score, verified_statuses
from maturity.models import Framework, Requirement
from maturity.scoring import PARTIAL, SATISFIED

logger = logging.getLogger(__name__)

FRAMEWORK_CODE = "AIMRG"


class DemoError(Exception):
    """Raised when the demo cannot be loaded: a name is taken or content is off."""


@dataclass(frozen=True)
class LevelRow:
    """One module or stage of the summary table: levels by year and reading."""

    code: str
    name: str
    is_stage: bool
    levels: dict[tuple[int, str], int]


@dataclass(frozen=True)
class LoadResult:
    organisation: Organisation
    previous: Assessment
    current: Assessment
    # Username -> user, for every demo account.
    people: dict


def demo_exists() -> bool:
    """Return whether the demo organisation is already in the database."""
    return Organisation.objects.filter(slug=load_content().slug).exists()


def load_demo() -> LoadResult:
    """Create the demo organisation, its people and both assessments.

    Runs in one transaction; evidence files stored before a failure are
    removed again. Raise DemoError when the demo organisation exists or
    a demo username is taken.
    """
    content = load_content()
    if demo_exists():
        raise DemoError(f"The organisation “{content.slug}” already exists.")
    usernames = [person.username for person in content.people]
    taken = sorted(
        get_user_model()
        .objects.filter(username__in=usernames)
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoError(
            "These usernames are taken by accounts outside the demo: "
            f"{', '.join(taken)}. Rename or delete them, then load the demo."
        )
    framework = Framework.objects.latest_version(FRAMEWORK_CODE)
    if framework is None:
        raise DemoError(
            f"The standard {FRAMEWORK_CODE} is not installed; run load_framework."
        )

    stored_files = []
    try:
        with transaction.atomic():
            result = _Loader(content, framework, stored_files).run()
    except BaseException:
        for path in stored_files:
            uploads.remove_stored(path)
        raise
    logger.info("Demo organisation %s loaded", result.organisation.pk)
    return result


def level_table(result: LoadResult) -> list[LevelRow]:
    """Return the self-assessed and verified level of every module and stage."""
    scores = {}
    for year, assessment in ((2025, result.previous), (2026, result.current)):
        scores[year, "self"] = assessment_score(assessment)
        scores[year, "verified"] = assessment_score(
            assessment, verified_statuses(assessment)
        )
    framework = result.current.framework
    rows = []
    for module in framework.modules.order_by("position"):
        rows.append(_level_row(module, scores, module.code, None))
        for stage in module.stages.order_by("position"):
            rows.append(_level_row(stage, scores, module.code, stage.code))
    return rows


def _level_row(area, scores, module_code, stage_code) -> LevelRow:
    levels = {}
    for key, score in scores.items():
        module = score.modules[module_code]
        levels[key] = module.stages[stage_code].level if stage_code else module.level
    return LevelRow(area.code, area.name, stage_code is not None, levels)


# When the demo's people joined, and when each step of last year's
# assessment was taken: answered in the autumn of its year, audited and
# finalised early in the next. This year's steps lie in the weeks before the
# load: started from last year's, revised area by area over the following
# weeks, its evidence gathered, then submitted.
STARTED_DAYS_AGO = 40
REVISED_DAYS_AGO = (38, 13)
EVIDENCE_DAYS_AGO = 11
PEOPLE_JOINED = (2025, 10, 20)
PREVIOUS_STEPS = {
    "answered": (2025, 11, 3),
    "submitted": (2026, 1, 16),
    "reviewed": (2026, 1, 19),
    "returned": (2026, 2, 6),
    "revised": (2026, 2, 13),
    "reviewed_again": (2026, 2, 23),
    "finalised": (2026, 3, 6),
}


class _Loader:
    def __init__(self, content, framework, stored_files):
        self.content = content
        self.framework = framework
        self.stored_files = stored_files
        self.areas = content.areas
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.requirements = list(
            Requirement.objects.filter(framework=framework)
            .select_related("module", "stage")
            .order_by("sequence")
        )
        self.by_code = {
            requirement.code: requirement for requirement in self.requirements
        }
        self.people = {}
        # Evidence key of content.toml -> the item in the assessment at hand.
        self.evidence = {}
        # Year -> requirement code -> the status it was given.
        self.statuses = {}

    def run(self) -> LoadResult:
        with self._on(PEOPLE_JOINED):
            organisation = self._people()
        previous = self._previous_assessment(organisation)
        current = self._current_assessment(previous)
        # The services moved locked copies along; read the statuses they left.
        previous.refresh_from_db()
        current.refresh_from_db()
        return LoadResult(organisation, previous, current, self.people)

    @staticmethod
    def _on(moment):
        """Write what happens inside as at ``moment``, the clock running on.

        The rows and their history take the time of their step, as they
        would have in use: ``moment`` is a datetime, or a (year, month, day)
        of last year's assessment, at ten in the morning.
        """
        if isinstance(moment, tuple):
            moment = timezone.make_aware(datetime(*moment, 10))
        return time_machine.travel(moment, tick=True)

    def _days_ago(self, days: int):
        """Return a moment ``days`` before the load, for this year's steps."""
        return self.now - timedelta(days=days)

    # -- People --------------------------------------------------------------

    def _people(self) -> Organisation:
        password = self.content.password
        people = {person.username: person for person in self.content.people}
        admin = self._account(people.pop("admin"), password)
        self.people["admin"] = admin
        organisation = services.organisation_create(
            name=self.content.organisation_name, slug=self.content.slug, actor=admin
        )
        for username, person in people.items():
            if not person.role:
                self.people[username] = self._account(person, password)
                continue
            membership = services.membership_create_user(
                organisation=organisation,
                username=username,
                email=person.email,
                password=password,
                role=person.role,
                actor=admin,
            )
            user = membership.user
            # The full name is not a field of the membership form; the whole
            # Chinese name goes in first_name so get_full_name() shows it.
            user.first_name = person.name
            user.save(update_fields=["first_name"])
            self.people[username] = user
        return organisation

    @staticmethod
    def _account(person, password):
        user = get_user_model()(
            username=person.username, email=person.email, first_name=person.name
        )
        validate_password(password, user)
        user.set_password(password)
        user.save()
        return user

    # -- Last year's assessment ----------------------------------------------

    def _previous_assessment(self, organisation):
        year = 2025
        spec = self.content.assessment(year)
        steps = PREVIOUS_STEPS
        with self._on(steps["answered"]):
            assessment = services.assessment_create(
                organisation=organisation,
                framework=self.framework,
                title=spec["title"],
                scope=spec["scope"],
                period_start=spec["period"][0],
                period_end=spec["period"][1],
                targets=self.content.targets,
                actor=self.people[spec["author"]],
            )
            self._add_evidence(assessment, year, stage="")
            answers = self._answer_all(assessment, year)
            self._attach(assessment, year, answers, carried=None)

        with self._on(steps["submitted"]):
            grant = self._grant(assessment, year)
            self._transition(assessment, "submit", spec["author"])
        review = self.content.review(year)
        with self._on(steps["reviewed"]):
            self._transition(assessment, "start_review", "auditor")
            self._record_verdicts(answers, review, accept=lambda code: True)
        with self._on(steps["returned"]):
            self._transition(assessment, "return", "auditor", review["return_reason"])

        with self._on(steps["revised"]):
            self._add_evidence(assessment, year, stage="fixes")
            fixed = self._apply_fixes(assessment, answers, review["fixes"])
            self._transition(assessment, "submit", spec["author"])
        auditor = self.people["auditor"]
        with self._on(steps["reviewed_again"]):
            self._transition(assessment, "start_review", "auditor")
            for fix in review["fixes"]:
                services.review_record(
                    answer=fixed[fix["code"]],
                    verdict=fix["verdict"],
                    comment=fix.get("verdict_comment", ""),
                    actor=auditor,
                )
            self._findings(assessment, review["findings"])
        with self._on(steps["finalised"]):
            self._transition(assessment, "finalise", "auditor")
            services.auditor_revoke(grant=grant, actor=self.people["admin"])
        forget_access(auditor)
        return assessment

    def _answer_all(self, assessment, year) -> dict[str, Answer]:
        writer = Writer(self.content, year)
        positions = Counter()
        answers = {}
        statuses = self.statuses[year] = {}
        for requirement in self.requirements:
            area = self._area(requirement)
            index = positions[area, requirement.level]
            positions[area, requirement.level] += 1
            status = writer.status(requirement.code, requirement.level, index, area)
            answers[requirement.code] = services.answer_save(
                assessment=assessment,
                requirement=requirement,
                status=status,
                justification=writer.justification(requirement, area, status),
                base_version=0,
                actor=self.people[self.areas[area].author],
            )
            statuses[requirement.code] = status
        return answers

    def _apply_fixes(self, assessment, answers, fixes) -> dict[str, Answer]:
        """Answer the auditor's objections as the assessors did."""
        for fix in fixes:
            code = fix["code"]
            actor = self.people[fix["author"]]
            answer = answers[code]
            # Attaching evidence since made a new version of the answer.
            answer.refresh_from_db(fields=["version"])
            # Resubmitting needs every objection answered by a revision.
            if "justification" in fix:
                status = fix.get("status", answer.status)
                answer = answers[code] = services.answer_save(
                    assessment=assessment,
                    requirement=self.by_code[code],
                    status=status,
                    justification=fix["justification"],
                    base_version=answer.version,
                    actor=actor,
                )
                self.statuses[2025][code] = status
            for key in fix.get("evidence", ()):
                services.evidence_attach(
                    evidence=self.evidence[key],
                    requirement=self.by_code[code],
                    actor=actor,
                )
            if "comment" in fix:
                services.comment_add(
                    assessment=assessment,
                    answer=answer,
                    text=fix["comment"],
                    actor=actor,
                )
        return answers

    # -- This year's assessment ----------------------------------------------

    def _current_assessment(self, previous):
        year = 2026
        spec = self.content.assessment(year)
        author = spec["author"]
        with self._on(self._days_ago(STARTED_DAYS_AGO)):
            assessment = services.assessment_start_from(
                previous=previous,
                title=spec["title"],
                scope=spec["scope"],
                period_start=spec["period"][0],
                period_end=spec["period"][1],
                actor=self.people[author],
            )
            carried = Evidence.objects.filter(assessment=assessment)
            self.stored_files.extend(
                carried.exclude(file_path="").values_list("file_path", flat=True)
            )
            by_old_pk = {item.carried_from_id: item for item in carried}
            self.evidence = {
                key: by_old_pk[item.pk] for key, item in self.evidence.items()
            }

        answers = self._update_answers(assessment, year)
        with self._on(self._days_ago(EVIDENCE_DAYS_AGO)):
            self._reconfirm(assessment, year)
            self._add_evidence(assessment, year, stage="")
            self._attach(assessment, year, answers, carried=self.statuses[2025])

        with self._on(self._days_ago(9)):
            self._grant(assessment, year)
            self._transition(assessment, "submit", author)
        review = self.content.review(year)
        accepted_areas = set(review["accepted_areas"])
        with self._on(self._days_ago(6)):
            self._transition(assessment, "start_review", "auditor")
            self._record_verdicts(
                answers,
                review,
                accept=lambda code: self._area(self.by_code[code]) in accepted_areas,
            )
        with self._on(self._days_ago(2)):
            self._findings(assessment, review["findings"])
            self._comments(assessment, answers, review["comments"])
        return assessment

    def _update_answers(self, assessment, year) -> dict[str, Answer]:
        """Change the answers carried over that moved on since last year.

        Each area is revised on a day of its own, in the standard's order.
        """
        writer = Writer(self.content, year)
        hand_written = self.content.justifications(year)
        previous = self.statuses[2025]
        answers = {
            answer.requirement.code: answer
            for answer in Answer.objects.filter(assessment=assessment).select_related(
                "requirement"
            )
        }
        positions = Counter()
        statuses = self.statuses[year] = {}
        revised_on = self._revision_days()
        for requirement in self.requirements:
            code = requirement.code
            area = self._area(requirement)
            index = positions[area, requirement.level]
            positions[area, requirement.level] += 1
            status = statuses[code] = writer.status(
                code, requirement.level, index, area
            )
            answer = answers[code]
            if status != previous[code] or code in hand_written:
                justification = writer.justification(requirement, area, status)
            elif status == SATISFIED and (note := writer.refresh(code, area)):
                justification = f"{answer.justification}\n{note}"
            else:
                continue
            with self._on(revised_on[area]):
                answers[code] = services.answer_save(
                    assessment=assessment,
                    requirement=requirement,
                    status=status,
                    justification=justification,
                    base_version=answer.version,
                    actor=self.people[self.areas[area].author],
                )
        return answers

    def _revision_days(self) -> dict:
        """Return area -> the moment its answers are revised, a day apart or so."""
        areas = list(dict.fromkeys(self._area(r) for r in self.requirements))
        first, last = (self._days_ago(days) for days in REVISED_DAYS_AGO)
        step = (last - first) / max(len(areas) - 1, 1)
        return {area: first + step * index for index, area in enumerate(areas)}

    def _reconfirm(self, assessment, year) -> None:
        """Reconfirm carried evidence, except where the submission needs none."""
        review = self.content.review(year)
        left_alone = set(review["unconfirmed_areas"])
        links = EvidenceLink.objects.filter(
            answer__assessment=assessment, needs_reconfirmation=True
        ).select_related("answer__requirement__module", "answer__requirement__stage")
        for link in links:
            requirement = link.answer.requirement
            area = self._area(requirement)
            not_needed = self.statuses[year][requirement.code] != SATISFIED
            if area in left_alone and not_needed:
                continue
            services.evidence_reconfirm(
                link=link, actor=self.people[self.areas[area].author]
            )

    # -- Evidence ------------------------------------------------------------

    def _add_evidence(self, assessment, year, stage) -> None:
        for spec in self.content.evidence:
            if spec.year != year or spec.stage != stage:
                continue
            self.evidence[spec.key] = self._evidence_item(assessment, spec)

    def _evidence_item(self, assessment, spec) -> Evidence:
        common = {
            "assessment": assessment,
            "title": spec.title,
            "description": spec.description,
            "effective_from": spec.effective_from,
            "actor": self.people[spec.author],
        }
        if spec.file:
            made = files.build(
                spec.file, self.content.organisation_name, self.content.documents
            )
            uploaded = SimpleUploadedFile(
                made.name, made.content, content_type=made.content_type
            )
            evidence = services.evidence_add_file(uploaded=uploaded, **common)
            self.stored_files.append(evidence.file_path)
            return evidence
        if spec.url:
            return services.evidence_add_link(url=spec.url, **common)
        return services.evidence_add_note(note=spec.note, **common)

    def _attach(self, assessment, year, answers, carried) -> None:
        """Back up answers with evidence: the areas' own, then the listed ones.

        In the first year every satisfied answer gets one of its area's
        items in turn, and about half the partial ones too. Later only the
        answers newly satisfied need one; carried links count once
        reconfirmed.
        """
        wanted = {}
        positions = Counter()
        for requirement in self.requirements:
            code = requirement.code
            area = self.areas[self._area(requirement)]
            status = self.statuses[year][code]
            if carried is not None and (
                status != SATISFIED or carried[code] == SATISFIED
            ):
                continue
            turn = positions[area.code]
            positions[area.code] += 1
            if status == SATISFIED or (status == PARTIAL and turn % 2 == 0):
                wanted.setdefault(code, []).append(
                    area.evidence[turn % len(area.evidence)]
                )
        for key, codes in self.content.attachments(year).items():
            for code in codes:
                wanted.setdefault(code, []).append(key)

        linked = set(
            EvidenceLink.objects.filter(answer__assessment=assessment).values_list(
                "answer__requirement__code", "evidence_id"
            )
        )
        for code, keys in wanted.items():
            requirement = self.by_code[code]
            actor = self.people[self.areas[self._area(requirement)].author]
            for key in dict.fromkeys(keys):
                evidence = self.evidence[key]
                if (code, evidence.pk) in linked:
                    continue
                services.evidence_attach(
                    evidence=evidence, requirement=requirement, actor=actor
                )
                linked.add((code, evidence.pk))

    # -- Review --------------------------------------------------------------

    def _grant(self, assessment, year):
        days = self.content.review(year)["grant_days"]
        grant = services.auditor_grant(
            assessment=assessment,
            identifier="auditor",
            expires_on=self.today + timedelta(days=days),
            actor=self.people["admin"],
        )
        forget_access(self.people["auditor"])
        return grant

    def _transition(self, assessment, name, username, reason="") -> None:
        try:
            services.assessment_transition(
                assessment=assessment,
                name=name,
                actor=self.people[username],
                reason=reason,
            )
        except services.SubmissionIncomplete as error:
            # Only a mistake in content.toml gets here; name what to fix.
            problems = ", ".join(f"{p.code} ({p.kind})" for p in error.problems)
            raise DemoError(f"The demo content is incomplete: {problems}") from None

    def _record_verdicts(self, answers, review, accept) -> None:
        rejected = review["rejected"]
        questions = review["needs_information"]
        auditor = self.people["auditor"]
        for code, answer in answers.items():
            if code in rejected:
                verdict, comment = "rejected", rejected[code]
            elif code in questions:
                verdict, comment = "needs_information", questions[code]
            elif accept(code):
                verdict, comment = "accepted", ""
            else:
                continue
            services.review_record(
                answer=answer, verdict=verdict, comment=comment, actor=auditor
            )

    def _findings(self, assessment, findings) -> None:
        for finding in findings:
            code = finding.get("requirement")
            services.finding_create(
                assessment=assessment,
                requirement=self.by_code[code] if code else None,
                kind=finding["kind"],
                severity=finding["severity"],
                title=finding["title"],
                description=finding["description"],
                actor=self.people["auditor"],
            )

    def _comments(self, assessment, answers, comments) -> None:
        for comment in comments:
            code = comment.get("requirement")
            key = comment.get("evidence")
            services.comment_add(
                assessment=assessment,
                answer=answers[code] if code else None,
                evidence=self.evidence[key] if key else None,
                text=comment["text"],
                actor=self.people[comment["author"]],
            )

    def _area(self, requirement) -> str:
        return (
            requirement.stage.code if requirement.stage_id else requirement.module.code
        )
