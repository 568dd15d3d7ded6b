"""The public texts of a desk in one language, each with its state: the desk's own,
translated by the catalogue, written without a native speaker's review, or missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from ventanilla.desks.models import Desk, DeskText
from ventanilla.desks.texts import plural_text
from ventanilla.desks.texts_catalogue import Entry, catalogue, public_texts
from ventanilla.lib.languages import catalogue_language

STATES = ("custom", "translated", "unreviewed", "missing")


@dataclass(frozen=True)
class TextRow:
    """A public text as a desk has it in one language."""

    entry: Entry
    catalogue: tuple[str, ...] | None  # the catalogue's text (a plural text's forms)
    desk: tuple[str, ...] | None  # the desk's own
    state: str

    @property
    def english(self) -> tuple[str, ...]:
        return (self.entry.msgid, self.entry.plural) if self.entry.plural else (self.entry.msgid,)


def desk_texts(desk: Desk, language: str) -> list[TextRow]:
    """Every public text in a language: the desk's own first read in one query."""
    entries = public_texts()
    own = {
        key: text
        for key, text in DeskText.objects.filter(desk=desk, language=language).values_list(
            "msgid", "text"
        )
    }
    source = catalogue_language(language)
    translated = catalogue(source) if source else {}
    english = source == settings.LANGUAGE_CODE
    rows = []
    for key, entry in entries.items():
        found = translated.get(key)
        shown = found.forms if found else None
        if english:
            shown = (entry.msgid, entry.plural) if entry.plural else (entry.msgid,)
        mine = own.get(key)
        theirs: tuple[str, ...] | None = None
        if mine is not None:
            theirs = plural_text(mine) if entry.plural else (mine,)
        if theirs is not None:
            state = "custom"
        elif shown is None:
            state = "missing"
        elif found is not None and found.unreviewed:
            state = "unreviewed"
        else:
            state = "translated"
        rows.append(TextRow(entry, shown, theirs, state))
    return rows


def counts(rows: list[TextRow]) -> dict[str, int]:
    counted = Counter(row.state for row in rows)
    return {state: counted.get(state, 0) for state in STATES}


def filtered(rows: list[TextRow], *, state: str = "all", query: str = "") -> list[TextRow]:
    """The rows in a state ("all" for every one) whose texts contain the words sought."""
    words = query.casefold().split()
    kept = []
    for row in rows:
        if state not in ("", "all") and row.state != state:
            continue
        haystack = " ".join([*row.english, *(row.catalogue or ()), *(row.desk or ())]).casefold()
        if all(word in haystack for word in words):
            kept.append(row)
    return kept
