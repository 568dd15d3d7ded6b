"""Times in templates as a desk reads them: `{{ value|at_desk:desk }}`, and for pages that
belong to no one desk `{% staff_time value %}` (the reader's own desk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.times import UTC, in_zone

register = template.Library()


@register.filter
def at_desk(value: datetime | None, desk: Any) -> str:
    """The instant in the desk's time zone, labelled with it."""
    if value is None:
        return ""
    return in_zone(value, getattr(desk, "timezone", "") or UTC)


@register.filter
def desk_date(value: datetime | None, desk: Any) -> str:
    """The day the instant falls on at the desk, written the reader's way."""
    if value is None:
        return ""
    return in_zone(value, getattr(desk, "timezone", "") or UTC, date_only=True)


@register.simple_tag(takes_context=True)
def staff_time(context: template.Context, value: datetime | None) -> str:
    """The instant in the time zone of the reader's desk (their first), else UTC."""
    if value is None:
        return ""
    request = context.get("request")
    zone = getattr(request, "_desk_zone", None)
    if zone is None:
        zone = _zone_of(getattr(request, "user", None))
        if request is not None:
            request._desk_zone = zone
    return in_zone(value, zone)


def _zone_of(user: Any) -> str:
    if user is None or not user.is_authenticated:
        return UTC
    own = Desk.objects.filter(staff__user=user).order_by("pk")
    desk = own.first() or desks_visible_to(user).order_by("pk").first()
    return desk.timezone if desk is not None and desk.timezone else UTC
