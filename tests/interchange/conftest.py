"""Personas and data of the interchange tests.

The personas of the assessments tests, on their small standard, and
organisation C, whose administrator imports what organisation A exported.
``filled`` gives the first assessment of A answers, evidence of each kind,
reviews, a finding and a comment, so that its two readings differ.
"""

from types import SimpleNamespace

import pytest
from django.utils import translation

from assessments import services
from assessments.models import (
    Comment,
    Finding,
    FindingKind,
    Review,
    Role,
    Severity,
    Verdict,
)
from tests.assessments import conftest as shared
from tests.assessments.assessment_factories import (
    MembershipFactory,
    OrganisationFactory,
    answer,
    file_evidence,
    requirement,
)

# The fixtures of the assessments tests serve these tests too.
_fast_passwords = shared._fast_passwords
framework = shared.framework
login = shared.login
people = shared.people
private_storage = shared.private_storage


@pytest.fixture(autouse=True)
def _english():
    """Read the messages of services in English; pages are asked in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def importer(people):
    """Return organisation C with an administrator, an assessor and a viewer."""
    org_c = OrganisationFactory(name="丙公司", slug="org-c")
    return SimpleNamespace(
        org=org_c,
        admin=MembershipFactory(organisation=org_c, role=Role.ADMIN).user,
        assessor=MembershipFactory(organisation=org_c, role=Role.ASSESSOR).user,
        viewer=MembershipFactory(organisation=org_c, role=Role.VIEWER).user,
    )


def review(answer_row, verdict, reviewer, *, version=None, comment=""):
    return Review.objects.create(
        answer=answer_row,
        verdict=verdict,
        comment=comment,
        answer_version=answer_row.version if version is None else version,
        reviewer=reviewer,
    )


@pytest.fixture
def filled(people):
    """Answer, back up and review the first assessment of organisation A.

    Self-assessed, STR stands at 2 and LC at 1. Verified, STR stands at 1
    (the acceptance of STR-2.2 was given on an older version) and LC at 0
    (LC-S2-1.1 was rejected).
    """
    assessment = people.assessment
    rows = {
        "STR-1.1": answer(assessment, "STR-1.1", version=2),
        "STR-1.2": answer(
            assessment,
            "STR-1.2",
            "not_applicable",
            evidence=False,
            justification="无此类模型。",
        ),
        "STR-2.1": answer(assessment, "STR-2.1", justification="见制度第三条。"),
        "STR-2.2": answer(assessment, "STR-2.2", version=4),
        "STR-3.1": answer(
            assessment, "STR-3.1", "partial", evidence=False, justification="进行中"
        ),
        "LC-S1-1.1": answer(assessment, "LC-S1-1.1"),
        "LC-S2-1.1": answer(assessment, "LC-S2-1.1"),
    }
    document = file_evidence(assessment, people.assessor, code="STR-1.1")
    services.evidence_attach(
        evidence=document,
        requirement=requirement(assessment, "STR-2.1"),
        actor=people.assessor,
    )
    link = services.evidence_add_link(
        assessment=assessment,
        url="https://intranet.example.com/policy",
        title="治理制度",
        requirement=requirement(assessment, "STR-2.2"),
        actor=people.assessor,
    )
    # Attaching evidence made new versions of the answers it backs up.
    for row in rows.values():
        row.refresh_from_db()
    for code in ("STR-1.1", "STR-1.2", "STR-2.1", "LC-S1-1.1"):
        review(rows[code], Verdict.ACCEPTED, people.auditor)
    review(rows["STR-2.2"], Verdict.ACCEPTED, people.auditor, version=3)
    review(rows["LC-S2-1.1"], Verdict.REJECTED, people.auditor, comment="证据不足")
    Finding.objects.create(
        assessment=assessment,
        requirement=requirement(assessment, "LC-S2-1.1"),
        kind=FindingKind.NONCONFORMITY,
        severity=Severity.HIGH,
        title="监测缺失",
        description="未见监测记录。",
        created_by=people.auditor,
    )
    Finding.objects.create(
        assessment=assessment,
        kind=FindingKind.OBSERVATION,
        severity=Severity.LOW,
        title="总体良好",
        created_by=people.auditor,
    )
    Comment.objects.create(
        assessment=assessment,
        answer=rows["STR-2.2"],
        author=people.auditor,
        text="请补充最新版本。",
    )
    Comment.objects.create(
        assessment=assessment, evidence=link, author=people.assessor, text="链接已更新"
    )
    return SimpleNamespace(assessment=assessment, rows=rows, document=document)
