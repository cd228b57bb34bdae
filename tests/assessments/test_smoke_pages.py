"""Every page of the assessments app renders for members of organisation A."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Status
from reports.models import Report
from tests.assessments.assessment_factories import (
    MembershipFactory,
    answer_all,
    set_status,
)


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "questionnaire",
        "stage",
        "evidence",
        "update",
        "org",
        "members",
        "home",
        "dashboard",
        "findings",
        "history",
        "organisation history",
    ],
)
def test_it_renders(people, login, name):
    client = login(people.admin)
    pk = people.assessment.pk
    url = {
        "overview": reverse("assessments:assessment-detail", args=[pk]),
        "questionnaire": reverse("assessments:questionnaire", args=[pk, "STR"]),
        "stage": reverse("assessments:questionnaire", args=[pk, "LC-S1"]),
        "evidence": reverse("assessments:evidence-list", args=[pk]),
        "update": reverse("assessments:assessment-update", args=[pk]),
        "org": reverse("assessments:organisation-detail", args=["org-a"]),
        "members": reverse("assessments:member-list", args=["org-a"]),
        "home": reverse("home"),
        "dashboard": reverse("assessments:assessment-dashboard", args=[pk]),
        "findings": reverse("assessments:finding-list", args=[pk]),
        "history": reverse("assessments:assessment-history", args=[pk]),
        "organisation history": reverse(
            "assessments:organisation-history", args=["org-a"]
        ),
    }[name]

    response = client.get(url)

    assert response.status_code == 200
    assert people.org_a.name in response.content.decode()


def test_it_fills_the_date_controls_with_iso_dates(people, login):
    client = login(people.assessor)

    body = client.get(
        reverse("assessments:assessment-update", args=[people.assessment.pk])
    ).content.decode()

    assert 'type="date" name="period_start" value="2025-01-01"' in body


@pytest.mark.parametrize("page", ["assessment-detail", "assessment-dashboard"])
@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.IN_REVIEW, Status.RETURNED, Status.FINALISED]
)
def test_it_renders_the_overview_and_dashboard_in_every_status(
    people, login, page, status
):
    assessment = people.assessment
    answer_all(assessment)
    set_status(assessment)
    if status == Status.FINALISED:
        services.assessment_transition(
            assessment=assessment, name="finalise", actor=people.auditor
        )
    else:
        set_status(assessment, status)

    response = login(people.viewer).get(
        reverse(f"assessments:{page}", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["answered"] == response.context["total"] == 20
    assert response.context["readings"].frozen == (status == Status.FINALISED)
    assert str(Status(status).label) in response.content.decode()


def site_nav(body: str) -> str:
    """Return the main navigation of the page header."""
    start = body.index('<nav class="site-nav"')
    return body[start : body.index("</nav>", start)]


@pytest.mark.parametrize("page", ["reports", "report"])
def test_report_pages_name_their_organisation_in_the_header(people, login, page):
    report = Report.objects.create(
        assessment=people.assessment, revision="r1", requested_by=people.admin
    )
    pk = people.assessment.pk
    url = {
        "reports": reverse("reports:report-list", args=[pk]),
        "report": reverse("reports:report-detail", args=[pk, report.pk]),
    }[page]

    body = login(people.viewer).get(url).content.decode()

    organisation = reverse("assessments:organisation-detail", args=["org-a"])
    assert f'<a href="{organisation}" aria-current="page">甲公司</a>' in site_nav(body)


@pytest.mark.parametrize(
    "name", ["maturity:catalogue", "api-tokens", "password_change", "home"]
)
def test_pages_of_no_organisation_link_to_the_members_one(people, login, name):
    body = login(people.viewer).get(reverse(name)).content.decode()

    organisation = reverse("assessments:organisation-detail", args=["org-a"])
    assert f'<a href="{organisation}">甲公司</a>' in site_nav(body)


def test_pages_of_no_organisation_offer_every_organisation_of_the_member(people, login):
    MembershipFactory(organisation=people.org_b, user=people.viewer)

    body = login(people.viewer).get(reverse("maturity:catalogue")).content.decode()

    nav = site_nav(body)
    assert 'id="org-switcher"' in nav
    assert ">甲公司</option>" in nav
    assert ">乙公司</option>" in nav


def test_the_overview_says_when_the_assessment_was_finalised(people, login):
    assessment = people.assessment
    answer_all(assessment)
    set_status(assessment)
    services.assessment_transition(
        assessment=assessment, name="finalise", actor=people.auditor
    )
    assessment.refresh_from_db()
    when = timezone.localtime(assessment.finalised_at).strftime("%Y-%m-%d %H:%M")

    body = (
        login(people.viewer)
        .get(
            reverse("assessments:assessment-detail", args=[assessment.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    status = re.sub(r"\s+", " ", body.split('id="status-heading"', 1)[1])
    assert f'Finalised</span> <span class="muted">on {when}</span>' in status
    assert "finalised 20" not in status


def cells_of_row(body: str, marker: str) -> list[str]:
    """Return the cells of the first table row holding ``marker``."""
    row = re.search(
        rf"<tr[\s>]((?:(?!</tr>).)*{marker}(?:(?!</tr>).)*)</tr>", body, re.S
    )
    return re.findall(r"<td[^>]*>.*?</td>", row.group(1), re.S)


def test_the_overview_marks_a_reached_target_beside_the_level(people, login):
    answer_all(people.assessment)
    url = reverse("assessments:assessment-detail", args=[people.assessment.pk])

    body = login(people.viewer).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    _answered, level, _verified, target, *_progress = cells_of_row(
        body, 'data-module-level="STR"'
    )
    badge = '&nbsp;<span class="badge badge--satisfied">reached</span>'
    assert f'data-module-level="STR">5</span>{badge}' in level
    assert "reached" not in target


def test_the_dashboard_marks_a_reached_target_beside_the_level(people, login):
    answer_all(people.assessment)
    url = reverse("assessments:assessment-dashboard", args=[people.assessment.pk])

    body = login(people.viewer).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    level, _verified, target, *_progress = cells_of_row(body, 'data-module="STR"')
    badge = '&nbsp;<span class="badge badge--satisfied">reached</span>'
    assert f'data-reading="self">5</span>{badge}' in level
    assert "reached" not in target
