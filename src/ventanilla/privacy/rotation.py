"""Key rotation: a new data key, everything encrypted again with it, old keys retired.

What is encrypted: every column of an encrypted field (privacy.fields) in any app, and every
media file. A rotation works in batches, each committed on its own, and only ever rewrites
a value still under another key than the first of the keyring, so it can be stopped or
killed at any moment and started again: it goes on where it was. A value is written back
only if nobody changed it meanwhile (compare and set), so it runs beside a live
installation. The index key of the look-up hashes is not changed, only encrypted again
(privacy.crypto).

An old key is retired (recorded so, and with a keyring in VENTANILLA_HOME removed from it)
only after a last count finds nothing under it, taken when every running process has had
time to see the new key (they look at the keyring file every `crypto.RELOAD_EVERY` seconds).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from ventanilla.privacy import crypto
from ventanilla.privacy.fields import EncryptedJSONField, EncryptedTextField
from ventanilla.privacy.models import KeyCheck
from ventanilla.privacy.services import verify_data_key
from ventanilla.privacy.storage import EncryptedFileSystemStorage

BATCH = 500
Report = Callable[[str], None]


@dataclass(frozen=True)
class Column:
    model: type[models.Model]
    field: str

    @property
    def name(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def using(self) -> str:
        return router.db_for_write(self.model)


def _pk_column(column: Column) -> str:
    pk = column.model._meta.pk
    assert pk is not None and pk.column is not None
    return pk.column


def encrypted_columns() -> list[Column]:
    """Every column of an encrypted field, across the installed apps."""
    return [
        Column(model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


def new_key() -> str:
    return secrets.token_urlsafe(32)


def add_key_to_file(path: Path) -> crypto.Key:
    """Put a new key first in the keyring file (the one that encrypts), keeping the others."""
    kept = path.read_text("utf-8").split()
    _write_keyring(path, [new_key(), *kept])
    crypto.forget_keyring_file()
    return crypto.keyring().active


def _write_keyring(path: Path, keys: list[str]) -> None:
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)


# What is still under an old key


def _old_values_sql(column: Column, active_id: str) -> tuple[str, str, str]:
    quote = connections[column.using].ops.quote_name
    table = quote(column.model._meta.db_table)
    value, pk = quote(column.field), quote(_pk_column(column))
    where = f"{value} IS NOT NULL AND {value} <> '' AND {value} NOT LIKE 'v2.{active_id}.%%'"
    return table, f"{pk}, {value}", where


def count_old_values(column: Column, active_id: str) -> int:
    table, _fields, where = _old_values_sql(column, active_id)
    with connections[column.using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}")  # noqa: S608
        return int(cursor.fetchone()[0])


def media_files() -> Iterator[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".rotating"):
            yield path.relative_to(root).as_posix()


def old_files(active_id: str) -> Iterator[str]:
    storage = EncryptedFileSystemStorage()
    for name in media_files():
        if storage.key_id(name) != active_id:
            yield name


def remaining(active_id: str) -> dict[str, int]:
    """How many values and files are not yet under the key `active_id`, by column."""
    counts = {column.name: count_old_values(column, active_id) for column in encrypted_columns()}
    counts["media files"] = sum(1 for _ in old_files(active_id))
    return {name: n for name, n in counts.items() if n}


# Encrypting again


def encrypt_column_again(column: Column, report: Report, batch: int = BATCH) -> int:
    """Rewrite under the active key every value of `column` under another key; how many."""
    active_id = crypto.keyring().active.id
    table, fields, where = _old_values_sql(column, active_id)
    quote = connections[column.using].ops.quote_name
    value, pk = quote(column.field), quote(_pk_column(column))
    total = count_old_values(column, active_id)
    done, last = 0, None  # keys may be numbers or UUIDs: the first batch has no lower bound
    while True:
        params: list[Any] = [] if last is None else [last]
        after = "" if last is None else f" AND {pk} > %s"
        with transaction.atomic(using=column.using), connections[column.using].cursor() as cursor:
            cursor.execute(
                f"SELECT {fields} FROM {table} WHERE {where}{after} "  # noqa: S608
                f"ORDER BY {pk} LIMIT {int(batch)}",
                params,
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            cursor.executemany(
                f"UPDATE {table} SET {value} = %s WHERE {pk} = %s AND {value} = %s",  # noqa: S608
                [(crypto.encrypt(crypto.decrypt(old)), key, old) for key, old in rows],
            )
        done += len(rows)
        last = rows[-1][0]
        report(f"{column.name}: {done} of {total}")


def encrypt_files_again(report: Report) -> int:
    storage = EncryptedFileSystemStorage()
    done = 0
    for name in old_files(crypto.keyring().active.id):
        storage.encrypt_again(name)
        done += 1
        if done % 100 == 0:
            report(f"media files: {done}")
    if done:
        report(f"media files: {done}")
    return done


@dataclass(frozen=True)
class Outcome:
    rewritten: int
    retired: list[str]  # ids of the keys retired
    still_used: dict[str, int]  # what is left under old keys, when some is


def rotate(report: Report, *, settle_seconds: float | None = None, batch: int = BATCH) -> Outcome:
    """Encrypt everything again under the keyring's first key, then retire the others."""
    verify_data_key()  # records a new key
    ring = crypto.keyring()
    rewritten = sum(encrypt_column_again(c, report, batch) for c in encrypted_columns())
    rewritten += encrypt_files_again(report)
    # Processes that had not yet seen the new key may have written under an old one.
    time.sleep(crypto.RELOAD_EVERY + 1 if settle_seconds is None else settle_seconds)
    rewritten += sum(encrypt_column_again(c, report, batch) for c in encrypted_columns())
    rewritten += encrypt_files_again(report)
    left = remaining(ring.active.id)
    if left:
        return Outcome(rewritten, [], left)
    old = [k for k in ring.keys if k is not ring.active]
    KeyCheck.objects.filter(fingerprint__in=[k.fingerprint for k in old]).update(
        retired_at=timezone.now()
    )
    path: Path | None = getattr(settings, "DATA_KEY_FILE", None)
    if path is not None and old:
        written = path.read_text("utf-8").split()
        _write_keyring(
            path, [k for k in written if crypto.parse_keys(k).active.id == ring.active.id]
        )
        crypto.forget_keyring_file()
    return Outcome(rewritten, [k.id for k in old], {})
