"""Exporting an assessment as JSON and importing it into another organisation."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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
from assessments.selectors import assessment_score, targets_of, verified_statuses
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


def test_it_reproduces_answers_and_both_readings_with_reviews(filled, importer):
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
    assert readings(copy) == readings(source)
    self_assessed, verified = readings(copy)
    assert self_assessed["modules"]["STR"]["level"] == 2
    assert verified["modules"]["STR"]["level"] == 1
    assert verified["modules"]["LC"]["level"] == 0
    assert sorted(
        Review.objects.filter(answer__assessment=copy).values_list(
            "answer__requirement__code", "verdict", "answer_version", "reviewer"
        )
    ) == sorted(
        (code, verdict, version, importer.admin.pk)
        for code, verdict, version, _reviewer in Review.objects.filter(
            answer__assessment=source
        ).values_list(
            "answer__requirement__code", "verdict", "answer_version", "reviewer"
        )
    )
    assert result.reviews == 6
    assert set(copy.findings.values_list("title", "severity", "requirement__code")) == {
        ("监测缺失", "high", "LC-S2-1.1"),
        ("总体良好", "low", None),
    }


def test_without_reviews_the_verified_reading_starts_empty(filled, importer):
    result = import_(importer, exported(filled.assessment))

    copy = result.assessment
    assert answers_of(copy) == answers_of(filled.assessment)
    assert readings(copy)[0] == readings(filled.assessment)[0]
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert not copy.findings.exists()
    assert not copy.comments.exists()
    assert readings(copy)[1]["organisation"]["level"] == 0


def test_the_history_names_the_importer(filled, importer):
    result = import_(importer, exported(filled.assessment), with_reviews=True)

    copy = result.assessment
    answers = Answer.history.filter(assessment_id=copy.pk)
    reviews = Review.history.filter(answer__assessment=copy)
    assert answers.count() == 7
    assert {entry.history_user_id for entry in answers} == {importer.admin.pk}
    assert reviews.count() == 6
    assert {entry.history_user_id for entry in reviews} == {importer.admin.pk}


def test_comments_name_their_original_author(filled, importer, people):
    result = import_(importer, exported(filled.assessment), with_reviews=True)

    comments = list(Comment.objects.filter(assessment=result.assessment))
    assert {comment.author for comment in comments} == {importer.admin}
    on_answer = Comment.objects.get(assessment=result.assessment, answer__isnull=False)
    assert on_answer.answer.requirement.code == "STR-2.2"
    assert on_answer.text.startswith(f"[{people.auditor.username}, ")
    assert on_answer.text.endswith("]\n请补充最新版本。")
    on_link = Comment.objects.get(assessment=result.assessment, evidence__isnull=False)
    assert on_link.evidence.title == "治理制度"


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
    assert Review.objects.filter(answer__assessment=copy).count() == 6
    page = client.get(response.url, **ENGLISH).content.decode()
    assert "as a new draft: 7 answers, " in page
    assert "1 file item was left out" in page


def test_the_import_page_lists_what_is_wrong(filled, importer, login):
    document = exported(filled.assessment)
    document["assessment"]["period_end"] = "2024-01-01"
    client = login(importer.admin)

    response = _post(client, importer.org, json.dumps(document).encode())

    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was applied" in body
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
