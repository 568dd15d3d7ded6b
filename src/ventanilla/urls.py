"""The web app's URLs: console, sign-in, admin, API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from ventanilla.api.app import api
from ventanilla.console.signin import SignInView
from ventanilla.server.views import favicon

admin.site.site_header = admin.site.site_title = _("ventanilla administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("favicon.ico", favicon),
    path("accounts/login/", SignInView.as_view(), name="login"),
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
