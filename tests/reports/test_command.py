"""The render_report command refuses what it cannot render, saying why."""

import pytest
from django.core.management import CommandError, call_command


def test_it_names_an_unknown_assessment(db, tmp_path):
    with pytest.raises(CommandError, match="No assessment has the id 999"):
        call_command("render_report", 999, "--out", str(tmp_path / "r.pdf"))


def test_it_names_a_missing_folder(people, tmp_path):
    out = tmp_path / "missing" / "r.pdf"

    with pytest.raises(CommandError, match="folder of --out does not exist"):
        call_command("render_report", people.assessment.pk, "--out", str(out))


def test_it_knows_only_the_readings_of_the_report(people, tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'audited'"):
        call_command(
            "render_report",
            people.assessment.pk,
            "--out",
            str(tmp_path / "r.pdf"),
            "--reading",
            "audited",
        )
