"""The only writers of conversations, messages and notes: receive, reply, note, assign, close...

Every function takes keyword arguments, runs in one transaction, writes its audit entry
and schedules its side effects (sending) for after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ventanilla.channels.adapters.base import Inbound
from ventanilla.channels.models import Channel
from ventanilla.contacts.models import Identity
from ventanilla.contacts.services import identify
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    MessageStatus,
    Note,
    Priority,
    ReferenceCounter,
    Status,
)
from ventanilla.desks.models import AgentProfile, Desk, RequestType
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.services import audit

MAX_TEXT = 4096  # WhatsApp's limit for a text message, the strictest of the channels
UNSET: Any = object()


@dataclass(frozen=True)
class Received:
    message: Message
    created: bool


@transaction.atomic
def receive(*, channel: Channel, inbound: Inbound) -> Received:
    """Store a message from a person, in the conversation it belongs to.

    Idempotent on the provider's message id: a duplicate delivery, even a concurrent
    one, returns the stored message and changes nothing.
    """
    if len(inbound.provider_id) > 128:
        raise Invalid("the provider's message id is longer than 128 characters")
    stored = _stored(channel, inbound.provider_id)
    if stored is not None:
        return Received(stored, created=False)
    try:
        with transaction.atomic():
            message = _store_inbound(channel, inbound)
    except IntegrityError:
        stored = _stored(channel, inbound.provider_id)
        if stored is None:
            raise
        return Received(stored, created=False)
    return Received(message, created=True)


def _stored(channel: Channel, provider_id: str) -> Message | None:
    if not provider_id:
        return None
    return Message.objects.filter(channel=channel, provider_id=provider_id).first()


def _store_inbound(channel: Channel, inbound: Inbound) -> Message:
    identity = identify(scheme=inbound.scheme, address=inbound.address, name=inbound.sender_name)
    conversation = _current_conversation(channel, identity)
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Direction.IN,
        kind=inbound.kind,
        text=inbound.text.replace("\x00", ""),  # no database text type holds NUL everywhere
        provider_id=inbound.provider_id or None,
        status=MessageStatus.RECEIVED,
        raw=dict(inbound.raw) or None,
        provider_sent_at=inbound.sent_at,
    )
    Attachment.objects.bulk_create(
        Attachment(
            message=message,
            provider_ref=media.provider_ref,
            mime_type=media.mime_type,
            filename=media.filename,
            sha256=media.sha256,
        )
        for media in inbound.media
    )
    written_at = min(inbound.sent_at or now, now)
    if conversation.last_inbound_at is None or written_at > conversation.last_inbound_at:
        conversation.last_inbound_at = written_at
    conversation.last_message_at = now
    conversation.save(update_fields=["last_inbound_at", "last_message_at", "status", "resolved_at"])
    return message


def _current_conversation(channel: Channel, identity: Identity) -> Conversation:
    """The conversation a new message from this person on this channel belongs to.

    A pending or resolved conversation is taken up again; after a close, a new one starts.
    """
    # Lock the person's identity so that two of their messages arriving at once
    # join one conversation instead of opening two.
    Identity.objects.select_for_update().values_list("pk", flat=True).get(pk=identity.pk)
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
    return conversation


def _open_conversation(channel: Channel, identity: Identity) -> Conversation:
    desk = channel.desk
    conversation = Conversation.objects.create(
        reference=_next_reference(desk),
        desk=desk,
        channel=channel,
        contact=identity.contact,
        identity=identity,
        language=identity.contact.language,
    )
    audit(actor=None, action="conversation.open", target=conversation, channel=str(channel.pk))
    return conversation


def _next_reference(desk: Desk) -> str:
    """The next reference number of the desk's prefix for the current year in its time zone.

    The counter row is locked by the UPDATE until the transaction ends, so two
    conversations opened at once never share a number.
    """
    year = timezone.now().astimezone(ZoneInfo(desk.timezone)).year
    counter = ReferenceCounter.objects.filter(prefix=desk.reference_prefix, year=year)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=desk.reference_prefix, year=year, last=1)
        except IntegrityError:  # another transaction created this year's counter first
            counter.update(last=F("last") + 1)
    number = counter.values_list("last", flat=True).get()
    return f"{desk.reference_prefix}-{year}-{number:06d}"


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("text must not be empty")
    if len(text) > MAX_TEXT:
        raise Invalid(f"text must be at most {MAX_TEXT} characters")
    return text


@transaction.atomic
def reply(*, conversation: Conversation, text: str, by: User | None) -> Message:
    """Queue a reply to the person (by None: ventanilla's own); sent once this commits."""
    text = _clean_text(text)
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it before replying")
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUT,
        text=text,
        author=by,
        status=MessageStatus.QUEUED,
    )
    conversation.last_message_at = now
    conversation.first_response_at = conversation.first_response_at or now
    conversation.save(update_fields=["last_message_at", "first_response_at"])
    audit(actor=by, action="message.reply", target=conversation, message=message.pk)
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def _enqueue_delivery(message_id: int) -> None:
    from ventanilla.conversations.tasks import deliver_message  # tasks import this module

    deliver_message(message_id)


@transaction.atomic
def note(*, conversation: Conversation, text: str, by: User) -> Note:
    """Write an internal note, seen by staff only."""
    created = Note.objects.create(conversation=conversation, author=by, text=_clean_text(text))
    audit(actor=by, action="note.create", target=conversation, note=created.pk)
    return created


def can_work_at(user: User, desk: Desk) -> bool:
    """Whether the user may handle conversations of this desk."""
    if not user.is_active or not user.has_perm("conversations.view_conversation"):
        return False
    if user.has_perm("desks.access_all_desks"):
        return True
    return AgentProfile.objects.filter(user=user, desks=desk).exists()


@transaction.atomic
def assign(*, conversation: Conversation, assignee: User | None, by: User | None) -> Conversation:
    """Give the conversation to a member of staff of its desk, or to nobody."""
    if assignee is not None and not can_work_at(assignee, conversation.desk):
        raise Invalid(f"{assignee.get_username()} does not handle conversations of this desk")
    previous = conversation.assignee
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])
    audit(
        actor=by,
        action="conversation.assign",
        target=conversation,
        previous=previous.get_username() if previous else None,
        assignee=assignee.get_username() if assignee else None,
    )
    return conversation


STATUS_ACTIONS = {
    Status.OPEN: "conversation.reopen",
    Status.PENDING: "conversation.wait",
    Status.RESOLVED: "conversation.resolve",
    Status.CLOSED: "conversation.close",
}


def _set_status(conversation: Conversation, status: Status, by: User | None) -> Conversation:
    previous = conversation.status
    now = timezone.now()
    conversation.status = status
    if status == Status.RESOLVED:
        conversation.resolved_at = now
    elif status == Status.CLOSED:
        conversation.closed_at = now
        conversation.resolved_at = conversation.resolved_at or now
    else:
        conversation.resolved_at = conversation.closed_at = None
    conversation.save(update_fields=["status", "resolved_at", "closed_at"])
    audit(actor=by, action=STATUS_ACTIONS[status], target=conversation, previous=previous)
    return conversation


@transaction.atomic
def resolve(*, conversation: Conversation, by: User | None) -> Conversation:
    """Mark the request answered; the person writing again takes it up."""
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it first")
    return _set_status(conversation, Status.RESOLVED, by)


@transaction.atomic
def close(*, conversation: Conversation, by: User | None) -> Conversation:
    """Close the case for good: the person's next message starts a new conversation."""
    return _set_status(conversation, Status.CLOSED, by)


@transaction.atomic
def reopen(*, conversation: Conversation, by: User | None) -> Conversation:
    if conversation.status == Status.CLOSED and _has_newer(conversation):
        raise Conflict("the person has written since in a newer conversation; continue that one")
    return _set_status(conversation, Status.OPEN, by)


def _has_newer(conversation: Conversation) -> bool:
    return (
        Conversation.objects.filter(channel=conversation.channel, contact=conversation.contact)
        .exclude(status=Status.CLOSED)
        .filter(created_at__gt=conversation.created_at)
        .exists()
    )


@transaction.atomic
def wait_for_person(*, conversation: Conversation, by: User | None) -> Conversation:
    """Mark the conversation pending: the desk waits for the person's answer."""
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it first")
    return _set_status(conversation, Status.PENDING, by)


STATUS_SERVICES = {
    Status.OPEN: reopen,
    Status.PENDING: wait_for_person,
    Status.RESOLVED: resolve,
    Status.CLOSED: close,
}


@transaction.atomic
def classify(
    *,
    conversation: Conversation,
    by: User | None,
    request_type: RequestType | None = UNSET,
    topic: str = UNSET,
    priority: str = UNSET,
    language: str = UNSET,
) -> Conversation:
    """Set what the conversation is about; the service-level clocks follow the request type."""
    changed: list[str] = []
    if request_type is not UNSET:
        if request_type is not None and request_type.desk_id != conversation.desk_id:
            raise Invalid("the request type belongs to another desk")
        conversation.request_type = request_type
        changed.append("request_type")
    if topic is not UNSET:
        if len(topic) > 64:
            raise Invalid("topic must be at most 64 characters")
        conversation.topic = topic.strip()
        changed.append("topic")
    if priority is not UNSET:
        if priority not in Priority.values:
            raise Invalid(f"priority must be one of {', '.join(Priority.values)}")
        conversation.priority = priority
        changed.append("priority")
    if language is not UNSET:
        if language and (len(language) > 16 or not LANGUAGE_CODE.match(language)):
            raise Invalid(f"{language!r} is not a language code such as es, ar or zgh")
        conversation.language = language
        changed.append("language")
    if not changed:
        return conversation
    fields = list(changed)
    if "request_type" in changed:
        _compute_clocks(conversation)
        fields += ["first_response_due_at", "resolution_due_at"]
    conversation.save(update_fields=fields)
    audit(actor=by, action="conversation.classify", target=conversation, fields=changed)
    return conversation


def _compute_clocks(conversation: Conversation) -> None:
    """Due times of the first response and of the resolution, in elapsed hours."""
    request_type = conversation.request_type

    def due(hours: int | None) -> datetime | None:
        if request_type is None or hours is None:
            return None
        return conversation.created_at + timedelta(hours=hours)

    conversation.first_response_due_at = due(
        request_type.first_response_hours if request_type else None
    )
    conversation.resolution_due_at = due(request_type.resolution_hours if request_type else None)


@transaction.atomic
def update(*, conversation: Conversation, by: User | None, changes: dict[str, Any]) -> Conversation:
    """Apply several changes at once (an API PATCH): all of them, or none."""
    classification: dict[str, Any] = {}
    if "request_type" in changes:
        classification["request_type"] = _request_type(conversation.desk, changes["request_type"])
    for field in ("topic", "language"):
        if field in changes:
            classification[field] = changes[field] or ""
    if "priority" in changes:
        classification["priority"] = changes["priority"] or ""
    if classification:
        classify(conversation=conversation, by=by, **classification)
    if "assignee" in changes:
        assign(conversation=conversation, assignee=_staff(changes["assignee"]), by=by)
    status = changes.get("status")
    if status and status != conversation.status:
        STATUS_SERVICES[Status(status)](conversation=conversation, by=by)
    return conversation


def _request_type(desk: Desk, slug: str | None) -> RequestType | None:
    if slug is None:
        return None
    found = RequestType.objects.filter(desk=desk, slug=slug).first()
    if found is None:
        raise Invalid(f"request_type: desk {desk.slug} has no request type {slug!r}")
    return found


def _staff(username: str | None) -> User | None:
    if username is None:
        return None
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise Invalid(f"assignee: no member of staff {username!r}")
    return found
