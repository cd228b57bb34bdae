"""Saving an answer over a newer version: who saved it, and what is kept."""

import re

from django.urls import reverse

from assessments.models import Answer
from tests.assessments.assessment_factories import answer

JSON = {"HTTP_ACCEPT": "application/json"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _url(assessment, code):
    return reverse("assessments:answer-update", args=[assessment.pk, code])


def _form_of(body: str, code: str) -> str:
    """Return the answer form of requirement ``code`` on a questionnaire page."""
    action = re.escape(f"/requirements/{code}/answer/")
    found = re.search(rf'<form[^>]*action="[^"]*{action}".*?</form>', body, re.S)
    assert found, f"no answer form for {code}"
    return found.group(0)


def test_it_says_you_saved_the_newer_version_in_another_tab(people, login):
    people.assessor.first_name = "林晓雯"
    people.assessor.save()
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="From the other tab.",
        updated_by=people.assessor,
        evidence=False,
    )
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine.", "version": 0},
        **JSON,
        **ENGLISH,
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error.startswith(
        "Not saved: you saved this answer in another tab or window in the meantime."
    )
    assert "林晓雯" not in error
    assert "From the other tab." in error

    people.admin.first_name = "周思远"
    people.admin.save()
    Answer.objects.update(updated_by=people.admin, version=2)
    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine.", "version": 1},
        **JSON,
        **ENGLISH,
    )
    assert response.json()["error"].startswith(
        "Not saved: 周思远 saved this answer in the meantime."
    )


def test_it_says_you_saved_it_in_another_tab_without_javascript(people, login):
    people.assessor.first_name = "林晓雯"
    people.assessor.save()
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="From the other tab.",
        updated_by=people.assessor,
        evidence=False,
    )
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "satisfied", "justification": "Mine.", "version": 0},
        follow=True,
        **ENGLISH,
    )

    body = response.content.decode()
    assert "you saved this answer in another tab or window in the meantime" in body
    assert "林晓雯 saved this answer" not in body


def test_it_says_what_saving_over_a_newer_version_keeps(people, login):
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="Their justification.",
        updated_by=people.admin,
        version=2,
        evidence=False,
    )
    client = login(people.assessor)

    # The page held version 1 and its reader changed the status only.
    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": "satisfied",
            "justification": "Old justification.",
            "version": 1,
            "base_status": "partial",
            "base_justification": "Old justification.",
        },
        **JSON,
        **ENGLISH,
    )

    assert response.status_code == 409
    assert response.json()["error"].endswith(
        "Saving yours over it changes only the status you chose and keeps the "
        "justification saved in the meantime."
    )

    # Both changed the justification: the one saved over it is the reader's.
    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": "partial",
            "justification": "My justification.",
            "version": 1,
            "base_status": "partial",
            "base_justification": "Old justification.",
        },
        **JSON,
        **ENGLISH,
    )
    assert response.status_code == 409
    assert "Saving yours over it" not in response.json()["error"]


def test_it_keeps_what_was_typed_in_the_form_without_javascript(people, login):
    stored = answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="Their justification.",
        updated_by=people.admin,
        version=3,
        evidence=False,
    )
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "not_satisfied", "justification": "My justification.", "version": 2},
        follow=True,
        **ENGLISH,
    )

    page = reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])
    assert response.redirect_chain[-1][0] == f"{page}#STR-1.1"
    body = response.content.decode()
    form = _form_of(body, "STR-1.1")
    assert '<option value="not_satisfied" selected>' in form
    assert ">My justification.</textarea>" in form
    # Saving the form again puts it over the version shown in the banner.
    assert 'name="version" value="3"' in form
    # Why, beside what was typed rather than at the top of a long page.
    assert '<ul class="errorlist" role="alert"><li>Not saved:' in form
    assert "Their justification." in form
    assert "Your version is still in the form" in form
    # The badge tells what is stored; the form is based on that answer now.
    assert '<span class="badge badge--partial" data-status-badge>Partially' in body
    assert 'name="base_status" value="partial"' in form
    assert 'name="base_justification" value="Their justification."' in form
    assert "Your version is still in the form" not in body[: body.index(form)]
    stored.refresh_from_db()
    assert (stored.status, stored.justification, stored.version) == (
        "partial",
        "Their justification.",
        3,
    )


def test_saving_the_kept_form_again_puts_it_over_the_newer_version(people, login):
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="Their justification.",
        updated_by=people.admin,
        version=3,
        evidence=False,
    )
    client = login(people.assessor)
    refused = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "not_satisfied", "justification": "My justification.", "version": 2},
        follow=True,
    )
    form = _form_of(refused.content.decode(), "STR-1.1")

    client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": re.search(r'<option value="(\w*)" selected>', form).group(1),
            "justification": re.search(r">([^<]*)</textarea>", form).group(1),
            "version": re.search(r'name="version" value="(\d+)"', form).group(1),
        },
    )

    stored = Answer.objects.get()
    assert (stored.status, stored.justification, stored.version) == (
        "not_satisfied",
        "My justification.",
        4,
    )
    # Shown once: the page read again holds what is stored.
    again = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])
    )
    form = _form_of(again.content.decode(), "STR-1.1")
    assert '<option value="not_satisfied" selected>' in form
    assert 'name="version" value="4"' in form


def test_a_second_refusal_keeps_what_was_typed_after_the_first(people, login):
    stored = answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="Their justification.",
        updated_by=people.admin,
        version=3,
        evidence=False,
    )
    client = login(people.assessor)
    refused = client.post(
        _url(people.assessment, "STR-1.1"),
        {"status": "not_satisfied", "justification": "My justification.", "version": 2},
        follow=True,
    )
    form = _form_of(refused.content.decode(), "STR-1.1")
    Answer.objects.filter(pk=stored.pk).update(
        justification="Their second justification.", version=4
    )

    again = client.post(
        _url(people.assessment, "STR-1.1"),
        {
            name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)
            for name in ("version", "base_status", "base_justification")
        }
        | {"status": "not_satisfied", "justification": "My justification."},
        follow=True,
    )

    form = _form_of(again.content.decode(), "STR-1.1")
    assert '<option value="not_satisfied" selected>' in form
    assert ">My justification.</textarea>" in form
    assert 'name="version" value="4"' in form


def test_it_shows_the_kept_form_whatever_the_filter(people, login):
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        justification="Their justification.",
        updated_by=people.admin,
        evidence=False,
    )
    client = login(people.assessor)

    response = client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": "satisfied",
            "justification": "My justification.",
            "version": 0,
            "show": "unanswered",
        },
        follow=True,
    )

    # The answer is no longer unanswered: the filter would hide it.
    form = _form_of(response.content.decode(), "STR-1.1")
    assert ">My justification.</textarea>" in form


def test_without_javascript_saving_again_keeps_the_field_left_alone(people, login):
    """The page showed the answer unanswered; someone answered it since."""
    stored = answer(
        people.assessment,
        "STR-1.1",
        "satisfied",
        justification="",
        updated_by=people.admin,
        version=2,
        evidence=False,
    )
    client = login(people.assessor)

    refused = client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": "",
            "justification": "My justification.",
            "version": 1,
            "base_status": "",
            "base_justification": "",
        },
        follow=True,
        **ENGLISH,
    )

    body = refused.content.decode()
    form = _form_of(body, "STR-1.1")
    assert '<option value="satisfied" selected>' in form
    assert ">My justification.</textarea>" in form
    assert "keeps the status saved in the meantime" in body
    client.post(
        _url(people.assessment, "STR-1.1"),
        {
            "status": "satisfied",
            "justification": "My justification.",
            "version": 2,
            "base_status": "satisfied",
            "base_justification": "My justification.",
        },
    )
    stored.refresh_from_db()
    assert (stored.status, stored.justification, stored.version) == (
        "satisfied",
        "My justification.",
        3,
    )


def test_the_answer_form_carries_the_answer_as_shown(people, login):
    answer(people.assessment, "STR-1.1", "partial", justification="Shown.")

    body = (
        login(people.assessor)
        .get(reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"]))
        .content.decode()
    )

    form = _form_of(body, "STR-1.1")
    assert '<input type="hidden" name="base_status" value="partial">' in form
    assert '<input type="hidden" name="base_justification" value="Shown.">' in form
