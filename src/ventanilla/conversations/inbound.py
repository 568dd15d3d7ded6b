"""The way in: messages from people become conversations and messages, exactly once.

The webhook keeps each verified delivery as a row of the intake table (`channels.Delivery`);
`take_in_waiting` reads those rows in batches and stores what they hold; `receive` stores one
message, idempotent on the provider's message id, and hands it to triage by a signal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Min, Q
from django.dispatch import Signal
from django.utils import timezone

from ventanilla.channels import intake
from ventanilla.channels.adapters.base import Inbound, StatusUpdate
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Channel, Delivery
from ventanilla.channels.services import keep_unread
from ventanilla.contacts.models import Identity
from ventanilla.contacts.services import identify_sender
from ventanilla.conversations import delivery, sla
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    MessageStatus,
    ReferenceCounter,
    Status,
)
from ventanilla.conversations.search import index_message
from ventanilla.desks.models import Desk, RequestType
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.counters import next_count
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.lib.text import storable
from ventanilla.privacy.services import audit

logger = logging.getLogger(__name__)

BATCH = 50  # deliveries taken from the intake table at a time
# A consumer that died holding rows gives them up after this. A batch takes a second or two;
# a lease that runs out while a slow one still works only has the rows read twice, which
# stores nothing twice (taking in is idempotent on the provider's ids).
LEASE = timedelta(seconds=30)
GIVE_UP_AFTER = 5  # attempts at a delivery before it is kept unread for people to look into

# Sent once a person's message is committed; triage listens (conversations never imports it).
message_received = Signal()


class BatchBroken(Exception):
    """The transaction of a batch of deliveries can no longer commit."""


@dataclass(frozen=True)
class Received:
    message: Message
    created: bool


def take_in_waiting(*, limit: int = BATCH) -> int:
    """Take in the oldest deliveries waiting in the intake table, up to `limit`; returns how
    many were taken. Several consumers may run this at once: each leases its own rows.

    The batch is stored in one transaction, each message in a savepoint of its own (what one
    message meets does not cost the others): one commit, and on SQLite one turn of the main
    file's write lock, instead of one per message, each waiting for the triage in progress.
    """
    rows = _lease(limit)
    if not rows:
        return 0
    ids = {pk for row in rows for pk in row.ids}
    # By channel too: the unique index is on (channel, provider id), and without the channel
    # PostgreSQL reads the whole table (9 ms at 60,000 messages, growing with every one).
    stored = set(
        Message.objects.filter(
            channel_id__in={row.channel_id for row in rows}, provider_id__in=ids
        ).values_list("channel_id", "provider_id")
    )
    channels = Channel.objects.select_related("desk").in_bulk({row.channel_id for row in rows})
    try:
        with transaction.atomic():
            done = [row.pk for row in rows if _take_in(row, stored, channels.get(row.channel_id))]
            if transaction.get_rollback() or connection.closed_in_transaction:
                # A savepoint could not be rolled back (the server went away): Django would
                # end the batch with a silent rollback, and the rows must not be deleted.
                raise BatchBroken("the batch's transaction was lost")
    except (DatabaseError, BatchBroken) as error:  # the connection lost, say: all again
        logger.warning(
            "intake: %s deliveries to be taken in again (%s)", len(rows), type(error).__name__
        )
        done = []
    Delivery.objects.filter(pk__in=done).delete()
    if len(done) < len(rows):  # a deadlock, the database away: tried again at once
        Delivery.objects.exclude(pk__in=done).filter(pk__in=[row.pk for row in rows]).update(
            leased_until=None
        )
    return len(rows)


def waiting() -> tuple[int, datetime | None]:
    """How many deliveries wait in the intake table, and since when the oldest."""
    found = Delivery.objects.aggregate(count=Count("pk"), oldest=Min("received_at"))
    return found["count"], found["oldest"]


def _lease(limit: int) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic(using=intake_database()):
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("pk")[:limit]
        )
        if rows:
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                leased_until=now + LEASE, attempts=F("attempts") + 1
            )
    return rows


def _take_in(row: Delivery, stored: set[tuple[Any, Any]], channel: Channel | None) -> bool:
    """Store every event of one delivery, each on its own, and keep what was unreadable;
    says whether the delivery is done with.

    One bad message does not cost the others: each is stored in its own transaction, and a
    delivery with parts that could not be stored is kept whole (encrypted) for inspection.
    An error that may pass (a deadlock, a lost connection) leaves the delivery to be taken
    in again: what was stored of it is found stored the next time.
    """
    if channel is None:  # deleted (in the admin) before anything of it was stored
        logger.warning("delivery %s: its channel is gone; dropped", row.pk)
        return True
    try:
        events = intake.read(row.events)
    except ValueError as error:
        keep_unread(channel=channel, body=row.events.encode(), reasons=[str(error)])
        return True
    if row.attempts >= GIVE_UP_AFTER:  # leased that often before, failing each time: kept
        reason = f"not taken in after {GIVE_UP_AFTER} attempts"
        logger.error("channel %s: delivery %s %s", channel.pk, row.pk, reason)
        keep_unread(channel=channel, body=row.events.encode(), reasons=[reason])
        return True
    problems, repeated = [], 0
    for event in events:
        try:
            if isinstance(event, StatusUpdate):
                with transaction.atomic():  # a savepoint: a failure undoes this event alone
                    delivery.record_status(channel=channel, update=event)
            elif (channel.pk, event.provider_id) in stored:
                repeated += 1  # stored before this batch: no need to look again
            # receive() stores each message in a savepoint of its own.
            elif not receive(channel=channel, inbound=event, unseen=True).created:
                repeated += 1
        except ServiceError as error:
            problems.append(f"{type(event).__name__} {event.provider_id}: {error.detail}")
        except OperationalError as error:
            logger.warning(
                "channel %s: delivery %s to be taken in again (%s)",
                channel.pk,
                row.pk,
                type(error).__name__,
            )
            return False
        except (DatabaseError, ValueError) as error:
            # What the database or the encryption could not take: kept unread, the rest stored.
            # Only the error's type is logged: its text may quote what the person wrote.
            logger.warning(
                "channel %s: a part of a delivery failed (%s)", channel.pk, type(error).__name__
            )
            problems.append(f"{type(event).__name__} {event.provider_id}: {type(error).__name__}")
    if repeated:
        logger.info("channel %s: %s message(s) delivered again, stored once", channel.pk, repeated)
    if problems:
        logger.warning(
            "channel %s: %s part(s) of a delivery kept unread", channel.pk, len(problems)
        )
        keep_unread(channel=channel, body=row.events.encode(), reasons=problems)
    return True


def take_in_now(delivery: Delivery) -> None:
    """Take in one delivery at once (when no consumer reads the intake table)."""
    channel = Channel.objects.select_related("desk").filter(pk=delivery.channel_id).first()
    if _take_in(delivery, set(), channel):
        Delivery.objects.filter(pk=delivery.pk).delete()


def receive(*, channel: Channel, inbound: Inbound, unseen: bool = False) -> Received:
    """Store a message from a person, in the conversation it belongs to.

    Idempotent on the provider's message id: a duplicate delivery, even a concurrent
    one, returns the stored message and changes nothing. `unseen`: the caller has just
    looked for the id and not found it, so it is not looked for again first (a message
    stored meanwhile is still found, by the unique constraint).
    """
    if len(inbound.provider_id) > 128:
        raise Invalid("the provider's message id is longer than 128 characters")
    stored = None if unseen else _stored(channel, inbound.provider_id)
    if stored is not None:
        return Received(stored, created=False)
    try:  # one savepoint (or transaction) for the whole message: a clash undoes all of it
        with transaction.atomic():
            message = _store_inbound(channel, inbound)
    except IntegrityError:
        stored = _stored(channel, inbound.provider_id)
        if stored is None:
            raise
        return Received(stored, created=False)
    transaction.on_commit(lambda: message_received.send(sender=Message, message_id=message.pk))
    return Received(message, created=True)


def _stored(channel: Channel, provider_id: str) -> Message | None:
    if not provider_id:
        return None
    return Message.objects.filter(channel=channel, provider_id=provider_id).first()


def _store_inbound(channel: Channel, inbound: Inbound) -> Message:
    name = storable(inbound.sender_name)
    identity, new = identify_sender(scheme=inbound.scheme, address=inbound.address, name=name)
    # A person first seen in this transaction has no conversation, and nobody else can see
    # their identity until it commits.
    conversation = (
        _open_conversation(channel, identity) if new else _current_conversation(channel, identity)
    )
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Direction.IN,
        kind=inbound.kind[:32],
        text=storable(inbound.text),  # no lone surrogates, no NUL: every database takes it
        provider_id=inbound.provider_id or None,
        status=MessageStatus.RECEIVED,
        details=dict(inbound.details) or None,
        raw=dict(inbound.raw) or None,
        provider_sent_at=inbound.sent_at,
    )
    index_message(message, channel.desk_id)
    attachments = Attachment.objects.bulk_create(
        Attachment(
            message=message,
            provider_ref=media.provider_ref[:512],
            mime_type=media.mime_type[:128],
            filename=media.filename[:255],
            sha256=media.sha256[:64],
        )
        for media in inbound.media
    )
    written_at = min(inbound.sent_at or now, now)
    if conversation.last_inbound_at is None or written_at > conversation.last_inbound_at:
        conversation.last_inbound_at = written_at
    conversation.last_message_at = conversation.changed_at = now
    conversation.waiting_since = conversation.waiting_since or written_at
    fields = ["last_inbound_at", "last_message_at", "changed_at", "waiting_since", "status"]
    fields += ["resolved_at", "outcome", "sla_pauses", *sla.refresh(conversation, now=now)]
    if inbound.language and LANGUAGE_CODE.match(inbound.language) and not conversation.language:
        conversation.language = inbound.language[:16]
        fields.append("language")
    conversation.save(update_fields=fields)
    ids = [a.pk for a in attachments if a.provider_ref]
    if ids:
        transaction.on_commit(lambda: _enqueue_fetches(ids))
    return message


def _enqueue_fetches(attachment_ids: list[int]) -> None:
    from ventanilla.conversations.tasks import fetch_attachment  # tasks import this module

    for attachment_id in attachment_ids:
        fetch_attachment(attachment_id)


def _current_conversation(channel: Channel, identity: Identity) -> Conversation:
    """The conversation a new message from this person on this channel belongs to.

    A pending or resolved conversation is taken up again; after a close, a new one starts.
    """
    # Lock the person's identity so that two of their messages arriving at once
    # join one conversation instead of opening two. FOR NO KEY UPDATE, not FOR UPDATE: rows
    # that refer to the identity (written by the triage of the person's previous message,
    # which holds the conversation's lock) need a key-share lock on it, and FOR UPDATE would
    # make them wait for this transaction while it waits for the conversation: a deadlock.
    Identity.objects.select_for_update(no_key=True).values_list("pk", flat=True).get(pk=identity.pk)
    conversation = (
        Conversation.objects.filter(channel=channel, contact=identity.contact)
        .exclude(status=Status.CLOSED)
        .order_by("-created_at")
        .first()
    )
    if conversation is None:
        return _open_conversation(channel, identity)
    if conversation.status != Status.OPEN:
        if conversation.status == Status.RESOLVED:
            audit(actor=None, action="conversation.reopen", target=conversation, why="person wrote")
        conversation.status = Status.OPEN
        conversation.resolved_at = None
        conversation.outcome = ""
        sla.resume(conversation, at=timezone.now())  # the person answered: the clocks run
    return conversation


def _open_conversation(channel: Channel, identity: Identity) -> Conversation:
    desk = channel.desk
    conversation = Conversation.objects.create(
        reference=next_reference(desk),
        desk=desk,
        channel=channel,
        contact=identity.contact,
        identity=identity,
        language=identity.contact.language,
        request_type=RequestType.objects.filter(desk=desk, default=True).first(),
    )
    audit(actor=None, action="conversation.open", target=conversation, channel=str(channel.pk))
    return conversation


def next_reference(desk: Desk) -> str:
    """The next reference number of the desk's prefix for the current year in its time zone
    (two conversations opened at once never share one: lib.counters)."""
    year = timezone.now().astimezone(ZoneInfo(desk.timezone)).year
    number = next_count(ReferenceCounter, prefix=desk.reference_prefix, year=year)
    return f"{desk.reference_prefix}-{year}-{number:06d}"
