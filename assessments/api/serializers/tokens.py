"""Personal API tokens: their names and expiry, and the secret once."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from assessments.api.models import PersonalToken
from assessments.api.serializers.common import DateField, StrictSerializer


class PersonalTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="token.user.username", read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When the token stops working; never when empty."),
    )
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = PersonalToken
        fields = ["id", "name", "username", "created_at", "expires_at", "is_expired"]
        read_only_fields = fields


@extend_schema_serializer(
    description=_("The new API token, with its secret, which is shown only now.")
)
class NewTokenSerializer(PersonalTokenSerializer):
    """A token just created, with its secret from the serializer's context."""

    token = serializers.SerializerMethodField(
        help_text=_("The secret, shown only now. Send it as “Authorization: Token …”.")
    )

    class Meta(PersonalTokenSerializer.Meta):
        fields = [*PersonalTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields

    def get_token(self, token) -> str:
        return self.context["secret"]


class TokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=100, help_text=_("What the token is for, such as “CI export”.")
    )
    expires_on = DateField(
        required=False,
        allow_null=True,
        help_text=_("Last day on which the token works; it never expires if empty."),
    )
