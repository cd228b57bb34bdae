"""People are shown by their full name, and by their username only without one."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import EvidenceDeletion, Status, StatusChange
from assessments.templatetags.assessment_tags import person
from tests.assessments.assessment_factories import (
    CommentFactory,
    EvidenceFactory,
    FindingFactory,
    ReviewFactory,
    UserFactory,
    answer,
    requirement,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NAMES = {
    "admin": ("zhou-admin", "周思远"),
    "assessor": ("lin-assessor", "林晓雯"),
    "auditor": ("su-auditor", "苏明哲"),
}


@pytest.fixture
def named(people):
    """Give the admin, the assessor and the auditor a login and a full name."""
    for persona, (username, name) in NAMES.items():
        user = getattr(people, persona)
        user.username, user.first_name = username, name
        user.save(update_fields=["username", "first_name"])
    return people


def _page(client, name, *args):
    url = reverse(f"assessments:{name}", args=args)
    response = client.get(url, **ENGLISH)
    assert response.status_code == 200
    return response.content.decode()


def _logins_in(body):
    return [username for username, _name in NAMES.values() if username in body]


def test_the_filter_falls_back_to_the_username():
    assert person(UserFactory.build(username="wang", first_name="王立军")) == "王立军"
    assert person(UserFactory.build(username="wang", first_name=" ")) == "wang"
    assert person(None) == ""


def test_it_names_who_changed_the_status(named, login):
    StatusChange.objects.create(
        assessment=named.assessment,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        actor=named.assessor,
    )

    body = _page(login(named.viewer), "assessment-detail", named.assessment.pk)

    assert "<td>林晓雯</td>" in body
    assert _logins_in(body) == []


def test_it_names_the_auditor_of_a_verdict_and_the_author_of_a_comment(named, login):
    answered = answer(named.assessment, "STR-1.1")
    ReviewFactory(answer=answered, reviewer=named.auditor)
    CommentFactory(assessment=named.assessment, answer=answered, author=named.assessor)

    body = _page(login(named.viewer), "questionnaire", named.assessment.pk, "STR")

    assert "by 苏明哲, " in body
    assert '<p class="comment__meta"><strong>林晓雯</strong>' in body
    assert _logins_in(body) == []


def test_it_names_who_added_and_who_deleted_evidence(named, login):
    EvidenceFactory(assessment=named.assessment, created_by=named.assessor)
    EvidenceDeletion.objects.create(
        assessment=named.assessment,
        evidence_id=999,
        kind="note",
        title="Old minutes",
        deleted_by=named.admin,
    )

    body = _page(login(named.viewer), "evidence-list", named.assessment.pk)

    assert '<td class="evidence-added">林晓雯<br>' in body
    assert "<td>周思远</td>" in body
    assert _logins_in(body) == []


def test_it_names_who_recorded_a_finding(named, login):
    FindingFactory(assessment=named.assessment, created_by=named.auditor)

    body = _page(login(named.viewer), "finding-list", named.assessment.pk)

    assert "<td>苏明哲<br>" in body
    assert _logins_in(body) == []


def test_it_names_the_authors_in_the_history(named, login):
    services.answer_save(
        assessment=named.assessment,
        requirement=requirement(named.assessment, "STR-1.1"),
        status="partial",
        justification="草案",
        base_version=0,
        actor=named.assessor,
    )

    body = _page(login(named.admin), "assessment-history", named.assessment.pk)

    whos = re.findall(r'history-row__when">.*?</td>\s*<td>(.*?)</td>', body, re.S)
    assert whos[0] == "林晓雯"
    assert "lin-assessor" not in body


def test_it_names_auditors_and_who_granted_them(named, login):
    body = _page(login(named.admin), "auditor-list", named.assessment.pk)

    assert "<td>苏明哲 <span" in body
    assert '<span class="muted">周思远</span>' in body
    assert "su-auditor" not in body


def test_the_members_page_shows_the_name_and_the_login(named, login):
    body = _page(login(named.admin), "member-list", "org-a")

    assert '<th scope="row">林晓雯 <span class="muted">lin-assessor</span></th>' in body
    assert "Role of 林晓雯" in body
    assert f'<th scope="row">{named.viewer.username}</th>' in body
