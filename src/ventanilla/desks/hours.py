"""A desk's weekly opening hours said in words, in the language active for the reader."""

from __future__ import annotations

from django.utils.dates import WEEKDAYS_ABBR
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
