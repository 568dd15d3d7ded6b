"""The dashboard's figures (KPIs) for a period, in total and by a grouping, beside those of
the period before it: volumes, response, waiting, handle and resolution times, service
levels, the bot, the phone line, satisfaction, complaints and referrals. Counts and
durations only, worked out by the database; each figure is defined in docs/reports.md.

Every figure belongs to a family of rows with a time of its own that places it in a period:
conversations by their opening, calls by their start, surveys by their answer, complaints
by their filing and referrals by their making. Each family is grouped by the attributes of
the conversation it belongs to (channel, language, topic...), or by the day, hour or weekday
of its own time in the desk's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.accountability.models import Complaint, Kind, Post, Survey, SurveyState
from ventanilla.calls.models import Outcome as CallOutcome
from ventanilla.channels.models import TYPE_NAMES, ChannelType
from ventanilla.conversations.models import Conversation
from ventanilla.conversations.sla import FIRST_RESPONSE, RESOLUTION
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.knowledge.models import Topic
from ventanilla.lib.errors import Invalid
from ventanilla.lib.languages import native_name
from ventanilla.referrals.models import Referral, ReferralState
from ventanilla.reports.calls import caller_calls
from ventanilla.reports.measures import FRACTIONS, Percentiles, Seconds, percentiles_by_window
from ventanilla.reports.sla import Period, Scope, breached, scope_of

GROUPINGS = (
    "channel",
    "language",
    "topic",
    "request_type",
    "post",
    "team",
    "agent",
    "desk",
    "day",
    "hour",
    "weekday",
)
TIMES = ("day", "hour", "weekday")  # groupings by the family's own time
CURRENT, PREVIOUS = 1, 0


@dataclass(frozen=True)
class Filters:
    """What a dashboard narrows the desks' work to (each None: all)."""

    post: str | None = None
    team: str | None = None
    channel: str | None = None
    language: str | None = None

    def q(self, prefix: str) -> Q:
        wanted = {
            "post_concerned__post__slug": self.post,
            "team__slug": self.team,
            "channel__type": self.channel,
            "language": self.language,
        }
        return Q(**{prefix + path: value for path, value in wanted.items() if value is not None})


@dataclass(frozen=True)
class Family:
    """Rows of one kind, the figures counted on them and the spans measured on them."""

    name: str
    rows: Callable[[list[int]], QuerySet[Any]]  # of these desks (their ids)
    prefix: str  # the path from a row to its conversation
    at: str  # the time that places a row in a period
    counts: dict[str, Q | Callable[[datetime], Q]]  # figure: which rows (at a time) it counts
    spans: dict[str, tuple[Expression | F, Q]] = field(default_factory=dict)  # seconds, which rows
    averages: dict[str, tuple[str, Q]] = field(default_factory=dict)  # field, which rows
    derived: dict[str, Callable[[dict[str, Any]], float | None]] = field(default_factory=dict)


def _rate(numerator: str, *denominators: str) -> Callable[[dict[str, Any]], float | None]:
    def rate(figures: dict[str, Any]) -> float | None:
        total = sum(figures[name] or 0 for name in denominators)
        return round(figures[numerator] / total, 4) if total else None

    return rate


def _conversations(desks: list[int]) -> QuerySet[Any]:
    return Conversation.objects.filter(desk__in=desks)


RESPONDED = Q(first_response_at__isnull=False)
RESOLVED = Q(resolved_at__isnull=False)
BOT_SPOKE = Q(bot_spoke=True)
HANDED_OVER = Q(handed_over_at__isnull=False)
# The person waits for a person from the bot's handover, or from the opening.
REACHED_PEOPLE = Coalesce("handed_over_at", "created_at", output_field=DateTimeField())
ANSWERED_AFTER_REACHING = RESPONDED & Q(first_response_at__gte=REACHED_PEOPLE)

CONVERSATIONS = Family(
    name="conversations",
    rows=_conversations,
    prefix="",
    at="created_at",
    counts={
        "conversations": Q(),
        "responded": RESPONDED,
        "resolved": RESOLVED,
        "first_response_met": Q(first_response_met=True),
        "first_response_breached": partial(breached, FIRST_RESPONSE),
        "resolution_met": Q(resolution_met=True),
        "resolution_breached": partial(breached, RESOLUTION),
        "bot_conversations": BOT_SPOKE,
        "bot_handed_over": BOT_SPOKE & HANDED_OVER,
        "bot_contained": BOT_SPOKE & ~HANDED_OVER & ~RESPONDED,
    },
    spans={
        "first_response": (Seconds("first_response_at", "created_at"), RESPONDED),
        "waiting": (Seconds("first_response_at", REACHED_PEOPLE), ANSWERED_AFTER_REACHING),
        "handle": (Seconds("resolved_at", "first_response_at"), RESOLVED & RESPONDED),
        "resolution": (Seconds("resolved_at", "created_at"), RESOLVED),
    },
    derived={
        "first_response_compliance": _rate(
            "first_response_met", "first_response_met", "first_response_breached"
        ),
        "resolution_compliance": _rate("resolution_met", "resolution_met", "resolution_breached"),
        "containment_rate": _rate("bot_contained", "bot_conversations"),
        "handover_rate": _rate("bot_handed_over", "bot_conversations"),
    },
)

ANSWERED = Q(answered_at__isnull=False)
ABANDONED = Q(outcome=CallOutcome.ABANDONED)
CALLS = Family(
    name="calls",
    rows=lambda desks: caller_calls(desks),
    prefix="conversation__",
    at="started_at",
    counts={
        "calls": Q(),
        "calls_answered": ANSWERED,
        "calls_abandoned": ABANDONED,
        "calls_answered_within_60s": ANSWERED & Q(wait_seconds__lte=60),
    },
    spans={
        "call_wait": (F("wait_seconds"), ANSWERED & Q(wait_seconds__isnull=False)),
        "call_abandon_wait": (F("wait_seconds"), ABANDONED & Q(wait_seconds__isnull=False)),
        "talk": (F("talk_seconds"), ANSWERED & Q(talk_seconds__isnull=False)),
    },
    derived={
        "abandonment_rate": _rate("calls_abandoned", "calls_answered", "calls_abandoned"),
        "calls_service_level": _rate(
            "calls_answered_within_60s", "calls_answered", "calls_abandoned"
        ),
    },
)

SCORED = Q(score__isnull=False)
SURVEYS = Family(
    name="surveys",
    rows=lambda desks: Survey.objects.filter(desk__in=desks, answered_at__isnull=False).exclude(
        state__in=[SurveyState.DECLINED, SurveyState.SKIPPED]
    ),
    prefix="conversation__",
    at="answered_at",
    counts={
        "surveys_answered": Q(),
        "surveys_scored": SCORED,
        "satisfied": Q(score__gte=4),
        "solved": Q(solved=True),
        "solved_asked": Q(solved__isnull=False),
    },
    averages={"score_average": ("score", SCORED)},
    derived={
        "satisfied_rate": _rate("satisfied", "surveys_scored"),
        "solved_rate": _rate("solved", "solved_asked"),
    },
)

COMPLAINTS = Family(
    name="complaints",
    rows=lambda desks: Complaint.objects.filter(desk__in=desks),
    prefix="conversation__",
    at="opened_at",
    counts={
        "complaints": Q(kind=Kind.COMPLAINT),
        "complaints_answered": Q(kind=Kind.COMPLAINT, answered_at__isnull=False),
        "suggestions": Q(kind=Kind.SUGGESTION),
    },
    spans={
        "complaint_answer": (
            Seconds("answered_at", "opened_at"),
            Q(kind=Kind.COMPLAINT, answered_at__isnull=False),
        )
    },
)

REFERRALS = Family(
    name="referrals",
    rows=lambda desks: Referral.objects.filter(desk__in=desks),
    prefix="conversation__",
    at="created_at",
    counts={
        "referrals": Q(),
        "referrals_reached": Q(state=ReferralState.REACHED),
        "referrals_not_reached": Q(state=ReferralState.NOT_REACHED),
        "referrals_followed_up": Q(state__in=[ReferralState.REACHED, ReferralState.NOT_REACHED]),
    },
    derived={"referrals_reached_rate": _rate("referrals_reached", "referrals_followed_up")},
)

FAMILIES = (CONVERSATIONS, CALLS, SURVEYS, COMPLAINTS, REFERRALS)


def figure_names() -> list[str]:
    """Every figure, in the order reports show them."""
    return [name for family in FAMILIES for name in _finish(family, None)]


# The query


def _group_expression(family: Family, grouping: str | None, period: Period) -> Expression | F:
    p = family.prefix
    if grouping is None:
        return Value("")
    if grouping == "day":
        return TruncDate(family.at, tzinfo=period.zone)
    if grouping == "hour":
        return ExtractHour(family.at, tzinfo=period.zone)
    if grouping == "weekday":
        return ExtractIsoWeekDay(family.at, tzinfo=period.zone)
    path = {
        "channel": "channel__type",
        "language": "language",
        "topic": "topic",
        "request_type": "request_type__slug",
        "post": "post_concerned__post__slug",
        "team": "team__slug",
        "agent": "assignee__username",
        "desk": "desk__slug",
    }[grouping]
    return F(p + path)


# What the dashboard's charts and tables show of each group (counts and spans, by name):
# the rest of the figures are for the totals and the downloads.
BRIEF = {
    "conversations",
    "first_response_met",
    "first_response_breached",
    "first_response",
    "resolution",
    "calls",
    "surveys_scored",
    "satisfied",
}


def _rows(family: Family, scope: Scope, filters: Filters, previous: Period) -> QuerySet[Any]:
    """The family's rows of the period and the one before, each marked with its period."""
    since = datetime.combine(previous.start, datetime.min.time(), tzinfo=previous.zone)
    start, until = scope.period.bounds()
    return (
        # The desks' ids as a list: the database then reads the (desk, opening) index for
        # the period, where a subquery over the desks made it read the whole table.
        family.rows(list(scope.ids))
        .filter(**{f"{family.at}__gte": since, f"{family.at}__lt": until})
        .filter(filters.q(family.prefix))
        .annotate(
            kpi_period=Case(
                When(**{f"{family.at}__gte": start}, then=Value(CURRENT)),
                default=Value(PREVIOUS),
                output_field=IntegerField(),
            )
        )
    )


Spans = dict[str, tuple[Expression | F, Q]]


def _wanted(
    family: Family, scope: Scope, *, brief: bool
) -> tuple[dict[str, Q], Spans, dict[str, tuple[str, Q]]]:
    """The counts (each its rows, as of now), spans and averages to work out; `brief`: only
    those of `BRIEF`, spans of the period alone."""
    now = timezone.now()
    counts = {
        name: q(now) if callable(q) else q
        for name, q in family.counts.items()
        if not brief or name in BRIEF
    }
    spans = {n: span for n, span in family.spans.items() if not brief or n in BRIEF}
    if brief:  # spans of the period only
        start, _until = scope.period.bounds()
        spans = {n: (v, q & Q(**{f"{family.at}__gte": start})) for n, (v, q) in spans.items()}
    return counts, spans, {} if brief else family.averages


def _measured(
    family: Family,
    scope: Scope,
    filters: Filters,
    grouping: str | None,
    previous: Period,
    *,
    brief: bool = False,
) -> dict[tuple[int, Any], dict[str, Any]]:
    """{(CURRENT or PREVIOUS, group key): figures} of one family; `brief`: only the figures
    of `BRIEF`, and spans in the period alone (the period before gives its counts)."""
    rows = _rows(family, scope, filters, previous).annotate(
        kpi_group=_group_expression(family, grouping, scope.period)
    )
    counts, spans, averages = _wanted(family, scope, brief=brief)
    # Aliased apart from the fields: a count named as a field would shadow it in filters.
    aggregates: dict[str, Any] = {
        f"kpi_{name}": Count("pk", filter=q) for name, q in counts.items()
    }
    aggregates |= {f"kpi_{name}": Avg(v, filter=q) for name, (v, q) in averages.items()}
    postgres = connection.vendor == "postgresql"
    if postgres:  # both percentiles of a span from one sort
        for span, (value, q) in spans.items():
            aggregates[f"kpi_{span}"] = Percentiles(value, filter=q)
    found: dict[tuple[int, Any], dict[str, Any]] = {}
    grouped = rows.values("kpi_period", "kpi_group").annotate(**aggregates).order_by()
    for row in grouped:
        key = (row.pop("kpi_period"), _key_text(row.pop("kpi_group")))
        found[key] = _read(row, spans)
    if not postgres:
        for span, (value, q) in spans.items():
            measured = rows.filter(q).annotate(kpi_value=value)
            by_window = percentiles_by_window(
                measured, keys=("kpi_period", "kpi_group"), value="kpi_value"
            )
            for (which, group), values in by_window.items():
                for kind, result in values.items():
                    found.setdefault((which, _key_text(group)), {})[f"{span}_{kind}"] = result
    return found


def _read(row: dict[str, Any], spans: Spans) -> dict[str, Any]:
    """A row of aggregates (`kpi_` names) as figures, each span's percentiles apart."""
    figures: dict[str, Any] = {}
    for name, value in row.items():
        name = name.removeprefix("kpi_")
        if name in spans:
            for kind, result in zip(FRACTIONS, value or [None, None], strict=True):
                figures[f"{name}_{kind}"] = result
        else:
            figures[name] = value
    return figures


def _measured_by_sets(
    family: Family,
    scope: Scope,
    filters: Filters,
    groupings: Sequence[str],
    previous: Period,
    *,
    brief: bool = False,
) -> dict[str, dict[tuple[int, Any], dict[str, Any]]]:
    """`_measured` for several groupings in one query (PostgreSQL): the rows are read and
    joined once, and grouped by each grouping in turn (GROUP BY GROUPING SETS)."""
    counts, spans, averages = _wanted(family, scope, brief=brief)
    columns: dict[str, Any] = {
        f"g_{grouping}": _group_expression(family, grouping, scope.period) for grouping in groupings
    }
    for name, q in counts.items():
        columns[f"c_{name}"] = (
            ExpressionWrapper(q, output_field=BooleanField()) if q else Value(True)
        )
    for name, (value, q) in spans.items():
        columns[f"v_{name}"] = Case(When(q, then=value), default=None, output_field=FloatField())
    for name, (field_name, q) in averages.items():
        columns[f"a_{name}"] = Case(
            When(q, then=F(field_name)), default=None, output_field=FloatField()
        )
    rows = _rows(family, scope, filters, previous).annotate(**columns)
    inner, params = rows.values("kpi_period", *columns).order_by().query.sql_with_params()
    quoted = connection.ops.quote_name
    fractions = ", ".join(repr(float(value)) for value in FRACTIONS.values())
    select = [
        quoted("kpi_period"),
        *(f"GROUPING({quoted(f'g_{g}')}) AS {quoted(f's_{g}')}" for g in groupings),
        *(quoted(f"g_{g}") for g in groupings),
        *(f"COUNT(*) FILTER (WHERE {quoted(f'c_{n}')}) AS {quoted(f'kpi_{n}')}" for n in counts),
        *(
            f"percentile_disc(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY {quoted(f'v_{n}')})"
            f" AS {quoted(f'kpi_{n}')}"
            for n in spans
        ),
        *(f"AVG({quoted(f'a_{n}')})::double precision AS {quoted(f'kpi_{n}')}" for n in averages),
    ]
    sets = ", ".join(f"({quoted('kpi_period')}, {quoted(f'g_{g}')})" for g in groupings)
    sql = (
        f"SELECT {', '.join(select)} FROM ({inner}) AS kpi_rows "  # noqa: S608 (names are ours)
        f"GROUP BY GROUPING SETS ({sets})"
    )
    found: dict[str, dict[tuple[int, Any], dict[str, Any]]] = {g: {} for g in groupings}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            grouping = next(g for g in groupings if row[f"s_{g}"] == 0)
            key = (row["kpi_period"], _key_text(row[f"g_{grouping}"]))
            found[grouping][key] = _read(
                {k: v for k, v in row.items() if k.startswith("kpi_") and k != "kpi_period"},
                spans,
            )
    return found


def _by_grouping(
    scope: Scope,
    filters: Filters,
    groupings: Sequence[str],
    before: Period,
    *,
    brief: bool,
) -> dict[str, dict[str, dict[tuple[int, Any], dict[str, Any]]]]:
    """{grouping: {family: measured}}: on PostgreSQL each family's groupings in one query,
    elsewhere one query per grouping."""
    found: dict[str, dict[str, dict[tuple[int, Any], dict[str, Any]]]] = {
        grouping: {} for grouping in groupings
    }
    for family in FAMILIES:
        if brief and not BRIEF & (set(family.counts) | set(family.spans)):
            continue
        if connection.vendor == "postgresql" and len(groupings) > 1:
            by_sets = _measured_by_sets(family, scope, filters, groupings, before, brief=brief)
            for grouping, measured in by_sets.items():
                found[grouping][family.name] = measured
        else:
            for grouping in groupings:
                found[grouping][family.name] = _measured(
                    family, scope, filters, grouping, before, brief=brief
                )
    return found


def _finish(family: Family, measured: dict[str, Any] | None) -> dict[str, Any]:
    """The family's figures in their final form: counts, spans rounded, rates."""
    measured = measured or {}
    figures: dict[str, Any] = {name: measured.get(name, 0) for name in family.counts}
    for span in family.spans:
        for kind in FRACTIONS:
            value = measured.get(f"{span}_{kind}")
            figures[f"{span}_{kind}_seconds"] = None if value is None else round(value)
    for name in family.averages:
        value = measured.get(name)
        figures[name] = None if value is None else round(value, 2)
    for name, derive in family.derived.items():
        figures[name] = derive(figures)
    return figures


def previous_period(period: Period) -> Period:
    """The days just before, as many as the period has."""
    days = period.end - period.start + timedelta(days=1)
    return Period(period.start - days, period.start - timedelta(days=1), period.zone)


def kpis(
    user: Any,
    *,
    desk: str | None = None,
    start: date | None = None,
    end: date | None = None,
    group_by: str | None = None,
    post: str | None = None,
    team: str | None = None,
    channel: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The figures of the period (the last 30 days when not given) and of the period before
    it, in total and, with `group_by`, for each group; narrowed to a post, team, channel
    type or language when given."""
    found = dashboard(
        user,
        desk=desk,
        start=start,
        end=end,
        groupings=[group_by] if group_by is not None else [],
        post=post,
        team=team,
        channel=channel,
        language=language,
    )
    by = found.pop("by")
    return {**found, "group_by": group_by, "groups": by.get(group_by, [])}


def dashboard(
    user: Any,
    *,
    desk: str | None = None,
    start: date | None = None,
    end: date | None = None,
    groupings: Sequence[str] = (),
    post: str | None = None,
    team: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    heat: bool = False,
    brief: bool = False,
) -> dict[str, Any]:
    """As `kpis`, with the groups of several groupings at once ("by": {grouping: groups}),
    the total worked out once; with `heat`, the conversations opened in the period by
    weekday and hour ("heat": rows of 24 counts, Monday first). `brief`: the groups carry
    only what the dashboard's charts and tables show (`BRIEF`), the rest left empty."""
    filters = Filters(post=post, team=team, channel=channel, language=language)
    scope = scope_of(user, desk=desk, start=start, end=end)
    return measure(scope, filters, groupings=groupings, heat=heat, brief=brief)


def measure(
    scope: Scope,
    filters: Filters,
    *,
    groupings: Sequence[str] = (),
    heat: bool = False,
    brief: bool = False,
    before: Period | None = None,
) -> dict[str, Any]:
    """The figures of `dashboard` for desks and days already chosen (and allowed), beside
    the period `before` (by default as many days just before)."""
    for grouping in groupings:
        if grouping not in GROUPINGS:
            raise Invalid(f"group_by: must be one of {', '.join(GROUPINGS)}")
    if filters.channel is not None and filters.channel not in ChannelType.values:
        raise Invalid(f"channel: must be one of {', '.join(ChannelType.values)}")
    before = before or previous_period(scope.period)
    total: dict[int, dict[str, Any]] = {CURRENT: {}, PREVIOUS: {}}
    for family in FAMILIES:
        measured = _measured(family, scope, filters, None, before)
        for which in (CURRENT, PREVIOUS):
            total[which].update(_finish(family, measured.get((which, None))))
    return {
        **scope.heading(),
        "previous": {"from": before.start, "to": before.end},
        "filters": {name: value for name, value in filters.__dict__.items() if value is not None},
        "total": total[CURRENT],
        "total_previous": total[PREVIOUS],
        "by": {
            grouping: _groups(scope, grouping, measured)
            for grouping, measured in _by_grouping(
                scope, filters, groupings, before, brief=brief
            ).items()
        },
        **({"heat": _heat(scope, filters)} if heat else {}),
    }


def _heat(scope: Scope, filters: Filters) -> list[dict[str, Any]]:
    """Conversations opened in the period by weekday (1 Monday to 7) and hour of the day, in
    the report's zone."""
    start, until = scope.period.bounds()
    zone = scope.period.zone
    counts = (
        Conversation.objects.filter(desk__in=scope.ids, created_at__gte=start, created_at__lt=until)
        .filter(filters.q(""))
        .annotate(
            kpi_weekday=ExtractIsoWeekDay("created_at", tzinfo=zone),
            kpi_hour=ExtractHour("created_at", tzinfo=zone),
        )
        .values("kpi_weekday", "kpi_hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grid = [[0] * 24 for _ in range(7)]
    for row in counts:
        grid[int(row["kpi_weekday"]) - 1][int(row["kpi_hour"])] = row["n"]
    return [
        {"weekday": day + 1, "label": str(WEEKDAYS[day]), "hours": hours}
        for day, hours in enumerate(grid)
    ]


def _groups(
    scope: Scope,
    grouping: str,
    measured_by_family: dict[str, dict[tuple[int, Any], dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Each group's figures, in the period and the one before, labelled."""
    groups: dict[Any, dict[int, dict[str, Any]]] = {}
    families = {family.name: family for family in FAMILIES}
    for name, measured in measured_by_family.items():
        for (which, key), found in measured.items():
            groups.setdefault(key, {}).setdefault(which, {}).update(_finish(families[name], found))
    empty = {name: value for family in FAMILIES for name, value in _finish(family, None).items()}
    labels = _labels(grouping, list(groups), scope)
    return [
        {
            "key": key,
            **labels[key],
            "figures": {**empty, **groups[key].get(CURRENT, {})},
            "previous": {**empty, **groups[key].get(PREVIOUS, {})},
        }
        for key in _in_order(groups, grouping)
    ]


def _key_text(key: Any) -> str | None:
    """A group's key as text: the same whichever way the database gave it (a date, or its
    ISO text from a raw query; an hour as a number)."""
    if key is None or key == "":
        return None
    return key.isoformat() if isinstance(key, date) else str(key)


def _in_order(groups: dict[Any, dict[int, dict[str, Any]]], grouping: str | None) -> list[Any]:
    """Times in their order; other groups by their conversations in the period, most first
    (then calls, then by key); the group without a key (not set) last."""
    keyed = [key for key in groups if key is not None]
    if grouping in TIMES:
        keyed.sort(key=lambda key: key if grouping == "day" else int(key))
    else:

        def weight(key: Any) -> tuple[int, int, str]:
            figures = groups[key].get(CURRENT, {})
            return (-figures.get("conversations", 0), -figures.get("calls", 0), str(key))

        keyed.sort(key=weight)
    return keyed + [key for key in groups if key is None]


def _labels(grouping: str, keys: list[Any], scope: Scope) -> dict[Any, dict[str, Any]]:
    """The label of each group in the reader's language, and for named things their names
    in every language."""
    language = get_language()
    labels: dict[Any, dict[str, Any]] = {None: {"label": str(_("Not set")), "names": {}}}
    keyed = [key for key in keys if key is not None]
    named: dict[str, QuerySet[Any]] = {
        "topic": Topic.objects.filter(key__in=keyed),
        "request_type": RequestType.objects.filter(desk__in=scope.desks, slug__in=keyed),
        "post": Post.objects.filter(desk__in=scope.desks, slug__in=keyed),
        "team": Team.objects.filter(desk__in=scope.desks, slug__in=keyed),
        "desk": Desk.objects.filter(pk__in=scope.desks, slug__in=keyed),
    }
    if grouping in named:
        key_field = "key" if grouping == "topic" else "slug"
        for thing in named[grouping].order_by("pk"):
            labels.setdefault(
                getattr(thing, key_field),
                {"label": thing.name_in(language), "names": dict(thing.names or {})},
            )
    elif grouping == "agent":
        for user in get_user_model().objects.filter(username__in=keyed):
            labels[user.get_username()] = {
                "label": user.get_full_name() or user.get_username(),
                "names": {},
            }
    for key in keyed:
        if key in labels:
            continue
        if grouping == "channel":
            label = str(TYPE_NAMES.get(key, key))
        elif grouping == "language":
            label = native_name(key)
        elif grouping == "hour":
            label = f"{int(key):02d}:00"
        elif grouping == "weekday":
            label = str(WEEKDAYS[int(key) - 1])
        else:
            label = key
        labels[key] = {"label": label, "names": {}}
    return labels


def kpi_table(found: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The figures as a table to download: a row per group and one for the total, the
    period's figures then the previous period's (prefixed `previous_`)."""
    names = figure_names()
    header = ["group_by", "key", "label", *names, *(f"previous_{name}" for name in names)]
    rows = [
        [found["group_by"] or "", group["key"] or "", group["label"]]
        + [group["figures"][name] for name in names]
        + [group["previous"][name] for name in names]
        for group in found["groups"]
    ]
    rows.append(
        ["total", "", str(_("Total"))]
        + [found["total"][name] for name in names]
        + [found["total_previous"][name] for name in names]
    )
    return header, rows
