"""Queue entry points of triage: a stored message's triage, and the sweeper that resumes any
triage a lost task or a killed consumer left unfinished."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from ventanilla.triage import pipeline

logger = logging.getLogger(__name__)


def on_message_received(sender: Any, message_id: int, **kwargs: Any) -> None:
    triage_message(message_id)


@db_task()
def triage_message(message_id: int) -> None:
    try:
        pipeline.triage(message_id)
    except Exception:
        # The transaction rolled back: nothing of it happened. Counted, then tried again by
        # the sweeper; the type only in the log (an error's text may quote the message).
        logger.exception("triage: message %s failed", message_id)
        pipeline.failed(message_id)


RESUME_AT_MOST = 5000  # a sweep's look: more than the consumer triages in a minute
RESUME_AT_LEAST = 100  # the oldest, queued again even when the queue seems to hold them


@db_periodic_task(crontab(minute="*"))
def resume_triage() -> None:
    """Every minute: messages whose triage never finished are triaged now."""
    found = pipeline.untriaged(limit=RESUME_AT_MOST)
    lost = lost_among(found, queued=HUEY.pending_count())
    if lost:
        logger.warning("triage: resuming %s message(s) left untriaged", len(lost))
    for message_id in lost:
        triage_message(message_id)


def lost_among(untriaged: list[int], *, queued: int) -> list[int]:
    """The messages among `untriaged` (oldest first) whose tasks the queue lost.

    A queue emptied (a Redis restarted without persistence) holds none of their tasks: all
    are queued again at once, not a few hundred a minute. A queue working through a backlog
    holds as many tasks as there are messages waiting, newest last: only as many of the
    oldest as it is short of are queued again, and never fewer than RESUME_AT_LEAST (a task
    queued twice finds its message triaged and does nothing), so that a queue full of other
    work does not hold back the ones it lost.
    """
    missing = max(len(untriaged) - queued, RESUME_AT_LEAST)
    return untriaged[:missing]
