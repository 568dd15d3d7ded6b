"""Figures as people read them, in the reader's language: the key figures with their titles,
durations in seconds, minutes, hours or days, rates in per cent, and how a figure moved
since the period before. The console's dashboard and the monthly report both show them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Month and weekday names, here for the languages whose calendar names Django lacks
# (Tamazight): the monthly report and the dashboard name months and weekdays.
CALENDAR_NAMES = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


# The key figures: the figure, its title, and how it reads ("count", "seconds", "rate",
# "score"); `better`: whether more is better (for the change's colour), None: neither.
KEY_FIGURES = [
    ("conversations", gettext_lazy("Conversations"), "count", None),
    ("first_response_median_seconds", gettext_lazy("First response (median)"), "seconds", False),
    ("waiting_median_seconds", gettext_lazy("Waiting for a person (median)"), "seconds", False),
    ("resolution_median_seconds", gettext_lazy("Resolution (median)"), "seconds", False),
    ("first_response_compliance", gettext_lazy("First responses in time"), "rate", True),
    ("resolution_compliance", gettext_lazy("Resolutions in time"), "rate", True),
    ("containment_rate", gettext_lazy("Answered by the bot alone"), "rate", None),
    ("calls", gettext_lazy("Calls received"), "count", None),
    ("abandonment_rate", gettext_lazy("Calls abandoned"), "rate", False),
    ("call_wait_median_seconds", gettext_lazy("Wait on the phone (median)"), "seconds", False),
    ("talk_median_seconds", gettext_lazy("Talk time (median)"), "seconds", None),
    ("satisfied_rate", gettext_lazy("Satisfied (4 or 5 of 5)"), "rate", True),
    ("complaints", gettext_lazy("Complaints"), "count", None),
    ("referrals", gettext_lazy("Referrals"), "count", None),
]
# The columns of a table of groups: the figure and its heading.
COLUMNS = [
    ("conversations", gettext_lazy("Conversations")),
    ("first_response_median_seconds", gettext_lazy("First response (median)")),
    ("first_response_compliance", gettext_lazy("First responses in time")),
    ("resolution_median_seconds", gettext_lazy("Resolution (median)")),
    ("calls", gettext_lazy("Calls")),
    ("satisfied_rate", gettext_lazy("Satisfied")),
]


def kind(name: str) -> str:
    """How a figure reads, from its name."""
    if name.endswith("_seconds"):
        return "seconds"
    if name.endswith("_average"):
        return "score"
    return "rate" if name.endswith(("_rate", "_compliance")) else "count"


def shown(value: Any, kind: str) -> str:
    """A figure as people read it: 1 234; 45 s; 2 h 05 min; 87 %; 4.2."""
    if value is None:
        return "\u2013"  # an en dash: no figure
    if kind == "seconds":
        if value < 120:
            return _("%(seconds)d s") % {"seconds": value}
        minutes = round(value / 60)
        if minutes < 60:
            return _("%(minutes)d min") % {"minutes": minutes}
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
        return _("%(days).1f days") % {"days": value / 86400}
    if kind == "rate":
        return f"{value * 100:.0f} %"
    if kind == "score":
        return f"{value:.1f}"
    return f"{value:,}".replace(",", "\u202f")  # a thin space between thousands


def change(now: Any, before: Any, better: bool | None) -> dict[str, str] | None:
    """How a figure moved since the period before: "+12 %", and whether that is good."""
    if now is None or before in (None, 0):
        return None
    moved = (now - before) / before
    if abs(moved) < 0.005:
        return {"text": "±0 %", "tone": "same"}
    tone = "same" if better is None else ("good" if (moved > 0) == better else "bad")
    return {"text": f"{moved * 100:+.0f} %", "tone": tone}


def key_figures(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The key figures of a report (`reports.kpis.dashboard`), each beside the period
    before and its change."""
    return [
        {
            "name": name,
            "title": title,
            "value": shown(found["total"][name], kind),
            "previous": shown(found["total_previous"][name], kind),
            "change": change(found["total"][name], found["total_previous"][name], better),
        }
        for name, title, kind, better in KEY_FIGURES
    ]
