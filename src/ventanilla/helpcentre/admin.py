from typing import Any

from django.contrib import admin

from ventanilla.desks.models import Desk
from ventanilla.helpcentre.applications import reference_hash
from ventanilla.helpcentre.models import (
    Application,
    ApplicationService,
    PortalAccess,
    StatusLookup,
)
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.names import NamesForm
from ventanilla.privacy.admin_reads import AuditedReads


@admin.register(PortalAccess)
class PortalAccessAdmin(ReadOnlyAdmin):
    """Which requests can be followed from the portal; codes and contact details stay hidden."""

    list_display = ["conversation", "created_at"]
    fields = ["conversation", "created_at"]


@admin.register(Application)
class ApplicationAdmin(AuditedReads, ReadOnlyAdmin):
    """Statuses as the last import left them: they change in the case-management system and
    come in with `ventanilla applications import` or the API. The date of birth is not kept."""

    list_display = ["reference", "desk", "service", "status", "status_updated_on", "post"]
    list_filter = ["desk", "status"]
    search_fields = ["reference_hash"]  # see get_search_results: a whole reference, hashed
    fields = [
        "desk",
        "reference",
        "service",
        "status",
        "status_updated_on",
        "post",
        "imported_at",
        "updated_at",
    ]

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> tuple[Any, bool]:
        """References are kept encrypted: one is found whole, by its keyed hash at each desk."""
        if not search_term.strip():
            return queryset, False
        keys = [reference_hash(desk, search_term) for desk in Desk.objects.all()]
        return queryset.filter(reference_hash__in=keys), False


@admin.register(ApplicationService)
class ApplicationServiceAdmin(admin.ModelAdmin):
    """Where staff name what people apply for in each language; the services themselves
    come with the imports, as the case-management system writes them."""

    form = NamesForm
    list_display = ["name", "desk"]
    list_filter = ["desk"]
    fields = ["desk", "name", "names"]
    readonly_fields = ["desk", "name"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(StatusLookup)
class StatusLookupAdmin(AuditedReads, ReadOnlyAdmin):
    """Who asked for a status is not known, nor what they wrote: only where, and what came of it."""

    list_display = ["created_at", "desk", "channel", "outcome", "application"]
    list_filter = ["desk", "channel", "outcome"]
    fields = ["created_at", "desk", "channel", "outcome", "application"]
