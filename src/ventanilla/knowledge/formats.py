"""The guide's JSON format (DESIGN.md) read into entries, with a clear error for bad input."""

from __future__ import annotations

from typing import Any

from ventanilla.knowledge.services import Entry, Text
from ventanilla.lib.errors import Invalid


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{where} must be a list of strings")
    return tuple(value)


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict):
        raise Invalid(f"{where} must be an object with title and body")
    title, body = value.get("title"), value.get("body")
    if not isinstance(title, str) or not isinstance(body, str):
        raise Invalid(f"{where} needs a title and a body, both text")
    return Text(title, body, _strings(value.get("questions"), f"{where}.questions"))


def entry_from(item: Any, where: str = "article") -> Entry:
    if not isinstance(item, dict):
        raise Invalid(f"{where} must be an object")
    for name in ("key", "topic"):
        if not isinstance(item.get(name), str):
            raise Invalid(f"{where}: {name} is missing or not text")
    translations = item.get("translations")
    if not isinstance(translations, dict):
        raise Invalid(f"{where}: translations must be an object by language code")
    for name in ("source_language", "state"):
        if not isinstance(item.get(name, ""), str):
            raise Invalid(f"{where}: {name} must be text")
    return Entry(
        key=item["key"],
        topic=item["topic"],
        translations={
            str(language): _text(text, f"{where}: translations.{language}")
            for language, text in translations.items()
        },
        source_language=item.get("source_language", ""),
        related=_strings(item.get("related"), f"{where}: related"),
        state=item.get("state", ""),
    )


def entries_from(data: Any) -> list[Entry]:
    if not isinstance(data, list):
        raise Invalid("the file must hold a JSON list of articles")
    return [entry_from(item, f"article {i + 1}") for i, item in enumerate(data)]
