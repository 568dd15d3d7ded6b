"""`ventanilla migrate` on SQLite migrates the main file and the intake file (the intake table
has a file of its own); `--database` migrates only the one named."""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from running import command, fresh_environment

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="SQLite only: PostgreSQL has one database"
)


def tables(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


@pytest.fixture
def env(tmp_path):
    yield from fresh_environment(tmp_path / "home")


def test_migrate_makes_both_files_and_the_intake_table_only_in_its_own(env):
    done = command(env, "migrate")
    assert done.returncode == 0, done.stderr
    home = Path(env["VENTANILLA_HOME"])
    main, intake = (
        tables(home / "ventanilla.sqlite3"),
        tables(home / "ventanilla-intake.sqlite3"),
    )
    assert "channels_channel" in main and "channels_delivery" not in main
    assert "channels_delivery" in intake and "channels_channel" not in intake
    again = command(env, "migrate")
    assert again.returncode == 0 and "No migrations to apply" in again.stdout


def test_migrate_with_a_database_named_migrates_that_one_only(env):
    done = command(env, "migrate", "--database", "default")
    assert done.returncode == 0, done.stderr
    home = Path(env["VENTANILLA_HOME"])
    assert "channels_channel" in tables(home / "ventanilla.sqlite3")
    assert "channels_delivery" not in tables(home / "ventanilla-intake.sqlite3")
    # `ventanilla run --no-migrate` counts the intake file's migrations as pending too.
    refused = command(env, "run", "--no-migrate", "--addr", "127.0.0.1:1")
    assert refused.returncode != 0 and "needs migrating" in refused.stderr
