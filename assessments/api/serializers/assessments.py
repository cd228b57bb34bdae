"""Assessments: their fields, targets, status changes and scores."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from assessments.api.selectors import actions_allowed_now
from assessments.api.serializers.common import (
    DateField,
    StrictSerializer,
    UsernameField,
)
from assessments.models import Assessment, Organisation, Status, StatusChange
from assessments.permissions import organisations_of
from assessments.services import TRANSITIONS, transition_allowed
from assessments.services.limits import TextLengthValidator
from maturity.models import Framework, Module

TARGET_FIELD_HELP = _(
    "Target level (1 to 5) by module code; modules left out aim at level 3."
)


class TargetsField(serializers.DictField):
    """Target levels by module code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=5))
        kwargs.setdefault("help_text", TARGET_FIELD_HELP)
        super().__init__(**kwargs)


def check_target_modules(targets: dict, framework) -> dict:
    """Refuse module codes the framework does not have, naming them."""
    known = set(
        Module.objects.filter(framework=framework).values_list("code", flat=True)
    )
    unknown = sorted(set(targets) - known)
    if unknown:
        raise serializers.ValidationError(
            _("Unknown module codes: %(codes)s. Use the codes of %(framework)s.")
            % {"codes": ", ".join(unknown), "framework": framework.code}
        )
    return targets


class AssessmentSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    framework = serializers.PrimaryKeyRelatedField(read_only=True)
    framework_code = serializers.CharField(source="framework.code", read_only=True)
    framework_version = serializers.CharField(
        source="framework.version", read_only=True
    )
    created_by = UsernameField()
    targets = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField(
        help_text=_("Names of the status changes you may make now.")
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text=_(
            "What you may do on this assessment now: what your role or auditor "
            "grant allows and its status does not prevent."
        )
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "framework",
            "framework_code",
            "framework_version",
            "title",
            "scope",
            "period_start",
            "period_end",
            "status",
            "previous",
            "created_by",
            "created_at",
            "finalised_at",
            "targets",
            "transitions",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(TargetsField())
    def get_targets(self, assessment) -> dict:
        return {
            target.module.code: target.level
            for target in sorted(
                assessment.targets.all(), key=lambda t: t.module.position
            )
        }

    def get_transitions(self, assessment) -> list[str]:
        user = self.context["request"].user
        return [
            name for name in TRANSITIONS if transition_allowed(user, assessment, name)
        ]

    def get_allowed_actions(self, assessment) -> list[str]:
        user = self.context["request"].user
        return [str(action) for action in actions_allowed_now(user, assessment)]


class AssessmentFilterSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        required=False, help_text=_("Short name of one of your organisations.")
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)


class OrganisationOfCallerField(serializers.SlugRelatedField):
    """An organisation the caller is a member of, by short name."""

    default_error_messages = {
        "does_not_exist": _(
            "You are not a member of an organisation “{value}”. Give the short "
            "name of one of your organisations."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("queryset", Organisation.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return organisations_of(self.context["request"].user)


class AssessmentCreateSerializer(StrictSerializer):
    organisation = OrganisationOfCallerField()
    framework = serializers.PrimaryKeyRelatedField(
        queryset=Framework.objects.all(),
        help_text=_("Id of the version of the standard to assess against."),
    )
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        validators=[TextLengthValidator("scope")],
    )
    period_start = DateField()
    period_end = DateField()
    targets = TargetsField(required=False, default=dict)

    def validate(self, data):
        check_target_modules(data["targets"], data["framework"])
        return data


@extend_schema_serializer(
    description=_(
        "The fields of an assessment that may be changed; those left out stay "
        "as they are. The status changes only through the transitions."
    )
)
class AssessmentUpdateSerializer(StrictSerializer):
    read_serializer_class = AssessmentSerializer

    title = serializers.CharField(max_length=200, required=False)
    scope = serializers.CharField(
        required=False, allow_blank=True, validators=[TextLengthValidator("scope")]
    )
    period_start = DateField(required=False)
    period_end = DateField(required=False)
    targets = TargetsField(required=False)

    def validate_targets(self, targets):
        return check_target_modules(targets, self.context["assessment"].framework)

    def unexpected_field_message(self, name: str, accepted: list[str]) -> str:
        if name == "status":
            transitions = reverse(
                "api:assessment-transitions",
                kwargs={"pk": self.context["assessment"].pk},
            )
            return gettext(
                "The status cannot be set here: it changes only through POST "
                "%(url)s{name}/, where {name} is one of %(names)s. GET %(url)s "
                "lists the status changes you may make now."
            ) % {"url": transitions, "names": ", ".join(TRANSITIONS)}
        return super().unexpected_field_message(name, accepted)


class StartFromSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        validators=[TextLengthValidator("scope")],
        help_text=_(
            "Left out or blank, the scope statement of the previous assessment "
            "is carried over."
        ),
    )
    period_start = DateField()
    period_end = DateField()


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.ChoiceField(choices=Status.choices)
    needs_reason = serializers.BooleanField()
    allowed = serializers.BooleanField(help_text=_("Whether you may make it now."))


class TransitionRequestSerializer(StrictSerializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        validators=[TextLengthValidator("reason")],
        help_text=_("Needed when returning an assessment: what to fix."),
    )


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = UsernameField()

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "actor", "reason", "created_at"]


class LevelResultSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    total = serializers.IntegerField()
    applicable = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    unmet = serializers.ListField(child=serializers.CharField())


class StageScoreSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=0, max_value=5)
    next_level = serializers.IntegerField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    levels = serializers.DictField(child=LevelResultSerializer())
    target = serializers.IntegerField(required=False)
    gaps = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Requirements not yet met, by level, up to the target."),
    )


class ModuleScoreSerializer(StageScoreSerializer):
    stages = serializers.DictField(child=StageScoreSerializer(), required=False)


class OrganisationScoreSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=0, max_value=5)
    mean = serializers.FloatField()
    distribution = serializers.DictField(child=serializers.IntegerField())


class ScoreSerializer(serializers.Serializer):
    modules = serializers.DictField(child=ModuleScoreSerializer())
    organisation = OrganisationScoreSerializer()


@extend_schema_serializer(
    description=_(
        "The self-assessed and the verified levels of an assessment, by module "
        "and for the organisation, with the requirements not yet met up to "
        "each target."
    )
)
class AssessmentScoreSerializer(serializers.Serializer):
    """The two readings of an assessment, as ``Score.to_dict()`` returns them."""

    self_assessed = ScoreSerializer(
        help_text=_("Levels from the answers as the assessors gave them.")
    )
    verified = ScoreSerializer(
        help_text=_("Levels from the answers an auditor accepted as they stand.")
    )
    audited = serializers.BooleanField(
        help_text=_(
            "Whether an auditor gave any verdict yet. Until one does, the "
            "verified levels are all 0 because nothing is verified, not because "
            "anything failed."
        )
    )


class FieldChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.CharField(
        allow_null=True,
        help_text=_("The value before; null when it was not recorded."),
    )
    new = serializers.CharField(
        allow_null=True,
        help_text=_("The value after; null when the row was deleted."),
    )


@extend_schema_serializer(description=_("One recorded change of the audit trail."))
class ChangeSerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(
        help_text=_(
            "Username of the author; empty when the portal made the change "
            "(by_portal) or the author is not known."
        )
    )
    by_portal = serializers.BooleanField(
        help_text=_(
            "Whether the portal itself made the change, as when it locks an "
            "account out after failed logins; no person is its author."
        )
    )
    kind = serializers.CharField(
        help_text=_(
            "What changed: assessment, target, answer, evidence, link, "
            "review, comment, finding, grant or membership."
        )
    )
    action = serializers.ChoiceField(
        choices=[("+", _("created")), ("~", _("changed")), ("-", _("deleted"))]
    )
    subject = serializers.CharField()
    reason = serializers.CharField()
    summary = serializers.CharField(
        help_text=_(
            "What the change did, in words, where its fields do not say it: "
            "evidence attached or detached, a new version of an answer after "
            "its evidence changed. Empty otherwise."
        )
    )
    fields = FieldChangeSerializer(many=True)
