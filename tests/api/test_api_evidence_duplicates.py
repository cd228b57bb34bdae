"""The same file twice through the API: refused as on the pages, with a code."""

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Evidence, EvidenceLink
from tests.assessments.assessment_factories import PDF_BYTES, file_evidence


def _url(people, path=""):
    return f"/api/v1/assessments/{people.assessment.pk}/{path}"


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_it_refuses_a_file_already_in_the_assessment(people, api, private_storage):
    existing = file_evidence(people.assessment, people.assessor, name="制度.pdf")

    response = api(people.assessor).post(
        _url(people, "evidence/"),
        {
            "kind": "file",
            "file": SimpleUploadedFile("copy.pdf", PDF_BYTES),
            "requirement": "STR-1.1",
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "duplicate"
    assert body["errors"] == {
        "file": [
            "This file is already in this assessment as the evidence item "
            "“制度.pdf”. Attach that item from the existing evidence instead of "
            "uploading the file again."
        ]
    }
    assert list(Evidence.objects.all()) == [existing]
    assert not EvidenceLink.objects.exists()
    assert stored_files(private_storage) == [private_storage / existing.file_path]


def test_the_item_holding_the_file_is_linked_instead(people, api):
    existing = file_evidence(people.assessment, people.assessor)
    client = api(people.assessor)

    linked = client.post(
        _url(people, "links/"),
        {"evidence": existing.pk, "requirement": "STR-1.1"},
        format="json",
    )
    again = client.post(
        _url(people, "links/"),
        {"evidence": existing.pk, "requirement": "STR-1.1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert linked.status_code == 201
    assert again.status_code == 400
    assert again.json()["code"] == "linked"
    assert again.json()["message"] == (
        "This evidence item already supports the requirement."
    )
    assert EvidenceLink.objects.filter(evidence=existing).count() == 1
