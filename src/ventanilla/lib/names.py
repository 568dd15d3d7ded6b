"""Names people read, with a text per language: desks, teams, request types, topics...

A model keeps its `name` in the desk's main language and `names` beside it,
{"ar": "...", "fr": "..."}; a reader gets the name in their language, or the main one.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_NAME = 120


def validate_names(value: object) -> None:
    """{"es": "Pasaporte", "ar": "جواز السفر"}: language codes to non-empty names."""
    if not isinstance(value, dict):
        raise ValidationError('names must be an object such as {"es": "...", "ar": "..."}')
    for code, text in value.items():
        if not isinstance(code, str) or not _LANGUAGE.match(code):
            raise ValidationError(f"{code!r} is not a language code such as es, ar or zgh")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"the name in {code} must be a non-empty text")
        if len(text) > MAX_NAME:
            raise ValidationError(f"the name in {code} is longer than {MAX_NAME} characters")


def name_in(name: str, names: dict[str, str] | None, language: str | None) -> str:
    """The name in `language` (or its base language: "ar" for "ar-MA"), else the main one."""
    names = names or {}
    if not language:
        return name
    code = language.lower()
    return names.get(code) or names.get(code.split("-")[0]) or name


class NamedInLanguages(models.Model):
    """A model whose name people read in their own language."""

    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        validators=[validate_names],
        help_text=_('The name in each language people read it in, such as {"ar": "..."}.'),
    )

    class Meta:
        abstract = True

    def name_in(self, language: str | None = None) -> str:
        """The name in `language`, by default the active one; the main name when missing."""
        return name_in(str(getattr(self, "name", "")), self.names, language or get_language())

    def missing_names(self, languages: list[str]) -> list[str]:
        """The languages among `languages` this has no name in (the main one counts)."""
        main = languages[0] if languages else ""
        return [code for code in languages if code != main and not (self.names or {}).get(code)]
