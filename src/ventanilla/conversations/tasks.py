"""Queue entry points: each task loads rows and calls a service; the rows say what is left to do."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from ventanilla.conversations import delivery, inbound, media, reconcile, retention

logger = logging.getLogger(__name__)


@db_task()
def deliver_message(message_id: int) -> None:
    delivery.deliver(message_id=message_id)


@db_task()
def fetch_attachment(attachment_id: int) -> None:
    media.fetch(attachment_id=attachment_id)


@db_task()
def sweep_now() -> None:
    delivery.sweep(queued=HUEY.pending_count())


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    delivery.sweep(queued=HUEY.pending_count())
    while inbound.take_in_waiting():  # deliveries no intake loop took (or left half-read)
        pass


@db_periodic_task(crontab(minute="*/10"))
def reconcile_sms_messages() -> None:
    """Every ten minutes: SMS that never reached the webhook are imported from Twilio's list."""
    reconcile.reconcile_sms()


@db_periodic_task(crontab(minute="17"))
def apply_retention() -> None:
    """Every hour: content whose retention has run out is removed (see retention.py)."""
    retention.apply_retention()
