"""Backups: every table and the media folder in one encrypted file (privacy.restore writes
one back into an empty installation).

A backup is one stream encrypted as a whole with `privacy.crypto.FileCipher` (chunks of
AES-256-GCM under the active data key, whose id the file carries): without the data keys it
reads as nothing, and a file cut short or altered is refused. The stream is a magic line,
then records of a kind (one byte), a length (4 bytes) and a payload:

    H  the header (JSON): format, date, version, per database its vendor, applied migrations
       and sequences; per table its columns and number of rows; the number of media files
    T  a table (JSON), R batches of its rows (JSON lists of the stored values), E its count
    F  a media file (JSON: its name), D pieces of its bytes, E its size
    Z  the end (JSON: totals)

Rows are read and written with SQL, as stored: what is encrypted stays ciphertext, and the
restore writes back exactly what was read (PostgreSQL's values as text, which PostgreSQL
reads back into each column's type). Every model's table is copied except Django's sessions
(a restore signs everybody out, as it should) and its record of migrations (the installation
restored into has its own, which must be the backup's). SQLite's full-text tables belong to
no model: the search entries' triggers fill them again as the rows go in.

Each database is read in one transaction that sees one snapshot (PostgreSQL: REPEATABLE
READ, read only; SQLite: a read transaction while writers go on, in WAL mode), so a backup
taken while ventanilla runs is consistent. Media files are copied afterwards, as stored
(encrypted already).
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import ventanilla
from ventanilla.privacy import crypto, rotation
from ventanilla.privacy.crypto import CHUNK, FileCipher
from ventanilla.privacy.models import KeyCheck

FORMAT = 1
MAGIC = b"ventanilla backup\n"
BATCH = 500
HEADER, TABLE, ROWS, FILE, DATA, DONE, END = (b"H", b"T", b"R", b"F", b"D", b"E", b"Z")
NOT_COPIED = {"sessions.Session"}
# Rows an installation makes for itself (`migrate`: content types, permissions, the role
# groups, the default desk with its request types, categories of complaints and scorecard; the first
# start: the keys' fingerprints and the index key). A restore replaces them with the
# backup's: the rows that refer to them keep their ids.
MADE_BY_THE_INSTALLATION = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "desks_desk",
    "desks_requesttype",
    "accountability_category",
    "accountability_criterion",
    "privacy_keycheck",
    "privacy_indexkey",
}
STAGING = ".restoring"  # within the media folder, until the restore commits
Report = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, and what to do."""


def damaged() -> BackupError:
    return BackupError("the backup file is damaged or cut short: nothing was restored")


@dataclass(frozen=True)
class Table:
    model: type[models.Model]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def database(self) -> str:
        return router.db_for_write(self.model)

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.model._meta.concrete_fields if f.column]

    @property
    def key(self) -> str:
        pk = self.model._meta.pk
        assert pk is not None and pk.column is not None
        return pk.column

    @property
    def file_columns(self) -> list[int]:
        fields = [f for f in self.model._meta.concrete_fields if f.column]
        return [i for i, f in enumerate(fields) if isinstance(f, models.FileField)]


def tables() -> list[Table]:
    """The table of every model of every installed app (many-to-many tables too)."""
    return [
        Table(model)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label not in NOT_COPIED
    ]


def _databases(chosen: list[Table]) -> list[str]:
    # The main database last: a delivery leaves the intake database (SQLite) only once what
    # it holds is committed in the main one, so one taken in between is in both copies
    # (taking in is idempotent), never in neither.
    return sorted({t.database for t in chosen}, key=lambda d: (d == DEFAULT_DB_ALIAS, d))


@dataclass
class Outcome:
    tables: int = 0
    rows: int = 0
    files: int = 0
    size: int = 0
    missing: list[str] = field(default_factory=list)  # media files rows name, not found


# The records


def _record(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack(">I", len(payload)) + payload


def _bytes_as_json(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot store a {type(value).__name__}")


def _json(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), default=_bytes_as_json
    ).encode("utf-8")


def from_json(payload: bytes) -> Any:
    def decode(found: dict[str, Any]) -> Any:
        return base64.b64decode(found["$bytes"]) if set(found) == {"$bytes"} else found

    return json.loads(payload, object_hook=decode)


class Stream:
    """Pieces of bytes read as a file: read(n) gives n bytes until the pieces run out."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces, self._piece, self._at = pieces, b"", 0

    def read(self, size: int = -1, /) -> bytes:
        parts: list[bytes] = []
        wanted = size
        while wanted:
            if self._at >= len(self._piece):
                self._piece, self._at = next(self._pieces, b""), 0
                if not self._piece:
                    break
            end = len(self._piece) if wanted < 0 else self._at + wanted
            part = self._piece[self._at : end]
            self._at += len(part)
            wanted -= len(part) if wanted > 0 else 0
            parts.append(part)
        return b"".join(parts)


class Records:
    """The records of a backup's clear content, one after another."""

    def __init__(self, source: Stream) -> None:
        self._source = source
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("this is not a ventanilla backup")

    def _read(self, size: int) -> bytes:
        data = self._source.read(size)
        if len(data) != size:
            raise damaged()
        return data

    def next(self) -> tuple[bytes, bytes]:
        head = self._read(5)
        return head[:1], self._read(struct.unpack(">I", head[1:])[0])

    def expect(self, kind: bytes) -> Any:
        found, payload = self.next()
        if found != kind:
            raise damaged()
        return from_json(payload)

    def rows(self) -> Iterator[list[Any]]:
        """A table's batches of rows, up to its end record (which must count them)."""
        count = 0
        while (found := self.next())[0] == ROWS:
            batch = from_json(found[1])
            count += len(batch)
            yield batch
        if found[0] != DONE or from_json(found[1]) != {"rows": count}:
            raise damaged()

    def end(self) -> None:
        if self._source.read(1):  # and the last chunk was the one marked last
            raise damaged()


# Backing up


@contextmanager
def _snapshot(database: str) -> Iterator[None]:
    """One transaction reading one state of `database`, whatever is written meanwhile."""
    connection = connections[database]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor != "sqlite":
        raise BackupError(f"cannot back up a {connection.vendor} database: SQLite or PostgreSQL")
    # Not Django's atomic, which takes SQLite's write lock (transaction mode IMMEDIATE): a
    # plain BEGIN reads one snapshot from its first read on, and writers go on meanwhile.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT COUNT(*) FROM sqlite_master")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def quote_for(table: Table) -> tuple[Callable[[str], str], str]:
    quote = connections[table.database].ops.quote_name
    return quote, quote(table.name)


def _count(table: Table) -> int:
    _, name = quote_for(table)
    with connections[table.database].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {name}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _batches(table: Table) -> Iterator[list[Any]]:
    """The rows of `table` as stored, in batches, in the order of their primary key."""
    quote, name = quote_for(table)
    connection = connections[table.database]
    # As stored: PostgreSQL's values as their text; SQLite's through a unary plus, which
    # keeps a value as it is but hides the column's type from the converters Django gives
    # the driver (which would read a "datetime" column as a datetime).
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{quote(c)}::text" for c in table.columns)
    else:
        columns = ", ".join(f"+{quote(c)}" for c in table.columns)
    # Qualified: ORDER BY "id" would sort by the selected text, 10 before 9.
    key, at = f"{name}.{quote(table.key)}", table.columns.index(table.key)
    last: Any = None  # keys may be numbers or UUIDs: the first batch has no lower bound
    while True:
        after = "" if last is None else f" WHERE {key} > %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {name}{after} ORDER BY {key} LIMIT {BATCH}",  # noqa: S608
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield [list(row) for row in rows]
        last = rows[-1][at]


def _applied_migrations(database: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[database]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _sequences(database: str, chosen: list[Table]) -> dict[str, int]:
    """The last id each table's sequence gave, so that a restore never gives it again (an
    audit entry names a conversation by its id, also once the conversation is erased)."""
    connection = connections[database]
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            found = {name: int(seq) for name, seq in cursor.fetchall()}
            return {t.name: found[t.name] for t in chosen if t.name in found}
        for table in chosen:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table.name, table.key])
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(f"SELECT is_called, last_value FROM {sequence}")  # noqa: S608
                called, value = cursor.fetchone()
                found[table.name] = int(value) if called else 0
    return found


def media_files() -> list[str]:
    return [n for n in rotation.media_files() if PurePosixPath(n).parts[0] != STAGING]


def _header(chosen: list[Table], names: list[str], data_keys: list[str]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "version": ventanilla.__version__,
        "databases": {
            database: {
                "vendor": connections[database].vendor,
                "migrations": _applied_migrations(database),
                "sequences": _sequences(database, [t for t in chosen if t.database == database]),
            }
            for database in _databases(chosen)
        },
        "tables": [
            {"database": t.database, "table": t.name, "columns": t.columns, "rows": _count(t)}
            for t in chosen
        ],
        "files": len(names),
        "data_keys": data_keys,  # the fingerprints of the keys its values are under
    }


def back_up(*, path: Path, report: Report, force: bool = False) -> Outcome:
    """Write a backup of every database and of the media folder to `path`."""
    if path.is_dir() or (path.exists() and not force):
        raise BackupError(f"{path} exists already: name another file, or give --force")
    if path.absolute().resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError("a backup cannot be written into the media folder it copies")
    partial = path.with_name(f"{path.name}.partial")
    chosen = tables()
    outcome = Outcome(tables=len(chosen))
    try:
        with ExitStack() as snapshots:
            for database in _databases(chosen):
                snapshots.enter_context(_snapshot(database))
            in_use = list(
                KeyCheck.objects.using(router.db_for_read(KeyCheck))
                .filter(retired_at__isnull=True)
                .values_list("fingerprint", flat=True)
            )
            if in_use and crypto.keyring().active.fingerprint not in in_use:
                raise BackupError(
                    "VENTANILLA_DATA_KEY is not the key this database was written with: "
                    "start with the installation's keys"
                )
            names = media_files()  # after the snapshot: every file its rows name is there
            header = _header(chosen, names, in_use)
            content = Stream(_contents(header, chosen, names, outcome, report))
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                for piece in FileCipher.encrypt(content):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, path)
    except DatabaseError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"the database could not be read ({error}): nothing was written"
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    outcome.size = path.stat().st_size
    return outcome


def _contents(
    header: dict[str, Any], chosen: list[Table], names: list[str], outcome: Outcome, report: Report
) -> Iterator[bytes]:
    yield MAGIC
    yield _record(HEADER, _json(header))
    named: set[str] = set()
    for table, described in zip(chosen, header["tables"], strict=True):
        yield _record(TABLE, _json({"database": table.database, "table": table.name}))
        count = 0
        for rows in _batches(table):
            named.update(row[i] for row in rows for i in table.file_columns if row[i])
            count += len(rows)
            yield _record(ROWS, _json(rows))
        if count != described["rows"]:  # never: one snapshot gives both
            raise BackupError(f"{table.name} changed while it was read: nothing was written")
        yield _record(DONE, _json({"rows": count}))
        outcome.rows += count
        report(f"{table.name}: {count} rows")
    root = Path(settings.MEDIA_ROOT)
    for name in names:
        try:
            source = (root / name).open("rb")
        except FileNotFoundError:  # removed since it was listed
            continue
        with source:
            yield _record(FILE, _json({"name": name}))
            size = 0
            while piece := source.read(CHUNK):
                size += len(piece)
                yield _record(DATA, piece)
        yield _record(DONE, _json({"bytes": size}))
        outcome.files += 1
        if outcome.files % 100 == 0:
            report(f"media files: {outcome.files}")
    if outcome.files % 100:
        report(f"media files: {outcome.files}")
    outcome.missing = sorted(named - set(names))
    yield _record(END, _json({"rows": outcome.rows, "files": outcome.files}))
