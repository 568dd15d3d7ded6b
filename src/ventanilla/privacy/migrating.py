"""For migrations that make a column of text encrypted: the rows already stored are
encrypted in place, in batches, before the field becomes an encrypted field.

Used as ``encrypt_in_place("conversations", "Note", "text")`` in a migration's operations,
before the AlterField; undone, it writes the texts back in clear.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from ventanilla.privacy.crypto import PREFIX, decrypt, encrypt, keyring

BATCH = 2000


def encrypt_in_place(app_label: str, model_name: str, *fields: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        _refuse_a_wrong_key(apps, schema_editor.connection.alias)
        _rewrite(apps, schema_editor.connection.alias, app_label, model_name, fields, _sealed)

    def backward(apps: Any, schema_editor: Any) -> None:
        _rewrite(apps, schema_editor.connection.alias, app_label, model_name, fields, _opened)

    return migrations.RunPython(forward, backward, elidable=False)


def _sealed(value: str) -> str:
    return value if not value or value.startswith(PREFIX) else encrypt(value)


def _opened(value: str) -> str:
    return decrypt(value) if value and value.startswith(PREFIX) else value


def _rewrite(
    apps: Any, using: str, app_label: str, model_name: str, fields: tuple[str, ...], change: Any
) -> None:
    model = apps.get_model(app_label, model_name)
    rows = model._default_manager.using(using)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not batch:
            return
        for row in batch:
            for name in fields:
                setattr(row, name, change(getattr(row, name) or ""))
        rows.bulk_update(batch, fields)
        last = batch[-1].pk


def _refuse_a_wrong_key(apps: Any, using: str) -> None:
    """Encrypting under a key the installation does not use would make the rows unreadable."""
    checks = apps.get_model("privacy", "KeyCheck")._default_manager.using(using)
    in_use = set(checks.filter(retired_at__isnull=True).values_list("fingerprint", flat=True))
    if in_use and not in_use & {key.fingerprint for key in keyring().keys}:
        raise ImproperlyConfigured(
            "VENTANILLA_DATA_KEY is not the key this database was written with: set the "
            "original key before migrating."
        )
