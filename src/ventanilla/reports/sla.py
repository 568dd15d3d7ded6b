"""How well the service levels were kept over a period: for the conversations opened in it,
how many first responses and resolutions met their targets, by request type, desk, team
and language. Counts and durations only: no content, no identities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from ventanilla.conversations import sla
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.lib.names import name_in

LONGEST_PERIOD = timedelta(days=366)
DEFAULT_PERIOD = timedelta(days=29)  # the last 30 days, today included


@dataclass
class Tally:
    """One clock's figures for a group of conversations."""

    met: int = 0
    breached: int = 0
    running: int = 0  # still counting and not yet late: not judged yet
    stopped: list[timedelta] = field(default_factory=list)  # time taken, when stopped

    def count(self, clock: sla.Clock) -> None:
        if clock.met is True:
            self.met += 1
        elif clock.met is False:
            self.breached += 1
        else:
            self.running += 1
        if clock.stopped_at is not None:
            self.stopped.append(clock.elapsed)

    def as_dict(self) -> dict[str, Any]:
        judged = self.met + self.breached
        average = sum(self.stopped, timedelta(0)) / len(self.stopped) if self.stopped else None
        return {
            "met": self.met,
            "breached": self.breached,
            "running": self.running,
            "compliance": round(self.met / judged, 4) if judged else None,
            "average_seconds": int(average.total_seconds()) if average is not None else None,
        }


@dataclass
class Group:
    key: str
    name: str
    conversations: int = 0
    clocks: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in sla.CLOCKS})
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "names": self.names,
            "label": name_in(self.name, self.names, get_language()),
            "conversations": self.conversations,
            **{name: tally.as_dict() for name, tally in self.clocks.items()},
        }


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    zone: ZoneInfo

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), tzinfo=self.zone),
            datetime.combine(self.end + timedelta(days=1), time(), tzinfo=self.zone),
        )


def period_of(start: date | None, end: date | None, *, zone: ZoneInfo) -> Period:
    """The days asked for, in the desk's time zone: the last 30 days when not given."""
    today = timezone.now().astimezone(zone).date()
    end = end or today
    start = start or end - DEFAULT_PERIOD
    if start > end:
        raise Invalid("from: must not be after to")
    if end - start >= LONGEST_PERIOD:
        raise Invalid("a report covers at most 366 days")
    return Period(start, end, zone)


@dataclass(frozen=True)
class Scope:
    """What a report covers: the desks (one, or every desk the reader sees) and the days."""

    desk: Desk | None
    desks: QuerySet[Desk]
    period: Period

    def heading(self) -> dict[str, Any]:
        return {
            "desk": self.desk.slug if self.desk else None,
            "from": self.period.start,
            "to": self.period.end,
            "timezone": str(self.period.zone),
        }


def scope_of(user: Any, *, desk: str | None, start: date | None, end: date | None) -> Scope:
    """The desks and days a reader asked for, in the desk's time zone (UTC for all desks)."""
    require(user, "conversations.view_statistics")
    desks = desks_visible_to(user)
    chosen: Desk | None = None
    if desk is not None:
        chosen = desks.filter(slug=desk).first()
        if chosen is None:
            raise Invalid(f"desk: no desk {desk!r}")
        desks = desks.filter(pk=chosen.pk)
    zone = ZoneInfo(chosen.timezone if chosen else "UTC")
    return Scope(chosen, desks, period_of(start, end, zone=zone))


GROUPINGS: dict[str, Callable[[Conversation], tuple[str, str]]] = {
    "by_request_type": lambda c: (
        (c.request_type.slug, c.request_type.name) if c.request_type else ("", "")
    ),
    "by_desk": lambda c: (c.desk.slug, c.desk.name),
    "by_team": lambda c: (c.team.slug, c.team.name) if c.team else ("", ""),
    "by_language": lambda c: (c.language, c.language),
}
# The named thing behind a group, whose names in other languages the report gives.
NAMED: dict[str, Callable[[Conversation], Any]] = {
    "by_request_type": lambda c: c.request_type,
    "by_desk": lambda c: c.desk,
    "by_team": lambda c: c.team,
}


def sla_report(
    user: Any, *, desk: str | None = None, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """Compliance with the service levels of the conversations opened in the period."""
    scope = scope_of(user, desk=desk, start=start, end=end)
    opened_from, opened_until = scope.period.bounds()
    found = (
        Conversation.objects.filter(
            desk__in=scope.desks, created_at__gte=opened_from, created_at__lt=opened_until
        )
        .select_related("desk", "team", "request_type")
        .order_by("pk")
    )
    return {**scope.heading(), **tally(found)}


def _group(
    groups: dict[tuple[str, str], Group], key: tuple[str, str], grouping: str, c: Conversation
) -> Group:
    if key not in groups:
        named = NAMED[grouping](c) if grouping in NAMED else None
        groups[key] = Group(*key, names=dict(named.names) if named is not None else {})
    return groups[key]


def tally(found: QuerySet[Conversation] | Iterable[Conversation]) -> dict[str, Any]:
    now = timezone.now()
    total = Group("", "")
    groups: dict[str, dict[tuple[str, str], Group]] = defaultdict(dict)
    for conversation in found:
        clocks = sla.clocks(conversation, now=now)
        keys = {name: grouping(conversation) for name, grouping in GROUPINGS.items()}
        members = [total] + [
            _group(groups[name], key, name, conversation) for name, key in keys.items()
        ]
        for group in members:
            group.conversations += 1
            for name, clock in clocks.items():
                group.clocks[name].count(clock)
    return {
        "total": total.as_dict() | {"key": None, "name": None, "label": None},
        **{
            name: [group.as_dict() for _, group in sorted(groups[name].items())]
            for name in GROUPINGS
        },
    }
