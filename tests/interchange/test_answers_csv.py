"""The answers CSV for spreadsheets and BI tools."""

import csv
import io

from django.urls import reverse

from assessments.models import Answer
from tests.assessments.assessment_factories import answer


def rows_of(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_lists_every_requirement_with_its_answer(filled, login, people):
    client = login(people.viewer)

    response = client.get(
        reverse("interchange:export-csv", args=[filled.assessment.pk])
    )

    rows = rows_of(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert rows[0] == [
        "code",
        "module",
        "stage",
        "level",
        "status",
        "justification",
        "evidence_count",
        "verdict",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == 20
    assert by_code["STR-1.1"] == [
        "STR-1.1",
        "STR",
        "",
        "1",
        "satisfied",
        "",
        "2",
        "accepted",
    ]
    assert by_code["STR-1.2"][4:] == ["not_applicable", "无此类模型。", "0", "accepted"]
    assert by_code["STR-2.1"][5:] == ["见制度第三条。", "2", "accepted"]
    # Accepted on an older version of the answer: no longer counts.
    assert by_code["STR-2.2"][6:] == ["2", ""]
    assert by_code["LC-S2-1.1"][:4] == ["LC-S2-1.1", "LC", "LC-S2", "1"]
    assert by_code["LC-S2-1.1"][7] == "rejected"
    assert by_code["STR-5.2"][4:] == ["", "", "0", ""]


def test_formulas_are_written_as_text(people, login):
    answer(
        people.assessment,
        "STR-1.1",
        "partial",
        evidence=False,
        justification='=HYPERLINK("https://evil.example","x")',
    )
    client = login(people.assessor)

    response = client.get(
        reverse("interchange:export-csv", args=[people.assessment.pk])
    )

    row = next(row for row in rows_of(response) if row[0] == "STR-1.1")
    assert row[5] == '\'=HYPERLINK("https://evil.example","x")'
    assert Answer.objects.get(requirement__code="STR-1.1").justification.startswith("=")


def test_other_organisations_get_404(filled, login, people):
    client = login(people.outsider)

    response = client.get(
        reverse("interchange:export-csv", args=[filled.assessment.pk])
    )

    assert response.status_code == 404
