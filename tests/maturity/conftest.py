"""Shared fixtures of the maturity tests: a logged-in ordinary user."""

import pytest


@pytest.fixture
def user(db, django_user_model):
    """Return an ordinary, non-staff user."""
    return django_user_model.objects.create_user(
        username="reader", password="correct horse battery staple"
    )


@pytest.fixture
def client(client, user):
    """Return a test client logged in as an ordinary user, asking for English."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
