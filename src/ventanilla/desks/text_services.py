"""Changes to a desk's own wording of automatic texts, and to the languages it speaks."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from ventanilla.desks.models import Desk, DeskText
from ventanilla.desks.services import update_desk
from ventanilla.desks.texts import texts_changed
from ventanilla.desks.texts_catalogue import (
    Entry,
    placeholders,
    plural_forms,
    public_texts,
)
from ventanilla.desks.validators import validate_language_code
from ventanilla.lib.errors import Invalid
from ventanilla.lib.languages import catalogue_language
from ventanilla.privacy.services import audit

MAX_TEXT = 4096  # a WhatsApp message's body
# Pages show the texts as the catalogue's, unescaped, some inside attributes: no markup.
MARKUP = ("<", ">", '"')


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_language(desk: Desk, language: str) -> str:
    """A language a desk may word texts in: one of its own, or one a catalogue has."""
    try:
        validate_language_code(language)
    except ValidationError as error:
        raise Invalid(f"language: {' '.join(error.messages)}") from None
    if language not in desk.languages and catalogue_language(language) != language:
        raise Invalid(f"language: add {language!r} to the desk's languages first")
    return language


def public_text(msgid: str, context: str = "") -> Entry:
    """The public text with this English text (and context): Invalid when there is none."""
    key = f"{context}\x04{msgid}" if context else msgid
    entry = public_texts().get(key)
    if entry is None:
        raise Invalid("msgid: not one of the public and automatic texts")
    return entry


def _checked_forms(entry: Entry, language: str, text: str | list[str]) -> list[str]:
    """The text (a plural text's forms), refused when empty, too long, or when its values
    (`%(name)s`, `%s`, `{name}`) are not the English text's: a reply would break."""
    forms = [text] if isinstance(text, str) else list(text)
    if not forms or any(not isinstance(f, str) or not f.strip() for f in forms):
        raise Invalid("text: must not be empty")
    if any(len(f) > MAX_TEXT or "\x00" in f for f in forms):
        raise Invalid(f"text: at most {MAX_TEXT} characters, without NUL characters")
    if any(c in f for f in forms for c in MARKUP):
        raise Invalid('text: must not contain <, > or " (write “quotes” instead)')
    forms = [f.strip() for f in forms]
    if not entry.plural:
        if len(forms) != 1:
            raise Invalid("text: this text has no plural: one text, not a list")
        expected = placeholders(entry.msgid)
        if placeholders(forms[0]) != expected:
            raise Invalid(
                f"text: must fill in exactly these values: {' '.join(expected) or '(none)'}"
            )
        return forms
    count = plural_forms(language)[0]
    if len(forms) > count:
        raise Invalid(f"text: {language} has {count} plural forms")
    allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.plural))
    for form in forms:
        if not set(placeholders(form)) <= allowed:
            raise Invalid(f"text: may fill in only these values: {' '.join(sorted(allowed))}")
    return forms


@transaction.atomic
def set_text(
    *,
    desk: Desk,
    language: str,
    msgid: str,
    text: str | list[str],
    by: User | None,
    context: str = "",
) -> DeskText:
    """Word a public text the desk's own way in a language (or confirm the catalogue's, by
    saving it unchanged)."""
    check_language(desk, language)
    entry = public_text(msgid, context)
    forms = _checked_forms(entry, language, text)
    stored = json.dumps(forms, ensure_ascii=False) if entry.plural else forms[0]
    found, created = DeskText.objects.update_or_create(
        desk=desk,
        language=language,
        msgid_hash=_hash(entry.key),
        defaults={"msgid": entry.key, "text": stored, "updated_by": by},
    )
    audit(
        actor=by,
        action="desk.text.set" if not created else "desk.text.add",
        target=desk,
        language=language,
        msgid=entry.key[:200],
    )
    texts_changed(desk)
    return found


@transaction.atomic
def remove_text(
    *, desk: Desk, language: str, msgid: str, by: User | None, context: str = ""
) -> bool:
    """Go back to the catalogue's text; says whether the desk had its own."""
    key = f"{context}\x04{msgid}" if context else msgid
    deleted, _rows = DeskText.objects.filter(
        desk=desk, language=language, msgid_hash=_hash(key)
    ).delete()
    if deleted:
        audit(actor=by, action="desk.text.remove", target=desk, language=language, msgid=key[:200])
        texts_changed(desk)
    return bool(deleted)


@transaction.atomic
def add_language(*, desk: Desk, language: str, by: User) -> Desk:
    """Add a language to those the desk answers in (last: the main one stays first)."""
    language = language.strip()
    try:
        validate_language_code(language)
    except ValidationError as error:
        raise Invalid(f"language: {' '.join(error.messages)}") from None
    if language in desk.languages:
        return desk
    desk = update_desk(desk=desk, by=by, languages=[*desk.languages, language])
    texts_changed(desk)
    return desk
