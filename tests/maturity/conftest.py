"""Shared fixtures of the maturity tests: an installed framework and a user."""

import pytest
from django.core.management import call_command

from maturity.models import Framework


@pytest.fixture
def framework(db):
    """Install the shipped fixtures and return the latest AIMRG framework."""
    call_command("load_framework", verbosity=0)
    return Framework.objects.latest_version("AIMRG")


@pytest.fixture
def user(db, django_user_model):
    """Return an ordinary, non-staff user."""
    return django_user_model.objects.create_user(
        username="reader", password="correct horse battery staple"
    )


@pytest.fixture
def client(client, user):
    """Return a test client logged in as an ordinary user."""
    client.force_login(user)
    return client
