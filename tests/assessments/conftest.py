"""Personas and data of the assessments tests.

Organisation A has an admin, an assessor and a viewer, and two assessments;
an auditor is granted the first of them, another auditor's grant expired
yesterday. Organisation B has a member and an assessment of its own.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from assessments.models import Role
from tests.assessments.assessment_factories import (
    AssessmentFactory,
    AuditorGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    build_framework,
)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def framework(db):
    return build_framework()


@pytest.fixture
def people(framework):
    org_a = OrganisationFactory(name="甲公司", slug="org-a")
    org_b = OrganisationFactory(name="乙公司", slug="org-b")
    admin = MembershipFactory(organisation=org_a, role=Role.ADMIN).user
    assessor = MembershipFactory(organisation=org_a, role=Role.ASSESSOR).user
    viewer = MembershipFactory(organisation=org_a, role=Role.VIEWER).user
    outsider = MembershipFactory(organisation=org_b, role=Role.ADMIN).user
    assessment = AssessmentFactory(
        organisation=org_a,
        framework=framework,
        created_by=assessor,
        title="2025 年度评估",
    )
    other = AssessmentFactory(organisation=org_a, framework=framework, created_by=admin)
    assessment_b = AssessmentFactory(
        organisation=org_b, framework=framework, created_by=outsider
    )
    auditor = AuditorGrantFactory(assessment=assessment, granted_by=admin).user
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    expired = AuditorGrantFactory(
        assessment=assessment, granted_by=admin, expires_on=yesterday
    ).user
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        admin=admin,
        assessor=assessor,
        viewer=viewer,
        outsider=outsider,
        auditor=auditor,
        expired=expired,
        assessment=assessment,
        other=other,
        assessment_b=assessment_b,
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
