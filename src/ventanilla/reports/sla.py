"""How well the service levels were kept over a period: for the conversations opened in it,
how many first responses and resolutions met their targets, by request type, desk, team
and language. Counts and durations only: no content, no identities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from ventanilla.conversations import sla
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.lib.names import name_in

LONGEST_PERIOD = timedelta(days=366)
DEFAULT_PERIOD = timedelta(days=29)  # the last 30 days, today included


@dataclass
class Tally:
    """One clock's figures for a group of conversations, from their stored verdicts."""

    met: int = 0
    breached: int = 0
    running: int = 0  # still counting and not yet late: not judged yet
    seconds: int = 0  # counted time taken by the stopped clocks, summed
    stopped: int = 0

    def add(self, row: dict[str, Any], clock: str) -> None:
        met, breached = row[f"n_{clock}_met"], row[f"n_{clock}_breached"]
        self.met += met
        self.breached += breached
        self.running += row[f"n_{clock}_targeted"] - met - breached
        self.seconds += row[f"n_{clock}_seconds"] or 0
        self.stopped += row[f"n_{clock}_stopped"]

    def as_dict(self) -> dict[str, Any]:
        judged = self.met + self.breached
        return {
            "met": self.met,
            "breached": self.breached,
            "running": self.running,
            "compliance": round(self.met / judged, 4) if judged else None,
            "average_seconds": int(self.seconds / self.stopped) if self.stopped else None,
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
    ids: tuple[int, ...] = ()  # the desks' ids: a list in SQL lets the database use its indexes

    def heading(self) -> dict[str, Any]:
        return {
            "desk": self.desk.slug if self.desk else None,
            "from": self.period.start,
            "to": self.period.end,
            "timezone": str(self.period.zone),
        }


def readers_desks(user: Any, desk: str | None) -> tuple[QuerySet[Desk], Desk | None]:
    """The desks a reader of figures sees, narrowed to the one named (and that desk)."""
    require(user, "conversations.view_statistics")
    desks = desks_visible_to(user)
    if desk is None:
        return desks, None
    chosen = desks.filter(slug=desk).first()
    if chosen is None:
        raise Invalid(f"desk: no desk {desk!r}")
    return desks.filter(pk=chosen.pk), chosen


def scope_of(user: Any, *, desk: str | None, start: date | None, end: date | None) -> Scope:
    """The desks and days a reader asked for, in the desk's time zone (UTC for all desks)."""
    desks, chosen = readers_desks(user, desk)
    zone = ZoneInfo(chosen.timezone if chosen else "UTC")
    period = period_of(start, end, zone=zone)
    return Scope(chosen, desks, period, tuple(desks.values_list("pk", flat=True)))


# Each grouping: the field whose rows make a group, and the named thing behind it (whose key,
# name and names in other languages the report gives); languages are their own name.
GROUPINGS: dict[str, tuple[str, type[Any] | None]] = {
    "by_request_type": ("request_type", RequestType),
    "by_desk": ("desk", Desk),
    "by_team": ("team", Team),
    "by_language": ("language", None),
}


# What stops each clock: the first reply by staff, the resolution.
STOPS = {sla.FIRST_RESPONSE: "first_response_at", sla.RESOLUTION: "resolved_at"}


def breached(clock: str, now: datetime) -> Q:
    """A clock breached at `now`: judged not met, or still running past its due time (the
    alert that would judge it may not have run yet)."""
    met, _seconds = sla.VERDICTS[clock]
    return Q(**{met: False}) | Q(
        **{f"{met}__isnull": True, f"{clock}_due_at__lt": now, f"{STOPS[clock]}__isnull": True}
    )


def _figures(now: datetime) -> dict[str, Any]:
    """Per clock: the conversations with a target for it, the verdicts met and breached (a
    running clock past its due time too), the stopped clocks and their counted seconds."""
    figures: dict[str, Any] = {"n_conversations": Count("pk")}
    for clock in sla.CLOCKS:
        target = "first_response_hours" if clock == sla.FIRST_RESPONSE else "resolution_hours"
        met, seconds = sla.VERDICTS[clock]
        figures |= {  # named apart from the fields, which they would shadow
            f"n_{clock}_targeted": Count(
                "pk", filter=Q(**{f"request_type__{target}__isnull": False})
            ),
            f"n_{clock}_met": Count("pk", filter=Q(**{met: True})),
            f"n_{clock}_breached": Count("pk", filter=breached(clock, now)),
            f"n_{clock}_stopped": Count("pk", filter=Q(**{f"{seconds}__isnull": False})),
            f"n_{clock}_seconds": Sum(seconds),
        }
    return figures


def sla_report(
    user: Any, *, desk: str | None = None, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """Compliance with the service levels of the conversations opened in the period, from
    the verdicts stored as the clocks stopped (docs/reports.md)."""
    scope = scope_of(user, desk=desk, start=start, end=end)
    opened_from, opened_until = scope.period.bounds()
    found = Conversation.objects.filter(
        desk__in=scope.ids, created_at__gte=opened_from, created_at__lt=opened_until
    )
    figures = _figures(timezone.now())
    total = Group("", "")
    _add(total, found.aggregate(**figures))
    report: dict[str, Any] = {"total": total.as_dict() | {"key": None, "name": None, "label": None}}
    for grouping, (field_name, model) in GROUPINGS.items():
        groups: dict[tuple[str, str], Group] = {}
        rows = found.values(field_name).annotate(**figures).order_by()
        things = (
            {
                thing.pk: thing
                for thing in model.objects.filter(pk__in=[r[field_name] for r in rows])
            }
            if model is not None
            else {}
        )
        for row in rows:
            thing = things.get(row[field_name])
            if model is None:
                key = (row[field_name], row[field_name])
            else:
                key = (thing.slug, thing.name) if thing is not None else ("", "")
            if key not in groups:
                groups[key] = Group(*key, names=dict(thing.names) if thing is not None else {})
            _add(groups[key], row)
        report[grouping] = [group.as_dict() for _, group in sorted(groups.items())]
    return {**scope.heading(), **report}


def _add(group: Group, row: dict[str, Any]) -> None:
    group.conversations += row["n_conversations"]
    for clock, tally in group.clocks.items():
        tally.add(row, clock)
