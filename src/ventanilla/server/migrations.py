"""Whether the database needs migrating, and a lock so that a cluster migrates once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

LOCK_ID = 8_267_332_001  # any constant: the PostgreSQL advisory lock taken while migrating


def pending_migrations() -> int:
    """Migrations not yet applied, in every database (SQLite's intake file too)."""
    count = 0
    for alias in connections:
        executor = MigrationExecutor(connections[alias])
        count += len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return count


@contextmanager
def migration_lock() -> Iterator[None]:
    """On PostgreSQL, one process at a time; SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
