"""The help centre's page of services: the desk's listed services by type and place, in the
reader's language, each with what to know before going."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ventanilla.desks.texts import speaking
from ventanilla.helpcentre import directory
from ventanilla.helpcentre.guide import cacheable, not_found, open_page, render_page
from ventanilla.referrals.models import ServiceType


class ServicesForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type of service"),
        required=False,
        choices=[("", _("Any type")), *ServiceType.choices],
        error_messages={"invalid_choice": _("Choose a type of service from the list.")},
    )
    place = forms.CharField(
        label=_("Town or region"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )


@require_GET
def services(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    page = open_page(desk, lang)
    if page is None:
        return not_found(request, desk, lang)
    form = ServicesForm(request.GET)
    with speaking(page.desk, lang):  # the form's errors
        valid = form.is_valid()
    found = directory.listed_services(page.desk, lang, **form.cleaned_data) if valid else []
    filtered = not valid or any(form.cleaned_data.values())
    context = {"form": form, "services": found, "filtered": filtered}
    response = render_page(
        request,
        page,
        "helpcentre/guide/services.html",
        context,
        status=200 if valid else 400,
        link=lambda code: reverse("helpcentre:guide-services", args=[desk, code]),
    )
    if request.GET:
        response["Cache-Control"] = "no-store"  # the place someone looked in stays off caches
        return response
    return cacheable(request, response)
