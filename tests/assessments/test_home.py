"""The home page of someone who is neither a member nor an auditor any more."""

import datetime

from django.utils import timezone

from assessments import services
from tests.assessments.assessment_factories import AuditorGrantFactory, UserFactory

NOT_A_MEMBER = "You are not a member of any organisation yet"


def _home(client, language="en"):
    return client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_it_tells_an_auditor_whose_grant_expired_which_access_ended(people, login):
    body = _home(login(people.expired))

    assert "Your access as an auditor has ended" in body
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert (
        f"“2025 年度评估” of 甲公司: the access ran until {yesterday.isoformat()}."
        in body
    )
    assert NOT_A_MEMBER not in body


def test_it_tells_an_auditor_whose_grant_was_revoked(people, login):
    grant = people.auditor.auditor_grants.get()
    services.auditor_revoke(grant=grant, actor=people.admin)

    body = _home(login(people.auditor))

    today = timezone.localdate().isoformat()
    assert f"“2025 年度评估” of 甲公司: the access was revoked on {today}." in body
    assert NOT_A_MEMBER not in body


def test_it_names_each_assessment_once_by_its_latest_grant(people, login):
    AuditorGrantFactory(
        assessment=people.assessment,
        user=people.expired,
        granted_by=people.admin,
        granted_at=timezone.now() - datetime.timedelta(days=30),
        expires_on=timezone.localdate() - datetime.timedelta(days=20),
    )

    body = _home(login(people.expired))

    assert body.count("“2025 年度评估” of 甲公司") == 1


def test_it_leaves_out_ended_access_while_another_grant_works(people, login):
    AuditorGrantFactory(
        assessment=people.other, user=people.expired, granted_by=people.admin
    )

    body = _home(login(people.expired))

    assert "Assessments you audit" in body
    assert "has ended" not in body


def test_it_asks_someone_with_no_access_ever_to_be_added(db, login):
    body = _home(login(UserFactory()))

    assert NOT_A_MEMBER in body
    assert "has ended" not in body
