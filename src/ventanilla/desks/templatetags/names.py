"""Names in the reader's language in templates: {{ topic|name_in:LANGUAGE_CODE }}."""

from __future__ import annotations

from django import template

from ventanilla.lib import names

register = template.Library()


@register.filter
def name_in(named: object, language: str | None = None) -> str:
    """A desk's, team's, request type's, topic's or canned response's name in `language`
    (by default the active one), else its main name; anything else as it is."""
    if named is None:
        return ""
    if hasattr(named, "name_in"):
        return str(named.name_in(language or None))
    return str(named)


@register.filter
def missing_in(named: object, languages: list[str]) -> list[str]:
    """The languages among `languages` (a desk's, main first) something has no name in."""
    missing = getattr(named, "missing_names", None)
    return missing(list(languages or [])) if callable(missing) else []


@register.filter
def language_label(code: str) -> str:
    """A language's own name for itself: العربية for ar, ⵜⴰⵎⴰⵣⵉⵖⵜ for zgh."""
    return names.language_label(str(code))
