"""Report pages: who may ask for, follow and download a report, and how."""

import datetime
import re
from urllib.parse import quote

import kombu.exceptions
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Status
from reports import selectors, storage
from reports.models import Report, ReportStatus

PDF = b"%PDF-1.4\n% a report\n%%EOF\n"


def url(name, report):
    return reverse(name, kwargs={"pk": report.assessment_id, "report": report.pk})


@pytest.fixture
def done_report(people):
    stored = storage.store_pdf(PDF, assessment_id=people.assessment.pk)
    return Report.objects.create(
        assessment=people.assessment,
        revision="a" * 64,
        requested_by=people.assessor,
        status=ReportStatus.DONE,
        attempts=1,
        file_path=stored.path,
        size=stored.size,
        sha256=stored.sha256,
        page_count=72,
    )


@pytest.fixture
def failed_report(people):
    return Report.objects.create(
        assessment=people.assessment,
        revision="b" * 64,
        requested_by=people.assessor,
        status=ReportStatus.FAILED,
        attempts=1,
        error="报告未能生成（ValueError）。",
    )


def assert_no_inline_script_or_style(html: str):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "<style" not in html


@pytest.mark.parametrize("persona", ["viewer", "admin", "assessor", "auditor"])
def test_it_sends_the_pdf_to_whoever_sees_the_assessment(
    client, people, done_report, persona
):
    client.force_login(getattr(people, persona))

    response = client.get(url("reports:report-download", done_report))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = "华东智能金融科技有限公司_2025 年度评估_成熟度评估报告_R-{:06d}.pdf"
    assert f"filename*=utf-8''{quote(name.format(done_report.pk))}" in disposition


@pytest.mark.parametrize(
    "persona", ["outsider", "unassigned_auditor", "expired_auditor"]
)
def test_it_hides_the_pdf_from_everyone_else(client, people, done_report, persona):
    client.force_login(getattr(people, persona))

    for name in ("reports:report-download", "reports:report-detail"):
        assert client.get(url(name, done_report)).status_code == 404
    assert client.get(url("reports:report-status", done_report)).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, done_report):
    response = client.get(url("reports:report-download", done_report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_has_no_pdf_for_a_report_not_done(client, people, failed_report):
    client.force_login(people.viewer)

    assert client.get(url("reports:report-download", failed_report)).status_code == 404


def test_it_finds_a_report_only_under_its_own_assessment(client, people, done_report):
    client.force_login(people.viewer)
    other = people.assessment.__class__.objects.create(
        organisation=people.organisation,
        framework=people.assessment.framework,
        title="另一评估",
        period_start=people.assessment.period_start,
        period_end=people.assessment.period_end,
        created_by=people.admin,
    )

    response = client.get(
        reverse(
            "reports:report-download", kwargs={"pk": other.pk, "report": done_report.pk}
        )
    )

    assert response.status_code == 404


def test_a_viewer_may_ask_for_a_report(client, people, enqueued):
    client.force_login(people.viewer)

    response = client.post(
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.requested_by == people.viewer
    assert report.status == ReportStatus.QUEUED


def test_asking_again_returns_the_same_report_as_json(client, people, enqueued):
    client.force_login(people.auditor)
    address = reverse("reports:report-request", kwargs={"pk": people.assessment.pk})

    first = client.post(address, headers={"Accept": "application/json"})
    second = client.post(address, headers={"Accept": "application/json"})

    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["phase"] == "pending"
    assert Report.objects.count() == 1


def test_asking_again_on_the_page_says_no_other_report_was_made(
    client, people, enqueued
):
    client.force_login(people.viewer)
    address = reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
    client.post(address)

    again = client.post(address, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    report = Report.objects.get()
    assert again.redirect_chain[0][0] == report.get_absolute_url()
    assert (
        f"Report {report.number} already shows the assessment as it stands, so "
        "no other was made."
    ) in again.content.decode()


def test_asking_needs_a_post(client, people):
    client.force_login(people.viewer)

    response = client.get(
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
    )

    assert response.status_code == 405


def test_an_outsider_may_not_ask(client, people, enqueued):
    client.force_login(people.outsider)

    response = client.post(
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
    )

    assert response.status_code == 404
    assert Report.objects.count() == 0


def test_the_status_endpoint_tells_the_state(client, people, done_report):
    client.force_login(people.viewer)

    response = client.get(url("reports:report-status", done_report))

    state = response.json()
    assert response["Cache-Control"] == "no-store"
    assert state["phase"] == "done"
    assert state["pending"] is False
    assert state["page_count"] == 72
    assert state["download_url"] == url("reports:report-download", done_report)


def test_a_pending_report_page_follows_itself_without_inline_script(
    client, people, enqueued
):
    client.force_login(people.viewer)
    client.post(reverse("reports:report-request", kwargs={"pk": people.assessment.pk}))
    report = Report.objects.get()

    response = client.get(report.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="/static/reports/reports.js"' in html
    assert f'data-report-state="{url("reports:report-status", report)}"' in html
    assert 'data-report-pending="true"' in html
    assert '<noscript><meta http-equiv="refresh"' in html
    assert_no_inline_script_or_style(html)


def test_a_failed_report_page_shows_the_reason_and_a_retry_button(
    client, people, failed_report
):
    client.force_login(people.viewer)

    response = client.get(failed_report.get_absolute_url())

    html = response.content.decode()
    assert "报告未能生成（ValueError）。" in html
    retry = url("reports:report-retry", failed_report)
    form = re.search(rf'<form method="post" action="{retry}"[^>]*>', html).group(0)
    assert " hidden" not in form
    assert_no_inline_script_or_style(html)


def test_retrying_asks_for_a_new_report(client, people, failed_report, enqueued):
    client.force_login(people.viewer)

    response = client.post(url("reports:report-retry", failed_report))

    retried = Report.objects.exclude(pk=failed_report.pk).get()
    assert response["Location"] == retried.get_absolute_url()
    assert retried.status == ReportStatus.QUEUED
    assert retried.requested_by == people.viewer


def test_a_report_that_did_not_fail_is_not_retried(client, people, done_report):
    client.force_login(people.viewer)

    response = client.post(
        url("reports:report-retry", done_report), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert list(Report.objects.all()) == [done_report]
    assert response.redirect_chain[0][0] == done_report.get_absolute_url()
    assert (
        f"Report {done_report.number} did not fail, so there is nothing to try "
        "again; it is done."
    ) in response.content.decode()


def test_the_list_shows_every_report_of_the_assessment(
    client, people, done_report, failed_report
):
    client.force_login(people.auditor)

    response = client.get(
        reverse("reports:report-list", kwargs={"pk": people.assessment.pk})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert done_report.number in html
    assert failed_report.number in html
    assert url("reports:report-download", done_report) in html
    assert_no_inline_script_or_style(html)


def test_the_assessment_panel_links_the_kept_report(people, done_report):
    Report.objects.filter(pk=done_report.pk).update(final=True)
    request = RequestFactory().get("/")
    request.user = people.viewer

    html = Template("{% load report_tags %}{% assessment_reports assessment %}").render(
        Context({"assessment": people.assessment, "request": request})
    )

    assert done_report.number in html
    assert url("reports:report-download", done_report) in html
    assert (
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk})
        not in html
    )


def test_the_assessment_panel_offers_to_render_a_first_report(people):
    request = RequestFactory().get("/")
    request.user = people.viewer

    html = Template("{% load report_tags %}{% assessment_reports assessment %}").render(
        Context({"assessment": people.assessment, "request": request})
    )

    assert (
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk}) in html
    )
    assert_no_inline_script_or_style(html)


def _finalise(assessment, when):
    assessment.status = Status.FINALISED
    assessment.finalised_at = when
    assessment.save()


def _panel(people) -> str:
    request = RequestFactory().get("/")
    request.user = people.viewer
    with translation.override("en"):
        return Template(
            "{% load report_tags %}{% assessment_reports assessment %}"
        ).render(Context({"assessment": people.assessment, "request": request}))


def test_the_kept_report_says_when_it_was_rendered_and_what_it_shows(
    people, done_report
):
    _finalise(people.assessment, timezone.make_aware(datetime.datetime(2026, 1, 15, 9)))
    # Asked for, and rendered, weeks after the assessment was finalised.
    Report.objects.filter(pk=done_report.pk).update(
        final=True,
        finished_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 15)),
    )

    html = _panel(people)

    assert (
        '<p data-report-when="done">The final report of this assessment, '
        'rendered on <span data-report-field="finished_label">2026-03-02 10:15'
        "</span>. It shows the assessment as it was finalised on 2026-01-15 and "
        "is kept for good.</p>"
    ) in html
    assert (
        '<p data-report-when="pending stalled retrying failed abandoned" hidden>'
        in html
    )
    assert "when the assessment was finalised" not in html


def test_a_kept_report_not_rendered_yet_says_so(people):
    _finalise(people.assessment, timezone.make_aware(datetime.datetime(2026, 1, 15, 9)))
    Report.objects.create(
        assessment=people.assessment,
        revision="c" * 64,
        final=True,
        requested_by=people.viewer,
    )

    html = _panel(people)

    assert (
        '<p data-report-when="pending stalled retrying failed abandoned">The '
        "final report of this assessment, not rendered yet. It will show the "
        "assessment as it was finalised on 2026-01-15 and be kept for good.</p>"
    ) in html
    assert (
        '<p data-report-when="done" hidden>The final report of this assessment, '
        'rendered on <span data-report-field="finished_label"></span>.'
    ) in html


def test_the_status_endpoint_tells_when_the_report_was_rendered(
    client, people, done_report
):
    rendered_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 15))
    Report.objects.filter(pk=done_report.pk).update(finished_at=rendered_at)
    client.force_login(people.viewer)

    state = client.get(url("reports:report-status", done_report)).json()

    assert state["finished_label"] == "2026-03-02 10:15"


def tags_shown_when(html: str, phases: str) -> list[bool]:
    """Return, for each element shown in ``phases``, whether it is shown now."""
    tags = re.findall(rf'<[^>]*data-report-when="{phases}"[^>]*>', html)
    assert tags, phases
    return [" hidden" not in tag for tag in tags]


def badge(html: str) -> str:
    return re.search(r'<span class="badge [^"]*" data-report-badge[^>]*>[^<]*', html)[0]


def queued_report(people, age) -> Report:
    report = Report.objects.create(
        assessment=people.assessment, revision="q" * 64, requested_by=people.viewer
    )
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - age)
    return report


def rendering_report(people, age) -> Report:
    return Report.objects.create(
        assessment=people.assessment,
        revision="r" * 64,
        requested_by=people.viewer,
        status=ReportStatus.RENDERING,
        started_at=timezone.now() - age,
        attempts=1,
    )


def detail_page(client, people, report) -> str:
    client.force_login(people.viewer)
    response = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


SECOND = datetime.timedelta(seconds=1)


def test_a_stalled_report_warns_in_place_of_the_promise_of_a_minute(client, people):
    report = queued_report(people, selectors.STALLED_AFTER + SECOND)

    html = detail_page(client, people, report)

    assert tags_shown_when(html, "stalled") == [True, True]
    assert tags_shown_when(html, "pending") == [False]
    assert "No worker has taken this report yet." in html
    assert badge(html).endswith(">Queued")
    assert "badge--report-stalled" in badge(html)
    assert tags_shown_when(html, "failed abandoned") == [False]


def test_a_report_queued_a_moment_ago_promises_a_minute(client, people, enqueued):
    report = queued_report(people, datetime.timedelta(0))

    html = detail_page(client, people, report)

    assert tags_shown_when(html, "pending") == [True]
    assert tags_shown_when(html, "stalled") == [False, False]


def test_a_report_whose_worker_stopped_says_it_will_be_tried_again(client, people):
    report = rendering_report(people, selectors.claim_expiry() + SECOND)

    html = detail_page(client, people, report)

    assert tags_shown_when(html, "retrying") == [True]
    assert "It will be tried again automatically" not in html
    assert "The report will be tried again automatically, by" in html
    assert badge(html).endswith(">To be tried again")
    assert tags_shown_when(html, "pending") == [False]
    assert tags_shown_when(html, "abandoned") == [False]
    assert tags_shown_when(html, "failed abandoned") == [False]
    assert 'data-report-pending="true"' in html


def test_a_report_no_worker_took_up_again_offers_to_try_again(client, people):
    report = rendering_report(people, selectors.redelivery_expiry() + SECOND)

    html = detail_page(client, people, report)

    assert tags_shown_when(html, "abandoned") == [True]
    assert tags_shown_when(html, "failed abandoned") == [True]
    assert tags_shown_when(html, "retrying") == [False]
    assert badge(html).endswith(">Failed")
    assert "badge--report-abandoned" in badge(html)
    assert 'data-report-pending="false"' in html


def test_the_list_badges_a_report_by_its_phase(client, people):
    rendering_report(people, selectors.claim_expiry() + SECOND)
    client.force_login(people.viewer)

    response = client.get(
        reverse("reports:report-list", kwargs={"pk": people.assessment.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert '<span class="badge badge--report-retrying">To be tried again</span>' in html
    assert ">Rendering<" not in html


def test_sending_a_stalled_report_again_keeps_it_and_says_so(
    client, people, enqueued, django_capture_on_commit_callbacks
):
    report = queued_report(people, selectors.STALLED_AFTER + SECOND)
    client.force_login(people.viewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("reports:report-retry", report),
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.redirect_chain[0][0] == report.get_absolute_url()
    assert f"Report {report.number} was sent to the workers again." in (
        response.content.decode()
    )
    assert enqueued == [report.pk]
    assert list(Report.objects.all()) == [report]


def queue_out_of_reach(monkeypatch):
    from reports import tasks

    def refuse(report_id):
        raise kombu.exceptions.OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.render_report, "delay", refuse)


def test_asking_with_the_task_queue_out_of_reach_answers_503(
    transactional_db, client, people, monkeypatch
):
    """As in production, where the request's transaction commits."""
    queue_out_of_reach(monkeypatch)
    client.force_login(people.viewer)

    response = client.post(
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk}),
        headers={"Accept": "application/json"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    state = response.json()
    assert response.status_code == 503
    assert (state["status"], state["phase"], state["pending"]) == (
        "failed",
        "failed",
        False,
    )
    assert state["error"].startswith("The task queue could not be reached")
    assert Report.objects.get().status == ReportStatus.FAILED


def test_the_page_shows_a_report_the_task_queue_refused_as_failed(
    transactional_db, client, people, monkeypatch
):
    """As in production, where the request's transaction commits."""
    queue_out_of_reach(monkeypatch)
    client.force_login(people.viewer)

    response = client.post(
        reverse("reports:report-request", kwargs={"pk": people.assessment.pk}),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    report = Report.objects.get()
    assert response.redirect_chain[0][0] == report.get_absolute_url()
    assert "The task queue could not be reached" in html
    assert tags_shown_when(html, "failed abandoned") == [True]
    assert "already shows the assessment as it stands" not in html
