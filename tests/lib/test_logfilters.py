"""A warning repeated under load is said once per interval, with what was held back."""

import logging
import time

from ventanilla.lib.logfilters import AtMostEvery


def test_repeats_are_held_back_then_counted(caplog):
    logger = logging.getLogger("ventanilla.tests.repeated")
    held = AtMostEvery(seconds=0.2)
    logger.addFilter(held)
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            for depth in (3, 9, 4, 7):
                logger.warning("Task queue depth is %d", depth)
            time.sleep(0.25)
            logger.warning("Task queue depth is %d", 2)
    finally:
        logger.removeFilter(held)
    assert [r.getMessage() for r in caplog.records] == [
        "Task queue depth is 3",
        "Task queue depth is 2 (3 more held back over 0.2 s, the highest 9)",
    ]


def test_waitress_queue_warnings_go_through_it():
    assert any(isinstance(f, AtMostEvery) for f in logging.getLogger("waitress.queue").filters)
