"""Sending outbound messages: claim, hand to the channel's adapter, record the outcome.

The database is the source of truth and the queue only a trigger: `deliver` works from
the message row and does nothing for a message that is not due, and `sweep` finds every
message a lost task left behind.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import Outbound, SendError
from ventanilla.conversations.models import Direction, Message, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SWEEP_GRACE = timedelta(seconds=30)  # leave a just-queued message to its own task
SENDING_LEASE = timedelta(minutes=5)  # a send still unfinished after this was abandoned


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 30 s, 2 min, 8 min, 32 min, ..."""
    return timedelta(seconds=30 * 4 ** (attempts - 1))


def deliver(*, message_id: int) -> MessageStatus | None:
    """Try to send one queued message now; return its new status, None if it was not due."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, direction=Direction.OUT, status=MessageStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=MessageStatus.SENDING, sending_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    message = Message.objects.select_related("channel", "conversation__identity").get(pk=message_id)
    identity = message.conversation.identity
    outbound = Outbound(
        message_id=message.pk, scheme=identity.scheme, to=identity.address, text=message.text
    )
    try:
        result = adapter_for(message.channel.type).send(message.channel.config, outbound)
    except SendError as error:
        return _record_failure(message, error)
    except Exception:
        logger.exception("sending message %s failed unexpectedly", message.pk)
        return _record_failure(message, SendError("internal", "unexpected error", permanent=False))
    return _record_sent(message, result.provider_id)


@transaction.atomic
def _record_sent(message: Message, provider_id: str) -> MessageStatus:
    # A provider may report delivery before the send call returns; only move forward.
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    Message.objects.filter(pk=message.pk).update(provider_id=provider_id)
    return MessageStatus(Message.objects.values_list("status", flat=True).get(pk=message.pk))


@transaction.atomic
def _record_failure(message: Message, error: SendError) -> MessageStatus:
    now = timezone.now()
    attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
    fields: dict[str, Any] = {"error_code": error.code[:64], "error_title": error.title[:255]}
    if error.permanent or attempts >= MAX_ATTEMPTS:
        status = MessageStatus.FAILED
        fields.update(failed_at=now, next_attempt_at=None)
    else:
        status = MessageStatus.QUEUED
        fields.update(next_attempt_at=now + retry_delay(attempts))
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, **fields
    )
    logger.warning(
        "message %s: send attempt %s failed (%s), now %s", message.pk, attempts, error.code, status
    )
    if status == MessageStatus.QUEUED:
        delay = fields["next_attempt_at"] - now
        transaction.on_commit(lambda: _enqueue(message.pk, delay=delay))
    return status


def _enqueue(message_id: int, *, delay: timedelta | None = None) -> None:
    from ventanilla.conversations.tasks import deliver_message  # tasks import this module

    if delay:
        deliver_message.schedule((message_id,), delay=delay.total_seconds())
    else:
        deliver_message(message_id)


def sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue every outbound message a lost task left behind; return how many.

    Queued messages that are due (and not just queued), and messages stuck in `sending`
    longer than the lease (their worker died mid-send), go back on the queue.
    """
    now = now or timezone.now()
    abandoned = Message.objects.filter(
        direction=Direction.OUT, status=MessageStatus.SENDING, sending_at__lt=now - SENDING_LEASE
    ).update(status=MessageStatus.QUEUED, next_attempt_at=None)
    if abandoned:
        logger.warning("%s message(s) were abandoned while sending; queued again", abandoned)
    due = list(
        Message.objects.filter(direction=Direction.OUT, status=MessageStatus.QUEUED)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
        )
        .values_list("pk", flat=True)
    )
    for message_id in due:
        _enqueue(message_id)
    return len(due)
