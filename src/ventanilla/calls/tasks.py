"""The phone line's periodic work."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ventanilla.calls.records import sweep_lost
from ventanilla.calls.services import remove_expired_recordings


@db_periodic_task(crontab(minute="17"))
def expire_recordings() -> None:
    remove_expired_recordings()


@db_periodic_task(crontab(minute="*/10"))
def sweep_lost_calls() -> None:
    sweep_lost()
