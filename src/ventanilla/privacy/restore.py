"""Restoring a backup (privacy.backup) into an empty installation: all or nothing, with
every id kept.

The checks come before anything is written: the data key the backup is encrypted with, the
database kind, the migrations (the installation must be at the backup's), the columns, and
that the installation holds no data. Then one transaction per database, foreign keys checked
at its end, the rows written as stored, the media files into a staging folder moved into
place once everything else is in, and the sequences set at least where they stood.
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from ventanilla.privacy import crypto
from ventanilla.privacy.backup import (
    DATA,
    DONE,
    END,
    FILE,
    FORMAT,
    HEADER,
    MADE_BY_THE_INSTALLATION,
    STAGING,
    TABLE,
    BackupError,
    Outcome,
    Records,
    Report,
    Stream,
    Table,
    damaged,
    from_json,
    media_files,
    quote_for,
    tables,
)
from ventanilla.privacy.crypto import FILE_MAGIC, FileCipher


def restore(*, path: Path, report: Report) -> Outcome:
    """Restore the backup at `path` into this installation, which must hold no data yet."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as raw:
        _check_key(raw.read(len(FILE_MAGIC) + 4))
        raw.seek(0)
        try:
            records = Records(Stream(FileCipher.decrypt(raw)))
            header = records.expect(HEADER)
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise BackupError("this backup was made by another version of ventanilla")
            target = {(t.database, t.name): t for t in tables()}
            _check_installation(header, target)
            return _restore(records, header, target, report)
        except crypto.DecryptionError as error:
            raise damaged() from error
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
            _, name = quote_for(table)
            with connections[table.database].cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {name} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    holding.append(table.name)
    if media_files():
        holding.append(f"media files in {settings.MEDIA_ROOT}")
    if holding:
        named = ", ".join(sorted(holding)[:5]) + (" ..." if len(holding) > 5 else "")
        raise BackupError(
            f"this installation holds data already ({named}): a backup "
            "is restored only into a new one (a new VENTANILLA_HOME and, on PostgreSQL, a new "
            "database), made with `ventanilla migrate`"
        )


def _restore(
    records: Records,
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
                        cursor.execute(f"DELETE FROM {quote_for(table)[1]}")  # noqa: S608
            for described in header["tables"]:
                table = target[(described["database"], described["table"])]
                outcome.rows += _insert(records, table, described)
                report(f"{table.name}: {described['rows']} rows")
            totals = _write_files(records, staging, outcome, report)
            if outcome.files % 100:
                report(f"media files: {outcome.files}")
            records.end()
            if (totals["rows"], totals["files"]) != (outcome.rows, outcome.files):
                raise damaged()
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


def _insert(records: Records, table: Table, described: dict[str, Any]) -> int:
    if records.expect(TABLE) != {"database": table.database, "table": table.name}:
        raise damaged()
    connection = connections[table.database]
    quote, name = quote_for(table)
    columns = ", ".join(quote(c) for c in described["columns"])
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY reads each text into its column's type
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for rows in records.rows():
                    for row in rows:
                        copy.write_row(row)
                    count += len(rows)
        else:
            values = ", ".join(["%s"] * len(described["columns"]))
            insert = f"INSERT INTO {name} ({columns}) VALUES ({values})"  # noqa: S608
            for rows in records.rows():
                cursor.executemany(insert, rows)
                count += len(rows)
    if count != described["rows"]:
        raise damaged()
    return count


def _write_files(records: Records, staging: Path, outcome: Outcome, report: Report) -> Any:
    """Write the backup's media files under `staging`; the totals of its end record."""
    while True:
        kind, payload = records.next()
        if kind == END:
            return from_json(payload)
        if kind != FILE:
            raise damaged()
        name = PurePosixPath(from_json(payload)["name"])
        if name.is_absolute() or ".." in name.parts:
            raise damaged()
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        size = 0
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while (found := records.next())[0] == DATA:
                out.write(found[1])
                size += len(found[1])
        if found[0] != DONE or from_json(found[1]) != {"bytes": size}:
            raise damaged()
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
                quote, name = quote_for(table)
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
