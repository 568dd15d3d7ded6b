"""Admin pages for teamwork, read-only: canned responses are written in the console."""

from django.contrib import admin

from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.privacy.admin_reads import AuditedReads
from ventanilla.teamwork.models import CannedResponse, Handover, HandoverLine, Notification


@admin.register(CannedResponse)
class CannedResponseAdmin(ReadOnlyAdmin):
    list_display = ["shortcut", "title", "desk", "updated_at"]
    list_filter = ["desk"]
    search_fields = ["shortcut", "title"]


@admin.register(Handover)
class HandoverAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["pk", "desk", "author", "created_at"]
    list_filter = ["desk"]


@admin.register(HandoverLine)
class HandoverLineAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["pk", "handover", "conversation"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "recipient", "kind", "conversation", "created_at", "read_at"]
    list_filter = ["kind"]
