"""Fields and bodies shared by the serializers of the API.

Every field that names a related object in a write is scoped to what the
request may reach: a requirement of the assessment's framework, an evidence
item of the assessment, an organisation of the caller. Anything else is
refused as invalid input, never linked.
"""

from collections.abc import Mapping

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from assessments.models import Evidence
from maturity.models import Requirement


class ProblemSerializer(serializers.Serializer):
    requirement = serializers.CharField(help_text=_("Code of the requirement."))
    kind = serializers.CharField(
        help_text=_(
            "unanswered, no_evidence, unconfirmed_evidence, no_justification, "
            "rejected or needs_information."
        )
    )
    message = serializers.CharField()


@extend_schema_serializer(description=_("The body of every error response."))
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_("Machine-readable reason, such as not_found or conflict.")
    )
    message = serializers.CharField(help_text=_("What went wrong and what to do."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages by field name, for invalid input."),
    )
    problems = ProblemSerializer(
        many=True,
        required=False,
        help_text=_("What keeps the assessment from being submitted."),
    )
    current = serializers.DictField(
        required=False,
        help_text=_("The object as it is stored now, on a conflict."),
    )


class DateField(serializers.DateField):
    """A date, refused with an example when it is not written as ISO 8601."""

    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD, for example 2026-01-31."),
    }


class StrictSerializer(serializers.Serializer):
    """A request body that refuses the fields it does not take.

    DRF drops undeclared fields without a word, so a client that sends a
    misspelt or read-only field would never learn that it had no effect.
    The fields of ``read_serializer_class``, the object as responses show
    it, are refused as fields that cannot be changed. A subclass may word
    the refusal of a field in ``unexpected_field_message``.
    """

    # Django's CSRF check reads the session's token from a form body as
    # well as from its header, so a browser's form upload sends it along.
    form_fields = frozenset({"csrfmiddlewaretoken"})
    read_serializer_class: type[serializers.Serializer] | None = None

    def unexpected_field_message(self, name: str, accepted: list[str]) -> str:
        if name in self._read_fields():
            return gettext("“%(field)s” cannot be changed. Send only %(fields)s.") % {
                "field": name,
                "fields": ", ".join(accepted),
            }
        if not accepted:
            return gettext(
                "“%(field)s” is not a field of this request, which takes none. "
                "Send an empty body or {}."
            ) % {"field": name}
        return gettext(
            "“%(field)s” is not a field of this request. Send only %(fields)s."
        ) % {"field": name, "fields": ", ".join(accepted)}

    def _read_fields(self) -> set[str]:
        if self.read_serializer_class is None:
            return set()
        return set(self.read_serializer_class().fields)

    def to_internal_value(self, data):
        unexpected = {}
        if isinstance(data, Mapping):
            accepted = [
                name for name, field in self.fields.items() if not field.read_only
            ]
            ignored = self.form_fields if isinstance(data, QueryDict) else ()
            unexpected = {
                name: [
                    serializers.ErrorDetail(
                        self.unexpected_field_message(name, accepted),
                        code="unexpected_field",
                    )
                ]
                for name in data
                if name not in accepted and name not in ignored
            }

        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not unexpected:
                raise
            raise serializers.ValidationError({**unexpected, **error.detail}) from None
        if unexpected:
            raise serializers.ValidationError(unexpected)
        return value


class EmptyRequestSerializer(StrictSerializer):
    """The body of an action that takes no fields: nothing, or ``{}``."""


class UsernameField(serializers.CharField):
    """A user, shown by username; empty when there is none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.get_username()


def _assessment_of(field):
    return field.context["assessment"]


class RequirementField(serializers.SlugRelatedField):
    """A requirement of the assessment's framework, by code."""

    default_error_messages = {
        "does_not_exist": _(
            "No requirement “{value}” in the assessment's version of the "
            "standard. Give a code such as STR-1.1."
        ),
        "invalid": _("Give the code of a requirement as text."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Requirement.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return Requirement.objects.filter(
            framework_id=_assessment_of(self).framework_id
        )


class EvidenceField(serializers.PrimaryKeyRelatedField):
    """An evidence item of the assessment, by id."""

    default_error_messages = {
        "does_not_exist": _(
            "No evidence item {pk_value} in this assessment. Choose an evidence "
            "item of the same assessment."
        ),
        "incorrect_type": _("Give the id of an evidence item as a number."),
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Evidence.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return Evidence.objects.filter(assessment=_assessment_of(self))
