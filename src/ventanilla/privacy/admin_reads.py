"""The administration's pages of what people wrote or are: opening one is recorded in the
audit log, as reading a conversation in the console is."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from ventanilla.privacy.services import audit


class AuditedReads:
    """Mixed into a ModelAdmin (before it): each opened row is recorded as `admin.read`."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        if request.method == "GET" and response.status_code == 200:
            found = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if found is not None:
                audit(actor=request.user, action="admin.read", target=found)
        return response
