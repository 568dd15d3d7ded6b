"""Sweepers' arithmetic: which of the rows waiting for a task have lost it.

A sweeper finds rows whose task should have run (a message to triage, a reply to send) and
queues their tasks again. Queued twice, a task finds its row done and does nothing, but a
sweeper that queued every waiting row again each minute would, behind a backlog of thousands,
fill the queue with copies faster than the workers empty it. So it queues again only as many
of the oldest as the queue is short of.
"""

from __future__ import annotations

RESUME_AT_MOST = 5000  # rows a sweep looks at: more than the consumer works through in a minute
RESUME_AT_LEAST = 100  # the oldest, queued again even when the queue seems to hold them


def lost_among(waiting: list[int], *, queued: int) -> list[int]:
    """The rows among `waiting` (oldest first) whose tasks the queue lost.

    A queue emptied (a Redis restarted without persistence) holds none of their tasks: all
    are queued again at once. A queue working through a backlog holds about as many tasks
    as there are rows waiting, newest last: only as many of the oldest as it is short of are
    queued again, and never fewer than RESUME_AT_LEAST, so that a queue full of other work
    does not hold back the ones it lost.
    """
    missing = max(len(waiting) - queued, RESUME_AT_LEAST)
    return waiting[:missing]
