"""Evidence items and the links that make them support requirements."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from assessments.api.serializers.common import (
    DateField,
    EvidenceField,
    RequirementField,
    StrictSerializer,
    UsernameField,
)
from assessments.models import Evidence, EvidenceKind, EvidenceLink
from assessments.services.limits import TextLengthValidator


class EvidenceLinkSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(
        source="answer.requirement.code", read_only=True
    )
    created_by = UsernameField()

    class Meta:
        model = EvidenceLink
        fields = [
            "id",
            "evidence",
            "requirement",
            "needs_reconfirmation",
            "created_by",
            "created_at",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        read_only=True, help_text=_("The address of a link; empty otherwise.")
    )
    requirements = serializers.SerializerMethodField(
        help_text=_("Codes of the requirements the item supports.")
    )
    created_by = UsernameField()
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to fetch the file; empty for links and notes.")
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "effective_from",
            "url",
            "note",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "carried_from",
            "requirements",
            "created_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_requirements(self, evidence) -> list[str]:
        return [link.answer.requirement.code for link in evidence.links.all()]

    def get_download_url(self, evidence) -> str:
        if evidence.kind != EvidenceKind.FILE:
            return ""
        return reverse(
            "api:evidence-download",
            kwargs={"assessment_pk": evidence.assessment_id, "pk": evidence.pk},
        )


@extend_schema_serializer(
    description=_("A file (sent as multipart/form-data), a link or a note.")
)
class EvidenceCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        validators=[TextLengthValidator("description")],
    )
    effective_from = DateField(required=False, allow_null=True)
    file = serializers.FileField(
        required=False, help_text=_("The document, for kind file.")
    )
    url = serializers.CharField(
        max_length=1000, required=False, help_text=_("The address, for kind link.")
    )
    note = serializers.CharField(
        required=False,
        validators=[TextLengthValidator("note")],
        help_text=_("The statement, for kind note."),
    )
    requirement = RequirementField(
        required=False,
        allow_null=True,
        help_text=_("Code of a requirement the item supports from the start."),
    )

    _needed = {
        EvidenceKind.FILE: "file",
        EvidenceKind.LINK: "url",
        EvidenceKind.NOTE: "note",
    }
    _messages = {
        "file": _("Attach the file, sent as multipart/form-data."),
        "url": _("Enter the address of the document."),
        "note": _("Write the note."),
    }

    def validate(self, data):
        needed = self._needed[data["kind"]]
        if not data.get(needed):
            raise serializers.ValidationError({needed: self._messages[needed]})
        return data


class EvidenceLinkCreateSerializer(StrictSerializer):
    evidence = EvidenceField(help_text=_("Id of an evidence item of the assessment."))
    requirement = RequirementField(help_text=_("Code of the requirement it supports."))
