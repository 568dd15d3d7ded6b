"""The languages people write in: their own names for them, their direction, and the
catalogue each is read from (one place for every room: the help centre, the bot, the phone
line, the console and the desks' texts)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info

# Languages Django does not describe, spoken by many of the people ventanilla serves.
EXTRA_NAMES = {
    "ary": "الدارجة",  # Moroccan Arabic (Darija)
    "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ",  # Standard Moroccan Tamazight
    "tzm": "Tamaziɣt",  # noqa: RUF001 (Central Atlas Tamazight, with its own letter)
    "kab": "Taqbaylit",  # Kabyle
    "rif": "Tarifit",
    "ti": "ትግርኛ",  # Tigrinya
    "ps": "پښتو",  # Pashto
    "prs": "دری",  # Dari
}


def native_name(code: str) -> str:
    if code in EXTRA_NAMES:
        return EXTRA_NAMES[code]
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def is_rtl(code: str) -> bool:
    return code in settings.LANGUAGES_BIDI or code.split("-")[0] in settings.LANGUAGES_BIDI


def catalogue_language(code: str) -> str | None:
    """The catalogue a language is read from: its own, Arabic for Darija, or none."""
    base = code.split("-")[0].lower()
    if base in {c for c, _name in settings.LANGUAGES}:
        return base
    if base == "ary":  # Darija speakers read Arabic script
        return "ar"
    return None


def interface_language(code: str) -> str:
    """The language the pages can be shown in that is closest to `code`."""
    return catalogue_language(code) or settings.LANGUAGE_CODE
