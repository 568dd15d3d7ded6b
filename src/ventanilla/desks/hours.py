"""A desk's weekly opening hours: said in words in the reader's language, and whether and
when the desk is open, in its own time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS as WEEKDAYS_NAMES
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


# When a desk is open: its weekly hours and holidays, read in its own time zone.

MINUTES_A_DAY = 24 * 60
LOOK_AHEAD_DAYS = 400  # a year of holidays and a week more: past that, the desk never opens


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _week(desk: Desk) -> list[list[tuple[int, int]]]:
    """Each weekday's opening spans in minutes after midnight, Monday first."""
    hours = desk.hours if isinstance(desk.hours, dict) else {}
    return [[(_minutes(a), _minutes(b)) for a, b in hours.get(day) or []] for day in WEEKDAYS]


def _holidays(desk: Desk) -> frozenset[date]:
    """The days the desk is closed whatever its weekly hours say (`holidays` in its hours)."""
    listed = desk.hours.get("holidays") if isinstance(desk.hours, dict) else None
    days = set()
    for value in listed if isinstance(listed, list) else []:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(days)


def has_hours(desk: Desk) -> bool:
    """Whether the desk keeps opening hours at all; one without them is never closed."""
    return any(_week(desk))


def is_open(desk: Desk, at: datetime) -> bool:
    """Whether the desk is open at this (aware) moment; a desk without hours always is."""
    week = _week(desk)
    if not any(week):
        return True
    local = at.astimezone(ZoneInfo(desk.timezone))
    if local.date() in _holidays(desk):
        return False
    minute = local.hour * 60 + local.minute + local.second / 60
    return any(start <= minute < end for start, end in week[local.weekday()])


def next_opening(desk: Desk, at: datetime) -> datetime | None:
    """The moment the desk next opens: `at` itself when it is open, None if it never opens.

    Opening times are wall-clock times in the desk's time zone, so they stay at 08:00
    across a change to or from summer time.
    """
    if is_open(desk, at):
        return at
    zone = ZoneInfo(desk.timezone)
    week, holidays = _week(desk), _holidays(desk)
    today = at.astimezone(zone).date()
    for offset in range(LOOK_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day in holidays:
            continue
        for start, _end in week[day.weekday()]:
            opening = datetime.combine(day, time(start // 60, start % 60), tzinfo=zone)
            if opening > at:
                return opening
    return None


def describe_opening(desk: Desk, moment: datetime, *, now: datetime) -> str:
    """A moment as a person waiting for the desk reads it: "Monday 08:00", in the desk's
    time zone and the active language; with its date when it is more than a week away."""
    local = moment.astimezone(ZoneInfo(desk.timezone))
    day = str(WEEKDAYS_NAMES[local.weekday()])
    clock = local.strftime("%H:%M")
    if (local.date() - now.astimezone(local.tzinfo).date()).days < 7:
        return f"{day} {clock}"
    return f"{day} {date_format(local.date(), 'DATE_FORMAT')} {clock}"
