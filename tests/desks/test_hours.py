"""Weekly opening hours: what a desk may be given, and how they read."""

import pytest
from django.utils import translation

from ventanilla.desks.hours import describe_hours
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
