"""Files an import refuses, and what it says about what it leaves out."""

import html
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.interchange import excel, json_io, services
from assessments.interchange.archive import read_assessment_file, write_archive
from assessments.interchange.csv_io import answers_csv
from assessments.interchange.errors import FileRefused
from assessments.models import Assessment, Comment, Finding
from tests.assessments.assessment_factories import PDF_BYTES, fingerprint
from tests.interchange.interchange_helpers import ENGLISH, XLSX


def exported(assessment):
    return json.loads(json_io.dump(json_io.export_document(assessment)))


def refusal(importer, document, **kwargs) -> list[str]:
    """Return the problems the import of ``document`` is refused with."""
    before = fingerprint()
    with pytest.raises(FileRefused) as refused:
        services.assessment_import(
            organisation=importer.org,
            document=document,
            actor=importer.admin,
            **kwargs,
        )
    assert fingerprint() == before
    return refused.value.messages


def upload(name, content):
    return read_assessment_file(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("version", [10**30, 2**63 - 1, 1_000_000_001, -1])
def test_a_version_out_of_range_is_refused(filled, importer, version):
    document = exported(filled.assessment)
    document["answers"][0]["version"] = version

    problems = refusal(importer, document)

    assert problems == [
        "answers[0].version: must be a whole number from 0 to 1000000000."
    ]


@pytest.mark.parametrize("text", ["\ud800", "abc\x00def"], ids=["surrogate", "nul"])
def test_text_no_page_would_take_is_refused(filled, importer, text):
    document = exported(filled.assessment)
    document["answers"][0]["justification"] = text

    problems = refusal(importer, document)

    assert problems == [
        "answers[0].justification: holds a NUL character or a lone surrogate, "
        "which text cannot hold."
    ]


def test_the_import_page_refuses_a_lone_surrogate(filled, importer, login):
    document = exported(filled.assessment)
    document["assessment"]["title"] = "标题\ud800"
    raw = json.dumps(document).encode()

    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {"file": SimpleUploadedFile("a.json", raw, "application/json")},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "assessment.title: holds a NUL character" in response.content.decode()
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_a_file_without_answers_is_refused(filled, importer):
    document = exported(filled.assessment)
    del document["answers"]

    problems = refusal(importer, document)

    assert problems == ["answers: is missing; an assessment file always has it."]


def test_answers_that_are_no_list_refuse_the_file_once(filled, importer):
    document = exported(filled.assessment)
    document["answers"] = None

    problems = refusal(importer, document, with_reviews=True)

    assert problems == ["answers: must be a list."]


def test_a_link_without_address_is_refused_once(filled, importer):
    document = exported(filled.assessment)
    link = next(item for item in document["evidence"] if item["kind"] == "link")
    link["url"] = ""

    problems = refusal(importer, document)

    index = document["evidence"].index(link)
    assert problems == [f"evidence[{index}].url: must not be empty."]


def test_comments_on_left_out_files_are_counted(filled, importer, people):
    document = exported(filled.assessment)
    file_ref = next(
        item["ref"] for item in document["evidence"] if item["kind"] == "file"
    )
    document["comments"].append(
        {
            "requirement": None,
            "evidence": file_ref,
            "author": people.assessor.username,
            "text": "文件已更新",
            "written_at": None,
        }
    )

    result = services.assessment_import(
        organisation=importer.org,
        document=document,
        actor=importer.admin,
        with_reviews=True,
    )

    assert result.comments_left_out == 1
    assert not Comment.objects.filter(
        assessment=result.assessment, text__endswith="文件已更新"
    ).exists()


def test_the_import_page_says_what_it_left_out(filled, importer, login):
    document = exported(filled.assessment)
    file_ref = next(
        item["ref"] for item in document["evidence"] if item["kind"] == "file"
    )
    document["comments"].append(
        {"requirement": None, "evidence": file_ref, "author": "", "text": "见附件"}
    )
    raw = json.dumps(document, ensure_ascii=False).encode()

    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=["org-c"]),
        {
            "file": SimpleUploadedFile("a.json", raw, "application/json"),
            "with_reviews": "on",
        },
        follow=True,
        **ENGLISH,
    )

    body = response.content.decode()
    assert "Findings: 2; comments: 2." in body
    assert "1 comment about a file item left out was left out with it." in body


def test_an_imported_finding_says_where_it_comes_from(filled, importer, people):
    document = exported(filled.assessment)

    result = services.assessment_import(
        organisation=importer.org,
        document=document,
        actor=importer.admin,
        with_reviews=True,
    )

    finding = Finding.objects.get(assessment=result.assessment, title="监测缺失")
    first_line, rest = finding.description.split("\n", 1)
    assert first_line.startswith(
        f"[Imported finding, originally recorded by {people.auditor.username} on "
    )
    assert rest == "未见监测记录。"
    bare = Finding.objects.get(assessment=result.assessment, title="总体良好")
    assert bare.description.startswith("[Imported finding, originally recorded by ")
    assert "\n" not in bare.description


def archive(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in members:
            target.writestr(name, content)
    return out.getvalue()


# Writing the same name twice is what the test is about.
@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
def test_an_archive_holding_a_member_twice_is_refused(filled):
    out = io.BytesIO()
    write_archive(filled.assessment, out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source:
        original = source.read("assessment.json")
    other = json.loads(original)
    other["assessment"]["title"] = "SECOND"
    content = archive(
        [
            ("assessment.json", original),
            ("assessment.json", json.dumps(other).encode()),
        ]
    )

    with pytest.raises(FileRefused, match=r"holds assessment\.json more than once"):
        upload("export.zip", content)


def test_an_empty_archive_says_it_holds_no_assessment():
    with pytest.raises(FileRefused, match=r"holds no assessment\.json"):
        upload("export.zip", archive([]))


def test_a_file_named_zip_that_is_none_says_so():
    with pytest.raises(FileRefused, match="not a ZIP archive that can be read"):
        upload("export.zip", PDF_BYTES)


WORKBOOK_REFUSAL = (
    "This file is an Excel workbook, such as a questionnaire downloaded from an "
    "assessment, not an assessment file. A filled-in questionnaire is not "
    "imported as a new assessment: upload it on its assessment's Export tab, "
    "under “Upload a filled-in questionnaire”. To import an assessment here, "
    "upload the JSON or ZIP file exported by the portal."
)


def test_an_excel_workbook_is_refused_as_a_workbook():
    content = archive([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "")])

    with pytest.raises(FileRefused) as refused:
        upload("answers.xlsx", content)

    assert refused.value.messages == [WORKBOOK_REFUSAL]


def test_the_import_page_refuses_a_questionnaire_workbook(filled, importer, login):
    content = excel.questionnaire_workbook(filled.assessment)
    before = fingerprint()

    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=[importer.org.slug]),
        {"file": SimpleUploadedFile("questionnaire.xlsx", content, XLSX)},
        **ENGLISH,
    )

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert WORKBOOK_REFUSAL in body
    assert "holds no assessment.json" not in body
    assert fingerprint() == before


CSV_REFUSAL = (
    "This file is a CSV file, such as the answers downloaded from an assessment, "
    "not an assessment file. A CSV file cannot be imported, not even one exported "
    "by the portal: it holds only the answers. To import an assessment here, "
    "upload the JSON or ZIP file exported by the portal, from the assessment's "
    "Export tab: “Assessment file (JSON)” or “Assessment with evidence files (ZIP)”."
)


def test_the_import_page_refuses_the_answers_csv(filled, importer, login):
    content = answers_csv(filled.assessment)
    before = fingerprint()

    response = login(importer.admin).post(
        reverse("interchange:assessment-import", args=[importer.org.slug]),
        {"file": SimpleUploadedFile("answers-1.csv", content, "text/csv")},
        **ENGLISH,
    )

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert CSV_REFUSAL in body
    assert "cannot be read past line" not in body
    assert fingerprint() == before


def test_the_answers_csv_is_told_by_its_header_whatever_its_name(filled):
    content = answers_csv(filled.assessment)

    with pytest.raises(FileRefused) as refused:
        upload("assessment.json", content)

    assert refused.value.messages == [CSV_REFUSAL]


def test_any_file_named_csv_is_refused_as_a_csv():
    content = "编号;状态\nSTR-1.1;完全满足\n".encode()

    with pytest.raises(FileRefused) as refused:
        upload("answers.CSV", content)

    assert refused.value.messages == [CSV_REFUSAL]


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        ("评估说明\n见附件。".encode(), "text/plain"),
        (b"<!doctype html><html><body>export</body></html>", "text/html"),
        (PDF_BYTES, "application/pdf"),
    ],
    ids=["text", "html", "pdf"],
)
def test_a_file_that_is_plainly_no_json_says_what_to_upload(content, detected):
    with pytest.raises(FileRefused) as refused:
        upload("assessment.json", content)

    assert refused.value.messages == [
        f"The file is not JSON (its content reads as {detected}). To import an "
        "assessment here, upload the JSON or ZIP file exported by the portal, "
        "from the assessment's Export tab: “Assessment file (JSON)” or "
        "“Assessment with evidence files (ZIP)”."
    ]


@pytest.mark.parametrize(
    "content",
    [b'{"format": "aimrg-assessment",', '\n  {"format": 1'.encode("utf-16")],
    ids=["utf-8", "utf-16"],
)
def test_damaged_json_named_csv_says_where_it_breaks(content):
    with pytest.raises(FileRefused) as refused:
        upload("assessment.csv", content)

    (message,) = refused.value.messages
    assert message.startswith("The file is not JSON: it cannot be read past line ")


def test_the_api_refuses_the_answers_csv_as_the_page_does(filled, importer):
    client = APIClient()
    client.force_login(importer.admin)
    before = fingerprint()

    response = client.post(
        f"/api/v1/organisations/{importer.org.slug}/import/",
        {"file": SimpleUploadedFile("answers-1.csv", answers_csv(filled.assessment))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "refused"
    assert body["errors"]["file"] == [CSV_REFUSAL]
    assert fingerprint() == before
