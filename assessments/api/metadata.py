"""What OPTIONS answers under the API: the methods, and where they are described.

DRF's default answer describes the fields of a view's one serializer, which
is not the body of every method (an answer is read in one shape and written
in another, an upload is a form) and which some views do not have at all;
it adds the view's docstring, which is about the code, and its class name,
in English. The OpenAPI schema describes every operation in the caller's
language, so OPTIONS points there rather than describing bodies again.
"""

from rest_framework.metadata import BaseMetadata
from rest_framework.reverse import reverse


class APIMetadata(BaseMetadata):
    """Name the methods and media types of an address, and the schema's."""

    def determine_metadata(self, request, view):
        return {
            "methods": view.allowed_methods,
            "renders": [renderer.media_type for renderer in view.get_renderers()],
            "parses": [parser.media_type for parser in view.get_parsers()],
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
        }
