"""The demo data set: one organisation, five people, two years of assessments.

The demo is loaded once for the whole module, inside a transaction that is
rolled back at the end; each test runs in a savepoint within it.
"""

import hashlib
import io
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from assessments import demo, uploads
from assessments.models import (
    Answer,
    Assessment,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceLink,
    Finding,
    Membership,
    Organisation,
    Review,
    Role,
    Status,
    StatusChange,
)
from assessments.selectors import submission_problems
from maturity.models import Framework

PASSWORD = "Demo-pass-2026"

# Module and stage -> (2025 self, 2025 verified, 2026 self, 2026 verified).
DESIGNED_LEVELS = {
    "STR": (2, 2, 3, 3),
    "ORG": (3, 3, 3, 3),
    "SIA": (2, 2, 2, 0),
    "LC": (2, 2, 2, 0),
    "LC-REQ": (2, 2, 3, 3),
    "LC-DAT": (3, 3, 3, 3),
    "LC-BLD": (3, 3, 3, 0),
    "LC-VAL": (3, 3, 3, 0),
    "LC-DEP": (2, 2, 3, 0),
    "LC-MON": (3, 3, 3, 0),
    "LC-CV": (2, 2, 3, 0),
    "LC-REV": (2, 2, 3, 0),
    "LC-RET": (2, 2, 2, 0),
    "ERS": (2, 2, 2, 0),
    "TEX": (1, 1, 1, 1),
    "ICM": (1, 1, 2, 0),
    "EXT": (2, 1, 3, 0),
    "IPP": (3, 3, 4, 4),
    "ESR": (1, 1, 1, 1),
    "MMA": (2, 2, 2, 2),
}
MODULES = ("STR", "ORG", "SIA", "LC", "ERS", "TEX", "ICM", "EXT", "IPP", "ESR", "MMA")
READINGS = ((2025, "self"), (2025, "verified"), (2026, "self"), (2026, "verified"))

FILE_TYPES = {
    "application/pdf",
    "image/png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once, with fast password hashing and its own storage."""
    storage = tmp_path_factory.mktemp("demo-private")
    settings = override_settings(
        PRIVATE_STORAGE_ROOT=storage,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with settings, django_db_blocker.unblock(), transaction.atomic():
        if Framework.objects.latest_version("AIMRG") is None:
            call_command("load_framework", verbosity=0)
        output = io.StringIO()
        call_command("load_demo", stdout=output)
        organisation = Organisation.objects.get(slug="demo")
        yield SimpleNamespace(
            output=output.getvalue(),
            organisation=organisation,
            previous=Assessment.objects.get(
                organisation=organisation, status=Status.FINALISED
            ),
            current=Assessment.objects.get(
                organisation=organisation, status=Status.IN_REVIEW
            ),
        )
        transaction.set_rollback(True)


@pytest.fixture
def private_storage(loaded):
    """Keep the demo's storage rather than conftest's storage per test."""
    return uploads.private_root()


@pytest.fixture
def result(loaded, db):
    return loaded


def _user(username):
    return get_user_model().objects.get(username=username)


def test_it_creates_the_organisation_with_members_by_role(result):
    roles = dict(
        Membership.objects.filter(organisation=result.organisation).values_list(
            "user__username", "role"
        )
    )

    assert result.organisation.name == "栖桐普惠金融科技有限公司"
    assert roles == {
        "admin": Role.ADMIN,
        "assessor": Role.ASSESSOR,
        "assessor2": Role.ASSESSOR,
        "viewer": Role.VIEWER,
    }


def test_every_account_has_a_chinese_name_and_the_shared_password(result):
    users = get_user_model().objects.filter(
        username__in=["admin", "assessor", "assessor2", "viewer", "auditor"]
    )

    assert len(users) == 5
    for user in users:
        assert user.check_password(PASSWORD), user.username
        assert 2 <= len(user.get_full_name()) <= 4, user.username
        assert not user.is_staff


def test_the_auditor_is_a_third_party_with_a_current_and_a_past_grant(result):
    auditor = _user("auditor")
    current = AuditorGrant.objects.get(user=auditor, assessment=result.current)
    past = AuditorGrant.objects.get(user=auditor, assessment=result.previous)

    assert not Membership.objects.filter(user=auditor).exists()
    assert current.is_active
    days_left = (current.expires_on - timezone.localdate()).days
    assert 150 <= days_left <= 200
    assert not past.is_active
    assert past.revoked_at is not None


def test_it_finalises_last_year_after_a_return_and_reviews_this_year(result):
    previous_steps = list(
        StatusChange.objects.filter(assessment=result.previous).values_list(
            "to_status", flat=True
        )
    )
    current_steps = list(
        StatusChange.objects.filter(assessment=result.current).values_list(
            "to_status", flat=True
        )
    )

    assert result.current.previous == result.previous
    assert result.current.framework == result.previous.framework
    assert previous_steps == [
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.RETURNED,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.FINALISED,
    ]
    assert current_steps == [Status.SUBMITTED, Status.IN_REVIEW]
    assert result.previous.self_scores is not None
    assert result.previous.verified_scores is not None


def test_each_step_bears_the_time_it_was_taken(result):
    previous = list(
        StatusChange.objects.filter(assessment=result.previous)
        .order_by("pk")
        .values_list("created_at", flat=True)
    )
    current = list(
        StatusChange.objects.filter(assessment=result.current)
        .order_by("pk")
        .values_list("created_at", flat=True)
    )

    assert previous == sorted(previous)
    assert result.previous.created_at < previous[0]
    assert abs(result.previous.finalised_at - previous[-1]).total_seconds() < 1
    # Last year's audit ended months before this year's assessment began.
    assert (result.current.created_at - result.previous.finalised_at).days > 30
    assert result.current.created_at < current[0] < current[-1] < timezone.now()
    verdicts = Review.objects.filter(answer__assessment=result.previous)
    assert all(review.updated_at <= result.previous.finalised_at for review in verdicts)
    assert Finding.objects.filter(
        assessment=result.previous, created_at__lt=previous[-1]
    ).exists()


def test_every_requirement_is_answered_and_backed_up(result):
    for assessment in (result.previous, result.current):
        answers = Answer.objects.filter(assessment=assessment)

        assert answers.count() == assessment.framework.requirements.count()
        # The auditor's objections are not gaps in the answers.
        gaps = [p for p in submission_problems(assessment) if not p.is_objection]
        assert gaps == []


def test_not_applicable_answers_say_why(result):
    answers = Answer.objects.filter(
        assessment=result.current, status="not_applicable"
    ).select_related("requirement")

    assert {answer.requirement.code for answer in answers} == {
        "LC-BLD-3.5",
        "LC-DEP-4.3",
        "ESR-3.5",
    }
    for answer in answers:
        assert "不适用" in answer.justification


def test_justifications_do_not_repeat_within_an_assessment(result):
    for assessment in (result.previous, result.current):
        texts = Counter(
            Answer.objects.filter(assessment=assessment).values_list(
                "justification", flat=True
            )
        )

        assert texts.most_common(1)[0][1] == 1


def test_it_stores_real_files_that_pass_the_content_checks(result):
    files = Evidence.objects.filter(
        assessment__organisation=result.organisation
    ).exclude(file_path="")

    assert {item.content_type for item in files} == FILE_TYPES
    assert "模型风险管理办法.pdf" in {item.original_name for item in files}
    for item in files:
        content = uploads.stored_path(item.file_path).read_bytes()
        assert item.size == len(content)
        assert item.sha256 == hashlib.sha256(content).hexdigest()
        again = SimpleUploadedFile(item.original_name, content)
        assert uploads.check_upload(again) == item.content_type


def test_it_uses_links_and_notes_too(result):
    kinds = Counter(
        Evidence.objects.filter(assessment=result.current).values_list(
            "kind", flat=True
        )
    )

    assert kinds["link"] >= 5
    assert kinds["note"] >= 3
    assert (
        Evidence.objects.filter(
            assessment=result.current, url__startswith="https://"
        ).count()
        == kinds["link"]
    )


def test_it_shares_evidence_items_across_requirements(result):
    links = Counter(
        EvidenceLink.objects.filter(answer__assessment=result.current).values_list(
            "evidence_id", flat=True
        )
    )

    assert max(links.values()) >= 10
    assert Evidence.objects.filter(assessment=result.current).count() == len(links)


def test_it_reconfirms_most_carried_evidence(result):
    carried = EvidenceLink.objects.filter(
        answer__assessment=result.current, evidence__carried_from__isnull=False
    )
    unconfirmed = carried.filter(needs_reconfirmation=True)

    assert 0 < unconfirmed.count() < carried.count() / 10
    assert not unconfirmed.filter(answer__status="satisfied").exists()


def test_last_years_review_ends_with_one_rejection_kept(result):
    reviews = Review.objects.filter(answer__assessment=result.previous)
    rejected_earlier = Review.history.filter(
        answer__assessment=result.previous, verdict="rejected"
    ).values_list("answer__requirement__code", flat=True)

    assert reviews.count() == Answer.objects.filter(assessment=result.previous).count()
    assert list(
        reviews.filter(verdict="rejected").values_list(
            "answer__requirement__code", flat=True
        )
    ) == ["EXT-2.3"]
    assert set(rejected_earlier) == {"ORG-3.3", "LC-VAL-3.2", "STR-3.4", "EXT-2.3"}
    assert not reviews.filter(verdict="needs_information").exists()


def test_this_years_review_is_under_way(result):
    answers = Answer.objects.filter(assessment=result.current)
    reviews = Review.objects.filter(answer__assessment=result.current)
    verdicts = Counter(reviews.values_list("verdict", flat=True))

    assert verdicts["accepted"] > 50
    assert verdicts["rejected"] == 2
    assert verdicts["needs_information"] == 1
    assert reviews.count() < answers.count()
    assert not reviews.filter(verdict__in=["rejected", "needs_information"], comment="")


def test_an_assessor_answers_the_auditors_question(result):
    question = Review.objects.get(
        answer__assessment=result.current, verdict="needs_information"
    )
    replies = Comment.objects.filter(answer=question.answer)

    assert [reply.author.username for reply in replies] == ["assessor"]


def test_the_auditor_records_findings_of_every_kind(result):
    findings = Finding.objects.filter(assessment=result.previous)

    assert {finding.kind for finding in findings} == {
        "nonconformity",
        "observation",
        "recommendation",
    }
    assert {finding.severity for finding in findings} == {"high", "medium", "low"}
    assert {finding.created_by.username for finding in findings} == {"auditor"}
    assert Finding.objects.filter(assessment=result.current).exists()


def test_the_history_names_who_made_each_change(result):
    assessments = [result.previous, result.current]
    answer_authors = set(
        Answer.history.filter(assessment__in=assessments).values_list(
            "history_user__username", flat=True
        )
    )
    review_authors = set(
        Review.history.filter(answer__assessment__in=assessments).values_list(
            "history_user__username", flat=True
        )
    )
    evidence_authors = set(
        Evidence.history.filter(assessment__in=assessments).values_list(
            "history_user__username", flat=True
        )
    )

    assert answer_authors == {"admin", "assessor", "assessor2"}
    assert review_authors == {"auditor"}
    assert evidence_authors == {"admin", "assessor", "assessor2"}


def test_it_reaches_the_designed_levels(result):
    table = demo.level_table(result)

    levels = {
        row.code: tuple(row.levels[reading] for reading in READINGS) for row in table
    }
    assert levels == DESIGNED_LEVELS
    this_year = [DESIGNED_LEVELS[module][2] for module in MODULES]
    assert 1 in this_year
    assert 4 in this_year
    assert sum(level in (2, 3) for level in this_year) > len(MODULES) / 2


def test_verified_levels_never_exceed_self_assessed(result):
    for row in demo.level_table(result):
        for year in (2025, 2026):
            assert row.levels[year, "verified"] <= row.levels[year, "self"], row.code


def test_the_frozen_readings_match_the_table(result):
    for code in MODULES:
        self_level, verified_level, *_ = DESIGNED_LEVELS[code]

        assert result.previous.self_scores["modules"][code]["level"] == self_level
        assert result.previous.verified_scores["modules"][code]["level"] == (
            verified_level
        )


def test_it_prints_the_logins_and_the_levels(result):
    for text in ("admin", "assessor2", "viewer", "auditor", PASSWORD, "LC-RET"):
        assert text in result.output


def test_loading_again_changes_nothing(result):
    models = [
        get_user_model(),
        Organisation,
        Membership,
        Assessment,
        Answer,
        Evidence,
        EvidenceLink,
        Review,
        Comment,
        Finding,
        AuditorGrant,
        StatusChange,
        Answer.history.model,
    ]
    before = {model: model.objects.count() for model in models}
    output = io.StringIO()

    call_command("load_demo", stdout=output)

    assert {model: model.objects.count() for model in models} == before
    assert "already exists" in output.getvalue()


def test_the_loader_refuses_to_load_twice(result):
    with pytest.raises(demo.DemoError):
        demo.load_demo()
