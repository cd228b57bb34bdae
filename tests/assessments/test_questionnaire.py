"""The questionnaire and overview pages: levels, filters, queries per page."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from assessments.models import AnswerStatus
from maturity.catalogues import get_catalogue
from maturity.models import Framework, Requirement
from maturity.scoring import score
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    EvidenceFactory,
    EvidenceLinkFactory,
    answer,
    answer_all,
    file_evidence,
)


def figure(body, name):
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', body)
    return match.group(1).strip()


def _page(client, assessment, area, **params):
    url = reverse("assessments:questionnaire", args=[assessment.pk, area])
    return client.get(url, params).content.decode()


def test_it_shows_the_level_the_scoring_service_returns(people, login):
    assessment = people.assessment
    for code in ["STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2", "STR-3.1"]:
        answer(assessment, code)
    answer(assessment, "STR-3.2", "partial", evidence=False)
    answer(assessment, "STR-4.1")
    client = login(people.viewer)
    statuses = dict(assessment.answers.values_list("requirement__code", "status"))
    expected = score(get_catalogue(assessment.framework), statuses).modules["STR"]

    body = _page(client, assessment, "STR")

    assert figure(body, "area.level") == str(expected.level) == "2"
    overview = client.get(assessment.get_absolute_url()).content.decode()
    assert re.search(r'data-module-level="STR">(\d)<', overview).group(1) == "2"


def test_it_shows_the_stage_and_the_lifecycle_level(people, login):
    assessment = people.assessment
    for level in range(1, 4):
        answer(assessment, f"LC-S1-{level}.1")
    answer(assessment, "LC-S2-1.1")
    client = login(people.assessor)

    body = _page(client, assessment, "LC-S1")

    assert figure(body, "area.level") == "3"
    assert figure(body, "module.level") == "1"


def test_it_shows_the_standard_text_and_parts(people, login):
    client = login(people.assessor)

    body = _page(client, people.assessment, "STR")

    assert 'id="STR-1.1"' in body
    assert "应建立第1级的第1项策略。" in body
    assert "<li>子项一；</li>" in body
    assert "注释文字" in body
    assert '<label for="STR-1.1-status">' in body
    assert '<label for="STR-1.1-justification">' in body


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (
            "unanswered",
            [
                "STR-2.2",
                "STR-3.1",
                "STR-3.2",
                "STR-4.1",
                "STR-4.2",
                "STR-5.1",
                "STR-5.2",
            ],
        ),
        ("not_satisfied", ["STR-1.2", "STR-2.1"]),
        ("missing_evidence", ["STR-1.1"]),
        (
            "",
            [
                "STR-1.1",
                "STR-1.2",
                "STR-2.1",
                "STR-2.2",
                "STR-3.1",
                "STR-3.2",
                "STR-4.1",
                "STR-4.2",
                "STR-5.1",
                "STR-5.2",
            ],
        ),
    ],
)
def test_it_filters_requirements(people, login, selected, expected):
    assessment = people.assessment
    answer(assessment, "STR-1.1", evidence=False)
    answer(assessment, "STR-1.2", "partial")
    answer(assessment, "STR-2.1", "not_satisfied")
    client = login(people.assessor)

    body = _page(client, assessment, "STR", show=selected)

    assert (
        re.findall(r'<article class="requirement panel" id="([^"]+)"', body) == expected
    )


def test_it_renders_read_only_for_a_viewer(people, login):
    client = login(people.viewer)

    body = _page(client, people.assessment, "STR")

    assert "data-autosave" not in body
    assert 'name="status" disabled' in body
    add = reverse("assessments:evidence-add", args=[people.assessment.pk, "STR-1.1"])
    attach = reverse(
        "assessments:requirement-evidence", args=[people.assessment.pk, "STR-1.1"]
    )
    assert add not in body
    assert attach not in body


def _block(body, code):
    return body.split(f'id="{code}"')[1].split("</article>")[0]


def test_it_offers_every_answer_status(people, login):
    client = login(people.assessor)

    body = _page(client, people.assessment, "STR")

    select = _block(body, "STR-1.1").split('name="status"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == [
        "",
        *AnswerStatus.values,
    ]


def test_it_marks_the_status_of_the_answer(people, login):
    answer(people.assessment, "STR-1.2", "not_applicable", justification="不适用")
    client = login(people.assessor)
    url = reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    block = _block(body, "STR-1.2")
    assert re.findall(r'<option value="([^"]*)" selected>', block) == ["not_applicable"]
    assert "不适用</textarea>" in block
    assert "data-status-badge>Not applicable<" in block
    assert "data-status-badge>Unanswered<" in _block(body, "STR-1.1")


def test_it_points_every_form_at_its_own_address(people, login):
    assessment = people.assessment
    linked = answer(assessment, "STR-1.1")
    link = linked.evidence_links.get()
    link.needs_reconfirmation = True
    link.save()
    document = file_evidence(assessment, people.assessor, code="STR-1.1")
    client = login(people.assessor)

    block = _block(_page(client, assessment, "STR"), "STR-1.1")

    pk = assessment.pk
    document_link = document.links.get()
    for address in [
        reverse("assessments:answer-update", args=[pk, "STR-1.1"]),
        reverse("assessments:requirement-evidence", args=[pk, "STR-1.1"]),
        reverse("assessments:comment-add", args=[pk, "STR-1.1"]),
        reverse("assessments:evidence-reconfirm", args=[pk, link.pk]),
        reverse("assessments:evidence-detach", args=[pk, link.pk]),
        reverse("assessments:evidence-detach", args=[pk, document_link.pk]),
        document.get_download_url(),
    ]:
        assert f'"{address}"' in block
    assert f'value="evidence-{document.pk}"' in block


def test_it_keeps_the_heavy_evidence_forms_off_the_page(people, login):
    file_evidence(people.assessment, people.assessor, code="STR-1.1")
    client = login(people.assessor)

    body = _page(client, people.assessment, "STR", show="unanswered")

    attach = reverse(
        "assessments:requirement-evidence", args=[people.assessment.pk, "STR-1.2"]
    )
    assert f'href="{attach}?show=unanswered"' in body
    assert 'type="file"' not in body
    assert "/evidence/existing/" not in body


def test_it_keeps_the_filter_in_every_form(people, login):
    answer(people.assessment, "STR-1.1", "partial")
    client = login(people.assessor)

    block = _block(
        _page(client, people.assessment, "STR", show="not_satisfied"), "STR-1.1"
    )

    forms = block.count("<form ")
    assert forms == 3  # the answer, detaching the note, a comment
    assert block.count('<input type="hidden" name="show" value="not_satisfied">') == 3


def test_it_returns_404_for_an_unknown_page(people, login):
    client = login(people.assessor)

    response = client.get(
        reverse("assessments:questionnaire", args=[people.assessment.pk, "LC"])
    )

    assert response.status_code == 404


def _fill(assessment, user, evidence_per_answer):
    for index, requirement in enumerate(
        Requirement.objects.filter(framework=assessment.framework, module__code="STR")
    ):
        created = answer(assessment, requirement.code, evidence=False)
        for _ in range(evidence_per_answer):
            EvidenceLinkFactory(
                answer=created,
                evidence=EvidenceFactory(assessment=assessment, created_by=user),
                created_by=user,
            )
        if index == 0:
            created.evidence_links.update(needs_reconfirmation=True)


PAGES = ["questionnaire", "overview", "evidence"]
# The overview also shows the reports panel (two queries).
MAX_QUERIES = {"questionnaire": 13, "overview": 15, "evidence": 8}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("evidence_per_answer", [0, 1, 4])
def test_it_runs_the_same_queries_however_much_is_answered(
    people, login, django_assert_max_num_queries, page, evidence_per_answer
):
    assessment = people.assessment
    if evidence_per_answer:
        _fill(assessment, people.assessor, evidence_per_answer)
    client = login(people.assessor)
    url = {
        "questionnaire": reverse(
            "assessments:questionnaire", args=[assessment.pk, "STR"]
        ),
        "overview": assessment.get_absolute_url(),
        "evidence": reverse("assessments:evidence-list", args=[assessment.pk]),
    }[page]
    client.get(url)  # fills the catalogue cache, as any earlier page would

    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)

    assert response.status_code == 200


@pytest.fixture
def aimrg(db):
    call_command("load_framework", verbosity=0)
    return Framework.objects.latest_version("AIMRG")


def test_it_scores_the_real_standard(people, login, aimrg):
    assessment = AssessmentFactory(
        organisation=people.org_a, framework=aimrg, created_by=people.assessor
    )
    answer_all(assessment)
    partial = assessment.answers.get(requirement__code="STR-3.1")
    partial.status = "partial"
    partial.save()
    statuses = dict(assessment.answers.values_list("requirement__code", "status"))
    result = score(get_catalogue(aimrg), statuses)
    client = login(people.assessor)

    body = _page(client, assessment, "STR")
    stage = _page(client, assessment, "LC-MON")

    assert figure(body, "area.level") == str(result.modules["STR"].level) == "2"
    assert figure(stage, "area.level") == str(result.area("LC-MON").level) == "5"
    assert "应具备基本的管理活动" in body
    overview = client.get(assessment.get_absolute_url()).content.decode()
    assert figure(overview, "overall.level") == str(result.organisation.level) == "2"


def test_it_styles_a_read_only_justification_like_the_disabled_status():
    stylesheet = (
        settings.BASE_DIR / "static" / "assessments" / "assessments.css"
    ).read_text()

    rule = re.search(
        r"\.answer-form select:disabled,\s*"
        r"\.answer-form textarea\[readonly\]\s*\{([^}]*)\}",
        stylesheet,
    )
    assert rule is not None
    assert "background" in rule.group(1)
