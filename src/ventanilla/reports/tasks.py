"""Periodic work of reports: each month's report, once the month has ended."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ventanilla.reports import monthly


# Hourly on the first two days of a month: a desk's month ends at its own midnight, anywhere
# from UTC-12 to UTC+14; reports already kept whole are not written again.
@db_periodic_task(crontab(day="1,2", minute="23"))
def write_monthly_reports() -> None:
    monthly.generate_due()
