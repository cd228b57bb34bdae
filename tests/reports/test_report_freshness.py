"""Whether a report shows the assessment as it stands, as the pages tell it."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from assessments.models import Status
from reports import selectors, services
from reports.models import Report, ReportStatus

EARLIER = (
    "This report shows an earlier state of the assessment: its answers, "
    "evidence, verdicts, findings, settings or status changed since."
)
CURRENT = "It shows the assessment as it stands now."
RENDER_CURRENT = "Render a report of the current state"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rendered_report(people, actor=None) -> Report:
    """Ask for a report of the assessment as it stands and render it."""
    report = services.report_request(
        assessment=people.assessment, actor=actor or people.viewer
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    return report


def change_an_answer(people):
    answer = people.answers[0]
    answer.status, answer.version = "partial", answer.version + 1
    answer.save()


def panel_html(people) -> str:
    request = RequestFactory().get("/")
    request.user = people.viewer
    return Template("{% load report_tags %}{% assessment_reports assessment %}").render(
        Context({"assessment": people.assessment, "request": request})
    )


def request_button(html: str, people) -> str:
    """Return the opening tag of the button asking for a report of now."""
    action = reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
    form = html.split(f'action="{action}"', 1)[1]
    return form.split("<button", 1)[1].split(">", 1)[0]


def row_of(html: str, report: Report) -> str:
    """Return the row of ``report`` in the list of reports."""
    return next(row for row in html.split("<tr") if f">{report.number}</a>" in row)


def status_of(client, report: Report) -> dict:
    """Return what the status endpoint says of ``report`` when asked to compare."""
    url = reverse(
        "reports:report-status",
        kwargs={"pk": report.assessment_id, "report": report.pk},
    )
    response = client.get(f"{url}?compare=1")
    assert response.status_code == 200
    return response.json()


def test_the_panel_leaves_the_comparison_to_the_status_endpoint(
    people, enqueued, fake_render
):
    report = rendered_report(people)

    html = panel_html(people)

    status = reverse(
        "reports:report-status",
        kwargs={"pk": people.assessment.pk, "report": report.pk},
    )
    assert f'data-report-compare="{status}?compare=1"' in html
    # Both lines wait, hidden, for the script to show the one that holds.
    assert 'data-report-compare-when="current" hidden' in html
    assert 'data-report-compare-when="earlier" hidden' in html


def test_the_status_endpoint_tells_a_report_of_the_current_state(
    client, people, enqueued, fake_render
):
    report = rendered_report(people)
    client.force_login(people.viewer)

    assert status_of(client, report)["earlier"] is False


def test_the_status_endpoint_tells_a_report_of_an_earlier_state(
    client, people, enqueued, fake_render
):
    report = rendered_report(people)
    change_an_answer(people)
    client.force_login(people.viewer)

    assert status_of(client, report)["earlier"] is True
    assert selectors.report_panel(people.assessment).outdated
    assert selectors.report_panel(people.assessment, compare=False).outdated is None


def test_the_panel_warns_of_a_returned_state_on_a_finalised_assessment(
    people, enqueued, fake_render
):
    people.assessment.status = Status.RETURNED
    people.assessment.save()
    rendered_report(people)
    people.assessment.status = Status.FINALISED
    people.assessment.save()

    html = panel_html(people)

    assert EARLIER in html
    assert RENDER_CURRENT in html


def test_the_panel_does_not_warn_of_a_queued_report_asked_for_before_a_change(
    people, enqueued
):
    # The worker renders the state it finds, not the one asked for.
    services.report_request(assessment=people.assessment, actor=people.viewer)
    change_an_answer(people)

    html = panel_html(people)

    assert EARLIER not in html
    assert CURRENT not in html


def test_the_final_report_of_a_finalised_assessment_is_never_called_earlier(
    people, enqueued, fake_render
):
    people.assessment.status = Status.FINALISED
    people.assessment.save()
    rendered_report(people)

    html = panel_html(people)

    assert EARLIER not in html
    assert RENDER_CURRENT not in html


def test_the_list_tells_which_report_shows_the_current_state(
    client, people, enqueued, fake_render
):
    earlier = rendered_report(people)
    change_an_answer(people)
    current = rendered_report(people)
    client.force_login(people.viewer)

    response = client.get(
        reverse("reports:report-list", kwargs={"pk": people.assessment.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert "An earlier state" in row_of(html, earlier)
    assert "The current state" not in row_of(html, earlier)
    assert "The current state" in row_of(html, current)
    assert CURRENT in html
    assert EARLIER not in html


def test_the_page_of_a_report_of_an_earlier_state_offers_the_current_one(
    client, people, enqueued, fake_render
):
    report = rendered_report(people)
    change_an_answer(people)
    client.force_login(people.viewer)

    html = client.get(
        report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert EARLIER in html
    assert (
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk}) in html
    )


def test_the_page_of_a_report_of_the_current_state_says_nothing_more(
    client, people, enqueued, fake_render
):
    report = rendered_report(people)
    client.force_login(people.viewer)

    html = client.get(
        report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert EARLIER not in html
    assert RENDER_CURRENT not in html
