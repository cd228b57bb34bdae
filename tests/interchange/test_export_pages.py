"""The export page, its downloads, and the links placed on other pages."""

import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.interchange.interchange_helpers import ENGLISH


def export_page(client, assessment):
    return client.get(reverse("interchange:export", args=[assessment.pk]), **ENGLISH)


@pytest.mark.parametrize("persona", ["admin", "assessor", "viewer", "auditor"])
def test_everyone_who_sees_the_assessment_may_export(filled, login, people, persona):
    client = login(getattr(people, persona))

    response = export_page(client, filled.assessment)

    body = response.content.decode()
    assert response.status_code == 200
    for name in ("export-json", "export-zip", "export-xlsx", "export-csv"):
        assert reverse(f"interchange:{name}", args=[filled.assessment.pk]) in body


def test_only_those_who_answer_see_the_upload_form(filled, login, people):
    upload = reverse("interchange:questionnaire-upload", args=[filled.assessment.pk])

    assessor_page = export_page(login(people.assessor), filled.assessment)
    viewer_page = export_page(login(people.viewer), filled.assessment)

    assert upload in assessor_page.content.decode()
    assert upload not in viewer_page.content.decode()


def test_outsiders_get_404_and_strangers_the_login(filled, login, people, client):
    assert export_page(client, filled.assessment).status_code == 302

    client = login(people.outsider)

    assert export_page(client, filled.assessment).status_code == 404
    url = reverse("interchange:export-json", args=[filled.assessment.pk])
    assert client.get(url).status_code == 404


def test_the_json_download_is_the_assessment_file(filled, login, people):
    client = login(people.auditor)

    response = client.get(
        reverse("interchange:export-json", args=[filled.assessment.pk])
    )

    document = json.loads(response.content)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="assessment-{filled.assessment.pk}.json"'
    )
    assert document["organisation"] == {"name": "甲公司"}
    assert document["assessment"]["title"] == "2025 年度评估"
    assert len(document["answers"]) == 7
    assert len(document["reviews"]) == 6
    assert document["scores"]["self_assessed"]["modules"]["STR"]["level"] == 2
    assert document["scores"]["verified"]["modules"]["STR"]["level"] == 1


def test_the_overview_links_name_both_pages(filled):
    assessment = filled.assessment

    editable = render_to_string(
        "interchange/_assessment_links.html",
        {"assessment": assessment, "can_edit": True},
    )
    read_only = render_to_string(
        "interchange/_assessment_links.html",
        {"assessment": assessment, "can_edit": False},
    )

    upload = reverse("interchange:questionnaire-upload", args=[assessment.pk])
    assert reverse("interchange:export", args=[assessment.pk]) in read_only
    assert upload in editable
    assert upload not in read_only


@pytest.mark.parametrize(
    ("persona", "offered"), [("admin", True), ("assessor", False), ("viewer", False)]
)
def test_the_organisation_page_offers_the_import_to_whom_may_import(
    people, login, persona, offered
):
    url = reverse("interchange:assessment-import", args=[people.org_a.slug])
    page = reverse("assessments:organisation-detail", args=[people.org_a.slug])

    body = login(getattr(people, persona)).get(page).content.decode()

    assert (url in body) is offered
