"""The ZIP archive: the assessment file with its evidence files, hashes checked."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import uploads
from assessments.interchange import json_io, services
from assessments.interchange.archive import open_archive, write_archive
from assessments.interchange.errors import FileRefused
from assessments.models import Assessment, Evidence
from tests.assessments.assessment_factories import PDF_BYTES, fingerprint
from tests.interchange.interchange_helpers import ENGLISH, damaged

ELF_BYTES = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
)


def archive_of(assessment) -> bytes:
    out = io.BytesIO()
    write_archive(assessment, out)
    return out.getvalue()


def rewritten(content: bytes, change) -> bytes:
    """Return the archive ``content`` with ``change(members)`` applied."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out.getvalue()


def import_archive(importer, content, **kwargs):
    document, files = open_archive(io.BytesIO(content))
    return services.assessment_import(
        organisation=importer.org,
        document=document,
        files=files,
        actor=importer.admin,
        **kwargs,
    )


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_archive_holds_the_document_and_each_file_once(filled):
    content = archive_of(filled.assessment)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        document = json.loads(archive.read("assessment.json"))
        data = archive.read(f"evidence/{filled.document.sha256}")
    assert names == ["assessment.json", f"evidence/{filled.document.sha256}"]
    assert data == PDF_BYTES
    assert document["answers"][0]["requirement"] == "STR-1.1"


def test_it_imports_the_files_with_their_hashes(filled, importer, login):
    content = archive_of(filled.assessment)

    result = import_archive(importer, content)

    copy = Evidence.objects.get(assessment=result.assessment, kind="file")
    assert result.files_left_out == 0
    assert copy.sha256 == filled.document.sha256
    assert copy.original_name == "制度.pdf"
    assert copy.content_type == "application/pdf"
    assert copy.size == len(PDF_BYTES)
    assert copy.file_path != filled.document.file_path
    assert uploads.stored_path(copy.file_path).read_bytes() == PDF_BYTES
    assert sorted(copy.links.values_list("answer__requirement__code", flat=True)) == [
        "STR-1.1",
        "STR-2.1",
    ]
    response = login(importer.admin).get(copy.get_download_url())
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_tampered_file_is_refused_and_nothing_is_left(
    filled, importer, private_storage
):
    sha = filled.document.sha256
    content = rewritten(
        archive_of(filled.assessment),
        lambda members: members.update({f"evidence/{sha}": PDF_BYTES + b"% added\n"}),
    )
    before, files_before = fingerprint(), stored_files(private_storage)

    with pytest.raises(FileRefused) as refused:
        import_archive(importer, content)

    assert f"evidence/{sha} (“制度.pdf”) does not match its SHA-256" in str(
        refused.value
    )
    assert fingerprint() == before
    assert stored_files(private_storage) == files_before


def file_item(document) -> int:
    return next(
        index
        for index, item in enumerate(document["evidence"])
        if item["kind"] == "file"
    )


def test_a_missing_file_is_refused(filled, importer):
    sha = filled.document.sha256
    content = rewritten(
        archive_of(filled.assessment), lambda members: members.pop(f"evidence/{sha}")
    )

    with pytest.raises(FileRefused, match="matches no file in the archive"):
        import_archive(importer, content)
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_a_file_that_no_item_lists_is_refused(filled, importer, private_storage):
    surplus = PDF_BYTES + b"% another file\n"
    sha = hashlib.sha256(surplus).hexdigest()
    content = rewritten(
        archive_of(filled.assessment),
        lambda members: members.update({f"evidence/{sha}": surplus}),
    )
    before, files_before = fingerprint(), stored_files(private_storage)

    with pytest.raises(FileRefused) as refused:
        import_archive(importer, content)

    assert refused.value.messages == [
        f"The archive holds evidence/{sha}, which no evidence item in "
        "assessment.json lists by its SHA-256. Upload the archive as it was "
        "exported, with its files and their hashes unchanged."
    ]
    assert fingerprint() == before
    assert stored_files(private_storage) == files_before


def test_an_edited_hash_names_the_item_and_the_file_it_no_longer_lists(
    filled, importer
):
    sha = filled.document.sha256
    edited = "0" * 64

    def edit(members):
        document = json.loads(members["assessment.json"])
        document["evidence"][file_item(document)]["sha256"] = edited
        members["assessment.json"] = json.dumps(document).encode()

    content = rewritten(archive_of(filled.assessment), edit)
    index = file_item(json_io.export_document(filled.assessment))

    with pytest.raises(FileRefused) as refused:
        import_archive(importer, content)

    assert refused.value.messages == [
        f"evidence[{index}] (“制度.pdf”): the SHA-256 listed for this item in "
        "assessment.json matches no file in the archive; there is no "
        f"evidence/{edited}. Upload the archive as it was exported, with its "
        "files and their hashes unchanged.",
        f"The archive holds evidence/{sha}, which no evidence item in "
        "assessment.json lists by its SHA-256. Upload the archive as it was "
        "exported, with its files and their hashes unchanged.",
    ]
    assert "missing" not in str(refused.value)
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_a_file_that_two_items_list_is_taken_once(filled, importer):
    def share(members):
        document = json.loads(members["assessment.json"])
        item = dict(document["evidence"][file_item(document)])
        document["evidence"].append({**item, "ref": 999, "title": "副本"})
        members["assessment.json"] = json.dumps(document).encode()

    content = rewritten(archive_of(filled.assessment), share)

    result = import_archive(importer, content)

    files = Evidence.objects.filter(assessment=result.assessment, kind="file")
    assert sorted(files.values_list("title", flat=True)) == ["制度.pdf", "副本"]
    assert {item.sha256 for item in files} == {filled.document.sha256}


@pytest.mark.parametrize("name", ["../../evil.txt", "evidence/notes.txt", "x.json"])
def test_an_entry_the_export_does_not_write_is_refused(filled, importer, name):
    content = rewritten(
        archive_of(filled.assessment),
        lambda members: members.update({name: b"extra"}),
    )

    with pytest.raises(FileRefused, match="which an archive exported by the portal"):
        import_archive(importer, content)
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_files_pass_the_same_content_checks_as_uploads(
    filled, importer, private_storage
):
    """A program with a matching hash is still no evidence."""
    sha = hashlib.sha256(ELF_BYTES).hexdigest()

    def swap(members):
        document = json.loads(members["assessment.json"])
        for item in document["evidence"]:
            if item["kind"] == "file":
                item["sha256"] = sha
        members.pop(f"evidence/{filled.document.sha256}")
        members[f"evidence/{sha}"] = ELF_BYTES
        members["assessment.json"] = json.dumps(document).encode()

    content = rewritten(archive_of(filled.assessment), swap)
    files_before = stored_files(private_storage)

    with pytest.raises(FileRefused) as refused:
        import_archive(importer, content)

    assert "This kind of file is not accepted as evidence" in str(refused.value)
    assert not Assessment.objects.filter(organisation=importer.org).exists()
    assert stored_files(private_storage) == files_before


def test_a_file_over_the_upload_limit_is_refused(filled, importer, settings):
    content = archive_of(filled.assessment)
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 40

    with pytest.raises(FileRefused, match="larger than 40"):
        import_archive(importer, content)


def test_a_zip_without_the_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("minutes.txt", "approved")

    with pytest.raises(FileRefused, match=r"holds no assessment\.json"):
        open_archive(io.BytesIO(out.getvalue()))


def test_a_damaged_document_is_refused_on_the_page(filled, importer, login):
    content = damaged(archive_of(filled.assessment), "assessment.json")

    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=[importer.org.slug]),
        {"file": SimpleUploadedFile("a.zip", content, "application/zip")},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "assessment.json: the archive is damaged and cannot be read." in (
        response.content.decode()
    )
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_a_damaged_evidence_file_is_refused(filled, importer):
    content = archive_of(filled.assessment)
    name = f"evidence/{filled.document.sha256}"

    with pytest.raises(FileRefused, match="the archive is damaged"):
        import_archive(importer, damaged(content, name))


def test_the_export_stops_when_a_stored_file_changed(filled, login):
    uploads.stored_path(filled.document.file_path).write_bytes(b"changed")
    client = login(filled.assessment.created_by)

    response = client.get(
        reverse("interchange:export-zip", args=[filled.assessment.pk]),
        follow=True,
        **ENGLISH,
    )

    assert "no longer matches its SHA-256" in response.content.decode()


def test_the_import_page_takes_the_zip(filled, importer, login):
    content = archive_of(filled.assessment)
    client = login(importer.admin)

    response = client.post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {"file": SimpleUploadedFile("export.zip", content, "application/zip")},
        **ENGLISH,
    )

    copy = Assessment.objects.get(organisation=importer.org)
    assert response.status_code == 302
    assert Evidence.objects.filter(assessment=copy, kind="file").count() == 1


def test_the_import_page_names_a_file_that_no_item_lists(filled, importer, login):
    surplus = PDF_BYTES + b"% another file\n"
    sha = hashlib.sha256(surplus).hexdigest()
    content = rewritten(
        archive_of(filled.assessment),
        lambda members: members.update({f"evidence/{sha}": surplus}),
    )
    client = login(importer.admin)

    response = client.post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {"file": SimpleUploadedFile("export.zip", content, "application/zip")},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert f"The archive holds evidence/{sha}, which no evidence item" in (
        response.content.decode()
    )
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_the_import_page_says_once_that_an_upload_is_empty(importer, login):
    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {"file": SimpleUploadedFile("export.zip", b"", "application/zip")},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert response.content.decode().count("The submitted file is empty.") == 1
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_the_import_page_refuses_a_zip_over_the_archive_limit(
    filled, importer, login, settings
):
    content = archive_of(filled.assessment)
    settings.INTERCHANGE_MAX_ARCHIVE_SIZE = len(content) - 1
    client = login(importer.admin)

    response = client.post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {"file": SimpleUploadedFile("export.zip", content, "application/zip")},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_the_zip_download_is_the_archive(filled, login, people):
    client = login(people.viewer)

    response = client.get(
        reverse("interchange:export-zip", args=[filled.assessment.pk])
    )

    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.read(f"evidence/{filled.document.sha256}") == PDF_BYTES
