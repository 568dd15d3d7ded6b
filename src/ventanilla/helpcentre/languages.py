"""Names of the languages people write in, in those languages, for the widget and the forms."""

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


def interface_language(code: str) -> str:
    """The language the pages can be shown in that is closest to `code`."""
    available = {c for c, _ in settings.LANGUAGES}
    base = code.split("-")[0].lower()
    if base in available:
        return base
    if base == "ary":  # Darija speakers read Arabic script
        return "ar"
    return settings.LANGUAGE_CODE
