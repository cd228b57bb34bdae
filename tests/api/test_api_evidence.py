"""Evidence through the API: uploads checked as on the pages, links, downloads."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import get_token
from rest_framework.test import APIClient

from assessments.models import Evidence, EvidenceDeletion, EvidenceLink
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    EvidenceFactory,
    answer,
    file_evidence,
)


def _url(people, path=""):
    return f"/api/v1/assessments/{people.assessment.pk}/{path}"


def _upload(client, people, name, content, **fields):
    return client.post(
        _url(people, "evidence/"),
        {"kind": "file", "file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_it_stores_an_uploaded_file_linked_to_a_requirement(
    people, api, private_storage
):
    response = _upload(
        api(people.assessor),
        people,
        "制度.pdf",
        PDF_BYTES,
        title="Policy",
        requirement="STR-1.1",
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["kind"], body["title"], body["original_name"]) == (
        "file",
        "Policy",
        "制度.pdf",
    )
    assert body["content_type"] == "application/pdf"
    assert body["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["requirements"] == ["STR-1.1"]
    assert body["download_url"].endswith(f"/evidence/{body['id']}/download/")
    assert len(stored_files(private_storage)) == 1


def test_it_refuses_content_that_is_not_allowed(people, api, private_storage):
    response = _upload(
        api(people.assessor), people, "report.pdf", b"<html><script>x</script></html>"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "type_not_allowed"
    assert "text/html" in response.json()["message"]
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


def test_it_stops_an_upload_over_the_size_limit(people, api, settings, private_storage):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1000

    response = _upload(api(people.assessor), people, "big.pdf", PDF_BYTES + b"0" * 5000)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "larger than 1000" in response.json()["message"]
    assert not Evidence.objects.exists()
    assert stored_files(private_storage) == []


def test_it_asks_for_the_file_of_a_file_item(people, api):
    response = api(people.assessor).post(
        _url(people, "evidence/"), {"kind": "file", "title": "Policy"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_it_adds_links_and_notes_sent_as_json(people, api):
    client = api(people.assessor)

    link = client.post(
        _url(people, "evidence/"),
        {"kind": "link", "title": "Wiki", "url": "https://wiki.example.com/policy"},
        format="json",
    )
    note = client.post(
        _url(people, "evidence/"),
        {
            "kind": "note",
            "title": "Minutes",
            "note": "Agreed.",
            "requirement": "LC-S1-1.1",
        },
        format="json",
    )

    assert (link.status_code, note.status_code) == (201, 201)
    assert link.json()["url"] == "https://wiki.example.com/policy"
    assert note.json()["requirements"] == ["LC-S1-1.1"]


def test_it_refuses_a_link_that_is_not_http(people, api):
    response = api(people.assessor).post(
        _url(people, "evidence/"),
        {"kind": "link", "title": "Share", "url": "file:///etc/passwd"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["url"]
    assert not Evidence.objects.exists()


def test_it_refuses_a_requirement_of_another_standard(people, api):
    response = api(people.assessor).post(
        _url(people, "evidence/"),
        {"kind": "note", "title": "Minutes", "note": "x", "requirement": "GOV-1.1"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["requirement"]
    assert not Evidence.objects.exists()


def test_it_attaches_an_item_to_one_more_requirement(people, api):
    item = EvidenceFactory(assessment=people.assessment, created_by=people.assessor)

    response = api(people.assessor).post(
        _url(people, "links/"),
        {"evidence": item.pk, "requirement": "STR-2.1"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["requirement"] == "STR-2.1"
    assert EvidenceLink.objects.get().evidence == item


@pytest.mark.parametrize("owner", ["other", "assessment_b"])
def test_it_never_links_evidence_of_another_assessment(people, api, owner):
    """An id of another assessment's item, even of another tenant, is invalid."""
    foreign = EvidenceFactory(
        assessment=getattr(people, owner), created_by=people.admin
    )

    response = api(people.assessor).post(
        _url(people, "links/"),
        {"evidence": foreign.pk, "requirement": "STR-1.1"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["evidence"]
    assert not EvidenceLink.objects.exists()


def test_it_finds_no_link_of_another_assessment(people, api):
    foreign = answer(people.assessment_b, "STR-1.1").evidence_links.get()

    response = api(people.assessor).delete(_url(people, f"links/{foreign.pk}/"))

    assert response.status_code == 404
    assert EvidenceLink.objects.filter(pk=foreign.pk).exists()


def test_it_detaches_and_reconfirms(people, api):
    linked = answer(people.assessment, "STR-1.1").evidence_links.get()
    linked.needs_reconfirmation = True
    linked.save()
    client = api(people.assessor)

    confirmed = client.post(_url(people, f"links/{linked.pk}/reconfirm/"))
    detached = client.delete(_url(people, f"links/{linked.pk}/"))

    assert confirmed.status_code == 200
    assert confirmed.json()["needs_reconfirmation"] is False
    assert detached.status_code == 204
    assert not EvidenceLink.objects.exists()
    assert Evidence.objects.count() == 1


def test_it_sends_a_file_as_an_attachment(people, api):
    document = file_evidence(people.assessment, people.assessor)

    response = api(people.auditor).get(
        _url(people, f"evidence/{document.pk}/download/"),
        HTTP_ACCEPT="application/pdf",
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]


def test_it_downloads_only_files(people, api):
    note = EvidenceFactory(assessment=people.assessment, created_by=people.assessor)

    response = api(people.viewer).get(_url(people, f"evidence/{note.pk}/download/"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_deletes_an_item_and_records_it(people, api, private_storage):
    document = file_evidence(people.assessment, people.assessor, code="STR-1.1")

    response = api(people.assessor).delete(_url(people, f"evidence/{document.pk}/"))

    assert response.status_code == 204
    assert not Evidence.objects.exists()
    deletion = EvidenceDeletion.objects.get()
    assert (deletion.title, deletion.requirement_codes) == ("制度.pdf", ["STR-1.1"])


def test_a_session_upload_still_needs_the_csrf_token(people, rf):
    """The upload handler goes in before the session's CSRF check reads the body."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.assessor)
    request = rf.get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]

    refused = _upload(client, people, "a.pdf", PDF_BYTES)
    accepted = client.post(
        _url(people, "evidence/"),
        {"kind": "file", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 201
    assert Evidence.objects.count() == 1


def test_it_refuses_a_note_past_its_limit_naming_the_field(people, api):
    response = api(people.assessor).post(
        _url(people, "evidence/"),
        {"kind": "note", "title": "Minutes", "note": "x" * 200_000},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "note": ["“Note” is too long (200000 characters); shorten it to at most 20000."]
    }
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_it_refuses_an_effective_date_outside_the_years(people, api, day):
    response = api(people.assessor).post(
        _url(people, "evidence/"),
        {"kind": "note", "title": "Minutes", "note": "n", "effective_from": day},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "effective_from": ["“Effective from” must be a date in the years 1990 to 2100."]
    }
    assert not Evidence.objects.exists()
