"""Django's SQLite backend, with every writer (thread or process) taking turns on a lock.

SQLite lets one transaction write at a time. When several writers want to write at once (the
web server's threads, the intake loop and the consumer's, in three processes), SQLite makes
the losers sleep and retry, up to 100 ms a nap, even when the lock is freed at once: that is where
the slow tail of webhook acknowledgements came from (docs/benchmarks.md). Here they wait on
a lock instead, and the next one starts the moment the last one commits: a thread lock
within a process, then an advisory lock (flock) on a file beside the database between
processes, which the kernel hands on at once and frees if its holder is killed. Each
database file has its own locks (the intake table has a file of its own).
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from django.db.backends.sqlite3 import base

_WRITERS: dict[str, threading.Lock] = {}  # each database's writer within this process
_FILES: dict[str, int] = {}  # the lock file of each database, opened once per process
_OPENING = threading.Lock()
# The private hooks overridden below are not in Django's type stubs.
_SqliteWrapper: Any = base.DatabaseWrapper


class DatabaseWrapper(_SqliteWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():  # test databases: one connection shared by threads
            super()._start_transaction_under_autocommit()
            return
        writer, lock_file = self._locks()
        writer.acquire()
        self._holds_writer = True
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _locks(self) -> tuple[threading.Lock, int]:
        name = str(self.settings_dict["NAME"])
        with _OPENING:
            if name not in _FILES:
                _FILES[name] = os.open(f"{name}.writer", os.O_RDWR | os.O_CREAT, 0o600)
                _WRITERS[name] = threading.Lock()
        return _WRITERS[name], _FILES[name]

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            writer, lock_file = self._locks()
            try:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
            finally:
                writer.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_writer()
