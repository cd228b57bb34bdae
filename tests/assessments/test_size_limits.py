"""Size limits as people read them: "25 MB", not "25.0 MB"."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import uploads
from assessments.templatetags.assessment_tags import size_limit

MB = 1024**2


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (500 * MB, "500\xa0MB"),
        (25 * MB, "25\xa0MB"),
        (5 * 1024**3, "5\xa0GB"),
        (64 * 1024, "64\xa0KB"),
        (5 * MB // 2, "2.5\xa0MB"),
        # Rounded, not whole: the decimal says so.
        (2000, "2.0\xa0KB"),
        (1000, "1000\xa0bytes"),
    ],
)
def test_it_drops_the_decimal_of_a_whole_figure(size, shown):
    with translation.override("en"):
        assert size_limit(size) == shown


def test_it_names_a_whole_limit_in_the_upload_refusal(settings):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 500 * MB

    with translation.override("en"):
        message = uploads.too_large_error().messages[0]

    assert message == "The file is larger than 500\xa0MB. Upload a smaller file."


@pytest.mark.parametrize(
    "page",
    [
        lambda people: reverse(
            "assessments:evidence-list", args=[people.assessment.pk]
        ),
        lambda people: reverse(
            "assessments:requirement-evidence", args=[people.assessment.pk, "STR-1.1"]
        ),
        lambda people: reverse("interchange:export", args=[people.assessment.pk]),
    ],
    ids=["evidence-list", "requirement-evidence", "export"],
)
def test_the_upload_pages_show_a_whole_limit(people, login, settings, page):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 500 * MB

    body = login(people.assessor).get(page(people), HTTP_ACCEPT_LANGUAGE="en")

    text = body.content.decode()
    assert "500\xa0MB" in text
    assert "500.0" not in text


def test_the_import_page_shows_whole_limits(people, login, settings):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 25 * MB
    settings.INTERCHANGE_MAX_ARCHIVE_SIZE = 500 * MB

    body = login(people.admin).get(
        reverse("interchange:assessment-import", args=["org-a"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "ZIP files up to 500\xa0MB, JSON files up to 25\xa0MB." in (
        body.content.decode()
    )
