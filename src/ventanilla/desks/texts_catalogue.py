"""The public and automatic texts a desk may word itself, and what the catalogues say of them.

`public_texts.json` lists every text people read or hear from ventanilla (the bot, notices,
status answers, the help centre, the phone line), extracted from the modules and templates
named in `texts_extract.PUBLIC_SOURCES`; staff's own pages are not in it. The catalogues
(`locale/<lang>/LC_MESSAGES/django.po`) say how each is translated, and mark with a
translator comment `# unreviewed` the texts no native speaker has read yet.
"""

from __future__ import annotations

import ast
import gettext
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import django
from django.conf import settings

CONTEXT_SEPARATOR = "\x04"
PUBLIC_TEXTS = Path(__file__).with_name("public_texts.json")
LOCALE = Path(__file__).parent.parent / "locale"
UNREVIEWED = "unreviewed"
# `%(name)s`, `%s`, `{name}`: the values filled in when a text is said.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[diouxXeEfFgGcrsa]|\{\w*\}"
)


@dataclass(frozen=True)
class Entry:
    """A text of the catalogue: its English text (msgid), context and plural, if any."""

    msgid: str
    context: str = ""
    plural: str = ""
    note: str = ""  # what the translators are told about it

    @property
    def key(self) -> str:
        """How gettext looks it up, and how a desk's text stands for it (DeskText.msgid)."""
        return f"{self.context}{CONTEXT_SEPARATOR}{self.msgid}" if self.context else self.msgid


@dataclass
class PoEntry:
    """One entry of a .po file, as read."""

    msgid: str = ""
    context: str = ""
    plural: str = ""
    strings: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.context}{CONTEXT_SEPARATOR}{self.msgid}" if self.context else self.msgid


def read_po(text: str) -> list[PoEntry]:
    """The entries of a .po (or .pot) file, without its header and obsolete entries."""
    entries: list[PoEntry] = []
    current = PoEntry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started
        if started and current.msgid:
            entries.append(current)
        current, started = PoEntry(), False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if started:
                finish()
            if line.startswith("#,"):
                current.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("# ") or line == "#":
                current.comments.append(line[1:].strip())
            elif line.startswith("#."):
                current.comments.append(line[2:].strip())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if target is not None:
                _append(current, target, value)
            continue
        value = ast.literal_eval(rest.strip())
        if (
            keyword in ("msgctxt", "msgid")
            and started
            and (current.strings or keyword == "msgctxt")
        ):
            finish()
        started = True
        if keyword == "msgctxt":
            target = ("context", 0)
        elif keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            target = ("plural", 0)
        elif keyword == "msgstr":
            target = ("strings", 0)
        elif keyword.startswith("msgstr["):
            target = ("strings", int(keyword[7:-1]))
        else:
            target = None
            continue
        _append(current, target, value)
    finish()
    return entries


def _append(entry: PoEntry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "strings":
        while len(entry.strings) <= index:
            entry.strings.append("")
        entry.strings[index] += value
    else:
        setattr(entry, name, getattr(entry, name) + value)


@cache
def public_texts() -> dict[str, Entry]:
    """Every public and automatic text, by key, in the order of the committed list."""
    listed = json.loads(PUBLIC_TEXTS.read_text(encoding="utf-8"))
    entries = (Entry(**item) for item in listed)
    return {entry.key: entry for entry in entries}


@dataclass(frozen=True)
class CatalogueText:
    forms: tuple[str, ...]
    unreviewed: bool


@cache
def catalogue(language: str) -> dict[str, CatalogueText]:
    """The catalogue's translations of a language (its code as in settings.LANGUAGES), by
    key: translated entries only, neither fuzzy nor empty. English is the source: empty."""
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    if language == settings.LANGUAGE_CODE or not path.exists():
        return {}
    found = {}
    for entry in read_po(path.read_text(encoding="utf-8")):
        if "fuzzy" in entry.flags or not entry.strings or not all(entry.strings):
            continue
        unreviewed = UNREVIEWED in entry.comments
        found[entry.key] = CatalogueText(tuple(entry.strings), unreviewed)
    return found


def placeholders(text: str) -> list[str]:
    """The values a text fills in, in order (`%%` is a percent sign, not a value)."""
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


PLURAL_FORMS = re.compile(r"Plural-Forms:\s*nplurals=(\d+);\s*plural=([^;\n]+)")


def _header(text: str) -> str:
    """The header of a .po file: the translation of the empty msgid."""
    header = []
    for line in text.split("\n\n", 2)[:2]:
        if 'msgid ""' in line:
            header = [ast.literal_eval(part) for part in line.splitlines() if part.startswith('"')]
    return "".join(header)


@cache
def plural_forms(language: str) -> tuple[int, Callable[[int], int]]:
    """How many forms a plural text has in a language, and which one a number takes: as
    ventanilla's catalogue of it says, else as Django's, else as English (two)."""
    base = language.split("-")[0].lower()
    django_locale = Path(django.__file__).parent / "conf" / "locale"
    for folder in (LOCALE / base, django_locale / base):
        path = folder / "LC_MESSAGES" / "django.po"
        if base == "en" or not path.exists():
            continue
        found = PLURAL_FORMS.search(_header(path.read_text(encoding="utf-8")))
        if found:
            return int(found[1]), gettext.c2py(found[2].strip())
    return 2, lambda n: int(n != 1)
