"""Organisations, their members and the auditors of their assessments."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from assessments.api.serializers.common import (
    DateField,
    StrictSerializer,
    UsernameField,
)
from assessments.models import AuditorGrant, Membership, Organisation, Role
from assessments.permissions import role_in
from assessments.selectors.lockouts import locked_out_usernames


class OrganisationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(
        help_text=_("Your role in the organisation.")
    )

    class Meta:
        model = Organisation
        fields = ["slug", "name", "created_at", "role"]

    def get_role(self, organisation) -> str:
        return role_in(self.context["request"].user, organisation)


class LockoutFields:
    """The lockout fields of a serializer of a membership or an auditor grant.

    ``locked_out`` reads the record's user alone, unless a list gave the
    context the usernames locked out on its page (``locked_out``), read
    once; ``attempts_reset`` is what an unlock reset, from the context.
    """

    def get_locked_out(self, record) -> bool:
        username = record.user.get_username()
        locked = self.context.get("locked_out")
        if locked is None:
            locked = locked_out_usernames([username])
        return username in locked

    def get_attempts_reset(self, record) -> int:
        return self.context["attempts_reset"]


@extend_schema_serializer(description=_("A member of the organisation and their role."))
class MembershipSerializer(LockoutFields, serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    locked_out = serializers.SerializerMethodField(
        help_text=_(
            "Whether failed logins keep the member from logging in now; an "
            "administrator may unlock them."
        )
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "role",
            "locked_out",
            "created_at",
        ]
        read_only_fields = ["id", "role", "created_at"]


@extend_schema_serializer(
    description=_(
        "The member just unlocked, with how many records of failed logins were cleared."
    )
)
class MembershipUnlockSerializer(MembershipSerializer):
    attempts_reset = serializers.SerializerMethodField(
        help_text=_(
            "How many records of failed logins were cleared; 0 when there were "
            "none, so the member was not locked out."
        )
    )

    class Meta(MembershipSerializer.Meta):
        fields = [*MembershipSerializer.Meta.fields, "attempts_reset"]


class MembershipCreateSerializer(StrictSerializer):
    identifier = serializers.CharField(
        max_length=254,
        help_text=_("Username or e-mail address of an existing account."),
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateSerializer(StrictSerializer):
    read_serializer_class = MembershipSerializer

    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_serializer(
    description=_(
        "A third-party auditor's access to the assessment, until it expires or "
        "is revoked."
    )
)
class AuditorGrantSerializer(LockoutFields, serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    granted_by = UsernameField()
    revoked_by = UsernameField()
    is_active = serializers.BooleanField(read_only=True)
    locked_out = serializers.SerializerMethodField(
        help_text=_(
            "Whether failed logins keep the auditor from logging in now; an "
            "administrator may unlock them while the grant is open."
        )
    )

    class Meta:
        model = AuditorGrant
        fields = [
            "id",
            "username",
            "granted_by",
            "granted_at",
            "expires_on",
            "revoked_at",
            "revoked_by",
            "is_active",
            "locked_out",
        ]


@extend_schema_serializer(
    description=_(
        "The grant of the auditor just unlocked, with how many records of "
        "failed logins were cleared."
    )
)
class AuditorGrantUnlockSerializer(AuditorGrantSerializer):
    attempts_reset = serializers.SerializerMethodField(
        help_text=_(
            "How many records of failed logins were cleared; 0 when there were "
            "none, so the auditor was not locked out."
        )
    )

    class Meta(AuditorGrantSerializer.Meta):
        fields = [*AuditorGrantSerializer.Meta.fields, "attempts_reset"]


class AuditorGrantCreateSerializer(StrictSerializer):
    identifier = serializers.CharField(
        max_length=254,
        help_text=_("Username or e-mail address of the auditor's account."),
    )
    expires_on = DateField(
        required=False,
        allow_null=True,
        help_text=_("Last day of access; open-ended when left out."),
    )
