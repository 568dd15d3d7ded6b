"""`ventanilla restore FILE`: a backup written into an empty installation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.privacy.backup import BackupError
from ventanilla.privacy.restore import restore


class Command(BaseCommand):
    help = (
        "Restore a backup of `ventanilla backup` into this installation, which must be new: "
        "migrated (`ventanilla migrate`) to the backup's version, holding no data, with the "
        "data keys of the installation the backup was made of."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The backup to restore.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        started = time.monotonic()
        try:
            done = restore(path=path, report=self.stdout.write)
        except (BackupError, ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored from {path}: {done.tables} tables, {done.rows} rows, {done.files} "
            f"media files in {time.monotonic() - started:.1f} s. Staff sign in again: "
            "sessions are not kept in a backup."
        )
