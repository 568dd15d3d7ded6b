"""Names people read, with a text per language: desks, teams, request types, topics...

A model keeps its `name` in the desk's main language and `names` beside it,
{"ar": "...", "fr": "..."}; a reader gets the name in their language, or the main one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.lib.languages import is_rtl, native_name

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_NAME = 120


def validate_names(value: object) -> None:
    """{"es": "Pasaporte", "ar": "جواز السفر"}: language codes to non-empty names."""
    validate_texts(value, limit=MAX_NAME)


def validate_texts(value: object, *, limit: int, what: str = "name") -> None:
    """Language codes to non-empty texts of at most `limit` characters (names, descriptions)."""
    if not isinstance(value, dict):
        raise ValidationError(f'{what}s must be an object such as {{"es": "...", "ar": "..."}}')
    for code, text in value.items():
        if not isinstance(code, str) or not _LANGUAGE.match(code):
            raise ValidationError(f"{code!r} is not a language code such as es, ar or zgh")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"the {what} in {code} must be a non-empty text")
        if len(text) > limit:
            raise ValidationError(f"the {what} in {code} is longer than {limit} characters")


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
        """The languages among `languages` this has no name in (the main one counts, and a
        name in "ar" serves "ar-MA", as name_in reads them)."""
        main = languages[0] if languages else ""
        names = {code.lower() for code, text in (self.names or {}).items() if text}
        return [
            code
            for code in languages
            if code != main and not {code.lower(), code.split("-")[0].lower()} & names
        ]


# Editing: one text box per language


def shipped_languages() -> list[str]:
    """The languages ventanilla ships (settings.LANGUAGES): es fr ar nl en it de zgh..."""
    return [code for code, _name in settings.LANGUAGES]


def editing_languages(*languages: Iterable[str]) -> list[str]:
    """The languages to offer a name in: those given (a desk's, main first), then the shipped."""
    codes = [code for group in languages for code in group]
    return list(dict.fromkeys([*codes, *shipped_languages()]))


def language_label(code: str) -> str:
    """A language's own name for itself (العربية, ⵜⴰⵎⴰⵣⵉⵖⵜ): as the settings list the shipped
    languages, else as `native_name` knows it."""
    return str(dict(settings.LANGUAGES).get(code) or native_name(code))


class NamesWidget(forms.Widget):
    """One labelled text box per language instead of raw JSON; right to left where the
    language is written so. Boxes are named `<field>_<code>`."""

    def __init__(
        self,
        languages: list[str] | None = None,
        attrs: Any = None,
        *,
        limit: int = MAX_NAME,
        rows: int = 0,
    ) -> None:
        super().__init__(attrs)
        self.languages = languages or shipped_languages()
        self.limit, self.rows = limit, rows  # rows: a text area of that many rows per language

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        found = {code: str(data.get(f"{name}_{code}", "")).strip() for code in self.languages}
        return {code: text for code, text in found.items() if text}

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_{self.languages[0]}" if id_ and self.languages else id_

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}_{code}" in data for code in self.languages)

    def format_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, str):
            try:
                value = json.loads(value or "{}")
            except ValueError:
                return {}
        return value if isinstance(value, dict) else {}

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        shown, rows = self.format_value(value), []
        base = (attrs or {}).get("id") or f"id_{name}"
        for code in self.languages:
            box = f"{base}_{code}"
            box_html = (
                '<textarea name="{}" id="{}" maxlength="{}" lang="{}" dir="{}" rows="'
                + str(self.rows)
                + '">{}</textarea>'
                if self.rows
                else '<input type="text" name="{}" id="{}" maxlength="{}" lang="{}" dir="{}" '
                'value="{}">'
            )
            rows.append(
                format_html(
                    '<p class="name-in-language"><label for="{}" lang="{}">{}</label> '
                    + box_html
                    + "</p>",
                    box,
                    code,
                    language_label(code),
                    f"{name}_{code}",
                    box,
                    self.limit,
                    code,
                    "rtl" if is_rtl(code) else "ltr",
                    shown.get(code, ""),
                )
            )
        return format_html(
            '<div class="names">{}</div>', format_html_join("", "{}", ((r,) for r in rows))
        )


class NamesField(forms.Field):
    """The names of a thing by language, typed side by side; empty boxes are left out."""

    def __init__(
        self,
        *,
        languages: list[str] | None = None,
        limit: int = MAX_NAME,
        rows: int = 0,
        what: str = "name",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Name in each language"))
        super().__init__(widget=NamesWidget(languages, limit=limit, rows=rows), **kwargs)
        self.limit, self.what = limit, what

    def to_python(self, value: Any) -> dict[str, str]:
        return dict(value or {})

    def validate(self, value: Any) -> None:
        super().validate(value)
        validate_texts(value, limit=self.limit, what=self.what)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return dict(initial or {}) != dict(data or {})


class NamesForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose `names` are typed side by side, in the languages of the desk the
    thing belongs to (or the desk itself) and the shipped ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "names" in self.fields:
            old = self.fields["names"]
            self.fields["names"] = NamesField(
                languages=editing_languages(self.own_languages()),
                label=old.label,
                help_text=_("Left empty, the name above is shown."),
            )

    def own_languages(self) -> list[str]:
        instance = self.instance
        languages = getattr(instance, "languages", None)
        if isinstance(languages, list):
            return languages
        if getattr(instance, "desk_id", None):
            return list(instance.desk.languages)
        return []
