"""What the phone line says, in which voice, and which recordings a line still lacks.

A prompt is said, in order of preference, with the line's recording for that language, the
line's own text for it, or ventanilla's translation of it in the language's speech voice.
Languages without a speech voice (Tamazight, Darija) need recordings; a prompt no one can
say in a language is said in the line's first language instead, and shown as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from ventanilla.calls.models import VoiceLine, VoicePrompt
from ventanilla.channels.adapters.base import Play, Prompt, Say
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import desk_text
from ventanilla.lib.languages import interface_language as interface
from ventanilla.lib.links import public_url

# Speech voices (Amazon Polly, through Twilio) by language: (locale, voice). A line may
# choose others (VoiceLine.voices). No voice speaks Tamazight or Darija.
VOICES: dict[str, tuple[str, str]] = {
    "ar": ("arb", "Polly.Zeina"),
    "da": ("da-DK", "Polly.Naja"),
    "de": ("de-DE", "Polly.Vicki"),
    "en": ("en-GB", "Polly.Amy"),
    "es": ("es-ES", "Polly.Lucia"),
    "es-mx": ("es-MX", "Polly.Mia"),
    "es-us": ("es-US", "Polly.Lupe"),
    "fr": ("fr-FR", "Polly.Lea"),
    "it": ("it-IT", "Polly.Bianca"),
    "nl": ("nl-NL", "Polly.Lotte"),
    "pl": ("pl-PL", "Polly.Ewa"),
    "pt": ("pt-PT", "Polly.Ines"),
    "pt-br": ("pt-BR", "Polly.Camila"),
    "ro": ("ro-RO", "Polly.Carmen"),
    "ru": ("ru-RU", "Polly.Tatyana"),
    "tr": ("tr-TR", "Polly.Filiz"),
}

# Everything a caller may hear, by key. `%(...)s` values are filled in when said; a
# recording of a prompt with values says it without them (the closing prompt, say,
# names the opening hours).
TEXTS: dict[str, str] = {
    "greeting": gettext_noop("Welcome to %(desk)s."),
    # Translators: said in your language to offer it; name your own language.
    "language_option": gettext_noop("For English, press %(digit)s."),
    "recording_notice": gettext_noop(
        "This call may be recorded so that we can check the quality of our service."
    ),
    "choose_topic": gettext_noop(
        "For passports and other documents, press 1. For the status of an application, "
        "press 2. For your rights and legal help, press 3. For an emergency or to report "
        "abuse, press 4. For anything else, press 5."
    ),
    "complaint_option": gettext_noop(
        "To make a complaint or a suggestion about our service, press 6."
    ),
    "invalid": gettext_noop("Sorry, that is not one of the options."),
    "emergency": gettext_noop("If you are in danger now, hang up and call %(phone)s."),
    "hold": gettext_noop(
        "Thank you. Please stay on the line: the next person free will answer you."
    ),
    "offer_callback": gettext_noop("To be called back instead of waiting, press 1."),
    "callback_confirmed": gettext_noop(
        "Thank you. We will call you back at this number as soon as we can. Goodbye."
    ),
    "connecting": gettext_noop("Putting you through now."),
    "closed": gettext_noop("We are closed at the moment. We open again %(when)s."),
    "closed_message": gettext_noop("To leave a message, press 1."),
    "closed_callback": gettext_noop("To be called back when we are open, press 2."),
    "portal": gettext_noop("You can also write to us through our website."),
    "record_message": gettext_noop(
        "Please leave your message after the tone, and say which language you speak. "
        "Press the hash key when you have finished."
    ),
    "message_received": gettext_noop(
        "Thank you, we have your message and will call you back. Goodbye."
    ),
    "no_message": gettext_noop("We did not receive a message. Goodbye."),
    "queue_problem": gettext_noop("Sorry, we cannot put you through now. Please leave a message."),
    "goodbye": gettext_noop("Goodbye."),
    "survey_score": gettext_noop(
        "Before you go: how satisfied are you with the answer you received? Press a key "
        "from 1, very dissatisfied, to 5, very satisfied."
    ),
    "survey_solved": gettext_noop("Was your question solved? For yes, press 1. For no, press 2."),
    "survey_thanks": gettext_noop("Thank you for your answers. Goodbye."),
}
# Said to staff (in their console language), never to callers: no recordings needed.
STAFF_TEXTS: dict[str, str] = {
    "no_caller": gettext_noop("No caller is waiting now. Goodbye."),
    "calling_back": gettext_noop("Calling the person back now."),
    "not_answered": gettext_noop("The person did not answer. Goodbye."),
}
# Prompts only ever said with values no recording can hold: never missing.
SPOKEN_ONLY = {"position"}


def has_catalogue(language: str) -> bool:
    """Whether ventanilla's prompts are translated into this language."""
    return language.split("-")[0].lower() in {code for code, _name in settings.LANGUAGES}


def translated(key: str, language: str, desk: Desk | None = None) -> str | None:
    """The desk's own text of a prompt in a language, else ventanilla's translation of it."""
    own = desk_text(desk, language, TEXTS[key]) if desk is not None else None
    if own:
        return own
    if not has_catalogue(language):
        return None
    with translation.override(language):
        text = gettext(TEXTS[key])
    if language.split("-")[0].lower() != "en" and text == TEXTS[key]:
        return None  # the catalogue lacks it: English in another voice helps no one
    return text


def voice_of(line: VoiceLine, language: str) -> tuple[str, str] | None:
    """The locale and speech voice for a language on this line, if it has one."""
    chosen = (line.voices or {}).get(language)
    code = language.lower()
    default = VOICES.get(code) or VOICES.get(code.split("-")[0])
    if chosen:
        locale = default[0] if default else language
        if chosen.startswith("Google.") and chosen.count("-") >= 2:
            locale = "-".join(chosen.removeprefix("Google.").split("-")[:2])
        return (locale, chosen)
    return default


def menu_languages(line: VoiceLine) -> list[str]:
    return list(line.languages or line.channel.desk.languages or ["en"])[:9]


@dataclass(frozen=True)
class Voice:
    """How the line speaks one language: its recordings and texts, and its speech voice."""

    line: VoiceLine
    language: str
    prompts: Mapping[str, VoicePrompt]

    @property
    def speech(self) -> tuple[str, str] | None:
        return voice_of(self.line, self.language)

    def can_say(self, key: str) -> bool:
        kept = self.prompts.get(key)
        if kept is not None and kept.audio:
            return True
        if self.speech is None:
            return False
        return (kept is not None and bool(kept.text)) or translated(
            key, self.language, self.line.channel.desk
        ) is not None

    def say(self, key: str, **values: Any) -> Prompt | None:
        """The prompt in this voice, or None when it cannot be said in it."""
        kept = self.prompts.get(key)
        if kept is not None and kept.audio:
            path = reverse("calls:prompt", args=[kept.pk, kept.version])
            return Play(public_url(path))
        speech = self.speech
        if speech is None:
            return None
        if kept is not None and kept.text:
            return Say(kept.text, language=speech[0], voice=speech[1])
        text = translated(key, self.language, self.line.channel.desk)
        if text is None:
            return None
        return Say(text % values if values else text, language=speech[0], voice=speech[1])

    def position(self, position: int, minutes: int) -> Prompt | None:
        """ "You are number 3 in the queue; about 6 minutes" — spoken only, never recorded."""
        speech = self.speech
        if speech is None or not has_catalogue(self.language):
            return None
        with translation.override(self.language):
            text = ngettext(
                "You are number %(position)s in the queue. The wait is about %(minutes)s minute.",
                "You are number %(position)s in the queue. The wait is about %(minutes)s minutes.",
                minutes,
            ) % {"position": position, "minutes": minutes}
        return Say(text, language=speech[0], voice=speech[1])


def voices(line: VoiceLine, languages: list[str]) -> dict[str, Voice]:
    """How the line speaks each of these languages, its recordings read in one query."""
    kept: dict[str, dict[str, VoicePrompt]] = {code: {} for code in languages}
    for prompt in VoicePrompt.objects.filter(line=line, language__in=languages):
        kept[prompt.language][prompt.key] = prompt
    return {code: Voice(line, code, kept[code]) for code in languages}


def voice(line: VoiceLine, language: str) -> Voice:
    return voices(line, [language])[language]


def say(line: VoiceLine, language: str, key: str, **values: Any) -> list[Prompt]:
    """A prompt in the caller's language, or failing that in the line's first language
    that can say it; nothing when none can."""
    for speaker in voices(line, list(dict.fromkeys([language, *menu_languages(line)]))).values():
        prompt = speaker.say(key, **values)
        if prompt is not None:
            return [prompt]
    return []


def staff_say(line: VoiceLine, language: str, key: str) -> Say:
    """A sentence for a member of staff, in their console language's voice (or English's)."""
    code = language if has_catalogue(language) and voice_of(line, language) else "en"
    locale, speaker = voice_of(line, code) or VOICES["en"]
    with translation.override(code):
        return Say(gettext(STAFF_TEXTS[key]), language=locale, voice=speaker)


@dataclass(frozen=True)
class Missing:
    language: str
    key: str
    text: str  # what the prompt says, in the reader's language, for whoever records it


def missing_prompts(line: VoiceLine) -> list[Missing]:
    """The prompts a caller would not hear in their own language, language by language."""
    found = []
    for code, speaker in voices(line, menu_languages(line)).items():
        for key in TEXTS:
            if key not in SPOKEN_ONLY and not speaker.can_say(key):
                found.append(Missing(code, key, example(line, key, code)))
    return found


def example(line: VoiceLine, key: str, language: str) -> str:
    """The text of a prompt, with the values it is said with on this line."""
    values: dict[str, Any] = {
        "desk": line.channel.desk.name_in(language),
        "phone": line.channel.desk.emergency_phone or "112",
        "when": "…",
        "digit": menu_languages(line).index(language) + 1
        if language in menu_languages(line)
        else 1,
    }
    text = gettext(TEXTS[key])
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return text


__all__ = ["Missing", "Voice", "interface", "missing_prompts", "say", "staff_say", "voice"]
