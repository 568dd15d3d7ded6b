from django.contrib import admin
from django.http import HttpRequest

from ventanilla.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `ventanilla token`; here they can be seen and revoked (deleted)."""

    list_display = ["prefix", "user", "created_at", "last_used_at"]
    fields = readonly_fields = ("prefix", "user", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
