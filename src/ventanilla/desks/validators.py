"""Validation of the values desks are configured with: time zones, languages, hours."""

from __future__ import annotations

import re
import zoneinfo
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


def validate_weekly_hours(value: object) -> None:
    """{"mon": [["08:00", "13:00"], ["14:00", "20:00"]], ..., "sun": []}: in order, apart."""
    if not isinstance(value, dict):
        raise ValidationError('hours must be an object such as {"mon": [["08:00", "14:00"]]}')
    for day, spans in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(f"hours: {day!r} is not one of {', '.join(WEEKDAYS)}")
        if not isinstance(spans, list):
            raise ValidationError(f"hours: {day} must be a list of [opening, closing] pairs")
        previous_end = ""
        for span in spans:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(t, str) and CLOCK.match(t) for t in span)
            ):
                raise ValidationError(f"hours: {day} needs pairs of times like ['08:00', '14:00']")
            start, end = span
            if start >= end or start < previous_end:
                raise ValidationError(f"hours: the spans of {day} must be in order and not overlap")
            previous_end = end
