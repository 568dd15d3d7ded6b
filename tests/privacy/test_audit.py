import secrets
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ventanilla.conversations.retention import apply_retention
from ventanilla.privacy.crypto import key_fingerprint
from ventanilla.privacy.models import AuditEntry, KeyCheck
from ventanilla.privacy.services import audit, purge_audit, verify_data_key


def test_an_audit_entry_names_actor_action_and_target(agent, desk):
    entry = audit(actor=agent, action="desk.update", target=desk, fields=["name"])
    assert (entry.actor, entry.action, entry.target_type, entry.target_id) == (
        agent,
        "desk.update",
        "desk",
        str(desk.pk),
    )
    assert entry.detail == {"fields": ["name"]}


def test_the_database_refuses_to_alter_an_audit_entry(agent, desk):
    entry = audit(actor=agent, action="desk.update", target=desk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    entry.refresh_from_db()
    assert entry.action == "desk.update"


def test_the_database_refuses_to_delete_an_audit_entry(agent, desk):
    entry = audit(actor=agent, action="desk.update", target=desk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry")  # as any other client would
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_only_the_logs_retention_removes_old_entries(agent, desk, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=400)):
        old = audit(actor=agent, action="conversation.read", target=desk)
    with time_machine.travel(now - timedelta(days=300)):
        recent = audit(actor=agent, action="conversation.read", target=desk)
    assert purge_audit(now=now, dry_run=True) == 1
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    assert purge_audit(now=now) == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    purge = AuditEntry.objects.get(action="audit.purge")
    assert purge.actor is None and purge.detail["removed"] == 1
    assert purge.detail["before"].startswith(str((now - timedelta(days=365)).date()))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=recent.pk).delete()  # the permission ended with the purge
    assert purge_audit(now=now) == 0


def test_retention_purges_the_audit_log_with_the_rest(agent, desk, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        audit(actor=agent, action="conversation.read", target=desk)
    assert apply_retention(dry_run=True).counts["audit entries"] == 1
    assert apply_retention().counts["audit entries"] == 1
    assert apply_retention().counts["audit entries"] == 0


def test_the_data_key_is_remembered_and_a_different_one_refused(db, settings):
    verify_data_key()
    verify_data_key()  # the same key again is fine
    assert KeyCheck.objects.count() == 1
    original = settings.DATA_KEY
    settings.DATA_KEY_FILE = None
    settings.DATA_KEY = secrets.token_urlsafe(32)
    with pytest.raises(ImproperlyConfigured, match="not the key this database was written with"):
        verify_data_key()
    settings.DATA_KEY = f"{settings.DATA_KEY},{original}"  # a new key before the one in use
    verify_data_key()
    assert KeyCheck.objects.count() == 2
    settings.DATA_KEY = settings.DATA_KEY.split(",")[0]  # the old one dropped too early
    with pytest.raises(ImproperlyConfigured, match="lacks key"):
        verify_data_key()
    KeyCheck.objects.exclude(fingerprint=key_fingerprint()).update(retired_at=timezone.now())
    verify_data_key()  # once rotation retired it, it may go


@pytest.mark.django_db(transaction=True)
def test_machines_starting_together_record_the_key_once(concurrently):
    from django.db import connection

    def start() -> None:
        try:
            verify_data_key()
        finally:
            connection.close()

    concurrently(start)
    assert KeyCheck.objects.count() == 1
