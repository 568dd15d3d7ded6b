"""The sweepers queue again what the queue lost, not what it still holds."""

import pytest

from ventanilla.lib.queue import RESUME_AT_LEAST, lost_among


@pytest.mark.parametrize(
    ("waiting", "queued", "resumed"),
    [
        (2000, 0, 2000),  # the queue was emptied: every one of them, in one sweep
        (2000, 1900, RESUME_AT_LEAST),  # a backlog being worked through: the oldest only
        (2000, 1500, 500),  # the queue is short of 500: the 500 oldest
        (30, 5000, 30),  # a queue full of other work does not hold them back
        (0, 10, 0),
    ],
)
def test_the_oldest_are_queued_again_as_many_as_the_queue_is_short_of(waiting, queued, resumed):
    rows = list(range(1, waiting + 1))  # oldest first
    assert lost_among(rows, queued=queued) == rows[:resumed]
