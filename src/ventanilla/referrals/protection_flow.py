"""A rights-violation report told to the bot on WhatsApp, SMS or the web chat, question by
question in the person's language: what happened, in their words, when, where, by whom (and
which authority or employer), how many people, whether anyone is in danger now, and what
they want done.

It starts from the bot's menu or a message that begins with the word for "report" in a
served language. Each answer is kept as it comes (encrypted); "stop" removes the draft; a
draft left half-told is filed as it stands a day later, so that nothing told is lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ventanilla.channels.adapters.base import Choice, Menu
from ventanilla.conversations import automatic
from ventanilla.conversations.automatic import Said, to_tell
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.search import normalised_words
from ventanilla.desks.texts import speaking
from ventanilla.knowledge import bot
from ventanilla.knowledge import bot_texts as say
from ventanilla.knowledge.text import fold
from ventanilla.lib.errors import ServiceError
from ventanilla.referrals.models import Perpetrator, ProtectionReport, ReportState, Violation
from ventanilla.referrals.protection import MAX_PEOPLE, MAX_PLACE, MAX_TEXT, filed

logger = logging.getLogger(__name__)

START = bot.REPORT  # the bot's menu choice that starts a report
CANCEL = "report.cancel"
CHOICE = "report."  # report.violation.<value>, report.perpetrator.<value>, report.danger.yes
LEFT_AFTER = timedelta(hours=24)

REPORT_WORD = gettext_noop("REPORT")
STOP_WORD = gettext_noop("STOP")
# The first word that starts a report or stops one, beside the catalogue's word in each
# language (normalised as messages are: no case, accents or Arabic vowel marks).
MORE_START_WORDS = {
    "denuncia", "denunciar", "signaler", "signalement", "بلاغ", "ابلاغ", "melding", "melden",
    "meldung", "segnalazione", "segnalare", "report", "ⴰⵎⵎⴰⵍ",
}  # fmt: skip
MORE_STOP_WORDS = {
    "stop", "parar", "cancelar", "annuler", "arret", "توقف", "الغاء", "stoppen", "annuleren",
    "abbrechen", "basta", "annulla", "ⵃⴱⵙ",
}  # fmt: skip
STEPS = (
    "violation", "account", "when", "place", "perpetrator", "perpetrator_name", "people",
    "danger", "wants",
)  # fmt: skip
_NUMBER = re.compile(r"\d{1,5}")


@cache
def _words(word: str, more: frozenset[str]) -> frozenset[str]:
    found = set(more)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.update(normalised_words(_(word))[:1])
    return frozenset(found)


def starts_report(message: Message) -> bool:
    """Whether a person's message asks to report: the bot's menu choice, or its first word."""
    if message.direction != Direction.IN:
        return False
    if message.tapped == START:
        return True
    first = normalised_words(message.text or "")[:1]
    return bool(first) and first[0] in _words(REPORT_WORD, frozenset(MORE_START_WORDS))


def _stops(message: Message) -> bool:
    if message.tapped == CANCEL:
        return True
    words = normalised_words(message.text or "")
    return len(words) == 1 and words[0] in _words(STOP_WORD, frozenset(MORE_STOP_WORDS))


def draft_of(conversation: Conversation, *, now: datetime | None = None) -> ProtectionReport | None:
    since = (now or timezone.now()) - LEFT_AFTER
    return (
        ProtectionReport.objects.select_for_update()
        .filter(conversation=conversation, state=ReportState.DRAFT, changed_at__gt=since)
        .first()
    )


@dataclass(frozen=True)
class Heard:
    """What the person's message did to their report: the step it answered (or "started",
    "stopped", "again" when it was not understood) and the report once it is filed."""

    step: str
    report: int | None = None
    filed: bool = False


@transaction.atomic
def hear(*, message: Message) -> Heard | None:
    """Take the message as part of a report the person is telling, or as the start of one;
    None when it is neither."""
    if message.direction != Direction.IN:
        return None
    conversation = Conversation.objects.select_related("desk", "channel", "contact").get(
        pk=message.conversation_id
    )
    draft = draft_of(conversation)
    if draft is None:
        if not starts_report(message):
            return None
        draft = ProtectionReport.objects.create(
            desk=conversation.desk,
            conversation=conversation,
            source="bot",
            state=ReportState.DRAFT,
            step=STEPS[0],
            language=to_tell(conversation),
        )
        _ask(draft, conversation)
        return Heard("started", draft.pk)
    if _stops(message):
        draft.delete()  # nothing of it kept: the person chose not to tell it
        _say(conversation, draft.language, _stopped)
        return Heard("stopped")
    step = draft.step
    if not _take(draft, step, message):
        _ask(draft, conversation, again=True)
        return Heard("again", draft.pk)
    following = STEPS[STEPS.index(step) + 1] if step != STEPS[-1] else ""
    draft.step = following
    draft.save()
    if following:
        _ask(draft, conversation)
        return Heard(step, draft.pk)
    report = filed(draft, by=None)
    _say(conversation, draft.language, lambda: _thanks(report))
    return Heard(step, report.pk, filed=True)


def _take(draft: ProtectionReport, step: str, message: Message) -> bool:
    """Keep what the message answers of `step`; False when it does not answer it."""
    text, tapped = (message.text or "").strip(), message.tapped
    if step in ("violation", "perpetrator"):
        values = Violation.values if step == "violation" else Perpetrator.values
        chosen = tapped.removeprefix(f"{CHOICE}{step}.") if tapped.startswith(CHOICE) else ""
        number = say.number_chosen(text) if not tapped else None
        if not chosen and number is not None and 1 <= number <= len(values):
            chosen = values[number - 1]
        if chosen not in values:
            return False
        setattr(draft, step, chosen)
        return True
    if step == "people":
        found = _NUMBER.search(fold(text))
        if found is None or not 1 <= int(found.group(0)) <= MAX_PEOPLE:
            return False
        draft.people_affected = int(found.group(0))
        return True
    if step == "danger":
        yes = tapped == f"{CHOICE}danger.yes" or (not tapped and say.says_yes(text))
        no = tapped == f"{CHOICE}danger.no" or (not tapped and say.says_no(text))
        if not (yes or no):
            return False
        draft.urgency = "emergency" if yes else "normal"
        return True
    said = (
        text
        if message.kind == "text" and text
        else _("(sent as a %(kind)s)") % {"kind": message.kind}
    )
    limit = MAX_PLACE if step == "place" else MAX_TEXT
    setattr(draft, step, said[:limit])
    return True


# The questions, in the person's language


def _ask(draft: ProtectionReport, conversation: Conversation, *, again: bool = False) -> None:
    question = QUESTIONS[draft.step]
    _say(conversation, draft.language, question, again=again)


def _say(
    conversation: Conversation,
    language: str,
    question: Callable[[], tuple[str, Menu | None]],
    *,
    again: bool = False,
) -> None:
    with speaking(conversation.desk, language):
        text, menu = question()
        if again:
            text = _("Sorry, I did not understand.") + " " + text
    try:
        automatic.reply(conversation=conversation, text=text, state=Said("report"), menu=menu)
    except ServiceError as error:  # what was told is kept all the same
        logger.info("protection report: question not sent (%s)", error.code)


def _violation() -> tuple[str, Menu]:
    rows = tuple(
        Choice(f"{CHOICE}violation.{value}", str(label)) for value, label in Violation.choices
    )
    text = _(
        "You can report what happened to you or to others. What you tell us is confidential "
        "and read only by our protection team. Write STOP at any time to stop. "
        "What happened? Choose the closest."
    )
    return text, Menu(choices=rows, button=_("Choose"), section=_("What happened"))


def _account() -> tuple[str, None]:
    return _("Tell us in your own words what happened. You can also send a voice message."), None


def _when() -> tuple[str, None]:
    return _("When did it happen?"), None


def _place() -> tuple[str, None]:
    return _("Where did it happen? Write the town or the place."), None


def _perpetrator() -> tuple[str, Menu]:
    rows = tuple(
        Choice(f"{CHOICE}perpetrator.{value}", str(label)) for value, label in Perpetrator.choices
    )
    return _("Who did it?"), Menu(choices=rows, button=_("Choose"), section=_("Who"))


def _perpetrator_name() -> tuple[str, None]:
    return _("If you know it, write the name of the authority or the employer."), None


def _people() -> tuple[str, None]:
    return _("How many people did it happen to? Write a number."), None


def _danger() -> tuple[str, Menu]:
    choices = (Choice(f"{CHOICE}danger.yes", _("Yes")), Choice(f"{CHOICE}danger.no", _("No")))
    return _("Is anyone in danger right now?"), Menu(choices=choices)


def _wants() -> tuple[str, None]:
    return _("What would you like us to do?"), None


def _stopped() -> tuple[str, None]:
    return _("You stopped the report. Nothing of it has been kept."), None


def _thanks(report: ProtectionReport) -> tuple[str, None]:
    text = _(
        "Thank you for telling us. Your report is number %(number)s. Our protection team will "
        "contact you here."
    ) % {"number": report.pk}
    phone = report.desk.emergency_phone
    if report.urgency == "emergency" and phone:
        text += " " + _("If someone is in danger now, call %(phone)s.") % {"phone": phone}
    return text, None


QUESTIONS: dict[str, Callable[[], tuple[str, Menu | None]]] = {
    "violation": _violation,
    "account": _account,
    "when": _when,
    "place": _place,
    "perpetrator": _perpetrator,
    "perpetrator_name": _perpetrator_name,
    "people": _people,
    "danger": _danger,
    "wants": _wants,
}


# Drafts left half-told


def file_left_drafts(*, now: datetime | None = None) -> int:
    """File every report its person left half-told for a day (a sweep), as it stands; one
    that says nothing yet is removed."""
    before = (now or timezone.now()) - LEFT_AFTER
    done = 0
    for pk in ProtectionReport.objects.filter(
        state=ReportState.DRAFT, changed_at__lte=before
    ).values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            draft = (
                ProtectionReport.objects.select_for_update()
                .filter(pk=pk, state=ReportState.DRAFT)
                .first()
            )
            if draft is None:
                continue
            if draft.violation or draft.account:
                filed(draft, by=None)
            else:
                draft.delete()
            done += 1
    return done
