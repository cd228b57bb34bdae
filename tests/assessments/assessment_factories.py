"""Factories of the assessments tests: people, a small standard, answers, reviews."""

import datetime

import factory
from django.contrib.auth import get_user_model

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
    Verdict,
)
from maturity.models import Framework, Level, Module, Requirement, Stage

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ASSESSOR


def build_framework(code="TST", version="1", per_level=2, stage_count=2):
    """Create a small framework: module STR without stages, LC with stages.

    STR has ``per_level`` requirements on each level; each LC stage has one.
    """
    framework = Framework.objects.create(
        code=code,
        version=version,
        title="测试标准",
        title_en="Test standard",
        source="test",
    )
    for number, name in enumerate(
        ["初始级", "基础级", "增强级", "优秀级", "卓越级"], 1
    ):
        Level.objects.create(
            framework=framework,
            number=number,
            name=name,
            name_en=f"L{number}",
            characteristic="",
            description="",
        )
    sequence = 0
    strategy = Module.objects.create(
        framework=framework,
        code="STR",
        position=1,
        name="策略",
        name_en="Strategy",
        description="",
    )
    for level in range(1, 6):
        for position in range(1, per_level + 1):
            sequence += 1
            Requirement.objects.create(
                framework=framework,
                module=strategy,
                level=level,
                position=position,
                sequence=sequence,
                code=f"STR-{level}.{position}",
                text=f"应建立第{level}级的第{position}项策略。",
                parts=[
                    {"kind": "item", "text": "子项一；"},
                    {"kind": "note", "text": "注释文字"},
                ]
                if position == 1
                else [],
            )
    lifecycle = Module.objects.create(
        framework=framework,
        code="LC",
        position=2,
        name="生命周期",
        name_en="Lifecycle",
        description="",
    )
    for stage_position in range(1, stage_count + 1):
        stage_code = f"LC-S{stage_position}"
        stage = Stage.objects.create(
            module=lifecycle,
            code=stage_code,
            position=stage_position,
            name=f"阶段{stage_position}",
            name_en=f"Stage {stage_position}",
            description="",
        )
        for level in range(1, 6):
            sequence += 1
            Requirement.objects.create(
                framework=framework,
                module=lifecycle,
                stage=stage,
                level=level,
                position=1,
                sequence=sequence,
                code=f"{stage_code}-{level}.1",
                text=f"阶段{stage_position}第{level}级要求。",
            )
    return framework


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    framework = factory.LazyFunction(lambda: Framework.objects.order_by("pk").first())
    title = factory.Sequence(lambda n: f"Assessment {n}")
    scope = "All models in production."
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 12, 31)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def targets(obj, create, extracted, **kwargs):
        if not create:
            return
        levels = extracted or {}
        for module in Module.objects.filter(framework=obj.framework):
            AssessmentTarget.objects.create(
                assessment=obj, module=module, level=levels.get(module.code, 3)
            )


def requirement(assessment, code):
    return Requirement.objects.get(framework=assessment.framework, code=code)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    assessment = factory.SubFactory(AssessmentFactory)
    status = "satisfied"
    justification = ""
    version = 1


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    assessment = factory.SubFactory(AssessmentFactory)
    kind = EvidenceKind.NOTE
    title = factory.Sequence(lambda n: f"Evidence {n}")
    note = "We do this."
    created_by = factory.SubFactory(UserFactory)


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceLink

    evidence = factory.SubFactory(EvidenceFactory)
    answer = factory.SubFactory(AnswerFactory)
    created_by = factory.SubFactory(UserFactory)


class AuditorGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditorGrant

    assessment = factory.SubFactory(AssessmentFactory)
    user = factory.SubFactory(UserFactory)
    granted_by = factory.SubFactory(UserFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    answer = factory.SubFactory(AnswerFactory)
    verdict = Verdict.ACCEPTED
    comment = ""
    answer_version = factory.LazyAttribute(lambda review: review.answer.version)
    reviewer = factory.SubFactory(UserFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    assessment = factory.SubFactory(AssessmentFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Comment {n}")


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    assessment = factory.SubFactory(AssessmentFactory)
    kind = FindingKind.OBSERVATION
    severity = Severity.MEDIUM
    title = factory.Sequence(lambda n: f"Finding {n}")
    created_by = factory.SubFactory(UserFactory)


def set_status(assessment, status=Status.IN_REVIEW):
    """Put ``assessment`` in ``status`` directly, as after its transitions."""
    assessment.status = status
    assessment.save(update_fields=["status"])
    return assessment


def answer(assessment, code, status="satisfied", *, evidence=True, **fields):
    """Answer ``code`` with ``status``, backed by a note when ``evidence``."""
    created = AnswerFactory(
        assessment=assessment,
        requirement=requirement(assessment, code),
        status=status,
        **fields,
    )
    if evidence:
        EvidenceLinkFactory(
            answer=created,
            evidence=EvidenceFactory(
                assessment=assessment, created_by=assessment.created_by
            ),
            created_by=assessment.created_by,
        )
    return created


def answer_all(assessment, status="satisfied", **kwargs):
    """Answer every requirement of the assessment's framework alike."""
    codes = Requirement.objects.filter(framework=assessment.framework).values_list(
        "code", flat=True
    )
    return [answer(assessment, code, status, **kwargs) for code in codes]


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def file_evidence(assessment, user, name="制度.pdf", content=PDF_BYTES, code=None):
    """Store a real PDF as evidence of ``assessment`` through the service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments import services

    return services.evidence_add_file(
        assessment=assessment,
        uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"),
        title=name,
        requirement=requirement(assessment, code) if code else None,
        actor=user,
    )


def fingerprint():
    """Return the state of every table a view could change, for comparison."""
    return {
        "answers": sorted(
            Answer.objects.values_list("pk", "status", "justification", "version")
        ),
        "evidence": sorted(Evidence.objects.values_list("pk", "title", "file_path")),
        "links": sorted(
            EvidenceLink.objects.values_list(
                "pk", "evidence_id", "needs_reconfirmation"
            )
        ),
        "assessments": sorted(
            Assessment.objects.values_list("pk", "status", "title", "period_end")
        ),
        "targets": sorted(AssessmentTarget.objects.values_list("pk", "level")),
        "memberships": sorted(Membership.objects.values_list("pk", "role")),
        "grants": sorted(AuditorGrant.objects.values_list("pk", "revoked_at")),
        "reviews": sorted(
            Review.objects.values_list("pk", "verdict", "comment", "answer_version")
        ),
        "comments": sorted(Comment.objects.values_list("pk", "text")),
        "findings": sorted(
            Finding.objects.values_list("pk", "title", "severity", "requirement_id")
        ),
        "users": get_user_model().objects.count(),
    }
