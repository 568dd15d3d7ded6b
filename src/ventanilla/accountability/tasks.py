"""Queue entry points of the surveys: every minute, the people whose conversations were
resolved are asked, and surveys no one finished in time expire."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ventanilla.accountability import surveys


@db_periodic_task(crontab(minute="*"))
def ask_for_surveys() -> None:
    surveys.expire()
    surveys.offer_due()
