"""Telling people what is kept, and hearing when they want it gone.

The privacy notice: the first time a person writes on a channel, they are told in their
language that their messages are kept encrypted and read by staff only, for how long, and
how to have their data erased. Its wording is a desk text like any other (the desk's own, or
the default in every language), so a desk words it as its lawyers want.

A request to erase one's data: a message that says "delete my data" in any of the languages
served (or the words the notice gave, as the desk words them) goes to the desk's supervisors
and the person is told it will be done. It is never done on the message alone: whoever holds
the person's phone could send it, and a supervisor erases (conversations.retention).
"""

from __future__ import annotations

import contextlib
import re
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from ventanilla.conversations import automatic, retention, services
from ventanilla.conversations.automatic import Said
from ventanilla.conversations.models import Conversation, Direction, Message, PrivacyNotice, Status
from ventanilla.conversations.search import normalised_words
from ventanilla.desks.texts import speaking
from ventanilla.lib.errors import ServiceError
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, supervisors_of
from ventanilla.triage.language import to_tell
from ventanilla.triage.out_of_hours import NOTICE_CHANNELS

ERASE_WORDS = gettext_noop("DELETE MY DATA")
# "delete my data" as people write it, on the words as the search compares them (no case,
# accents or Arabic vowel marks; alef forms as alef, teh marbuta as heh).
ASKED = re.compile(
    r"\b(?:"
    r"(?:delete|erase|remove|wipe)(?: all)?(?: of)? my (?:personal )?(?:data|information|details)"
    r"|(?:borra|borrar|borren|elimina|eliminar|eliminen|suprime|suprimir)(?: todos)? mis datos"
    r"|(?:supprime[rz]?|efface[rz]?)(?: toutes)? mes (?:donnees|informations)"
    r"|(?:cancella|cancellare|cancellate|elimina|eliminare|eliminate)(?: tutti)? i miei dati"
    r"|(?:losche|loschen|loscht|entferne|entfernen)(?: sie)?(?: alle)? meine daten"
    r"|meine daten (?:loschen|entfernen)"
    r"|(?:verwijder|verwijderen|wis|wissen)(?: al)? mijn (?:gegevens|data)"
    r"|mijn gegevens (?:verwijderen|wissen)"
    r"|(?:احذف|احذفوا|امسح|امسحوا|حذف|مسح|ازاله) بياناتي"
    r"|ⴽⴽⵙ ⵉⵙⴼⴽⴰ ⵉⵏⵓ"
    r")\b"
)


def notice_text(conversation: Conversation) -> str:
    """The notice, in the active language (the caller speaks as the desk)."""
    days = conversation.desk.content_retention_days
    if days:
        kept = ngettext(
            "They are deleted %(days)s day after your question is answered.",
            "They are deleted %(days)s days after your question is answered.",
            days,
        ) % {"days": days}
    else:
        kept = _("They are kept until you ask us to delete them.")
    return _(
        "Your messages are kept encrypted and read only by our staff. %(kept)s "
        'To have your data deleted, write "%(words)s" at any time.'
    ) % {"kept": kept, "words": _(ERASE_WORDS)}


@transaction.atomic
def give_notice(*, message: Message) -> bool:
    """The privacy notice, if this is the first time the person writes on this channel.
    Says whether it was given."""
    if message.direction != Direction.IN:
        return False
    conversation = Conversation.objects.select_related("desk", "channel", "contact").get(
        pk=message.conversation_id
    )
    if (
        not conversation.desk.privacy_notice
        or conversation.channel.type not in NOTICE_CHANNELS
        or conversation.status == Status.CLOSED
    ):
        return False
    given = PrivacyNotice.objects.filter(
        identity_id=conversation.identity_id, channel_id=conversation.channel_id
    )
    if given.exists():  # the usual case: a person who wrote here before
        return False
    try:
        with transaction.atomic():
            PrivacyNotice.objects.create(
                identity_id=conversation.identity_id, channel_id=conversation.channel_id
            )
    except IntegrityError:
        return False  # given at this very moment, for another of their messages
    if not services.within_reply_window(conversation):
        return False
    with speaking(conversation.desk, to_tell(conversation)):
        text = notice_text(conversation)
    try:
        automatic.reply(conversation=conversation, text=text, state=Said("privacy"))
    except ServiceError:
        return False
    return True


def asks_for_erasure(text: str, desk_words: list[str]) -> bool:
    """Whether a message asks for the person's data to be deleted, in any language served,
    or in the words the notice gives (`desk_words`, as the desk words them)."""
    said = " ".join(normalised_words(text))
    if ASKED.search(said):
        return True
    return any(words and words in said for words in desk_words)


@cache
def _default_erase_words() -> tuple[str, ...]:
    """The words of the notice in every interface language, as ventanilla words them."""
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.append(" ".join(normalised_words(_(ERASE_WORDS))))
    return tuple(found)


def erase_words(conversation: Conversation) -> list[str]:
    """The words people are told to write: in every language as ventanilla words them, and
    as this desk words them in the language the person was told (one desk-text look-up per
    message, not one per language), normalised as messages are."""
    with speaking(conversation.desk, to_tell(conversation)):
        own = " ".join(normalised_words(_(ERASE_WORDS)))
    return [*_default_erase_words(), own]


@transaction.atomic
def take_erasure_request(*, message: Message) -> bool:
    """A message asking for the person's data to be deleted goes to the supervisors; the
    person is told. Says whether it was such a request."""
    if message.direction != Direction.IN or not message.text:
        return False
    conversation = Conversation.objects.select_related("desk", "channel", "contact").get(
        pk=message.conversation_id
    )
    if not asks_for_erasure(message.text, erase_words(conversation)):
        return False
    if not retention.erasure_requested(conversation=conversation, message=message):
        return True  # asked again: the supervisors know already
    notify(
        supervisors_of(conversation.desk).distinct(),
        kind=NotificationKind.ERASURE,
        conversation=conversation,
        actor=None,
    )
    if services.within_reply_window(conversation) and conversation.channel.type in NOTICE_CHANNELS:
        with speaking(conversation.desk, to_tell(conversation)):
            text = _(
                "We have received your request to delete your data. A member of our staff "
                "will delete it soon; after that we will no longer have your messages or "
                "your number."
            )
        with contextlib.suppress(ServiceError):  # the supervisors have it all the same
            automatic.reply(conversation=conversation, text=text, state=Said("erasure"))
    return True
