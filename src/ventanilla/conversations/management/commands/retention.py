"""`ventanilla retention [--dry-run]`: remove now the content whose retention has run out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.conversations import retention


class Command(BaseCommand):
    help = (
        "Remove what was written, sent and recorded in conversations resolved longer ago than "
        "their desk's or request type's retention (the task consumer does it every hour)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; remove nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        result = retention.apply_retention(dry_run=dry_run)
        if result.nothing:
            self.stdout.write("Nothing has outlived its retention.")
            return
        self.stdout.write("Would remove:" if dry_run else "Removed:")
        for line in retention.describe(result):
            self.stdout.write(f"  {line}")
