"""Speaking to people as their desk words it: `speaking(desk, language)` makes every gettext
call inside it (code and templates) say the desk's own text for the language, else the
catalogue's, else, for a language no catalogue has (Ukrainian, Dari), the desk's main
language (the desk's text, then the catalogue's), else English.

A desk's texts are read in one query per language and kept in the process; a version in
the cache is changed with every change to them, which makes each process read them again.
Redis shares the version between machines and processes; without it (one process, as
`ventanilla run`) the version lasts half a minute, so that a separate worker process reads
the texts again within that time.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import trans_real

from ventanilla.desks.models import Desk, DeskText
from ventanilla.desks.texts_catalogue import plural_forms, public_texts
from ventanilla.lib.languages import catalogue_language


@dataclass(frozen=True)
class OwnTexts:
    """A desk's own texts in one language: plain ones, and the forms of plural ones."""

    plain: dict[str, str]
    plural: dict[str, tuple[str, ...]]


UNSHARED_SECONDS = 30
# Where gettext finds the active translation of this thread (Django's own, not typed).
_active: Any = trans_real._active  # type: ignore[attr-defined]
_kept: dict[tuple[int, str], tuple[str, OwnTexts]] = {}
_lock = threading.Lock()


def _version_key(desk_id: int) -> str:
    return f"desk-texts:{desk_id}"


def _lasts() -> int | None:
    """How long a version lasts: for ever in a shared cache, briefly in a process's own."""
    return None if settings.REDIS_URL else UNSHARED_SECONDS


def _version(desk_id: int) -> str:
    version = cache.get(_version_key(desk_id))
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(_version_key(desk_id), version, _lasts()):
            version = cache.get(_version_key(desk_id)) or version
    return str(version)


def texts_changed(desk: Desk) -> None:
    """Make every process read the desk's texts again: now (this transaction's readers) and
    once the change is committed (readers that read the rows before it was)."""

    def bump() -> None:
        cache.set(_version_key(desk.pk), uuid.uuid4().hex, _lasts())

    bump()
    transaction.on_commit(bump)


def own_texts(desk: Desk, language: str) -> OwnTexts:
    """The desk's own texts in a language, read once per change."""
    version = _version(desk.pk)
    kept = _kept.get((desk.pk, language))
    if kept is not None and kept[0] == version:
        return kept[1]
    listed = public_texts()
    plain: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for key, text in DeskText.objects.filter(desk=desk, language=language).values_list(
        "msgid", "text"
    ):
        entry = listed.get(key)
        if entry is None:
            continue  # a text ventanilla no longer says
        if entry.plural:
            plural[key] = plural_text(text)
        else:
            plain[key] = text
    found = OwnTexts(plain, plural)
    with _lock:
        _kept[(desk.pk, language)] = (version, found)
    return found


def plural_text(text: str) -> tuple[str, ...]:
    """The forms of a desk's plural text (kept as a JSON list)."""
    try:
        forms = json.loads(text)
    except ValueError:
        return (text,)
    if isinstance(forms, list) and all(isinstance(form, str) for form in forms):
        return tuple(forms)
    return (text,)


def main_language(desk: Desk) -> str:
    return (desk.languages or [settings.LANGUAGE_CODE])[0]


def spoken_language(desk: Desk, code: str) -> str:
    """The language to speak to someone who reads `code` at this desk: the language itself
    when a catalogue or the desk has it, else the closest one a catalogue has."""
    if not code:
        return spoken_language(desk, main_language(desk))
    if code in desk.languages:
        return code
    base = code.split("-")[0].lower()
    if base in desk.languages or catalogue_language(base) == base:
        return base
    return catalogue_language(code) or settings.LANGUAGE_CODE


def plural_rule(language: str) -> Callable[[int], int]:
    """Which form of a plural text a number takes in a language."""
    return plural_forms(language)[1]


class DeskSpeech:
    """What gettext consults inside `speaking`: the desk's texts in the language (and, for a
    language no catalogue has, in the desk's main language) before the catalogue."""

    def __init__(
        self,
        language: str,
        layers: list[tuple[OwnTexts, Callable[[int], int]]],
        catalogue: Any,
    ) -> None:
        self._language = language
        self._layers = layers
        self._catalogue = catalogue

    def gettext(self, message: str) -> str:
        for texts, _rule in self._layers:
            found = texts.plain.get(message)
            if found:
                return found
        return str(self._catalogue.gettext(message))

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        for texts, rule in self._layers:
            forms = texts.plural.get(singular)
            if forms:
                return forms[max(0, min(int(rule(number)), len(forms) - 1))]
        return str(self._catalogue.ngettext(singular, plural, number))

    def to_language(self) -> str:
        return self._language

    def language(self) -> str:
        return self._language

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalogue, name)


def speech(desk: Desk, language: str) -> DeskSpeech:
    """The texts `language` is spoken with at this desk (see the module's docstring)."""
    language = spoken_language(desk, language)
    layers = [(own_texts(desk, language), plural_rule(language))]
    source = catalogue_language(language)
    if source is None:
        main = main_language(desk)
        if main != language:
            layers.append((own_texts(desk, main), plural_rule(main)))
        source = catalogue_language(main) or settings.LANGUAGE_CODE
    return DeskSpeech(language, layers, trans_real.translation(source))


@contextmanager
def speaking(desk: Desk, language: str) -> Iterator[str]:
    """Inside it, gettext speaks `language` as the desk words it; gives the language spoken
    (the one asked for, or the closest a catalogue has when neither it nor the desk has it)."""
    previous = getattr(_active, "value", None)
    spoken = speech(desk, language)
    _active.value = spoken
    try:
        yield spoken.to_language()
    finally:
        if previous is None:
            translation.deactivate()
        else:
            _active.value = previous


def speak(desk: Desk, language: str) -> str:
    """Like `speaking`, for the rest of a request (as `translation.activate`)."""
    spoken = speech(desk, language)
    _active.value = spoken
    return spoken.to_language()


def desk_text(desk: Desk, language: str, key: str) -> str | None:
    """The desk's own text for one catalogue key in exactly this language, if it has one."""
    return own_texts(desk, language).plain.get(key)
