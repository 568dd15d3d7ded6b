"""Instants as people at a desk read them: in the desk's time zone, which is named, with
the date written the reader's way (Django's formats for the active language)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import formats, timezone
from django.utils.translation import gettext as _

UTC = "UTC"


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or UTC)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC)


def place_of(name: str) -> str:
    """The place a zone is named after: "Madrid" of Europe/Madrid, "Buenos Aires" of
    America/Argentina/Buenos_Aires; UTC stays UTC."""
    return (name or UTC).rsplit("/", 1)[-1].replace("_", " ")


def in_zone(value: datetime, zone: str, *, date_only: bool = False) -> str:
    """`value` in `zone`, labelled: "6 Dec 2026, 14:05 (Madrid time)"."""
    local = value.astimezone(zone_of(zone))
    written = formats.date_format(
        local, "SHORT_DATE_FORMAT" if date_only else "SHORT_DATETIME_FORMAT"
    )
    if date_only:
        return str(written)
    place = place_of(zone_of(zone).key)
    if place == UTC:
        return _("%(when)s (UTC)") % {"when": written}
    return _("%(when)s (%(place)s time)") % {"when": written, "place": place}


def start_of_day(day: date) -> datetime:
    """The first instant of `day` in the current time zone (a period's filters by day)."""
    return timezone.make_aware(datetime.combine(day, time.min))
