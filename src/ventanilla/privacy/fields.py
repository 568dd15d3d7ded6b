"""Model fields whose values are encrypted with the data key before they reach the database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from ventanilla.privacy.crypto import decrypt, encrypt


class EmptyOnly(Exact):
    """`field=""` only: any other value encrypts differently each time, so an equality
    could never match; a wrong query fails loudly instead of finding nothing."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise FieldError(
                "an encrypted field can only be compared with the empty text; "
                "look a value up by its keyed hash (privacy.crypto.lookup_hash)"
            )
        super().__init__(lhs, rhs)


class _Unsearchable:
    """Only `isnull` and the empty text: LIKE, IN or ordering on ciphertext mean nothing."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyOnly
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        return None


class EncryptedTextField(_Unsearchable, models.TextField):
    """Text stored encrypted (privacy.crypto); read back in clear, never searched by the
    database itself (conversations.search keeps keyed hashes of words for that)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


if TYPE_CHECKING:
    _AnyValueField = models.Field[Any, Any]
else:
    _AnyValueField = models.TextField


class EncryptedJSONField(_Unsearchable, _AnyValueField):
    """A JSON value stored encrypted; read back as the Python value."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))
