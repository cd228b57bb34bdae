"""Queries compiled once give the rows the ORM gives, for every call."""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from assessments.models import Answer, Comment
from portal import compiled
from portal.compiled import CompiledQuery
from tests.assessments.assessment_factories import CommentFactory, answer

CODES = ["STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2"]
COMMENT_COLUMNS = ("pk", "answer_id", "text", "created_at", "author__username")


def comments_orm(assessment, answers):
    return list(
        Comment.objects.filter(assessment_id=assessment, answer_id__in=answers)
        .order_by("pk")
        .values_list(*COMMENT_COLUMNS)
    )


class Counting:
    """A query builder that counts how often it is asked to build."""

    def __init__(self, build):
        self.build = build
        self.calls = 0

    def __call__(self, assessment, answers):
        self.calls += 1
        return self.build(assessment, answers)


@pytest.fixture
def answered(people):
    """Answers of the assessment, each commented on once or twice."""
    assessment = people.assessment
    answers = [answer(assessment, code, evidence=False) for code in CODES]
    for index, item in enumerate(answers):
        for _ in range(1 + index % 2):
            CommentFactory(assessment=assessment, answer=item, author=people.assessor)
    CommentFactory(
        assessment=people.other,
        answer=answer(people.other, "STR-1.1", evidence=False),
        author=people.admin,
    )
    return answers


def test_it_gives_the_rows_of_the_orm_with_their_converted_values(people, answered):
    query = CompiledQuery(comments_orm_queryset)
    ids = [item.pk for item in answered]

    rows = query(people.assessment.pk, ids)

    assert rows == comments_orm(people.assessment.pk, ids)
    assert len(rows) == 6
    assert all(row[3].tzinfo is not None for row in rows)


def comments_orm_queryset(assessment, answers):
    return (
        Comment.objects.filter(assessment_id=assessment, answer_id__in=answers)
        .order_by("pk")
        .values_list(*COMMENT_COLUMNS)
    )


def test_it_builds_each_length_of_list_once_and_fills_in_each_call(people, answered):
    build = Counting(comments_orm_queryset)
    query = CompiledQuery(build)
    ids = [item.pk for item in answered]

    first_two = query(people.assessment.pk, ids[:2])
    last_two = query(people.assessment.pk, ids[2:])
    three = query(people.assessment.pk, ids[1:])

    assert build.calls == 2
    assert first_two == comments_orm(people.assessment.pk, ids[:2])
    assert last_two == comments_orm(people.assessment.pk, ids[2:])
    assert three == comments_orm(people.assessment.pk, ids[1:])
    assert {row[1] for row in last_two} == set(ids[2:])


def test_it_reads_the_rows_as_they_are_now(people, answered):
    query = CompiledQuery(comments_orm_queryset)
    ids = [answered[0].pk]
    before = query(people.assessment.pk, ids)

    CommentFactory(
        assessment=people.assessment, answer=answered[0], author=people.viewer
    )

    assert len(query(people.assessment.pk, ids)) == len(before) + 1


def test_it_counts_as_one_query(people, answered):
    query = CompiledQuery(comments_orm_queryset)

    with CaptureQueriesContext(connection) as queries:
        query(people.assessment.pk, [answered[0].pk])

    assert len(queries) == 1


def test_an_empty_list_that_matches_nothing_runs_no_query(people, answered):
    query = CompiledQuery(comments_orm_queryset)

    with CaptureQueriesContext(connection) as queries:
        rows = query(people.assessment.pk, [])

    assert rows == []
    assert len(queries) == 0


def test_an_empty_list_beside_another_condition_leaves_that_one(people, answered):
    query = CompiledQuery(
        lambda assessment, answers, authors: Comment.objects.filter(
            Q(answer_id__in=answers) | Q(author_id__in=authors),
            assessment_id=assessment,
        ).values_list("pk", flat=False)
    )

    rows = query(people.assessment.pk, [], [people.assessor.pk])

    assert len(rows) == 6


def test_the_constants_of_the_query_stay(people, answered):
    answered[1].status = "partial"
    answered[1].save()
    query = CompiledQuery(
        lambda assessment: Answer.objects.filter(
            assessment_id=assessment, status="partial"
        ).values_list("pk")
    )

    assert query(people.assessment.pk) == [(answered[1].pk,)]
    assert query(people.other.pk) == []


def test_named_rows_carry_the_names_of_their_columns(people, answered):
    query = CompiledQuery(comments_orm_queryset, named=True)

    row = query(people.assessment.pk, [answered[0].pk])[0]

    assert row.author__username == people.assessor.username
    assert row.answer_id == answered[0].pk


def test_it_refuses_what_is_not_an_integer(people, answered):
    query = CompiledQuery(comments_orm_queryset)

    with pytest.raises(TypeError):
        query(str(people.assessment.pk), [answered[0].pk])
    with pytest.raises(TypeError):
        query(people.assessment.pk, [True])


def test_it_refuses_a_query_that_changes_its_arguments(people, answered):
    query = CompiledQuery(
        lambda assessment: Comment.objects.filter(
            assessment_id=assessment + 1
        ).values_list("pk")
    )

    with pytest.raises(ValueError, match="as it was given"):
        query(people.assessment.pk)


def test_it_keeps_a_bounded_number_of_shapes(people, answered, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_SHAPES", 2)
    build = Counting(comments_orm_queryset)
    query = CompiledQuery(build)
    ids = [item.pk for item in answered]

    for length in (1, 2, 3, 1):
        assert query(people.assessment.pk, ids[:length]) == comments_orm(
            people.assessment.pk, ids[:length]
        )

    assert len(query._compiled) == 2
    assert build.calls == 4


def prepared_statements() -> dict[str, str]:
    """Return name -> SQL of the statements prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.postgres
def test_on_postgresql_it_prepares_each_shape_once_per_connection(people, answered):
    query = CompiledQuery(comments_orm_queryset)
    ids = [item.pk for item in answered]

    with CaptureQueriesContext(connection) as queries:
        first = query(people.assessment.pk, ids[:2])
        again = query(people.assessment.pk, ids[2:])

    ours = {
        name: sql
        for name, sql in prepared_statements().items()
        if name.startswith(f"compiled_{query.number}_")
    }
    assert list(ours) == [f"compiled_{query.number}_n_2"]
    assert "$3" in ours[f"compiled_{query.number}_n_2"]
    assert [entry["sql"].split("(")[0] for entry in queries.captured_queries] == [
        f"EXECUTE compiled_{query.number}_n_2"
    ] * 2
    assert first == comments_orm(people.assessment.pk, ids[:2])
    assert again == comments_orm(people.assessment.pk, ids[2:])


@pytest.mark.postgres
def test_a_prepared_statement_outlives_a_transaction_rolled_back(people, answered):
    query = CompiledQuery(comments_orm_queryset)
    ids = [answered[0].pk]

    def prepare_then_roll_back():
        with transaction.atomic():
            query(people.assessment.pk, ids)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        prepare_then_roll_back()

    assert query(people.assessment.pk, ids) == comments_orm(people.assessment.pk, ids)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_anew_prepares_again(people, answered):
    query = CompiledQuery(comments_orm_queryset)
    ids = [answered[0].pk]
    query(people.assessment.pk, ids)

    connection.close()

    assert f"compiled_{query.number}_n_1" not in prepared_statements()
    assert query(people.assessment.pk, ids) == comments_orm(people.assessment.pk, ids)
    assert f"compiled_{query.number}_n_1" in prepared_statements()


@pytest.mark.postgres
def test_without_prepared_statements_it_sends_the_plain_sql(people, answered, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    query = CompiledQuery(comments_orm_queryset)
    ids = [answered[0].pk]

    with CaptureQueriesContext(connection) as queries:
        rows = query(people.assessment.pk, ids)

    assert rows == comments_orm(people.assessment.pk, ids)
    assert queries.captured_queries[0]["sql"].startswith("SELECT ")
    assert not any(
        name.startswith(f"compiled_{query.number}_") for name in prepared_statements()
    )


def test_the_driver_placeholders_become_numbered_parameters():
    sql = "SELECT 1 FROM t WHERE a = %s AND b LIKE '%%x' AND c IN (%s, %s)"

    assert compiled._numbered(sql) == (
        "SELECT 1 FROM t WHERE a = $1 AND b LIKE '%x' AND c IN ($2, $3)"
    )
