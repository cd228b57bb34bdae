"""Assessment files and questionnaire workbooks: uploads, plans, imports."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from assessments.api.serializers.assessments import AssessmentSerializer
from assessments.api.serializers.common import StrictSerializer
from assessments.models import AnswerStatus


def _status_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=AnswerStatus.choices, allow_blank=True, **kwargs
    )


class AssessmentImportCreateSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=_(
            "The assessment file: JSON, or the ZIP archive with its evidence files."
        )
    )
    with_reviews = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Also import the auditor's verdicts (as comments), findings and "
            "comments. A verdict from a file makes no verified level."
        ),
    )


@extend_schema_serializer(description=_("What the import created."))
class AssessmentImportSerializer(serializers.Serializer):
    assessment = AssessmentSerializer(help_text=_("The new draft assessment."))
    answers = serializers.IntegerField()
    evidence = serializers.IntegerField(help_text=_("Evidence items created."))
    files_left_out = serializers.IntegerField(
        help_text=_("File items left out: a JSON file carries no files.")
    )
    reviews_as_comments = serializers.IntegerField(
        help_text=_("Verdicts of the file, written as comments on their answers.")
    )
    findings = serializers.IntegerField()
    comments = serializers.IntegerField()
    comments_left_out = serializers.IntegerField(
        help_text=_(
            "Comments about file items only, left out with the items of a JSON file."
        )
    )
    renamed_from = serializers.CharField(
        help_text=_(
            "The title of the file, when the organisation already had an "
            "assessment so titled and the new one is marked as imported; "
            "empty otherwise."
        )
    )


class WorkbookUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=_("The questionnaire workbook (.xlsx), downloaded and filled in.")
    )


class WorkbookApplySerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=_("The same workbook as sent for the preview.")
    )
    plan = serializers.RegexField(
        r"^[0-9a-f]{64}\Z",
        help_text=_("The ``plan`` the preview answered with."),
    )


@extend_schema_serializer(
    description=_(
        "What would keep the assessment from being submitted once a row is saved."
    )
)
class PlannedProblemSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_(
            "unanswered, no_evidence, unconfirmed_evidence or no_justification, "
            "as in the problems refusing a submission."
        )
    )
    message = serializers.CharField()


@extend_schema_serializer(
    description=_("One row of a workbook that differs from the answer in the portal.")
)
class PlannedChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Row of the workbook."))
    requirement = serializers.CharField(source="code")
    status = _status_field(help_text=_("The status in the workbook; empty for none."))
    justification = serializers.CharField()
    base_version = serializers.IntegerField(
        help_text=_("The answer's version when the workbook was downloaded.")
    )
    current_status = _status_field(help_text=_("The status stored in the portal."))
    current_justification = serializers.CharField()
    current_version = serializers.IntegerField()
    current_updated_at = serializers.DateTimeField(source="updated_at", allow_null=True)
    problem = PlannedProblemSerializer(
        allow_null=True,
        help_text=_(
            "What would keep the assessment from being submitted once the row "
            "is saved; null when nothing would, and for a conflict. Applying "
            "is not refused for it."
        ),
    )


@extend_schema_serializer(
    description=_("What applying the workbook saves, and what it leaves as it is.")
)
class QuestionnairePlanSerializer(serializers.Serializer):
    plan = serializers.CharField(
        source="digest",
        help_text=_("Send it back to apply exactly this plan."),
    )
    new = PlannedChangeSerializer(
        many=True, help_text=_("Answers to requirements not answered yet.")
    )
    changed = PlannedChangeSerializer(many=True)
    conflicts = PlannedChangeSerializer(
        many=True,
        help_text=_(
            "Answers saved in the portal since the download; they are left as "
            "they are there."
        ),
    )
    unchanged = serializers.IntegerField(
        help_text=_("Rows that match the answers in the portal.")
    )
    absent = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "Codes of the requirements the workbook has no row for, in the "
            "order of the standard; their answers are left as they are."
        ),
    )


@extend_schema_serializer(
    description=_("What applying the workbook saved, and what it left as it was.")
)
class QuestionnaireAppliedSerializer(QuestionnairePlanSerializer):
    saved = serializers.SerializerMethodField(
        help_text=_("Answers saved: the new and the changed ones.")
    )

    def get_saved(self, plan) -> int:
        return len(plan.applicable)
