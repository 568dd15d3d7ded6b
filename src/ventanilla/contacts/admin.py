from django.contrib import admin
from django.http import HttpRequest

from ventanilla.contacts.models import Contact, Identity


class IdentityInline(admin.TabularInline):
    """Only the scheme shows: addresses stay encrypted and out of sight."""

    model = Identity
    fields = ["scheme", "created_at"]
    readonly_fields = ["scheme", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "language", "created_at", "last_seen_at"]
    search_fields = ["pseudonym"]
    fields = ["pseudonym", "language", "created_at", "last_seen_at"]
    readonly_fields = ["pseudonym", "created_at", "last_seen_at"]
    inlines = [IdentityInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # contacts arrive through channels


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["contact", "scheme", "created_at"]
    list_filter = ["scheme"]
    fields = ["contact", "scheme", "created_at"]
    readonly_fields = ["contact", "scheme", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
