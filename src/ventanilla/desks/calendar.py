"""When a desk (or one of its teams) is open: weekly hours, holidays and special days, read
in the desk's own time zone, and the arithmetic of open time that service levels count in.

Opening times are wall-clock times: 08:00 stays 08:00 across a change to or from summer
time, so a day's open time is measured between real instants (in UTC), never by
subtracting wall-clock readings. A wall-clock time that does not exist (the hour skipped
in spring) opens at the first minute that does; one that happens twice (the hour repeated
in autumn) is its first occurrence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ventanilla.desks.validators import WEEKDAYS, YEARLY

Span = tuple[int, int]  # minutes after midnight: [opening, closing)
Period = tuple[datetime, datetime]  # real instants, in UTC: [opening, closing)

MINUTES_A_DAY = 24 * 60
# A calendar with no open day this long in a row never opens again (a year of holidays and
# more): searches stop there rather than run for ever.
LONGEST_CLOSURE_DAYS = 400
CHUNK = timedelta(days=31)
DAYS_KEPT = 5000  # days whose open periods a calendar keeps worked out
FOREVER = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _spans(value: Any) -> tuple[Span, ...]:
    if not isinstance(value, list):
        return ()
    return tuple((_minutes(a), _minutes(b)) for a, b in value)


@dataclass(frozen=True)
class Calendar:
    """A weekly timetable with its exceptions, in one time zone."""

    zone: ZoneInfo
    week: tuple[tuple[Span, ...], ...] = ((),) * 7  # Monday first
    holidays: frozenset[date] = frozenset()
    yearly: frozenset[tuple[int, int]] = frozenset()  # (month, day) closed every year
    special: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)
    # The real instants of each day's spans, worked out once: calendars are shared (below).
    _days: dict[date, tuple[Period, ...]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        hours: Any,
        holidays: Any = (),
        special_days: Any = None,
    ) -> Calendar:
        """From stored values (see validators.py); anything unreadable counts as absent."""
        hours = hours if isinstance(hours, dict) else {}
        dated, yearly = set(), set()
        for value in holidays if isinstance(holidays, list | tuple) else ():
            text = str(value)
            if YEARLY.match(text):
                yearly.add((int(text[:2]), int(text[3:])))
                continue
            try:
                dated.add(date.fromisoformat(text))
            except ValueError:
                continue
        special: dict[date, tuple[Span, ...]] = {}
        for day, spans in (special_days or {}).items() if isinstance(special_days, dict) else ():
            try:
                special[date.fromisoformat(str(day))] = _spans(spans)
            except ValueError:
                continue
        return cls(
            zone=ZoneInfo(timezone),
            week=tuple(_spans(hours.get(day)) for day in WEEKDAYS),
            holidays=frozenset(dated),
            yearly=frozenset(yearly),
            special=special,
        )

    @property
    def keeps_hours(self) -> bool:
        """Whether there are opening hours at all; a calendar without them never closes."""
        return any(self.week) or any(self.special.values())

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The day's opening spans: a special day's own, none on a holiday, else the week's."""
        if day in self.special:
            return self.special[day]
        if day in self.holidays or (day.month, day.day) in self.yearly:
            return ()
        return self.week[day.weekday()]

    def is_holiday(self, day: date) -> bool:
        return day not in self.special and (
            day in self.holidays or (day.month, day.day) in self.yearly
        )

    # Instants

    def instant(self, day: date, minute: int) -> datetime:
        """The real instant (UTC) at which the desk's clocks show `minute` on `day`."""
        day, minute = day + timedelta(days=minute // MINUTES_A_DAY), minute % MINUTES_A_DAY
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        while not _exists(local):  # skipped by the change to summer time: the first that is
            local += timedelta(minutes=15)
        return local.astimezone(UTC)

    def periods(self, start: datetime, end: datetime | None = None) -> Iterator[Period]:
        """The open periods that overlap [start, end), clipped to it, in order, in UTC.

        Spans that meet across midnight (Monday until 24:00, Tuesday from 00:00) are one
        period, cut every CHUNK so that a desk open day and night still yields. Without
        opening hours the calendar is one endless period.
        """
        start = start.astimezone(UTC)
        end = end.astimezone(UTC) if end is not None else None
        if not self.keeps_hours:
            yield start, end or FOREVER
            return
        for opening, closing in self._merged(start):
            if end is not None and opening >= end:
                return
            if closing > start:
                yield max(opening, start), closing if end is None else min(closing, end)

    def _merged(self, start: datetime) -> Iterator[Period]:
        pending: Period | None = None
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        closed_days = 0
        while closed_days <= LONGEST_CLOSURE_DAYS:
            periods = self._periods_on(day)
            closed_days = 0 if periods else closed_days + 1
            for period in periods:
                if pending is not None and period[0] <= pending[1]:
                    pending = (pending[0], max(pending[1], period[1]))
                else:
                    if pending is not None:
                        yield pending
                    pending = period
                if pending[1] - pending[0] >= CHUNK:
                    yield pending
                    pending = None
            day += timedelta(days=1)
        if pending is not None:
            yield pending

    def _periods_on(self, day: date) -> tuple[Period, ...]:
        found = self._days.get(day)
        if found is None:
            found = tuple(
                (start, end)
                for start, end in (
                    (self.instant(day, opening), self.instant(day, closing))
                    for opening, closing in self.spans_on(day)
                )
                if start < end
            )
            if len(self._days) < DAYS_KEPT:
                self._days[day] = found
        return found

    def is_open(self, at: datetime) -> bool:
        for opening, _closing in self.periods(at, at + timedelta(microseconds=1)):
            return opening <= at.astimezone(UTC)
        return False

    def next_opening(self, at: datetime) -> datetime | None:
        """`at` itself when open; the next opening; None if the calendar never opens again."""
        for opening, _closing in self.periods(at):
            return max(opening, at.astimezone(UTC))
        return None

    def next_closing(self, at: datetime) -> datetime | None:
        """When the period open at `at` ends; None when closed now or never closing."""
        closing = None
        for opening, ends in self.periods(at):
            if closing is None and opening > at.astimezone(UTC):
                return None
            if closing is not None and opening > closing:
                return closing
            closing = ends
            if closing >= FOREVER or closing - at > timedelta(days=LONGEST_CLOSURE_DAYS):
                return None
        return closing

    def closed_since(self, at: datetime) -> datetime | None:
        """When the closure under way at `at` began (the last closing); None when open, or
        when the calendar was never open in the year before."""
        if self.is_open(at):
            return None
        last = None
        for _opening, closing in self.periods(at - timedelta(days=LONGEST_CLOSURE_DAYS), at):
            last = closing
        return last

    def open_time(self, start: datetime, end: datetime) -> timedelta:
        """How much of [start, end) the calendar is open."""
        if end <= start:
            return timedelta(0)
        return sum((b - a for a, b in self.periods(start, end)), timedelta(0))


def _exists(local: datetime) -> bool:
    """Whether a wall-clock reading happens at all in its time zone (not skipped in spring)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def desk_calendar(desk: Any) -> Calendar:
    """The desk's calendar."""
    return shared_calendar(desk.timezone, desk.hours, desk.holidays, desk.special_days)


def team_calendar(team: Any) -> Calendar:
    """A team's own calendar where it keeps its own hours, else its desk's. A team with its
    own hours still closes on the desk's holidays, and its special days come first."""
    desk = team.desk
    if not team.hours:
        return desk_calendar(desk)
    holidays = [*(desk.holidays or []), *(team.holidays or [])]
    special = {**(desk.special_days or {}), **(team.special_days or {})}
    return shared_calendar(desk.timezone, team.hours, holidays, special)


def calendar_for(desk: Any, team: Any = None) -> Calendar:
    """The calendar a conversation of this desk and team is served by."""
    return team_calendar(team) if team is not None else desk_calendar(desk)


def shared_calendar(timezone: str, hours: Any, holidays: Any, special_days: Any) -> Calendar:
    """One Calendar for the same settings, so that the days it works out serve every
    conversation of a desk (a report walks thousands)."""
    key = json.dumps([timezone, hours, holidays, special_days], sort_keys=True, default=str)
    return _built(key)


@lru_cache(maxsize=256)
def _built(key: str) -> Calendar:
    timezone, hours, holidays, special_days = json.loads(key)
    return Calendar.build(
        timezone=timezone, hours=hours, holidays=holidays, special_days=special_days
    )
