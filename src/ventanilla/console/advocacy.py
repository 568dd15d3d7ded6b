"""The console's anonymised trends for advocacy: the dataset's groups for a period (every group
smaller than the desk's k left out), to download as CSV and hand on, and the recurring
questions, the topics and the groups of unanswered questions growing week over week."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.channels.models import TYPE_NAMES
from ventanilla.console.forms import form_errors
from ventanilla.console.views import console_page
from ventanilla.conversations.models import Outcome
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.knowledge.models import Topic
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.lib.languages import native_name
from ventanilla.lib.tables import download as table_download
from ventanilla.reports import advocacy

SHOWN_ROWS = 100
OUTCOMES = dict(Outcome.choices)
HEADINGS = {
    "week": gettext_lazy("Week"),
    "desk": gettext_lazy("Desk"),
    "channel": gettext_lazy("Channel"),
    "language": gettext_lazy("Language"),
    "topic": gettext_lazy("Topic"),
    "request_type": gettext_lazy("Request type"),
    "outcome": gettext_lazy("Outcome"),
    "post": gettext_lazy("Consular post"),
    "country": gettext_lazy("Country"),
    "conversations": gettext_lazy("Conversations"),
}


def _readable(row: dict[str, Any]) -> list[str]:
    """A row of the dataset as the page shows it: channels, languages and outcomes named."""
    named = {
        "week": row["week"].isoformat(),
        "channel": str(TYPE_NAMES.get(row["channel"], row["channel"])) if row["channel"] else "",
        "language": native_name(row["language"]) if row["language"] else "",
        "outcome": str(OUTCOMES.get(row["outcome"], row["outcome"])) if row["outcome"] else "",
    }
    return [named.get(name, str(row[name] or "")) for name in advocacy.COLUMNS]


class AdvocacyForm(forms.Form):
    """The weeks, the desk and the smallest group the dataset publishes."""

    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    desk = forms.ChoiceField(label=gettext_lazy("Desk"), required=False)
    k = forms.IntegerField(
        label=gettext_lazy("Smallest group"), required=False, min_value=2, max_value=1000
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        language = get_language()
        cast(forms.ChoiceField, self.fields["desk"]).choices = [
            ("", _("All")),
            *((d.slug, d.name_in(language)) for d in desks_visible_to(user)),
        ]
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def asked(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        if not self.is_valid():
            raise Invalid(form_errors(self))
        data = self.cleaned_data
        return {
            "start": data.get("start"),
            "end": data.get("end"),
            "desk": data.get("desk") or None,
            "k": data.get("k"),
        }


@console_page
def trends(request: HttpRequest) -> HttpResponse:
    """The dataset's groups and the recurring questions, for analysts and supervisors."""
    require(request.user, "conversations.view_statistics")
    form = AdvocacyForm(request.GET or None, user=request.user)
    problem = ""
    try:
        asked = form.asked()
        found = advocacy.dataset(request.user, **asked)
    except ServiceError as error:
        problem, asked = error.detail, {}
        found = advocacy.dataset(request.user)
    language = get_language()
    recurring = advocacy.recurring(request.user, end=found["to"], desk=asked.get("desk"))
    names = {
        topic.key: topic.name_in(language)
        for topic in Topic.objects.filter(key__in=[t["key"] for t in recurring["topics"]])
    }
    for topic in recurring["topics"]:
        topic["label"] = names.get(topic["key"], topic["key"])
    shown = {
        "form": form,
        "problem": problem,
        "found": found,
        "headings": [str(HEADINGS[name]) for name in advocacy.COLUMNS],
        "rows": [_readable(row) for row in found["rows"][:SHOWN_ROWS]],
        "more": max(0, len(found["rows"]) - SHOWN_ROWS),
        "published": sum(row["conversations"] for row in found["rows"]),
        "thresholds": sorted(found["k"].items()),
        "recurring": recurring,
        "query": request.GET.urlencode(),
    }
    return render(request, "console/advocacy.html", shown)


@console_page
def dataset(request: HttpRequest) -> HttpResponseBase:
    """The dataset as CSV, for the same choices as the page."""
    require(request.user, "conversations.view_statistics")
    asked = AdvocacyForm(request.GET or None, user=request.user).asked()
    found = advocacy.dataset(request.user, **asked)
    header, rows = advocacy.table(found)
    name = f"advocacy-{found['from']}-{found['to']}"
    return table_download(header, rows, form="csv", name=name, title="Advocacy")
