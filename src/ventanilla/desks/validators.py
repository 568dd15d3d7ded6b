"""Validation of the values desks are configured with: time zones, languages, hours,
holidays and special days."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from functools import cache

from django.core.exceptions import ValidationError

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Madrid")


def validate_language_code(value: str) -> None:
    if not LANGUAGE_CODE.match(value):
        raise ValidationError(f"{value!r} is not a language code such as es, ar or zgh")


def validate_language_codes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("languages must be a list of language codes")
    for code in value:
        validate_language_code(code)
    if len(set(value)) != len(value):
        raise ValidationError("languages must not repeat")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


YEARLY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _check_spans(where: str, spans: object) -> None:
    if not isinstance(spans, list):
        raise ValidationError(f"{where} must be a list of [opening, closing] pairs")
    previous_end = ""
    for span in spans:
        if (
            not isinstance(span, list | tuple)
            or len(span) != 2
            or not all(isinstance(t, str) and CLOCK.match(t) for t in span)
        ):
            raise ValidationError(f"{where} needs pairs of times like ['08:00', '14:00']")
        start, end = span
        if start >= end or start < previous_end:
            raise ValidationError(f"{where}: the spans must be in order and not overlap")
        previous_end = end


def validate_weekly_hours(value: object) -> None:
    """{"mon": [["08:00", "13:00"], ["14:00", "20:00"]], ..., "sun": []}: in order, apart."""
    if not isinstance(value, dict):
        raise ValidationError('hours must be an object such as {"mon": [["08:00", "14:00"]]}')
    for day, spans in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(f"hours: {day!r} is not one of {', '.join(WEEKDAYS)}")
        _check_spans(f"hours: {day}", spans)


def _check_date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: {value!r} is not a date such as 2026-12-25") from None


def validate_holidays(value: object) -> None:
    """["2026-12-25", "01-01", ...]: a date closes that day; month-day closes it every year."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError('holidays must be a list of dates such as ["2026-12-25", "01-01"]')
    if len(value) > 1000:
        raise ValidationError("holidays: at most 1000 dates")
    for item in value:
        if YEARLY.match(item):
            _check_date(f"2024-{item}", "holidays")  # a leap year, so that 02-29 is a date
        else:
            _check_date(item, "holidays")
    if len(set(value)) != len(value):
        raise ValidationError("holidays must not repeat")


def validate_special_days(value: object) -> None:
    """{"2026-12-24": [["08:00", "12:00"]], "2026-05-02": []}: that day's hours instead of the
    week's, for an exceptional closure (no spans) or extended hours."""
    if not isinstance(value, dict):
        raise ValidationError('special_days must be an object such as {"2026-12-24": []}')
    if len(value) > 1000:
        raise ValidationError("special_days: at most 1000 dates")
    for day, spans in value.items():
        _check_date(day, "special_days")
        _check_spans(f"special_days: {day}", spans)
