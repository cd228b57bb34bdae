"""The audit trail: every change recorded with who made it, when, before and after."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    Answer,
    AssessmentTarget,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceLink,
    Finding,
    Membership,
    Review,
    Status,
)
from assessments.selectors import history as history_selectors
from assessments.services.organisations import membership_unlock
from tests.assessments.assessment_factories import (
    UserFactory,
    answer,
    answer_all,
    requirement,
    set_status,
)

JSON = {"HTTP_ACCEPT": "application/json"}
ROW = re.compile(
    r'<tr class="history-row history-row--(\w+)" data-kind="\w+">(.*?)</tr>', re.S
)
FIELD = re.compile(
    r"<dt>(.*?)</dt>\s*<dd>(?:<del class=\"history-field__old\">(.*?)</del>.*?)?"
    r'<ins class="history-field__new">(.*?)</ins></dd>',
    re.S,
)


def _history(client, assessment, **params):
    url = reverse("assessments:assessment-history", args=[assessment.pk])
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _rows(body):
    """Return (kind, who, what, [(field, old, new)]) for each row shown."""
    rows = []
    for kind, html in ROW.findall(body):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
        who = cells[1].strip()
        what = re.sub(r"<[^>]+>", "", cells[2]).split("\n")[0].strip()
        fields = [(label, old or None, new) for label, old, new in FIELD.findall(html)]
        rows.append((kind, who, what, fields))
    return rows


def _save(client, assessment, code, status, version, justification=""):
    return client.post(
        reverse("assessments:answer-update", args=[assessment.pk, code]),
        {"status": status, "justification": justification, "version": version},
        **JSON,
    )


def test_it_shows_an_answer_change_with_its_values_and_author(people, login):
    assessment = people.assessment
    assessor = login(people.assessor)
    _save(assessor, assessment, "STR-1.1", "partial", 0, "草案")
    _save(assessor, assessment, "STR-1.1", "satisfied", 1, "已批准")

    rows = _rows(_history(login(people.admin), assessment))

    assert rows[0] == (
        "answer",
        people.assessor.username,
        "Answer to STR-1.1 changed",
        [
            ("Status", "Partially satisfied", "Satisfied"),
            ("Justification", "草案", "已批准"),
        ],
    )
    assert rows[1] == (
        "answer",
        people.assessor.username,
        "Answer to STR-1.1 created",
        [("Status", None, "Partially satisfied"), ("Justification", None, "草案")],
    )


def test_it_labels_status_changes(people, login):
    assessment = people.assessment
    answer_all(assessment)
    services.assessment_transition(
        assessment=assessment, name="submit", actor=people.assessor
    )
    services.assessment_transition(
        assessment=assessment, name="start_review", actor=people.auditor
    )

    rows = _rows(_history(login(people.auditor), assessment))

    assert rows[:2] == [
        (
            "assessment",
            people.auditor.username,
            f"Assessment “{assessment.title}” changed",
            [("Status", "Submitted", "In review")],
        ),
        (
            "assessment",
            people.assessor.username,
            f"Assessment “{assessment.title}” changed",
            [("Status", "Draft", "Submitted")],
        ),
    ]


def test_it_names_the_actor_outside_a_request(people):
    services.answer_save(
        assessment=people.assessment,
        requirement=requirement(people.assessment, "STR-1.1"),
        status="satisfied",
        justification="",
        base_version=0,
        actor=people.assessor,
    )

    record = Answer.history.get()
    assert (record.history_type, record.history_user, record.status) == (
        "+",
        people.assessor,
        "satisfied",
    )


def test_it_writes_nothing_on_a_conflict(people):
    stored = answer(people.assessment, "STR-1.1", evidence=False)
    before = Answer.history.count()

    with pytest.raises(services.AnswerConflict):
        services.answer_save(
            assessment=people.assessment,
            requirement=stored.requirement,
            status="partial",
            justification="",
            base_version=0,
            actor=people.admin,
        )

    assert Answer.history.count() == before
    stored.refresh_from_db()
    assert stored.status == "satisfied"


def _authors(model, **filters):
    return set(
        model.history.filter(**filters).values_list("history_type", "history_user")
    )


def test_it_records_every_kind_of_write_with_its_actor(people):
    assessment = people.assessment
    admin, assessor, auditor = people.admin, people.assessor, people.auditor
    UserFactory(username="second-auditor")
    grant = services.auditor_grant(
        assessment=assessment,
        identifier="second-auditor",
        expires_on=None,
        actor=admin,
    )
    services.auditor_revoke(grant=grant, actor=admin)
    services.membership_change_role(
        membership=people.viewer.memberships.get(), role="assessor", actor=admin
    )
    services.assessment_update(
        assessment=assessment,
        title="改名",
        scope="",
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        targets={"STR": 4},
        actor=assessor,
    )
    note = services.evidence_add_note(
        assessment=assessment,
        note="会议纪要",
        title="纪要",
        requirement=requirement(assessment, "STR-1.1"),
        actor=assessor,
    )
    note_pk = note.pk
    link = services.evidence_attach(
        evidence=note, requirement=requirement(assessment, "STR-1.2"), actor=assessor
    )
    services.evidence_detach(link=link, actor=assessor)
    set_status(assessment)
    stored = Answer.objects.get(requirement__code="STR-1.1")
    stored.status = "satisfied"
    stored.save()
    services.review_record(
        answer=stored, verdict="needs_information", comment="谁签批？", actor=auditor
    )
    services.comment_add(
        assessment=assessment, evidence=note, text="扫描件模糊", actor=auditor
    )
    finding = services.finding_create(
        assessment=assessment,
        kind="observation",
        severity="low",
        title="记录不全",
        actor=auditor,
    )
    services.finding_update(finding=finding, severity="high", actor=auditor)
    services.finding_delete(finding=finding, actor=auditor)
    set_status(assessment, Status.RETURNED)
    services.evidence_delete(evidence=note, actor=assessor)

    assert _authors(AuditorGrant, id=grant.pk) == {("+", admin.pk), ("~", admin.pk)}
    assert _authors(Membership, user=people.viewer) >= {("~", admin.pk)}
    assert ("~", assessor.pk) in _authors(AssessmentTarget)
    assert ("~", assessor.pk) in _authors(type(assessment), id=assessment.pk)
    assert _authors(Evidence, id=note_pk) == {("+", assessor.pk), ("-", assessor.pk)}
    # The link to STR-1.1 went with the item, named after the person who
    # deleted it; the one to STR-1.2 was detached before.
    assert _authors(EvidenceLink) == {("+", assessor.pk), ("-", assessor.pk)}
    assert EvidenceLink.history.filter(history_type="-").count() == 2
    assert _authors(Review) == {("+", auditor.pk)}
    assert _authors(Comment) == {("+", auditor.pk), ("-", assessor.pk)}
    assert _authors(Finding) == {
        ("+", auditor.pk),
        ("~", auditor.pk),
        ("-", auditor.pk),
    }


def test_it_records_what_a_new_assessment_carries_over(people):
    answer_all(people.assessment)

    carried = services.assessment_start_from(
        previous=people.assessment,
        title="2026",
        scope="",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=people.admin,
    )

    answers = Answer.objects.filter(assessment=carried).count()
    links = EvidenceLink.objects.filter(answer__assessment=carried).count()
    assert answers == links == 20
    assert _authors(Answer, assessment_id=carried.pk) == {("+", people.admin.pk)}
    assert Answer.history.filter(assessment_id=carried.pk).count() == answers
    assert (
        EvidenceLink.history.filter(
            answer__assessment=carried, history_user=people.admin
        ).count()
        == links
    )


def test_it_names_a_deleted_evidence_item_and_its_links(people, login):
    note = services.evidence_add_note(
        assessment=people.assessment,
        note="会议纪要",
        title="管理层会议纪要",
        requirement=requirement(people.assessment, "STR-1.1"),
        actor=people.assessor,
    )
    services.evidence_delete(evidence=note, actor=people.assessor)

    rows = _rows(_history(login(people.admin), people.assessment))

    whats = [what for _kind, _who, what, _fields in rows]
    assert "Evidence item “管理层会议纪要” deleted" in whats
    assert "Evidence “管理层会议纪要” supporting STR-1.1 deleted" in whats


def test_a_deleted_evidence_item_shows_what_it_was(people, login):
    note = services.evidence_add_note(
        assessment=people.assessment,
        note="董事会审议通过模型风险偏好。",
        title="管理层会议纪要",
        requirement=requirement(people.assessment, "STR-1.1"),
        actor=people.assessor,
    )
    services.evidence_delete(evidence=note, actor=people.assessor)

    body = _history(login(people.admin), people.assessment)

    deleted = next(html for kind, html in ROW.findall(body) if "deleted" in html)
    assert "Evidence item “管理层会议纪要”" in deleted
    assert re.findall(
        r'<dt>(.*?)</dt>\s*<dd><del class="history-field__old">(.*?)</del></dd>',
        deleted,
    ) == [
        ("Kind", "Text note"),
        ("Title", "管理层会议纪要"),
        ("Note", "董事会审议通过模型风险偏好。"),
    ]
    assert "history-field__new" not in deleted


def test_it_shows_verdicts_comments_and_findings(people, login):
    stored = answer(people.assessment, "STR-2.1")
    set_status(people.assessment)
    services.review_record(
        answer=stored, verdict="rejected", comment="未签发", actor=people.auditor
    )
    services.review_record(
        answer=stored, verdict="accepted", comment="", actor=people.auditor
    )

    rows = _rows(_history(login(people.admin), people.assessment))

    assert rows[0] == (
        "review",
        people.auditor.username,
        "Verdict on STR-2.1 changed",
        [("Verdict", "Rejected", "Accepted"), ("Comment", "未签发", "—")],
    )


def test_it_shows_membership_changes_to_administrators(people, login):
    services.membership_change_role(
        membership=people.viewer.memberships.get(), role="assessor", actor=people.admin
    )

    body = (
        login(people.admin)
        .get(
            reverse("assessments:organisation-history", args=["org-a"]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    assert _rows(body)[0] == (
        "membership",
        people.admin.username,
        f"Membership of {people.viewer.username} changed",
        [("Role", "Viewer", "Assessor")],
    )


def test_it_pages_the_history_newest_first(people, login):
    assessment = people.assessment
    client = login(people.assessor)
    for version in range(60):
        _save(client, assessment, "STR-1.1", "partial", version, f"第{version}版")

    first = _rows(_history(login(people.admin), assessment))
    second = _rows(_history(login(people.admin), assessment, page=2))

    assert len(first) == 50
    assert first[0][3][-1] == ("Justification", "第58版", "第59版")
    # 60 answer saves; the assessment, its 2 targets and its 2 grants.
    assert len(second) == 65 - 50
    assert second[-1][0] == "assessment"


def test_it_takes_old_values_from_before_history_was_kept(people, login):
    stored = answer(people.assessment, "STR-1.1", "partial", evidence=False)
    Answer.history.filter(id=stored.pk).delete()
    migration = importlib.import_module("assessments.migrations.0004_history_baseline")
    migration.record_baseline(apps, None)

    client = login(people.assessor)
    _save(client, people.assessment, "STR-1.1", "satisfied", stored.version)
    rows = _rows(_history(login(people.admin), people.assessment))

    answers = [row for row in rows if row[0] == "answer"]
    assert answers == [
        (
            "answer",
            people.assessor.username,
            "Answer to STR-1.1 changed",
            [("Status", "Partially satisfied", "Satisfied")],
        )
    ]
    assert Answer.history.filter(history_change_reason="baseline").count() == 1


def test_it_links_a_change_to_its_requirement(people, login):
    client = login(people.assessor)
    _save(client, people.assessment, "LC-S2-1.1", "satisfied", 0)

    body = _history(login(people.admin), people.assessment)

    page = reverse("assessments:questionnaire", args=[people.assessment.pk, "LC-S2"])
    assert f'href="{page}#LC-S2-1.1"' in body


def test_it_records_an_expiring_grant_as_a_date(people, login):
    UserFactory(username="later-auditor")
    last_day = timezone.localdate() + datetime.timedelta(days=30)
    services.auditor_grant(
        assessment=people.assessment,
        identifier="later-auditor",
        expires_on=last_day,
        actor=people.admin,
    )

    rows = _rows(_history(login(people.admin), people.assessment))

    assert rows[0] == (
        "grant",
        people.admin.username,
        "Auditor access of later-auditor created",
        [("Expires on", None, last_day.isoformat())],
    )


def test_it_names_the_auditor_of_a_grant_as_the_pages_do(people, login):
    UserFactory(username="named-auditor", first_name="明哲", last_name="苏")
    services.auditor_grant(
        assessment=people.assessment,
        identifier="named-auditor",
        expires_on=None,
        actor=people.admin,
    )

    rows = _rows(_history(login(people.admin), people.assessment))

    assert rows[0][2] == "Auditor access of 明哲 苏 created"


def _entries(body):
    """Return (kind, what, how the change column tells it) for each row shown."""
    entries = []
    for kind, html in ROW.findall(body):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
        what = re.sub(r"<[^>]+>", "", cells[2]).split("\n")[0].strip()
        told = re.search(r'<div class="history-summary">(.*?)</div>', cells[3], re.S)
        if told is None:
            told = re.search(r'<span class="muted">(.*?)</span>', cells[3], re.S)
        entries.append((kind, what, told.group(1) if told else None))
    return entries


def test_it_says_what_attaching_and_detaching_evidence_did(people, login):
    assessment = people.assessment
    note = services.evidence_add_note(
        assessment=assessment,
        note="会议纪要",
        title="董事会纪要",
        requirement=requirement(assessment, "STR-1.1"),
        actor=people.assessor,
    )
    link = services.evidence_attach(
        evidence=note,
        requirement=requirement(assessment, "STR-1.2"),
        actor=people.assessor,
    )
    services.evidence_detach(link=link, actor=people.assessor)

    body = _history(login(people.admin), assessment)

    assert _entries(body)[:9] == [
        (
            "answer",
            "Answer to STR-1.2 changed",
            "New version of the answer after evidence “董事会纪要” was detached.",
        ),
        (
            "link",
            "Evidence “董事会纪要” supporting STR-1.2 deleted",
            "Detached evidence “董事会纪要” from STR-1.2.",
        ),
        (
            "answer",
            "Answer to STR-1.2 changed",
            "New version of the answer after evidence “董事会纪要” was attached.",
        ),
        (
            "link",
            "Evidence “董事会纪要” supporting STR-1.2 created",
            "Attached evidence “董事会纪要” to STR-1.2.",
        ),
        (
            "answer",
            "Answer to STR-1.2 created",
            "Created without a status, to hold evidence “董事会纪要”.",
        ),
        (
            "answer",
            "Answer to STR-1.1 changed",
            "New version of the answer after evidence “董事会纪要” was attached.",
        ),
        (
            "link",
            "Evidence “董事会纪要” supporting STR-1.1 created",
            "Attached evidence “董事会纪要” to STR-1.1.",
        ),
        (
            "answer",
            "Answer to STR-1.1 created",
            "Created without a status, to hold evidence “董事会纪要”.",
        ),
        ("evidence", "Evidence item “董事会纪要” created", None),
    ]
    assert "saved without a visible change" not in body


def test_it_finds_the_evidence_change_behind_a_version_on_the_next_page(people, login):
    assessment = people.assessment
    note = services.evidence_add_note(
        assessment=assessment, note="会议纪要", title="纪要", actor=people.assessor
    )
    services.evidence_attach(
        evidence=note,
        requirement=requirement(assessment, "STR-1.2"),
        actor=people.assessor,
    )
    client = login(people.assessor)
    # Enough newer changes to leave the answer's new version last on the
    # first page and the link that made it first on the second.
    for version in range(49):
        _save(client, assessment, "STR-2.1", "partial", version, f"第{version}版")

    first = _entries(_history(login(people.admin), assessment))
    second = _entries(_history(login(people.admin), assessment, page=2))

    assert first[-1] == (
        "answer",
        "Answer to STR-1.2 changed",
        "New version of the answer after evidence “纪要” was attached.",
    )
    assert second[0][0] == "link"


def test_it_says_when_carried_over_evidence_was_reconfirmed(people, login):
    answer(people.assessment, "STR-1.1")
    carried = services.assessment_start_from(
        previous=people.assessment,
        title="2026",
        scope="",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        actor=people.admin,
    )
    link = EvidenceLink.objects.get(answer__assessment=carried)
    title = link.evidence.title
    services.evidence_reconfirm(link=link, actor=people.assessor)

    entries = _entries(_history(login(people.admin), carried))

    assert entries[0] == (
        "link",
        f"Evidence “{title}” supporting STR-1.1 changed",
        f"Reconfirmed that evidence “{title}” still supports STR-1.1.",
    )
    # The link's creation is in the entry of what the assessment carried over.
    assert [kind for kind, *_rest in entries].count("link") == 1
    assert "carried" in [kind for kind, *_rest in entries]


def test_an_answer_saved_again_as_it_stood_adds_no_version(people, login):
    client = login(people.assessor)
    _save(client, people.assessment, "STR-1.1", "partial", 0, "草案")
    _save(client, people.assessment, "STR-1.1", "partial", 1, "草案")

    entries = _entries(_history(login(people.admin), people.assessment))

    answers = [entry for entry in entries if entry[0] == "answer"]
    assert [subject for _kind, subject, _summary in answers] == [
        "Answer to STR-1.1 created"
    ]


def test_it_says_a_verdict_was_given_again_on_a_new_version(people, login):
    stored = answer(people.assessment, "STR-2.1")
    set_status(people.assessment)
    services.review_record(
        answer=stored, verdict="accepted", comment="", actor=people.auditor
    )
    set_status(people.assessment, Status.RETURNED)
    _save(login(people.assessor), people.assessment, "STR-2.1", "partial", 1)
    set_status(people.assessment)
    services.review_record(
        answer=stored, verdict="accepted", comment="", actor=people.auditor
    )

    body = _history(login(people.admin), people.assessment)

    assert _rows(body)[0][3] == [("Answer version", "1", "2")]
    assert _entries(body)[0] == (
        "review",
        "Verdict on STR-2.1 changed",
        "The same verdict given again, on version 2 of the answer.",
    )


def test_it_says_when_auditor_access_was_granted_and_revoked(people, login):
    UserFactory(username="second-auditor")
    grant = services.auditor_grant(
        assessment=people.assessment,
        identifier="second-auditor",
        expires_on=None,
        actor=people.admin,
    )
    services.auditor_revoke(grant=grant, actor=people.admin)

    entries = _entries(_history(login(people.admin), people.assessment))

    assert entries[:2] == [
        (
            "grant",
            "Auditor access of second-auditor changed",
            "Revoked the access.",
        ),
        (
            "grant",
            "Auditor access of second-auditor created",
            "Granted access to audit the assessment, with no end date.",
        ),
    ]


def test_it_says_the_settings_were_saved_as_they_stood(people, login):
    assessment = people.assessment
    services.assessment_update(
        assessment=assessment,
        title=assessment.title,
        scope=assessment.scope,
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        targets={"STR": 4},
        actor=people.assessor,
    )

    entries = _entries(_history(login(people.admin), assessment))

    assert (
        "assessment",
        f"Assessment “{assessment.title}” changed",
        "Saved the settings; the title, scope and period stayed the same.",
    ) in entries
    assert entries[0][0] == "target"


def test_it_tells_every_kind_of_change_in_words(people, login):
    assessment = people.assessment
    admin, assessor, auditor = people.admin, people.assessor, people.auditor
    UserFactory(username="second-auditor")
    services.auditor_grant(
        assessment=assessment,
        identifier="second-auditor",
        expires_on=timezone.localdate() + datetime.timedelta(days=7),
        actor=admin,
    )
    services.assessment_update(
        assessment=assessment,
        title="改名",
        scope="",
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        targets={"STR": 4},
        actor=assessor,
    )
    note = services.evidence_add_note(
        assessment=assessment,
        note="会议纪要",
        title="纪要",
        requirement=requirement(assessment, "STR-1.1"),
        actor=assessor,
    )
    link = services.evidence_attach(
        evidence=note, requirement=requirement(assessment, "STR-1.2"), actor=assessor
    )
    services.evidence_detach(link=link, actor=assessor)
    _save(login(assessor), assessment, "STR-1.1", "satisfied", 1, "已批准")
    set_status(assessment)
    stored = Answer.objects.get(requirement__code="STR-1.1")
    services.review_record(
        answer=stored, verdict="needs_information", comment="谁签批？", actor=auditor
    )
    services.comment_add(
        assessment=assessment, evidence=note, text="扫描件模糊", actor=auditor
    )
    finding = services.finding_create(
        assessment=assessment,
        kind="observation",
        severity="low",
        title="记录不全",
        actor=auditor,
    )
    services.finding_update(finding=finding, severity="high", actor=auditor)
    services.finding_delete(finding=finding, actor=auditor)
    set_status(assessment, Status.RETURNED)
    services.evidence_delete(evidence=note, actor=assessor)

    entries = _entries(_history(login(admin), assessment))

    kinds = {kind for kind, _what, _told in entries}
    assert kinds >= {"assessment", "target", "answer", "evidence", "link", "review"}
    assert kinds >= {"comment", "finding", "grant"}
    assert [
        entry for entry in entries if entry[2] == "saved without a visible change"
    ] == []


def _long_value_cells(body):
    """Return the old and new cells of the first field of the newest row."""
    first = ROW.findall(body)[0][1]
    return re.search(r"<dd>(.*?)</dd>", first, re.S).group(1)


def test_it_shortens_long_old_values_and_offers_them_whole(people, login):
    stored = answer(people.assessment, "STR-1.1", "partial", evidence=False)
    # A justification saved before lengths were limited.
    long_text = "旧" * 24_000 + "尾"
    stored.justification = long_text
    stored.save()

    _save(login(people.assessor), people.assessment, "STR-1.1", "partial", 1, "短")
    cell = _long_value_cells(_history(login(people.admin), people.assessment))

    shown = re.search(r'<del class="history-field__old">(.*?)</del>', cell).group(1)
    assert shown == "旧" * 300 + "…"
    assert "The whole text, 24001 characters" in cell
    whole = re.search(r"</summary>(.*?)</details>", cell, re.S).group(1)
    assert whole == long_text
    assert '<ins class="history-field__new">短</ins></dd>' not in cell
    assert cell.endswith('<ins class="history-field__new">短</ins>')


def test_it_shortens_long_new_values_and_keeps_short_ones_whole(people, login):
    client = login(people.assessor)
    _save(client, people.assessment, "STR-1.1", "partial", 0, "短")
    _save(client, people.assessment, "STR-1.1", "partial", 1, "新" * 20_000)

    cell = _long_value_cells(_history(login(people.admin), people.assessment))

    assert '<del class="history-field__old">短</del> <span' in cell
    shown = re.search(r'<ins class="history-field__new">(.*?)</ins>', cell).group(1)
    assert shown == "新" * 300 + "…"
    assert cell.count("<details") == 1
    assert "The whole text, 20000 characters" in cell


def test_it_shortens_a_value_of_many_short_lines():
    text = "\n".join(f"第{n}行" for n in range(1, 21))

    shortened = history_selectors.preview(text)

    assert shortened == "\n".join(f"第{n}行" for n in range(1, 9)) + "…"
    assert history_selectors.preview("第1行\n第2行") == "第1行\n第2行"


def _organisation_history(client, language="en"):
    url = reverse("assessments:organisation-history", args=["org-a"])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _lock_out(user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": user.username, "password": "x"})


def test_it_shows_who_lifted_a_lockout_and_when(people, login, settings):
    _lock_out(people.assessor, settings)
    membership = people.assessor.memberships.get()
    client = login(people.admin)
    client.post(
        reverse("assessments:member-unlock", args=["org-a", membership.pk]),
    )

    body = _organisation_history(client)

    assert _entries(body)[0] == (
        "membership",
        f"Membership of {people.assessor.username} changed",
        "Lifted the lockout after too many failed logins.",
    )
    assert _rows(body)[0][1] == people.admin.username
    recorded = Membership.history.filter(id=membership.pk).latest("history_date")
    shown = timezone.localtime(recorded.history_date).strftime("%Y-%m-%d %H:%M:%S")
    assert f">{shown}</time>" in body
    assert "lockout-lifted" not in body


def test_it_shows_the_portal_as_the_author_of_a_members_lockout(
    people, login, settings
):
    _lock_out(people.assessor, settings)

    body = _organisation_history(login(people.admin))

    assert _entries(body)[0] == (
        "membership",
        f"Membership of {people.assessor.username} changed",
        "Locked out after too many failed logins; an administrator can lift the "
        "lockout.",
    )
    assert _rows(body)[0][1] == "the portal (failed logins)"
    assert "unknown" not in _rows(body)[0][1]


def test_it_shows_the_portal_as_the_author_of_an_auditors_lockout(
    people, login, settings
):
    _lock_out(people.auditor, settings)

    rows = _rows(_history(login(people.admin), people.assessment))

    assert (rows[0][0], rows[0][1]) == ("grant", "the portal (failed logins)")


def test_it_still_calls_an_author_it_does_not_know_unknown(people, login):
    membership = people.viewer.memberships.get()
    membership.role = "assessor"
    membership.save()

    rows = _rows(_organisation_history(login(people.admin)))

    assert (rows[0][0], rows[0][1]) == ("membership", "unknown")


def test_it_records_nothing_when_no_lockout_was_lifted(people):
    membership = people.assessor.memberships.get()
    versions = Membership.history.filter(id=membership.pk).count()

    membership_unlock(membership=membership, actor=people.admin)

    assert Membership.history.filter(id=membership.pk).count() == versions


def test_it_shows_who_deleted_a_draft(people, login):
    title = people.other.title
    services.assessment_delete(assessment=people.other, actor=people.admin)

    body = _organisation_history(login(people.admin))

    assert _entries(body)[0] == (
        "assessment",
        f"Assessment “{title}” deleted",
        "Deleted the draft with its answers and evidence.",
    )
    assert _rows(body)[0][1] == people.admin.username


def test_it_shows_who_imported_an_assessment(people, login, framework):
    services.assessment_create(
        organisation=people.org_a,
        framework=framework,
        title="导入的评估",
        scope="",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        actor=people.admin,
        reason=history_selectors.IMPORTED,
    )

    body = _organisation_history(login(people.admin))

    assert _entries(body)[0] == (
        "assessment",
        "Assessment “导入的评估” created",
        "Imported from an assessment file, as a draft.",
    )
    assert _rows(body)[0][1] == people.admin.username
    assert ("Period start", None, "2025-01-01") in _rows(body)[0][3]


def test_it_leaves_assessments_started_here_to_their_own_history(people, login):
    body = _organisation_history(login(people.admin))

    assert {kind for kind, *_rest in _entries(body)} == {"membership"}


def test_the_organisation_history_lists_the_events_in_chinese(people, login):
    services.assessment_delete(assessment=people.other, actor=people.admin)

    body = _organisation_history(login(people.admin), "zh-hans")

    assert _entries(body)[0][0] == "assessment"
    assert people.admin.username in _rows(body)[0][1]
