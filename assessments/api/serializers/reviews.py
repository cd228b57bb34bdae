"""The auditor's review: verdicts on answers, comments and findings."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assessments.api.serializers.common import (
    EvidenceField,
    RequirementField,
    StrictSerializer,
    UsernameField,
)
from assessments.models import Comment, Finding, FindingKind, Review, Severity, Verdict
from assessments.services.limits import TextLengthValidator
from maturity.models import Requirement


class ReviewSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(
        source="answer.requirement.code", read_only=True
    )
    reviewer = UsernameField()
    is_current = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether the verdict was given on the answer as it stands."),
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "requirement",
            "verdict",
            "comment",
            "answer_version",
            "is_current",
            "reviewer",
            "created_at",
            "updated_at",
        ]


class ReviewCreateSerializer(StrictSerializer):
    requirement = RequirementField(help_text=_("Code of the answered requirement."))
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        validators=[TextLengthValidator("comment")],
        help_text=_("Needed for a rejection (why) or a request (the question)."),
    )
    answer_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "The version of the answer the verdict is about; when given, the "
            "verdict is refused with the code answer_changed if the answer has "
            "moved on since."
        ),
    )


class PageAcceptSerializer(StrictSerializer):
    page = serializers.CharField(
        max_length=40,
        help_text=_(
            "The questionnaire page: a module code, or a stage code of the "
            "lifecycle module."
        ),
    )
    seen = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        allow_empty=True,
        help_text=_(
            "The answers read awaiting a verdict, as the version read by "
            "requirement code. Answers changed since, or left out, are not "
            "accepted."
        ),
    )

    def validate_seen(self, seen):
        known = set(
            Requirement.objects.filter(
                framework_id=self.context["assessment"].framework_id,
                code__in=list(seen),
            ).values_list("code", flat=True)
        )
        unknown = sorted(set(seen) - known)
        if unknown:
            raise serializers.ValidationError(
                _(
                    "Unknown requirement codes: %(codes)s. Use the codes of the "
                    "assessment's version of the standard."
                )
                % {"codes": ", ".join(unknown)}
            )
        return seen


class PageAcceptanceSerializer(serializers.Serializer):
    accepted = ReviewSerializer(
        many=True, help_text=_("The verdicts recorded, one per answer accepted.")
    )
    left = serializers.IntegerField(
        help_text=_(
            "How many answers awaiting a verdict were left: changed after they "
            "were read, or not among those sent as read."
        )
    )
    left_requirements = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Codes of the requirements whose answers were left."),
    )


class CommentSerializer(serializers.ModelSerializer):
    requirement = serializers.SerializerMethodField()
    author = UsernameField()

    class Meta:
        model = Comment
        fields = ["id", "requirement", "evidence", "author", "text", "created_at"]

    def get_requirement(self, comment) -> str | None:
        return comment.answer.requirement.code if comment.answer_id else None


class CommentCreateSerializer(StrictSerializer):
    requirement = RequirementField(
        required=False,
        allow_null=True,
        help_text=_("Code of the requirement whose answer the comment is about."),
    )
    evidence = EvidenceField(
        required=False,
        allow_null=True,
        help_text=_("Id of the evidence item the comment is about."),
    )
    text = serializers.CharField(validators=[TextLengthValidator("text")])


class FindingSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = UsernameField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "requirement",
            "kind",
            "severity",
            "title",
            "description",
            "created_by",
            "created_at",
            "updated_at",
        ]


class FindingWriteSerializer(StrictSerializer):
    requirement = RequirementField(
        required=False,
        allow_null=True,
        help_text=_("Code of the requirement; empty for the assessment as a whole."),
    )
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        validators=[TextLengthValidator("description")],
    )
