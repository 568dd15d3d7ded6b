"""`ventanilla kb import FILE.json` and `ventanilla kb export [--output FILE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import export_articles, import_articles
from ventanilla.lib.errors import Invalid


class Command(BaseCommand):
    help = "Import or export the consular guide (DESIGN.md's JSON format)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="Import articles, by key (idempotent).")
        importing.add_argument("file", help="A JSON file: a list of articles.")
        exporting = actions.add_parser("export", help="Print every article as JSON.")
        exporting.add_argument("--output", "-o", help="Write to this file instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(Path(options["file"]))
        else:
            self._export(options.get("output"))

    def _import(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path} is not JSON: {error}") from None
        try:
            report = import_articles(entries=entries_from(data), by=None)
        except Invalid as error:
            raise CommandError(f"{path}: {error.detail}; nothing was imported") from None
        self.stdout.write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )

    def _export(self, output: str | None) -> None:
        text = json.dumps(export_articles(), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
