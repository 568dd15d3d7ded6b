"""Django's SQLite backend, with this process's writers taking turns on a lock.

SQLite lets one transaction write at a time. When several threads of `ventanilla run`
(the web server's and the task consumer's) want to write at once, SQLite makes the losers
sleep and retry, up to 100 ms a nap, even when the lock is freed at once: that is where
the slow tail of webhook acknowledgements came from (docs/benchmarks.md). Here they wait
on a lock in Python instead, and the next one starts the moment the last one commits.
Other processes on the same file still meet SQLite's own waiting, as before.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

_WRITER = threading.Lock()
# The private hooks overridden below are not in Django's type stubs.
_SqliteWrapper: Any = base.DatabaseWrapper


class DatabaseWrapper(_SqliteWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():  # test databases: one connection shared by threads
            super()._start_transaction_under_autocommit()
            return
        _WRITER.acquire()
        self._holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _WRITER.release()

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
