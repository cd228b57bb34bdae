"""PDF reports through the API: asking, following, downloading."""

from reports import rendering, selectors, services, storage, tasks
from reports.models import Report, ReportStatus
from reports.pdf import RenderedPDF
from tests.assessments.assessment_factories import PDF_BYTES, answer


def _url(people, path=""):
    return f"/api/v1/assessments/{people.assessment.pk}/reports/{path}"


def test_asking_queues_one_report_for_the_current_state(people, api):
    client = api(people.viewer)

    first = client.post(_url(people))
    second = client.post(_url(people))

    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    assert (first.json()["status"], first.json()["pending"]) == ("queued", True)
    assert second.json()["pending"] is True
    assert first.json()["download_url"] is None
    report = Report.objects.get()
    assert report.requested_by == people.viewer


def test_asking_for_a_report_that_stands_returns_it_done(people, api):
    done = Report.objects.create(
        assessment=people.assessment,
        revision=selectors.current_revision(people.assessment),
        status=ReportStatus.DONE,
        requested_by=people.admin,
    )

    response = api(people.viewer).post(_url(people))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (done.pk, "done")
    assert Report.objects.count() == 1


def test_asking_after_a_change_queues_a_new_report(people, api):
    client = api(people.viewer)
    first = client.post(_url(people)).json()

    answer(people.assessment, "STR-1.1", "partial", evidence=False)
    again = client.post(_url(people))

    assert again.status_code == 202
    assert again.json()["id"] != first["id"]
    assert Report.objects.count() == 2


def test_a_finished_report_is_downloaded_as_an_attachment(people, api):
    stored = storage.store_pdf(PDF_BYTES, assessment_id=people.assessment.pk)
    report = Report.objects.create(
        assessment=people.assessment,
        revision="r1",
        status=ReportStatus.DONE,
        requested_by=people.admin,
        file_path=stored.path,
        size=stored.size,
        sha256=stored.sha256,
    )
    client = api(people.auditor)

    state = client.get(_url(people, f"{report.pk}/")).json()
    response = client.get(state["download_url"])

    assert state["status"] == "done"
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_report_not_yet_done_cannot_be_downloaded(people, api):
    report = Report.objects.create(
        assessment=people.assessment, revision="r1", requested_by=people.admin
    )

    response = api(people.viewer).get(_url(people, f"{report.pk}/download/"))

    assert response.status_code == 404


def test_reports_of_hidden_assessments_are_not_found(people, api):
    report = Report.objects.create(
        assessment=people.assessment, revision="r1", requested_by=people.admin
    )

    responses = [
        api(people.outsider).post(_url(people)),
        api(people.expired).get(_url(people, f"{report.pk}/")),
    ]

    assert [response.status_code for response in responses] == [404, 404]
    assert Report.objects.count() == 1


def test_a_report_says_whether_it_shows_the_assessment_as_it_stands(people, api):
    answer(people.assessment, "STR-1.1", "partial", evidence=False)
    done = Report.objects.create(
        assessment=people.assessment,
        revision=selectors.current_revision(people.assessment),
        status=ReportStatus.DONE,
        requested_by=people.admin,
    )
    queued = Report.objects.create(
        assessment=people.assessment, revision="r2", requested_by=people.admin
    )
    client = api(people.viewer)

    before = client.get(_url(people, f"{done.pk}/")).json()
    answer(people.assessment, "STR-1.2", "satisfied", evidence=False)
    listed = {row["id"]: row for row in client.get(_url(people)).json()["results"]}

    assert before["earlier_state"] is False
    assert listed[done.pk]["earlier_state"] is True
    assert listed[queued.pk]["earlier_state"] is None


def test_only_a_failed_report_is_retried(people, api):
    client = api(people.viewer)
    report = client.post(_url(people)).json()

    refused = client.post(_url(people, f"{report['id']}/retry/"))

    assert refused.status_code == 400
    assert refused.json()["code"] == "not_failed"
    assert Report.objects.count() == 1
    Report.objects.filter(pk=report["id"]).update(status=ReportStatus.FAILED)
    retried = client.post(_url(people, f"{report['id']}/retry/"))
    assert retried.status_code == 202
    assert retried.json()["id"] != report["id"]


def test_a_report_rendered_in_the_request_is_answered_done(
    transactional_db, people, api, monkeypatch
):
    """As with the laptop defaults, where tasks run as the request commits."""
    monkeypatch.setattr(
        rendering,
        "render_report",
        lambda context, number="": RenderedPDF(data=PDF_BYTES, page_count=3),
    )
    monkeypatch.setattr(
        tasks.render_report,
        "delay",
        lambda report_id: services.report_render(report_id=report_id),
    )

    response = api(people.viewer).post(_url(people))

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["pending"]) == ("done", False)


def test_asking_with_an_empty_object_queues_a_report(people, api):
    response = api(people.viewer).post(_url(people), {}, format="json")

    assert response.status_code == 202
    assert Report.objects.count() == 1


def test_asking_with_malformed_json_is_a_parse_error(people, api):
    response = api(people.viewer).generic(
        "POST", _url(people), "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Report.objects.exists()


def test_asking_with_a_body_that_is_not_an_object_is_refused(people, api):
    response = api(people.viewer).post(
        _url(people), ["final"], format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["non_field_errors"]
    assert not Report.objects.exists()


def test_asking_with_fields_is_refused_naming_each(people, api):
    response = api(people.viewer).post(
        _url(people),
        {"format": "docx", "final": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        field: [
            f"“{field}” is not a field of this request, which takes none. "
            "Send an empty body or {}."
        ]
        for field in ("format", "final")
    }
    assert not Report.objects.exists()


def test_a_retry_with_fields_is_refused(people, api):
    report = Report.objects.create(
        assessment=people.assessment,
        revision="r1",
        status=ReportStatus.FAILED,
        requested_by=people.admin,
    )

    response = api(people.viewer).post(
        _url(people, f"{report.pk}/retry/"), {"force": True}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["force"]
    assert Report.objects.get().pk == report.pk
