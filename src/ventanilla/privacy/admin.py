from django.contrib import admin

from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.privacy.models import AuditEntry, KeyCheck


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read only: the audit log is append-only."""

    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__username"]
    date_hierarchy = "at"


@admin.register(KeyCheck)
class KeyCheckAdmin(ReadOnlyAdmin):
    list_display = ["fingerprint", "created_at", "retired_at"]
