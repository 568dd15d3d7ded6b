"""Numbers given in order (reference numbers, complaint numbers): a counter row per key,
counted up in one statement that locks the row until the transaction ends, so two numbers
given at once never collide."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, models, transaction


def next_count(model: type[models.Model], **key: Any) -> int:
    """The next number of `model`'s counter for `key` (its row made at 1 when missing).
    `model` has a `last` field and a unique constraint over the fields of `key`."""
    number = _count_up(model, key)
    if number is None:
        try:
            with transaction.atomic():
                model._default_manager.create(**key, last=1)
            return 1
        except IntegrityError:  # another transaction made the row first
            number = _count_up(model, key)
    if number is None:
        raise RuntimeError(f"the counter {model.__name__} {key} could not be counted up")
    return number


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return str(field.column)


def _count_up(model: type[models.Model], key: dict[str, Any]) -> int | None:
    """One query: both databases know UPDATE ... RETURNING."""
    quote = connection.ops.quote_name
    columns = [quote(_column(model, name)) for name in key]
    values = [value.pk if isinstance(value, models.Model) else value for value in key.values()]
    where = " AND ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET last = last + 1 "  # noqa: S608
            f"WHERE {where} RETURNING last",
            values,
        )
        found = cursor.fetchone()
    return int(found[0]) if found else None
