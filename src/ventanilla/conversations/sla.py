"""Service-level clocks: how long a conversation has waited for its first response and its
resolution, against the targets of its request type.

A clock starts when the conversation opens and counts either all the time (calendar hours)
or only the time the desk's calendar is open (business hours: the calendar of the
conversation's team, else its desk's). It stands still while the desk waits for the person
(pending) and while the conversation is resolved, and runs again when they write: those
pauses are kept on the conversation as [from, until] pairs. The first-response clock stops
at the first reply written by a member of staff; the resolution clock at the resolution.

Everything here is computed from the conversation's rows, so a new request type, target or
calendar recomputes every clock the same way (`refresh`). What a clock came to when it
stopped (met or not, and the time it counted) is stored on the conversation as it stops and
kept: reports read those rows instead of counting calendars again. A running clock past its
target is stored as not met at once (it can only count on); reopening a resolved
conversation clears the resolution's verdict until it is resolved again; a new request type
judges both clocks again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from ventanilla.conversations.models import Conversation, Status
from ventanilla.desks.calendar import FOREVER, Calendar, Period, calendar_for
from ventanilla.desks.models import RequestType

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
CLOCKS = (FIRST_RESPONSE, RESOLUTION)
WARNING, BREACH = "warning", "breach"
Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Clock:
    """One service-level clock of a conversation, as it stands at `now`."""

    name: str
    target: timedelta
    business_hours: bool
    started_at: datetime
    elapsed: timedelta  # counted time so far: until it stopped, else until now
    stopped_at: datetime | None  # the first response, or the resolution
    due_at: datetime | None  # None while it stands still waiting for the person
    paused: bool
    warning_percent: int
    calendar: Calendar | None = field(default=None, repr=False, compare=False)
    pauses: tuple[Pause, ...] = field(default=(), repr=False, compare=False)

    def counted_at(self, amount: timedelta) -> datetime | None:
        """When this clock will have counted `amount`, as things stand."""
        return instant_after(
            self.started_at, amount, calendar=self.calendar, pauses=list(self.pauses)
        )

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def breached(self) -> bool:
        return self.elapsed > self.target

    @property
    def breached_by(self) -> timedelta | None:
        return self.elapsed - self.target if self.breached else None

    @property
    def remaining(self) -> timedelta:
        return max(self.target - self.elapsed, timedelta(0))

    @property
    def met(self) -> bool | None:
        """True or False once it stopped; None while it runs and may still be met."""
        if self.stopped_at is not None:
            return not self.breached
        return False if self.breached else None

    @property
    def warning_after(self) -> timedelta:
        return self.target * self.warning_percent / 100


# The arithmetic of counted time


def pauses_of(conversation: Conversation) -> list[Pause]:
    """The conversation's pauses, read from their stored form, oldest first."""
    pauses: list[Pause] = []
    for pair in conversation.sla_pauses or []:
        try:
            start = datetime.fromisoformat(pair[0])
            end = datetime.fromisoformat(pair[1]) if pair[1] else None
        except (TypeError, ValueError, IndexError):
            continue
        pauses.append((start, end))
    return sorted(pauses, key=lambda pause: pause[0])


def counted_periods(
    start: datetime, *, calendar: Calendar | None, pauses: list[Pause]
) -> Iterator[Period]:
    """The periods from `start` on that a clock counts: open hours (or all time without a
    calendar) outside the pauses. A pause without an end stops the count for good."""
    start = start.astimezone(UTC)
    periods = calendar.periods(start) if calendar is not None else iter([(start, FOREVER)])
    cuts = [(a.astimezone(UTC), b.astimezone(UTC) if b else FOREVER) for a, b in pauses]
    for opening, closing in periods:
        for cut_start, cut_end in cuts:
            if cut_end <= opening or cut_start >= closing:
                continue
            if cut_start > opening:
                yield opening, cut_start
            opening = max(opening, cut_end)
            if opening >= closing:
                break
        if opening < closing:
            yield opening, closing
        if closing >= FOREVER or any(b is None and a < closing for a, b in pauses):
            return


def counted_between(
    start: datetime, end: datetime, *, calendar: Calendar | None, pauses: list[Pause]
) -> timedelta:
    """How much of [start, end) a clock counts."""
    total = timedelta(0)
    end = end.astimezone(UTC)
    for opening, closing in counted_periods(start, calendar=calendar, pauses=pauses):
        if opening >= end:
            break
        total += min(closing, end) - opening
    return total


def instant_after(
    start: datetime, amount: timedelta, *, calendar: Calendar | None, pauses: list[Pause]
) -> datetime | None:
    """When a clock started at `start` will have counted `amount`; None if it never will
    (a pause without an end, a calendar that never opens again)."""
    left = amount
    for opening, closing in counted_periods(start, calendar=calendar, pauses=pauses):
        if closing - opening >= left:
            return opening + left
        left -= closing - opening
    return None


# The clocks of a conversation


def _calendar(conversation: Conversation, request_type: RequestType) -> Calendar | None:
    if not request_type.business_hours:
        return None
    return calendar_for(conversation.desk, conversation.team)


def clocks(conversation: Conversation, *, now: datetime | None = None) -> dict[str, Clock]:
    """The conversation's clocks that have a target, by name."""
    request_type = conversation.request_type
    if request_type is None:
        return {}
    now = now or timezone.now()
    calendar = _calendar(conversation, request_type)
    pauses = pauses_of(conversation)
    closed_pauses = [pause for pause in pauses if pause[1] is not None]
    paused_now = any(end is None and begin <= now for begin, end in pauses)
    stops = {
        FIRST_RESPONSE: conversation.first_response_at,
        RESOLUTION: conversation.resolved_at
        if conversation.status in (Status.RESOLVED, Status.CLOSED)
        else None,
    }
    targets = {
        FIRST_RESPONSE: request_type.first_response_hours,
        RESOLUTION: request_type.resolution_hours,
    }
    found = {}
    for name in CLOCKS:
        hours = targets[name]
        if hours is None:
            continue
        start, stop = conversation.created_at, stops[name]
        target = timedelta(hours=hours)
        elapsed = counted_between(start, stop or now, calendar=calendar, pauses=pauses)
        found[name] = clock = Clock(
            name=name,
            target=target,
            business_hours=request_type.business_hours,
            started_at=start,
            elapsed=elapsed,
            stopped_at=stop,
            due_at=None,
            paused=paused_now and stop is None,
            warning_percent=request_type.warning_percent,
            calendar=calendar,
            pauses=tuple(closed_pauses),
        )
        if not clock.paused:  # a stopped clock keeps the deadline it had when it stopped
            found[name] = replace(clock, due_at=clock.counted_at(target))
    return found


def alert_times(conversation: Conversation, found: dict[str, Clock]) -> dict[str, datetime]:
    """When each warning and escalation not yet sent falls due ("resolution:breach": ...),
    for the clocks that run and are not standing still."""
    sent = set(conversation.sla_alerts or [])
    times: dict[str, datetime] = {}
    for clock in found.values():
        if not clock.running or clock.paused or clock.due_at is None:
            continue
        if f"{clock.name}:{WARNING}" not in sent:
            warn = clock.counted_at(clock.warning_after)
            if warn is not None:
                times[f"{clock.name}:{WARNING}"] = warn
        if f"{clock.name}:{BREACH}" not in sent:
            # The breach is the first instant past the target: the due time itself is met.
            times[f"{clock.name}:{BREACH}"] = clock.due_at + timedelta(microseconds=1)
    return times


# Where each clock's verdict is stored: (met, counted seconds).
VERDICTS = {
    FIRST_RESPONSE: ("first_response_met", "first_response_seconds"),
    RESOLUTION: ("resolution_met", "resolution_seconds"),
}


def judge(conversation: Conversation, found: dict[str, Clock], *, again: bool = False) -> None:
    """Store each clock's verdict: a stopped clock's is kept as it was first stored (unless
    judged `again`, for new targets); a running one is not met once past its target, else
    not judged yet; without a target, nothing."""
    for name, (met_field, seconds_field) in VERDICTS.items():
        clock = found.get(name)
        if clock is None:
            met, seconds = None, None
        elif clock.stopped_at is not None:
            if getattr(conversation, seconds_field) is not None and not again:
                continue
            met, seconds = not clock.breached, round(clock.elapsed.total_seconds())
        else:
            met, seconds = clock.met, None
        setattr(conversation, met_field, met)
        setattr(conversation, seconds_field, seconds)


def refresh(
    conversation: Conversation, *, now: datetime | None = None, again: bool = False
) -> list[str]:
    """Recompute the stored deadlines (what queues sort and filter by), the time of the next
    alert and the clocks' verdicts (`judge`); returns the fields it set, for the caller to
    save."""
    found = clocks(conversation, now=now)
    judge(conversation, found, again=again)
    first, resolution = found.get(FIRST_RESPONSE), found.get(RESOLUTION)
    conversation.first_response_due_at = first.due_at if first else None
    conversation.resolution_due_at = resolution.due_at if resolution else None
    running = [clock.due_at for clock in found.values() if clock.running and clock.due_at]
    conversation.due_at = min(running) if running else None
    alerts = alert_times(conversation, found)
    conversation.sla_alert_at = min(alerts.values()) if alerts else None
    verdicts = [field for pair in VERDICTS.values() for field in pair]
    return ["first_response_due_at", "resolution_due_at", "due_at", "sla_alert_at", *verdicts]


def judge_unjudged(*, batch: int = 500) -> int:
    """Store the verdicts of the clocks that stopped without one (those of an installation
    upgraded from before verdicts were stored; a clock standing still past its target is
    judged when it next runs); returns how many conversations it judged. Run by the
    migration run that adds the verdicts (conversations/apps.py), once."""
    from django.db.models import Q

    unjudged = Conversation.objects.filter(
        Q(
            first_response_at__isnull=False,
            first_response_seconds__isnull=True,
            request_type__first_response_hours__isnull=False,
        )
        | Q(
            status__in=[Status.RESOLVED, Status.CLOSED],
            resolved_at__isnull=False,
            resolution_seconds__isnull=True,
            request_type__resolution_hours__isnull=False,
        )
    ).select_related("desk", "team", "request_type")
    count = 0
    fields = [field for pair in VERDICTS.values() for field in pair]
    for conversation in unjudged.order_by("pk").iterator(chunk_size=batch):
        judge(conversation, clocks(conversation))
        Conversation.objects.filter(pk=conversation.pk).update(
            **{field: getattr(conversation, field) for field in fields}
        )
        count += 1
    return count


# Pauses follow the conversation's status


def pause(conversation: Conversation, *, at: datetime) -> None:
    """The clocks stand still from `at` (the desk waits for the person, or resolved it)."""
    pauses = list(conversation.sla_pauses or [])
    if pauses and pauses[-1][1] is None:
        return
    pauses.append([at.isoformat(), None])
    conversation.sla_pauses = pauses


def resume(conversation: Conversation, *, at: datetime) -> None:
    """The clocks run again from `at` (the person wrote, or the case was reopened)."""
    pauses = list(conversation.sla_pauses or [])
    if not pauses or pauses[-1][1] is not None:
        return
    pauses[-1] = [pauses[-1][0], at.isoformat()]
    conversation.sla_pauses = pauses


def describe(clock: Clock) -> dict[str, Any]:
    """A clock as the API shows it: instants, and durations in seconds."""
    return {
        "target_seconds": int(clock.target.total_seconds()),
        "business_hours": clock.business_hours,
        "due_at": clock.due_at,
        "elapsed_seconds": int(clock.elapsed.total_seconds()),
        "remaining_seconds": int(clock.remaining.total_seconds()),
        "stopped_at": clock.stopped_at,
        "paused": clock.paused,
        "breached": clock.breached,
        "breached_by_seconds": int(clock.breached_by.total_seconds())
        if clock.breached_by is not None
        else None,
    }
