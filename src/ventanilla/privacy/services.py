"""Writes to the audit log, and the guard against starting with the wrong data key."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction

from ventanilla.privacy.append_only import deletions_permitted
from ventanilla.privacy.crypto import keyring, lookup_hash
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
        desk_id=_desk_of(target),
        target_type=target._meta.model_name or "",
        target_id=str(target.pk),
        detail=detail,
    )


def purge_audit(*, now: datetime, dry_run: bool = False) -> int:
    """Remove the audit entries older than the log's retention: the one deletion the
    database lets through. The purge itself is recorded, with how many went and up to when."""
    before = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    old = AuditEntry.objects.filter(at__lt=before)
    if dry_run:
        return old.count()
    with deletions_permitted():
        removed = old.delete()[0]
        if removed:
            AuditEntry.objects.create(
                action="audit.purge",
                target_type="auditentry",
                target_id="",
                detail={"removed": removed, "before": before.isoformat()},
            )
    return removed


def _desk_of(target: models.Model) -> int | None:
    """The desk a target belongs to: its own, its conversation's, its channel's."""
    if target._meta.model_name == "desk":
        return int(target.pk)
    for path in ("desk_id", "conversation", "channel"):
        found = getattr(target, path, None)
        if isinstance(found, int):
            return found
        if isinstance(found, models.Model):
            desk_id = getattr(found, "desk_id", None)
            if isinstance(desk_id, int):
                return desk_id
    return None


@transaction.atomic
def verify_data_key() -> None:
    """Refuse to run without every key the database's data was encrypted with.

    A cluster node started with a freshly generated key would otherwise write data that
    the other nodes cannot read, and fail to read theirs. A key new to the database (the
    first one, or one added for a rotation beside the keys in use) is recorded.
    """
    ring = keyring()
    mine = {key.fingerprint for key in ring.keys}
    known = {check.fingerprint: check for check in KeyCheck.objects.select_for_update()}
    in_use = {fingerprint for fingerprint, check in known.items() if check.retired_at is None}
    if in_use and not in_use & mine:
        expected = ", ".join(sorted(in_use))
        raise ImproperlyConfigured(
            "VENTANILLA_DATA_KEY is not the key this database was written with "
            f"(expected fingerprint {expected}, got {ring.active.fingerprint}). "
            "Set the original key; every machine of an installation needs the same one."
        )
    missing = sorted(in_use - mine)
    if missing:
        raise ImproperlyConfigured(
            "VENTANILLA_DATA_KEY lacks key(s) the database still holds data under "
            f"(fingerprints {', '.join(missing)}): keep them after the new key until "
            "`ventanilla keys rotate` says they are no longer used."
        )
    for fingerprint in sorted(mine - known.keys()):
        try:
            with transaction.atomic():
                KeyCheck.objects.create(fingerprint=fingerprint)
        except IntegrityError:
            pass  # another process starting at the same moment recorded it
    lookup_hash("")  # the index key made now, from the keys of a database just verified
    KeyCheck.objects.filter(fingerprint=ring.active.fingerprint, retired_at__isnull=False).update(
        retired_at=None
    )
