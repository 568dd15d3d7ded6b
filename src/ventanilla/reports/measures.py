"""SQL the reports need that Django does not write the same way on every database: a span
of time in seconds, and percentiles (nearest rank) worked out by the database, as
`percentile_disc` on PostgreSQL and as a window over the sorted values on SQLite, to the
same result."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Expression, F, Field, FloatField, Func, QuerySet

FRACTIONS = {"median": 0.5, "p90": 0.9}


class Seconds(Func):
    """`end - start` in seconds (a fraction of a second kept)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end: str | Expression, start: str | Expression) -> None:
        super().__init__(
            F(end) if isinstance(end, str) else end, F(start) if isinstance(start, str) else start
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return super().as_sql(
            compiler, connection, template=template, arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
        return super().as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


class Percentiles(Aggregate):
    """PostgreSQL's nearest-rank percentiles of `FRACTIONS`, in their order, from one sort:
    for each, the smallest value with at least that fraction of the values at or below it.
    A list, or None without values."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = Field()  # a list, as psycopg reads the array: no conversion

    def __init__(self, expression: Expression | F, **extra: Any) -> None:
        fractions = ", ".join(repr(float(value)) for value in FRACTIONS.values())
        super().__init__(expression, fractions=fractions, **extra)


def rank(fraction: float, count: int) -> int:
    """The 1-based rank of the nearest-rank percentile among `count` sorted values, as
    PostgreSQL works it out (in floating point: 0.9 x 70 is just above 63, so 64)."""
    return max(1, math.ceil(fraction * count))


def percentiles_by_window(
    rows: QuerySet[Any], *, keys: Iterable[str], value: str
) -> dict[tuple[Any, ...], dict[str, float]]:
    """{key values: {"median": .., "p90": ..}} of `value` for each group of `keys` in these
    rows (a queryset already annotated with them), by a window over the sorted values: for
    SQLite, which has no percentile aggregate. The same ranks as `Percentile`."""
    keys = list(keys)
    inner, params = rows.values_list(*keys, value).query.sql_with_params()
    quoted = [connection.ops.quote_name(name) for name in keys]
    groups = ", ".join(quoted) or "NULL"
    ranks = " OR ".join(
        f"rn = CAST(n * {fraction!r} AS INTEGER) + (n * {fraction!r} > CAST(n * {fraction!r} "
        "AS INTEGER))"
        for fraction in FRACTIONS.values()
    )
    v = connection.ops.quote_name(value)
    sql = (
        f"SELECT {', '.join([*quoted, v, 'rn', 'n'])} FROM ("  # noqa: S608 (names are ours)
        f"SELECT *, ROW_NUMBER() OVER (PARTITION BY {groups} ORDER BY {v}) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {groups}) AS n "
        f"FROM ({inner}) AS measured WHERE {v} IS NOT NULL) AS ranked WHERE {ranks}"
    )
    found: dict[tuple[Any, ...], dict[str, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            *key, measured, row_number, count = row
            for name, fraction in FRACTIONS.items():
                if row_number == rank(fraction, count):
                    found.setdefault(tuple(key), {})[name] = measured
    return found
