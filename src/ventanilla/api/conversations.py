"""API v1: conversations, their messages and notes, and aggregate counts."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.pagination import paginate

from ventanilla.api.pagination import Pagination
from ventanilla.channels.adapters.base import Choice, Menu, Template
from ventanilla.contacts import services as contacts
from ventanilla.conversations import services, sla
from ventanilla.conversations.access import (
    Entry,
    Filters,
    attachment_of,
    conversation_for,
    history_of,
    record_search,
    search_conversations,
    statistics_for,
)
from ventanilla.conversations.models import Conversation, Message, Outcome, Priority, Status
from ventanilla.knowledge.replies import answer
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.lib.uploads import MEDIA, UploadRefused, check_upload
from ventanilla.teamwork import services as teamwork

router = Router(tags=["conversations"])


class ClockOut(Schema):
    """A service-level clock: its target, deadline and how much of it has gone."""

    target_seconds: int
    business_hours: bool = Field(description="Counted in the desk's opening hours only.")
    due_at: datetime | None = Field(description="None while it waits for the person.")
    elapsed_seconds: int = Field(description="Counted so far, pauses left out.")
    remaining_seconds: int
    stopped_at: datetime | None = Field(description="The first response, or the resolution.")
    paused: bool = Field(description="Standing still while the desk waits for the person.")
    breached: bool
    breached_by_seconds: int | None


class ConversationOut(Schema):
    id: int
    reference: str
    desk: str
    channel: UUID
    channel_type: str
    contact: str = Field(description="The contact's pseudonym.")
    status: str
    request_type: str | None
    topic: str
    priority: str
    language: str
    assignee: str | None
    team: str | None = Field(description="The slug of the team whose queue holds it, if any.")
    tags: list[str]
    escalation: str = Field(description='"", "supervisor" or "team".')
    restricted: bool = Field(
        description="A protection case: seen only by the person assigned, its team and the "
        "desk's supervisors."
    )
    outcome: str = Field(description="How a resolved conversation ended, or empty.")
    created_at: datetime
    last_message_at: datetime | None
    waiting_since: datetime | None = Field(
        description="The person's oldest message no one has answered yet."
    )
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    due_at: datetime | None = Field(description="The next of the two deadlines.")
    clocks: dict[str, ClockOut] = Field(
        description='The service-level clocks with a target: "first_response", "resolution".'
    )
    interpretation: bool = Field(description="No agent of the desk speaks the language.")

    @staticmethod
    def resolve_clocks(c: Conversation) -> dict[str, dict[str, Any]]:
        return {name: sla.describe(clock) for name, clock in sla.clocks(c).items()}

    @staticmethod
    def resolve_desk(c: Conversation) -> str:
        return c.desk.slug

    @staticmethod
    def resolve_channel(c: Conversation) -> UUID:
        return c.channel_id

    @staticmethod
    def resolve_channel_type(c: Conversation) -> str:
        return c.channel.type

    @staticmethod
    def resolve_contact(c: Conversation) -> str:
        return c.contact.pseudonym

    @staticmethod
    def resolve_request_type(c: Conversation) -> str | None:
        return c.request_type.slug if c.request_type else None

    @staticmethod
    def resolve_assignee(c: Conversation) -> str | None:
        return c.assignee.get_username() if c.assignee else None

    @staticmethod
    def resolve_team(c: Conversation) -> str | None:
        return c.team.slug if c.team else None

    @staticmethod
    def resolve_tags(c: Conversation) -> list[str]:
        return [tag.name for tag in c.tags.all()]


class FiltersIn(Schema):
    status: Status | None = None
    desk: str | None = None
    channel: UUID | None = None
    language: str | None = Field(None, max_length=16)
    topic: str | None = Field(None, max_length=64)
    assignee: str | None = Field(None, max_length=150, description='A username, "me" or "none".')
    q: str | None = Field(None, max_length=200, description="A reference number or words.")


@router.get("", response=list[ConversationOut])
@paginate(Pagination)
def list_conversations(request: HttpRequest, filters: Query[FiltersIn]) -> QuerySet[Conversation]:
    """Conversations of the desks one works at, latest activity first."""
    found = search_conversations(request.user, Filters(**filters.dict()))
    record_search(request.user, filters.q)
    return found.prefetch_related("tags")


class StatisticsOut(Schema):
    total: int
    by_status: dict[str, int]
    by_desk: dict[str, int]
    by_channel_type: dict[str, int]
    by_language: dict[str, int]
    messages: dict[str, int]


@router.get("/stats", response=StatisticsOut)
def conversation_statistics(request: HttpRequest) -> dict[str, Any]:
    """Counts only: open to analysts, who see no content and no identities."""
    return statistics_for(request.user)


@router.get("/{key}", response=ConversationOut)
def get_conversation(request: HttpRequest, key: str) -> Conversation:
    """A conversation by its id or its reference number (VT-2026-000123)."""
    return conversation_for(request.user, key)


class ConversationPatch(Schema):
    request_type: str | None = Field(None, description="Slug of one of the desk's request types.")
    topic: str | None = None
    priority: Priority | None = None
    language: str | None = None
    assignee: str | None = Field(None, description="A username, or null for nobody.")
    team: str | None = Field(
        None, max_length=64, description="Slug of one of the desk's teams, or null for none."
    )
    status: Status | None = None
    outcome: Outcome | None = Field(None, description="With status resolved: how it ended.")
    tags: list[str] | None = Field(None, max_length=20, description="Replaces the tags.")
    restricted: bool | None = Field(
        None,
        description="true: a protection case, seen only by the person assigned, its team and "
        "the desk's supervisors; false (supervisors only): seen by the whole desk again.",
    )


CHANGE_PERMISSIONS = {
    "status": "conversations.close_conversation",
    "assignee": "conversations.assign_conversation",
    "team": "conversations.assign_conversation",
    "request_type": "conversations.change_conversation",
    "topic": "conversations.change_conversation",
    "priority": "conversations.change_conversation",
    "language": "conversations.change_conversation",
    "outcome": "conversations.close_conversation",
    "tags": "conversations.change_conversation",
    "restricted": "conversations.change_conversation",
}


@router.patch("/{key}", response=ConversationOut)
def update_conversation(request: HttpRequest, key: str, payload: ConversationPatch) -> Conversation:
    """Change what the conversation is about, who handles it, or its status; a new assignee
    is notified, as when the change is made in the console."""
    changes = payload.dict(exclude_unset=True)
    for field in changes:
        require(request.user, CHANGE_PERMISSIONS[field])
    conversation = conversation_for(request.user, key, purpose="write")
    teamwork.update(conversation=conversation, by=request.user, changes=changes)  # type: ignore[arg-type]
    return conversation


class RevealIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why it is needed (recorded).")


class RevealOut(Schema):
    number: str = Field(description="The person's phone number, whole, in E.164.")


@router.post("/{key}/reveal", response=RevealOut)
def reveal_number(request: HttpRequest, key: str, payload: RevealIn) -> dict[str, str]:
    """The person's phone number, whole. Numbers are masked everywhere else; those allowed
    to see one (supervisors, or staff given `contacts.reveal_address`) give a reason, and the
    reveal is written to the audit log with it."""
    require(request.user, "contacts.reveal_address")
    conversation = conversation_for(request.user, key, purpose="write")
    user: Any = request.user
    number = contacts.reveal(
        identity=conversation.identity, by=user, reason=payload.reason, about=conversation
    )
    return {"number": number}


class EscalationIn(Schema):
    to: str = Field(
        "supervisor", max_length=64, description='"supervisor", or the slug of a desk\'s team.'
    )
    reason: str = Field(max_length=4000, description="Kept as an internal note.")


@router.post("/{key}/escalate", response=ConversationOut)
def escalate_conversation(request: HttpRequest, key: str, payload: EscalationIn) -> Conversation:
    """Raise the conversation to the desk's supervisors or to a specialist team, who are
    notified; the priority rises to at least high."""
    require(request.user, "conversations.add_note")
    conversation = conversation_for(request.user, key, purpose="write")
    user: Any = request.user
    return teamwork.escalate_to(
        conversation=conversation, to=payload.to, reason=payload.reason, by=user
    )


class AttachmentOut(Schema):
    id: int
    mime_type: str
    filename: str
    size: int | None
    available: bool = Field(description="Whether the file is kept and can be downloaded.")


class EntryOut(Schema):
    id: int
    type: Literal["message", "note"]
    internal: bool = Field(description="True for an internal note, seen by staff only.")
    direction: Literal["in", "out"] | None
    kind: str
    text: str
    status: str | None
    author: str | None
    created_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    failed_at: datetime | None = None
    error_code: str = ""
    error_title: str = ""
    details: dict[str, Any] | None = None  # a location, a chosen button, a template...
    attachments: list[AttachmentOut] = []

    @staticmethod
    def of(entry: Entry) -> "EntryOut":
        item = entry.item
        author = item.author.get_username() if item.author else None
        if not isinstance(item, Message):
            return EntryOut(
                id=item.pk,
                type="note",
                internal=True,
                direction=None,
                kind="note",
                text=item.text,
                status=None,
                author=author,
                created_at=item.created_at,
            )
        return EntryOut(
            id=item.pk,
            type="message",
            internal=False,
            direction=item.direction,  # type: ignore[arg-type]
            kind=item.kind,
            text=item.text,
            status=item.status,
            author=author,
            created_at=item.created_at,
            sent_at=item.sent_at,
            delivered_at=item.delivered_at,
            read_at=item.read_at,
            failed_at=item.failed_at,
            error_code=item.error_code,
            error_title=item.error_title,
            details=item.details,
            attachments=[
                AttachmentOut(
                    id=a.pk,
                    mime_type=a.mime_type,
                    filename=a.filename,
                    size=a.size,
                    available=a.is_fetched,
                )
                for a in item.attachments.all()
            ],
        )


@router.get("/{key}/messages", response=list[EntryOut])
def list_messages(request: HttpRequest, key: str) -> list[EntryOut]:
    """The conversation's messages and internal notes, oldest first."""
    conversation = conversation_for(request.user, key)
    return [EntryOut.of(entry) for entry in history_of(conversation)]


class ChoiceIn(Schema):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=24)
    description: str = Field("", max_length=72)


class ListIn(Schema):
    button: str = Field(min_length=1, max_length=20, description="The label that opens the list.")
    section: str = Field("", max_length=24)
    choices: list[ChoiceIn]


class TemplateIn(Schema):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=1, max_length=16, description="Such as es, fr or en_US.")
    parameters: list[str] = Field(default_factory=list, description="Values of {{1}}, {{2}}...")


class MessageIn(Schema):
    text: str = Field("", max_length=10000)
    internal: bool = Field(False, description="Write an internal note instead of a reply.")
    buttons: list[ChoiceIn] | None = Field(None, description="Up to three reply buttons.")
    list: ListIn | None = Field(None, description="Choices behind one button (up to ten).")
    template: TemplateIn | None = Field(
        None,
        description="An approved WhatsApp template: the only message allowed 24 hours "
        "after the person's last one.",
    )
    article: str = Field(
        "",
        max_length=120,
        pattern=r"^[-a-z0-9_]*$",
        description="The key of the guide's article the reply was drawn from, if any.",
    )
    channel: UUID | None = Field(
        None,
        description="A phone conversation is answered in writing on another channel of the "
        "desk that reaches the caller's number (its SMS channel, or WhatsApp while the person "
        "may be written to there): that channel's id.",
    )


def _menu(payload: MessageIn) -> Menu | None:
    if payload.buttons is not None and payload.list is not None:
        raise Invalid("buttons or a list, not both")
    if payload.buttons is not None:
        return Menu(choices=tuple(Choice(**c.dict()) for c in payload.buttons))
    if payload.list is not None:
        listed = payload.list
        choices = tuple(Choice(**c.dict()) for c in listed.choices)
        return Menu(choices=choices, button=listed.button, section=listed.section)
    return None


@router.post("/{key}/messages", response={201: EntryOut})
def post_message(request: HttpRequest, key: str, payload: MessageIn) -> Answer[EntryOut]:
    """Reply to the person (queued, then sent), send a template, or with `internal` write a note.

    On WhatsApp more than 24 hours after the person's last message a reply is refused with
    409 `window_closed`: send an approved template instead (GET /channels/{id}/templates).
    A phone line carries no text: without `channel`, a reply on a phone conversation is
    refused with 409 `phone_conversation`.
    """
    permission = (
        "conversations.add_note" if payload.internal else "conversations.reply_conversation"
    )
    require(request.user, permission)
    conversation = conversation_for(request.user, key, purpose="write")
    user: Any = request.user
    if payload.internal:
        written = teamwork.write_note(conversation=conversation, text=payload.text, by=user)
        return Answer(201, EntryOut.of(Entry(written.created_at, written)))
    if payload.template is not None:
        if payload.text or payload.buttons or payload.list:
            raise Invalid("a template is sent alone: no text, buttons or list with it")
        template = Template(
            payload.template.name, payload.template.language, tuple(payload.template.parameters)
        )
        message = services.send_template(conversation=conversation, template=template, by=user)
    else:
        message = answer(
            conversation=conversation,
            text=payload.text,
            by=user,
            menu=_menu(payload),
            article=payload.article,
            channel=services.messaging_channel(conversation, payload.channel)
            if payload.channel
            else None,
        )
    message.refresh_from_db()
    return Answer(201, EntryOut.of(Entry(message.created_at, message)))


@router.post("/{key}/attachments", response={201: EntryOut})
def post_attachment(
    request: HttpRequest, key: str, file: File[UploadedFile], text: Form[str] = ""
) -> Answer[EntryOut]:
    """Send a file (photo, PDF, voice note...) with an optional caption, as multipart/form-data."""
    require(request.user, "conversations.reply_conversation")
    conversation = conversation_for(request.user, key, purpose="write")
    try:
        checked = check_upload(file, allowed=MEDIA, max_bytes=settings.MAX_UPLOAD_BYTES)
    except UploadRefused as error:
        raise Invalid(f"file: {error}") from None
    sent = services.File(checked.content, checked.mime_type, file.name or "file")
    user: Any = request.user
    message = answer(conversation=conversation, text=text, by=user, files=[sent])
    message.refresh_from_db()
    return Answer(201, EntryOut.of(Entry(message.created_at, message)))


@router.get("/{key}/attachments/{attachment_id}", response={200: None})
def get_attachment(request: HttpRequest, key: str, attachment_id: int) -> HttpResponseBase:
    """Download a file of the conversation."""
    attachment = attachment_of(conversation_for(request.user, key), attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type or "application/octet-stream",
        as_attachment=True,
        filename=attachment.filename or f"attachment-{attachment.pk}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
