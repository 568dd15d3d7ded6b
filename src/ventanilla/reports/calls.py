"""The phone line's figures: what the calls of a period came to (received, answered,
abandoned, waits, talk, hours, languages, callbacks), and what the line is doing now for
the supervisors' view. Counts, durations and languages only: never a phone number."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.calls.models import Call, Leg, Outcome
from ventanilla.calls.records import waiting_calls
from ventanilla.channels.models import Channel, ChannelType
from ventanilla.conversations.inbox import supervised_desks
from ventanilla.desks.models import Desk
from ventanilla.reports.sla import scope_of

SERVICE_LEVEL_SECONDS = 60  # "answered within a minute", the line's service level
PERCENTILE = 90
CALLBACKS_SHOWN = 50
ROW = ("started_at", "language", "outcome", "out_of_hours", "wait_seconds", "talk_seconds")
FLAGS = {  # true when the field is set
    "is_answered": "answered_at",
    "left_voicemail": "voicemail",
    "asked_callback": "callback_requested_at",
    "called_back": "callback_done_at",
}
# The topics of the line's menu (calls.flow.TOPICS), as the supervisors read them.
TOPIC_NAMES = {
    "documents": _("Documents"),
    "application-status": _("Application status"),
    "rights": _("Rights and legal help"),
    "emergency": _("Emergency"),
    "other": _("Something else"),
}


def call_report(
    user: Any, *, desk: str | None = None, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """The figures of the calls people made to the voice lines of the desks the user sees
    (one desk when given) on the days from `start` to `end` included, in the desk's time
    zone (UTC without a desk): the last 30 days when not given, at most 366 days.

    A call is a caller's leg (never an agent's or a callback's) that started in the period;
    it is counted the way it stands now, so a call still in progress is received but has
    no outcome yet. The figures:

    - calls_received: every call; answered: put through to an agent (answered_at set);
      abandoned: hung up while waiting in the queue (outcome "abandoned");
      abandoned_rate: abandoned / (answered + abandoned), null when both are 0;
    - outcomes: calls by outcome, each outcome present (0 when none); in_progress: no
      outcome yet; out_of_hours: called while the desk was closed; voicemails: left one;
    - average_wait_seconds, p90_wait_seconds, max_wait_seconds: time in the queue of the
      answered calls that have one. The 90th percentile is the nearest rank: the
      smallest wait with at least 90% of the waits at or below it;
      average_abandon_seconds: time in the queue of the abandoned calls;
    - average_talk_seconds: talk time of the answered calls that have one;
    - answered_within_60s: answered calls that waited at most 60 s / (answered +
      abandoned), null when both are 0 (an answered call without a recorded wait does
      not count as answered within 60 s);
    - by_hour: calls and answered calls for each hour of the day (0-23) they started in,
      in the desk's time zone (UTC without a desk);
    - by_language: for each language chosen in the menu (null: none), its calls,
      answered, abandoned and average wait; most calls first, then by code, null last;
    - callbacks_requested, callbacks_completed, callbacks_pending: of the calls of the
      period, those asking to be called back, called back, and still to call back.

    Averages are in seconds, rounded to one decimal; rates are rounded to four.
    """
    scope = scope_of(user, desk=desk, start=start, end=end)
    since, until = scope.period.bounds()
    rows = (
        caller_calls(scope.desks)
        .filter(started_at__gte=since, started_at__lt=until)
        .values(*ROW, **{flag: _is_set(name) for flag, name in FLAGS.items()})
    )
    return {**scope.heading(), **figures(rows, zone=scope.period.zone)}


def _is_set(name: str) -> ExpressionWrapper:
    """Whether a field is set, worked out in SQL: parsing four more times per call slows a
    year's report down (docs/benchmarks.md)."""
    return ExpressionWrapper(Q(**{f"{name}__isnull": False}), output_field=BooleanField())


def caller_calls(desks: QuerySet[Desk] | list[int]) -> QuerySet[Call]:
    """The calls people made to the voice channels of these desks."""
    return Call.objects.filter(
        leg=Leg.CALLER, channel__type=ChannelType.TWILIO_VOICE, channel__desk__in=desks
    )


@dataclass
class Language:
    calls: int = 0
    answered: int = 0
    abandoned: int = 0
    waits: list[int] = field(default_factory=list)  # of its answered calls


def figures(rows: Iterable[dict[str, Any]], *, zone: ZoneInfo) -> dict[str, Any]:
    """The figures of `call_report` for these calls: rows of the fields of `ROW` and the
    flags of `FLAGS`."""
    received = answered = abandoned = within = 0
    out_of_hours = voicemails = requested = completed = pending = 0
    outcomes: Counter[str] = Counter()
    waits: list[int] = []
    abandon_waits: list[int] = []
    talks: list[int] = []
    hours = [{"hour": hour, "calls": 0, "answered": 0} for hour in range(24)]
    languages: dict[str | None, Language] = defaultdict(Language)
    for row in rows:
        was_answered = row["is_answered"]
        wait = row["wait_seconds"]
        language = languages[row["language"] or None]
        hour = hours[row["started_at"].astimezone(zone).hour]
        received += 1
        language.calls += 1
        hour["calls"] += 1
        outcomes[row["outcome"]] += 1
        if was_answered:
            answered += 1
            language.answered += 1
            hour["answered"] += 1
            if wait is not None:
                waits.append(wait)
                language.waits.append(wait)
                within += wait <= SERVICE_LEVEL_SECONDS
            if row["talk_seconds"] is not None:
                talks.append(row["talk_seconds"])
        if row["outcome"] == Outcome.ABANDONED:
            abandoned += 1
            language.abandoned += 1
            if wait is not None:
                abandon_waits.append(wait)
        out_of_hours += row["out_of_hours"]
        voicemails += row["left_voicemail"]
        requested += row["asked_callback"]
        completed += row["called_back"]
        pending += row["asked_callback"] and not row["called_back"]
    judged = answered + abandoned
    return {
        "calls_received": received,
        "answered": answered,
        "abandoned": abandoned,
        "abandoned_rate": _share(abandoned, judged),
        "outcomes": {str(o): outcomes[o] for o in Outcome.values if o != Outcome.ONGOING},
        "in_progress": outcomes[Outcome.ONGOING],
        "out_of_hours": out_of_hours,
        "voicemails": voicemails,
        "average_wait_seconds": average(waits),
        "p90_wait_seconds": nearest_rank(waits, PERCENTILE),
        "max_wait_seconds": max(waits, default=None),
        "average_abandon_seconds": average(abandon_waits),
        "average_talk_seconds": average(talks),
        "answered_within_60s": _share(within, judged),
        "by_hour": hours,
        "by_language": [
            {
                "language": code,
                "calls": one.calls,
                "answered": one.answered,
                "abandoned": one.abandoned,
                "average_wait_seconds": average(one.waits),
            }
            for code, one in sorted(
                languages.items(), key=lambda item: (-item[1].calls, item[0] is None, item[0] or "")
            )
        ],
        "callbacks_requested": requested,
        "callbacks_completed": completed,
        "callbacks_pending": pending,
    }


def average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The smallest value with at least `percent`% of the values at or below it: the
    value of rank ceil(percent/100 x n) once sorted (no interpolation)."""
    if not values:
        return None
    rank = -(-percent * len(values) // 100)  # ceil, in integers
    return sorted(values)[rank - 1]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# The supervisors' view


@dataclass(frozen=True)
class Waiting:
    """A caller in the queue, as the supervisors see them: no number, no name."""

    language: str
    topic: str
    urgent: bool
    since: datetime


@dataclass(frozen=True)
class Callback:
    """A person who asked to be called back and has not been yet."""

    conversation_id: int | None
    reference: str  # the conversation's
    language: str
    requested_at: datetime
    attempts: int


@dataclass(frozen=True)
class PhoneLine:
    """A supervised desk's phone line as it stands."""

    desk: Desk
    today: dict[str, Any] | None  # the day's figures; None without the right to see them
    waiting: list[Waiting]  # urgent first, then the longest waiting
    callbacks: list[Callback]  # the oldest requests first, at most CALLBACKS_SHOWN
    callbacks_pending: int


def phone_lines(user: Any) -> list[PhoneLine]:
    """The supervised desks that have an active voice channel: today's figures (in the
    desk's time zone), the callers waiting now and the callbacks still to make."""
    channels = Channel.objects.filter(
        desk__in=supervised_desks(user), type=ChannelType.TWILIO_VOICE, is_active=True
    ).select_related("desk")
    lines: dict[Desk, list[Channel]] = defaultdict(list)
    for channel in channels.order_by("desk__name", "name"):
        lines[channel.desk].append(channel)
    sees_figures = user.has_perm("conversations.view_statistics")
    shown = []
    for desk, its_channels in lines.items():
        today = timezone.now().astimezone(ZoneInfo(desk.timezone)).date()
        queued = [call for channel in its_channels for call in waiting_calls(channel.pk)]
        queued.sort(key=lambda call: (not call.urgent, call.enqueued_at or call.started_at))
        pending = caller_calls(Desk.objects.filter(pk=desk.pk)).filter(
            callback_requested_at__isnull=False, callback_done_at__isnull=True
        )
        oldest = pending.select_related("conversation").order_by("callback_requested_at", "pk")
        shown.append(
            PhoneLine(
                desk=desk,
                today=call_report(user, desk=desk.slug, start=today, end=today)
                if sees_figures
                else None,
                waiting=[
                    Waiting(
                        language=call.language,
                        topic=str(TOPIC_NAMES.get(call.topic, call.topic)),
                        urgent=call.urgent,
                        since=call.enqueued_at or call.started_at,
                    )
                    for call in queued
                ],
                callbacks=[
                    Callback(
                        conversation_id=call.conversation_id,
                        reference=call.conversation.reference if call.conversation else "",
                        language=call.language,
                        requested_at=call.callback_requested_at,  # type: ignore[arg-type]
                        attempts=call.callback_attempts,
                    )
                    for call in oldest[:CALLBACKS_SHOWN]
                ],
                callbacks_pending=pending.count(),
            )
        )
    return shown
