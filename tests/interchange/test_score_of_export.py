"""The score command reads an assessment file as it is."""

import io
import json

import pytest
from django.core.management import call_command

from assessments.interchange import json_io
from assessments.models import Answer, AssessmentTarget
from assessments.selectors import assessment_score, targets_of
from maturity.models import Framework, Requirement
from tests.assessments.assessment_factories import AssessmentFactory, answer


def score_file(path, targets) -> dict:
    out = io.StringIO()
    options = [f"--target={module}={level}" for module, level in targets.items()]
    call_command("score", str(path), *options, stdout=out)
    return json.loads(out.getvalue())


def test_it_gives_the_levels_of_the_portal(filled, tmp_path):
    path = tmp_path / "assessment.json"
    path.write_bytes(json_io.dump(json_io.export_document(filled.assessment)))

    result = score_file(path, targets_of(filled.assessment))

    expected = assessment_score(filled.assessment).to_dict()
    assert result["framework"] == {"code": "TST", "version": "1"}
    assert result["modules"] == expected["modules"]
    assert result["organisation"] == expected["organisation"]
    assert result["modules"]["STR"]["level"] == 2


@pytest.fixture
def aimrg(db):
    return Framework.objects.latest_version("AIMRG")


def test_it_reads_an_export_of_the_shipped_standard(people, aimrg, tmp_path):
    assessment = AssessmentFactory(
        organisation=people.org_a, framework=aimrg, created_by=people.assessor
    )
    AssessmentTarget.objects.filter(assessment=assessment, module__code="STR").update(
        level=5
    )
    first_levels = Requirement.objects.filter(framework=aimrg, level__lte=2)
    for requirement in first_levels.filter(module__code__in=["STR", "ORG", "LC"]):
        answer(assessment, requirement.code, evidence=False)
    Answer.objects.create(
        assessment=assessment,
        requirement=Requirement.objects.get(framework=aimrg, code="STR-3.1"),
        justification="尚在评估",
    )
    path = tmp_path / "assessment.json"
    path.write_bytes(json_io.dump(json_io.export_document(assessment)))

    result = score_file(path, targets_of(assessment))

    expected = assessment_score(assessment).to_dict()
    assert result["framework"] == {"code": "AIMRG", "version": aimrg.version}
    assert {code: module["level"] for code, module in result["modules"].items()} == {
        code: module["level"] for code, module in expected["modules"].items()
    }
    assert result["modules"] == expected["modules"]
    assert result["modules"]["STR"]["level"] == 2
    assert result["modules"]["STR"]["gaps"]["3"][0] == "STR-3.1"
