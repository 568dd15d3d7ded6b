"""Application statuses in conversations: a person writes a reference and a date of birth on
WhatsApp, SMS or the web chat and is told at once where the application stands.

A word shaped like one of the desk's references (ES-2026-000123 is AA-9999-999999) is a
reference, known or not, so that an unknown reference gets the answer a wrong date of birth
gets. A question for an application's status without a reference ("I want to know the status of
my application", in any language the desk serves) is answered with a question for the
reference. Given without a date of birth, the reply asks for it, and the look-up remembers
the reference's keyed hash (conversations/automatic.py keeps it, typed, with the reply): the
person's next message with a date completes the look-up, unless someone wrote to them in
between. The look-up also remembers the last message it answered, so that running again
answers once. Its replies carry {"status_lookup": what it said} in their details.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import StatusState
from ventanilla.conversations.models import (
    AutomaticReplies,
    Conversation,
    Direction,
    Message,
    Status,
)
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking
from ventanilla.helpcentre.application_texts import ask_for_birth_date
from ventanilla.helpcentre.applications import (
    ask_second_factor,
    look_up_by_hash,
    parse_birth_date,
    reference_hash,
    reference_shapes,
    references_start_with,
    shape_of,
)
from ventanilla.helpcentre.status_words import asks_for_status
from ventanilla.knowledge.bot_texts import greeting_language
from ventanilla.lib.errors import ServiceError

logger = logging.getLogger(__name__)

ASKED = "ask-second-factor"
ASKED_REFERENCE = "ask-reference"
WAITING = timedelta(hours=1)  # how long a question for the date of birth stays open
_EDGES = "\"'()[]{}<>,;:!?¿¡«»“”‘’*_~.؟،"  # noqa: RUF001 (quotation marks people type)
_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def answer_in_conversation(*, message: Message) -> bool:
    """Answer a person's message if it asks for an application's status; say whether it did.

    True: the message was a status request (or its date of birth) and has been answered;
    nothing else should answer it. False: not for us (the desk has no applications loaded,
    no reference in it, no question pending), to be handled as any other message.
    Run once the message is stored; safe to run again for the same message.
    """
    if message.direction != Direction.IN or message.kind != "text" or not message.text.strip():
        return False
    shapes = reference_shapes(message.conversation.desk)
    if not shapes:
        return False
    try:
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update(
                    of=("self",)
                )  # not the channel, desk, contact
                .select_related("desk", "channel", "contact")
                .get(pk=message.conversation_id)
            )
            if conversation.status == Status.CLOSED:
                return False
            state = automatic.state_of(conversation)
            if state.status_answered == message.pk:
                return True
            step = _respond(conversation, message, shapes, state)
    except ServiceError as error:  # the reply could not be queued (a closed WhatsApp window)
        logger.info("status look-up: message %s: %s", message.pk, error.code)
        return False
    if step:
        logger.info(
            "status look-up: conversation %s message %s: %s", conversation.pk, message.pk, step
        )
    return bool(step)


def _respond(
    conversation: Conversation,
    message: Message,
    shapes: frozenset[str],
    state: AutomaticReplies,
) -> str:
    words = [w.strip(_EDGES).translate(_EASTERN_DIGITS) for w in message.text.split()]
    dates = [w for w in words if _DATE_LIKE.match(w)]
    candidates = [w for w in words if w not in dates and shape_of(w) in shapes]
    reference = next((w for w in candidates if not _our_own_reference(conversation, w)), None)
    pending = "" if reference else _waiting_for_date(conversation, state, before=message)
    desk, channel = conversation.desk, str(conversation.channel.type)
    if not (reference or (pending and dates)):
        asked_in = asks_for_status(message.text)
        if not asked_in:
            return ""
        language = conversation.language or conversation.contact.language or asked_in
        _reply(conversation, message, _ask_for_reference(desk, language), ASKED_REFERENCE)
        return ASKED_REFERENCE
    language = _language(conversation, message.text)
    born = next((d for d in dates if _is_birth_date(d)), None)
    if born is None:
        if reference:
            key, text = ask_second_factor(
                desk=desk, reference=reference, channel=channel, language=language
            )
        else:  # a date that is not a possible date of birth: ask again
            key, text = pending, _ask_again(desk, language)
        _reply(conversation, message, text, ASKED, reference=key)
        return ASKED
    answer = look_up_by_hash(
        desk=desk,
        reference_key=reference_hash(desk, reference) if reference else pending,
        second_factor=born,
        channel=channel,
        requester_key=f"contact:{conversation.contact_id}",
        language=language,
    )
    _reply(conversation, message, answer.text, str(answer.outcome))
    return str(answer.outcome)


def _our_own_reference(conversation: Conversation, word: str) -> bool:
    """Whether the word is the reference of a conversation (VT-2026-000123, which the portal
    gives), where the desk's applications' references do not look like those."""
    prefix = f"{conversation.desk.reference_prefix}-"
    return word.upper().startswith(prefix) and not references_start_with(conversation.desk, prefix)


def _is_birth_date(text: str) -> bool:
    try:
        parse_birth_date(text)
    except ValueError:
        return False
    return True


def _ask_again(desk: Desk, language: str) -> str:
    with speaking(desk, language):
        return ask_for_birth_date()


def _ask_for_reference(desk: Desk, language: str) -> str:
    with speaking(desk, language):
        return _(
            "To tell you where your application stands, please send its reference number, "
            "as it appears on your receipt, and the applicant's date of birth as "
            "day/month/year."
        )


def _waiting_for_date(
    conversation: Conversation, state: AutomaticReplies, *, before: Message
) -> str:
    """The keyed hash of the reference whose date of birth the look-up asked for, if it
    asked lately and its question is the last thing said to the person; "" otherwise."""
    asked = state.status_asked
    if (
        not state.status_reference
        or asked is None
        or asked >= before.pk
        or state.status_asked_at is None
        or state.status_asked_at < timezone.now() - WAITING
    ):
        return ""
    said_since = Message.objects.filter(
        conversation=conversation, direction=Direction.OUT, pk__gt=asked, pk__lt=before.pk
    )
    return "" if said_since.exists() else state.status_reference


def _language(conversation: Conversation, text: str) -> str:
    """The conversation's language, else the one its greeting is in, else Arabic for Arabic
    letters, else the desk's main language."""
    arabic = "ar" if any("\u0600" <= c <= "\u06ff" for c in text) else ""
    known = conversation.language or conversation.contact.language
    desk_languages = conversation.desk.languages or ["en"]
    return known or greeting_language(text) or arabic or desk_languages[0]


def _reply(
    conversation: Conversation, message: Message, text: str, step: str, *, reference: str = ""
) -> None:
    """Queue the answer, and remember which message it answered (and, asking for the date of
    birth, which reference)."""
    state = StatusState(step=step, answered=message.pk, reference=reference)
    automatic.reply(conversation=conversation, text=text, state=state)
    if conversation.status == Status.OPEN and conversation.assignee_id is None:
        services.wait_for_person(conversation=conversation, by=None)  # as the bot does
