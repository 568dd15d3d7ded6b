"""Where the intake table lives: in a database file of its own on SQLite.

SQLite lets one transaction write at a time in a database file. With the intake table in the
main file, every acknowledgement waited for the consumer's transactions (storing messages,
triage) to end: under a burst the web server acknowledged a quarter of what one insert
allows (docs/benchmarks.md). In a file of its own (`ventanilla-intake.sqlite3` beside
`ventanilla.sqlite3`), acknowledgements take turns only with each other and with the
consumer's short lease and delete of intake rows. A delivery is deleted from it only after
what it holds is committed in the main file, and taking in is idempotent on the provider's
ids, so the two files never need one transaction.

PostgreSQL lets writers of different rows work at once: there the table stays in the one
database (the `intake` alias is not defined).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

INTAKE = "intake"


def intake_database() -> str:
    """The alias of the database that holds the intake table."""
    return INTAKE if INTAKE in settings.DATABASES else DEFAULT_DB_ALIAS


def _is_intake(app_label: str, model_name: str | None) -> bool:
    return app_label == "channels" and model_name == "delivery"


class IntakeRouter:
    """The intake table (`channels.Delivery`) in the intake database, all else in default."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _is_intake(model._meta.app_label, model._meta.model_name):
            return intake_database()
        # All else is in the default, also when reached from a delivery (its channel).
        return DEFAULT_DB_ALIAS

    db_for_write = db_for_read

    def allow_relation(self, one: Any, other: Any, **hints: Any) -> bool | None:
        # A delivery names its channel by id across the two files (no constraint, no join).
        if any(_is_intake(o._meta.app_label, o._meta.model_name) for o in (one, other)):
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if INTAKE not in settings.DATABASES:
            return None
        if db == INTAKE:
            return _is_intake(app_label, model_name)
        return False if _is_intake(app_label, model_name) else None
