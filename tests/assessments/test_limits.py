"""Bounds of free texts and dates, refused alike by every service and page."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import Assessment, Evidence
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    answer,
    fingerprint,
    requirement,
    set_status,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _too_long(label, count, limit):
    return f"“{label}” is too long ({count} characters); shorten it to at most {limit}."


def _add_note(people, **fields):
    return services.evidence_add_note(
        assessment=people.assessment,
        **{"title": "Minutes", "note": "Agreed.", **fields},
        actor=people.assessor,
    )


def _add_link(people, **fields):
    return services.evidence_add_link(
        assessment=people.assessment,
        url="https://intranet.example.com/policy",
        title="Policy",
        **fields,
        actor=people.assessor,
    )


def _add_file(people, **fields):
    return services.evidence_add_file(
        assessment=people.assessment,
        uploaded=SimpleUploadedFile("minutes.pdf", PDF_BYTES),
        title="Minutes",
        **fields,
        actor=people.assessor,
    )


def _save_answer(people, justification):
    return services.answer_save(
        assessment=people.assessment,
        requirement=requirement(people.assessment, "STR-1.1"),
        status="partial",
        justification=justification,
        base_version=0,
        actor=people.assessor,
    )


def _settings(people, **fields):
    values = {
        "title": "2025",
        "scope": "",
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        **fields,
    }
    return services.assessment_update(
        assessment=people.assessment, targets={}, actor=people.admin, **values
    )


def _create(people, **fields):
    values = {
        "title": "2026",
        "scope": "",
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 12, 31),
        **fields,
    }
    return services.assessment_create(
        organisation=people.org_a,
        framework=people.assessment.framework,
        actor=people.admin,
        **values,
    )


def _verdict(people, comment):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    return services.review_record(
        answer=stored, verdict="rejected", comment=comment, actor=people.auditor
    )


def _comment(people, text):
    stored = answer(people.assessment, "STR-1.1")
    return services.comment_add(
        assessment=people.assessment, answer=stored, text=text, actor=people.assessor
    )


def _finding(people, description):
    set_status(people.assessment)
    return services.finding_create(
        assessment=people.assessment,
        kind="observation",
        severity="low",
        title="Monitoring",
        description=description,
        actor=people.auditor,
    )


def _return(people, reason):
    set_status(people.assessment)
    return services.assessment_transition(
        assessment=people.assessment, name="return", reason=reason, actor=people.auditor
    )


# Each free text: the field, its label, its limit and a write of a text.
TEXTS = {
    "evidence note": ("note", "Note", 20_000, lambda p, t: _add_note(p, note=t)),
    "evidence description": (
        "description",
        "Description",
        20_000,
        lambda p, t: _add_link(p, description=t),
    ),
    "file description": (
        "description",
        "Description",
        20_000,
        lambda p, t: _add_file(p, description=t),
    ),
    "justification": ("justification", "Justification", 20_000, _save_answer),
    "scope of a new assessment": (
        "scope",
        "Scope statement",
        10_000,
        lambda p, t: _create(p, scope=t),
    ),
    "scope": ("scope", "Scope statement", 10_000, lambda p, t: _settings(p, scope=t)),
    "verdict comment": ("comment", "Reason or question", 10_000, _verdict),
    "comment": ("text", "Comment", 10_000, _comment),
    "finding description": ("description", "Description", 20_000, _finding),
    "return reason": ("reason", "What the assessors need to fix", 10_000, _return),
}


@pytest.mark.parametrize("case", TEXTS.values(), ids=TEXTS)
def test_every_service_refuses_a_text_past_its_limit(people, private_storage, case):
    field, label, limit, write = case

    with pytest.raises(ValidationError) as refused:
        write(people, "长" * (limit + 1))

    assert refused.value.message_dict == {field: [_too_long(label, limit + 1, limit)]}
    assert not [path for path in private_storage.rglob("*") if path.is_file()]


@pytest.mark.parametrize("case", TEXTS.values(), ids=TEXTS)
def test_a_text_at_its_limit_is_stored(people, case):
    _field, _label, limit, write = case

    write(people, "长" * limit)


def test_a_refused_text_leaves_nothing_behind(people):
    before = fingerprint()

    with pytest.raises(ValidationError):
        _add_note(people, note="x" * 200_000)
    with pytest.raises(ValidationError):
        _settings(people, scope="x" * 10_001)

    assert fingerprint() == before


# Each date: the field, its label and a write of a date.
DATES = {
    "effective date of a note": (
        "effective_from",
        "Effective from",
        lambda p, d: _add_note(p, effective_from=d),
    ),
    "effective date of a link": (
        "effective_from",
        "Effective from",
        lambda p, d: _add_link(p, effective_from=d),
    ),
    "effective date of a file": (
        "effective_from",
        "Effective from",
        lambda p, d: _add_file(p, effective_from=d),
    ),
    "start of a new period": (
        "period_start",
        "Period start",
        lambda p, d: _create(p, period_start=d, period_end=datetime.date(2026, 1, 1)),
    ),
    "end of a period": (
        "period_end",
        "Period end",
        lambda p, d: _settings(p, period_end=d),
    ),
}
OUT_OF_RANGE = [
    datetime.date(1, 1, 1),
    datetime.date(1989, 12, 31),
    datetime.date(2101, 1, 1),
    datetime.date(9999, 12, 31),
]


@pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
@pytest.mark.parametrize("case", DATES.values(), ids=DATES)
def test_every_service_refuses_a_date_outside_the_years(
    people, private_storage, case, day
):
    field, label, write = case

    with pytest.raises(ValidationError) as refused:
        write(people, day)

    assert refused.value.message_dict == {
        field: [f"“{label}” must be a date in the years 1990 to 2100."]
    }
    assert not Evidence.objects.exists()
    assert not [path for path in private_storage.rglob("*") if path.is_file()]


def test_a_period_in_the_year_one_is_refused_on_both_ends(people):
    with pytest.raises(ValidationError) as refused:
        _create(
            people,
            period_start=datetime.date(1, 1, 1),
            period_end=datetime.date(1, 12, 31),
        )

    assert set(refused.value.message_dict) == {"period_start", "period_end"}
    assert not Assessment.objects.filter(title="2026").exists()


def test_the_first_and_the_last_year_are_accepted(people):
    first, last = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)

    _settings(people, period_start=first, period_end=last)
    note = _add_note(people, effective_from=last)

    people.assessment.refresh_from_db()
    assert (people.assessment.period_start, people.assessment.period_end) == (
        first,
        last,
    )
    assert note.effective_from == last


def _error_list(body, field):
    found = re.search(rf'id="id_{field}_error">(.*?)</ul>', body, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_the_new_assessment_page_refuses_a_period_in_the_year_one(people, login):
    client = login(people.admin)

    response = client.post(
        reverse("assessments:assessment-create", args=["org-a"]),
        {
            "title": "Year one",
            "period_start": "0001-01-01",
            "period_end": "0001-12-31",
            "framework": people.assessment.framework_id,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert _error_list(body, "period_start") == [
        "“Period start” must be a date in the years 1990 to 2100."
    ]
    assert _error_list(body, "period_end") == [
        "“Period end” must be a date in the years 1990 to 2100."
    ]
    assert not Assessment.objects.filter(title="Year one").exists()


def test_the_settings_page_refuses_a_scope_past_its_limit(people, login):
    client = login(people.admin)

    response = client.post(
        reverse("assessments:assessment-update", args=[people.assessment.pk]),
        {
            "title": "Renamed",
            "scope": "x" * 10_001,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "target_STR": 3,
            "target_LC": 3,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert _error_list(body, "scope") == [_too_long("Scope statement", 10_001, 10_000)]
    people.assessment.refresh_from_db()
    assert people.assessment.title != "Renamed"
