"""The append-only audit log, and the fingerprint of the data key the database was written with."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ventanilla.privacy.fields import EncryptedTextField


class AuditEntry(models.Model):
    """Who read or changed what, and when.

    Rows are only ever inserted: the database itself refuses an UPDATE (a trigger made by
    this app's migrations). `detail` names what changed, never personal content.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the system itself (webhooks, tasks).",
    )
    action = models.CharField(max_length=64)
    desk = models.ForeignKey(
        "desks.Desk",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # entries are never changed: the log outlives the desk
        related_name="+",
        db_constraint=False,
        help_text="The desk the target belongs to, when it belongs to one.",
    )
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["desk", "at"]),
        ]

    def __str__(self) -> str:
        who = self.actor.get_username() if self.actor else "system"
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.target_type}:{self.target_id}"
        )


class IndexKey(models.Model):
    """One row: the key of the installation's look-up hashes, encrypted with the data keys
    (privacy.crypto). A key rotation encrypts it again; it never changes."""

    secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "index key"


class KeyCheck(models.Model):
    """A data key this database's data was encrypted with, by its fingerprint.

    Every key in use has a row; a key that `ventanilla keys rotate` found nothing left
    under is marked retired and may then be removed from VENTANILLA_DATA_KEY.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.fingerprint

    @property
    def key_id(self) -> str:
        return self.fingerprint[:8]
