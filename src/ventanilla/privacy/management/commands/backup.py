"""`ventanilla backup FILE`: the database and the media folder in one encrypted file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.privacy import crypto
from ventanilla.privacy.backup import BackupError, back_up
from ventanilla.server.migrations import pending_migrations


class Command(BaseCommand):
    help = (
        "Write every table and every media file to FILE, encrypted with the data key: "
        "consistent while ventanilla runs. Restored with `ventanilla restore FILE`, which "
        "needs the same data keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the backup (a new file).")
        parser.add_argument("--force", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if pending_migrations():
            raise CommandError("the database needs migrating: run `ventanilla migrate` first")
        path = Path(options["file"])
        started = time.monotonic()
        try:
            done = back_up(path=path, force=options["force"], report=self.stdout.write)
        except (BackupError, ImproperlyConfigured, crypto.DecryptionError, OSError) as error:
            raise CommandError(str(error)) from None
        if done.missing:
            shown = ", ".join(done.missing[:10]) + (" ..." if len(done.missing) > 10 else "")
            self.stderr.write(
                f"{len(done.missing)} media file(s) named by rows were not in the media "
                f"folder, and are not in the backup: {shown}"
            )
        self.stdout.write(
            f"Backup written to {path}: {done.tables} tables, {done.rows} rows, {done.files} "
            f"media files, {done.size / 1_000_000:.1f} MB in {time.monotonic() - started:.1f} s. "
            "Keep the data keys apart from it: without them it reads as nothing."
        )
