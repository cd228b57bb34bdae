"""Personas and clients of the API tests.

The personas are those of the assessments tests: organisation A's admin,
assessor and viewer, an auditor granted A's first assessment, an auditor
whose grant expired yesterday, and the admin of organisation B. The
interchange tests' ``filled`` assessment and ``importer`` organisation
serve the tests of export and import.
"""

import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from assessments.api import services as api_services
from tests.assessments.conftest import (  # noqa: F401  (fixtures)
    _fast_passwords,
    framework,
    people,
    private_storage,
)
from tests.interchange.conftest import filled, importer  # noqa: F401  (fixtures)


def _schema_urls_wired() -> bool:
    try:
        reverse("api-schema", urlconf="portal.urls")
    except NoReverseMatch:
        return False
    return True


@pytest.fixture(autouse=True)
def _api_urls(settings):
    if not _schema_urls_wired():
        settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture(autouse=True)
def _empty_throttle_cache():
    """Start every test with no requests counted against the throttles."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """Return a function giving an API client signed in as a user, or anonymous."""

    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def token_client():
    """Return a function giving an API client that sends a new token of a user."""

    def client_for(user, **fields):
        _token, secret = api_services.token_create(
            user=user, name=fields.pop("name", "tests"), **fields
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return client_for
