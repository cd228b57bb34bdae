"""Reads whose SQL the ORM writes once per process, then runs with new values.

Turning a queryset into SQL takes Django longer than PostgreSQL takes to
run a small read: building the SQL of a questionnaire page's evidence
links costs about 0.45 ms, running it about 0.3 ms. The pages read the
same few shapes of query on every request, differing only in the ids they
ask for, so :class:`CompiledQuery` has the ORM write each shape once and
keeps it:

    FINDINGS = CompiledQuery(
        lambda assessment: Finding.objects.filter(
            assessment_id=assessment
        ).values_list("pk", "title")
    )
    rows = FINDINGS(assessment.pk)

The queryset stays the one description of the read. The SQL is built with
a stand-in integer for every argument and the stand-ins are swapped for the
values of each call. A list argument gets as many stand-ins as the list
has items, so each length has its own SQL. Rows come back as tuples, named
ones with ``named=True``, with the database converters Django applies to
``values_list`` rows. Queries
run through Django's cursor, so they are counted and logged like any
other.

Only integers and lists of integers may be passed: the stand-ins must
reach the SQL unchanged, which Django's preparation of ids guarantees.

On PostgreSQL each shape is also a prepared statement of every connection
that runs it, so the server plans it once per connection rather than on
every call; planning a page's reads took longer than running them. The
``PREPARE`` runs the first time a connection meets the shape and is not
counted as a query; the calls then show as ``EXECUTE compiled_…`` in
Django's query log. ``DATABASE_PREPARED_STATEMENTS=false`` sends the plain
SQL instead, as a connection pooler that hands one session's statements to
another (PgBouncer in transaction mode) requires.
"""

import inspect
import itertools
import re
import threading
import weakref
from collections import namedtuple
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

# Stand-ins are counted down from here: negative, so never an id, and within
# the range of a 32-bit column, which Django checks a lookup's value against.
FIRST_STAND_IN = -1_900_000_000
# Shapes kept per query: a list's length makes a shape, and two lists, as
# in comments on a page's answers or on its evidence, make many.
MAX_SHAPES = 512
# Numbers the compiled queries, to name their prepared statements.
_QUERY_NUMBERS = itertools.count(1)


@dataclass(frozen=True)
class _Compiled:
    """The SQL of one shape of a query, and how to fill it in.

    ``slots`` gives, for each parameter of the SQL, the argument and the
    position in it of the value to pass, or None for a constant of the
    query itself (kept in ``constants``). ``sql`` is None when the ORM found
    the query can match no row, as with an empty list to match.
    """

    sql: str | None
    slots: tuple
    constants: tuple
    converters: tuple
    col_count: int | None
    # The named tuple of each row, for a query built with ``named=True``.
    row_class: type | None = None
    # The name of its prepared statement, the same each time the shape is
    # built again, and what runs it.
    name: str = ""
    execute_sql: str = ""


class CompiledQuery:
    """A values_list read built by ``build`` once per shape of its arguments."""

    def __init__(self, build, *, named: bool = False):
        self.build = build
        self.named = named
        self.signature = inspect.signature(build)
        self.names = tuple(self.signature.parameters)
        self.number = next(_QUERY_NUMBERS)
        self._compiled = {}
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs) -> list[tuple]:
        """Run the query for these arguments, which ``build`` takes."""
        values = self.signature.bind(*args, **kwargs).arguments
        shape = tuple(
            len(values[name]) if isinstance(values[name], list | tuple) else None
            for name in self.names
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compile(shape)
        if compiled.sql is None:
            return []

        params = [
            constant if slot is None else _value(values[slot[0]], slot[1])
            for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            if (
                connection.vendor == "postgresql"
                and settings.DATABASE_PREPARED_STATEMENTS
            ):
                _prepare(connection, cursor, compiled)
                cursor.execute(compiled.execute_sql, params)
            else:
                cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.col_count is not None:
            rows = [row[: compiled.col_count] for row in rows]
        if compiled.converters:
            rows = list(_convert(rows, compiled.converters, connection))
        if compiled.row_class is not None:
            rows = [compiled.row_class._make(row) for row in rows]
        return rows

    def _compile(self, shape) -> _Compiled:
        counter = itertools.count()
        stand_ins = {}
        arguments = {}
        for name, length in zip(self.names, shape, strict=True):
            positions = [None] if length is None else range(length)
            values = []
            for position in positions:
                stand_in = FIRST_STAND_IN - next(counter)
                stand_ins[stand_in] = (name, position)
                values.append(stand_in)
            arguments[name] = values if length is not None else values[0]

        queryset = self.build(**arguments)
        self.alias = queryset.db
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            compiled = _Compiled(None, (), (), (), None)
        else:
            slots = tuple(stand_ins.get(param) for param in params)
            found = {slot for slot in slots if slot is not None}
            if found != set(stand_ins.values()):
                raise ValueError(
                    "Every argument of a compiled query must reach its SQL as it "
                    "was given; pass ids as integers."
                )
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            name = _statement_name(self.number, shape)
            compiled = _Compiled(
                sql=sql,
                slots=slots,
                constants=tuple(
                    None if slot is not None else param
                    for slot, param in zip(slots, params, strict=True)
                ),
                converters=tuple(compiler.get_converters(fields).items()),
                col_count=compiler.col_count if compiler.has_extra_select else None,
                row_class=(
                    namedtuple("Row", [column[2] for column in compiler.select])
                    if self.named
                    else None
                ),
                name=name,
                execute_sql=_execute_sql(name, params),
            )
        with self._lock:
            if len(self._compiled) >= MAX_SHAPES:
                # Forget the shape compiled first; it is built again if asked.
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[shape] = compiled
        return compiled


def _value(value, position):
    item = value if position is None else value[position]
    if not isinstance(item, int) or isinstance(item, bool):
        raise TypeError(f"A compiled query takes integers, not {item!r}.")
    return item


def _convert(rows, converters, connection):
    """Apply Django's converters to each row, as ``values_list`` does."""
    for row in rows:
        row = list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        yield tuple(row)


# The prepared statements of each open PostgreSQL connection, by the driver's
# connection object: a connection opened anew has none. Each thread has
# connections of its own.
_prepared = weakref.WeakKeyDictionary()


def _prepare(connection, cursor, compiled: _Compiled) -> None:
    """Prepare ``compiled`` on ``connection`` unless it was prepared there.

    The statement outlives a transaction rolled back after it. It runs on
    the driver's cursor, outside the query count of the call that needed
    it.
    """
    names = _prepared.get(connection.connection)
    if names is None:
        names = _prepared[connection.connection] = set()
    if compiled.name in names:
        return
    with connection.wrap_database_errors:
        cursor.cursor.execute(f"PREPARE {compiled.name} AS {_numbered(compiled.sql)}")
    names.add(compiled.name)


def _statement_name(number: int, shape: tuple) -> str:
    lengths = "_".join("n" if length is None else str(length) for length in shape)
    return f"compiled_{number}_{lengths}"


def _execute_sql(name: str, params) -> str:
    if not params:
        return f"EXECUTE {name}"
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})"


def _numbered(sql: str) -> str:
    """Return ``sql`` with PostgreSQL's $1, $2 … for the driver's %s, and % for %%."""
    numbers = itertools.count(1)
    return re.sub(r"%[s%]", lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
