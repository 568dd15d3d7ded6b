"""The one place that decides the language of a conversation, from what the person wrote.

The language is chosen among the desk's and the console's, so that routing can use it: when
the conversation has none yet, or when it has one written in other letters than a message of
a few words (Spanish chosen in the web chat, then Darija in Arabic letters). A text too short
to tell is read by its greeting ("hola", "salam") or, failing that, by Arabic letters. The bot
may know better from the article a word or two found ("cita"): it says so, and `adopt` keeps it.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings

from ventanilla.conversations import services
from ventanilla.conversations.automatic import to_tell
from ventanilla.conversations.models import Conversation
from ventanilla.knowledge import text
from ventanilla.knowledge.bot_texts import greeting_language
from ventanilla.knowledge.search import language_of

__all__ = ["adopt", "decide", "to_tell"]

RELEARN_WORDS = 3  # words in other letters than the conversation's language: it was not theirs


def decide(conversation: Conversation, written: str) -> str:
    """The conversation's language after the person wrote `written` (kept on it); "" if
    nothing tells yet."""
    if not written.strip():
        return conversation.language
    if conversation.language:
        script, words = _script(written)
        if words < RELEARN_WORDS or script == text.script_of_language(conversation.language):
            return conversation.language
    known = [*conversation.desk.languages, *(code for code, _name in settings.LANGUAGES)]
    language = language_of(written, languages=list(dict.fromkeys(known)))
    if not language and not conversation.language:
        language = greeting_language(written) or _arabic_letters(written)
    return adopt(conversation, language)


def adopt(conversation: Conversation, language: str) -> str:
    """Keep `language` as the conversation's (when it is one and differs); returns the
    conversation's language."""
    if language and language != conversation.language:
        services.classify(conversation=conversation, by=None, language=language)
    return conversation.language


def _arabic_letters(written: str) -> str:
    return "ar" if any("\u0600" <= c <= "\u06ff" for c in written) else ""


def _script(written: str) -> tuple[str, int]:
    """The script most of a text's words are written in, and how many words it has in it
    (numbers and references aside)."""
    scripts = Counter(
        text.script_of(word) for word in text.words(written) if not any(c.isdigit() for c in word)
    )
    return scripts.most_common(1)[0] if scripts else ("", 0)
