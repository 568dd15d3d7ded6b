"""Calendars with the clock frozen: open or closed, the next opening and closing, how long a
closure has lasted and how much open time lies between two moments, across weekends,
holidays, special days, midnight, and the changes to and from summer time of Tegucigalpa
(none), Rabat (Morocco's clocks go back for Ramadan), Madrid, Amsterdam and New York."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.desks.calendar import Calendar, calendar_for
from ventanilla.desks.hours import describe_opening, opening_status, zone_name
from ventanilla.desks.models import Desk, Team

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [["09:00", "14:00"], ["16:00", "19:00"]] for day in WEEKDAYS}


def build(zone, hours=None, holidays=(), special_days=None):
    return Calendar.build(
        timezone=zone,
        hours=OFFICE if hours is None else hours,
        holidays=list(holidays),
        special_days=special_days or {},
    )


def local(zone, *args):
    return datetime(*args, tzinfo=ZoneInfo(zone))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """Stops the clock at a moment and gives the time it shows, as the code reads it."""

    def stop_at(moment):
        time_machine.move_to(moment, tick=False)
        now = timezone.now()
        assert now == moment
        return now

    return stop_at


def hours(delta):
    return delta.total_seconds() / 3600


# Weekends


def test_over_a_weekend_the_desk_is_closed_from_friday_evening_to_monday_morning(clock):
    madrid = build("Europe/Madrid")
    now = clock(local("Europe/Madrid", 2026, 6, 13, 11, 0))  # Saturday
    assert not madrid.is_open(now)
    assert madrid.next_opening(now) == local("Europe/Madrid", 2026, 6, 15, 9, 0)
    assert madrid.closed_since(now) == local("Europe/Madrid", 2026, 6, 12, 19, 0)
    assert madrid.next_closing(now) is None  # closed: nothing to close
    now = clock(local("Europe/Madrid", 2026, 6, 12, 18, 30))  # Friday, the last half hour
    assert madrid.is_open(now) and madrid.closed_since(now) is None
    assert madrid.next_opening(now) == now
    assert madrid.next_closing(now) == local("Europe/Madrid", 2026, 6, 12, 19, 0)
    monday = local("Europe/Madrid", 2026, 6, 15, 10, 0)
    assert hours(madrid.open_time(now, monday)) == 0.5 + 1


def test_between_the_morning_and_the_afternoon_the_desk_is_closed(clock):
    madrid = build("Europe/Madrid")
    now = clock(local("Europe/Madrid", 2026, 6, 10, 15, 0))  # Wednesday, lunch
    assert not madrid.is_open(now)
    assert madrid.closed_since(now) == local("Europe/Madrid", 2026, 6, 10, 14, 0)
    assert madrid.next_opening(now) == local("Europe/Madrid", 2026, 6, 10, 16, 0)
    assert hours(madrid.open_time(local("Europe/Madrid", 2026, 6, 10), now)) == 5


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ((2026, 6, 8, 8, 59, 59), False),
        ((2026, 6, 8, 9, 0), True),  # the opening minute is open
        ((2026, 6, 8, 13, 59, 59), True),
        ((2026, 6, 8, 14, 0), False),  # the closing minute is closed
        ((2026, 6, 14, 10, 0), False),  # Sunday
    ],
)
def test_opening_and_closing_minutes(clock, moment, is_open):
    now = clock(local("Europe/Madrid", *moment))
    assert build("Europe/Madrid").is_open(now) is is_open


# Holidays and special days


def test_a_dated_holiday_closes_that_day_only(clock):
    desk = build("Europe/Madrid", holidays=["2026-12-08"])
    now = clock(local("Europe/Madrid", 2026, 12, 8, 10, 0))  # a Tuesday
    assert not desk.is_open(now)
    assert desk.next_opening(now) == local("Europe/Madrid", 2026, 12, 9, 9, 0)
    assert desk.closed_since(now) == local("Europe/Madrid", 2026, 12, 7, 19, 0)
    assert desk.is_holiday(date(2026, 12, 8)) and not desk.is_holiday(date(2027, 12, 8))
    assert desk.is_open(clock(local("Europe/Madrid", 2027, 12, 8, 10, 0)))


def test_a_recurring_holiday_closes_every_year(clock):
    desk = build("America/Tegucigalpa", holidays=["12-25", "01-01"])
    for year in (2026, 2027, 2028):
        christmas = date(year, 12, 25)
        if christmas.weekday() >= 5:
            continue
        now = clock(local("America/Tegucigalpa", year, 12, 25, 10, 0))
        assert not desk.is_open(now), year
    # Thursday 24 December 2026 at 19:00 closes until Monday 28: Friday is Christmas.
    now = clock(local("America/Tegucigalpa", 2026, 12, 24, 19, 30))
    assert desk.next_opening(now) == local("America/Tegucigalpa", 2026, 12, 28, 9, 0)
    # ...and from Thursday 31 December to Monday 4 January 2027.
    now = clock(local("America/Tegucigalpa", 2026, 12, 31, 20, 0))
    assert desk.next_opening(now) == local("America/Tegucigalpa", 2027, 1, 4, 9, 0)
    assert hours(desk.open_time(now, local("America/Tegucigalpa", 2027, 1, 4, 12, 0))) == 3


def test_a_holiday_on_the_29th_of_february_closes_leap_years_only(clock):
    desk = build("Europe/Madrid", hours={d: [["09:00", "14:00"]] for d in OFFICE} | {
        "sat": [["09:00", "14:00"]],
        "sun": [["09:00", "14:00"]],
    }, holidays=["02-29"])  # fmt: skip
    assert not desk.is_open(clock(local("Europe/Madrid", 2028, 2, 29, 10, 0)))
    assert desk.is_open(clock(local("Europe/Madrid", 2027, 3, 1, 10, 0)))


def test_a_special_day_closes_an_ordinary_day(clock):
    desk = build("Europe/Madrid", special_days={"2026-06-10": []})
    now = clock(local("Europe/Madrid", 2026, 6, 10, 10, 0))  # a Wednesday
    assert not desk.is_open(now)
    assert desk.next_opening(now) == local("Europe/Madrid", 2026, 6, 11, 9, 0)


def test_a_special_day_extends_the_hours_even_on_a_holiday_or_a_sunday(clock):
    desk = build(
        "Europe/Amsterdam",
        holidays=["12-24"],
        special_days={"2026-12-24": [["08:00", "22:00"]], "2026-12-27": [["10:00", "12:00"]]},
    )
    now = clock(local("Europe/Amsterdam", 2026, 12, 24, 20, 0))  # a holiday, opened late
    assert desk.is_open(now) and not desk.is_holiday(date(2026, 12, 24))
    assert desk.next_closing(now) == local("Europe/Amsterdam", 2026, 12, 24, 22, 0)
    now = clock(local("Europe/Amsterdam", 2026, 12, 26, 12, 0))  # Saturday
    assert desk.next_opening(now) == local("Europe/Amsterdam", 2026, 12, 27, 10, 0)  # Sunday
    week = desk.open_time(
        local("Europe/Amsterdam", 2026, 12, 21), local("Europe/Amsterdam", 2026, 12, 28)
    )
    assert hours(week) == 3 * 8 + 14 + 8 + 2  # Mon-Wed, the 24th, Friday, Sunday


def test_a_desk_that_never_opens_again_says_so(clock):
    desk = build("Europe/Madrid", hours={"mon": [["09:00", "10:00"]]}, holidays=[
        str(date(2026, 6, 8) + timedelta(weeks=n)) for n in range(70)
    ])  # fmt: skip
    now = clock(local("Europe/Madrid", 2026, 6, 8, 9, 30))
    assert not desk.is_open(now) and desk.next_opening(now) is None
    assert desk.closed_since(now) == local("Europe/Madrid", 2026, 6, 1, 10, 0)


def test_a_desk_without_hours_is_never_closed(clock):
    desk = build("Europe/Madrid", hours={})
    now = clock(local("Europe/Madrid", 2026, 6, 14, 3, 0))
    assert desk.is_open(now) and desk.next_opening(now) == now
    assert desk.next_closing(now) is None and desk.closed_since(now) is None
    assert desk.open_time(now, now + timedelta(days=3)) == timedelta(days=3)


# Midnight


def test_spans_that_meet_at_midnight_are_one_period(clock):
    night = build("Europe/Madrid", hours={"fri": [["20:00", "24:00"]], "sat": [["00:00", "06:00"]]})
    now = clock(local("Europe/Madrid", 2026, 6, 12, 23, 0))
    assert night.is_open(now)
    assert night.next_closing(now) == local("Europe/Madrid", 2026, 6, 13, 6, 0)
    assert night.is_open(clock(local("Europe/Madrid", 2026, 6, 13, 0, 0)))
    now = clock(local("Europe/Madrid", 2026, 6, 13, 7, 0))
    assert night.closed_since(now) == local("Europe/Madrid", 2026, 6, 13, 6, 0)
    assert night.next_opening(now) == local("Europe/Madrid", 2026, 6, 19, 20, 0)
    (period,) = night.periods(
        local("Europe/Madrid", 2026, 6, 12), local("Europe/Madrid", 2026, 6, 14)
    )
    assert period == (utc(2026, 6, 12, 18, 0), utc(2026, 6, 13, 4, 0))


def test_a_holiday_after_midnight_cuts_a_night_short(clock):
    night = build(
        "Europe/Madrid",
        hours={"fri": [["20:00", "24:00"]], "sat": [["00:00", "06:00"]]},
        holidays=["2026-06-13"],
    )
    now = clock(local("Europe/Madrid", 2026, 6, 12, 23, 0))
    assert night.next_closing(now) == local("Europe/Madrid", 2026, 6, 13, 0, 0)


def test_a_desk_open_day_and_night_never_closes(clock):
    always = build(
        "Europe/Madrid", hours={day: [["00:00", "24:00"]] for day in (*WEEKDAYS, "sat", "sun")}
    )
    now = clock(local("Europe/Madrid", 2026, 3, 28, 12, 0))
    assert always.is_open(now) and always.next_closing(now) is None
    # Summer time starts that night: the day has 23 hours, and all of them are open.
    sunday = local("Europe/Madrid", 2026, 3, 29)
    assert hours(always.open_time(sunday, local("Europe/Madrid", 2026, 3, 30))) == 23


# Tegucigalpa: no summer time


def test_in_tegucigalpa_6_to_22_stays_at_12_to_4_utc_all_year(clock):
    every_day = build(
        "America/Tegucigalpa",
        hours={day: [["06:00", "22:00"]] for day in (*WEEKDAYS, "sat", "sun")},
    )
    day = date(2026, 1, 1)
    while day.year == 2026:  # through the United States' changes of 8 March and 1 November
        morning = datetime(day.year, day.month, day.day, 11, 59, tzinfo=UTC)
        now = clock(morning)
        assert not every_day.is_open(now)
        opening = every_day.next_opening(now)
        assert opening == morning + timedelta(minutes=1)
        assert every_day.next_closing(opening) == opening + timedelta(hours=16)
        day += timedelta(days=17)
    year = every_day.open_time(utc(2026, 1, 1, 6, 0), utc(2027, 1, 1, 6, 0))
    assert hours(year) == 365 * 16


# Rabat and Casablanca: Morocco keeps UTC+1, and goes back to UTC+0 for Ramadan


CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_the_tz_database_has_moroccos_ramadan_time_of_2026():
    # Clocks go back from 03:00 to 02:00 on Sunday 15 February, and forward from 02:00 to
    # 03:00 on Sunday 22 March (tzdata 2026); the tests below count on these dates.
    assert utc(2026, 2, 15, 1, 59).astimezone(CASABLANCA).utcoffset() == timedelta(hours=1)
    assert utc(2026, 2, 15, 2, 0).astimezone(CASABLANCA).utcoffset() == timedelta(0)
    assert utc(2026, 3, 22, 1, 59).astimezone(CASABLANCA).utcoffset() == timedelta(0)
    assert utc(2026, 3, 22, 2, 0).astimezone(CASABLANCA).utcoffset() == timedelta(hours=1)


def test_in_rabat_the_desk_keeps_its_hours_through_ramadan_time(clock):
    rabat = build("Africa/Casablanca", hours={d: [["09:00", "17:00"]] for d in (*WEEKDAYS, "sat")})
    saturday = clock(utc(2026, 2, 14, 16, 30))  # 17:30 before Ramadan time: closed
    assert not rabat.is_open(saturday)
    monday = rabat.next_opening(saturday)
    assert monday == utc(2026, 2, 16, 9, 0)  # 09:00 at UTC+0
    assert rabat.next_closing(monday) == utc(2026, 2, 16, 17, 0)
    assert rabat.closed_since(saturday) == utc(2026, 2, 14, 16, 0)  # 17:00 at UTC+1
    after = clock(utc(2026, 3, 21, 18, 0))  # Saturday evening, the last of Ramadan time
    assert rabat.next_opening(after) == utc(2026, 3, 23, 8, 0)  # 09:00 at UTC+1 again
    week = rabat.open_time(utc(2026, 3, 16), utc(2026, 3, 23))
    assert hours(week) == 6 * 8


def test_in_rabat_a_night_with_the_hour_repeated_or_skipped(clock):
    night = build("Africa/Casablanca", hours={"sun": [["01:00", "04:00"]]})
    # 15 February: 02:00-03:00 happens twice; the span lasts four real hours.
    back = list(night.periods(utc(2026, 2, 14), utc(2026, 2, 16)))
    assert back == [(utc(2026, 2, 15, 0, 0), utc(2026, 2, 15, 4, 0))]
    assert night.is_open(clock(utc(2026, 2, 15, 1, 30)))  # the first 02:30
    assert night.is_open(clock(utc(2026, 2, 15, 2, 30)))  # the second 02:30
    # 22 March: 02:00-03:00 does not happen; the span lasts two real hours.
    forward = list(night.periods(utc(2026, 3, 21), utc(2026, 3, 23)))
    assert forward == [(utc(2026, 3, 22, 1, 0), utc(2026, 3, 22, 3, 0))]
    assert hours(night.open_time(utc(2026, 3, 22), utc(2026, 3, 23))) == 2


# Madrid and Amsterdam: the last Sundays of March and October


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Europe/Amsterdam"])
def test_the_weekend_summer_time_starts_mondays_opening_is_an_hour_earlier_in_utc(clock, zone):
    desk = build(zone)
    friday = clock(local(zone, 2026, 3, 27, 20, 0))
    assert desk.closed_since(friday) == utc(2026, 3, 27, 18, 0)  # 19:00 at UTC+1
    assert desk.next_opening(friday) == utc(2026, 3, 30, 7, 0)  # 09:00 at UTC+2
    saturday = clock(local(zone, 2026, 10, 24, 12, 0))
    assert desk.closed_since(saturday) == utc(2026, 10, 23, 17, 0)  # 19:00 at UTC+2
    assert desk.next_opening(saturday) == utc(2026, 10, 26, 8, 0)  # 09:00 at UTC+1
    # A working day is eight hours either side of each change.
    for day in (date(2026, 3, 27), date(2026, 3, 30), date(2026, 10, 23), date(2026, 10, 26)):
        start = local(zone, day.year, day.month, day.day)
        assert hours(desk.open_time(start, start + timedelta(days=1))) == 8


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Europe/Amsterdam"])
def test_a_night_span_holding_the_skipped_or_the_repeated_hour(clock, zone):
    night = build(zone, hours={"sun": [["01:00", "04:00"]]})
    spring = local(zone, 2026, 3, 29)
    assert hours(night.open_time(spring, spring + timedelta(days=1))) == 2
    autumn = local(zone, 2026, 10, 25)
    assert hours(night.open_time(autumn, autumn + timedelta(days=1))) == 4
    assert night.is_open(clock(utc(2026, 10, 25, 0, 30)))  # the first 02:30 (summer time)
    now = clock(utc(2026, 10, 25, 1, 30))  # the second 02:30 (winter time)
    assert night.is_open(now) and night.next_closing(now) == utc(2026, 10, 25, 3, 0)


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Europe/Amsterdam"])
def test_a_span_starting_in_the_skipped_hour_opens_when_the_clocks_have_gone_forward(clock, zone):
    early = build(zone, hours={"sun": [["02:30", "05:00"]]})
    now = clock(local(zone, 2026, 3, 28, 23, 0))
    assert early.next_opening(now) == local(zone, 2026, 3, 29, 3, 0) == utc(2026, 3, 29, 1, 0)
    assert early.next_closing(early.next_opening(now)) == utc(2026, 3, 29, 3, 0)
    # In autumn it opens at the first of the two 02:30s: three and a half hours open.
    autumn = list(early.periods(utc(2026, 10, 24), utc(2026, 10, 26)))
    assert autumn == [(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4, 0))]


# New York: the second Sunday of March, the first Sunday of November


def test_in_new_york_a_night_line_through_both_changes(clock):
    line = build(
        "America/New_York", hours={"sat": [["22:00", "24:00"]], "sun": [["00:00", "06:00"]]}
    )
    saturday = clock(local("America/New_York", 2026, 3, 7, 23, 0))
    assert line.is_open(saturday)
    assert line.next_closing(saturday) == utc(2026, 3, 8, 10, 0)  # 06:00 EDT
    night = line.open_time(
        local("America/New_York", 2026, 3, 7), local("America/New_York", 2026, 3, 9)
    )
    assert hours(night) == 7  # 02:00-03:00 did not happen
    saturday = clock(local("America/New_York", 2026, 10, 31, 23, 0))
    assert line.next_closing(saturday) == utc(2026, 11, 1, 11, 0)  # 06:00 EST
    night = line.open_time(
        local("America/New_York", 2026, 10, 31), local("America/New_York", 2026, 11, 2)
    )
    assert hours(night) == 9  # 01:00-02:00 happened twice
    assert line.is_open(clock(utc(2026, 11, 1, 5, 30)))  # the first 01:30 (EDT)
    assert line.is_open(clock(utc(2026, 11, 1, 6, 30)))  # the second 01:30 (EST)
    sunday = clock(local("America/New_York", 2026, 11, 1, 7, 0))
    assert line.closed_since(sunday) == utc(2026, 11, 1, 11, 0)
    assert line.next_opening(sunday) == utc(2026, 11, 8, 3, 0)  # 22:00 EST


def test_in_new_york_the_office_opens_at_nine_either_side_of_each_change(clock):
    office = build("America/New_York")
    friday = clock(local("America/New_York", 2026, 3, 6, 19, 30))
    assert office.next_opening(friday) == utc(2026, 3, 9, 13, 0)  # 09:00 EDT
    friday = clock(local("America/New_York", 2026, 10, 30, 19, 30))
    assert office.next_opening(friday) == utc(2026, 11, 2, 14, 0)  # 09:00 EST


# Properties, across time zones that change and one that does not


ZONES = ["America/Tegucigalpa", "Africa/Casablanca", "Europe/Madrid", "America/New_York"]
CLOCKS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]


@st.composite
def calendars(draw):
    week = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        ends = sorted(draw(st.sets(st.sampled_from(CLOCKS), max_size=4)))
        week[day] = [list(pair) for pair in zip(ends[::2], ends[1::2], strict=False)]
    holidays = draw(
        st.lists(st.sampled_from(["12-25", "01-01", "2026-03-08", "2026-10-25"]), unique=True)
    )
    return build(draw(st.sampled_from(ZONES)), hours=week, holidays=holidays)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    calendar=calendars(), start=moments, lengths=st.tuples(st.integers(0, 200), st.integers(0, 200))
)
def test_open_time_adds_up_and_openings_are_open(calendar, start, lengths):
    middle = start + timedelta(hours=lengths[0])
    end = middle + timedelta(hours=lengths[1])
    assert calendar.open_time(start, end) == calendar.open_time(start, middle) + calendar.open_time(
        middle, end
    )
    assert calendar.open_time(start, end) <= end - start
    opening = calendar.next_opening(start)
    if calendar.is_open(start):
        assert opening == start and calendar.closed_since(start) is None
    elif opening is not None:
        assert calendar.is_open(opening) and calendar.open_time(start, opening) == timedelta(0)
        since = calendar.closed_since(start)
        assert since is None or (
            since <= start and calendar.open_time(since, start) == timedelta(0)
        )
    closing = calendar.next_closing(start)
    if closing is not None:
        assert not calendar.is_open(closing)
        assert calendar.open_time(start, closing) == closing - start


# Teams


def test_a_team_with_its_own_hours_keeps_the_desks_holidays_and_its_own_special_days(desk):
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid", hours=OFFICE, holidays=["2026-06-10"]
    )
    desk.refresh_from_db()
    legal = Team.objects.create(
        desk=desk,
        name="Legal",
        slug="legal",
        hours={"sat": [["10:00", "13:00"]], "wed": [["10:00", "13:00"]]},
        special_days={"2026-06-17": []},
    )
    calendar = calendar_for(desk, legal)
    assert calendar.is_open(local("Europe/Madrid", 2026, 6, 13, 11, 0))  # its Saturday
    assert not calendar.is_open(local("Europe/Madrid", 2026, 6, 10, 11, 0))  # the desk's holiday
    assert not calendar.is_open(local("Europe/Madrid", 2026, 6, 17, 11, 0))  # its own closure
    assert not calendar.is_open(local("Europe/Madrid", 2026, 6, 15, 11, 0))  # not its Monday
    assert calendar_for(desk, None).is_open(local("Europe/Madrid", 2026, 6, 15, 11, 0))
    plain = Team.objects.create(desk=desk, name="Plain", slug="plain")
    assert calendar_for(desk, plain) == calendar_for(desk)


# In words


def test_the_next_opening_is_said_in_the_readers_language(clock):
    desk = Desk(slug="tegus", timezone="America/Tegucigalpa", hours=OFFICE)
    now = clock(local("America/Tegucigalpa", 2026, 6, 13, 11, 0))  # Saturday
    opening = build("America/Tegucigalpa").next_opening(now)
    with translation.override("en"):
        assert describe_opening(desk, opening, now=now) == "Monday 09:00"
        assert zone_name(desk.timezone) == "Tegucigalpa time"
    with translation.override("es"):
        assert describe_opening(desk, opening, now=now) == "lunes 09:00"
    far = local("America/Tegucigalpa", 2026, 7, 6, 9, 0)
    with translation.override("en"):
        assert describe_opening(desk, far, now=now) == "Monday July 6, 2026 09:00"
    with translation.override("es"):
        assert describe_opening(desk, far, now=now) == "lunes 6 de julio de 2026 09:00"
    with translation.override("en"):
        assert zone_name("America/New_York") == "New York time"
    assert zone_name("UTC") == "UTC"


def test_the_status_of_a_desk_in_words(clock):
    desk = Desk(slug="tegus", timezone="America/Tegucigalpa", hours=OFFICE)
    with translation.override("en"):
        now = clock(local("America/Tegucigalpa", 2026, 6, 12, 17, 0))  # Friday afternoon
        status = opening_status(desk, now)
        assert status.is_open and status.text == "Open now \u2014 until 19:00 (Tegucigalpa time)"
        assert status.until == local("America/Tegucigalpa", 2026, 6, 12, 19, 0)
        now = clock(local("America/Tegucigalpa", 2026, 6, 12, 19, 0))
        status = opening_status(desk, now)
        assert not status.is_open
        assert status.text == "Closed \u2014 opens Monday 09:00 (Tegucigalpa time)"
        desk.hours = {"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]}
        now = clock(local("America/Tegucigalpa", 2026, 6, 12, 21, 0))
        assert (
            opening_status(desk, now).text
            == "Open now \u2014 until Saturday 02:00 (Tegucigalpa time)"
        )
        desk.hours = {"fri": [["20:00", "24:00"]]}
        assert opening_status(desk, now).text == "Open now \u2014 until 24:00 (Tegucigalpa time)"
        desk.hours = {}
        assert opening_status(desk, now) is None


# Through the API


def test_the_api_says_whether_the_desk_is_open_and_when_it_next_opens(
    clock, api_as, administrator, desk
):
    api = api_as(administrator)
    calendar = {
        "timezone": "America/New_York",
        "hours": OFFICE,
        "holidays": ["11-26"],  # Thanksgiving 2026
        "special_days": {"2026-11-27": [["09:00", "12:00"]], "2026-11-28": [["10:00", "11:00"]]},
    }
    assert api.patch(f"/api/v1/desks/{desk.slug}", calendar).status_code == 200
    clock(local("America/New_York", 2026, 11, 25, 20, 0))  # Wednesday evening
    read = api.get(f"/api/v1/desks/{desk.slug}").json()
    assert (read["open_now"], read["next_closing"]) == (False, None)
    assert read["next_opening"] == "2026-11-27T09:00:00-05:00"  # Thursday is the holiday
    clock(local("America/New_York", 2026, 11, 27, 11, 0))
    read = api.get(f"/api/v1/desks/{desk.slug}").json()
    assert (read["open_now"], read["next_opening"]) == (True, None)
    assert read["next_closing"] == "2026-11-27T12:00:00-05:00"  # the short Friday
    clock(local("America/New_York", 2026, 11, 27, 13, 0))
    assert api.get(f"/api/v1/desks/{desk.slug}").json()["next_opening"] == (
        "2026-11-28T10:00:00-05:00"  # an hour on Saturday
    )
    # Summer time, the Sunday before: Monday's opening is said at its own offset.
    clock(utc(2026, 3, 7, 12, 0))
    assert api.get(f"/api/v1/desks/{desk.slug}").json()["next_opening"] == (
        "2026-03-09T09:00:00-04:00"
    )
    api.patch(f"/api/v1/desks/{desk.slug}", {"hours": {}, "special_days": {}})
    read = api.get(f"/api/v1/desks/{desk.slug}").json()
    assert (read["open_now"], read["next_opening"], read["next_closing"]) == (True, None, None)
