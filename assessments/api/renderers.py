"""Renderers beyond JSON: the bytes of a download, whatever the client accepts."""

import json

from rest_framework.renderers import BaseRenderer


class PassthroughRenderer(BaseRenderer):
    """Let a view answer with a file; an error body is still JSON.

    Content negotiation picks it for any ``Accept`` header, so a client that
    asks for ``application/pdf`` gets the file rather than 406.
    """

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data, ensure_ascii=False).encode()
