"""The console's dashboard (Figures): the desks' key figures for a period beside the period
before, charts by day, channel, language, topic, request type, post and team with the table
under each, a weekday x hour heat map, every table downloadable as CSV or XLSX. Counts and
durations only (reports.kpis): what analysts see."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.accountability.models import Post
from ventanilla.channels.models import TYPE_NAMES, ChannelType
from ventanilla.console.views import console_page
from ventanilla.desks.models import Team
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.lib.languages import native_name
from ventanilla.lib.tables import download as table_download
from ventanilla.referrals import protection
from ventanilla.referrals.models import Violation
from ventanilla.referrals.outcomes import outcomes
from ventanilla.reports import kpis, readable

# The charts, in the order the page shows them: the grouping and its title.
CHARTS = [
    ("day", gettext_lazy("Conversations per day")),
    ("channel", gettext_lazy("By channel")),
    ("language", gettext_lazy("By language")),
    ("topic", gettext_lazy("By topic")),
    ("request_type", gettext_lazy("By request type")),
    ("post", gettext_lazy("By consular post")),
    ("team", gettext_lazy("By team")),
]
CHARTED = [grouping for grouping, _title in CHARTS]
TABLES = {*CHARTED, "total", "heat"}


class DashboardForm(forms.Form):
    """What the dashboard shows: the days, and the desk, post, team, channel and language
    it narrows to (each empty: all)."""

    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    desk = forms.ChoiceField(label=gettext_lazy("Desk"), required=False)
    post = forms.ChoiceField(label=gettext_lazy("Consular post"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language of the conversation"), required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        desks = list(desks_visible_to(user))
        language = get_language()
        everything = [("", _("All"))]
        posts = {p.slug: p.name_in(language) for p in Post.objects.filter(desk__in=desks)}
        teams = {t.slug: t.name_in(language) for t in Team.objects.filter(desk__in=desks)}
        choices: dict[str, list[tuple[str, str]]] = {
            "desk": [(d.slug, d.name_in(language)) for d in desks],
            "post": sorted(posts.items(), key=lambda p: p[1]),
            "team": sorted(teams.items(), key=lambda t: t[1]),
            "channel": [(kind, str(TYPE_NAMES[kind])) for kind in ChannelType.values],
        }
        spoken = sorted(
            {code for d in desks for code in d.languages} | {c for c, _n in settings.LANGUAGES}
        )
        choices["language"] = [(c, native_name(c)) for c in spoken]
        for name, listed in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = everything + listed
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def asked(self) -> dict[str, Any]:
        """The report's arguments, from what was chosen."""
        data = self.cleaned_data
        return {
            "desk": data.get("desk") or None,
            "start": data.get("start"),
            "end": data.get("end"),
            "post": data.get("post") or None,
            "team": data.get("team") or None,
            "channel": data.get("channel") or None,
            "language": data.get("language") or None,
        }


def _presets(request: HttpRequest, zone: ZoneInfo) -> list[tuple[str, str]]:
    """Periods one click away, ending today in the desk's zone, with the other choices
    kept: (label, query string)."""
    today = timezone.now().astimezone(zone).date()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    periods: list[tuple[str, date, date]] = [
        (_("Last 7 days"), today - timedelta(days=6), today),
        (_("Last 30 days"), today - timedelta(days=29), today),
        (_("This month"), first, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("Last 12 months"), today - timedelta(days=364), today),
    ]
    links = []
    for label, start, end in periods:
        query = request.GET.copy()
        query["start"], query["end"] = start.isoformat(), end.isoformat()
        links.append((label, query.urlencode()))
    return links


def _chart(grouping: str, title: Any, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """A chart's data for the page's script, and its table's rows."""
    rows = [
        {
            "label": group["label"],
            "cells": [
                readable.shown(group["figures"][name], readable.kind(name))
                for name, _h in readable.COLUMNS
            ],
            "previous": readable.shown(group["previous"]["conversations"], "count"),
        }
        for group in groups
    ]
    shown = groups if grouping == "day" else groups[:12]  # the longest bars, then the table
    return {
        "grouping": grouping,
        "title": str(title),
        "kind": "line" if grouping == "day" else "bar",
        "labels": [group["label"] for group in shown],
        "current": [group["figures"]["conversations"] for group in shown],
        "previous": [group["previous"]["conversations"] for group in shown],
        "rows": rows,
    }


def _heat_rows(heat: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each weekday's counts with a shade from 0 (none) to 5 (the busiest hour)."""
    busiest = max((n for day in heat for n in day["hours"]), default=0)
    return [
        {
            "label": day["label"],
            "cells": [
                {"n": n, "shade": 0 if not n else 1 + min(4, int(5 * n / (busiest + 1)))}
                for n in day["hours"]
            ],
        }
        for day in heat
    ]


@console_page
def statistics(request: HttpRequest) -> HttpResponse:
    """The dashboard: what analysts, supervisors and administrators read at a glance."""
    require(request.user, "conversations.view_statistics")
    form = DashboardForm(request.GET or None, user=request.user)
    asked = form.asked() if form.is_valid() else {}
    problem = ""
    try:
        found = kpis.dashboard(request.user, groupings=CHARTED, heat=True, brief=True, **asked)
    except Invalid as error:
        problem = str(error)
        found = kpis.dashboard(request.user, groupings=CHARTED, heat=True, brief=True)
    zone = ZoneInfo(found["timezone"])
    query = request.GET.urlencode()
    charts = [_chart(grouping, title, found["by"][grouping]) for grouping, title in CHARTS]
    user: Any = request.user
    desks = list(desks_visible_to(request.user))
    shown = {
        "form": form,
        "problem": problem,
        "found": found,
        "presets": _presets(request, zone),
        "tiles": readable.key_figures(found),
        "charts": charts,
        "chart_data": {
            "charts": [
                {k: chart[k] for k in ("grouping", "kind", "labels", "current", "previous")}
                for chart in charts
            ],
            "current": str(_("This period")),
            "previous": str(_("The period before")),
        },
        "columns": [str(heading) for _n, heading in readable.COLUMNS],
        "heat": _heat_rows(found["heat"]),
        "hours": list(range(24)),
        "query": query,
        "referrals": outcomes(desks, by="type", language=get_language())
        if user.has_perm("referrals.view_outcomes")
        else [],
        "reports": protection.counts(desks, first=None, last=None)
        if user.has_perm("referrals.view_protection_counts")
        else [],
        "violations": dict(Violation.choices),
    }
    return render(request, "console/statistics.html", shown)


@console_page
def download(request: HttpRequest, table: str, form: str) -> HttpResponseBase:
    """One of the dashboard's tables as CSV or XLSX, for the same choices as the page."""
    require(request.user, "conversations.view_statistics")
    if table not in TABLES or form not in ("csv", "xlsx"):
        raise Invalid(f"no table {table!r} as {form!r}")
    chosen = DashboardForm(request.GET or None, user=request.user)
    if request.GET and not chosen.is_valid():
        raise Invalid(
            "; ".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in chosen.errors.items()
            )
        )
    asked = chosen.asked() if request.GET else {}
    if table == "heat":
        found = kpis.dashboard(request.user, heat=True, **asked)
        header = [str(_("Weekday")), *(f"{hour:02d}:00" for hour in range(24))]
        rows = [[day["label"], *day["hours"]] for day in found["heat"]]
    else:
        grouping = None if table == "total" else table
        header, rows = kpis.kpi_table(kpis.kpis(request.user, group_by=grouping, **asked))
    return table_download(header, rows, form=form, name=f"figures-{table}", title=table)
