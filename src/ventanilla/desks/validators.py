"""Validation of the values desks are configured with: time zones and language codes."""

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
