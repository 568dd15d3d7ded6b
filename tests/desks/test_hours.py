"""Weekly opening hours: what a desk may be given, and how they read."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from ventanilla.desks.hours import describe_hours, describe_opening, is_open, next_opening
from ventanilla.desks.models import Desk
from ventanilla.desks.services import update_desk
from ventanilla.lib.errors import Invalid


def test_days_with_the_same_hours_are_grouped(desk, administrator):
    week = {d: [["08:00", "14:00"], ["15:00", "20:00"]] for d in ("mon", "tue", "wed", "thu")}
    update_desk(desk=desk, by=administrator, hours={**week, "fri": [["08:00", "14:00"]], "sun": []})
    with translation.override("en"):
        assert (
            describe_hours(desk)
            == "Mon\u2013Thu 08:00\u201314:00, 15:00\u201320:00; Fri 08:00\u201314:00"
        )
    with translation.override("fr"):
        assert describe_hours(desk).startswith("lun\u2013jeu 08:00\u201314:00")


def test_a_desk_without_hours_says_so(desk):
    with translation.override("en"):
        assert describe_hours(desk) == "no opening hours set"


@pytest.mark.parametrize(
    "hours",
    [
        [],
        {"monday": [["08:00", "14:00"]]},
        {"mon": [["8:00", "14:00"]]},
        {"mon": [["14:00", "08:00"]]},
        {"mon": [["08:00", "14:00"], ["13:00", "18:00"]]},
        {"mon": [["08:00"]]},
        {"mon": "08:00-14:00"},
        {"mon": [["08:00", "24:01"]]},
    ],
)
def test_hours_that_make_no_sense_are_refused(desk, administrator, hours):
    with pytest.raises(Invalid):
        update_desk(desk=desk, by=administrator, hours=hours)
    desk.refresh_from_db()
    assert desk.hours == {}


def test_a_day_can_close_at_midnight(desk, administrator):
    update_desk(desk=desk, by=administrator, hours={"sat": [["18:00", "24:00"]]})
    desk.refresh_from_db()
    assert desk.hours == {"sat": [["18:00", "24:00"]]}


# Open or closed, and when next open: in the desk's own time zone.

MADRID = ZoneInfo("Europe/Madrid")
WEEKDAYS_9_TO_2 = {d: [["09:00", "14:00"], ["16:00", "18:00"]] for d in ("mon", "tue", "wed")}
WEEKDAYS_9_TO_2 |= {d: [["09:00", "14:00"]] for d in ("thu", "fri")}


def madrid_desk(holidays=(), **hours):
    return Desk(
        slug="madrid",
        timezone="Europe/Madrid",
        hours={**WEEKDAYS_9_TO_2, **hours},
        holidays=list(holidays),
    )


def at(*args):
    return datetime(*args, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 6, 8, 8, 59), False),  # Monday, before opening
        (at(2026, 6, 8, 9, 0), True),
        (at(2026, 6, 8, 13, 59, 59), True),
        (at(2026, 6, 8, 14, 0), False),  # closing time is closed
        (at(2026, 6, 8, 16, 30), True),  # the afternoon span
        (at(2026, 6, 12, 16, 30), False),  # Friday has no afternoon
        (at(2026, 6, 13, 11, 0), False),  # Saturday
        (datetime(2026, 6, 8, 7, 30, tzinfo=UTC), True),  # 09:30 in Madrid (summer time)
        (datetime(2026, 1, 12, 7, 30, tzinfo=UTC), False),  # 08:30 in Madrid (winter time)
    ],
)
def test_a_desk_is_open_within_its_hours_in_its_own_time_zone(moment, expected):
    assert is_open(madrid_desk(), moment) is expected


def test_a_desk_without_hours_is_always_open():
    desk = Desk(slug="always", timezone="Europe/Madrid", hours={})
    moment = at(2026, 6, 13, 3, 0)
    assert is_open(desk, moment) and next_opening(desk, moment) == moment


def test_over_the_weekend_the_desk_next_opens_on_monday_morning():
    friday_evening = at(2026, 6, 12, 18, 30)
    assert next_opening(madrid_desk(), friday_evening) == at(2026, 6, 15, 9, 0)
    assert next_opening(madrid_desk(), at(2026, 6, 15, 10, 0)) == at(2026, 6, 15, 10, 0)
    assert next_opening(madrid_desk(), at(2026, 6, 15, 14, 30)) == at(2026, 6, 15, 16, 0)


def test_a_holiday_is_closed_whatever_the_day():
    christmas = madrid_desk(holidays=["2026-12-25", "not a date"])
    assert not is_open(christmas, at(2026, 12, 25, 10, 0))  # a Friday
    assert next_opening(christmas, at(2026, 12, 24, 15, 0)) == at(2026, 12, 28, 9, 0)
    assert is_open(christmas, at(2026, 12, 24, 10, 0))


def test_opening_stays_at_the_same_wall_clock_time_across_a_change_of_summer_time():
    # Summer time starts in Madrid on Sunday 29 March 2026: Monday's 09:00 is an hour
    # earlier in UTC than Friday's.
    friday = next_opening(madrid_desk(), at(2026, 3, 27, 8, 0))
    monday = next_opening(madrid_desk(), at(2026, 3, 27, 15, 0))
    assert friday.astimezone(UTC) == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert monday.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # ...and it ends on Sunday 25 October.
    after = next_opening(madrid_desk(), datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    assert after.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # In the night summer time starts, 02:00 to 03:00 does not happen.
    night = madrid_desk(sun=[["01:00", "04:00"]])
    assert is_open(night, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 summer time


def test_a_desk_that_never_opens_has_no_next_opening():
    no_spans = madrid_desk()
    no_spans.hours = {"mon": [], "sun": []}
    assert is_open(no_spans, at(2026, 6, 8, 10, 0))  # no hours at all: never closed
    every_monday_a_holiday = madrid_desk(
        holidays=[str(date(2026, 6, 8) + timedelta(weeks=n)) for n in range(60)]
    )
    every_monday_a_holiday.hours = {"mon": [["09:00", "10:00"]]}
    assert next_opening(every_monday_a_holiday, at(2026, 6, 8, 11, 0)) is None


def test_the_next_opening_is_said_with_its_weekday_and_time_in_the_desks_time_zone():
    desk = madrid_desk()
    saturday = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    opening = next_opening(desk, saturday)
    with translation.override("en"):
        assert describe_opening(desk, opening, now=saturday) == "Monday 09:00"
    with translation.override("es"):
        assert describe_opening(desk, opening, now=saturday) == "lunes 09:00"
    with translation.override("en"):
        later = describe_opening(desk, at(2026, 7, 6, 9, 0), now=saturday)
    assert later.startswith("Monday ") and later.endswith(" 09:00") and "2026" in later
