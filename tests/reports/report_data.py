"""A realistic assessment for the report tests: every requirement answered.

The mix is fixed by a seeded random generator, so every run renders the
same report: each module is strong up to a level of its own and patchy
above it, evidence of all three kinds backs the satisfied answers, an
auditor has reviewed most answers, the assessors revised some of the
answers rejected or questioned, and findings of each severity exist.
"""

import datetime
import random
from types import SimpleNamespace

from django.utils import timezone

from assessments.models import (
    Answer,
    AnswerStatus,
    AuditorGrant,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    Finding,
    FindingKind,
    Review,
    Role,
    Severity,
    Verdict,
)
from maturity.models import Requirement
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ORGANISATION = "华东智能金融科技有限公司"
TITLE = "2025 年度人工智能模型风险治理成熟度评估"
TARGETS = {
    "STR": 3,
    "ORG": 3,
    "SIA": 3,
    "LC": 3,
    "ERS": 2,
    "TEX": 3,
    "ICM": 2,
    "EXT": 2,
    "IPP": 2,
    "ESR": 2,
    "MMA": 3,
}
# Up to which level each module (or lifecycle stage) is fully satisfied.
STRENGTH = {
    "STR": 3,
    "ORG": 2,
    "SIA": 1,
    "ERS": 2,
    "TEX": 1,
    "ICM": 2,
    "EXT": 3,
    "IPP": 2,
    "ESR": 1,
    "MMA": 2,
    "LC-REQ": 3,
    "LC-DAT": 2,
    "LC-BLD": 3,
    "LC-VAL": 2,
    "LC-DEP": 2,
    "LC-MON": 1,
    "LC-CV": 2,
    "LC-REV": 2,
    "LC-RET": 3,
}
JUSTIFICATIONS = [
    "已发布《人工智能模型风险管理办法》（2024 版），明确各部门职责，"
    "并于每年第一季度复核。",
    "模型风险管理委员会每季度召开会议，会议纪要及决议存档于合规系统。",
    "该项工作目前由各业务线自行开展，尚未形成组织级统一流程，"
    "计划于 2026 年上半年完成。",
    "已在模型开发平台中实现自动化检查，覆盖数据质量、特征稳定性与模型性能指标。",
    "部分子公司已执行，集团层面的统一要求正在制定中。",
    "本机构不开展相关业务，该要求不适用；已由法务部门书面确认。",
    "通过第三方评估机构开展年度独立审计，最近一次审计报告于 2025 年 3 月出具。",
    "建立了模型清单及分级分类台账，关键模型均已登记负责人与上线审批记录。",
]
EVIDENCE_TITLES = [
    ("人工智能模型风险管理办法（2024 版）", EvidenceKind.FILE),
    ("模型风险管理委员会章程", EvidenceKind.FILE),
    ("2025 年第一季度委员会会议纪要", EvidenceKind.FILE),
    ("模型清单与分级分类台账", EvidenceKind.FILE),
    ("模型开发平台自动化检查配置说明", EvidenceKind.LINK),
    ("数据质量监控看板", EvidenceKind.LINK),
    ("模型上线审批流程图", EvidenceKind.FILE),
    ("年度独立审计报告（2025 年 3 月）", EvidenceKind.FILE),
    ("应急响应预案及演练记录", EvidenceKind.FILE),
    ("模型可解释性评估报告模板", EvidenceKind.FILE),
    ("外部合作方准入评估表", EvidenceKind.FILE),
    ("知识产权管理制度", EvidenceKind.FILE),
    ("模型下线审批单样例", EvidenceKind.FILE),
    ("持续验证季度报告", EvidenceKind.FILE),
    ("安全影响评估方法说明", EvidenceKind.NOTE),
    ("员工培训签到表及课件", EvidenceKind.FILE),
    ("用户告知与申诉渠道说明", EvidenceKind.LINK),
    ("绿色计算资源使用统计", EvidenceKind.NOTE),
    ("模型监控告警规则清单", EvidenceKind.FILE),
    ("内部审计工作底稿", EvidenceKind.FILE),
    ("模型修正记录台账", EvidenceKind.FILE),
    ("需求分析评审记录", EvidenceKind.FILE),
    ("训练数据来源合规审查记录", EvidenceKind.FILE),
    ("模型部署环境访问控制策略", EvidenceKind.NOTE),
]
FINDINGS = [
    (
        Severity.HIGH,
        FindingKind.NONCONFORMITY,
        "LC-MON-2.1",
        "运行监控缺少组织级指标与阈值",
        "各业务线自行设置监控指标，未形成统一阈值与告警升级机制，"
        "关键模型的性能衰减无法及时发现。",
    ),
    (
        Severity.HIGH,
        FindingKind.NONCONFORMITY,
        "SIA-2.1",
        "安全影响评估未覆盖第三方模型",
        "采购的第三方模型未纳入安全影响评估范围，评估记录中缺少对用户权益影响的分析。",
    ),
    (
        Severity.MEDIUM,
        FindingKind.OBSERVATION,
        "TEX-2.1",
        "可解释性说明面向用户的版本缺失",
        "内部已有技术文档，但面向用户与监管的可解释性说明尚未编写。",
    ),
    (
        Severity.MEDIUM,
        FindingKind.NONCONFORMITY,
        None,
        "证据有效期管理不一致",
        "部分证据未标注生效日期，少数制度文件已超过复审周期。",
    ),
    (
        Severity.LOW,
        FindingKind.RECOMMENDATION,
        "ESR-2.1",
        "建议建立算力能耗统计口径",
        "建议将模型训练与推理的算力能耗纳入年度社会责任报告。",
    ),
    (
        Severity.LOW,
        FindingKind.OBSERVATION,
        "LC-DAT-3.1",
        "数据血缘记录分散",
        "数据血缘信息分布在多个系统中，检索与复核成本较高。",
    ),
]


def _status(rng: random.Random, level: int, strength: int) -> str:
    if level <= strength:
        return rng.choices(
            [AnswerStatus.SATISFIED, AnswerStatus.NOT_APPLICABLE], [12, 1]
        )[0]
    if level == strength + 1:
        return rng.choices(
            [
                AnswerStatus.SATISFIED,
                AnswerStatus.PARTIAL,
                AnswerStatus.NOT_SATISFIED,
                AnswerStatus.NOT_APPLICABLE,
            ],
            [5, 4, 2, 1],
        )[0]
    return rng.choices(
        [AnswerStatus.SATISFIED, AnswerStatus.PARTIAL, AnswerStatus.NOT_SATISFIED],
        [2, 3, 6],
    )[0]


def build_people(framework):
    """Return an organisation's members, an auditor and outsiders."""
    organisation = OrganisationFactory(name=ORGANISATION, slug="huadong-fintech")
    other = OrganisationFactory(name="西部数据服务有限公司", slug="west-data")
    people = SimpleNamespace(
        organisation=organisation,
        other_organisation=other,
        admin=MembershipFactory(organisation=organisation, role=Role.ADMIN).user,
        assessor=MembershipFactory(organisation=organisation, role=Role.ASSESSOR).user,
        viewer=MembershipFactory(organisation=organisation, role=Role.VIEWER).user,
        outsider=MembershipFactory(organisation=other, role=Role.ADMIN).user,
        auditor=UserFactory(username="auditor"),
        unassigned_auditor=UserFactory(username="auditor-elsewhere"),
    )
    return people


def build_assessment(framework, people, *, hostile: str = "", seed: int = 7):
    """Create the realistic assessment of ``people.organisation``.

    ``hostile`` is written into the justification of STR-1.1, to check that
    user text reaches the PDF as text only.
    """
    rng = random.Random(seed)  # noqa: S311 - a fixed mix of test data
    assessment = AssessmentFactory(
        organisation=people.organisation,
        framework=framework,
        created_by=people.assessor,
        title=TITLE,
        scope="覆盖零售信贷、智能客服与反欺诈三条业务线在生产环境运行的 42 个模型，\n"
        "以及集团数据中台提供的特征与训练数据服务。",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        targets=TARGETS,
    )
    AuditorGrant.objects.create(
        assessment=assessment, user=people.auditor, granted_by=people.admin
    )

    requirements = list(
        Requirement.objects.filter(framework=framework).order_by("sequence")
    )
    now = timezone.now()
    answers = []
    for requirement in requirements:
        strength = STRENGTH.get(requirement.area_code, 1)
        status = _status(rng, requirement.level, strength)
        justification = ""
        if rng.random() < 0.55:
            justification = rng.choice(JUSTIFICATIONS[:5] + JUSTIFICATIONS[6:])
        if status == AnswerStatus.NOT_APPLICABLE:
            justification = JUSTIFICATIONS[5]
        if requirement.code == "STR-1.1":
            status, justification = AnswerStatus.SATISFIED, hostile or JUSTIFICATIONS[0]
        answers.append(
            Answer(
                assessment=assessment,
                requirement=requirement,
                status=status,
                justification=justification,
                version=rng.choice([1, 1, 1, 2, 3]),
                updated_by=people.assessor,
                updated_at=now,
            )
        )
    answers = Answer.objects.bulk_create(answers)

    evidence = Evidence.objects.bulk_create(
        [
            Evidence(
                assessment=assessment,
                kind=kind,
                title=title,
                description="",
                effective_from=datetime.date(2024, 1 + n % 12, 1 + n % 27)
                if n % 5
                else None,
                url=f"https://intranet.example.com/doc/{n}" if kind == "link" else "",
                note="由合规部维护。" if kind == "note" else "",
                file_path=f"evidence/{assessment.pk}/demo{n}" if kind == "file" else "",
                original_name=f"document-{n}.pdf" if kind == "file" else "",
                size=48_000 + n * 1_733 if kind == "file" else None,
                content_type="application/pdf" if kind == "file" else "",
                sha256=f"{n:02x}" * 32 if kind == "file" else "",
                created_by=people.assessor,
            )
            for n, (title, kind) in enumerate(EVIDENCE_TITLES)
        ]
    )
    links = []
    for answer in answers:
        if answer.status != AnswerStatus.SATISFIED:
            continue
        for item in rng.sample(evidence, rng.choice([1, 1, 2])):
            links.append(
                EvidenceLink(
                    evidence=item,
                    answer=answer,
                    needs_reconfirmation=rng.random() < 0.04,
                    created_by=people.assessor,
                )
            )
    EvidenceLink.objects.bulk_create(links)

    reviews = []
    revised = []
    objections = 0
    for answer in answers:
        if rng.random() < 0.12:
            continue
        if answer.status in {AnswerStatus.SATISFIED, AnswerStatus.NOT_APPLICABLE}:
            verdict = rng.choices(
                [Verdict.ACCEPTED, Verdict.REJECTED, Verdict.NEEDS_INFORMATION],
                [14, 1, 1],
            )[0]
        else:
            verdict = rng.choice([Verdict.ACCEPTED, Verdict.REJECTED])
        comment = {
            Verdict.ACCEPTED: "",
            Verdict.REJECTED: "所附证据不足以证明该要求已在全组织范围内落实。",
            Verdict.NEEDS_INFORMATION: "请补充最近一次执行记录。",
        }[verdict]
        # A few acceptances were given on an earlier version of the answer.
        outdated = (
            verdict == Verdict.ACCEPTED and answer.version > 1 and rng.random() < 0.1
        )
        reviews.append(
            Review(
                answer=answer,
                verdict=verdict,
                comment=comment,
                answer_version=answer.version - 1 if outdated else answer.version,
                reviewer=people.auditor,
            )
        )
        if verdict != Verdict.ACCEPTED:
            objections += 1
            # The assessors revised every other answer rejected or
            # questioned, which leaves its verdict on an earlier version.
            if objections % 2:
                answer.version += 1
                revised.append(answer)
    Review.objects.bulk_create(reviews)
    Answer.objects.bulk_update(revised, ["version"])

    by_code = {r.code: r for r in requirements}
    Finding.objects.bulk_create(
        [
            Finding(
                assessment=assessment,
                requirement=by_code[code] if code else None,
                kind=kind,
                severity=severity,
                title=title,
                description=description,
                created_by=people.auditor,
            )
            for severity, kind, code, title, description in FINDINGS
        ]
    )
    return assessment
