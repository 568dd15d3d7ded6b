"""Queue entry points: each task loads rows and calls a service; the rows say what is left to do."""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ventanilla.conversations import delivery, media, reconcile, services
from ventanilla.conversations.models import Conversation, Direction, Message, Status
from ventanilla.conversations.out_of_hours import send_closed_notice
from ventanilla.helpcentre.status_chat import answer_in_conversation
from ventanilla.knowledge import bot, text
from ventanilla.knowledge.search import language_of
from ventanilla.teamwork import routing

logger = logging.getLogger(__name__)

# Calls and voice messages: the phone line answers and routes them itself (ventanilla.calls).
CALL_KINDS = ("call", "voicemail")
# What the bot says it did when it keeps the conversation: people need not see it yet.
BOT_HOLDS = ("answer", "choices", "welcome", "resolved")
RELEARN_WORDS = 3  # words in other letters than the conversation's language: it was not theirs


@db_task()
def handle_message(message_id: int) -> None:
    """What happens to a person's message once it is stored.

    The language the person wrote in is recognised (when the conversation has none yet).
    A question about an application's status is answered at once; otherwise the guide's bot
    may answer; when the bot hands the conversation to people (or does not speak at all) it
    is routed: team, priority, interpretation, assignee. Out of hours the person is told
    when the desk opens, unless the bot already said so.
    """
    message = Message.objects.filter(pk=message_id, direction=Direction.IN).first()
    if message is None or message.kind in CALL_KINDS:
        return
    conversation = Conversation.objects.select_related("desk").get(pk=message.conversation_id)
    if message.text:
        _learn_language(conversation, message.text)
    if answer_in_conversation(message=message):
        return
    said = bot.respond(message=message)
    if said.startswith(BOT_HOLDS):
        return
    conversation.refresh_from_db()
    handed_over = said.startswith("handover")
    if conversation.status != Status.CLOSED and (handed_over or conversation.routed_at is None):
        routing.route(conversation=conversation)
    if not handed_over or said == "handover (no-text)":  # the bot said nothing about hours
        send_closed_notice(message=message)


def _learn_language(conversation: Conversation, written: str) -> None:
    """The language the person wrote in, among the desk's and the console's, so that routing
    can use it: when the conversation has none yet, or has one written in other letters than
    a message of a few words (Spanish chosen in the web chat, then Darija in Arabic letters)."""
    if conversation.language:
        script, words = _script(written)
        if words < RELEARN_WORDS or script == text.script_of_language(conversation.language):
            return
    known = [*conversation.desk.languages, *(code for code, _name in settings.LANGUAGES)]
    language = language_of(written, languages=list(dict.fromkeys(known)))
    if language and language != conversation.language:
        services.classify(conversation=conversation, by=None, language=language)


def _script(written: str) -> tuple[str, int]:
    """The script most of a text's words are written in, and how many words it has in it
    (numbers and references aside)."""
    scripts = Counter(
        text.script_of(word) for word in text.words(written) if not any(c.isdigit() for c in word)
    )
    return scripts.most_common(1)[0] if scripts else ("", 0)


@db_task()
def deliver_message(message_id: int) -> None:
    delivery.deliver(message_id=message_id)


@db_task()
def fetch_attachment(attachment_id: int) -> None:
    media.fetch(attachment_id=attachment_id)


@db_task()
def sweep_now() -> None:
    delivery.sweep()


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    delivery.sweep()


@db_periodic_task(crontab(minute="*/10"))
def reconcile_sms_messages() -> None:
    """Every ten minutes: SMS that never reached the webhook are imported from Twilio's list."""
    reconcile.reconcile_sms()
