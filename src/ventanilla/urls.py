"""The web app's URLs: console, sign-in, admin, API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from ventanilla.api.app import api
from ventanilla.console import security
from ventanilla.console.forms import AdminSignInForm
from ventanilla.console.signin import SignInView
from ventanilla.server.views import favicon

admin.site.site_header = admin.site.site_title = _("ventanilla administration")
admin.site.index_title = _("Administration")
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("favicon.ico", favicon),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/two-factor/", security.two_factor, name="two-factor"),
    path("accounts/two-factor/enrol/", security.enrol, name="two-factor-enrol"),
    path("accounts/password_reset/", security.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/",
        security.RESET_PAGES["done"],
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        security.RESET_PAGES["confirm"],
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", security.RESET_PAGES["complete"], name="password_reset_complete"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("console/", include("ventanilla.console.urls")),
    path("webhooks/", include("ventanilla.channels.urls")),
    path("files/", include("ventanilla.conversations.urls")),
    path("voice/", include("ventanilla.calls.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ventanilla.helpcentre.urls")),
]
