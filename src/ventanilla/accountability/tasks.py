"""Queue entry points of the surveys (every minute, the people whose conversations were
resolved are asked, and surveys no one finished in time expire) and of quality reviews."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ventanilla.accountability import reviews, surveys


@db_periodic_task(crontab(minute="23"))
def draw_reviews() -> None:
    """Every hour: last week's and this week's conversations to review (drawing again adds
    nothing)."""
    reviews.draw_due()


@db_periodic_task(crontab(minute="*"))
def ask_for_surveys() -> None:
    surveys.expire()
    surveys.offer_due()
