"""The index of the API: its top-level endpoints, its schema and docs."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(
    description=_(
        "The top-level endpoints of the API, and where its schema and "
        "documentation are."
    )
)
class IndexSerializer(serializers.Serializer):
    frameworks = serializers.URLField(
        help_text=_("The versions of the standard and their catalogue.")
    )
    organisations = serializers.URLField(
        help_text=_("Your organisations, their members and imports.")
    )
    assessments = serializers.URLField(
        help_text=_(
            "The assessments you can see; everything of one is under its address."
        )
    )
    tokens = serializers.URLField(help_text=_("Your API tokens."))
    schema = serializers.URLField(help_text=_("The OpenAPI schema."))
    docs = serializers.URLField(help_text=_("The documentation, to read in a browser."))
