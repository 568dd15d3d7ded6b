"""Sign-in that brings back the console language a member of staff chose before."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpResponse

from ventanilla.desks.models import AgentProfile


class SignInView(LoginView):
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
