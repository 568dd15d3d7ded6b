"""Logging filters: a warning that repeats under load is said once a minute, with a count.

waitress warns "Task queue depth is N" for every request that waits for a thread: under a
provider's burst that is a line per delivery (3,425 lines in ten seconds of bench/ingest.py),
which buries everything else in the log and costs the web server time it needs for the
acknowledgements. The first warning still shows at once; the ones after it are counted.
"""

from __future__ import annotations

import logging
import threading
import time


class AtMostEvery(logging.Filter):
    """Lets records through at most once every `seconds`; the next one let through says how
    many were held back and the highest number they carried (waitress's queue depth)."""

    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self._lock = threading.Lock()
        self._next = 0.0
        self._held = 0
        self._highest: int | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        numbers = (
            [a for a in record.args if isinstance(a, int)] if isinstance(record.args, tuple) else []
        )
        with self._lock:
            if now < self._next:
                self._held += 1
                if numbers:
                    self._highest = max(self._highest or numbers[0], *numbers)
                return False
            held, highest = self._held, self._highest
            self._held, self._highest, self._next = 0, None, now + self.seconds
        if held:
            peak = f", the highest {highest}" if highest is not None else ""
            record.msg = f"{record.msg} ({held} more held back over {self.seconds:g} s{peak})"
        return True
