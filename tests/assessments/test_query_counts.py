"""The review, dashboard and history pages cost the same however much data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Status
from maturity.models import Requirement
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    AuditorGrantFactory,
    CommentFactory,
    EvidenceFactory,
    EvidenceLinkFactory,
    FindingFactory,
    ReviewFactory,
    answer,
    requirement,
    set_status,
)

# One bound per page, for an empty assessment and a full one alike.
MAX_QUERIES = {
    "questionnaire": 14,
    # Up to seven for the reports panel: five tell whether its latest report
    # shows the assessment as it stands.
    "overview": 14,
    "dashboard": 11,
    "findings": 8,
    "history": 22,
    "organisation": 10,
    "organisation history": 9,
}


def _fill(people):
    """Answer, back, review, comment and change everything, many times over.

    The newest changes touch every kind of row, so the first page of the
    history holds them all.
    """
    assessment = people.assessment
    set_status(assessment, Status.RETURNED)
    for version in range(40):
        services.answer_save(
            assessment=assessment,
            requirement=requirement(assessment, "STR-1.1"),
            status="partial",
            justification=f"第{version}版",
            base_version=version,
            actor=people.assessor,
        )
    codes = Requirement.objects.filter(framework=assessment.framework).values_list(
        "code", flat=True
    )
    for index, code in enumerate(codes):
        stored = assessment.answers.filter(requirement__code=code).first() or answer(
            assessment, code, evidence=False
        )
        for _ in range(3):
            evidence = EvidenceFactory(
                assessment=assessment, created_by=people.assessor
            )
            EvidenceLinkFactory(
                answer=stored, evidence=evidence, created_by=people.assessor
            )
            CommentFactory(
                assessment=assessment,
                answer=stored,
                evidence=evidence,
                author=people.auditor,
            )
        verdict = ["accepted", "rejected", "needs_information"][index % 3]
        ReviewFactory(answer=stored, verdict=verdict, reviewer=people.auditor)
        FindingFactory(
            assessment=assessment,
            requirement=stored.requirement,
            created_by=people.auditor,
        )
    services.assessment_update(
        assessment=assessment,
        title="全量",
        scope="",
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        targets={"STR": 5, "LC": 4},
        actor=people.assessor,
    )
    AuditorGrantFactory(assessment=assessment, granted_by=people.admin)
    set_status(assessment, Status.IN_REVIEW)

    for index in range(4):
        other = AssessmentFactory(
            organisation=people.org_a,
            framework=assessment.framework,
            created_by=people.admin,
        )
        answer(other, "STR-1.1")
        if index % 2:
            AuditorGrantFactory(
                assessment=other, user=people.auditor, granted_by=people.admin
            )
            set_status(other, Status.IN_REVIEW)
            services.assessment_transition(
                assessment=other, name="finalise", actor=people.auditor
            )
    for role in ["assessor", "viewer", "assessor"]:
        services.membership_change_role(
            membership=people.viewer.memberships.get(), role=role, actor=people.admin
        )


def _url(page, people):
    pk = people.assessment.pk
    return {
        "questionnaire": reverse("assessments:questionnaire", args=[pk, "STR"]),
        "overview": reverse("assessments:assessment-detail", args=[pk]),
        "dashboard": reverse("assessments:assessment-dashboard", args=[pk]),
        "findings": reverse("assessments:finding-list", args=[pk]),
        "history": reverse("assessments:assessment-history", args=[pk]),
        "organisation": reverse("assessments:organisation-detail", args=["org-a"]),
        "organisation history": reverse(
            "assessments:organisation-history", args=["org-a"]
        ),
    }[page]


@pytest.mark.parametrize("page", list(MAX_QUERIES))
@pytest.mark.parametrize("full", [False, True], ids=["empty", "full"])
def test_it_runs_the_same_queries_however_much_there_is(
    people, login, django_assert_max_num_queries, page, full
):
    if full:
        _fill(people)
    else:
        set_status(people.assessment, Status.IN_REVIEW)
    persona = "admin" if page.startswith("organisation") else "auditor"
    client = login(getattr(people, persona))
    url = _url(page, people)
    client.get(url)  # fills the catalogue cache, as any earlier page would

    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)

    assert response.status_code == 200
    if full and page == "history":
        kinds = {change.kind for change in response.context["page"].object_list}
        assert response.context["page"].paginator.count > 50
        assert kinds == {
            "assessment",
            "target",
            "answer",
            "evidence",
            "link",
            "review",
            "comment",
            "finding",
            "grant",
        }


@pytest.mark.parametrize("page", ["dashboard", "overview"])
def test_it_reads_a_full_assessment_open_to_its_assessors_at_the_same_cost(
    people, login, page
):
    # Returned to the assessors, the overview also runs the submission check.
    set_status(people.assessment, Status.RETURNED)
    client = login(people.assessor)
    url = _url(page, people)
    client.get(url)  # fills the catalogue and chart caches
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    _fill(people)
    set_status(people.assessment, Status.RETURNED)
    client.get(url)

    with CaptureQueriesContext(connection) as full:
        response = client.get(url)

    assert response.status_code == 200
    assert len(full) == len(empty) <= MAX_QUERIES[page]
