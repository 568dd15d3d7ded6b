"""Sign-in: each member of staff lands on a page their role may see, in the console
language they chose before."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.urls import reverse

from ventanilla.console.forms import SignInForm
from ventanilla.desks.models import AgentProfile


def landing_for(user: Any) -> str:
    """Where a member of staff starts: agents and supervisors at the inbox, analysts at the
    figures, administrators who work at no desk at the administration."""
    works_at_a_desk = AgentProfile.objects.filter(user=user, desks__isnull=False).exists()
    if user.is_staff and not works_at_a_desk:
        return reverse("admin:index")
    if user.has_perm("conversations.view_conversation"):
        return reverse("console:inbox")
    if user.has_perm("conversations.view_statistics"):
        return reverse("console:statistics")
    return reverse("console:inbox")


class SignInView(LoginView):
    form_class = SignInForm

    def get_default_redirect_url(self) -> str:
        return landing_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        shown = super().get_context_data(**kwargs)
        form = shown.get("form")
        shown["locked"] = bool(
            form and form.is_bound and form.has_error(NON_FIELD_ERRORS, "locked")
        )
        return shown

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        chosen = (
            AgentProfile.objects.filter(user=form.get_user())
            .values_list("ui_language", flat=True)
            .first()
        )
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax", max_age=365 * 86400
            )
        return response
