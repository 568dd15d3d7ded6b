"""Model fields whose values are encrypted with the data key before they reach the database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models

from ventanilla.privacy.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):
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


class EncryptedJSONField(_AnyValueField):
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
