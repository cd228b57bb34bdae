"""The auditor's review: verdicts, comments and findings, in services and pages."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Comment, Finding, Review, Status, Verdict
from assessments.views.questionnaire import keep_comment_draft
from tests.assessments.assessment_factories import (
    FindingFactory,
    ReviewFactory,
    answer,
    answer_all,
    build_framework,
    requirement,
    set_status,
)


def _review_url(assessment, code):
    return reverse("assessments:review-record", args=[assessment.pk, code])


def _comment_url(assessment, code):
    return reverse("assessments:comment-add", args=[assessment.pk, code])


def _findings_url(assessment):
    return reverse("assessments:finding-list", args=[assessment.pk])


def _page(client, assessment, area="STR", language=None, **params):
    url = reverse("assessments:questionnaire", args=[assessment.pk, area])
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(url, params, **headers).content.decode()


def _shown(body):
    return re.findall(r'<article class="requirement panel" id="([^"]+)"', body)


# -- Verdicts in the service ---------------------------------------------------


def test_it_records_a_verdict_on_the_current_version(people):
    stored = answer(people.assessment, "STR-1.1", version=3)
    set_status(people.assessment)

    review = services.review_record(
        answer=stored, verdict=Verdict.ACCEPTED, comment="", actor=people.auditor
    )

    review.refresh_from_db()
    assert (review.verdict, review.answer_version, review.reviewer) == (
        "accepted",
        3,
        people.auditor,
    )
    assert review.counts_as_accepted


def test_it_replaces_the_earlier_verdict_of_an_answer(people):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    services.review_record(
        answer=stored,
        verdict="needs_information",
        comment="Who signed?",
        actor=people.auditor,
    )

    services.review_record(
        answer=stored, verdict="accepted", comment="", actor=people.auditor
    )

    assert list(Review.objects.values_list("verdict", "comment")) == [("accepted", "")]


@pytest.mark.parametrize("verdict", [Verdict.REJECTED, Verdict.NEEDS_INFORMATION])
def test_it_needs_a_reason_or_a_question(people, verdict):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment)

    with pytest.raises(ValidationError) as raised:
        services.review_record(
            answer=stored, verdict=verdict, comment="   ", actor=people.auditor
        )

    assert "comment" in raised.value.error_dict
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "status", [status for status in Status.values if status != Status.IN_REVIEW]
)
def test_it_records_verdicts_only_in_review(people, status):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment, status)

    with pytest.raises(services.ReviewClosed):
        services.review_record(
            answer=stored, verdict="accepted", comment="", actor=people.auditor
        )

    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "persona", ["admin", "assessor", "viewer", "expired", "outsider"]
)
def test_it_leaves_verdicts_to_the_granted_auditor(people, persona):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment)

    with pytest.raises(PermissionDenied):
        services.review_record(
            answer=stored,
            verdict="accepted",
            comment="",
            actor=getattr(people, persona),
        )

    assert not Review.objects.exists()


def test_it_refuses_the_auditor_an_assessment_not_granted(people):
    stored = answer(people.other, "STR-1.1")
    set_status(people.other)

    with pytest.raises(PermissionDenied):
        services.review_record(
            answer=stored, verdict="accepted", comment="", actor=people.auditor
        )

    assert not Review.objects.exists()


# -- Verdicts through the page -------------------------------------------------


def test_it_records_a_rejection_from_the_questionnaire(people, login):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)

    response = client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "rejected", "comment": "制度未经审批。"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("/modules/STR/#STR-1.1")
    review = Review.objects.get(answer=stored)
    assert (review.verdict, review.comment, review.reviewer) == (
        "rejected",
        "制度未经审批。",
        people.auditor,
    )
    body = _page(client, people.assessment)
    assert "制度未经审批。" in body
    assert 'data-verdict="rejected"' in body


def test_it_refuses_a_verdict_on_a_version_the_auditor_has_not_read(people):
    stored = answer(people.assessment, "STR-1.1", version=4)
    set_status(people.assessment)

    with pytest.raises(ValidationError) as refused:
        services.review_record(
            answer=stored,
            verdict=Verdict.ACCEPTED,
            comment="",
            actor=people.auditor,
            seen_version=3,
        )

    assert refused.value.code == "answer_changed"
    # The version read, then the current one.
    assert re.search(r"\b3\b.*\b4\b", refused.value.messages[0])
    assert not Review.objects.filter(answer=stored).exists()
    services.review_record(
        answer=stored,
        verdict=Verdict.ACCEPTED,
        comment="",
        actor=people.auditor,
        seen_version=4,
    )
    assert Review.objects.get(answer=stored).answer_version == 4


def test_it_refuses_a_verdict_on_a_version_the_answer_never_had(people):
    stored = answer(people.assessment, "STR-1.1", version=1)
    set_status(people.assessment)

    with pytest.raises(ValidationError) as refused:
        services.review_record(
            answer=stored,
            verdict=Verdict.ACCEPTED,
            comment="",
            actor=people.auditor,
            seen_version=5,
        )

    assert refused.value.code == "answer_changed"
    assert refused.value.messages[0].startswith("版本 5 不是该答复有过的版本")
    assert not Review.objects.filter(answer=stored).exists()


def test_the_verdict_form_names_the_version_read_and_a_stale_one_is_refused(
    people, login
):
    stored = answer(people.assessment, "STR-1.1", version=2)
    set_status(people.assessment)
    client = login(people.auditor)
    page = _page(client, people.assessment, language="en")
    form = page[page.index(f'action="{_review_url(people.assessment, "STR-1.1")}"') :]
    assert '<input type="hidden" name="answer_version" value="2">' in form[:600]

    # The assessors change the answer while the page stays open.
    stored.version = 3
    stored.save()
    response = client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "accepted", "comment": "", "answer_version": "2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert not Review.objects.filter(answer=stored).exists()
    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The answer changed after you opened the page" in body
    assert '<input type="hidden" name="answer_version" value="3">' in body


def test_it_shows_the_verdict_form_to_the_auditor_in_review_only(people, login):
    answer(people.assessment, "STR-1.1")
    form = f'action="{_review_url(people.assessment, "STR-1.1")}"'

    draft = _page(login(people.auditor), people.assessment)
    set_status(people.assessment)
    in_review = _page(login(people.auditor), people.assessment)
    assessor = _page(login(people.assessor), people.assessment)

    assert form not in draft
    assert form in in_review
    assert '<label for="STR-1.1-verdict-comment">' in in_review
    assert form not in assessor


def test_it_keeps_the_page_and_the_verdict_when_the_reason_is_missing(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)

    response = client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "rejected", "comment": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("#STR-1.1-review")
    assert body.count("Say why the answer is rejected") == 1
    review_form = body.split('id="STR-1.1-verdict-errors"')[1].split("</form>")[0]
    assert "Say why the answer is rejected" in review_form
    assert 'value="rejected" required checked' in review_form
    assert not Review.objects.exists()


def test_a_refused_verdict_off_the_filtered_page_says_why_at_the_top(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)
    page = reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])

    client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "rejected", "comment": "", "show": "unanswered"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = client.get(f"{page}?show=unanswered", HTTP_ACCEPT_LANGUAGE="en")

    text = body.content.decode()
    assert text.count("Say why the answer is rejected") == 1
    assert 'id="STR-1.1-verdict-errors"' not in text


def test_it_hides_the_review_of_a_grant_that_expired(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    grant = people.auditor.auditor_grants.get()
    grant.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    grant.save()
    client = login(people.auditor)

    post = client.post(
        _review_url(people.assessment, "STR-1.1"), {"verdict": "accepted"}
    )
    page = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])
    )

    assert (post.status_code, page.status_code) == (404, 404)
    assert not Review.objects.exists()


def test_it_answers_404_for_verdicts_on_an_assessment_not_granted(people, login):
    answer(people.other, "STR-1.1")
    set_status(people.other)

    response = login(people.auditor).post(
        _review_url(people.other, "STR-1.1"), {"verdict": "accepted"}
    )

    assert response.status_code == 404
    assert not Review.objects.exists()


# -- The verified reading ------------------------------------------------------


def test_it_verifies_exactly_what_the_auditor_accepted(people):
    assessment = people.assessment
    answers = {a.requirement.code: a for a in answer_all(assessment)}
    answers["STR-1.2"].status = "not_applicable"
    answers["STR-1.2"].justification = "不涉及。"
    answers["STR-1.2"].save()
    set_status(assessment)
    verdicts = dict.fromkeys(answers, Verdict.ACCEPTED)
    verdicts["STR-3.1"] = Verdict.REJECTED
    verdicts["STR-4.2"] = Verdict.NEEDS_INFORMATION
    del verdicts["STR-5.1"]
    for code, verdict in verdicts.items():
        ReviewFactory(
            answer=answers[code], verdict=verdict, comment="?", reviewer=people.auditor
        )

    readings = selectors.readings_of(assessment)

    # By hand: everything but the rejected, questioned and unreviewed answers;
    # STR then meets levels 1 and 2 (STR-1.2 does not apply, and was accepted)
    # and misses STR-3.1 on level 3. The lifecycle is untouched.
    expected = {code: a.status for code, a in answers.items()}
    for code in ["STR-3.1", "STR-4.2", "STR-5.1"]:
        del expected[code]
    assert selectors.verified_statuses(assessment) == expected
    assert readings.self_assessed.modules["STR"].level == 5
    assert readings.verified.modules["STR"].level == 2
    assert readings.verified.modules["LC"].level == 5
    assert readings.verified.organisation.level == 2
    assert readings.self_assessed.organisation.level == 5


def test_it_counts_a_not_applicable_answer_only_once_accepted(people):
    assessment = people.assessment
    satisfied = answer(assessment, "STR-1.1")
    not_applicable = answer(
        assessment, "STR-1.2", "not_applicable", evidence=False, justification="无"
    )
    set_status(assessment)
    ReviewFactory(answer=satisfied, reviewer=people.auditor)

    before = selectors.readings_of(assessment).verified.modules["STR"].level
    ReviewFactory(answer=not_applicable, reviewer=people.auditor)
    after = selectors.readings_of(assessment).verified.modules["STR"].level

    assert (before, after) == (0, 1)


def test_it_does_not_count_an_acceptance_of_an_older_version(people, login):
    assessment = people.assessment
    first = answer(assessment, "STR-1.1")
    second = answer(assessment, "STR-1.2")
    for accepted in (first, second):
        ReviewFactory(answer=accepted, reviewer=people.auditor)
    set_status(assessment, Status.RETURNED)
    assert selectors.readings_of(assessment).verified.modules["STR"].level == 1

    services.answer_save(
        assessment=assessment,
        requirement=first.requirement,
        status="satisfied",
        justification="Revised after the review.",
        base_version=first.version,
        actor=people.assessor,
    )

    assert set(selectors.verified_statuses(assessment)) == {"STR-1.2"}
    assert selectors.readings_of(assessment).verified.modules["STR"].level == 0
    body = _page(login(people.assessor), assessment, language="en")
    note = re.search(r"data-verdict-outdated( hidden)?>", body)
    assert note
    assert not note.group(1)
    assert "The answer changed after this verdict" in body


# -- Return, reply, resubmit ---------------------------------------------------


def test_it_keeps_earlier_verdicts_visible_after_resubmitting(people, login):
    assessment = people.assessment
    answers = {a.requirement.code: a for a in answer_all(assessment)}
    set_status(assessment)
    services.review_record(
        answer=answers["STR-2.1"],
        verdict="rejected",
        comment="制度未签发。",
        actor=people.auditor,
    )
    services.review_record(
        answer=answers["STR-2.2"],
        verdict="needs_information",
        comment="谁负责年度复核？",
        actor=people.auditor,
    )
    services.assessment_transition(
        assessment=assessment, name="return", actor=people.auditor, reason="见 STR-2"
    )

    returned = _page(login(people.assessor), assessment)
    services.answer_save(
        assessment=assessment,
        requirement=answers["STR-2.1"].requirement,
        status="satisfied",
        justification="已签发，见附件。",
        base_version=answers["STR-2.1"].version,
        actor=people.assessor,
    )
    services.comment_add(
        assessment=assessment,
        answer=answers["STR-2.2"],
        text="由合规部负责。",
        actor=people.assessor,
    )
    # Resubmitting needs the questioned answer revised too, not only replied to.
    services.answer_save(
        assessment=assessment,
        requirement=answers["STR-2.2"].requirement,
        status="satisfied",
        justification="合规部每年复核一次。",
        base_version=answers["STR-2.2"].version,
        actor=people.assessor,
    )
    for name, actor in [("submit", people.assessor), ("start_review", people.auditor)]:
        services.assessment_transition(assessment=assessment, name=name, actor=actor)

    again = _page(login(people.assessor), assessment)
    for body in (returned, again):
        assert "制度未签发。" in body
        assert "谁负责年度复核？" in body
    assert "由合规部负责。" in again
    assert list(
        Review.objects.order_by("answer__requirement__code").values_list(
            "verdict", "answer_version"
        )
    ) == [("rejected", 1), ("needs_information", 1)]
    # Both answers changed since; the auditor has to look at them again.
    assert len(re.findall(r"badge--outdated", again)) == 2


def test_it_filters_the_answers_rejected_or_questioned(people, login):
    assessment = people.assessment
    verdicts = {
        "STR-1.1": Verdict.REJECTED,
        "STR-1.2": Verdict.NEEDS_INFORMATION,
        "STR-2.1": Verdict.ACCEPTED,
    }
    for code in ["STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2"]:
        stored = answer(assessment, code)
        if code in verdicts:
            ReviewFactory(
                answer=stored,
                verdict=verdicts[code],
                comment="x",
                reviewer=people.auditor,
            )
    set_status(assessment, Status.RETURNED)
    client = login(people.assessor)

    rejected = _page(client, assessment, show="rejected")
    unreviewed = _page(client, assessment, show="unreviewed")

    assert _shown(rejected) == ["STR-1.1", "STR-1.2"]
    assert _shown(unreviewed) == ["STR-2.2"]
    assert "?show=rejected" in rejected


# -- Comments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("auditor", 302),
        ("admin", 302),
        ("assessor", 302),
        ("viewer", 403),
        ("expired", 404),
        ("outsider", 404),
    ],
)
def test_it_takes_comments_from_auditor_admins_and_assessors(
    people, login, persona, expected
):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(getattr(people, persona))

    response = client.post(
        _comment_url(people.assessment, "STR-1.1"),
        {"subject": "answer", "text": "请补充签批页。"},
    )

    assert response.status_code == expected
    texts = list(Comment.objects.values_list("text", "author"))
    if expected == 302:
        assert texts == [("请补充签批页。", getattr(people, persona).pk)]
    else:
        assert texts == []


def test_it_comments_on_an_evidence_item_of_the_answer(people, login):
    stored = answer(people.assessment, "STR-1.1")
    evidence = stored.evidence_links.get().evidence
    set_status(people.assessment)
    client = login(people.auditor)

    client.post(
        _comment_url(people.assessment, "STR-1.1"),
        {"subject": f"evidence-{evidence.pk}", "text": "扫描件不清晰。"},
    )

    comment = Comment.objects.get()
    assert (comment.answer, comment.evidence) == (stored, evidence)
    body = _page(client, people.assessment)
    assert "扫描件不清晰。" in body
    assert evidence.title in body


def test_it_refuses_a_comment_on_evidence_the_answer_does_not_use(people, login):
    answer(people.assessment, "STR-1.1")
    other = answer(people.assessment, "STR-1.2").evidence_links.get().evidence
    set_status(people.assessment)

    response = login(people.auditor).post(
        _comment_url(people.assessment, "STR-1.1"),
        {"subject": f"evidence-{other.pk}", "text": "?"},
    )

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_it_closes_comments_once_finalised(people):
    stored = answer(people.assessment, "STR-1.1")
    set_status(people.assessment, Status.FINALISED)

    with pytest.raises(services.ReviewClosed):
        services.comment_add(
            assessment=people.assessment,
            answer=stored,
            text="Too late.",
            actor=people.assessor,
        )

    assert not Comment.objects.exists()


def _refused_comment(client, assessment, code, subject, text, reason):
    """Keep a comment refused with ``reason`` for the next questionnaire page."""
    session = client.session
    request = SimpleNamespace(POST={"subject": subject, "text": text}, session=session)
    keep_comment_draft(request, assessment, code, ValidationError(reason))
    session.save()


def test_it_shows_a_refused_comment_in_its_form_opened(people, login):
    stored = answer(people.assessment, "STR-1.1")
    evidence = stored.evidence_links.get().evidence
    client = login(people.assessor)
    reason = "Comment: This field is required."
    subject = f"evidence-{evidence.pk}"
    _refused_comment(client, people.assessment, "STR-1.1", subject, "  ", reason)

    body = _page(client, people.assessment, language="en")

    assert body.count(reason) == 1
    opened = '<details class="comment-form" id="STR-1.1-comment-form" open>'
    form = body.split(opened)[1].split("</form>")[0]
    errors = '<ul class="errorlist" role="alert" id="STR-1.1-comment-errors">'
    assert f"{errors}<li>{reason}</li></ul>" in form
    assert f'value="{subject}" selected' in form
    assert 'aria-describedby="STR-1.1-comment-errors">  </textarea>' in form
    # Once: the next visit shows the form as it was.
    again = _page(client, people.assessment, language="en")
    assert reason not in again
    assert 'id="STR-1.1-comment-form" open' not in again


def test_a_refused_comment_off_the_filtered_page_says_why_at_the_top(people, login):
    answer(people.assessment, "STR-1.1")
    client = login(people.assessor)
    reason = "Comment: This field is required."
    _refused_comment(client, people.assessment, "STR-1.1", "answer", "", reason)

    body = _page(client, people.assessment, language="en", show="unanswered")

    assert body.count(reason) == 1
    assert "STR-1.1-comment-errors" not in body


def test_it_refuses_an_empty_comment(people):
    stored = answer(people.assessment, "STR-1.1")

    with pytest.raises(ValidationError) as raised:
        services.comment_add(
            assessment=people.assessment, answer=stored, text="  ", actor=people.admin
        )

    assert "text" in raised.value.error_dict


# -- Findings ------------------------------------------------------------------


def test_it_records_edits_and_deletes_a_finding(people, login):
    set_status(people.assessment)
    client = login(people.auditor)
    code = requirement(people.assessment, "STR-2.1")

    created = client.post(
        _findings_url(people.assessment),
        {
            "kind": "nonconformity",
            "severity": "high",
            "title": "风险偏好未经董事会批准",
            "requirement": code.pk,
            "description": "未见董事会决议。",
        },
    )
    finding = Finding.objects.get()
    edited = client.post(
        reverse("assessments:finding-update", args=[people.assessment.pk, finding.pk]),
        {"kind": "observation", "severity": "low", "title": "改为观察项"},
    )
    finding.refresh_from_db()
    state = (finding.kind, finding.severity, finding.title, finding.requirement)
    deleted = client.post(
        reverse("assessments:finding-delete", args=[people.assessment.pk, finding.pk])
    )

    assert [created.status_code, edited.status_code, deleted.status_code] == [302] * 3
    assert state == ("observation", "low", "改为观察项", None)
    assert not Finding.objects.exists()


def test_it_lists_findings_for_everyone_who_sees_the_assessment(people, login):
    FindingFactory(
        assessment=people.assessment,
        requirement=requirement(people.assessment, "STR-1.1"),
        title="缺少年度复核记录",
        created_by=people.auditor,
    )

    body = login(people.viewer).get(_findings_url(people.assessment)).content.decode()

    assert "缺少年度复核记录" in body
    assert "STR-1.1" in body
    assert 'name="title"' not in body


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 403),
        ("assessor", 403),
        ("viewer", 403),
        ("expired", 404),
        ("outsider", 404),
    ],
)
def test_it_refuses_findings_to_anyone_but_the_auditor(
    people, login, persona, expected
):
    set_status(people.assessment)
    finding = FindingFactory(assessment=people.assessment, created_by=people.auditor)
    client = login(getattr(people, persona))
    data = {"kind": "observation", "severity": "low", "title": "x"}

    responses = [
        client.post(_findings_url(people.assessment), data),
        client.post(
            reverse(
                "assessments:finding-update", args=[people.assessment.pk, finding.pk]
            ),
            data,
        ),
        client.post(
            reverse(
                "assessments:finding-delete", args=[people.assessment.pk, finding.pk]
            )
        ),
    ]

    assert [response.status_code for response in responses] == [expected] * 3
    assert list(Finding.objects.values_list("title", flat=True)) == [finding.title]


@pytest.mark.parametrize(
    "status", [status for status in Status.values if status != Status.IN_REVIEW]
)
def test_it_changes_findings_only_in_review(people, status):
    finding = FindingFactory(assessment=people.assessment, created_by=people.auditor)
    set_status(people.assessment, status)

    with pytest.raises(services.ReviewClosed):
        services.finding_create(
            assessment=people.assessment,
            kind="observation",
            severity="low",
            title="x",
            actor=people.auditor,
        )
    with pytest.raises(services.ReviewClosed):
        services.finding_update(finding=finding, title="y", actor=people.auditor)
    with pytest.raises(services.ReviewClosed):
        services.finding_delete(finding=finding, actor=people.auditor)

    assert list(Finding.objects.values_list("title", flat=True)) == [finding.title]


def test_it_refuses_a_finding_about_another_standard(people):
    set_status(people.assessment)
    foreign = build_framework(code="OTHER").requirements.first()

    with pytest.raises(ValidationError) as raised:
        services.finding_create(
            assessment=people.assessment,
            requirement=foreign,
            kind="observation",
            severity="low",
            title="x",
            actor=people.auditor,
        )

    assert "requirement" in raised.value.error_dict
    assert not Finding.objects.exists()


def test_it_names_the_field_of_a_bad_finding(people):
    set_status(people.assessment)

    with pytest.raises(ValidationError) as raised:
        services.finding_create(
            assessment=people.assessment,
            kind="gossip",
            severity="urgent",
            title=" ",
            actor=people.auditor,
        )

    assert set(raised.value.error_dict) == {"kind", "severity", "title"}


def test_it_offers_a_finding_about_a_requirement_from_the_questionnaire(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)
    target = requirement(people.assessment, "STR-1.1")

    page = _page(client, people.assessment)
    form = client.get(
        _findings_url(people.assessment), {"requirement": "STR-1.1"}
    ).content.decode()

    assert f"{_findings_url(people.assessment)}?requirement=STR-1.1" in page
    assert f'<option value="{target.pk}" selected>' in form


# -- Accepting a whole page --------------------------------------------------------


def _accept_url(assessment, area="STR"):
    return reverse("assessments:review-accept-unreviewed", args=[assessment.pk, area])


def _page_to_accept(people):
    """Answer STR with every kind of verdict; LC-S1-1.1 lies on another page."""
    assessment = people.assessment
    answers = {
        code: answer(assessment, code)
        for code in ["STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2", "STR-3.1"]
    }
    answers["LC-S1-1.1"] = answer(assessment, "LC-S1-1.1")
    answers["STR-3.2"] = answer(assessment, "STR-3.2", status="", evidence=False)
    ReviewFactory(
        answer=answers["STR-1.2"],
        verdict=Verdict.REJECTED,
        comment="不足。",
        reviewer=people.auditor,
    )
    # Rejected on an earlier version: still the auditor's to look at alone.
    ReviewFactory(
        answer=answers["STR-2.1"],
        verdict=Verdict.REJECTED,
        comment="不足。",
        answer_version=0,
        reviewer=people.auditor,
    )
    # Accepted on an earlier version: awaits a verdict on this one.
    ReviewFactory(answer=answers["STR-2.2"], answer_version=0, reviewer=people.auditor)
    set_status(assessment)
    return assessment


def _verdicts(assessment):
    return {
        review.answer.requirement.code: (review.verdict, review.is_current)
        for review in Review.objects.filter(
            answer__assessment=assessment
        ).select_related("answer__requirement")
    }


def test_it_accepts_only_the_answers_of_the_page_awaiting_a_verdict(people):
    assessment = _page_to_accept(people)

    accepted = services.review_accept_unreviewed(
        assessment=assessment, area="STR", actor=people.auditor
    )

    assert accepted.left == []
    assert sorted(r.answer.requirement.code for r in accepted.reviews) == [
        "STR-1.1",
        "STR-2.2",
        "STR-3.1",
    ]
    assert _verdicts(assessment) == {
        "STR-1.1": ("accepted", True),
        "STR-1.2": ("rejected", True),
        "STR-2.1": ("rejected", False),
        "STR-2.2": ("accepted", True),
        "STR-3.1": ("accepted", True),
    }
    review = Review.objects.get(answer__requirement__code="STR-1.1")
    assert review.reviewer == people.auditor
    assert review.history.get().history_user == people.auditor


def test_it_leaves_the_answers_changed_since_the_page_was_read(people):
    assessment = _page_to_accept(people)
    read = dict(
        assessment.answers.filter(
            requirement__code__in=["STR-1.1", "STR-2.2", "STR-3.1"]
        ).values_list("pk", "version")
    )
    changed = assessment.answers.get(requirement__code="STR-3.1")
    changed.version += 1
    changed.save()

    accepted = services.review_accept_unreviewed(
        assessment=assessment, area="STR", actor=people.auditor, seen=read
    )

    assert sorted(r.answer.requirement.code for r in accepted.reviews) == [
        "STR-1.1",
        "STR-2.2",
    ]
    assert accepted.left == ["STR-3.1"]
    assert "STR-3.1" not in _verdicts(assessment)


def test_accepting_a_page_says_which_answers_were_left(people, login):
    assessment = _page_to_accept(people)
    client = login(people.auditor)
    body = _page(client, assessment, language="en")
    seen = re.findall(r'<input type="hidden" name="seen" value="([0-9:]+)">', body)
    assert len(seen) == 3
    changed = assessment.answers.get(requirement__code="STR-1.1")
    changed.version += 1
    changed.save()

    response = client.post(
        _accept_url(assessment), {"seen": seen}, HTTP_ACCEPT_LANGUAGE="en"
    )

    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accepted 2 answers on this page." in body
    assert (
        "1 answer changed after you opened the page and was left for you to "
        "read: STR-1.1."
    ) in body
    assert "STR-1.1" not in _verdicts(assessment)


@pytest.mark.parametrize("role", ["admin", "assessor", "viewer"])
def test_it_lets_only_the_auditor_accept_a_page(people, role):
    assessment = _page_to_accept(people)

    with pytest.raises(PermissionDenied):
        services.review_accept_unreviewed(
            assessment=assessment, area="STR", actor=getattr(people, role)
        )

    assert "STR-1.1" not in _verdicts(assessment)


def test_it_accepts_a_page_only_in_review(people):
    assessment = _page_to_accept(people)
    set_status(assessment, Status.RETURNED)

    with pytest.raises(services.ReviewClosed):
        services.review_accept_unreviewed(
            assessment=assessment, area="STR", actor=people.auditor
        )

    assert "STR-1.1" not in _verdicts(assessment)


def test_it_offers_and_confirms_accepting_a_page(people, login):
    assessment = _page_to_accept(people)
    client = login(people.auditor)

    body = _page(client, assessment, language="en")
    assert "Accept the 3 answers on this page not yet reviewed" in body
    assert f'action="{_accept_url(assessment)}"' in body
    # The button asks first, as the page's other buttons acting on many do.
    assert (
        'data-confirm="Accept 3 answers on this page as they stand? A verdict is '
        "recorded for each, which you can change while the assessment is in "
        'review."'
    ) in body
    seen = re.findall(r'<input type="hidden" name="seen" value="([0-9:]+)">', body)

    response = client.post(
        _accept_url(assessment), {"seen": seen}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "assessments:questionnaire", args=[assessment.pk, "STR"]
    )
    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    body = body.content.decode()
    assert "Accepted 3 answers on this page." in body
    assert "answers on this page not yet reviewed" not in body
    assert _verdicts(assessment)["STR-3.1"] == ("accepted", True)


def test_it_offers_page_acceptance_only_where_the_filter_lists_what_it_accepts(
    people, login
):
    assessment = _page_to_accept(people)
    client = login(people.auditor)
    page = reverse("assessments:questionnaire", args=[assessment.pk, "STR"])
    action = f'action="{_accept_url(assessment)}"'

    offered = {
        selected: action
        in client.get(f"{page}?show={selected}" if selected else page).content.decode()
        for selected in ("", "unreviewed", "not_satisfied", "rejected")
    }

    assert offered == {
        "": True,
        "unreviewed": True,
        "not_satisfied": False,
        "rejected": False,
    }


def test_it_offers_no_page_acceptance_to_the_assessors(people, login):
    assessment = _page_to_accept(people)

    body = _page(login(people.assessor), assessment, language="en")
    response = login(people.assessor).post(_accept_url(assessment))

    assert "not yet reviewed" not in body
    assert response.status_code == 403
    assert "STR-1.1" not in _verdicts(assessment)


# -- A refused verdict shown again -------------------------------------------------


def test_it_keeps_a_refused_verdict_and_its_text(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)

    response = client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "rejected", "comment": "   "},
        follow=True,
    )
    body = response.content.decode()
    assert re.search(r'value="rejected" required checked', body)
    assert not re.search(r'value="accepted" required checked', body)

    # No verdict chosen: the typed text is kept all the same.
    client.post(_review_url(people.assessment, "STR-1.1"), {"comment": "草稿问题"})
    body = _page(client, people.assessment)
    assert "草稿问题</textarea>" in body
    assert "required checked" not in body
    assert not Review.objects.filter(answer__assessment=people.assessment).exists()

    body = _page(client, people.assessment)
    assert "草稿问题" not in body
    assert "checked" not in body.split('id="STR-1.1"')[1].split("</article>")[0]


def test_it_shows_the_auditor_no_notice_meant_for_the_assessors(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)

    auditor_page = _page(login(people.auditor), people.assessment, language="en")
    assessor_page = _page(login(people.assessor), people.assessment, language="en")

    notice = "The answers can no longer be changed in this status."
    assert notice not in auditor_page
    assert notice in assessor_page


# -- Lengths of what the auditor and the assessors write ----------------------


def _too_long(label, count, limit):
    return f"“{label}” is too long ({count} characters); shorten it to at most {limit}."


def test_it_refuses_a_verdict_comment_past_its_limit(people, login):
    answer(people.assessment, "STR-1.1")
    set_status(people.assessment)
    client = login(people.auditor)

    response = client.post(
        _review_url(people.assessment, "STR-1.1"),
        {"verdict": "rejected", "comment": "x" * 10_001},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert body.count(_too_long("Reason or question", 10_001, 10_000)) == 1
    assert not Review.objects.exists()


def test_it_refuses_a_comment_past_its_limit(people, login):
    answer(people.assessment, "STR-1.1")
    client = login(people.assessor)

    response = client.post(
        _comment_url(people.assessment, "STR-1.1"),
        {"subject": "answer", "text": "x" * 10_001},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert body.count(_too_long("Comment", 10_001, 10_000)) == 1
    assert not Comment.objects.exists()


def test_it_refuses_a_finding_description_past_its_limit(people, login):
    set_status(people.assessment)
    client = login(people.auditor)

    response = client.post(
        _findings_url(people.assessment),
        {
            "kind": "observation",
            "severity": "low",
            "title": "Monitoring",
            "description": "x" * 20_001,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert body.count(_too_long("Description", 20_001, 20_000)) == 1
    assert not Finding.objects.exists()


def test_the_assessors_reply_to_an_objection_and_the_auditor_comments(people, login):
    ReviewFactory(
        answer=answer(people.assessment, "STR-1.1"),
        verdict=Verdict.REJECTED,
        comment="证据不足。",
        reviewer=people.auditor,
    )
    set_status(people.assessment, Status.IN_REVIEW)
    form = '<details class="comment-form" id="STR-1.1-comment-form"'

    assessor = _page(login(people.assessor), people.assessment, language="en")
    auditor = _page(login(people.auditor), people.assessment, language="en")

    assert f"{form} open>\n        <summary>Reply</summary>" in assessor
    assert f"{form}>\n        <summary>Write a comment</summary>" in auditor
