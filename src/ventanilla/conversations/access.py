"""The only way views and the API reach conversations: access checks and audited reads.

Staff see the conversations of the desks they belong to (administrators: every desk);
analysts see no conversation at all, only the aggregates of `statistics_for`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core import signing
from django.db.models import Count, Q, QuerySet

from ventanilla.contacts.models import Contact
from ventanilla.conversations.models import Attachment, Conversation, Message, Note
from ventanilla.conversations.search import conversations_saying
from ventanilla.desks.models import Team
from ventanilla.desks.roles import Role, role_of
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound
from ventanilla.privacy.services import audit

REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{6,}$")


def conversations_visible_to(user: Any) -> QuerySet[Conversation]:
    """The conversations of one's desks; of the protection cases among them, those assigned
    to one or one's team (supervisors and administrators: all). A volunteer sees only those
    of their teams and those assigned to them."""
    require(user, "conversations.view_conversation")
    found = Conversation.objects.filter(desk__in=desks_visible_to(user))
    if not user.has_perm("desks.supervise_desk"):
        teams = Team.objects.filter(members__user=user).values_list("pk", flat=True)
        mine = Q(assignee=user) | Q(team__in=teams)
        found = found.filter(mine if is_volunteer(user) else Q(restricted=False) | mine)
    return found.select_related("desk", "channel", "contact", "assignee", "request_type", "team")


def is_volunteer(user: Any) -> bool:
    """Whether the user works as a volunteer (remembered on the user for the request)."""
    if not hasattr(user, "_is_volunteer"):
        user._is_volunteer = role_of(user) == Role.VOLUNTEER
    return bool(user._is_volunteer)


def may_see(user: Any, conversation: Conversation) -> bool:
    """Whether this member of staff may read the conversation (for whom to notify)."""
    if not user.has_perm("conversations.view_conversation"):
        return False
    return conversations_visible_to(user).filter(pk=conversation.pk).exists()


def conversation_for(user: Any, key: str | int, *, purpose: str = "read") -> Conversation:
    """One conversation by id or reference, if the user may see it; the read is audited.

    A conversation the user may not see is reported as missing, not forbidden, so that
    references cannot be probed.
    """
    visible = conversations_visible_to(user)
    key = str(key).strip()
    if key.isdigit() and len(key) <= 18:  # beyond, no id exists (and no database takes it)
        conversation = visible.filter(pk=int(key)).first()
    elif REFERENCE.match(key.upper()):
        conversation = visible.filter(reference=key.upper()).first()
    else:
        conversation = None
    if conversation is None:
        raise NotFound(f"no conversation {key}")
    if purpose == "read":
        audit(actor=user, action="conversation.read", target=conversation)
    return conversation


def contact_for(user: Any, pseudonym: str) -> Contact:
    """A contact by pseudonym, if the user sees one of their conversations (administrators:
    any contact); otherwise reported missing, as a conversation is."""
    found = Contact.objects.filter(pseudonym=pseudonym.strip().upper()).first()
    if found is None or not (
        user.has_perm("desks.access_all_desks")
        or conversations_visible_to(user).filter(contact=found).exists()
    ):
        raise NotFound(f"no contact {pseudonym}")
    return found


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    desk: str | None = None
    channel: UUID | None = None
    language: str | None = None
    topic: str | None = None
    assignee: str | None = None  # a username, "me" or "none"
    q: str | None = None
    team: str | None = None  # a team's slug, or "none" for the desk's general queue
    request_type: str | None = None
    tag: str | None = None
    priority: str | None = None
    escalated: bool = False
    among: tuple[int, ...] | None = None  # the conversations a word search found (searched)

    def without(self, field: str) -> Filters:
        """The same filters but one: what the counts of that filter's choices are taken over."""
        cleared: Any = False if field == "escalated" else None
        return replace(self, **{field: cleared})


def search_conversations(user: Any, filters: Filters) -> QuerySet[Conversation]:
    found = conversations_visible_to(user)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.team == "none":
        found = found.filter(team__isnull=True)
    elif filters.team:
        found = found.filter(team__slug=filters.team)
    if filters.request_type:
        found = found.filter(request_type__slug=filters.request_type)
    if filters.tag:
        found = found.filter(tags__name=filters.tag)
    if filters.priority:
        found = found.filter(priority=filters.priority)
    if filters.escalated:
        found = found.exclude(escalation="")
    if filters.desk:
        found = found.filter(desk__slug=filters.desk)
    if filters.channel:
        found = found.filter(channel_id=filters.channel)
    if filters.language:
        found = found.filter(language=filters.language)
    if filters.topic:
        found = found.filter(topic=filters.topic)
    if filters.assignee == "none":
        found = found.filter(assignee__isnull=True)
    elif filters.assignee == "me":
        found = found.filter(assignee=user)
    elif filters.assignee:
        found = found.filter(assignee__username=filters.assignee)
    if filters.q and REFERENCE.match(filters.q.strip().upper()):
        found = found.filter(reference=filters.q.strip().upper())
    elif filters.among is not None:
        found = found.filter(pk__in=filters.among)
    elif filters.q:
        found = found.filter(pk__in=_saying(user, filters.q, MAX_FOUND))
    return found


MAX_FOUND = 1000  # conversations a word search keeps, the latest first


def record_search(user: Any, q: str | None) -> None:
    """A search is in the audit log: who searched, when, for a reference or for words (never
    the words themselves, which may be what a person confided)."""
    if q and q.strip():
        kind = "reference" if REFERENCE.match(q.strip().upper()) else "words"
        audit(actor=user, action="conversation.search", target=user, kind=kind)


def _saying(user: Any, words: str, limit: int) -> list[int]:
    desks = desks_visible_to(user).values_list("pk", flat=True)
    return conversations_saying(words, list(desks), limit)


def searched(user: Any, filters: Filters, limit: int = MAX_FOUND) -> tuple[Filters, bool]:
    """The filters with a word search done once (it reads every message), for pages that
    count and list with them many times; and whether only the latest `limit` were kept."""
    if not filters.q or REFERENCE.match(filters.q.strip().upper()):
        return filters, False
    ids = _saying(user, filters.q, limit + 1)
    return replace(filters, among=tuple(ids[:limit])), len(ids) > limit


@dataclass(frozen=True)
class Entry:
    """One line of a conversation's history: a message or an internal note."""

    at: datetime
    item: Message | Note

    @property
    def is_note(self) -> bool:
        return isinstance(self.item, Note)


def history_of(conversation: Conversation) -> list[Entry]:
    """Messages and notes of a conversation the caller got from `conversation_for`, in order."""
    return histories_of([conversation])[conversation.pk]


def histories_of(conversations: list[Conversation]) -> dict[int, list[Entry]]:
    """The histories of several conversations the caller may see, in three queries."""
    ids = [c.pk for c in conversations]
    messages = (
        Message.objects.filter(conversation_id__in=ids)
        .select_related("author")
        .prefetch_related("attachments", "translations")
    )
    notes = Note.objects.filter(conversation_id__in=ids).select_related("author")
    found: dict[int, list[Entry]] = {pk: [] for pk in ids}
    for message in messages:
        found[message.conversation_id].append(Entry(message.created_at, message))
    for note in notes:
        found[note.conversation_id].append(Entry(note.created_at, note))
    for entries in found.values():
        entries.sort(key=lambda entry: (entry.at, entry.is_note))
    return found


def statistics_for(user: Any) -> dict[str, Any]:
    """Counts of conversations by status, desk, channel type, language and outcome: no
    content."""
    require(user, "conversations.view_statistics")
    conversations = Conversation.objects.filter(desk__in=desks_visible_to(user))

    def counts(field: str) -> dict[str, int]:
        rows = conversations.values(field).annotate(n=Count("id")).order_by(field)
        return {str(row[field] or ""): row["n"] for row in rows}

    return {
        "total": conversations.count(),
        "by_status": counts("status"),
        "by_desk": counts("desk__slug"),
        "by_channel_type": counts("channel__type"),
        "by_language": counts("language"),
        "by_outcome": counts("outcome"),
        "messages": {
            "inbound": Message.objects.filter(
                conversation__in=conversations, direction="in"
            ).count(),
            "outbound": Message.objects.filter(
                conversation__in=conversations, direction="out"
            ).count(),
        },
    }


def attachment_of(conversation: Conversation, attachment_id: int) -> Attachment:
    """A kept file of a conversation the caller got from `conversation_for`."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__conversation=conversation)
        .exclude(file="")
        .first()
    )
    if attachment is None:
        raise NotFound(f"no file {attachment_id} in this conversation")
    return attachment


FILE_LINK_MAX_AGE = 3600  # seconds a signed file link stays valid


def attachment_for_link(token: str) -> Attachment:
    """The attachment a signed link names, while the link is valid."""
    from ventanilla.conversations.delivery import FILE_LINK_SALT

    try:
        attachment_id = signing.loads(token, salt=FILE_LINK_SALT, max_age=FILE_LINK_MAX_AGE)
    except signing.BadSignature:
        raise NotFound("this link is not valid, or no longer") from None
    attachment = Attachment.objects.filter(pk=attachment_id).exclude(file="").first()
    if attachment is None:
        raise NotFound("this link is not valid, or no longer")
    return attachment
