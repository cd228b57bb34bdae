"""The overview's reports panel costs the same with a report as without."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Status
from reports.models import Report, ReportStatus
from tests.assessments.assessment_factories import set_status
from tests.assessments.test_query_counts import MAX_QUERIES, _fill, _url


def overview_queries(client, people) -> tuple[int, str]:
    url = _url("overview", people)
    client.get(url)  # fills the catalogue cache, as any earlier page would
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def done_report(people) -> Report:
    return Report.objects.create(
        assessment=people.assessment,
        revision="0" * 64,
        requested_by=people.viewer,
        status=ReportStatus.DONE,
        page_count=40,
        size=1000,
    )


@pytest.mark.parametrize("full", [False, True], ids=["empty", "full"])
def test_a_done_report_adds_no_query_to_the_overview(people, login, full):
    # Whether the report shows the assessment as it stands is asked of the
    # status endpoint by the panel's script.
    if full:
        _fill(people)
    else:
        set_status(people.assessment, Status.IN_REVIEW)
    client = login(people.auditor)
    without, _html = overview_queries(client, people)
    done_report(people)

    with_report, html = overview_queries(client, people)

    assert "data-report-compare=" in html
    assert with_report == without
    assert with_report <= MAX_QUERIES["overview"]
