"""Answer saves lock side by side with each other, never with a status change."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from assessments import services
from assessments.models import Answer, Assessment
from assessments.services.common import lock_assessment
from tests.assessments.assessment_factories import answer, requirement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not connection.features.has_select_for_update,
        reason="row locks need PostgreSQL",
    ),
]
WAIT = 10  # seconds a thread waits for its signal before the test fails


class SharedLockHolder(threading.Thread):
    """Hold the answer saves' shared lock on an assessment until released."""

    def __init__(self, assessment):
        super().__init__(daemon=True)
        self.assessment = assessment
        self.locked = threading.Event()
        self.release = threading.Event()

    def run(self):
        try:
            with transaction.atomic():
                lock_assessment(self.assessment, shared=True)
                self.locked.set()
                self.release.wait(WAIT)
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        assert self.locked.wait(WAIT)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(WAIT)


def _save(people, code, version, status="satisfied"):
    return services.answer_save(
        assessment=people.assessment,
        requirement=requirement(people.assessment, code),
        status=status,
        justification="",
        base_version=version,
        actor=people.assessor,
    )


def test_saves_of_other_answers_go_on_while_one_holds_its_lock(people):
    answer(people.assessment, "STR-1.1")

    with SharedLockHolder(people.assessment) as holder:
        saved = _save(people, "STR-1.1", 1, status="partial")
        assert holder.is_alive()

    assert saved.version == 2
    assert Answer.objects.get(pk=saved.pk).status == "partial"


def test_a_status_change_cannot_lock_while_a_save_holds_its_lock(people):
    with (
        SharedLockHolder(people.assessment),
        transaction.atomic(),
        pytest.raises(DatabaseError, match="could not obtain lock"),
    ):
        Assessment.objects.select_for_update(nowait=True).get(pk=people.assessment.pk)


def test_two_first_saves_of_one_requirement_end_in_a_conflict(people):
    first_inserted = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                _save(people, "STR-1.2", 0)
                first_inserted.set()
                # The second save is now waiting on this insert.
                threading.Event().wait(0.5)
        finally:
            connection.close()

    def second():
        try:
            assert first_inserted.wait(WAIT)
            _save(people, "STR-1.2", 0, status="partial")
            outcome["second"] = "saved"
        except services.AnswerConflict as conflict:
            outcome["second"] = conflict.current.status
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert outcome == {"second": "satisfied"}
    assert Answer.objects.filter(requirement__code="STR-1.2").count() == 1
