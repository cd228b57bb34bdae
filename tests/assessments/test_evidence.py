"""Evidence: uploads checked by size and content, downloads, sharing, deletion."""

import hashlib
import io
import re
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assessments import services, uploads
from assessments.models import Evidence, EvidenceDeletion, EvidenceLink, Status
from assessments.selectors import answer_standing, submission_problems
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    EvidenceFactory,
    ReviewFactory,
    answer,
    file_evidence,
    set_status,
)

ELF_BYTES = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
)
PE_BYTES = (
    b"MZ\x90\x00" + b"\x00" * 56 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
)


def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(width=30_000, height=30_000):
    """Return a tiny PNG whose header declares ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def real_png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("minutes.txt", "approved")
    return buffer.getvalue()


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _upload(client, assessment, name, content, code="STR-1.1", **extra):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(
        reverse("assessments:evidence-add", args=[assessment.pk, code]),
        {"kind": "file", "title": "", "file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


REFUSALS = [
    ("program.pdf", ELF_BYTES, "application/x-"),
    ("setup.pdf", PE_BYTES, "portable-executable"),
    (
        "photo.png",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "text/html",
    ),
    ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"),
    ("run.txt", b"#!/bin/sh\nrm -rf /\n", "text/x-shellscript"),
]


@pytest.mark.parametrize(("name", "content", "detected"), REFUSALS)
def test_it_refuses_content_that_is_not_allowed(
    people, login, private_storage, name, content, detected
):
    client = login(people.assessor)

    response = _upload(client, people.assessment, name, content)

    body = response.content.decode()
    assert "This kind of file is not accepted as evidence" in body
    assert detected in body
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.parametrize("name", ["report.exe", "report.HTML", "report.docx"])
def test_it_refuses_a_name_that_hides_what_the_file_is(
    people, login, private_storage, name
):
    client = login(people.assessor)

    response = _upload(client, people.assessment, name, PDF_BYTES)

    body = response.content.decode()
    assert "but its content reads as application/pdf" in body
    assert ".pdf" in body
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.parametrize("name", ["制度.PDF", "制度"])
def test_it_keeps_a_name_with_the_ending_of_its_kind_or_none(
    people, login, private_storage, name
):
    client = login(people.assessor)

    _upload(client, people.assessment, name, PDF_BYTES)

    assert Evidence.objects.get().original_name == name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("审计报告%22终稿%22.pdf", '审计报告"终稿".pdf'),
        ("line%0Abreak.pdf", "line break.pdf"),
        ("C:\\Users\\lin\\制度.pdf", "制度.pdf"),
    ],
)
def test_it_keeps_the_file_name_as_the_person_named_it(
    people, login, private_storage, sent, kept
):
    # Browsers send a double quote and line breaks percent-encoded.
    client = login(people.assessor)

    _upload(client, people.assessment, sent, PDF_BYTES)

    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.title) == (kept, kept)


def test_a_file_name_longer_than_a_title_is_shortened_in_the_middle_as_title(
    people, login, private_storage
):
    words = "模型风险管理制度（二〇二六年修订稿）"
    name = words * 13 + "二〇二六年第三次修改后的最终定稿版.pdf"
    client = login(people.assessor)

    _upload(client, people.assessment, name, PDF_BYTES)

    evidence = Evidence.objects.get()
    assert len(name) == 255
    assert evidence.original_name == name
    assert len(evidence.title) == 200
    assert evidence.title == name[:187] + "…" + name[-12:]
    assert evidence.title.endswith("…改后的最终定稿版.pdf")


def test_it_stops_an_upload_over_the_size_limit(
    people, login, settings, private_storage
):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1000
    client = login(people.assessor)

    response = _upload(client, people.assessment, "big.pdf", PDF_BYTES + b"0" * 5000)

    assert "The file is larger than 1000" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


def test_it_leaves_no_temporary_file_behind(
    people, login, settings, tmp_path, private_storage
):
    """Past the in-memory size Django spools to disk; a stopped upload cleans up."""
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1024**2
    settings.FILE_UPLOAD_TEMP_DIR = spool = tmp_path / "spool"
    spool.mkdir()
    client = login(people.assessor)

    response = _upload(
        client, people.assessment, "big.pdf", PDF_BYTES + b"0" * 3 * 1024**2
    )

    assert "The file is larger than 1\xa0MB." in response.content.decode()
    assert list(spool.iterdir()) == []
    assert stored_files(private_storage) == []
    assert not Evidence.objects.exists()


def test_it_stops_counting_in_the_upload_handler(people, rf, settings):
    """The handler itself refuses bytes past the limit, before any view code."""
    from django.core.files.uploadhandler import StopUpload

    from assessments.uploads import EvidenceUploadHandler

    handler = EvidenceUploadHandler(limit=10)
    handler.new_file("file", "a.pdf", "application/pdf", 20)
    handler.receive_data_chunk(b"x" * 10, 0)

    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x", 10)
    assert handler.exceeded


def test_it_refuses_a_decompression_bomb(people, login, private_storage):
    client = login(people.assessor)

    response = _upload(client, people.assessment, "scan.png", bomb_png())

    assert "more pixels than the portal opens safely" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


def test_it_refuses_an_image_past_a_lowered_pixel_limit(people, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    upload = SimpleUploadedFile("chart.png", real_png())

    with pytest.raises(services.ValidationError) as raised:
        services.evidence_add_file(
            assessment=people.assessment,
            uploaded=upload,
            title="",
            actor=people.assessor,
        )

    assert raised.value.code == "decompression_bomb"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("chart.png", real_png(), "image/png"),
        (
            "报告.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("名单.csv", "姓名,得分\n张三,90\n".encode(), "text/plain"),
        ("bundle.zip", zip_bytes(), "application/zip"),
    ],
)
def test_it_accepts_allowed_types(people, name, content, content_type):
    evidence = services.evidence_add_file(
        assessment=people.assessment,
        uploaded=SimpleUploadedFile(
            name, content, content_type="application/x-whatever"
        ),
        title="",
        actor=people.assessor,
    )

    assert evidence.content_type == content_type
    assert evidence.title == name


def test_it_accepts_a_pdf_with_a_chinese_name_and_sends_it_back(
    people, login, private_storage
):
    client = login(people.assessor)
    name = "人工智能模型风险管理办法.pdf"

    response = _upload(client, people.assessment, name, PDF_BYTES)

    assert f"Added the evidence item “{name}”" in response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.original_name == name
    assert evidence.size == len(PDF_BYTES)
    assert evidence.content_type == "application/pdf"
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert name not in evidence.file_path
    assert (private_storage / evidence.file_path).read_bytes() == PDF_BYTES
    page = client.get(
        reverse("assessments:evidence-list", args=[people.assessment.pk])
    ).content.decode()
    assert evidence.sha256 in page

    download = login(people.auditor).get(evidence.get_download_url())

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert (
        download["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


def test_it_downloads_only_files(people, login):
    note = answer(people.assessment, "STR-1.1").evidence_links.get().evidence
    client = login(people.admin)

    response = client.get(
        reverse("assessments:evidence-download", args=[people.assessment.pk, note.pk])
    )

    assert response.status_code == 404


def test_one_item_supports_two_requirements(people, login):
    assessment = people.assessment
    document = file_evidence(assessment, people.assessor, code="STR-1.1")
    client = login(people.assessor)

    client.post(
        reverse("assessments:evidence-attach", args=[assessment.pk, "STR-1.2"]),
        {"evidence": document.pk},
    )
    for code in ("STR-1.1", "STR-1.2"):
        services.answer_save(
            assessment=assessment,
            requirement=assessment.framework.requirements.get(code=code),
            status="satisfied",
            justification="",
            base_version=assessment.answers.get(requirement__code=code).version,
            actor=people.assessor,
        )

    codes = sorted(
        EvidenceLink.objects.filter(evidence=document).values_list(
            "answer__requirement__code", flat=True
        )
    )
    assert codes == ["STR-1.1", "STR-1.2"]
    problem_codes = {p.code for p in submission_problems(assessment)}
    assert not problem_codes & {"STR-1.1", "STR-1.2"}
    page = client.get(
        reverse("assessments:questionnaire", args=[assessment.pk, "STR"])
    ).content.decode()
    assert page.count(document.get_download_url()) == 2


def test_it_refuses_to_link_an_item_twice(people):
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")

    with pytest.raises(services.ValidationError):
        services.evidence_attach(
            evidence=document,
            requirement=people.assessment.framework.requirements.get(code="STR-1.1"),
            actor=people.assessor,
        )

    assert document.links.count() == 1


def test_it_attaches_only_evidence_of_the_same_assessment(people, login):
    foreign = file_evidence(people.other, people.admin)
    client = login(people.assessor)

    client.post(
        reverse("assessments:evidence-attach", args=[people.assessment.pk, "STR-1.1"]),
        {"evidence": foreign.pk},
    )

    assert not EvidenceLink.objects.exists()


def test_it_deletes_evidence_and_logs_it(
    people, login, private_storage, django_capture_on_commit_callbacks
):
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")
    path = private_storage / document.file_path
    client = login(people.assessor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "assessments:evidence-delete", args=[people.assessment.pk, document.pk]
            )
        )

    assert not Evidence.objects.exists()
    assert not EvidenceLink.objects.exists()
    assert not path.exists()
    deletion = EvidenceDeletion.objects.get()
    assert (deletion.deleted_by, deletion.title, deletion.requirement_codes) == (
        people.assessor,
        document.title,
        ["STR-1.1"],
    )
    assert deletion.sha256 == document.sha256


# The question each delete button of the evidence list asks, by item.
DELETE_QUESTION = re.compile(
    r'/evidence/(\d+)/delete/" class="inline-form" data-confirm="([^"]*)"'
)


def test_it_asks_before_deleting_only_what_each_item_holds(people, login):
    document = file_evidence(people.assessment, people.assessor, name="制度.pdf")
    link = EvidenceFactory(
        assessment=people.assessment,
        kind="link",
        title="Policy site",
        url="https://intra.example/policy",
        note="",
    )
    note = EvidenceFactory(assessment=people.assessment, title="Interview")
    client = login(people.assessor)

    response = client.get(
        reverse("assessments:evidence-list", args=[people.assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    questions = dict(re.findall(DELETE_QUESTION, response.content.decode()))
    then = "It stops supporting every requirement it supports now."
    assert questions == {
        str(document.pk): f"Delete the evidence item “制度.pdf” and its file? {then}",
        str(link.pk): f"Delete the evidence item “Policy site”? {then}",
        str(note.pk): f"Delete the evidence item “Interview”? {then}",
    }


def test_it_never_deletes_evidence_of_a_finalised_assessment(
    people, login, private_storage
):
    document = file_evidence(people.assessment, people.assessor)
    people.assessment.status = Status.FINALISED
    people.assessment.save()
    client = login(people.admin)

    response = client.post(
        reverse(
            "assessments:evidence-delete", args=[people.assessment.pk, document.pk]
        ),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "finalised and can no longer be changed" in response.content.decode()
    assert Evidence.objects.filter(pk=document.pk).exists()
    assert (private_storage / document.file_path).read_bytes() == PDF_BYTES


def test_it_refuses_a_link_that_is_not_http(people, login):
    client = login(people.assessor)

    client.post(
        reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"]),
        {"kind": "link", "title": "Bad", "url": "javascript:alert(1)"},
    )

    assert not Evidence.objects.exists()


def test_it_adds_a_link_and_a_note(people, login):
    client = login(people.assessor)
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])

    client.post(
        add, {"kind": "link", "title": "Policy site", "url": "https://intra.example/p"}
    )
    client.post(add, {"kind": "note", "title": "Interview", "note": "CRO confirmed."})

    kinds = sorted(
        EvidenceLink.objects.filter(answer__requirement__code="STR-1.1").values_list(
            "evidence__kind", flat=True
        )
    )
    assert kinds == ["link", "note"]


def test_it_takes_an_address_with_spaces_as_a_browser_does(people, login):
    client = login(people.assessor)
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])

    client.post(
        add,
        {
            "kind": "link",
            "title": "制度",
            "url": " https://intra.example/policies/AI policy v2.pdf ",
        },
    )

    link = Evidence.objects.get(kind="link")
    assert link.url == "https://intra.example/policies/AI%20policy%20v2.pdf"


def test_the_upload_view_still_checks_csrf(people):
    """The view is exempted only to put its handler first; it checks CSRF itself."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.assessor)
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])

    refused = client.post(add, {"kind": "note", "title": "t", "note": "n"})
    page = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])
    )
    token = page.cookies["csrftoken"].value
    accepted = client.post(
        add, {"csrfmiddlewaretoken": token, "kind": "note", "title": "t", "note": "n"}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Evidence.objects.count() == 1


def test_it_explains_a_refusal_in_the_users_language(people, login):
    client = login(people.assessor)
    upload = SimpleUploadedFile("photo.png", b"<html><body>hi</body></html>")

    response = client.post(
        reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"]),
        {"kind": "file", "file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    assert (
        "不接受此类文件作为证据（其内容识别为 text/html）" in response.content.decode()
    )


def _attach_page(assessment, code="STR-1.1"):
    return reverse("assessments:requirement-evidence", args=[assessment.pk, code])


def test_it_offers_new_and_existing_evidence_on_the_attach_page(people, login):
    assessment = people.assessment
    used = file_evidence(assessment, people.assessor, name="已用.pdf", code="STR-1.1")
    spare = file_evidence(
        assessment, people.assessor, name="备用.pdf", content=PDF_BYTES + b"%2\n"
    )
    client = login(people.assessor)

    response = client.get(_attach_page(assessment), HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Attach evidence to STR-1.1" in body
    assert "应建立第1级的第1项策略。" in body
    add = reverse("assessments:evidence-add", args=[assessment.pk, "STR-1.1"])
    attach = reverse("assessments:evidence-attach", args=[assessment.pk, "STR-1.1"])
    assert f'action="{add}"' in body
    assert f'action="{attach}"' in body
    options = re.findall(r'<option value="(\d+)">', body)
    assert options == [str(spare.pk)]
    assert used.get_download_url() in body


@pytest.mark.parametrize(("persona", "expected"), [("viewer", 403), ("outsider", 404)])
def test_it_shows_the_attach_page_only_to_who_manages_evidence(
    people, login, persona, expected
):
    client = login(getattr(people, persona))

    response = client.get(_attach_page(people.assessment))

    assert response.status_code == expected


def test_it_sends_back_to_the_questionnaire_once_finalised(people, login):
    set_status(people.assessment, Status.FINALISED)
    client = login(people.assessor)

    response = client.get(
        _attach_page(people.assessment), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.redirect_chain[0][0].endswith("/modules/STR/#STR-1.1")
    assert "finalised and can no longer be changed" in response.content.decode()


def test_it_shows_a_refused_upload_on_the_attach_page(people, login):
    client = login(people.assessor)
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])

    refused = client.post(add, {"kind": "link", "title": "", "show": "unanswered"})
    added = client.post(
        add,
        {"kind": "note", "title": "访谈", "note": "已确认", "show": "unanswered"},
    )

    assert refused.status_code == 302
    assert refused["Location"] == f"{_attach_page(people.assessment)}?show=unanswered"
    assert added["Location"].endswith("/modules/STR/?show=unanswered#STR-1.1")
    assert Evidence.objects.get().title == "访谈"


def test_the_attach_page_keeps_what_was_typed_when_refused(people, login):
    client = login(people.assessor)
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])
    typed = {
        "kind": "link",
        "title": "风险偏好声明",
        "url": "javascript:alert(1)",
        "description": "董事会批准 <b>2026</b>",
        "effective_from": "2026-03-01",
    }

    client.post(add, typed)
    again = client.get(_attach_page(people.assessment)).content.decode()
    later = client.get(_attach_page(people.assessment)).content.decode()

    assert not Evidence.objects.exists()
    assert 'value="link" checked' in again
    assert 'value="风险偏好声明"' in again
    assert 'value="javascript:alert(1)"' in again
    assert "董事会批准 &lt;b&gt;2026&lt;/b&gt;</textarea>" in again
    assert 'value="2026-03-01"' in again
    # Shown once: the form is empty again afterwards.
    assert "风险偏好声明" not in later
    assert 'value="file" checked' in later


def test_it_shows_a_refused_attachment_on_the_attach_page(people, login):
    foreign = file_evidence(people.other, people.admin)
    document = file_evidence(people.assessment, people.assessor)
    client = login(people.assessor)
    attach = reverse(
        "assessments:evidence-attach", args=[people.assessment.pk, "STR-1.1"]
    )

    refused = client.post(attach, {"evidence": foreign.pk})
    attached = client.post(attach, {"evidence": document.pk})

    assert refused["Location"] == _attach_page(people.assessment)
    assert attached["Location"].endswith("/modules/STR/#STR-1.1")
    assert document.links.get().answer.requirement.code == "STR-1.1"


# A refused form as typed, the field it is refused on, and how the one
# message shown, next to that field, begins.
FORM_REFUSALS = {
    "empty file": (
        {"kind": "file", "file": ("empty.pdf", b"")},
        "file",
        "The submitted file is empty.",
    ),
    "no file": ({"kind": "file"}, "file", "Choose a file to upload."),
    "ftp address": (
        {"kind": "link", "title": "Policy", "url": "ftp://x"},
        "url",
        "Enter a valid URL.",
    ),
    "not an address": (
        {"kind": "link", "title": "Policy", "url": "not a url"},
        "url",
        "Enter a valid URL.",
    ),
    "other scheme": (
        {"kind": "link", "title": "Policy", "url": "ftp://files.example/p.pdf"},
        "url",
        "Enter an address starting with https:// or http://.",
    ),
    "no title": (
        {"kind": "link", "title": "", "url": "https://intra.example/p"},
        "title",
        "Give the evidence item a title.",
    ),
    "title too long": (
        {"kind": "note", "title": "x" * 201, "note": "CRO confirmed."},
        "title",
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    "name not matching": (
        {"kind": "file", "file": ("report.exe", PDF_BYTES)},
        "file",
        "The file&#x27;s name ends in .exe but its content reads as application/pdf.",
    ),
    "too large": (
        {"kind": "file", "file": ("big.pdf", PDF_BYTES + b"0" * 5000)},
        "file",
        "The file is larger than 1000",
    ),
}

# Each form by the route it posts to and the prefix of its fields' ids.
EVIDENCE_FORMS = {
    "attach page": ("assessments:evidence-add", ["STR-1.1"], "evidence-"),
    "evidence list": ("assessments:evidence-create", [], "new-evidence-"),
}


def _error_list(body, field_id):
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', body)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def _errors_shown(body):
    """Return every error on the page: next to fields and at its top."""
    lists = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', body, re.S)
    beside = [item for found in lists for item in re.findall(r"<li>(.*?)</li>", found)]
    on_top = re.findall(r'<li class="message message--error">(.*?)</li>', body, re.S)
    return beside + on_top


@pytest.mark.parametrize("refusal", FORM_REFUSALS.values(), ids=FORM_REFUSALS)
@pytest.mark.parametrize("where", EVIDENCE_FORMS.values(), ids=EVIDENCE_FORMS)
def test_it_shows_each_refusal_once_next_to_its_field(
    people, login, settings, where, refusal
):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1000
    route, codes, prefix = where
    typed, field, expected = refusal
    if "file" in typed:
        typed = {**typed, "file": SimpleUploadedFile(*typed["file"])}
    client = login(people.assessor)

    response = client.post(
        reverse(route, args=[people.assessment.pk, *codes]),
        typed,
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert not Evidence.objects.exists()
    assert body.count(expected) == 1
    shown = _errors_shown(body)
    assert len(shown) == 1
    assert shown[0].startswith(expected)
    assert _error_list(body, f"{prefix}{field}") == shown


def test_it_shows_a_refusal_next_to_its_field_in_the_users_language(people, login):
    client = login(people.assessor)
    upload = SimpleUploadedFile("empty.pdf", b"")

    response = client.post(
        reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"]),
        {"kind": "file", "file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    body = response.content.decode()
    assert _error_list(body, "evidence-file") == ["提交的是空文件。"]
    assert "请选择要上传的文件。" not in body


def test_the_evidence_list_keeps_what_was_typed_when_refused(people, login):
    client = login(people.assessor)
    typed = {"kind": "link", "title": "风险偏好声明", "url": "not a url"}

    client.post(
        reverse("assessments:evidence-create", args=[people.assessment.pk]),
        typed,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = reverse("assessments:evidence-list", args=[people.assessment.pk])
    again = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    later = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert re.search(r'value="link"[^>]* checked', again)
    assert 'value="风险偏好声明"' in again
    assert 'value="not a url"' in again
    assert _error_list(again, "new-evidence-url") == ["Enter a valid URL."]
    assert "风险偏好声明" not in later
    assert "Enter a valid URL." not in later


@pytest.mark.parametrize("route", ["evidence-add", "evidence-attach"])
def test_it_says_once_that_a_locked_assessment_takes_no_evidence(people, login, route):
    document = file_evidence(people.assessment, people.assessor)
    set_status(people.assessment, Status.SUBMITTED)
    client = login(people.assessor)
    typed = {"kind": "note", "title": "t", "note": "n", "evidence": document.pk}

    refused = client.post(
        reverse(f"assessments:{route}", args=[people.assessment.pk, "STR-1.1"]),
        typed,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if refused["Location"] == _attach_page(people.assessment):
        client.get(refused["Location"], HTTP_ACCEPT_LANGUAGE="en")
    # The questionnaire shows the messages as any page does; the evidence list
    # is read instead to leave that page's own rendering out of this test.
    page = client.get(
        reverse("assessments:evidence-list", args=[people.assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert refused["Location"].endswith("/modules/STR/#STR-1.1")
    assert page.count("answers and evidence can be changed only") == 1


@pytest.mark.parametrize("where", EVIDENCE_FORMS.values(), ids=EVIDENCE_FORMS)
def test_it_refuses_a_note_past_its_limit_next_to_the_note(people, login, where):
    route, codes, prefix = where
    client = login(people.assessor)

    response = client.post(
        reverse(route, args=[people.assessment.pk, *codes]),
        {"kind": "note", "title": "Minutes", "note": "x" * 200_000},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert _error_list(body, f"{prefix}note") == [
        "“Note” is too long (200000 characters); shorten it to at most 20000."
    ]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_it_refuses_an_effective_date_outside_the_years(people, login, day):
    client = login(people.assessor)

    response = client.post(
        reverse("assessments:evidence-create", args=[people.assessment.pk]),
        {"kind": "note", "title": "Minutes", "note": "n", "effective_from": day},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert _error_list(body, "new-evidence-effective_from") == [
        "“Effective from” must be a date in the years 1990 to 2100."
    ]
    assert not Evidence.objects.exists()


# -- Evidence and verdicts -------------------------------------------------------


def _verdict_is_current(answer) -> bool:
    answer.refresh_from_db()
    return answer.review.answer_version == answer.version


def test_detaching_evidence_from_an_accepted_answer_asks_for_a_new_verdict(people):
    accepted = answer(people.assessment, "STR-1.1")
    ReviewFactory(answer=accepted, reviewer=people.auditor)
    set_status(people.assessment, Status.RETURNED)
    assert "STR-1.1" in answer_standing(people.assessment)[1].accepted

    services.evidence_detach(link=accepted.evidence_links.get(), actor=people.assessor)

    assert not _verdict_is_current(accepted)
    assert "STR-1.1" not in answer_standing(people.assessment)[1].accepted
    history = accepted.history.order_by("-history_id").first()
    assert (history.version, history.history_user) == (
        accepted.version,
        people.assessor,
    )


def test_evidence_attached_after_a_rejection_answers_it(people):
    rejected = answer(
        people.assessment,
        "STR-1.1",
        "partial",
        evidence=False,
        justification="制度在起草中。",
    )
    ReviewFactory(
        answer=rejected,
        reviewer=people.auditor,
        verdict="rejected",
        comment="请附上制度文件。",
    )
    set_status(people.assessment, Status.RETURNED)
    assert ("STR-1.1", "rejected") in {
        (p.code, p.kind) for p in submission_problems(people.assessment)
    }

    file_evidence(people.assessment, people.assessor, code="STR-1.1")

    assert not _verdict_is_current(rejected)
    assert "STR-1.1" not in {p.code for p in submission_problems(people.assessment)}


def test_deleting_an_evidence_item_moves_every_answer_it_backed_up(people):
    first = answer(people.assessment, "STR-1.1", evidence=False)
    second = answer(people.assessment, "STR-2.1", evidence=False)
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")
    services.evidence_attach(
        evidence=document,
        requirement=second.requirement,
        actor=people.assessor,
    )
    for row in (first, second):
        row.refresh_from_db()
        ReviewFactory(answer=row, reviewer=people.auditor)

    services.evidence_delete(evidence=document, actor=people.assessor)

    assert not _verdict_is_current(first)
    assert not _verdict_is_current(second)


# -- The same file twice ---------------------------------------------------------


def _upload_again(client, assessment, code="STR-1.1", language="en", **typed):
    """Upload the factory's PDF again, to ``code`` or to the evidence list."""
    route = "assessments:evidence-add" if code else "assessments:evidence-create"
    args = [assessment.pk, code] if code else [assessment.pk]
    return client.post(
        reverse(route, args=args),
        {"kind": "file", "file": SimpleUploadedFile("副本.pdf", PDF_BYTES), **typed},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_it_refuses_a_file_already_in_the_assessment_and_offers_the_item(
    people, login, private_storage
):
    existing = file_evidence(people.assessment, people.assessor, name="100% 制度.pdf")
    client = login(people.assessor)

    response = _upload_again(
        client, people.assessment, title="Policy", description="Approved"
    )

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == _attach_page(people.assessment)
    assert _errors_shown(body) == _error_list(body, "evidence-file")
    assert _error_list(body, "evidence-file") == [
        "This file is already in this assessment as the evidence item "
        "“100% 制度.pdf”. Attach that item from the existing evidence instead "
        "of uploading the file again."
    ]
    assert f'<option value="{existing.pk}" selected>' in body
    assert 'value="Policy"' in body
    assert list(Evidence.objects.all()) == [existing]
    assert not EvidenceLink.objects.exists()
    assert stored_files(private_storage) == [private_storage / existing.file_path]


def test_it_says_when_the_same_file_already_supports_the_requirement(people, login):
    file_evidence(people.assessment, people.assessor, code="STR-1.1")
    version = people.assessment.answers.get(requirement__code="STR-1.1").version
    client = login(people.assessor)

    response = _upload_again(client, people.assessment)

    assert _error_list(response.content.decode(), "evidence-file") == [
        "This file is already in this assessment as the evidence item "
        "“制度.pdf”, which supports this requirement."
    ]
    assert Evidence.objects.count() == 1
    linked = people.assessment.answers.get(requirement__code="STR-1.1")
    assert linked.version == version


def test_the_evidence_list_refuses_a_file_already_in_the_assessment(people, login):
    file_evidence(people.assessment, people.assessor)
    client = login(people.assessor)

    response = _upload_again(client, people.assessment, code=None)

    assert _error_list(response.content.decode(), "new-evidence-file") == [
        "This file is already in this assessment as the evidence item "
        "“制度.pdf”; there is no need to upload it again."
    ]
    assert Evidence.objects.count() == 1


def test_it_names_the_copy_that_supports_the_requirement(people):
    # Copies made before the rule, as an import or an old upload left them.
    first = file_evidence(people.assessment, people.assessor, name="甲.pdf")
    second = file_evidence(people.other, people.assessor, name="乙.pdf")
    Evidence.objects.filter(pk=second.pk).update(assessment=people.assessment)
    second.refresh_from_db()
    services.evidence_attach(
        evidence=second,
        requirement=people.assessment.framework.requirements.get(code="STR-1.1"),
        actor=people.assessor,
    )

    with pytest.raises(services.ValidationError) as refused:
        file_evidence(people.assessment, people.assessor, code="STR-1.1")
    with pytest.raises(services.ValidationError) as elsewhere:
        file_evidence(people.assessment, people.assessor, code="STR-2.1")

    assert refused.value.error_dict["file"][0].code == "duplicate"
    assert "“乙.pdf”, which supports this requirement" in refused.value.messages[0]
    # The older copy is named wherever neither copy supports the requirement.
    assert first.pk < second.pk
    assert "“甲.pdf”. Attach that item" in elsewhere.value.messages[0]


def test_the_same_file_may_back_another_assessment(people):
    file_evidence(people.other, people.admin)

    file_evidence(people.assessment, people.assessor, code="STR-1.1")

    assert Evidence.objects.filter(assessment=people.assessment).count() == 1


def test_a_different_file_is_still_added(people):
    file_evidence(people.assessment, people.assessor)

    file_evidence(people.assessment, people.assessor, content=PDF_BYTES + b"\n%v2\n")

    assert Evidence.objects.filter(assessment=people.assessment).count() == 2


def test_attaching_an_item_that_already_supports_the_requirement_says_so(people, login):
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")
    version = people.assessment.answers.get(requirement__code="STR-1.1").version
    client = login(people.assessor)

    response = client.post(
        reverse("assessments:evidence-attach", args=[people.assessment.pk, "STR-1.1"]),
        {"evidence": document.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == _attach_page(people.assessment)
    assert _errors_shown(body) == [
        "This evidence item already supports the requirement."
    ]
    assert document.links.count() == 1
    linked = people.assessment.answers.get(requirement__code="STR-1.1")
    assert linked.version == version


# -- Evidence in the questionnaire ----------------------------------------------


def test_the_questionnaire_shows_each_items_description_shortened(people, login):
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")
    document.description = "董事会 <b>批准</b>。" + "细" * 300
    document.save()
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    shown = re.findall(
        r'<span class="muted evidence-link__description">(.*?)</span>', body
    )
    assert shown == ["董事会 &lt;b&gt;批准&lt;/b&gt;。" + "细" * 185 + "…"]


def test_it_asks_before_detaching_evidence(people, login):
    stored = answer(people.assessment, "STR-1.1")
    title = stored.evidence_links.get().evidence.title
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert (
        f'data-confirm="Detach “{title}” from STR-1.1? The evidence item '
        'stays in the evidence list of the assessment."'
    ) in body


def test_a_note_keeps_its_lines_on_the_questionnaire(people, login):
    stored = answer(people.assessment, "STR-1.1", evidence=False)
    note = EvidenceFactory(
        assessment=people.assessment, title="访谈", note="1. 已访谈。\n2. 已记录。"
    )
    stored.evidence_links.create(evidence=note, created_by=people.assessor)
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"]),
    ).content.decode()

    assert '<span class="evidence-note">1. 已访谈。<br>2. 已记录。</span>' in body


def test_a_long_file_name_is_shortened_with_the_whole_name_on_hover(
    people, login, private_storage
):
    name = "模型风险管理制度" * 12 + ".pdf"
    file_evidence(people.assessment, people.assessor, name=name, code="STR-1.1")
    client = login(people.assessor)

    pages = [
        client.get(reverse(view, args=args)).content.decode()
        for view, args in [
            ("assessments:evidence-list", [people.assessment.pk]),
            ("assessments:questionnaire", [people.assessment.pk, "STR"]),
        ]
    ]

    for body in pages:
        shortened = re.search(r'<span title="[^"]*\.pdf">([^<]*)</span>', body)
        assert shortened, body
        assert shortened.group(1) == name[:79] + "…"


def test_every_accepted_kind_of_file_has_a_name_on_the_pages():
    assert set(uploads.TYPE_LABELS) == uploads.ALLOWED_TYPES


def test_the_evidence_list_names_the_kind_of_file(people, login, private_storage):
    file_evidence(people.assessment, people.assessor, name="制度.pdf", code="STR-1.1")
    client = login(people.assessor)

    body = {
        language: client.get(
            reverse("assessments:evidence-list", args=[people.assessment.pk]),
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        for language in ("en", "zh-hans")
    }

    assert '<span title="application/pdf">PDF document</span>' in body["en"]
    assert '<span title="application/pdf">PDF 文档</span>' in body["zh-hans"]
