"""What became of referrals, counted by type of service or by service: figures only, never
who was referred, for the API, the reports and analysts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from ventanilla.desks.models import Desk
from ventanilla.referrals.models import Referral, ReferralState, Service, ServiceType


def outcomes(
    desks: Iterable[Desk] | QuerySet[Desk],
    *,
    first: date | None = None,
    last: date | None = None,
    by: str = "type",
    language: str = "",
) -> list[dict[str, Any]]:
    """One row per type of service (or per service) that people were referred to between
    `first` and `last` (days, inclusive): the total and how many of each outcome."""
    found = Referral.objects.filter(desk__in=desks)
    if first:
        found = found.filter(created_at__gte=_start_of(first))
    if last:
        found = found.filter(created_at__lt=_start_of(last, after=True))
    field = "service__type" if by == "type" else "service"
    counted = (
        found.values(field)
        .annotate(
            total=Count("pk"),
            **{
                state.replace("-", "_"): Count("pk", filter=Q(state=state))
                for state in ReferralState.values
            },
        )
        .order_by(field)
    )
    with translation.override(language or None):
        names = _names(by, [row[field] for row in counted], language)
        rows = [_row(row, field, names) for row in counted]
    return sorted(rows, key=lambda r: (-r["total"], r["key"]))


def _names(by: str, keys: list[Any], language: str) -> dict[Any, tuple[str, str]]:
    if by == "type":
        return {value: (value, str(label)) for value, label in ServiceType.choices}
    return {s.pk: (s.key, s.name_in(language)) for s in Service.objects.filter(pk__in=keys)}


def _row(row: dict[str, Any], field: str, names: dict[Any, tuple[str, str]]) -> dict[str, Any]:
    key, name = names.get(row[field], (str(row[field]), str(row[field])))
    known = row["reached"] + row["not_reached"]
    return {
        "key": key,
        "name": name,
        "total": row["total"],
        "pending": row["pending"],
        "reached": row["reached"],
        "not_reached": row["not_reached"],
        "declined": row["declined"],
        "reached_rate": round(row["reached"] / known, 3) if known else None,
    }


def _start_of(day: date, *, after: bool = False) -> datetime:
    if after:
        day = date.fromordinal(day.toordinal() + 1)
    return timezone.make_aware(datetime.combine(day, time.min))
