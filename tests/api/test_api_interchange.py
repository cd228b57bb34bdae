"""Exporting an assessment and importing one, through the API."""

import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import uploads
from assessments.models import Assessment, Comment, Evidence, Review
from tests.assessments.assessment_factories import PDF_BYTES, fingerprint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READERS = ["admin", "assessor", "viewer", "auditor"]


def _export_url(assessment, kind):
    return f"/api/v1/assessments/{assessment.pk}/export/{kind}/"


def _import_url(organisation):
    return f"/api/v1/organisations/{organisation.slug}/import/"


def _download(client, assessment, kind) -> bytes:
    response = client.get(_export_url(assessment, kind))
    assert response.status_code == 200, response.content
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _import(client, organisation, content, name="assessment.json", **fields):
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(
        _import_url(organisation),
        {"file": upload, **fields},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


# ------------------------------------------------------------------ export


@pytest.mark.parametrize("persona", READERS)
def test_everyone_who_sees_the_assessment_exports_its_file(
    filled, people, api, persona
):
    response = api(getattr(people, persona)).get(_export_url(filled.assessment, "json"))

    document = json.loads(response.content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="assessment-{filled.assessment.pk}.json"'
    )
    assert document["format"] == "aimrg-assessment"
    assert document["assessment"]["title"] == filled.assessment.title
    assert [row["requirement"] for row in document["answers"]][:2] == [
        "STR-1.1",
        "STR-1.2",
    ]


def test_the_file_gives_its_moments_in_the_zone_of_the_api(
    filled, people, api, settings
):
    settings.TIME_ZONE = "Asia/Shanghai"
    client = api(people.viewer)

    document = json.loads(client.get(_export_url(filled.assessment, "json")).content)
    created_at = client.get(f"/api/v1/assessments/{filled.assessment.pk}/").json()[
        "created_at"
    ]

    offset = datetime.datetime.fromisoformat(created_at).utcoffset()
    assert datetime.datetime.fromisoformat(document["exported_at"]).utcoffset() == (
        offset
    )
    assert offset == datetime.timedelta(hours=8)


@pytest.mark.parametrize("kind", ["json", "zip", "csv", "xlsx"])
@pytest.mark.parametrize("persona", ["expired", "outsider"])
def test_those_who_cannot_see_it_export_nothing(filled, people, api, kind, persona):
    response = api(getattr(people, persona)).get(_export_url(filled.assessment, kind))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_archive_holds_the_file_and_the_evidence_files(filled, people, api):
    content = _download(api(people.viewer), filled.assessment, "zip")

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        document = json.loads(archive.read("assessment.json"))
        data = archive.read(f"evidence/{filled.document.sha256}")
    assert names == ["assessment.json", f"evidence/{filled.document.sha256}"]
    assert data == PDF_BYTES
    assert document["assessment"]["title"] == filled.assessment.title


def test_the_archive_is_refused_when_a_stored_file_changed(filled, people, api):
    uploads.stored_path(filled.document.file_path).write_bytes(b"%PDF-1.4 other")

    response = api(people.viewer).get(
        _export_url(filled.assessment, "zip"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "refused"
    assert "no longer matches its SHA-256" in response.json()["message"]


def test_the_answers_come_as_csv_and_as_the_workbook(filled, people, api):
    client = api(people.auditor)

    csv = client.get(_export_url(filled.assessment, "csv"))
    xlsx = client.get(_export_url(filled.assessment, "xlsx"))

    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert "STR-1.1" in csv.content.decode("utf-8-sig")
    assert xlsx["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.worksheets[0].cell(2, 1).value == "STR-1.1"


# ------------------------------------------------------------------ import


def test_an_admin_imports_the_json_file_as_a_new_draft(filled, people, importer, api):
    content = _download(api(people.viewer), filled.assessment, "json")

    response = _import(api(importer.admin), importer.org, content)

    body = response.json()
    created = Assessment.objects.get(organisation=importer.org)
    assert response.status_code == 201
    assert body["assessment"]["id"] == created.pk
    assert (body["assessment"]["organisation"], body["assessment"]["status"]) == (
        "org-c",
        "draft",
    )
    assert body["answers"] == created.answers.exclude(status="").count() == 7
    assert (body["files_left_out"], body["reviews_as_comments"]) == (1, 0)
    assert not Comment.objects.filter(assessment=created).exists()
    assert not Review.objects.filter(answer__assessment=created).exists()


def test_the_archive_brings_the_files_and_the_verdicts_as_comments(
    filled, people, importer, api
):
    content = _download(api(people.viewer), filled.assessment, "zip")

    response = _import(
        api(importer.admin),
        importer.org,
        content,
        name="assessment.zip",
        with_reviews="true",
    )

    body = response.json()
    created = Assessment.objects.get(organisation=importer.org)
    copy = Evidence.objects.get(assessment=created, kind="file")
    assert response.status_code == 201
    assert (body["files_left_out"], body["reviews_as_comments"]) == (0, 6)
    assert (body["findings"], body["comments"]) == (2, 2)
    assert copy.sha256 == filled.document.sha256
    assert uploads.stored_path(copy.file_path).read_bytes() == PDF_BYTES
    assert not Review.objects.filter(answer__assessment=created).exists()


def test_a_title_already_used_is_marked_as_imported(filled, people, importer, api):
    content = _download(api(people.viewer), filled.assessment, "json")
    client = api(importer.admin)

    first = _import(client, importer.org, content).json()
    second = _import(client, importer.org, content).json()

    assert first["renamed_from"] == ""
    assert second["renamed_from"] == filled.assessment.title
    assert second["assessment"]["title"] != filled.assessment.title
    assert Assessment.objects.filter(organisation=importer.org).count() == 2


@pytest.mark.parametrize("persona", ["assessor", "viewer"])
def test_only_administrators_import(filled, people, importer, api, persona):
    content = _download(api(people.viewer), filled.assessment, "json")
    before = fingerprint()

    response = _import(api(getattr(importer, persona)), importer.org, content)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert fingerprint() == before


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_an_organisation_one_is_not_a_member_of_is_not_found(
    filled, people, importer, api, persona
):
    content = _download(api(people.viewer), filled.assessment, "json")
    before = fingerprint()

    response = _import(api(getattr(people, persona)), importer.org, content)

    assert response.status_code == 404
    assert fingerprint() == before


def test_a_file_that_cannot_be_imported_names_its_problems(importer, api):
    before = fingerprint()

    response = _import(api(importer.admin), importer.org, b"{not json")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "refused"
    assert list(body["errors"]) == ["file"]
    assert body["errors"]["file"][0].startswith("The file is not JSON")
    assert fingerprint() == before


def test_a_questionnaire_workbook_is_refused_as_no_assessment_file(
    filled, people, importer, api
):
    content = _download(api(people.viewer), filled.assessment, "xlsx")
    before = fingerprint()

    response = _import(api(importer.admin), importer.org, content, name="q.xlsx")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "refused"
    [message] = body["errors"]["file"]
    assert message.startswith("This file is an Excel workbook")
    assert "“Upload a filled-in questionnaire”" in message
    assert "assessment.json" not in message
    assert fingerprint() == before


def test_an_import_needs_the_file(importer, api):
    response = api(importer.admin).post(
        _import_url(importer.org), {}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_a_json_file_over_the_upload_limit_is_refused(
    filled, people, importer, api, settings
):
    content = _download(api(people.viewer), filled.assessment, "json")
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 1000

    response = _import(api(importer.admin), importer.org, content)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_an_archive_over_the_archive_limit_is_stopped(
    filled, people, importer, api, settings
):
    content = _download(api(people.viewer), filled.assessment, "zip")
    settings.INTERCHANGE_MAX_ARCHIVE_SIZE = 200

    response = _import(api(importer.admin), importer.org, content, name="a.zip")

    assert response.status_code == 413
    assert "larger than 200" in response.json()["message"]
    assert not Assessment.objects.filter(organisation=importer.org).exists()
