"""`ventanilla applications import DESK FILE.csv`: load application statuses from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.desks.models import Desk
from ventanilla.helpcentre.applications import COLUMNS, import_applications, read_csv
from ventanilla.lib.errors import Invalid

MAX_BYTES = 64 * 1024 * 1024


class Command(BaseCommand):
    help = "Load application statuses from a desk's case-management system."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser(
            "import", help="Add or update applications by reference (all rows, or none)."
        )
        importing.add_argument("desk", help="The desk's slug, such as default.")
        importing.add_argument("file", help=f"A CSV file with the columns {', '.join(COLUMNS)}.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._import(options["desk"], Path(options["file"]))

    def _import(self, slug: str, path: Path) -> None:
        desk = Desk.objects.filter(slug=slug).first()
        if desk is None:
            known = ", ".join(Desk.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"no desk {slug!r} (the desks are: {known or 'none'})")
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // 2**20} MB")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            result = import_applications(desk=desk, rows=read_csv(content), by=None)
        except Invalid as error:
            raise CommandError(f"{path}: {error.detail}; nothing was imported") from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
