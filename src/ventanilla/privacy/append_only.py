"""The audit log refuses DELETE as it refuses UPDATE, except to its own retention.

The database enforces it with a trigger (migrations 0002 and 0005). A deletion passes only
while `deletions_permitted()` is in force on the connection that deletes: on PostgreSQL a
setting of the session, on SQLite a function this module gives each connection. Any other
client of the database (a shell, another program) is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

SETTING = "ventanilla.audit_purge"
FUNCTION = "ventanilla_audit_purge"

_state = threading.local()  # Django gives each thread its own connection


def _permitted() -> int:
    return 1 if getattr(_state, "permitted", False) else 0


def give_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Receiver of `connection_created`: the SQLite function the trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 0, _permitted, deterministic=False)


@contextmanager
def deletions_permitted() -> Iterator[None]:
    """Let this thread's connection delete audit entries, in one transaction."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), sqlite_function_answers_yes():
        if postgresql:
            _set(SETTING, "on")
        yield
        if postgresql:  # the transaction may go on (an outer one); on an error it is undone
            _set(SETTING, "off")


def _set(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])  # to the transaction


@contextmanager
def sqlite_function_answers_yes() -> Iterator[None]:
    """The SQLite half alone, for a test database's flush between tests."""
    _state.permitted = True
    try:
        yield
    finally:
        _state.permitted = False
