"""The way out: claim a queued message, hand it to the channel's adapter, record what happens.

The database is the source of truth and the queue only a trigger: `deliver` works from
the message row and does nothing for a message that is not due, and `sweep` finds every
message a lost task left behind. Providers' status reports move a message forward only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import (
    UNCONFIRMED,
    UNREACHABLE,
    Choice,
    Menu,
    Outbound,
    OutboundFile,
    SendError,
    StatusUpdate,
    Template,
    tracked_message,
)
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Channel, Delivery
from ventanilla.conversations.media import MAX_FETCH_ATTEMPTS
from ventanilla.conversations.models import (
    Attachment,
    Direction,
    Message,
    MessageStatus,
    PendingStatus,
)
from ventanilla.lib.links import public_url
from ventanilla.lib.queue import RESUME_AT_MOST, lost_among

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SWEEP_GRACE = timedelta(seconds=30)  # leave a just-queued message to its own task
PENDING_STATUS_DAYS = 7
FILE_LINK_SALT = "ventanilla.attachment-link"
RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}
WHEN = {
    MessageStatus.SENT: "sent_at",
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.READ: "read_at",
    MessageStatus.FAILED: "failed_at",
}


def sending_lease() -> timedelta:
    """How long a send may stay unfinished before it counts as abandoned (its worker died).

    A provider's first status report, carrying ventanilla's tracker, normally arrives
    within seconds of the send, so a send that did reach the provider is recorded as sent
    long before the lease ends and is not sent again.
    """
    return timedelta(seconds=settings.SENDING_LEASE_SECONDS)


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
    try:
        outbound = _outbound(message)
        result = adapter_for(message.channel.type).send(message.channel.config, outbound)
    except SendError as error:
        return _record_failure(message, error)
    except Exception:
        logger.exception("sending message %s failed unexpectedly", message.pk)
        return _record_failure(message, SendError("internal", "unexpected error", permanent=False))
    return _record_sent(message, result.provider_id)


def _outbound(message: Message) -> Outbound:
    identity = message.conversation.identity
    details = message.details or {}
    template = menu = None
    if "template" in details:
        spec = details["template"]
        template = Template(spec["name"], spec["language"], tuple(spec["parameters"]))
    if "menu" in details:
        spec = details["menu"]
        choices = tuple(Choice(**choice) for choice in spec["choices"])
        menu = Menu(choices=choices, button=spec["button"], section=spec["section"])
    files = tuple(
        OutboundFile(
            content=attachment.file.read(),
            mime_type=attachment.mime_type,
            filename=attachment.filename,
            url=file_link(attachment),
        )
        for attachment in message.attachments.all()
        if attachment.file
    )
    status_path = f"{message.channel.webhook_path}status/?m={message.pk}"
    return Outbound(
        message_id=message.pk,
        scheme=identity.scheme,
        to=identity.address,
        text=message.text,
        template=template,
        menu=menu,
        files=files,
        status_url=public_url(status_path) if settings.PUBLIC_URL else "",
    )


def file_link(attachment: Attachment) -> str:
    """A signed link to one file, for a provider that fetches media by URL (Twilio MMS)."""
    if not settings.PUBLIC_URL:
        return ""
    token = signing.dumps(attachment.pk, salt=FILE_LINK_SALT)
    return public_url(reverse("conversations:file-link", args=[token]))


@transaction.atomic
def _record_sent(message: Message, provider_id: str) -> MessageStatus:
    # A provider may report the message before the send call returns: only move forward.
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    Message.objects.filter(pk=message.pk).update(provider_id=provider_id)
    waiting = PendingStatus.objects.filter(channel=message.channel, provider_id=provider_id)
    for pending in waiting.order_by("id"):
        _advance(message.pk, pending.status, pending.at, pending.error_code, pending.error_title)
    waiting.delete()
    return MessageStatus(Message.objects.values_list("status", flat=True).get(pk=message.pk))


@transaction.atomic
def _record_failure(message: Message, error: SendError) -> MessageStatus:
    if error.code == UNCONFIRMED:
        return _await_confirmation(message, error)
    now = timezone.now()
    attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
    title = error.title
    if error.code == UNREACHABLE:  # the transport's words name a host: for the log only
        logger.warning("message %s: %s", message.pk, error.title)
        title = "the provider's server could not be reached"
    fields: dict[str, Any] = {"error_code": error.code[:64], "error_title": title[:255]}
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


def _await_confirmation(message: Message, error: SendError) -> MessageStatus:
    """The provider did not answer the send: it may have taken the message. It stays
    `sending`, so it is not sent again at once; the provider's first status report (which
    carries our tracker) marks it sent, and only when none comes within the sending lease
    does the sweeper queue it again (the one case left where a person can get it twice)."""
    logger.warning("message %s: the provider did not confirm the send; waiting", message.pk)
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        error_code=UNCONFIRMED, error_title="the provider did not answer in time"
    )
    return MessageStatus.SENDING


@transaction.atomic
def record_status(*, channel: Channel, update: StatusUpdate) -> Message | None:
    """Apply a provider's status report to the message it names, in whatever order it comes.

    The message is found by ventanilla's tracker when the provider echoes it, else by the
    provider's id; a report for an id not known yet waits in PendingStatus.
    """
    outbound = Message.objects.select_for_update().filter(channel=channel, direction=Direction.OUT)
    tracked = tracked_message(update.tracker)
    message = outbound.filter(pk=tracked).first() if tracked else None
    if message is None and update.provider_id:
        message = outbound.filter(provider_id=update.provider_id).first()
    if message is None:
        PendingStatus.objects.create(
            channel=channel,
            provider_id=update.provider_id[:128],
            status=update.status,
            at=update.at,
            error_code=update.error_code[:64],
            error_title=update.error_title[:255],
        )
        return None
    if message.provider_id is None and update.provider_id:
        Message.objects.filter(pk=message.pk).update(provider_id=update.provider_id[:128])
    _advance(message.pk, update.status, update.at, update.error_code, update.error_title)
    return message


def _advance(message_id: int, status: str, at: datetime | None, code: str, title: str) -> None:
    """Move a message's status forward; delivered and read are facts a later failure undoes not."""
    message = Message.objects.select_for_update().get(pk=message_id)
    current = MessageStatus(message.status)
    new = MessageStatus(status)
    if current == MessageStatus.FAILED:
        return
    fields: dict[str, Any] = {}
    if new == MessageStatus.FAILED:
        if RANK[current] >= RANK[MessageStatus.DELIVERED]:
            return
        fields.update(
            status=new, error_code=code[:64], error_title=title[:255], next_attempt_at=None
        )
    elif RANK[new] > RANK[current]:
        fields["status"] = new
    when = WHEN[new]
    if getattr(message, when) is None:
        fields[when] = at or timezone.now()
    if fields:
        Message.objects.filter(pk=message_id).update(**fields)


def _enqueue(message_id: int, *, delay: timedelta | None = None) -> None:
    from ventanilla.conversations.tasks import deliver_message  # tasks import this module

    if delay:
        deliver_message.schedule((message_id,), delay=delay.total_seconds())
    else:
        deliver_message(message_id)


def _abandoned(stuck: Iterable[tuple[int, UUID, datetime | None]], lease: timedelta) -> list[int]:
    """Of the sends unfinished past their lease, those whose status report could not be
    waiting still: a report naming a send arrives after it, so as long as the intake holds
    unread deliveries of the channel received within the lease after the send, the report
    may be among them. After an outage Meta posts hours of backlog at once, and the reports
    wait behind it; without this, a send whose worker died before recording it would be sent
    again while the report that says it went out was still in the queue."""
    stuck = list(stuck)
    if not stuck:
        return []
    backlog = dict(
        Delivery.objects.using(intake_database())
        .values("channel_id")
        .annotate(oldest=Min("received_at"))
        .values_list("channel_id", "oldest")
    )
    return [
        pk
        for pk, channel_id, sending_at in stuck
        if sending_at is not None
        and (backlog.get(channel_id) is None or backlog[channel_id] > sending_at + lease)
    ]


def sweep(*, now: datetime | None = None, queued: int = 0) -> int:
    """Put back on the queue every outbound message and attachment a lost task left behind.

    Queued messages that are due (and not just queued), messages stuck in `sending`
    longer than the lease, and attachments not yet fetched go back on the queue; status
    reports that never found their message are forgotten after a week. `queued`: how many
    tasks the queue holds, so that replies whose tasks still wait in it are not queued twice
    (ventanilla.lib.queue; those abandoned while sending always are). Returns how many
    messages were queued again.
    """
    from ventanilla.conversations.tasks import fetch_attachment

    now = now or timezone.now()
    lease = sending_lease()
    stuck = Message.objects.filter(
        direction=Direction.OUT, status=MessageStatus.SENDING, sending_at__lt=now - lease
    )
    abandoned = _abandoned(stuck.values_list("pk", "channel_id", "sending_at"), lease)
    if abandoned:
        stuck.filter(pk__in=abandoned).update(status=MessageStatus.QUEUED, next_attempt_at=None)
        logger.warning("%s message(s) were abandoned while sending; queued again", len(abandoned))
    due = list(
        Message.objects.filter(direction=Direction.OUT, status=MessageStatus.QUEUED)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:RESUME_AT_MOST]
    )
    again = list(dict.fromkeys([*abandoned, *lost_among(due, queued=queued)]))
    for message_id in again:
        _enqueue(message_id)
    unfetched = Attachment.objects.filter(
        file="", fetch_attempts__lt=MAX_FETCH_ATTEMPTS, created_at__lt=now - SWEEP_GRACE
    ).exclude(provider_ref="")
    for attachment_id in unfetched.values_list("pk", flat=True):
        fetch_attachment(attachment_id)
    PendingStatus.objects.filter(created_at__lt=now - timedelta(days=PENDING_STATUS_DAYS)).delete()
    return len(again)
