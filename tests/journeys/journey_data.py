"""Personas and assessments of the journeys, on the shipped standard.

青衡智能科技有限公司 has an admin, an assessor and a viewer, this year's
assessment (granted to an external auditor) and last year's (not granted).
远川数据服务有限公司 has an assessment of its own that the auditor must
never see. Most of the 331 answers are written straight to the database;
the journeys do the rest in the browser, the way a person would.
"""

import datetime
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import (
    Answer,
    AnswerStatus,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    FindingKind,
    Review,
    Role,
    Severity,
    Status,
    Verdict,
)
from maturity.models import Requirement
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ORGANISATION = "青衡智能科技有限公司"
OTHER_ORGANISATION = "远川数据服务有限公司"
TITLE = "2026 年度人工智能模型风险治理能力成熟度评估"
LAST_YEAR_TITLE = "2025 年度人工智能模型风险治理能力成熟度评估"
OTHER_TITLE = "远川数据 2026 年度模型风险自评估"
TARGETS = {
    "STR": 3,
    "ORG": 3,
    "SIA": 3,
    "LC": 3,
    "ERS": 3,
    "TEX": 3,
    "ICM": 2,
    "EXT": 2,
    "IPP": 2,
    "ESR": 2,
    "MMA": 2,
}
JUSTIFICATION = "已制定制度并执行，记录存档于合规系统。"
NOT_APPLICABLE = "本公司不向外部用户提供模型输出，该要求不适用；法务部已书面确认。"
REJECTION = "所附制度未说明输入特征与输出的关联方法，请补充可解释性评估报告。"
RETURN_REASON = "TEX-2.1 的证据不足，请补充后重新提交。"
FINDING_TITLE = "可解释性评估报告缺失"


def build_people():
    """Return the members of both organisations and the external auditor."""
    organisation = OrganisationFactory(name=ORGANISATION, slug="qingheng")
    other = OrganisationFactory(name=OTHER_ORGANISATION, slug="yuanchuan")

    def member(organisation, role, username, name):
        return MembershipFactory(
            organisation=organisation,
            role=role,
            user__username=username,
            user__first_name=name,
        ).user

    return SimpleNamespace(
        organisation=organisation,
        other_organisation=other,
        admin=member(organisation, Role.ADMIN, "zhousy", "周思远"),
        assessor=member(organisation, Role.ASSESSOR, "linxw", "林晓雯"),
        viewer=member(organisation, Role.VIEWER, "wanglj", "王立军"),
        outsider=member(other, Role.ADMIN, "hejm", "何佳明"),
        auditor=UserFactory(username="sumz", first_name="苏明哲"),
    )


def build_world(framework, *, open_codes=(), statuses=None):
    """Create both organisations' assessments; answer this year's.

    Every requirement of this year's assessment is answered satisfied,
    backed by one shared evidence note, except those in ``open_codes``,
    left unanswered; ``statuses`` maps a code to another status.
    """
    people = build_people()
    assessment = AssessmentFactory(
        organisation=people.organisation,
        framework=framework,
        created_by=people.assessor,
        title=TITLE,
        scope="覆盖本公司在生产环境运行的全部 12 个人工智能模型。",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        targets=TARGETS,
    )
    last_year = AssessmentFactory(
        organisation=people.organisation,
        framework=framework,
        created_by=people.admin,
        title=LAST_YEAR_TITLE,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    other = AssessmentFactory(
        organisation=people.other_organisation,
        framework=framework,
        created_by=people.outsider,
        title=OTHER_TITLE,
    )
    services.auditor_grant(
        assessment=assessment,
        identifier=people.auditor.username,
        expires_on=None,
        actor=people.admin,
    )
    answer_requirements(
        assessment, people.assessor, open_codes=open_codes, statuses=statuses or {}
    )
    return SimpleNamespace(
        people=people,
        framework=framework,
        assessment=assessment,
        last_year=last_year,
        other=other,
    )


def answer_requirements(assessment, actor, *, open_codes, statuses) -> None:
    """Answer every requirement but ``open_codes``, with bulk inserts."""
    now = timezone.now()
    note = Evidence.objects.create(
        assessment=assessment,
        kind=EvidenceKind.NOTE,
        title="模型风险管理制度汇编（2026 版）",
        note="汇编收录模型风险管理办法、模型清单管理细则及各阶段操作规程。",
        created_by=actor,
    )
    answers = []
    for requirement in Requirement.objects.filter(
        framework=assessment.framework
    ).order_by("sequence"):
        if requirement.code in open_codes:
            continue
        status = statuses.get(requirement.code, AnswerStatus.SATISFIED)
        answers.append(
            Answer(
                assessment=assessment,
                requirement=requirement,
                status=status,
                justification=NOT_APPLICABLE
                if status == AnswerStatus.NOT_APPLICABLE
                else JUSTIFICATION,
                version=1,
                updated_by=actor,
                updated_at=now,
            )
        )
    Answer.objects.bulk_create(answers)
    EvidenceLink.objects.bulk_create(
        EvidenceLink(evidence=note, answer=answer, created_by=actor)
        for answer in Answer.objects.filter(
            assessment=assessment, status=AnswerStatus.SATISFIED
        )
    )


def move(assessment, name, actor, reason=""):
    """Make status change ``name`` through the service, as its button does."""
    return services.assessment_transition(
        assessment=assessment, name=name, actor=actor, reason=reason
    )


@transaction.atomic
def accept_answers(assessment, auditor, *, skip=()) -> int:
    """Accept every answer but those of ``skip`` through the review service.

    The portal records verdicts one requirement at a time; this is what the
    auditor would otherwise do 300 times by hand. Returns how many.
    """
    answers = Answer.objects.filter(assessment=assessment).exclude(
        requirement__code__in=skip
    )
    count = 0
    for answer in answers.select_related("assessment"):
        services.review_record(
            answer=answer, verdict=Verdict.ACCEPTED, comment="", actor=auditor
        )
        count += 1
    return count


def accept_in_bulk(assessment, auditor, *, skip=()) -> None:
    """Store acceptances of every answer but ``skip``, in one statement."""
    Review.objects.bulk_create(
        Review(
            answer=answer,
            verdict=Verdict.ACCEPTED,
            answer_version=answer.version,
            reviewer=auditor,
        )
        for answer in Answer.objects.filter(assessment=assessment).exclude(
            requirement__code__in=skip
        )
    )


def build_rejected(framework, *, returned):
    """Create this year's assessment in review with TEX-2.1 rejected.

    Every other answer is accepted and a finding about TEX-2.1 recorded;
    with ``returned`` the auditor has sent it back to the assessors.
    """
    world = build_world(framework)
    people, assessment = world.people, world.assessment
    move(assessment, "submit", people.assessor)
    move(assessment, "start_review", people.auditor)
    accept_in_bulk(assessment, people.auditor, skip=["TEX-2.1"])
    rejected = Answer.objects.get(assessment=assessment, requirement__code="TEX-2.1")
    services.review_record(
        answer=rejected,
        verdict=Verdict.REJECTED,
        comment=REJECTION,
        actor=people.auditor,
    )
    services.finding_create(
        assessment=assessment,
        actor=people.auditor,
        requirement=rejected.requirement,
        kind=FindingKind.NONCONFORMITY,
        severity=Severity.HIGH,
        title=FINDING_TITLE,
        description="未见模型输入特征与输出关联方法的评估记录。",
    )
    if returned:
        move(assessment, "return", people.auditor, reason=RETURN_REASON)
    assessment.refresh_from_db()
    assert assessment.status == (Status.RETURNED if returned else Status.IN_REVIEW)
    return world


def requirement_text(framework, code) -> str:
    """Return the standard's wording of requirement ``code``."""
    return Requirement.objects.get(framework=framework, code=code).text


def write_pdf(path):
    """Write a real one-page PDF to ``path``, as a scanner would make it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 160), "white")
    ImageDraw.Draw(image).text((20, 60), "Model explainability review, 2026", "black")
    image.save(path, "PDF", resolution=72)
    return path
