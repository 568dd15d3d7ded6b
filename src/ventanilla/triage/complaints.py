"""Complaints and suggestions on people's own channels.

A message that starts with the word for "complaint" (or "suggestion") in any language served
is filed in the register (accountability) with the rest of the message as what it says; the
person gets its number. A message that carries the number of one of their own complaints is
answered with where it stands. A number of someone else's complaint is answered as unknown:
the register tells nobody else's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ventanilla.accountability.models import Complaint, Kind, Source
from ventanilla.accountability.selectors import where_it_stands
from ventanilla.accountability.services import MAX_TEXT, NUMBER, file_complaint
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import Said
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.search import normalised_words
from ventanilla.desks.texts import speaking
from ventanilla.lib.errors import ServiceError
from ventanilla.triage.language import to_tell

COMPLAINT_WORD = gettext_noop("COMPLAINT")
SUGGESTION_WORD = gettext_noop("SUGGESTION")
# The first word of a complaint or a suggestion as people write it, beside the catalogue's
# word in each language (normalised as messages are: no case, accents or Arabic vowel marks).
MORE_WORDS = {
    Kind.COMPLAINT: {
        "queja",
        "reclamacion",
        "reclamo",
        "plainte",
        "reclamation",
        "شكوي",
        "شكايه",
        "klacht",
        "complaint",
        "beschwerde",
        "ⴰⵙⵖⵓⵢ",
    },
    Kind.SUGGESTION: {
        "sugerencia",
        "suggestion",
        "اقتراح",
        "suggestie",
        "suggerimento",
        "vorschlag",
    },
}


@dataclass(frozen=True)
class Heard:
    """What the message asked of the register: to file (kind) or to follow (number)."""

    kind: str = ""
    number: str = ""


@cache
def _words() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {kind: set(words) for kind, words in MORE_WORDS.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for kind, word in (
                (Kind.COMPLAINT, COMPLAINT_WORD),
                (Kind.SUGGESTION, SUGGESTION_WORD),
            ):
                found[kind].update(normalised_words(_(word))[:1])
    return {kind: frozenset(words) for kind, words in found.items()}


def heard(text: str) -> Heard:
    """A complaint's number anywhere in the message, or the word that files one first."""
    number = NUMBER.search(text or "")
    if number:
        return Heard(number=number.group(0).upper())
    first = normalised_words(text or "")[:1]
    for kind, words in _words().items():
        if first and first[0] in words:
            return Heard(kind=kind)
    return Heard()


def _tell(conversation: Conversation, text: str, what: str) -> bool:
    if not services.within_reply_window(conversation):
        return False
    with contextlib.suppress(ServiceError):  # the register has it all the same
        automatic.reply(conversation=conversation, text=text, state=Said(what))
        return True
    return False


def file_from_message(
    *, message: Message, kind: str, source: str = Source.KEYWORD
) -> Complaint | None:
    """File the conversation as a complaint or a suggestion, unless it is one already; the
    person is told its number. By its word, the message says what the complaint is; by the
    bot's menu, the person is asked to say it."""
    conversation = Conversation.objects.select_related("desk", "channel").get(
        pk=message.conversation_id
    )
    if is_filed(conversation):
        return None
    said = message.text[:MAX_TEXT] if source == Source.KEYWORD else ""
    complaint = file_complaint(  # the whole message stays in the conversation
        conversation=conversation, source=source, kind=kind, text=said
    )
    with speaking(conversation.desk, to_tell(conversation)):
        if source == Source.MENU:
            text = _(
                "Your complaint is registered with the number %(number)s. Tell us here what "
                "happened: a supervisor will answer you. Write this number at any time to "
                "know where it stands."
            ) % {"number": complaint.number}
        elif kind == Kind.SUGGESTION:
            text = _(
                "Thank you: your suggestion is registered with the number %(number)s. "
                "Our staff read every one."
            ) % {"number": complaint.number}
        else:
            text = _(
                "Your complaint is registered with the number %(number)s. A supervisor will "
                "answer you here. Write this number at any time to know where it stands."
            ) % {"number": complaint.number}
    _tell(conversation, text, "complaint")
    return complaint


def follow_from_message(*, message: Message, number: str) -> bool:
    """Answer a message that quotes a complaint's number; says whether it was the person's."""
    conversation = Conversation.objects.select_related("desk", "channel").get(
        pk=message.conversation_id
    )
    complaint = (
        Complaint.objects.filter(
            desk=conversation.desk, number=number, conversation__contact_id=conversation.contact_id
        )
        .prefetch_related("entries")
        .first()
    )
    with speaking(conversation.desk, to_tell(conversation)):
        if complaint is None:
            text = _(
                "We find no complaint %(number)s of yours. Check the number, or tell us "
                "what happened and we will register it."
            ) % {"number": number}
        else:
            text = where_it_stands(complaint)
    _tell(conversation, text, "complaint")
    return complaint is not None


def is_filed(conversation: Conversation) -> bool:
    """Whether the conversation is in the complaints register."""
    return Complaint.objects.filter(conversation=conversation).exists()


def from_person(message: Message) -> bool:
    return message.direction == Direction.IN and bool(message.text)
