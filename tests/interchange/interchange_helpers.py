"""Helpers shared by the interchange tests."""

# Request headers of a page asked for in English, whatever the default.
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
