"""The export_assessment and import_assessment commands."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment, Comment, Evidence, Review
from assessments.selectors import assessment_score, readings_of
from tests.assessments.assessment_factories import PDF_BYTES


def run(*args, stderr=None) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def test_it_exports_json_to_a_file(filled, tmp_path):
    path = tmp_path / "assessment.json"

    run("export_assessment", str(filled.assessment.pk), "--output", str(path))

    document = json.loads(path.read_bytes())
    assert document["format"] == "aimrg-assessment"
    assert [entry["requirement"] for entry in document["answers"]][:2] == [
        "STR-1.1",
        "STR-1.2",
    ]


def test_it_exports_and_imports_a_zip(filled, importer, tmp_path):
    path = tmp_path / "assessment.zip"
    run("export_assessment", str(filled.assessment.pk), "--zip", "-o", str(path))
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"evidence/{filled.document.sha256}") == PDF_BYTES

    errors = io.StringIO()
    output = run(
        "import_assessment",
        str(path),
        "--organisation",
        "org-c",
        "--user",
        importer.admin.username,
        "--with-reviews",
        stderr=errors,
    )

    copy = Assessment.objects.get(pk=int(output))
    assert copy.organisation == importer.org
    assert Evidence.objects.filter(assessment=copy, kind="file").count() == 1
    assert assessment_score(copy).to_dict() == (
        assessment_score(filled.assessment).to_dict()
    )
    assert not Review.objects.filter(answer__assessment=copy).exists()
    assert readings_of(copy).verified is None
    assert (
        Comment.objects.filter(
            assessment=copy, text__startswith="[Verdict from the imported file: "
        ).count()
        == 6
    )
    assert "6 reviews came in as comments" in errors.getvalue()


def test_it_says_when_the_title_was_marked_as_imported(filled, importer, tmp_path):
    path = tmp_path / "assessment.json"
    run("export_assessment", str(filled.assessment.pk), "--output", str(path))
    arguments = ("--organisation", "org-c", "--user", importer.admin.username)
    first = io.StringIO()
    run("import_assessment", str(path), *arguments, stderr=first)
    second = io.StringIO()

    output = run("import_assessment", str(path), *arguments, stderr=second)

    title = filled.assessment.title
    assert "already has" not in first.getvalue()
    copy = Assessment.objects.get(pk=int(output))
    assert copy.title == f"{title} (imported)"
    assert (
        f"org-c already has an assessment titled “{title}”; this one is titled "
        f"“{title} (imported)”." in second.getvalue()
    )


def test_it_refuses_an_importer_who_is_no_administrator(filled, importer, tmp_path):
    path = tmp_path / "assessment.json"
    run("export_assessment", str(filled.assessment.pk), "-o", str(path))

    with pytest.raises(CommandError, match="Only administrators"):
        run(
            "import_assessment",
            str(path),
            "--organisation",
            "org-c",
            "--user",
            importer.viewer.username,
        )
    assert not Assessment.objects.filter(organisation=importer.org).exists()


def test_it_names_the_problem_of_a_bad_file(importer, tmp_path):
    path = tmp_path / "assessment.json"
    path.write_text(
        json.dumps(
            {
                "format": "aimrg-assessment",
                "format_version": 1,
                "framework": {"code": "AIMRG", "version": "0.1"},
            }
        )
    )

    with pytest.raises(CommandError, match=r"version 0\.1 of AIMRG"):
        run(
            "import_assessment",
            str(path),
            "--organisation",
            "org-c",
            "--user",
            importer.admin.username,
        )


def test_it_tells_a_csv_export_apart_from_an_assessment_file(importer, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("code,status,justification\nSTR-1.1,satisfied,ok\n")

    with pytest.raises(CommandError, match="not an assessment file"):
        run(
            "import_assessment",
            str(path),
            "--organisation",
            "org-c",
            "--user",
            importer.admin.username,
        )


def test_it_refuses_an_unknown_assessment(db):
    with pytest.raises(CommandError, match="assessment 999999: no such assessment"):
        run("export_assessment", "999999")
