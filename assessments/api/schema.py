"""The OpenAPI schema: every operation documents the errors it can answer.

drf-spectacular describes success responses from the serializers; the error
bodies come from one exception handler, so they are added here to every
operation rather than declared view by view. A view names the statuses
particular to one of its actions in ``error_statuses``.

Operations and objects are described only in words written for the API's
readers, and translated: operations with ``extend_schema``, objects with
``extend_schema_serializer(description=...)``. Docstrings, which the schema
would otherwise take, are about how the code works.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import has_override
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse

from assessments.api.serializers.common import ErrorSerializer, StrictSerializer

ERROR_DESCRIPTIONS = {
    400: _("The input is invalid or the assessment's status does not allow it."),
    401: _("No valid session or token was sent."),
    403: _("Your role does not allow this action."),
    404: _("Nothing visible to you is at this address."),
    409: _(
        "The object is not at the version you sent: it was changed since, or "
        "it never had that version."
    ),
    413: _("The request body or an uploaded file is larger than its limit."),
    415: _("The body is not sent as multipart/form-data, as uploads must be."),
    429: _("Too many requests; wait before trying again."),
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AutoSchema(SpectacularAutoSchema):
    """Add the error responses of the API's exception handler.

    Leave out the docstrings of views and serializers, inherited ones
    included, and mark the bodies that refuse undeclared fields as such.
    """

    def get_description(self) -> str:
        return ""

    def _map_basic_serializer(self, serializer, direction):
        serializer = force_instance(serializer)
        schema = super()._map_basic_serializer(serializer, direction)
        if not has_override(serializer, "description"):
            schema.pop("description", None)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _error_statuses(self) -> set[int]:
        statuses = {401, 403, 404}
        if self.method in WRITE_METHODS:
            statuses.update({400, 413})
        action = getattr(self.view, "action", None) or self.method.lower()
        statuses.update(getattr(self.view, "error_statuses", {}).get(action, ()))
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._error_statuses()):
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    OpenApiResponse(
                        ErrorSerializer, description=str(ERROR_DESCRIPTIONS[status])
                    ),
                    str(status),
                    direction=direction,
                ),
            )
        return responses
