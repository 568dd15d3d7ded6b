"""The help centre's application-status page: a reference number and the applicant's date of
birth in, where the application stands out, in the page's language."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ventanilla.desks.texts import speaking
from ventanilla.helpcentre import guide_selectors as guide
from ventanilla.helpcentre.applications import has_applications, look_up, parse_birth_date
from ventanilla.helpcentre.guide import Page, not_found, render_page
from ventanilla.helpcentre.models import LookupOutcome
from ventanilla.lib.ratelimit import client_address

# Both fields stay out of the browser's memory: the phone may be shared.
PRIVATE = {"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}


class StatusForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("As it is written on the receipt of your application."),
        widget=forms.TextInput(attrs={**PRIVATE, "autocapitalize": "characters"}),
    )
    date_of_birth = forms.CharField(
        label=_("The applicant's date of birth"),
        max_length=20,
        help_text=_("Day/month/year, for example 25/12/1990."),
        widget=forms.TextInput(attrs=PRIVATE),
    )

    def clean_date_of_birth(self) -> str:
        value: str = self.cleaned_data["date_of_birth"]
        try:
            parse_birth_date(value)
        except ValueError:
            raise forms.ValidationError(
                _("Write the date as day/month/year, for example 25/12/1990.")
            ) from None
        return value


def _page(desk: str, lang: str) -> Page | None:
    """The desk, if it has statuses loaded, in one of its guide's or its own languages."""
    found = guide.desk_by_slug(desk)
    if found is None or not has_applications(found):
        return None
    languages = list(dict.fromkeys([*guide.guide_languages(found), *found.languages]))
    return Page(found, lang, languages) if lang in languages else None


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    page = _page(desk, lang)
    if page is None:
        return not_found(request, desk, lang)
    form, answer = StatusForm(request.POST or None), None
    with speaking(page.desk, lang):  # the form's errors
        if request.method == "POST" and form.is_valid():
            answer = look_up(
                desk=page.desk,
                reference=form.cleaned_data["reference"],
                second_factor=form.cleaned_data["date_of_birth"],
                channel="help-centre",
                requester_key=f"address:{client_address(request.META)}",
                language=lang,
            )
            form = StatusForm(initial={"reference": form.cleaned_data["reference"]})
    refused = answer is not None and answer.outcome == LookupOutcome.REFUSED
    response = render_page(
        request,
        page,
        "helpcentre/guide/status.html",
        {"form": form, "answer": answer},
        status=429 if refused else 200,
        link=lambda code: reverse("helpcentre:application-status", args=[desk, code]),
    )
    response["Cache-Control"] = "no-store"  # what was asked and answered stays off caches
    return response
