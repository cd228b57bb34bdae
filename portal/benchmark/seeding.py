"""Benchmark data: organisations with three fully answered assessments each.

Every organisation has an administrator, an assessor, a viewer and an
external auditor, and three assessments of the standard: two finalised
after a review, the third under way (returned, in review, submitted or a
draft, in turn). Every requirement is answered, with a mix of statuses drawn
per module so that levels vary from one assessment to the next; satisfied
answers and some partial ones are backed by evidence items with small real
files; the auditor's verdicts, questions and findings sit on the reviewed
assessments.

Rows are written with ``bulk_create``, which bypasses ``save()`` and so
writes no history row (django-simple-history records only saves): a
history per answer would make seeding many times slower and is not what
the benchmark measures.
"""

import hashlib
import itertools
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Answer,
    Assessment,
    AssessmentTarget,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    Finding,
    FindingKind,
    Membership,
    Organisation,
    Review,
    Role,
    Severity,
    Status,
    StatusChange,
    Verdict,
)
from maturity.catalogues import get_catalogue
from maturity.models import Module, Requirement
from maturity.scoring import NOT_APPLICABLE, NOT_SATISFIED, PARTIAL, SATISFIED, score

User = get_user_model()

BATCH_SIZE = 2000
FILE_EVIDENCE = 10
YEARS = (2024, 2025, 2026)
# The status of the third assessment, by organisation in turn.
CURRENT_STATUSES = (Status.RETURNED, Status.IN_REVIEW, Status.DRAFT, Status.SUBMITTED)
# The steps that led to each status, from a draft.
STEPS = {
    Status.DRAFT: (),
    Status.SUBMITTED: (Status.SUBMITTED,),
    Status.IN_REVIEW: (Status.SUBMITTED, Status.IN_REVIEW),
    Status.RETURNED: (Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED),
    Status.FINALISED: (Status.SUBMITTED, Status.IN_REVIEW, Status.FINALISED),
}
# Share of the answers the auditor has given a verdict, by status.
REVIEWED_SHARE = {Status.FINALISED: 1.0, Status.IN_REVIEW: 0.6, Status.RETURNED: 0.6}
QUESTION = "请补充模型验证报告的审批记录。"
# How the level an area reaches is drawn: mostly Basic or Enhanced.
REACH_CHOICES = (0, 1, 1, 2, 2, 2, 3, 3, 4, 5)


@dataclass
class SeededOrganisation:
    organisation: Organisation
    admin: object
    assessor: object
    auditor: object
    # Oldest first; the last is the one under way.
    assessments: list[Assessment]
    # Further assessors, one per concurrent client of the benchmark.
    clients: list = field(default_factory=list)

    @property
    def current(self) -> Assessment:
        return self.assessments[-1]


class Seeder:
    """Write benchmark organisations of one framework, counting the rows."""

    def __init__(self, framework, files_root: Path):
        self.framework = framework
        self.files_root = files_root
        self.catalogue = get_catalogue(framework)
        self.requirement_ids = dict(
            Requirement.objects.filter(framework=framework).values_list("code", "pk")
        )
        self.module_ids = dict(
            Module.objects.filter(framework=framework).values_list("code", "pk")
        )
        self.areas = sorted({ref.area for ref in self.catalogue.requirements})
        # One hash for every account: hashing a password is slow by design.
        self.password = make_password(uuid.uuid4().hex)
        self.counts = Counter()
        # Level -> modules standing at it, over the finalised assessments.
        self.module_levels = Counter()

    @transaction.atomic
    def organisation(self, index: int, clients: int = 0) -> SeededOrganisation:
        """Write organisation number ``index`` with ``clients`` extra assessors."""
        rng = random.Random(index)  # noqa: S311 - sample data, not secrets
        people = self._people(index, clients)
        organisation = Organisation.objects.create(
            name=f"基准测试机构{index:03d}", slug=f"bench-{index:03d}"
        )
        Membership.objects.bulk_create(
            [
                Membership(organisation=organisation, user=user, role=role)
                for user, role in [
                    (people["admin"], Role.ADMIN),
                    (people["assessor"], Role.ASSESSOR),
                    (people["viewer"], Role.VIEWER),
                    *((user, Role.ASSESSOR) for user in people["clients"]),
                ]
            ]
        )
        current = CURRENT_STATUSES[index % len(CURRENT_STATUSES)]
        statuses = [Status.FINALISED, Status.FINALISED, current]
        assessments = self._assessments(organisation, people, statuses)
        for assessment in assessments:
            self._fill(assessment, people, rng)
        self._grants(assessments, people)
        self.counts["organisations"] += 1
        return SeededOrganisation(
            organisation=organisation,
            admin=people["admin"],
            assessor=people["assessor"],
            auditor=people["auditor"],
            assessments=assessments,
            clients=people["clients"],
        )

    # -- People and assessments ----------------------------------------------

    def _people(self, index: int, clients: int) -> dict:
        prefix = f"bench{index:03d}"
        names = ["admin", "assessor", "viewer", "auditor"]
        names += [f"client{n:02d}" for n in range(1, clients + 1)]
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{prefix}-{name}",
                    email=f"{prefix}-{name}@example.com",
                    password=self.password,
                )
                for name in names
            ]
        )
        people = dict(zip(names[:4], users[:4], strict=True))
        people["clients"] = users[4:]
        self.counts["users"] += len(users)
        return people

    def _assessments(self, organisation, people, statuses) -> list[Assessment]:
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    organisation=organisation,
                    framework=self.framework,
                    title=f"{year}年度模型风险治理能力成熟度评估",
                    scope="信贷审批、反欺诈与智能客服模型",
                    period_start=date(year, 1, 1),
                    period_end=date(year, 12, 31),
                    status=status,
                    created_by=people["admin"],
                )
                for year, status in zip(YEARS, statuses, strict=True)
            ]
        )
        for earlier, later in itertools.pairwise(assessments):
            later.previous = earlier
        Assessment.objects.bulk_update(assessments[1:], ["previous"])
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    assessment=assessment,
                    from_status=before,
                    to_status=after,
                    actor=people["auditor" if after != Status.SUBMITTED else "admin"],
                )
                for assessment in assessments
                for before, after in _pairs(STEPS[assessment.status])
            ]
        )
        self.counts["assessments"] += len(assessments)
        return assessments

    def _grants(self, assessments, people) -> None:
        now = timezone.now()
        grants = []
        for assessment in assessments:
            under_way = not assessment.is_finalised
            grants.append(
                AuditorGrant(
                    assessment=assessment,
                    user=people["auditor"],
                    granted_by=people["admin"],
                    expires_on=timezone.localdate() + timedelta(days=180),
                    revoked_at=None if under_way else now,
                    revoked_by=None if under_way else people["admin"],
                )
            )
        AuditorGrant.objects.bulk_create(grants)

    # -- Answers, evidence and review ----------------------------------------

    def _fill(self, assessment, people, rng) -> None:
        targets = {code: rng.choice((2, 3, 3, 4)) for code in self.catalogue.modules}
        AssessmentTarget.objects.bulk_create(
            [
                AssessmentTarget(
                    assessment=assessment, module_id=self.module_ids[code], level=level
                )
                for code, level in targets.items()
            ]
        )
        statuses = self._statuses(rng)
        answers = self._answers(assessment, statuses, people["assessor"])
        evidence = self._evidence(assessment, people["assessor"])
        self._links(answers, evidence, people["assessor"])
        accepted = self._review(assessment, answers, people, rng)
        if assessment.is_finalised:
            self._finalise(assessment, statuses, accepted, targets)

    def _statuses(self, rng) -> dict[str, str]:
        """Draw a status per requirement: met up to a level per area, mixed above."""
        base = rng.choice(REACH_CHOICES)
        reach = {
            area: min(5, max(0, base + rng.choice((-1, 0, 0, 1))))
            for area in self.areas
        }
        statuses = {}
        for ref in self.catalogue.requirements:
            above = ref.level - reach[ref.area]
            if above <= 0:
                weights = (94, 0, 0, 6)
            elif above == 1:
                weights = (55, 30, 15, 0)
            else:
                weights = (25, 35, 40, 0)
            statuses[ref.code] = rng.choices(
                (SATISFIED, PARTIAL, NOT_SATISFIED, NOT_APPLICABLE), weights
            )[0]
        return statuses

    def _answers(self, assessment, statuses, assessor) -> list[Answer]:
        now = timezone.now()
        answers = Answer.objects.bulk_create(
            [
                Answer(
                    assessment_id=assessment.pk,
                    requirement_id=self.requirement_ids[code],
                    status=status,
                    justification=_justification(code, status),
                    version=1,
                    updated_by_id=assessor.pk,
                    updated_at=now,
                )
                for code, status in statuses.items()
            ],
            batch_size=BATCH_SIZE,
        )
        self.counts["answers"] += len(answers)
        return answers

    def _evidence(self, assessment, assessor) -> list[Evidence]:
        """Write the assessment's evidence files, a link and a note."""
        items = []
        for number in range(1, FILE_EVIDENCE + 1):
            content = _file_text(assessment, number).encode()
            relative = Path("evidence") / str(assessment.pk) / uuid.uuid4().hex
            target = self.files_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            items.append(
                Evidence(
                    assessment=assessment,
                    kind=EvidenceKind.FILE,
                    title=f"模型风险管理制度文件{number:02d}",
                    effective_from=assessment.period_start,
                    file_path=relative.as_posix(),
                    original_name=f"policy-{number:02d}.txt",
                    size=len(content),
                    content_type="text/plain",
                    sha256=hashlib.sha256(content).hexdigest(),
                    created_by=assessor,
                )
            )
        items.append(
            Evidence(
                assessment=assessment,
                kind=EvidenceKind.LINK,
                title="模型清单（内部系统）",
                url="https://intranet.example.com/models",
                created_by=assessor,
            )
        )
        items.append(
            Evidence(
                assessment=assessment,
                kind=EvidenceKind.NOTE,
                title="访谈记录",
                note="与模型风险管理处负责人访谈，确认模型验证流程已执行。",
                created_by=assessor,
            )
        )
        evidence = Evidence.objects.bulk_create(items)
        self.counts["evidence"] += len(evidence)
        self.counts["files"] += FILE_EVIDENCE
        return evidence

    def _links(self, answers, evidence, assessor) -> None:
        """Back every satisfied answer, and every other partial one, with a file."""
        files = evidence[:FILE_EVIDENCE]
        links = []
        partial = 0
        for number, answer in enumerate(answers):
            if answer.status == PARTIAL:
                partial += 1
                if partial % 2:
                    continue
            elif answer.status != SATISFIED:
                continue
            links.append(
                EvidenceLink(
                    evidence_id=files[number % len(files)].pk,
                    answer_id=answer.pk,
                    created_by_id=assessor.pk,
                )
            )
        EvidenceLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
        self.counts["links"] += len(links)

    def _review(self, assessment, answers, people, rng) -> dict[str, str]:
        """Record verdicts, questions and findings; return the accepted statuses."""
        share = REVIEWED_SHARE.get(assessment.status, 0)
        if not share:
            return {}
        auditor = people["auditor"]
        codes = {pk: code for code, pk in self.requirement_ids.items()}
        reviews, comments, accepted = [], [], {}
        for answer in answers:
            if rng.random() >= share:
                continue
            verdict = rng.choices(
                (Verdict.ACCEPTED, Verdict.REJECTED, Verdict.NEEDS_INFORMATION),
                (92, 4, 4),
            )[0]
            comment = (
                "" if verdict == Verdict.ACCEPTED else "请补充模型验证报告的审批记录。"
            )
            reviews.append(
                Review(
                    answer_id=answer.pk,
                    verdict=verdict,
                    comment=comment,
                    answer_version=answer.version,
                    reviewer=auditor,
                )
            )
            if verdict == Verdict.ACCEPTED:
                accepted[codes[answer.requirement_id]] = answer.status
            else:
                comments.append(
                    Comment(
                        assessment_id=assessment.pk,
                        answer_id=answer.pk,
                        author=auditor,
                        text=comment,
                    )
                )
        Review.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
        Comment.objects.bulk_create(comments)
        self._findings(assessment, answers, auditor, rng)
        self.counts["reviews"] += len(reviews)
        self.counts["comments"] += len(comments)
        return accepted

    def _findings(self, assessment, answers, auditor, rng) -> None:
        unmet = [answer for answer in answers if answer.status == NOT_SATISFIED]
        about = rng.sample(unmet, min(2, len(unmet)))
        findings = [
            Finding(
                assessment=assessment,
                requirement_id=answer.requirement_id,
                kind=FindingKind.NONCONFORMITY,
                severity=Severity.MEDIUM,
                title="模型上线前未完成独立验证",
                description="抽查的两个模型在上线前未见独立验证报告。",
                created_by=auditor,
            )
            for answer in about
        ]
        findings.append(
            Finding(
                assessment=assessment,
                kind=FindingKind.RECOMMENDATION,
                severity=Severity.LOW,
                title="建议建立模型风险指标月度报告机制",
                created_by=auditor,
            )
        )
        Finding.objects.bulk_create(findings)
        self.counts["findings"] += len(findings)

    def _finalise(self, assessment, statuses, accepted, targets) -> None:
        """Freeze both readings, as finalising does."""
        self_scores = score(self.catalogue, statuses, targets).to_dict()
        verified_scores = score(self.catalogue, accepted, targets).to_dict()
        Assessment.objects.filter(pk=assessment.pk).update(
            finalised_at=timezone.now(),
            self_scores=self_scores,
            verified_scores=verified_scores,
        )
        self.module_levels.update(
            module["level"] for module in self_scores["modules"].values()
        )


def _pairs(steps):
    before = Status.DRAFT
    for after in steps:
        yield before, after
        before = after


def _justification(code: str, status: str) -> str:
    if status == NOT_APPLICABLE:
        return f"{code}：本机构未开展相关业务，该要求不适用。"
    if status == SATISFIED:
        return f"{code}：已制定并执行相应制度，见所附证据。"
    return f"{code}：相关工作正在推进，尚未完全覆盖全部模型。"


def _file_text(assessment, number: int) -> str:
    lines = [
        f"模型风险管理制度文件 {number:02d}",
        f"评估：{assessment.title}（编号 {assessment.pk}）",
        "第一条 为规范人工智能模型全生命周期风险管理，制定本制度。",
        "第二条 模型上线前须经独立验证，并经模型风险管理委员会审批。",
        "第三条 模型运行期间应持续监测性能、稳定性与公平性指标。",
    ]
    return "\n".join(lines * 4) + "\n"
