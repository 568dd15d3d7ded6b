"""Periodic work of referrals: the follow-up of each referral on its day."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ventanilla.referrals import protection_flow, services


@db_periodic_task(crontab(minute="*/10"))
def follow_up_referrals() -> None:
    services.follow_up_due()


@db_periodic_task(crontab(minute="*/10"))
def file_left_reports() -> None:
    """Reports their people left half-told for a day are filed as they stand."""
    protection_flow.file_left_drafts()
