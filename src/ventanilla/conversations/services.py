"""What staff (and ventanilla itself) do with a conversation: reply, note, assign, close...

Every function takes keyword arguments, runs in one transaction, writes its audit entry
and schedules its side effects (sending) for after the commit. Messages come in through
`inbound`, go out through `delivery`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import Menu, Template
from ventanilla.channels.models import Channel
from ventanilla.conversations import sla
from ventanilla.conversations.inbound import next_reference
from ventanilla.conversations.media import attach
from ventanilla.conversations.models import (
    Conversation,
    Direction,
    Escalation,
    Message,
    MessageStatus,
    Note,
    Outcome,
    Priority,
    Status,
    Tag,
)
from ventanilla.conversations.search import index_message
from ventanilla.desks.models import AgentProfile, Desk, RequestType, Team
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.errors import Conflict, Forbidden, Invalid
from ventanilla.privacy.services import audit

MAX_TEXT = 4096  # WhatsApp's limit for a text message, the strictest of the channels
UNSET: Any = object()


class WindowClosed(Conflict):
    code = "window_closed"


class PhoneOnly(Conflict):
    """A phone line carries calls, not texts: the person is called back, or written to on
    a messaging channel of the desk that reaches them."""

    code = "phone_conversation"


def save_changes(conversation: Conversation, fields: list[str]) -> None:
    """Save these fields and mark the conversation changed, for the live views watching it."""
    conversation.changed_at = timezone.now()
    conversation.save(update_fields=[*fields, "changed_at"])


def clean_text(text: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    text = text.strip()
    if required and not text:
        raise Invalid("text must not be empty")
    if len(text) > limit:
        raise Invalid(f"text must be at most {limit} characters on this channel")
    return text


def within_reply_window(conversation: Conversation) -> bool:
    """Whether free text may be sent now (WhatsApp: 24 hours after the person's last message)."""
    window = adapter_for(conversation.channel.type).reply_window
    if window is None:
        return True
    last = conversation.last_inbound_at
    return last is not None and timezone.now() - last < window


# Channels that write to a phone number: a caller can be answered on them in writing.
TO_PHONE_NUMBERS = ("twilio-sms", "whatsapp")


def messaging_channels(conversation: Conversation) -> list[Channel]:
    """The desk's channels that can write to the person of a phone conversation: SMS to the
    number they called from; WhatsApp if they wrote from it there within its reply window."""
    if conversation.identity.scheme != "tel":
        return []
    found = Channel.objects.filter(
        desk=conversation.desk_id, is_active=True, type__in=TO_PHONE_NUMBERS
    ).order_by("type", "name")
    now = timezone.now()
    reachable = []
    for channel in found:
        window = adapter_for(channel.type).reply_window
        if (
            window is None
            or Message.objects.filter(
                channel=channel,
                conversation__identity=conversation.identity_id,
                direction=Direction.IN,
                created_at__gt=now - window,
            ).exists()
        ):
            reachable.append(channel)
    return reachable


def messaging_channel(conversation: Conversation, channel_id: UUID) -> Channel:
    """The conversation's own channel or one of its `messaging_channels`, by its id."""
    if channel_id == conversation.channel_id:
        return conversation.channel
    found = [c for c in messaging_channels(conversation) if c.pk == channel_id]
    if not found:
        raise Invalid("the person cannot be written to on this channel")
    return found[0]


def _reply_channel(conversation: Conversation, channel: Channel | None) -> Channel:
    """The channel a reply goes out on: the conversation's own, or one that reaches the
    person of a phone conversation."""
    if channel is None or channel.pk == conversation.channel_id:
        if not adapter_for(conversation.channel.type).sends_text:
            raise PhoneOnly(
                "this is a phone conversation: a phone line cannot carry a written reply. "
                "Call the person back, or reply on a messaging channel of the desk that "
                "reaches their number (its id as channel)"
            )
        return conversation.channel
    if channel not in messaging_channels(conversation):
        raise Invalid("the person cannot be written to on this channel")
    return channel


MENU_TITLE = 120  # characters of a choice's title; WhatsApp shows 20 or 24 of them
MENU_LABEL = 60


def _check_menu(menu: Menu) -> None:
    """Limits of the channels that show menus (WhatsApp's counts and ids); titles and labels
    are kept whole up to a line's length, and shortened by the adapters that must."""
    if menu.button:
        if not 1 <= len(menu.choices) <= 10:
            raise Invalid("a list offers between 1 and 10 choices")
        if len(menu.button) > MENU_LABEL or len(menu.section) > MENU_LABEL:
            raise Invalid(f"a list's button label and section are at most {MENU_LABEL} characters")
        limits = (200, MENU_TITLE, 72)
    else:
        if not 1 <= len(menu.choices) <= 3:
            raise Invalid("buttons: between 1 and 3")
        limits = (256, MENU_TITLE, 0)
    ids = [choice.id for choice in menu.choices]
    if len(set(ids)) != len(ids):
        raise Invalid("each choice needs its own id")
    for choice in menu.choices:
        if not 0 < len(choice.id) <= limits[0] or not 0 < len(choice.title) <= limits[1]:
            raise Invalid(f"a choice's id is at most {limits[0]} characters, its title {limits[1]}")
        if len(choice.description) > limits[2]:
            raise Invalid("a button has no description; a list row's is at most 72 characters")


def _queue(
    conversation: Conversation,
    by: User | None,
    *,
    text: str,
    kind: str,
    details: dict[str, Any] | None = None,
    channel: Channel | None = None,
) -> Message:
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it before replying")
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel=channel or conversation.channel,
        direction=Direction.OUT,
        kind=kind,
        text=text,
        details=details,
        author=by,
        status=MessageStatus.QUEUED,
    )
    index_message(message, conversation.desk_id)
    conversation.last_message_at = now
    fields = ["last_message_at"]
    if by is not None:  # a person answered: the clock of the first response stops
        conversation.first_response_at = conversation.first_response_at or now
        conversation.waiting_since = None
        fields += ["first_response_at", "waiting_since", *sla.refresh(conversation, now=now)]
    save_changes(conversation, fields)
    audit(actor=by, action="message.reply", target=conversation, message=message.pk, kind=kind)
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


@dataclass(frozen=True)
class Translated:
    """What the author of a machine-translated reply wrote, and in which language."""

    original: str
    source: str
    target: str


@dataclass(frozen=True)
class File:
    content: bytes
    mime_type: str
    name: str


@transaction.atomic
def reply(
    *,
    conversation: Conversation,
    text: str,
    by: User | None,
    menu: Menu | None = None,
    files: Sequence[File] = (),
    translated_from: Translated | None = None,
    article: str = "",
    channel: Channel | None = None,
) -> Message:
    """Queue a reply to the person (by None: ventanilla's own); sent once this commits.

    A menu offers choices (buttons, or a list); a file goes with the text as its caption.
    On WhatsApp, free text can only be sent within 24 hours of the person's last message.
    A machine-translated reply keeps what its author wrote beside what was sent; a reply
    drawn from the guide names its `article`. A phone conversation is answered on one of
    its `messaging_channels`, never on the phone line itself.
    """
    channel = _reply_channel(conversation, channel)
    adapter = adapter_for(channel.type)
    text = clean_text(text, limit=min(MAX_TEXT, adapter.max_text), required=not files)
    if len(files) > 1:
        raise Invalid("one file per message")
    if menu is not None:
        _check_menu(menu)
    if channel.pk == conversation.channel_id and not within_reply_window(conversation):
        raise WindowClosed(
            "the person's last message is more than 24 hours old: WhatsApp lets only an "
            'approved template be sent now (send {"template": {"name", "language", '
            '"parameters"}}; GET /api/v1/channels/<id>/templates lists them)'
        )
    kind = "text" if not files else files[0].mime_type.split("/")[0]
    if kind not in ("text", "image", "audio", "video"):
        kind = "document"
    if menu is not None and not files:
        kind = "interactive"
    details: dict[str, Any] = {}
    if menu is not None:
        details["menu"] = asdict(menu)
    if translated_from is not None:
        details["translation"] = {"machine": True, **asdict(translated_from)}
    if article:
        details["article"] = article[:120]
    message = _queue(
        conversation, by, text=text, kind=kind, details=details or None, channel=channel
    )
    for file in files:
        attach(message=message, content=file.content, mime_type=file.mime_type, filename=file.name)
    return message


@transaction.atomic
def send_template(*, conversation: Conversation, template: Template, by: User | None) -> Message:
    """Queue an approved template: the one thing WhatsApp sends outside the 24-hour window."""
    if conversation.channel.type != "whatsapp":
        raise Invalid("templates are sent on WhatsApp channels only")
    if not template.name or len(template.name) > 512 or not 0 < len(template.language) <= 16:
        raise Invalid("a template needs its name and its language code (such as es or en_US)")
    if len(template.parameters) > 20 or any(len(p) > 1024 for p in template.parameters):
        raise Invalid("at most 20 parameters of at most 1024 characters each")
    return _queue(
        conversation, by, text="", kind="template", details={"template": asdict(template)}
    )


def _enqueue_delivery(message_id: int) -> None:
    from ventanilla.conversations.tasks import deliver_message  # tasks import this module

    deliver_message(message_id)


@transaction.atomic
def note(*, conversation: Conversation, text: str, by: User) -> Note:
    """Write an internal note, seen by staff only."""
    created = Note.objects.create(conversation=conversation, author=by, text=clean_text(text))
    save_changes(conversation, [])
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
    save_changes(conversation, ["assignee"])
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


def _set_status(
    conversation: Conversation, status: Status, by: User | None, **details: Any
) -> Conversation:
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
        conversation.outcome = ""
    if status in (Status.RESOLVED, Status.CLOSED):
        conversation.waiting_since = None
    if status == Status.OPEN:  # the clocks run again: the person wrote, or staff reopened
        sla.resume(conversation, at=now)
    else:  # they stand still while the desk waits for the person, and once it is done
        sla.pause(conversation, at=now)
    fields = ["status", "resolved_at", "closed_at", "outcome", "waiting_since", "sla_pauses"]
    save_changes(conversation, fields + sla.refresh(conversation, now=now))
    audit(
        actor=by, action=STATUS_ACTIONS[status], target=conversation, previous=previous, **details
    )
    return conversation


@transaction.atomic
def resolve(*, conversation: Conversation, by: User | None, outcome: str = "") -> Conversation:
    """Mark the request answered, saying how it ended; the person writing again takes it up."""
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it first")
    if outcome == Outcome.TRANSFERRED:
        raise Invalid("outcome: a conversation ends as transferred by its transfer to another desk")
    if outcome and outcome not in Outcome.values:
        raise Invalid(f"outcome must be one of {', '.join(Outcome.values)}")
    conversation.outcome = outcome
    return _set_status(conversation, Status.RESOLVED, by, outcome=outcome)


@transaction.atomic
def keep_resolved(
    *, conversation: Conversation, resolved_at: datetime, outcome: str, why: str
) -> Conversation:
    """The person's message only answered a question ventanilla asked after the resolution
    (a survey): the conversation is not taken up again, it stays resolved as it was, with
    its clocks standing still and nobody waiting."""
    if conversation.status != Status.OPEN:
        return conversation
    conversation.status = Status.RESOLVED
    conversation.resolved_at = resolved_at
    conversation.outcome = outcome
    conversation.waiting_since = None
    sla.pause(conversation, at=timezone.now())
    fields = ["status", "resolved_at", "outcome", "waiting_since", "sla_pauses"]
    save_changes(conversation, fields + sla.refresh(conversation))
    audit(
        actor=None,
        action=STATUS_ACTIONS[Status.RESOLVED],
        target=conversation,
        previous=Status.OPEN,
        why=why,
    )
    return conversation


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
        if request_type is not None and request_type.restricted and not conversation.restricted:
            conversation.restricted = True  # a protection case: stays so until lifted
            changed.append("restricted")
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
    if "request_type" in changed:  # new targets: every clock counted afresh, alerts anew
        conversation.sla_alerts = []
        fields += ["sla_alerts", *sla.refresh(conversation, again=True)]
    save_changes(conversation, fields)
    audit(actor=by, action="conversation.classify", target=conversation, fields=changed)
    return conversation


@transaction.atomic
def restrict(*, conversation: Conversation, restricted: bool, by: User | None) -> Conversation:
    """Make a conversation a protection case, seen only by the person assigned, its team and
    the desk's supervisors (by None: ventanilla itself, for a report the person told the
    bot); lifting that is for supervisors."""
    if conversation.restricted == restricted:
        return conversation
    if not restricted and (by is None or not by.has_perm("desks.supervise_desk")):
        raise Forbidden("only a supervisor lifts the restriction of a protection case")
    conversation.restricted = restricted
    save_changes(conversation, ["restricted"])
    action = "conversation.restrict" if restricted else "conversation.unrestrict"
    audit(actor=by, action=action, target=conversation)
    return conversation


@transaction.atomic
def transfer(
    *, conversation: Conversation, team: Team | None, assignee: User | None, by: User | None
) -> Conversation:
    """Hand the conversation to a team's queue, to a colleague, or to both."""
    if team is not None and team.desk_id != conversation.desk_id:
        raise Invalid("the team belongs to another desk")
    if assignee is not None and not can_work_at(assignee, conversation.desk):
        raise Invalid(f"{assignee.get_username()} does not handle conversations of this desk")
    previous = (conversation.team, conversation.assignee)
    conversation.team = team
    conversation.assignee = assignee
    fields = ["team", "assignee"]
    if previous[0] != team:  # business hours follow the calendar of the team, if it has one
        fields += sla.refresh(conversation)
    save_changes(conversation, fields)
    audit(
        actor=by,
        action="conversation.transfer",
        target=conversation,
        previous_team=previous[0].slug if previous[0] else None,
        previous_assignee=previous[1].get_username() if previous[1] else None,
        team=team.slug if team else None,
        assignee=assignee.get_username() if assignee else None,
    )
    return conversation


@transaction.atomic
def carry_over(*, conversation: Conversation, desk: Desk, by: User | None) -> Conversation:
    """Take the person's case up anew at another desk, on the same channel and address (they
    keep writing where they wrote, and their next message reaches the new desk); the first
    conversation ends, resolved as transferred, in its desk's figures. The new one waits for
    the other desk's first response from now, a protection case still."""
    if desk.pk == conversation.desk_id:
        raise Invalid("desk: the conversation is at this desk already")
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it before transferring it")
    now = timezone.now()
    moved = Conversation.objects.create(
        reference=next_reference(desk),
        desk=desk,
        channel=conversation.channel,
        contact=conversation.contact,
        identity=conversation.identity,
        language=conversation.language,
        topic=conversation.topic,
        priority=conversation.priority,
        restricted=conversation.restricted,
        request_type=RequestType.objects.filter(desk=desk, default=True).first(),
        waiting_since=now,
        last_message_at=conversation.last_message_at,
        last_inbound_at=conversation.last_inbound_at,
    )
    save_changes(moved, sla.refresh(moved, now=now))
    audit(actor=by, action="conversation.open", target=moved, transferred_from=conversation.pk)
    conversation.outcome = Outcome.TRANSFERRED
    _set_status(conversation, Status.CLOSED, by, outcome=Outcome.TRANSFERRED, to=moved.pk)
    return moved


@transaction.atomic
def escalate(
    *, conversation: Conversation, team: Team | None, reason: str, by: User
) -> Conversation:
    """Raise the conversation to a supervisor (no team) or to a specialist team's queue.

    The reason is kept as an internal note; the priority rises to at least high, and a
    team escalation leaves the conversation unassigned in that team's queue.
    """
    reason = clean_text(reason)
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed; reopen it first")
    if team is not None and team.desk_id != conversation.desk_id:
        raise Invalid("the team belongs to another desk")
    fields = ["escalation", "priority"]
    conversation.escalation = Escalation.TEAM if team else Escalation.SUPERVISOR
    if conversation.priority in (Priority.LOW, Priority.NORMAL):
        conversation.priority = Priority.HIGH
    if team is not None:
        conversation.team, conversation.assignee = team, None
        fields += ["team", "assignee"]
    save_changes(conversation, fields)
    Note.objects.create(conversation=conversation, author=by, text=reason)
    audit(
        actor=by,
        action="conversation.escalate",
        target=conversation,
        to=team.slug if team else "supervisor",
    )
    return conversation


TAG_NAME = re.compile(r"^[\w][\w .-]{0,31}$")


@transaction.atomic
def set_tags(*, conversation: Conversation, names: Sequence[str], by: User | None) -> list[Tag]:
    """Label the conversation with exactly these tags (the desk's tags, made when new)."""
    cleaned = sorted({" ".join(name.split()).lower() for name in names if name.strip()})
    if len(cleaned) > 20:
        raise Invalid("at most 20 tags on a conversation")
    for name in cleaned:
        if not TAG_NAME.match(name):
            raise Invalid(f"{name!r}: a tag is 1 to 32 letters, digits, spaces, dots or dashes")
    tags = [Tag.objects.get_or_create(desk=conversation.desk, name=name)[0] for name in cleaned]
    conversation.tags.set(tags)
    save_changes(conversation, [])
    audit(actor=by, action="conversation.tag", target=conversation, tags=cleaned)
    return tags


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
        assign(conversation=conversation, assignee=staff_named(changes["assignee"]), by=by)
    if changes.get("tags") is not None:
        set_tags(conversation=conversation, names=changes["tags"], by=by)
    if changes.get("restricted") is not None:
        if by is None:
            raise Forbidden("a restriction is set by a member of staff")
        restrict(conversation=conversation, restricted=changes["restricted"], by=by)
    status = changes.get("status")
    outcome = changes.get("outcome") or ""
    if outcome and status != Status.RESOLVED:
        raise Invalid('outcome: given only with "status": "resolved"')
    if status == Status.RESOLVED and (status != conversation.status or outcome):
        resolve(conversation=conversation, by=by, outcome=outcome)
    elif status and status != conversation.status:
        STATUS_SERVICES[Status(status)](conversation=conversation, by=by)
    return conversation


def _request_type(desk: Desk, slug: str | None) -> RequestType | None:
    if slug is None:
        return None
    found = RequestType.objects.filter(desk=desk, slug=slug).first()
    if found is None:
        raise Invalid(f"request_type: desk {desk.slug} has no request type {slug!r}")
    return found


def staff_named(username: str | None) -> User | None:
    """The member of staff with this username (None for None), or Invalid."""
    if username is None:
        return None
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise Invalid(f"assignee: no member of staff {username!r}")
    return found
