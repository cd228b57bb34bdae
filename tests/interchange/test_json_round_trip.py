"""Exporting an assessment as JSON and importing it into another organisation."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.interchange import json_io, services
from assessments.interchange.errors import FileRefused
from assessments.models import (
    Answer,
    Assessment,
    Comment,
    Evidence,
    EvidenceLink,
    Review,
    Status,
)
from assessments.selectors import (
    assessment_score,
    readings_of,
    targets_of,
    verified_statuses,
)
from assessments.selectors.history import IMPORTED
from tests.assessments.assessment_factories import fingerprint
from tests.interchange.interchange_helpers import ENGLISH


def answers_of(assessment):
    return sorted(
        assessment.answers.values_list(
            "requirement__code", "status", "justification", "version"
        )
    )


def readings(assessment):
    return (
        assessment_score(assessment).to_dict(),
        assessment_score(assessment, verified_statuses(assessment)).to_dict(),
    )


def exported(assessment):
    """Return the assessment file of ``assessment`` as a fresh JSON object."""
    return json.loads(json_io.dump(json_io.export_document(assessment)))


def import_(importer, document, **kwargs):
    return services.assessment_import(
        organisation=importer.org, document=document, actor=importer.admin, **kwargs
    )


def verdict_comments(assessment):
    return Comment.objects.filter(
        assessment=assessment, text__startswith="[Verdict from the imported file: "
    )


def test_it_reproduces_answers_and_the_self_assessed_reading(filled, importer):
    source = filled.assessment
    Assessment.objects.filter(pk=source.pk).update(status=Status.IN_REVIEW)

    result = import_(importer, exported(source), with_reviews=True)

    copy = result.assessment
    assert copy.organisation == importer.org
    assert copy.status == Status.DRAFT
    assert copy.title == source.title
    assert (copy.period_start, copy.period_end) == (
        source.period_start,
        source.period_end,
    )
    assert targets_of(copy) == targets_of(source)
    assert answers_of(copy) == answers_of(source)
    assert readings(copy)[0] == readings(source)[0]
    assert readings(copy)[0]["modules"]["STR"]["level"] == 2
    assert set(copy.findings.values_list("title", "severity", "requirement__code")) == {
        ("监测缺失", "high", "LC-S2-1.1"),
        ("总体良好", "low", None),
    }


def test_reviews_come_in_as_comments_and_the_copy_is_not_audited(filled, importer):
    source = filled.assessment

    result = import_(importer, exported(source), with_reviews=True)

    copy = result.assessment
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert verified_statuses(copy) == {}
    standing = readings_of(copy)
    assert standing.verified is None
    assert standing.audited is False
    assert result.reviews_as_comments == 6
    assert verdict_comments(copy).count() == 6
    assert result.comments == 2
    assert copy.comments.count() == 8


def test_each_verdict_comment_names_the_verdict_version_and_reviewer(
    filled, importer, people
):
    result = import_(importer, exported(filled.assessment), with_reviews=True)

    texts = {
        comment.answer.requirement.code: comment.text
        for comment in verdict_comments(result.assessment).select_related(
            "answer__requirement"
        )
    }
    assert sorted(texts) == [
        "LC-S1-1.1",
        "LC-S2-1.1",
        "STR-1.1",
        "STR-1.2",
        "STR-2.1",
        "STR-2.2",
    ]
    byline = f"; {people.auditor.username}, "
    assert texts["STR-2.2"].startswith(
        "[Verdict from the imported file: Accepted, on answer version 3" + byline
    )
    assert "\n" not in texts["STR-2.2"]
    rejected, reason = texts["LC-S2-1.1"].split("\n")
    assert rejected.startswith(
        "[Verdict from the imported file: Rejected, on answer version 1" + byline
    )
    assert rejected.endswith("]")
    assert reason == "证据不足"
    assert {comment.author for comment in verdict_comments(result.assessment)} == {
        importer.admin
    }


def test_a_verdict_without_reviewer_or_time_has_no_byline(filled, importer):
    document = exported(filled.assessment)
    for entry in document["reviews"]:
        del entry["reviewer"], entry["reviewed_at"]

    result = import_(importer, document, with_reviews=True)

    on_str_2_2 = verdict_comments(result.assessment).get(
        answer__requirement__code="STR-2.2"
    )
    assert on_str_2_2.text == (
        "[Verdict from the imported file: Accepted, on answer version 3]"
    )


def test_a_file_edited_to_accept_everything_makes_no_verified_level(
    filled, importer, login
):
    document = exported(filled.assessment)
    for entry in document["answers"]:
        entry["status"] = "satisfied"
    document["reviews"] = [
        {
            "requirement": entry["requirement"],
            "verdict": "accepted",
            "comment": "",
            "answer_version": entry["version"],
            "reviewer": "auditor1",
            "reviewed_at": "2025-06-30T10:00:00+08:00",
        }
        for entry in document["answers"]
    ]
    client = login(importer.admin)

    response = _post(
        client, importer.org, json.dumps(document).encode(), with_reviews="on"
    )

    copy = Assessment.objects.get(organisation=importer.org)
    assert response.status_code == 302
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert readings_of(copy).verified is None
    assert readings(copy)[1]["organisation"]["level"] == 0
    assert verdict_comments(copy).count() == len(document["answers"])
    page = client.get(response.url, **ENGLISH).content.decode()
    assert "Not audited yet" in page
    assert "7 verdicts from the file came in as comments on their answers" in page


def test_without_reviews_the_verified_reading_starts_empty(filled, importer):
    result = import_(importer, exported(filled.assessment))

    copy = result.assessment
    assert answers_of(copy) == answers_of(filled.assessment)
    assert readings(copy)[0] == readings(filled.assessment)[0]
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert not copy.findings.exists()
    assert not copy.comments.exists()
    assert readings(copy)[1]["organisation"]["level"] == 0


def _spoil_reviews_findings_and_comments(document):
    document["reviews"][0].update(verdict="maybe", answer_version=-1)
    document["reviews"].append({"requirement": "STR-9.9", "verdict": "accepted"})
    document["reviews"].append("not an object")
    document["findings"][0].update(kind="praise", title="")
    document["comments"][0].update(evidence=999, text="x" * 10_001)
    document["comments"].append({"requirement": None, "evidence": None})


def test_without_reviews_their_content_cannot_refuse_the_file(filled, importer):
    document = exported(filled.assessment)
    _spoil_reviews_findings_and_comments(document)

    result = import_(importer, document)

    copy = result.assessment
    assert answers_of(copy) == answers_of(filled.assessment)
    assert (result.reviews_as_comments, result.findings, result.comments) == (0, 0, 0)
    assert not copy.comments.exists()
    assert not copy.findings.exists()


def test_with_reviews_their_content_is_still_checked(filled, importer):
    document = exported(filled.assessment)
    _spoil_reviews_findings_and_comments(document)
    before = fingerprint()

    with pytest.raises(FileRefused) as refused:
        import_(importer, document, with_reviews=True)

    messages = refused.value.messages
    assert any(m.startswith("reviews[0].verdict") for m in messages)
    assert any(m.startswith("findings[0].kind") for m in messages)
    assert any(m.startswith("comments[0].evidence") for m in messages)
    assert fingerprint() == before


@pytest.mark.parametrize("key", ["reviews", "findings", "comments"])
def test_without_reviews_each_part_must_still_be_a_list(filled, importer, key):
    document = exported(filled.assessment)
    document[key] = {"STR-1.1": "accepted"}

    with pytest.raises(FileRefused) as refused:
        import_(importer, document)

    assert refused.value.messages == [f"{key}: must be a list."]
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_the_import_page_without_verdicts_takes_a_file_with_bad_reviews(
    filled, importer, login
):
    document = exported(filled.assessment)
    _spoil_reviews_findings_and_comments(document)
    client = login(importer.admin)

    response = _post(client, importer.org, json.dumps(document).encode())

    copy = Assessment.objects.get(organisation=importer.org)
    assert response.status_code == 302
    assert response.url == copy.get_absolute_url()
    assert not copy.comments.exists()


def test_the_history_names_the_importer(filled, importer):
    result = import_(importer, exported(filled.assessment), with_reviews=True)

    copy = result.assessment
    answers = Answer.history.filter(assessment_id=copy.pk)
    comments = Comment.history.filter(assessment_id=copy.pk)
    assert answers.count() == 7
    assert {entry.history_user_id for entry in answers} == {importer.admin.pk}
    assert comments.count() == 8
    assert {entry.history_user_id for entry in comments} == {importer.admin.pk}
    assert not Review.history.filter(answer__assessment_id=copy.pk).exists()


def test_the_organisation_history_lists_the_import(filled, importer, login):
    copy = import_(importer, exported(filled.assessment)).assessment

    response = login(importer.admin).get(
        reverse("assessments:organisation-history", args=[importer.org.slug]),
        **ENGLISH,
    )

    assert copy.history.earliest().history_change_reason == IMPORTED
    assert "Imported from an assessment file, as a draft." in response.text


def test_comments_name_their_original_author(filled, importer, people):
    document = exported(filled.assessment)
    document["comments"][0]["written_at"] = "2025-06-30T10:00:00+08:00"

    result = import_(importer, document, with_reviews=True)

    comments = list(Comment.objects.filter(assessment=result.assessment))
    assert {comment.author for comment in comments} == {importer.admin}
    on_answer = Comment.objects.exclude(pk__in=verdict_comments(result.assessment)).get(
        assessment=result.assessment, answer__isnull=False
    )
    assert on_answer.answer.requirement.code == "STR-2.2"
    assert on_answer.text == (
        f"[Imported comment, originally written by {people.auditor.username} on "
        "2025-06-30 10:00]\n请补充最新版本。"
    )
    on_link = Comment.objects.get(assessment=result.assessment, evidence__isnull=False)
    assert on_link.evidence.title == "治理制度"
    assert on_link.text.startswith(
        f"[Imported comment, originally written by {people.assessor.username} on "
    )


def test_imported_comments_bear_the_time_of_the_import(filled, importer):
    """Shown under the importer's name, the original time would be theirs."""
    document = exported(filled.assessment)
    document["comments"][0]["written_at"] = "2025-06-30T10:00:00+08:00"
    for entry in document["reviews"]:
        entry["reviewed_at"] = "2025-06-29T09:00:00+08:00"
    started = timezone.now()

    result = import_(importer, document, with_reviews=True)

    times = set(
        Comment.objects.filter(assessment=result.assessment).values_list(
            "created_at", flat=True
        )
    )
    assert len(times) == 1
    assert times.pop() >= started


def test_the_page_shows_the_importer_at_the_import_and_the_original_author(
    filled, importer, login, people
):
    document = exported(filled.assessment)
    document["comments"][0]["written_at"] = "2025-06-30T10:00:00+08:00"
    result = import_(importer, document, with_reviews=True)
    importer.admin.first_name, importer.admin.last_name = "Admin", "C"
    importer.admin.save()
    imported_at = timezone.localtime(
        Comment.objects.filter(assessment=result.assessment).first().created_at
    )

    body = (
        login(importer.admin)
        .get(
            reverse("assessments:questionnaire", args=[result.assessment.pk, "STR"]),
            **ENGLISH,
        )
        .content.decode()
    )

    assert (
        '<p class="comment__meta"><strong>Admin C</strong> '
        f'<span class="muted">{imported_at:%Y-%m-%d %H:%M}</span>'
    ) in body
    assert "2025-06-30 10:00</span>" not in body
    assert (
        f"[Imported comment, originally written by {people.auditor.username} on "
        "2025-06-30 10:00]"
    ) in body


def test_imported_comments_keep_the_order_they_were_written_in(filled, importer):
    document = exported(filled.assessment)
    document["comments"][0]["written_at"] = "2025-06-30T10:00:00+08:00"
    for entry in document["reviews"]:
        entry["reviewed_at"] = "2025-07-01T09:00:00+08:00"

    result = import_(importer, document, with_reviews=True)

    on_str_2_2 = Comment.objects.filter(
        assessment=result.assessment, answer__requirement__code="STR-2.2"
    )
    assert [comment.text.split(",")[0] for comment in on_str_2_2] == [
        "[Imported comment",
        "[Verdict from the imported file: Accepted",
    ]


@pytest.mark.parametrize(
    ("author", "written_at", "first_line"),
    [
        ("auditor1", None, "[Imported comment, originally written by auditor1]"),
        (
            "",
            "2025-06-30T02:00:00+00:00",
            "[Imported comment, originally written on 2025-06-30 10:00]",
        ),
        (None, None, "[Imported comment; the file does not name its author]"),
    ],
)
def test_an_imported_comment_says_what_the_file_tells_of_its_origin(
    filled, importer, author, written_at, first_line
):
    document = exported(filled.assessment)
    document["comments"][0].update(author=author, written_at=written_at)

    result = import_(importer, document, with_reviews=True)

    on_answer = Comment.objects.exclude(pk__in=verdict_comments(result.assessment)).get(
        assessment=result.assessment, answer__isnull=False
    )
    assert on_answer.text == f"{first_line}\n请补充最新版本。"


def test_json_carries_links_and_notes_but_no_files(filled, importer):
    source = filled.assessment

    result = import_(importer, exported(source))

    copy = result.assessment
    assert result.files_left_out == 1
    kinds = sorted(
        Evidence.objects.filter(assessment=copy).values_list("kind", "title")
    )
    assert ("link", "治理制度") in kinds
    assert not Evidence.objects.filter(assessment=copy, kind="file").exists()
    link = Evidence.objects.get(assessment=copy, kind="link")
    assert link.url == "https://intranet.example.com/policy"
    assert list(link.links.values_list("answer__requirement__code", flat=True)) == [
        "STR-2.2"
    ]
    notes = EvidenceLink.objects.filter(
        answer__assessment=copy, evidence__kind="note"
    ).count()
    assert (
        notes
        == EvidenceLink.objects.filter(
            answer__assessment=source, evidence__kind="note"
        ).count()
    )


def test_the_export_describes_evidence_with_its_hash(filled):
    document = exported(filled.assessment)

    files = [item for item in document["evidence"] if item["kind"] == "file"]
    assert len(files) == 1
    assert files[0]["sha256"] == filled.document.sha256
    assert files[0]["requirements"] == ["STR-1.1", "STR-2.1"]
    assert files[0]["content_type"] == "application/pdf"
    assert document["framework"] == {"code": "TST", "version": "1"}
    assert document["format"] == "aimrg-assessment"
    assert document["format_version"] == 1


def test_the_export_gives_its_moments_in_the_portals_time_zone(filled, settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    document = exported(filled.assessment)

    moments = [
        document["exported_at"],
        *(entry["reviewed_at"] for entry in document["reviews"]),
        *(entry["recorded_at"] for entry in document["findings"]),
        *(entry["written_at"] for entry in document["comments"]),
    ]
    assert len(moments) > 3
    assert all(moment.endswith("+08:00") for moment in moments), moments


def test_an_unknown_framework_version_is_refused(filled, importer):
    document = exported(filled.assessment)
    document["framework"]["version"] = "9.9"
    before = fingerprint()

    with pytest.raises(FileRefused) as refused:
        import_(importer, document)

    assert "version 9.9 of TST, which is not installed here" in str(refused.value)
    assert "installed: 1" in str(refused.value)
    assert fingerprint() == before


def test_a_newer_format_version_is_refused(filled, importer):
    document = exported(filled.assessment)
    document["format_version"] = 2

    with pytest.raises(FileRefused, match="version 2 of the assessment format"):
        import_(importer, document)


def test_one_bad_entry_applies_nothing_and_every_problem_is_listed(filled, importer):
    document = exported(filled.assessment)
    document["answers"][1]["status"] = "done"
    document["answers"].append({"requirement": "STR-9.9", "status": "satisfied"})
    document["reviews"][0]["verdict"] = "maybe"
    before = fingerprint()

    with pytest.raises(FileRefused) as refused:
        import_(importer, document, with_reviews=True)

    messages = refused.value.messages
    assert any(
        m.startswith('answers[1].status: unknown value "done"') for m in messages
    )
    assert any("STR-9.9" in m and m.startswith("answers[7]") for m in messages)
    assert any(m.startswith("reviews[0].verdict") for m in messages)
    assert fingerprint() == before


def test_only_an_administrator_imports(filled, importer):
    document = exported(filled.assessment)

    with pytest.raises(PermissionDenied):
        services.assessment_import(
            organisation=importer.org, document=document, actor=importer.assessor
        )
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def _post(client, org, content, name="assessment.json", **data):
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(
        reverse("interchange:assessment-import", args=[org.slug]),
        {"file": upload, **data},
        **ENGLISH,
    )


def test_the_import_page_creates_a_draft(filled, importer, login):
    content = json_io.dump(json_io.export_document(filled.assessment))
    client = login(importer.admin)

    response = _post(client, importer.org, content, with_reviews="on")

    copy = Assessment.objects.get(organisation=importer.org)
    assert response.status_code == 302
    assert response.url == copy.get_absolute_url()
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert verdict_comments(copy).count() == 6
    page = client.get(response.url, **ENGLISH).content.decode()
    assert "as a new draft: 7 answers, " in page
    assert "6 verdicts from the file came in as comments on their answers" in page
    assert "reviews." not in page
    assert "1 file item was left out" in page


def test_the_import_page_lists_what_is_wrong(filled, importer, login):
    document = exported(filled.assessment)
    document["assessment"]["period_end"] = "2024-01-01"
    client = login(importer.admin)

    response = _post(client, importer.org, json.dumps(document).encode())

    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported. Correct the file and upload it again:" in body
    assert "The period cannot end before it starts." in body
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_the_import_page_refuses_what_is_not_json(importer, login):
    client = login(importer.admin)

    response = _post(client, importer.org, b"%PDF-1.4 not json")

    assert response.status_code == 400
    assert "The file is not JSON" in response.content.decode()


@pytest.mark.parametrize("persona", ["assessor", "viewer"])
def test_members_who_are_not_administrators_get_403(importer, login, persona):
    client = login(getattr(importer, persona))

    response = client.get(reverse("interchange:assessment-import", args=["org-c"]))

    assert response.status_code == 403


def test_other_organisations_get_404(importer, people, login):
    client = login(people.admin)

    response = client.get(reverse("interchange:assessment-import", args=["org-c"]))

    assert response.status_code == 404


def test_texts_and_dates_past_their_bounds_are_refused(filled, importer):
    document = exported(filled.assessment)
    part = document["assessment"]
    part["scope"] = "x" * 10_001
    part["period_start"], part["period_end"] = "0001-01-01", "0001-12-31"
    note = next(
        index
        for index, item in enumerate(document["evidence"])
        if item["kind"] == "note"
    )
    document["evidence"][note].update(
        note="x" * 20_001, description="x" * 20_001, effective_from="9999-12-31"
    )
    document["answers"][0]["justification"] = "x" * 20_001
    document["reviews"][0]["comment"] = "x" * 10_001
    document["findings"][0]["description"] = "x" * 20_001
    document["comments"][0]["text"] = "x" * 10_001
    before = fingerprint()

    with pytest.raises(FileRefused) as refused:
        import_(importer, document, with_reviews=True)

    in_years = "must be a date in the years 1990 to 2100."
    assert sorted(refused.value.messages) == sorted(
        [
            "assessment.scope: must be at most 10000 characters long.",
            f"assessment.period_start: {in_years}",
            f"assessment.period_end: {in_years}",
            f"evidence[{note}].note: must be at most 20000 characters long.",
            f"evidence[{note}].description: must be at most 20000 characters long.",
            f"evidence[{note}].effective_from: {in_years}",
            "answers[0].justification: must be at most 20000 characters long.",
            "reviews[0].comment: must be at most 10000 characters long.",
            "findings[0].description: must be at most 20000 characters long.",
            "comments[0].text: must be at most 10000 characters long.",
        ]
    )
    assert fingerprint() == before


def test_a_title_the_organisation_uses_is_marked_as_imported(filled, importer):
    document = exported(filled.assessment)

    titles = [import_(importer, document).assessment.title for _ in range(3)]

    assert titles == [
        "2025 年度评估",
        "2025 年度评估 (imported)",
        "2025 年度评估 (imported 2)",
    ]


def test_the_mark_is_made_for_the_title_written_otherwise(filled, importer):
    import_(importer, exported(filled.assessment))
    document = exported(filled.assessment)
    document["assessment"]["title"] = " 2025 年度评估"

    result = import_(importer, document)

    assert result.assessment.title == " 2025 年度评估 (imported)"
    assert result.renamed_from == " 2025 年度评估"


def test_an_unused_title_is_kept(filled, importer):
    result = import_(importer, exported(filled.assessment))

    assert result.assessment.title == filled.assessment.title
    assert result.renamed_from == ""


def test_a_marked_title_keeps_within_the_length_of_a_title(filled, importer):
    document = exported(filled.assessment)
    document["assessment"]["title"] = "评" * 200
    import_(importer, document)

    result = import_(importer, document)

    title = result.assessment.title
    assert len(title) == 200
    assert title == "评" * 189 + " (imported)"


def test_the_import_page_says_the_title_was_marked(filled, importer, login):
    content = json_io.dump(json_io.export_document(filled.assessment))
    client = login(importer.admin)
    _post(client, importer.org, content)

    response = _post(client, importer.org, content)

    copy = Assessment.objects.filter(organisation=importer.org).latest("pk")
    assert copy.title == "2025 年度评估 (imported)"
    page = client.get(response.url, **ENGLISH).content.decode()
    assert "Imported “2025 年度评估 (imported)” as a new draft" in page
    assert "already has an assessment titled “2025 年度评估”" in page
