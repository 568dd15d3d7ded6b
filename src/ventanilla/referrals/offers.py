"""The bot offers services from the directory: a person who asks where to find a kind of help
(a doctor, a bed for the night, a lawyer...) near a place the directory knows gets the
services of that kind there, in their language; asked without a place, they are asked
where they are, and their next message is taken as the place.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import Said, to_tell
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.desks.texts import speaking
from ventanilla.knowledge import bot
from ventanilla.knowledge.text import fold
from ventanilla.lib.errors import ServiceError
from ventanilla.referrals.models import Service, ServiceType
from ventanilla.referrals.selectors import Wanted, find_services
from ventanilla.referrals.services import details

logger = logging.getLogger(__name__)
AT_MOST = 3
ASKED = "services-where."  # the marker of the question "where are you?", with the type

# Words that name a kind of service, as people write them (folded: no case or accents).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    ServiceType.HEALTH: (
        "medico", "doctor", "clinica", "hospital", "enfermo", "enferma", "medecin", "clinique",
        "طبيب", "مستشفى", "عيادة", "dokter", "huisarts", "ziekenhuis", "arzt", "krankenhaus",
        "ospedale", "ⴰⵎⵙⵏⴰⵊⵉ",
    ),
    ServiceType.SHELTER: (
        "albergue", "dormir", "alojamiento", "refugio", "shelter", "hebergement", "مأوى",
        "مبيت", "opvang", "slapen", "unterkunft", "schlafen", "dormitorio", "ⴰⵙⵏⵓⴱⴳ",
    ),
    ServiceType.LEGAL: (
        "abogado", "abogada", "lawyer", "avocat", "محامي", "advocaat", "anwalt", "avvocato",
        "ⴰⵎⴰⵡⴰⵙ",
    ),
    ServiceType.FOOD: ("comida", "comedor", "food", "nourriture", "طعام", "voedsel", "cibo"),
    ServiceType.PSYCHOSOCIAL: (
        "psicologo", "psicologa", "psychologist", "psychologue", "psycholoog", "psychologe",
    ),
    ServiceType.EMPLOYMENT: ("empleo", "trabajo", "job", "emploi", "وظيفة", "baan", "lavoro"),
    ServiceType.EDUCATION: ("clases", "escuela", "school", "ecole", "cours", "مدرسة", "schule"),
}  # fmt: skip
# And words that ask where to find it: without one, the message is about something else
# ("perdí el trabajo"), and the guide answers it.
WHERE_WORDS = (
    "donde", "busco", "necesito", "hay", "ou", "cherche", "besoin", "اين", "وين", "ابحث",
    "احتاج", "waar", "zoek", "nodig", "wo", "suche", "brauche", "dove", "cerco", "bisogno",
    "where", "need", "looking", "find", "ⵎⴰⵏⵉ",
)  # fmt: skip
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Offered:
    """What the bot said: the services offered (their keys), or that it asked where."""

    type: str
    services: tuple[str, ...] = ()
    asked_where: bool = False


def type_asked(text: str) -> str:
    """The kind of service a message asks where to find, or ""."""
    words = set(_WORD.findall(fold(text)))
    if not words & {fold(w) for w in WHERE_WORDS}:
        return ""
    for kind, named in TYPE_WORDS.items():
        if words & {fold(w) for w in named}:
            return kind
    return ""


def place_named(services: list[Service], text: str) -> str:
    """The first city (else region) of the listed services that the text names."""
    folded = f" {' '.join(_WORD.findall(fold(text)))} "
    for field in ("city", "region"):
        for service in services:
            name = getattr(service, field)
            if name and f" {' '.join(_WORD.findall(fold(name)))} " in folded:
                return str(name)
    return ""


def offer(*, message: Message) -> Offered | None:
    """Offer the services the person's message asks for, or ask where they are; None when
    the message asks for none, or is not the bot's to answer."""
    if message.direction != Direction.IN or not message.text:
        return None
    conversation = Conversation.objects.select_related("desk", "channel", "contact").get(
        pk=message.conversation_id
    )
    kind = type_asked(message.text) or _asked_where(message)
    if not kind or not bot.may_answer(message):  # the words first: most messages stop there
        return None
    listed = find_services([conversation.desk], Wanted(type=kind))
    if not listed:
        return None
    place = place_named(listed, message.text)
    language = to_tell(conversation)
    if not place:
        if _asked_where(message):  # the answer names no place it knows
            return None
        with speaking(conversation.desk, language):
            text = _("Where are you? Write the name of your town or city.")
        _say(conversation, text, Said(f"{ASKED}{kind}"))
        return Offered(kind, asked_where=True)
    found = find_services([conversation.desk], Wanted(type=kind, place=place))[:AT_MOST]
    with speaking(conversation.desk, language) as spoken:
        intro = _("These services near %(place)s can help:") % {"place": place}
        text = "\n\n".join([intro, *(details(s, spoken) for s in found)])
    _say(conversation, text, Said("services"))
    return Offered(kind, tuple(s.key for s in found))


def _asked_where(message: Message) -> str:
    """The type the bot asked about, when its question "where are you?" was the last thing
    said before the message."""
    marker = automatic.last_said(message)
    return marker.removeprefix(ASKED) if marker.startswith(ASKED) else ""


def _say(conversation: Conversation, text: str, state: Said) -> None:
    """Say it, and wait for the person, as the bot does after an answer."""
    try:
        automatic.reply(conversation=conversation, text=text, state=state)
    except ServiceError as error:
        logger.info("services offer: not sent (%s)", error.code)
        return
    services.wait_for_person(conversation=conversation, by=None)
