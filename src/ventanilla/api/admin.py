from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.api import services
from ventanilla.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `ventanilla token`; here they can be seen and revoked (deleted,
    through the API service, which audits it)."""

    list_display = ["prefix", "name", "user", "scope", "created_at", "last_used_at", "expires_at"]
    fields = readonly_fields = (
        "prefix",
        "name",
        "user",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every field is read-only

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.revoke_token(token=obj, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            self.delete_model(request, token)
