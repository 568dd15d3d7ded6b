"""`ventanilla migrate`: Django's, for the main database and then, on SQLite, the intake file
(the intake table has a file of its own, ventanilla.channels.databases). With `--database`,
only the database named."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS

from ventanilla.channels.databases import intake_database


class Command(migrate.Command):
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database=None)  # none named: every database

    def get_check_kwargs(self, options: Any) -> Any:
        kwargs = super().get_check_kwargs(options)
        if options["database"] is None:
            kwargs["databases"] = _databases()
        return kwargs

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database"] is not None:
            super().handle(*args, **options)
            return
        for database in _databases():
            super().handle(*args, **{**options, "database": database})


def _databases() -> list[str]:
    intake = intake_database()
    return [DEFAULT_DB_ALIAS] if intake == DEFAULT_DB_ALIAS else [DEFAULT_DB_ALIAS, intake]
