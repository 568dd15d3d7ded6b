"""Writes to the audit log, and the guard against starting with the wrong data key."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from ventanilla.privacy.crypto import key_fingerprint
from ventanilla.privacy.models import AuditEntry, KeyCheck


def audit(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    **detail: Any,
) -> AuditEntry:
    """Record that `actor` (None: the system) did `action` to `target`."""
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) else None,
        action=action,
        target_type=target._meta.model_name or "",
        target_id=str(target.pk),
        detail=detail,
    )


@transaction.atomic
def verify_data_key() -> None:
    """Refuse to run with a data key other than the one the database was written with.

    A cluster node started with a freshly generated key would otherwise write data that
    the other nodes cannot read, and fail to read theirs.
    """
    fingerprint = key_fingerprint()
    check = KeyCheck.objects.select_for_update().first()
    if check is None:
        KeyCheck.objects.create(fingerprint=fingerprint)
    elif check.fingerprint != fingerprint:
        raise ImproperlyConfigured(
            "VENTANILLA_DATA_KEY is not the key this database was written with "
            f"(expected fingerprint {check.fingerprint}, got {fingerprint}). "
            "Set the original key; every machine of an installation needs the same one."
        )
