"""Ventanilla's own replies — the guide's bot, the status look-up in chat, the out-of-hours
notice — queued together with where their responder stands, in one transaction.

Where each responder stands is kept in typed fields: `AutomaticReplies` for the bot and the
status look-up, `Conversation.closed_notice_until` for the notice. A reply carries only a
marker of who wrote it and what it did ({"bot": step}, {"status_lookup": step} or
{"auto": "closed"} in its details), for people and the API to tell ventanilla's own words
apart; nothing reads a responder's state back from messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ventanilla.channels.adapters.base import Menu
from ventanilla.conversations import services
from ventanilla.conversations.models import (
    AutomaticReplies,
    BotStep,
    Conversation,
    Direction,
    Message,
)


@dataclass(frozen=True, kw_only=True)
class BotState:
    """Where the bot stands once it dealt with the person's message `answered`: all it
    knew before is replaced, as the step starts afresh from what it just did."""

    step: BotStep
    answered: int  # the id of the person's message
    article: str = ""  # the article it answered with (or whose answer helped)
    topic: str = ""
    offered: Sequence[str] = ()  # the keys of the articles offered
    language: str = ""  # the language it spoke
    question: int | None = None  # the id of the message that asked what it is answering
    reason: str = ""  # why it handed over


@dataclass(frozen=True, kw_only=True)
class StatusState:
    """What the status look-up in chat did with the person's message `answered`."""

    step: str  # what it said: the look-up's outcome, or that it asked for something
    answered: int  # the id of the person's message
    reference: str = ""  # asking for the date of birth: the keyed hash of the reference


@dataclass(frozen=True)
class NoticeState:
    """The person knows the desk is closed until `until`: no other notice before then."""

    until: datetime


@dataclass(frozen=True)
class Said:
    """A word of ventanilla's own said once (the privacy notice, the receipt of a request to
    erase one's data): nothing to remember beyond its marker, {"auto": what}."""

    what: str


State = BotState | StatusState | NoticeState | Said
MARKERS = {BotState: "bot", StatusState: "status_lookup", NoticeState: "auto", Said: "auto"}


def to_tell(conversation: Conversation) -> str:
    """The language to tell the person something in (a notice, a survey): the
    conversation's, else their contact's, else the desk's main language."""
    spoken = conversation.language or conversation.contact.language
    return spoken or (conversation.desk.languages or ["en"])[0]


def last_said(message: Message) -> str:
    """What ventanilla said last before the person's message, by its marker ({"auto": what}:
    "referral", "services-where.health"...); "" when the last word before it was not one of
    its own such words (staff wrote, or nothing was said)."""
    last = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            direction=Direction.OUT,
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    return str((last.details or {}).get("auto", "")) if last is not None else ""


def state_of(conversation: Conversation) -> AutomaticReplies:
    """Where the bot and the status look-up stand in the conversation (a blank, unsaved row
    when neither has said anything yet)."""
    found = AutomaticReplies.objects.filter(conversation=conversation).first()
    return found or AutomaticReplies(conversation=conversation)


@transaction.atomic
def reply(
    *,
    conversation: Conversation,
    text: str,
    state: State,
    menu: Menu | None = None,
    article: str = "",
) -> Message:
    """Queue ventanilla's own reply (by None) and record where its responder now stands.

    Raises what `services.reply` raises (a closed WhatsApp window, a closed conversation):
    then nothing is recorded either.
    """
    sent = services.reply(conversation=conversation, text=text, by=None, menu=menu, article=article)
    step = (
        "closed"
        if isinstance(state, NoticeState)
        else state.what
        if isinstance(state, Said)
        else str(state.step)
    )
    sent.details = {**(sent.details or {}), MARKERS[type(state)]: step}
    sent.save(update_fields=["details"])
    _record(conversation, state, sent=sent, menu=menu)
    return sent


@transaction.atomic
def mark(*, conversation: Conversation, state: BotState | NoticeState) -> None:
    """Record where a responder stands without a word to the person: the bot leaving a
    photo to people, or the bot's handover that told when the desk opens being the notice."""
    _record(conversation, state, sent=None, menu=None)


def _record(
    conversation: Conversation, state: State, *, sent: Message | None, menu: Menu | None
) -> None:
    if isinstance(state, Said):
        return
    if isinstance(state, NoticeState):
        conversation.closed_notice_until = state.until
        services.save_changes(conversation, ["closed_notice_until"])
        return
    row, _created = AutomaticReplies.objects.select_for_update().get_or_create(
        conversation=conversation
    )
    if isinstance(state, BotState):
        _record_bot(row, state, sent=sent, menu=menu)
        _count_bot(conversation, state, sent=sent)
    else:
        row.status_answered = state.answered
        asked = sent if state.reference else None
        row.status_reference = state.reference if asked else ""
        row.status_asked = asked.pk if asked else None
        row.status_asked_at = asked.created_at if asked else None
    row.save()


def _count_bot(conversation: Conversation, state: BotState, *, sent: Message | None) -> None:
    """What the figures read of the bot, on the conversation itself: that it spoke, and when
    it first handed the conversation to people."""
    fields = []
    if not conversation.bot_spoke:
        conversation.bot_spoke = True
        fields.append("bot_spoke")
    if state.step == BotStep.HANDED_OVER and conversation.handed_over_at is None:
        conversation.handed_over_at = sent.created_at if sent is not None else timezone.now()
        fields.append("handed_over_at")
    if fields:
        services.save_changes(conversation, fields)


def _record_bot(
    row: AutomaticReplies, state: BotState, *, sent: Message | None, menu: Menu | None
) -> None:
    choices: dict[str, Any] | None = asdict(menu) if menu is not None else None
    row.bot_step = state.step
    row.bot_answered = state.answered
    row.bot_marked = sent.pk if sent is not None else state.answered
    row.bot_question = state.question
    row.bot_article = state.article[:120]
    row.bot_topic = state.topic[:64]
    row.bot_offered = list(state.offered)
    row.bot_menu = choices
    row.bot_language = state.language
    row.bot_reason = state.reason
    if sent is not None and state.step == BotStep.HANDED_OVER:
        row.bot_handed_over_at = sent.created_at
