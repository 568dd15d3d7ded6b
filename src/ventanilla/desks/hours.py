"""A desk's opening hours said in words in the reader's language, and whether and when the
desk is open, in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS as WEEKDAYS_NAMES
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ventanilla.desks.calendar import Calendar, Period, desk_calendar
from ventanilla.desks.models import Desk
from ventanilla.desks.validators import WEEKDAYS

DASH = "\u2013"  # an en dash, as between the ends of a range


def describe_hours(desk: Desk) -> str:
    """Such as "Mon-Fri 08:00-14:00, 15:00-18:00; Sat 09:00-13:00" (with en dashes).

    Consecutive days with the same hours are grouped; closed days are left out.
    """
    week = [tuple(tuple(span) for span in desk.hours.get(day, [])) for day in WEEKDAYS]
    groups: list[tuple[int, int, tuple[tuple[str, ...], ...]]] = []
    for index, spans in enumerate(week):
        if groups and groups[-1][2] == spans and groups[-1][1] == index - 1:
            groups[-1] = (groups[-1][0], index, spans)
        else:
            groups.append((index, index, spans))
    parts = []
    for first, last, spans in groups:
        if not spans:
            continue
        days = str(WEEKDAYS_ABBR[first])
        if last > first:
            days += DASH + str(WEEKDAYS_ABBR[last])
        parts.append(days + " " + ", ".join(f"{start}{DASH}{end}" for start, end in spans))
    return "; ".join(parts) or _("no opening hours set")


# When a desk is open: its calendar (desks/calendar.py), read in its own time zone.


def has_hours(desk: Desk) -> bool:
    """Whether the desk keeps opening hours at all; one without them is never closed."""
    return desk_calendar(desk).keeps_hours


def is_open(desk: Desk, at: datetime) -> bool:
    """Whether the desk is open at this (aware) moment; a desk without hours always is."""
    return desk_calendar(desk).is_open(at)


def next_opening(desk: Desk, at: datetime) -> datetime | None:
    """The moment the desk next opens: `at` itself when it is open, None if it never opens.

    Opening times are wall-clock times in the desk's time zone, so they stay at 08:00
    across a change to or from summer time.
    """
    return desk_calendar(desk).next_opening(at)


def describe_opening(desk: Desk, moment: datetime, *, now: datetime) -> str:
    """A moment as a person waiting for the desk reads it: "Monday 08:00", in the desk's
    time zone and the active language; with its date when it is more than a week away."""
    local = moment.astimezone(ZoneInfo(desk.timezone))
    day = str(WEEKDAYS_NAMES[local.weekday()])
    clock = local.strftime("%H:%M")
    if (local.date() - now.astimezone(local.tzinfo).date()).days < 7:
        return f"{day} {clock}"
    return f"{day} {date_format(local.date(), 'DATE_FORMAT')} {clock}"


def zone_name(timezone: str) -> str:
    """The desk's time zone as people say it: "Tegucigalpa time", "New York time"."""
    city = timezone.rsplit("/", 1)[-1].replace("_", " ")
    if timezone.startswith("Etc/") or "/" not in timezone:
        return city  # UTC, GMT+5: already what people say
    return _("%(city)s time") % {"city": city}


@dataclass(frozen=True)
class OpeningStatus:
    """Whether a desk is open now, said in words, and until when that holds."""

    is_open: bool
    text: str  # "Open now — until 20:00 (Madrid time)", "Closed — opens Monday 08:00 (...)"
    until: datetime | None  # the next closing or opening; None: none foreseen


def opening_status(desk: Desk, now: datetime) -> OpeningStatus | None:
    """The desk's status for a public page, in the active language; None for a desk that
    keeps no opening hours (it is never closed, and saying "open" would promise too much)."""
    calendar = desk_calendar(desk)
    if not calendar.keeps_hours:
        return None
    zone = zone_name(desk.timezone)
    if calendar.is_open(now):
        closing = calendar.next_closing(now)
        if closing is None:
            return OpeningStatus(True, _("Open now"), None)
        when = _clock(desk, closing, now)
        text = _("Open now — until %(when)s") % {"when": f"{when} ({zone})"}
        return OpeningStatus(True, text, closing)
    opening = calendar.next_opening(now)
    if opening is None:
        return OpeningStatus(False, pgettext("desk", "Closed"), None)
    when = describe_opening(desk, opening, now=now)
    text = _("Closed — opens %(when)s") % {"when": f"{when} ({zone})"}
    return OpeningStatus(False, text, opening)


def _clock(desk: Desk, moment: datetime, now: datetime) -> str:
    """ "20:00" (or "24:00") when that is today in the desk's time zone, else as
    describe_opening says it."""
    zone = ZoneInfo(desk.timezone)
    moment, today = moment.astimezone(zone), now.astimezone(zone).date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if moment.date() == today + timedelta(days=1) and moment.strftime("%H:%M") == "00:00":
        return "24:00"
    return describe_opening(desk, moment, now=now)


def open_periods(calendar: Calendar, first: date, last: date) -> list[Period]:
    """The open periods from the start of day `first` to the end of day `last` in the
    calendar's time zone, clipped to those days, in UTC (subtract those, not local times:
    Python subtracts two times of one zone by their wall clocks, summer time or not)."""
    start = calendar.instant(first, 0)
    end = calendar.instant(last + timedelta(days=1), 0)
    return list(calendar.periods(start, end))
