"""Reconciliation: SMS that never reached the webhook are imported from Twilio's own list."""

from __future__ import annotations

import json
import logging
import traceback
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import Inbound, SendError
from ventanilla.channels.adapters.twilio_sms import TwilioSmsAdapter
from ventanilla.channels.models import Channel, ChannelType, Reconciliation
from ventanilla.channels.services import keep_unread
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message
from ventanilla.lib.errors import ServiceError

logger = logging.getLogger(__name__)

# However long an outage, a pass looks no further back than this.
MAX_LOOKBACK = timedelta(days=30)


def reconcile_sms(*, now: datetime | None = None) -> int:
    """Compare the messages each active Twilio SMS channel received with those stored, and
    import the missing ones through the webhook's own way in; returns how many were imported.

    A pass looks back `SMS_RECONCILE_HOURS`, or further, to where the channel's last
    complete pass ended, after an outage (30 days at most). A channel whose list cannot
    be read keeps its place for the next pass; the others go on.
    """
    now = now or timezone.now()
    channels = Channel.objects.filter(type=ChannelType.TWILIO_SMS, is_active=True)
    return sum(_reconcile(channel, now) for channel in channels.select_related("desk"))


def _reconcile(channel: Channel, now: datetime) -> int:
    adapter = adapter_for(channel.type)
    assert isinstance(adapter, TwilioSmsAdapter)
    record = Reconciliation.objects.get_or_create(channel=channel)[0]
    recent = now - timedelta(hours=settings.SMS_RECONCILE_HOURS)
    since = max(min(recent, record.checked_until or recent), now - MAX_LOOKBACK)
    counts = Counter[str]()

    def stored(sids: list[str]) -> Collection[str]:
        found = Message.objects.filter(channel=channel, provider_id__in=sids)
        return {str(provider_id) for provider_id in found.values_list("provider_id", flat=True)}

    try:
        # The whole list first, then oldest first: a conversation shows its messages in the
        # order they were stored. A list that breaks off imports nothing; the next pass will.
        missing = list(adapter.inbound_since(channel.config, since=since, stored=stored))
        for inbound in sorted(missing, key=lambda listed: listed.sent_at or now):
            _import(channel, record, inbound, counts)
    except SendError as error:
        logger.warning(
            "channel %s: the list of received SMS could not be read (%s)", channel.pk, error.code
        )
        _record(record, now=now, imported=counts["imported"], failure=error.code)
        return counts["imported"]
    except Exception as error:  # one channel's surprise must not stop the others
        where = traceback.extract_tb(error.__traceback__)[-1]
        logger.error(  # the place, never the text: it could quote what was received
            "channel %s: reconciliation failed (%s at %s:%s)",
            channel.pk,
            type(error).__name__,
            where.filename,
            where.lineno,
        )
        _record(record, now=now, imported=counts["imported"], failure=type(error).__name__)
        return counts["imported"]
    _record(record, now=now, imported=counts["imported"], checked_until=now)
    if counts:
        logger.info(
            "channel %s: %s SMS imported that never reached the webhook, %s refused",
            channel.pk,
            counts["imported"],
            counts["refused"],
        )
    return counts["imported"]


def _import(
    channel: Channel, record: Reconciliation, inbound: Inbound, counts: Counter[str]
) -> None:
    """Store one listed message through the webhook's way in; one the services refuse is
    kept unread, once: when first listed (an earlier pass listed what was sent before)."""
    try:
        if receive(channel=channel, inbound=inbound).created:
            counts["imported"] += 1
    except ServiceError as error:
        counts["refused"] += 1
        before = record.checked_until
        if before is None or (inbound.sent_at is not None and inbound.sent_at >= before):
            body = json.dumps(dict(inbound.raw)).encode()
            reason = f"Inbound {inbound.provider_id}: {error.detail}"
            keep_unread(channel=channel, body=body, reasons=[reason])


def _record(
    record: Reconciliation,
    *,
    now: datetime,
    imported: int,
    failure: str = "",
    checked_until: datetime | None = None,
) -> None:
    record.tried_at = now
    record.failure = failure[:64]
    record.imported += imported
    fields = ["tried_at", "failure", "imported"]
    if checked_until is not None:
        record.checked_until = checked_until
        fields.append("checked_until")
    record.save(update_fields=fields)
