"""One process of `ventanilla run`: the web server, the consumer, or both, stopped together.

The main thread serves HTTP (waitress) or, without the web part, waits; the consumer's
workers, its scheduler and the intake loop (which reads the deliveries the webhooks kept)
are threads. SIGINT and SIGTERM both stop gracefully: requests in flight finish, tasks in
flight finish (up to a timeout), then the process exits 0. `ventanilla run` runs the web
server, the intake loop and the task workers each in a process of its own
(`supervisor.py`), so that neither a busy pipeline delays the acknowledgement of a webhook
nor the bot's work delays the storing of what people wrote.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from ventanilla.conversations.inbound import take_in_waiting
from ventanilla.conversations.tasks import sweep_now
from ventanilla.triage.tasks import resume_triage

logger = logging.getLogger(__name__)

HEALTH_CHECK_SECONDS = 10
SHUTDOWN_TIMEOUT_SECONDS = 30


INTAKE_NAP_SECONDS = (0.05, 0.25)  # the intake loop's pause when nothing waits: first, longest


class IntakeLoop(threading.Thread):
    """Takes in the deliveries waiting in the intake table: batch after batch while some
    wait, then a pause that grows from 50 to 250 ms while none do."""

    def __init__(self) -> None:
        super().__init__(name="intake", daemon=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        nap = INTAKE_NAP_SECONDS[0]
        while not self.stopping.is_set():
            try:
                taken = take_in_waiting()
            except Exception:  # the database away, say: the rows wait, the loop goes on
                logger.exception("intake: a batch failed; trying again")
                connection.close()
                taken = 0
                nap = INTAKE_NAP_SECONDS[1]
            close_old_connections()
            if taken:
                nap = INTAKE_NAP_SECONDS[0]
                continue
            self.stopping.wait(nap)
            nap = min(nap * 2, INTAKE_NAP_SECONDS[1])
        connection.close()

    def stop(self, graceful: bool = True) -> None:
        """Finish the batch in hand, then end (as the consumer's `stop` is called)."""
        self.stopping.set()
        self.join(timeout=SHUTDOWN_TIMEOUT_SECONDS)


class _Consumer(Consumer):
    intake: IntakeLoop | None = None
    with_intake: bool = True

    def _set_signal_handlers(self) -> None:
        """`run` handles the signals for the web server and the consumer together."""

    def start(self) -> None:
        super().start()
        if self.with_intake:
            self.intake = IntakeLoop()
            self.intake.start()

    def stop(self, graceful: bool = False) -> None:
        if self.intake is not None:
            self.intake.stop()
        super().stop(graceful=graceful)


def start_intake() -> IntakeLoop:
    """The intake loop without task workers: what the supervisor's intake process runs."""
    loop = IntakeLoop()
    loop.start()
    return loop


def start_consumer(workers: int, *, intake: bool = True) -> Consumer:
    """Huey's workers and scheduler, and the intake loop unless another process runs it."""
    autodiscover_modules("tasks")
    consumer = _Consumer(
        HUEY,
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        # An idle worker looks at an SQLite queue at most a second apart (Huey's default
        # backs off to 10 s): the bot's answer to the first message after a quiet hour
        # should not wait for it. Redis's queue wakes its workers at once anyway.
        max_delay=1.0,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
    )
    consumer.with_intake = intake
    consumer.start()
    sweep_now()  # after a crash, take up what was left at once, not at the next minute
    resume_triage()
    watcher = threading.Thread(target=_watch, args=(consumer,), name="consumer-watch", daemon=True)
    watcher.start()
    return consumer


def _watch(consumer: Consumer) -> None:
    """Replace any worker thread that died, as huey's own consumer loop would."""
    while not consumer.stop_flag.is_set():
        time.sleep(HEALTH_CHECK_SECONDS)
        if not consumer.stop_flag.is_set():
            consumer.check_worker_health()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # A second signal during the graceful stop cuts it short.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    raise KeyboardInterrupt


def serve_until_stopped(server: Any | None, consumer: Consumer | IntakeLoop | None) -> None:
    """Serve (or wait) until SIGINT or SIGTERM, then stop the server and the consumer."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if server is not None:
            server.run()  # returns after closing itself on KeyboardInterrupt
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        if consumer is not None:
            consumer.stop(graceful=True)
            if isinstance(consumer, Consumer):
                HUEY.notify_interrupted_tasks()
        connection.close()


def proxy_options() -> dict[str, Any]:
    """waitress's settings for a reverse proxy in front (VENTANILLA_BEHIND_PROXY).

    Only the proxy at VENTANILLA_TRUSTED_PROXY is believed, and only as many hops from the
    right of X-Forwarded-For as there are proxies: the client's own entries are ignored.
    Without a proxy, X-Forwarded-* headers are dropped, so nobody can pose as another address.
    """
    if not settings.BEHIND_PROXY:
        return {"clear_untrusted_proxy_headers": True}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
        "trusted_proxy_headers": {
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-forwarded-port",
        },
        "clear_untrusted_proxy_headers": True,
    }
