"""A demo load that fails part-way leaves neither rows nor files behind.

Kept apart from test_demo.py, whose module holds the loaded demo open.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments import demo, services
from assessments.models import Evidence, Organisation
from maturity.models import Framework


def test_a_failed_load_leaves_nothing_behind(db, monkeypatch, private_storage):
    if Framework.objects.latest_version("AIMRG") is None:
        call_command("load_framework", verbosity=0)

    def refuse(**kwargs):
        raise RuntimeError("grant refused")

    # Fails after last year's answers and evidence files are written.
    monkeypatch.setattr(services, "auditor_grant", refuse)

    with pytest.raises(RuntimeError, match="grant refused"):
        demo.load_demo()

    assert not Organisation.objects.filter(slug="demo").exists()
    assert not get_user_model().objects.filter(username="admin").exists()
    assert not Evidence.objects.exists()
    assert [path for path in private_storage.rglob("*") if path.is_file()] == []
