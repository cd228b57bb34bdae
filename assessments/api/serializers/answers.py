"""Answers: how each requirement of an assessment stands, with its version."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from assessments.api.serializers.common import StrictSerializer, UsernameField
from assessments.models import AnswerStatus, EvidenceLink, Review
from assessments.services.limits import TextLengthValidator


class AnswerLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceLink
        fields = ["id", "evidence", "needs_reconfirmation"]


class AnswerReviewSerializer(serializers.ModelSerializer):
    reviewer = UsernameField()
    is_current = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether the verdict was given on the answer as it stands."),
    )

    class Meta:
        model = Review
        fields = ["verdict", "comment", "answer_version", "is_current", "reviewer"]


class AnswerSerializer(serializers.Serializer):
    requirement = serializers.CharField(source="requirement.code", read_only=True)
    module = serializers.CharField(source="requirement.module.code", read_only=True)
    stage = serializers.SerializerMethodField()
    level = serializers.IntegerField(source="requirement.level", read_only=True)
    status = serializers.SerializerMethodField()
    justification = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(
        help_text=_("Send it back with an update; 0 until the answer is first saved.")
    )
    updated_by = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()
    evidence_links = AnswerLinkSerializer(source="links", many=True, read_only=True)
    review = AnswerReviewSerializer(read_only=True, allow_null=True)

    def get_stage(self, item) -> str | None:
        stage = item.requirement.stage
        return stage.code if stage else None

    @extend_schema_field(
        serializers.ChoiceField(choices=AnswerStatus.choices, allow_blank=True)
    )
    def get_status(self, item) -> str:
        return item.answer.status if item.answer else ""

    def get_justification(self, item) -> str:
        return item.answer.justification if item.answer else ""

    def get_version(self, item) -> int:
        return item.answer.version if item.answer else 0

    def get_updated_by(self, item) -> str | None:
        user = item.answer.updated_by if item.answer else None
        return user.get_username() if user else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, item):
        if item.answer is None:
            return None
        return serializers.DateTimeField().to_representation(item.answer.updated_at)


@extend_schema_serializer(
    description=_("The whole answer; a justification left out is emptied.")
)
class AnswerUpdateSerializer(StrictSerializer):
    read_serializer_class = AnswerSerializer

    status = serializers.ChoiceField(
        choices=AnswerStatus.choices,
        allow_blank=True,
        help_text=_("Empty to take the status back."),
    )
    justification = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        validators=[TextLengthValidator("justification")],
    )
    version = serializers.IntegerField(
        min_value=0,
        help_text=_("The version the change is based on, as last read."),
    )


@extend_schema_serializer(
    description=_("Part of an answer; what is left out stays as stored.")
)
class AnswerPatchSerializer(AnswerUpdateSerializer):
    status = serializers.ChoiceField(
        choices=AnswerStatus.choices, allow_blank=True, required=False
    )
    justification = serializers.CharField(
        allow_blank=True,
        required=False,
        validators=[TextLengthValidator("justification")],
    )


class AnswerFilterSerializer(serializers.Serializer):
    module = serializers.CharField(required=False, help_text=_("A module code."))
    stage = serializers.CharField(
        required=False, help_text=_("A stage code of the lifecycle module.")
    )
    level = serializers.IntegerField(required=False, min_value=1, max_value=5)
    status = serializers.ChoiceField(
        choices=[("unanswered", _("Unanswered")), *AnswerStatus.choices],
        required=False,
    )
