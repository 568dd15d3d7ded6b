"""The bot's words: what people write to ask for a person, say yes or no, pick a number or
only greet; articles made into short plain text for a phone; the bot's own sentences.

The sentences are gettext strings: call them inside `translation.override(language)` with a
language from `interface_language`, so that a person is answered in a language ventanilla
has a catalogue for (English otherwise), never in half of one.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ventanilla.knowledge.text import fold
from ventanilla.knowledge.text import words as text_words
from ventanilla.lib.languages import interface_language, native_name

ELLIPSIS = "\u2026"


# What people write.

_words = text_words  # folded as the guide's search folds them: case, accents, Arabic variants


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [tuple(_words(line)) for line in text.strip().splitlines() if line.strip()]


# fmt: off
# Ways to ask for a person, anywhere in a message (in the languages people write to desks in).
_PERSON_PHRASES = _phrases("""
hablar con una persona
hablar con alguien
hablar con un agente
hablar con un asesor
hablar con un humano
hablar con un operador
quiero una persona
quiero un agente
persona real
parler a quelqu'un
parler a une personne
parler a un conseiller
parler a un agent
parler a un humain
une vraie personne
talk to a person
speak to a person
talk to someone
speak to someone
talk to a human
speak to a human
talk to an agent
speak to an agent
want an agent
need an agent
want a person
need a person
real person
met een persoon
met iemand spreken
een medewerker spreken
parlare con una persona
parlare con qualcuno
parlare con un operatore
mit einem menschen
mit jemandem sprechen
mit einem mitarbeiter
التحدث مع شخص
اتكلم مع شخص
التكلم مع شخص
التحدث مع موظف
اريد موظف
بغيت نهضر مع شي واحد
bghit nhder m3a chi wa7ed
bghit nhdar m3a chi wa7ed
nhder m3a chi wa7ed
nhdar m3a chi wahed
nhder m3a chi wahed
m3a chi wa7ed
m3a chi had
m3a chi 7ed
""")
# Words that ask for a person when a short message is little more than them.
_PERSON_WORDS = frozenset(_words("""
agente agent agents humano human humain persona person personne conseiller conseillere
asesor operador operator operatore medewerker mitarbeiter mensch موظف شخص انسان
"""))
_SHORT = 4  # words: a message this short naming a person is asking for one
_YES = frozenset(_words("si yes yeah yep oui ja sim sisi claro exacto نعم اه ايه wah iyeh ah"))  # noqa: RUF001
_YES |= frozenset(_words("ok okay vale accord perfecto perfect parfait genial super"))
_THUMBS = ("\U0001f44d", "\U0001f64f", "\u2705", "\U0001f44c", "\u2764")  # 👍 🙏 ✅ 👌 ❤
_NO = frozenset(_words("no non nope nee nein nao لا la lla"))
# Greetings and thanks, by the language they tell the person writes in; with courtesy
# words, a message of them alone asks nothing yet.
_GREETINGS = {
    "es": "hola buenas buenos buen dia dias tardes noches saludos gracias muchas",
    "fr": "bonjour bonsoir salut coucou bjr slt merci beaucoup",
    "en": "hello hi hey good morning afternoon evening thanks thank thx",
    "nl": "hallo goedemorgen goedemiddag goedenavond dank bedankt",
    "it": "ciao buongiorno buonasera salve grazie",
    "de": "guten danke",
    "ar": "السلام عليكم سلام مرحبا اهلا صباح الخير مساء شكرا جزيلا",
    "ary": "salam slm salamo alaykom alikom aleikum alaikum labas bikhir shukran choukran "
    "chokran baraka",
}
_GREETING_LANGUAGE = {
    word: language for language, words in _GREETINGS.items() for word in _words(words)
}
_THANKS = frozenset(_words("gracias merci thanks thank thx dank bedankt grazie danke شكرا"))
_THANKS |= frozenset(_words("shukran choukran chokran baraka"))
_GREETING = frozenset(_GREETING_LANGUAGE) - _THANKS
_COURTESY = frozenset(_words("""
por favor favor porfa please pls plz svp stp sil vous plait alstublieft alsjeblieft bitte
d afak 3afak عفاك من فضلك
you ty je wel mille tag morgen llah ufik بارك الله فيك
"""))
# fmt: on
_NUMBER = re.compile(r"^\s*(?:#|n[o°º]\.?\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)


def _find(words: list[str], phrase: tuple[str, ...]) -> int:
    """Where the phrase starts among the words, or -1."""
    size = len(phrase)
    return next(
        (i for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == phrase), -1
    )


def _only(words: list[str], meaning: frozenset[str], *, allowed: frozenset[str]) -> bool:
    return bool(words) and any(w in meaning for w in words) and all(w in allowed for w in words)


def says_yes(text: str) -> bool:
    """Yes, "sí gracias", "ok", "thanks", a thumb up: the answer helped."""
    words = _words(text)
    if not words:
        return any(sign in text for sign in _THUMBS)
    return _only(words, _YES | _THANKS, allowed=_YES | _THANKS | _COURTESY | _GREETING)


def says_no(text: str) -> bool:
    words = _words(text)
    return _only(words, _NO, allowed=_NO | _THANKS | _COURTESY)


def only_greets(text: str) -> bool:
    """A message of greetings, thanks and courtesy alone: nothing to look up yet."""
    words = _words(text)
    return _only(words, _GREETING | _THANKS, allowed=_GREETING | _THANKS | _COURTESY)


def says_nothing(text: str) -> bool:
    """Greetings, thanks, yes or no alone, or no words at all (an emoji): nothing the guide
    has an answer for."""
    return not _words(text) or only_greets(text) or says_yes(text) or says_no(text)


def greeting_language(text: str) -> str:
    """The language of the first greeting or thanks in a message, or ""."""
    return next((_GREETING_LANGUAGE[w] for w in _words(text) if w in _GREETING_LANGUAGE), "")


def person_request(text: str) -> tuple[bool, str]:
    """Whether the message asks for a person, and what else it says (to look up)."""
    words = _words(text)
    asked = False
    for phrase in _PERSON_PHRASES:
        while (start := _find(words, phrase)) >= 0:
            del words[start : start + len(phrase)]
            asked = True
    asked = asked or (len(words) <= _SHORT and any(word in _PERSON_WORDS for word in words))
    if not asked:
        return False, text
    return True, " ".join(word for word in words if word not in _PERSON_WORDS)


def number_chosen(text: str) -> int | None:
    """The number of a choice written as a reply ("2", "2.", "#2"), or None."""
    found = _NUMBER.match(fold(text))
    return int(found.group(1)) if found else None


def same_choice(text: str, title: str) -> bool:
    return bool(title) and _words(text) == _words(title.rstrip(ELLIPSIS))


# Articles as plain text.

_markdown = MarkdownIt("commonmark", {"html": False})
_BLOCK_ENDS = {"paragraph_close", "heading_close", "blockquote_close", "code_block", "fence"}


def plain_text(markdown: str) -> str:
    """Markdown as text a phone shows as it is: no marks, links with their address written
    out, list items on their own lines."""
    lines: list[str] = []
    numbers: list[int | None] = []  # the next number of each open list; None: bullets
    prefix = ""
    for token in _markdown.parse(markdown):
        if token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type == "ordered_list_open":
            numbers.append(int(token.attrs.get("start", 1) or 1))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            if not numbers:
                lines.append("")
        elif token.type == "list_item_open":
            number = numbers[-1] if numbers else None
            prefix = "\u2022 " if number is None else f"{number}. "
            if number is not None:
                numbers[-1] = number + 1
        elif token.type == "inline":
            lines.append(prefix + _inline(token.children or []))
            prefix = ""
        elif token.type in ("code_block", "fence"):
            lines.append(token.content.rstrip())
        if token.type in _BLOCK_ENDS and not numbers:
            lines.append("")
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _inline(tokens: list[Token]) -> str:
    parts: list[str] = []
    href, link_start = "", 0
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "hardbreak":
            parts.append("\n")
        elif token.type == "image":
            parts.append(token.content or str(token.attrs.get("src", "")))
        elif token.type == "link_open":
            href, link_start = str(token.attrs.get("href", "")), len(parts)
        elif token.type == "link_close":
            label = "".join(parts[link_start:])
            if href and href.removeprefix("mailto:").removeprefix("tel:") != label:
                parts.append(f" ({href})")
            href = ""
    return "".join(parts)


def shorten(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters with an ellipsis, at the end of a sentence
    when one ends far enough in, else between words."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 2, 0)]
    sentence_end = max(cut.rfind(mark) for mark in (". ", "! ", "? ", "\n"))
    if sentence_end >= limit // 2:
        return cut[: sentence_end + 1].rstrip() + " " + ELLIPSIS
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-\u2022\n") + ELLIPSIS


# The bot's sentences (call them inside translation.override).


def yes_label() -> str:
    return _("Yes")


def no_label() -> str:
    return _("No")


def person_label() -> str:
    return _("Talk to a person")


def report_label() -> str:
    return _("Report abuse")


def complaint_label() -> str:
    return _("Make a complaint")


def list_button() -> str:
    return _("See the answers")


def list_section() -> str:
    return _("From our guide")


def did_it_help() -> str:
    return _("Did this answer your question?")


def read_all(link: str) -> str:
    return _("Read it all: %(link)s") % {"link": link}


def is_it_one_of_these() -> str:
    return _("Is it one of these?")


def reply_with_number() -> str:
    return _("Reply with the number of your choice.")


def welcome(desk_name: str) -> str:
    return _(
        "Hello! I am the automatic assistant of %(desk)s. Write your question in a few "
        "words and I will look for the answer in our guide."
    ) % {"desk": desk_name}


def thanks() -> str:
    return _("Thank you! If you need anything else, write to us here again.")


def titled(title: str, language: str, *, speaking: str) -> str:
    """An article's title offered to choose, marked with its language when the person is
    answered in another one: "Lost passport (English)"."""
    if not language or interface_language(language) == interface_language(speaking):
        return title
    return _("%(title)s (%(language)s)") % {"title": title, "language": language_name(language)}


def language_name(code: str) -> str:
    """A language's name in the active language, else in itself."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return native_name(code)


def person_will_answer(
    *, urgent: bool, opens: str | None, closed: bool, emergency_phone: str = ""
) -> str:
    """That a person will answer, and when: at once, or when the desk opens; in an emergency,
    the desk's emergency number."""
    if urgent:
        if not closed:
            said = _("A person from our team will answer you right away.")
        elif opens:
            said = _(
                "A person from our team will answer you as soon as possible, from %(when)s "
                "at the latest."
            ) % {"when": opens}
        else:
            said = _("A person from our team will answer you as soon as possible.")
        if emergency_phone:
            danger = _("If you are in immediate danger, call %(phone)s.") % {
                "phone": emergency_phone
            }
        else:
            danger = _("If you are in immediate danger, call the emergency number.")
        return said + "\n\n" + danger
    if closed and opens:
        return _(
            "Thank you. Our team is not at work now: a person will answer you here from %(when)s."
        ) % {"when": opens}
    return _("Thank you. A person from our team will answer you here as soon as possible.")
