from django.contrib import admin

from ventanilla.helpcentre.models import PortalAccess
from ventanilla.lib.admin import ReadOnlyAdmin


@admin.register(PortalAccess)
class PortalAccessAdmin(ReadOnlyAdmin):
    """Which requests can be followed from the portal; codes and contact details stay hidden."""

    list_display = ["conversation", "created_at"]
    fields = ["conversation", "created_at"]
