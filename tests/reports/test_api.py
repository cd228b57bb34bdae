"""Reports through the API tell the same phase as the report pages."""

import datetime

import kombu.exceptions
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports import selectors, tasks
from reports.models import Report, ReportStatus

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_login(people.viewer)
    return client


def reports_url(people, path=""):
    return f"/api/v1/assessments/{people.assessment.pk}/reports/{path}"


def rendering_since(people, age) -> Report:
    return Report.objects.create(
        assessment=people.assessment,
        revision="r" * 64,
        requested_by=people.viewer,
        status=ReportStatus.RENDERING,
        started_at=timezone.now() - age,
        attempts=1,
    )


@pytest.mark.parametrize(
    ("age", "phase", "pending"),
    [
        (datetime.timedelta(0), "pending", True),
        ("claim", "retrying", True),
        ("redelivery", "abandoned", False),
    ],
)
def test_a_report_rendering_tells_the_phase_the_pages_tell(
    client, people, api, age, phase, pending
):
    age = {
        "claim": selectors.claim_expiry() + SECOND,
        "redelivery": selectors.redelivery_expiry() + SECOND,
    }.get(age, age)
    report = rendering_since(people, age)
    client.force_login(people.viewer)

    read = api.get(reports_url(people, f"{report.pk}/")).json()
    listed = api.get(reports_url(people)).json()["results"][0]
    status = client.get(
        f"/assessments/{people.assessment.pk}/reports/{report.pk}/status/"
    ).json()

    assert (read["status"], read["phase"], read["pending"]) == (
        "rendering",
        phase,
        pending,
    )
    assert (listed["phase"], listed["pending"]) == (phase, pending)
    assert (status["phase"], status["pending"]) == (phase, pending)


def test_a_report_stalled_in_the_queue_is_sent_again_on_retry(people, api, enqueued):
    report = Report.objects.create(
        assessment=people.assessment, revision="q" * 64, requested_by=people.viewer
    )
    Report.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - selectors.STALLED_AFTER - SECOND
    )
    assert api.get(reports_url(people, f"{report.pk}/")).json()["phase"] == "stalled"

    response = api.post(reports_url(people, f"{report.pk}/retry/"))

    assert response.status_code == 202
    assert response.json()["id"] == report.pk
    assert list(Report.objects.all()) == [report]


def test_asking_with_the_task_queue_out_of_reach_answers_503(
    transactional_db, people, api, monkeypatch
):
    """As in production, where the request's transaction commits."""

    def refuse(report_id):
        raise kombu.exceptions.OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.render_report, "delay", refuse)

    response = api.post(reports_url(people), HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["phase"], body["pending"]) == (
        "failed",
        "failed",
        False,
    )
    assert body["error"].startswith("The task queue could not be reached")
    retried = api.post(reports_url(people, f"{body['id']}/retry/"))
    assert retried.status_code == 503
    assert retried.json()["id"] != body["id"]


def test_the_schema_documents_the_phase_and_the_unreachable_queue(people, api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    bodies = schema["components"]["schemas"]
    report = bodies["Report"]["properties"]
    enum = report["phase"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert set(bodies[enum]["enum"]) == {phase.value for phase in selectors.Phase}
    assert report["phase"]["readOnly"] is True
    assert "abandoned" in report["phase"]["description"]
    assert {"status", "pending", "phase"} <= set(report)
    create = schema["paths"]["/api/v1/assessments/{assessment_pk}/reports/"]["post"]
    assert "503" in create["responses"]
