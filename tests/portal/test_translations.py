"""Tests that the Simplified Chinese catalogue covers every interface string."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from portal.jinja2 import jinja_messages

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ["portal", "maturity", "assessments", "reports", "templates"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Extract every translatable string of the sources afresh."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path_factory.mktemp("project")
    for name in SOURCES:
        shutil.copytree(
            ROOT / name,
            copy / name,
            ignore=shutil.ignore_patterns("locale", "__pycache__"),
        )
    (copy / "portal" / "locale").mkdir()
    shutil.copy(ROOT / "manage.py", copy / "manage.py")

    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=zh_Hans",
            "--ignore=*/migrations/*",
            "--verbosity=0",
        ],
        cwd=copy,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(copy),
            "PORTAL_DATA_DIR": str(copy / "data"),
        },
        timeout=300,
    )
    return polib.pofile(
        str(copy / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )


def test_every_string_has_a_chinese_translation(extracted):
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(CATALOGUE))}

    missing = [
        entry.msgid
        for entry in extracted
        if entry.msgid not in catalogue
        or not catalogue[entry.msgid].translated()
        or "fuzzy" in catalogue[entry.msgid].flags
    ]

    assert missing == []


def test_every_string_of_the_jinja_templates_has_a_chinese_translation():
    catalogue = {}
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.translated() and "fuzzy" not in entry.flags:
            catalogue[entry.msgid] = entry
            if entry.msgid_plural:
                catalogue[entry.msgid_plural] = entry
    messages = {
        form
        for message in jinja_messages(ROOT / "templates")
        for form in (message.msgid, message.msgid_plural)
        if form
    }

    assert "Auditor's verdict" in messages
    assert sorted(messages - catalogue.keys()) == []


def test_the_compiled_catalogue_is_up_to_date():
    compiled = CATALOGUE.with_suffix(".mo")
    source = polib.pofile(str(CATALOGUE))

    assert compiled.exists()
    assert {entry.msgid for entry in polib.mofile(str(compiled))} >= {
        entry.msgid for entry in source.translated_entries()
    }
