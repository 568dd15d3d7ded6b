"""Backups: every table and the media folder in one encrypted file, and their restore into an
empty installation.

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
import shutil
import struct
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import ventanilla
from ventanilla.privacy import crypto, rotation
from ventanilla.privacy.crypto import CHUNK, FILE_MAGIC, FileCipher
from ventanilla.privacy.models import KeyCheck

FORMAT = 1
MAGIC = b"ventanilla backup\n"
BATCH = 500
HEADER, TABLE, ROWS, FILE, DATA, DONE, END = (b"H", b"T", b"R", b"F", b"D", b"E", b"Z")
NOT_COPIED = {"sessions.Session"}
# Rows an installation makes for itself (`migrate`: content types, permissions, the role
# groups, the default desk and its request types; the first start: the keys' fingerprints
# and the index key). A restore replaces them with the backup's: the rows that refer to them
# keep their ids.
MADE_BY_THE_INSTALLATION = {
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "desks_desk",
    "desks_requesttype",
    "privacy_keycheck",
    "privacy_indexkey",
}
STAGING = ".restoring"  # within the media folder, until the restore commits
Report = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, and what to do."""


def _damaged() -> BackupError:
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


def _from_json(payload: bytes) -> Any:
    def decode(found: dict[str, Any]) -> Any:
        return base64.b64decode(found["$bytes"]) if set(found) == {"$bytes"} else found

    return json.loads(payload, object_hook=decode)


class _Stream:
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


class _Records:
    """The records of a backup's clear content, one after another."""

    def __init__(self, source: _Stream) -> None:
        self._source = source
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("this is not a ventanilla backup")

    def _read(self, size: int) -> bytes:
        data = self._source.read(size)
        if len(data) != size:
            raise _damaged()
        return data

    def next(self) -> tuple[bytes, bytes]:
        head = self._read(5)
        return head[:1], self._read(struct.unpack(">I", head[1:])[0])

    def expect(self, kind: bytes) -> Any:
        found, payload = self.next()
        if found != kind:
            raise _damaged()
        return _from_json(payload)

    def end(self) -> None:
        if self._source.read(1):  # and the last chunk was the one marked last
            raise _damaged()


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


def _quote(table: Table) -> tuple[Callable[[str], str], str]:
    quote = connections[table.database].ops.quote_name
    return quote, quote(table.name)


def _count(table: Table) -> int:
    _, name = _quote(table)
    with connections[table.database].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {name}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _batches(table: Table) -> Iterator[list[Any]]:
    """The rows of `table` as stored, in batches, in the order of their primary key."""
    quote, name = _quote(table)
    connection = connections[table.database]
    # As stored: PostgreSQL's values as their text; SQLite's through a unary plus, which
    # keeps a value as it is but hides the column's type from the converters Django gives
    # the driver (which would read a "datetime" column as a datetime).
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{quote(c)}::text" for c in table.columns)
    else:
        columns = ", ".join(f"+{quote(c)}" for c in table.columns)
    key, at = quote(table.key), table.columns.index(table.key)
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


def _media_files() -> list[str]:
    return [n for n in rotation.media_files() if PurePosixPath(n).parts[0] != STAGING]


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
            names = _media_files()  # after the snapshot: every file its rows name is there
            header = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "version": ventanilla.__version__,
                "databases": {
                    database: {
                        "vendor": connections[database].vendor,
                        "migrations": _applied_migrations(database),
                        "sequences": _sequences(
                            database, [t for t in chosen if t.database == database]
                        ),
                    }
                    for database in _databases(chosen)
                },
                "tables": [
                    {
                        "database": t.database,
                        "table": t.name,
                        "columns": t.columns,
                        "rows": _count(t),
                    }
                    for t in chosen
                ],
                "files": len(names),
                "data_keys": in_use,
            }
            content = _Stream(_contents(header, chosen, names, outcome, report))
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                for piece in FileCipher.encrypt(content):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, path)
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
        assert count == described["rows"], "a snapshot changed under the backup"
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


# Restoring


def restore(*, path: Path, report: Report) -> Outcome:
    """Restore the backup at `path` into this installation, which must hold no data yet."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as raw:
        _check_key(raw.read(len(FILE_MAGIC) + 4))
        raw.seek(0)
        try:
            records = _Records(_Stream(FileCipher.decrypt(raw)))
            header = records.expect(HEADER)
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise BackupError("this backup was made by another version of ventanilla")
            target = {(t.database, t.name): t for t in tables()}
            _check_installation(header, target)
            return _restore(records, header, target, report)
        except crypto.DecryptionError as error:
            raise _damaged() from error
        except DatabaseError as error:
            raise BackupError(f"the backup could not be restored ({error}): nothing was") from error


def _check_key(head: bytes) -> None:
    if not FileCipher.is_encrypted(head) or len(head) < len(FILE_MAGIC) + 4:
        raise BackupError("this is not a ventanilla backup")
    crypto.forget_keyring_file()
    key_id = FileCipher.key_id(head)
    if crypto.keyring().by_id(key_id) is None:
        raise BackupError(
            f"this backup is encrypted with the data key {key_id}, which this installation "
            "does not have: a backup is restored with the data keys of the installation that "
            "made it (its VENTANILLA_DATA_KEY, or the file data_key of its VENTANILLA_HOME)"
        )


def _check_installation(header: dict[str, Any], target: dict[tuple[str, str], Table]) -> None:
    """Refuse, before anything is written, what a restore here could not do whole."""
    for database, described in header["databases"].items():
        vendor = connections[database].vendor if database in settings.DATABASES else None
        if vendor != described["vendor"]:
            raise BackupError(
                f"this backup is of a {described['vendor']} installation; this one uses "
                f"{vendor or 'no such database'}: restore into one on {described['vendor']}"
            )
        _check_migrations(database, described["migrations"])
    lacking = set(header["data_keys"]) - {k.fingerprint for k in crypto.keyring().keys}
    if lacking:
        raise BackupError(
            "the backup holds data under data keys this installation lacks (fingerprints "
            f"{', '.join(sorted(lacking))}): add them to its keys first"
        )
    for described in header["tables"]:
        table = target.get((described["database"], described["table"]))
        if table is None or set(table.columns) != set(described["columns"]):
            raise BackupError(f"the table {described['table']} differs from this version's")
    _check_empty(target)


def _check_migrations(database: str, saved: dict[str, list[str]]) -> None:
    loader = MigrationLoader(connections[database], ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    backed_up = {(app, name) for app, names in saved.items() for name in names}
    if backed_up - applied - set(loader.disk_migrations):
        raise BackupError(
            "this backup was made by a newer version of ventanilla (migrations unknown "
            "here): upgrade ventanilla to that version, run `ventanilla migrate`, then restore"
        )
    if backed_up - applied:
        raise BackupError("this installation's database is behind: run `ventanilla migrate`")
    if applied - backed_up:
        raise BackupError(
            "this backup was made by an earlier version of ventanilla: restore it into an "
            "installation of that version, then upgrade it (`ventanilla migrate`)"
        )


def _check_empty(target: dict[tuple[str, str], Table]) -> None:
    holding = []
    for table in target.values():
        if table.name not in MADE_BY_THE_INSTALLATION:
            _, name = _quote(table)
            with connections[table.database].cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {name} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    holding.append(table.name)
    if _media_files():
        holding.append(f"media files in {settings.MEDIA_ROOT}")
    if holding:
        raise BackupError(
            f"this installation holds data already ({', '.join(sorted(holding))}): a backup "
            "is restored only into a new one (a new VENTANILLA_HOME and, on PostgreSQL, a new "
            "database), made with `ventanilla migrate`"
        )


def _restore(
    records: _Records,
    header: dict[str, Any],
    target: dict[tuple[str, str], Table],
    report: Report,
) -> Outcome:
    media = Path(settings.MEDIA_ROOT)
    staging = media / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # left by a restore that was stopped
    placed: list[Path] = []
    outcome = Outcome(tables=len(header["tables"]))
    try:
        with ExitStack() as transactions:
            for database in header["databases"]:
                transactions.enter_context(transaction.atomic(using=database))
                _defer_constraints(database)
            _check_empty(target)  # again, now that no one else writes (SQLite's lock)
            for table in target.values():
                if table.name in MADE_BY_THE_INSTALLATION:
                    with connections[table.database].cursor() as cursor:
                        cursor.execute(f"DELETE FROM {_quote(table)[1]}")  # noqa: S608
            for described in header["tables"]:
                table = target[(described["database"], described["table"])]
                outcome.rows += _insert(records, table, described)
                report(f"{table.name}: {described['rows']} rows")
            totals = _write_files(records, staging, outcome, report)
            if outcome.files % 100:
                report(f"media files: {outcome.files}")
            records.end()
            if (totals["rows"], totals["files"]) != (outcome.rows, outcome.files):
                raise _damaged()
            for database, described in header["databases"].items():
                _restore_sequences(database, described["sequences"], target)
                connections[database].check_constraints()
            placed = _place(staging, media)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _defer_constraints(database: str) -> None:
    """Foreign keys checked at the commit, so that tables go in in any order (Django makes
    them deferrable on both databases)."""
    connection = connections[database]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")


def _insert(records: _Records, table: Table, described: dict[str, Any]) -> int:
    if records.expect(TABLE) != {"database": table.database, "table": table.name}:
        raise _damaged()
    quote, name = _quote(table)
    columns = described["columns"]
    sql = (
        f"INSERT INTO {name} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    count = 0
    with connections[table.database].cursor() as cursor:
        while True:
            kind, payload = records.next()
            if kind == DONE:
                break
            if kind != ROWS:
                raise _damaged()
            rows = _from_json(payload)
            cursor.executemany(sql, rows)
            count += len(rows)
    if _from_json(payload) != {"rows": count} or count != described["rows"]:
        raise _damaged()
    return count


def _write_files(records: _Records, staging: Path, outcome: Outcome, report: Report) -> Any:
    """Write the backup's media files under `staging`; the totals of its end record."""
    while True:
        kind, payload = records.next()
        if kind == END:
            return _from_json(payload)
        if kind != FILE:
            raise _damaged()
        name = PurePosixPath(_from_json(payload)["name"])
        if name.is_absolute() or ".." in name.parts:
            raise _damaged()
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        size = 0
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while (found := records.next())[0] == DATA:
                out.write(found[1])
                size += len(found[1])
        if found[0] != DONE or _from_json(found[1]) != {"bytes": size}:
            raise _damaged()
        outcome.files += 1
        if outcome.files % 100 == 0:
            report(f"media files: {outcome.files}")


def _restore_sequences(
    database: str, saved: dict[str, int], target: dict[tuple[str, str], Table]
) -> None:
    connection = connections[database]
    chosen = [t for t in target.values() if t.database == database]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in chosen]):
                cursor.execute(sql)
        for table in chosen:
            value = saved.get(table.name, 0)
            if connection.vendor == "postgresql" and value:
                quote, name = _quote(table)
                cursor.execute(f"SELECT COALESCE(MAX({quote(table.key)}), 0) FROM {name}")  # noqa: S608
                if cursor.fetchone()[0] < value:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                        [name, table.key, value],
                    )
            elif value:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.name])
                found = cursor.fetchone()
                if found is None:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table.name, value],
                    )
                elif found[0] < value:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [value, table.name]
                    )


def _place(staging: Path, media: Path) -> list[Path]:
    """Move the restored files from `staging` into the media folder; where they went."""
    placed = []
    for source in sorted(p for p in staging.rglob("*") if p.is_file()):
        destination = media / source.relative_to(staging)
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(source, destination)
        placed.append(destination)
    return placed
