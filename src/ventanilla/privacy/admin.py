from django.contrib import admin

from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.privacy.models import AuditEntry, IndexKey, KeyCheck


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read only: the audit log is append-only."""

    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__username"]
    date_hierarchy = "at"


@admin.register(IndexKey)
class IndexKeyAdmin(ReadOnlyAdmin):
    """The key of the look-up hashes exists: its value is never shown."""

    list_display = ["pk", "created_at"]
    fields = ["created_at"]
    readonly_fields = ["created_at"]


@admin.register(KeyCheck)
class KeyCheckAdmin(ReadOnlyAdmin):
    list_display = ["fingerprint", "created_at", "retired_at"]
