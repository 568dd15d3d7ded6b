"""The reports at scale: each KPI query of the dashboard against hand-written SQL giving the
same numbers, in the same run, on a million conversations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/reports.py            # 1,000,000 conversations, 5,000,000 messages
    .venv/bin/python bench/reports.py --conversations 100000     # SQLite
    [--runs 5] [--keep]   # --keep: leave the filled database (PostgreSQL: bench_reports_N;
                          # SQLite: --home DIR) and reuse it on the next run

It fills a fresh installation with invented rows written straight into the tables (COPY on
PostgreSQL): three desks in three time zones, two years of conversations ending on
6 December 2026 (five channel types, eight languages, twelve topics, the desks' request
types, posts and teams, twenty agents), about five messages each, the bot's state on 40 %
of them, calls on the phone conversations, surveys, complaints and referrals; service-level
verdicts as the clocks would have stored them. Then, for the last 30 days and for the last
365, for every desk at once (UTC days) and for one desk (its own zone):

- each family of figures (conversations, calls, surveys, complaints, referrals), in total
  and by each grouping, through `reports.kpis` (what the API and the dashboard run), and by
  hand-written SQL computing the same numbers (checked equal before timing);
- the dashboard page's work: the total and nine groupings (`reports.kpis.dashboard`);
- the monthly report of one desk for November (`reports.monthly`): its figures against the
  hand-written SQL of the same families and groupings, then writing its PDF and XLSX.

Medians of `--runs` runs after a warm-up, with min and max, and the ratio to the
hand-written SQL.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import time_machine

END = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # the data's last day; reports read on the 7th
DAYS = 730
LANGUAGES = {"es": 30, "ar": 18, "fr": 12, "en": 12, "nl": 10, "zgh": 6, "it": 6, "de": 6}
CHANNELS = {"whatsapp": 45, "webchat": 20, "twilio-sms": 10, "twilio-voice": 15, "portal": 10}
TOPICS = [
    "passports", "civil-registry", "visas", "regularisation", "health", "shelter",
    "legal-help", "work", "education", "detention", "return", "consular-id",
]  # fmt: skip
DESKS = [
    ("default", "Europe/Madrid"),
    ("alho-voz", "America/Tegucigalpa"),
    ("helpdesk-nl", "Europe/Amsterdam"),
]
DASHBOARD = ["channel", "language", "topic", "request_type", "post", "team", "day", "hour"]
DASHBOARD += ["weekday"]


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


# The installation


@contextmanager
def installation(conversations: int, keep: bool, home: str | None) -> Iterator[bool]:
    """Django set up in this process on a migrated installation; yields whether it still
    has to be filled."""
    url = os.environ.get("DATABASE_URL", "")
    os.environ.pop("REDIS_URL", None)
    os.environ["VENTANILLA_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    with tempfile.TemporaryDirectory(prefix="ventanilla-reports-") as scratch:
        os.environ["VENTANILLA_HOME"] = home or scratch
        if url:
            import psycopg

            name = f"bench_reports_{conversations}"
            admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as conn:
                found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                exists = found.fetchone() is not None
                if exists and not keep:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                if not exists or not keep:
                    conn.execute(f'CREATE DATABASE "{name}"')
            os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
            fill = not (exists and keep)
        else:
            fill = not (keep and home and (Path(home) / "bench-reports-filled").exists())
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        try:
            yield fill
        finally:
            if not keep and url:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if fill and keep and home:
            (Path(home) / "bench-reports-filled").write_text(str(conversations))


def insert(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Write rows straight into the model's table (COPY on PostgreSQL); the columns not
    given get the field's default, as the ORM would write it."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname in columns or not isinstance(f, AutoField | BigAutoField)
    ]
    given = {name: index for index, name in enumerate(columns)}
    from django.db.models import DateTimeField

    def default(f: Any) -> Any:
        """The field's default; a time that must be set (auto_now, or NOT NULL without a
        default): the data's last day."""
        if isinstance(f, DateTimeField) and (
            f.auto_now or f.auto_now_add or (not f.null and not f.has_default())
        ):
            return f.get_db_prep_save(END, connection)
        return f.get_db_prep_save(f.get_default(), connection)

    defaults = {f.attname: default(f) for f in fields if f.attname not in given}
    order = [f.attname for f in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0

    postgres = connection.vendor == "postgresql"

    def value(raw: Any) -> Any:  # as Django writes them on SQLite
        if postgres:
            return raw
        if isinstance(raw, datetime):
            return connection.ops.adapt_datetimefield_value(raw)
        if isinstance(raw, uuid.UUID):
            return raw.hex
        return raw

    def full(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(value(row[given[name]]) if name in given else defaults[name] for name in order)

    if postgres:
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(full(row))
                count += 1
    else:
        marks = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        batch: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(full(row))
                if len(batch) == 5000:
                    cursor.executemany(statement, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(statement, batch)
                count += len(batch)
    return count


def reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def fill(count: int, seed: int = 20) -> dict[str, int]:
    """The invented rows (see the module's text); returns how many of each were written."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from ventanilla.accountability.models import (
        Complaint,
        ConversationPost,
        Kind,
        Post,
        Survey,
        SurveyState,
    )
    from ventanilla.calls.models import Call, Leg
    from ventanilla.calls.models import Outcome as CallOutcome
    from ventanilla.channels.models import Channel
    from ventanilla.contacts.models import Contact, Identity
    from ventanilla.conversations.models import (
        AutomaticReplies,
        BotStep,
        Conversation,
        Message,
        Status,
    )
    from ventanilla.desks.models import Desk, RequestType, Team
    from ventanilla.desks.services import add_desk
    from ventanilla.knowledge.models import Topic
    from ventanilla.referrals.models import Organisation, Referral, ReferralState, Service

    rng = random.Random(seed)
    written: dict[str, int] = {}
    desks = []
    for slug, zone in DESKS:
        desk = Desk.objects.filter(slug=slug).first() or add_desk(
            slug=slug, name=slug.replace("-", " ").title(), by=None
        )
        desk.timezone = zone
        desk.languages = list(LANGUAGES)
        desk.save()
        desks.append(desk)
    for key in TOPICS:
        Topic.objects.get_or_create(key=key, defaults={"name": key.replace("-", " ").title()})
    agents = [
        User.objects.create_user(f"bench-agent-{n}", first_name=f"Agent {n}") for n in range(20)
    ]
    setup: dict[int, dict[str, Any]] = {}
    for desk in desks:
        channels = {
            kind: Channel.objects.create(desk=desk, type=kind, name=kind, config={}).pk
            for kind in CHANNELS
        }
        teams = [
            Team.objects.create(desk=desk, slug=f"team-{n}", name=f"Team {n}").pk for n in range(3)
        ]
        posts = [
            Post.objects.create(desk=desk, slug=f"post-{n}", name=f"Post {n}").pk for n in range(6)
        ]
        types = list(
            RequestType.objects.filter(desk=desk).values_list(
                "pk", "first_response_hours", "resolution_hours"
            )
        )
        organisation = Organisation.objects.create(desk=desk, name="Bench organisation")
        service = Service.objects.create(
            desk=desk, organisation=organisation, key="bench", name="Bench service", type="legal"
        )
        setup[desk.pk] = {
            "channels": channels,
            "teams": teams,
            "posts": posts,
            "types": types,
            "service": service.pk,
        }

    contacts = max(1, count // 3)
    written["contacts"] = insert(
        Contact,
        ["id", "pseudonym", "created_at"],
        ((n, f"B-{n:08d}", END) for n in range(1, contacts + 1)),
    )
    written["identities"] = insert(
        Identity,
        ["id", "contact_id", "scheme", "lookup_hash", "created_at"],
        ((n, n, "webchat", f"bench-{n:08d}", END) for n in range(1, contacts + 1)),
    )
    desk_ids = [desk.pk for desk in desks]
    desk_weights = [60, 25, 15]
    extra: dict[str, list[tuple[Any, ...]]] = {
        name: [] for name in ("bot", "post", "call", "survey", "complaint", "referral")
    }

    # Opened in the order of their ids, as in an installation that has run for two years.
    openings = sorted(rng.randrange(DAYS * 86400) for _ in range(count))

    def conversations() -> Iterator[tuple[Any, ...]]:
        for n in range(1, count + 1):
            desk = rng.choices(desk_ids, weights=desk_weights)[0]
            place = setup[desk]
            kind = weighted(rng, CHANNELS)
            created = END - timedelta(seconds=DAYS * 86400 - openings[n - 1])
            type_id, first_hours, resolution_hours = rng.choice(place["types"])
            responded = rng.random() < 0.85
            first_delay = timedelta(minutes=rng.lognormvariate(5.5, 1.3)) if responded else None
            first_at = created + first_delay if first_delay else None
            if first_at is not None and first_at > END:
                first_at, first_delay = None, None
            status = Status.OPEN
            resolved_at = None
            if first_at is not None and rng.random() < 0.9:
                resolved_at = first_at + timedelta(minutes=rng.lognormvariate(7, 1.2))
                if resolved_at > END:
                    resolved_at = None
                else:
                    status = Status.RESOLVED if rng.random() < 0.6 else Status.CLOSED
            first_due = created + timedelta(hours=first_hours) if first_hours else None
            resolution_due = (
                created + timedelta(hours=resolution_hours) if resolution_hours else None
            )

            def verdict(
                stopped: datetime | None, due: datetime | None, created: datetime = created
            ) -> tuple[bool | None, int | None]:
                if due is None:
                    return None, None
                if stopped is not None:
                    return stopped <= due, round((stopped - created).total_seconds())
                return (False if due < END else None), None

            first_met, first_seconds = verdict(first_at, first_due)
            resolution_met, resolution_seconds = verdict(resolved_at, resolution_due)
            bot_spoke, handed_at = rng.random() < 0.4, None
            if bot_spoke:
                handed = rng.random() < 0.45
                step = BotStep.HANDED_OVER if handed else BotStep.ANSWERED
                handed_at = created + timedelta(minutes=rng.randrange(1, 20)) if handed else None
                if handed_at is not None and first_at is not None:
                    handed_at = min(handed_at, first_at)
                extra["bot"].append((n, step, handed_at, created))
            if rng.random() < 0.3:
                extra["post"].append((n, rng.choice(place["posts"]), created))
            if kind == "twilio-voice":
                answered = first_at is not None
                wait = rng.randrange(5, 600)
                extra["call"].append(
                    (
                        place["channels"][kind],
                        Leg.CALLER,
                        f"CA{n:032x}",
                        n,
                        created,
                        wait,
                        created + timedelta(seconds=wait) if answered else None,
                        rng.randrange(30, 1500) if answered else None,
                        CallOutcome.ANSWERED if answered else CallOutcome.ABANDONED,
                    )
                )
            if resolved_at is not None and rng.random() < 0.15:
                extra["survey"].append(
                    (
                        desk,
                        n,
                        (n % contacts) + 1,
                        place["channels"][kind],
                        SurveyState.DONE,
                        rng.randint(1, 5),
                        rng.random() < 0.7,
                        min(resolved_at + timedelta(hours=rng.randrange(1, 48)), END),
                        resolved_at,
                        resolved_at,
                    )
                )
            if rng.random() < 0.01:
                answered_at = created + timedelta(days=rng.randrange(1, 20))
                extra["complaint"].append(
                    (
                        desk,
                        f"BQ-{n:09d}",
                        n,
                        Kind.COMPLAINT if rng.random() < 0.8 else Kind.SUGGESTION,
                        "staff",
                        created,
                        answered_at if answered_at < END else None,
                    )
                )
            if rng.random() < 0.04:
                extra["referral"].append(
                    (
                        n,
                        desk,
                        place["service"],
                        rng.choice(list(ReferralState.values)),
                        created + timedelta(hours=1),
                        agents[0].pk,
                    )
                )
            yield (
                n,
                f"BR-{n:09d}",
                desk,
                place["channels"][kind],
                (n % contacts) + 1,
                (n % contacts) + 1,
                status,
                type_id,
                rng.choice(TOPICS) if rng.random() < 0.8 else "",
                weighted(rng, LANGUAGES),
                rng.choice(place["teams"]) if rng.random() < 0.5 else None,
                rng.choice(agents).pk if first_at is not None else None,
                created,
                created,
                first_at,
                resolved_at,
                first_due,
                resolution_due,
                first_met,
                first_seconds,
                resolution_met,
                resolution_seconds,
                first_at or created,
                created,
                bot_spoke,
                handed_at,
            )

    with transaction.atomic():
        written["conversations"] = insert(
            Conversation,
            [
                "id",
                "reference",
                "desk_id",
                "channel_id",
                "contact_id",
                "identity_id",
                "status",
                "request_type_id",
                "topic",
                "language",
                "team_id",
                "assignee_id",
                "created_at",
                "changed_at",
                "first_response_at",
                "resolved_at",
                "first_response_due_at",
                "resolution_due_at",
                "first_response_met",
                "first_response_seconds",
                "resolution_met",
                "resolution_seconds",
                "last_message_at",
                "last_inbound_at",
                "bot_spoke",
                "handed_over_at",
            ],
            conversations(),
        )
    channel_of = dict(Conversation.objects.values_list("pk", "channel_id").iterator(10000))

    def messages() -> Iterator[tuple[Any, ...]]:
        for conversation, channel in channel_of.items():
            for number in range(rng.randint(2, 8)):
                direction = "in" if number % 2 == 0 else "out"
                yield (
                    conversation,
                    channel,
                    direction,
                    "received" if direction == "in" else "delivered",
                    END - timedelta(seconds=rng.randrange(DAYS * 86400)),
                )

    with transaction.atomic():
        written["messages"] = insert(
            Message, ["conversation_id", "channel_id", "direction", "status", "created_at"],
            messages(),
        )  # fmt: skip
        written["automatic replies"] = insert(
            AutomaticReplies,
            ["conversation_id", "bot_step", "bot_handed_over_at", "changed_at"],
            extra["bot"],
        )
        written["posts concerned"] = insert(
            ConversationPost, ["conversation_id", "post_id", "set_at"], extra["post"]
        )
        written["calls"] = insert(
            Call,
            [
                "channel_id",
                "leg",
                "call_sid",
                "conversation_id",
                "started_at",
                "wait_seconds",
                "answered_at",
                "talk_seconds",
                "outcome",
            ],
            extra["call"],
        )
        written["surveys"] = insert(
            Survey,
            [
                "desk_id",
                "conversation_id",
                "contact_id",
                "channel_id",
                "state",
                "score",
                "solved",
                "answered_at",
                "resolved_at",
                "asked_at",
            ],
            extra["survey"],
        )
        written["complaints"] = insert(
            Complaint,
            [
                "desk_id",
                "number",
                "conversation_id",
                "kind",
                "source",
                "opened_at",
                "answered_at",
            ],
            extra["complaint"],
        )
        written["referrals"] = insert(
            Referral,
            ["conversation_id", "desk_id", "service_id", "state", "created_at", "by_id"],
            extra["referral"],
        )
    reset_sequences(Contact, Identity, Conversation, Message, Call, Survey, Complaint, Referral)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


# The hand-written SQL


def hand_sql(family: str, grouping: str | None, postgres: bool) -> tuple[str, list[str]]:
    """SQL for one family's figures by (period, group), written as one would by hand; the
    names of the spans whose percentiles it gives (PostgreSQL) or that a window query gives
    apart (SQLite: `hand_percentiles`)."""
    c = "c"
    base = {
        "conversations": (
            "conversations_conversation c",
            "c.created_at",
            "c.desk_id",
            "TRUE",
        ),
        "calls": (
            "calls_call r JOIN channels_channel rc ON rc.id = r.channel_id "
            "LEFT JOIN conversations_conversation c ON c.id = r.conversation_id",
            "r.started_at",
            "rc.desk_id",
            "r.leg = 'caller' AND rc.type = 'twilio-voice'",
        ),
        "surveys": (
            "accountability_survey r LEFT JOIN conversations_conversation c "
            "ON c.id = r.conversation_id",
            "r.answered_at",
            "r.desk_id",
            "r.answered_at IS NOT NULL AND r.state NOT IN ('declined', 'skipped')",
        ),
        "complaints": (
            "accountability_complaint r LEFT JOIN conversations_conversation c "
            "ON c.id = r.conversation_id",
            "r.opened_at",
            "r.desk_id",
            "TRUE",
        ),
        "referrals": (
            "referrals_referral r LEFT JOIN conversations_conversation c "
            "ON c.id = r.conversation_id",
            "r.created_at",
            "r.desk_id",
            "TRUE",
        ),
    }[family]
    tables, at, desk, where = base
    joins, group = "", "NULL"
    local = f"({at} AT TIME ZONE %(zone)s)"
    zone = "%(zone)s, 'UTC'"
    if grouping == "channel":
        joins, group = " LEFT JOIN channels_channel ch ON ch.id = c.channel_id", "ch.type"
    elif grouping in ("language", "topic"):
        group = f"{c}.{grouping}"
    elif grouping == "request_type":
        joins = " LEFT JOIN desks_requesttype rt ON rt.id = c.request_type_id"
        group = "rt.slug"
    elif grouping == "post":
        joins = (
            " LEFT JOIN accountability_conversationpost cp ON cp.conversation_id = c.id"
            " LEFT JOIN accountability_post p ON p.id = cp.post_id"
        )
        group = "p.slug"
    elif grouping == "team":
        joins, group = " LEFT JOIN desks_team t ON t.id = c.team_id", "t.slug"
    elif grouping == "agent":
        joins, group = " LEFT JOIN auth_user u ON u.id = c.assignee_id", "u.username"
    elif grouping == "desk":
        joins, group = " JOIN desks_desk d ON d.id = c.desk_id", "d.slug"
    elif grouping == "day":  # SQLite knows no time zones: Django's functions convert
        group = f"{local}::date" if postgres else f"django_datetime_cast_date({at}, {zone})"
    elif grouping == "hour":
        group = (
            f"EXTRACT(HOUR FROM {local})::int"
            if postgres
            else f"django_datetime_extract('hour', {at}, {zone})"
        )
    elif grouping == "weekday":
        group = (
            f"EXTRACT(ISODOW FROM {local})::int"
            if postgres
            else f"django_datetime_extract('iso_week_day', {at}, {zone})"
        )
    if family == "calls" and grouping == "channel":
        joins, group = " LEFT JOIN channels_channel ch ON ch.id = c.channel_id", "ch.type"

    def seconds(end: str, start: str) -> str:
        if postgres:
            return f"EXTRACT(EPOCH FROM ({end} - {start}))"
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    counts, spans, averages = {
        "conversations": (
            {
                "conversations": "TRUE",
                "responded": "c.first_response_at IS NOT NULL",
                "resolved": "c.resolved_at IS NOT NULL",
                "first_response_met": "c.first_response_met",
                "first_response_breached": "NOT c.first_response_met OR (c.first_response_met"
                " IS NULL AND c.first_response_due_at < %(now)s"
                " AND c.first_response_at IS NULL)",
                "resolution_met": "c.resolution_met",
                "resolution_breached": "NOT c.resolution_met OR (c.resolution_met IS NULL"
                " AND c.resolution_due_at < %(now)s AND c.resolved_at IS NULL)",
                "bot_conversations": "c.bot_spoke",
                "bot_handed_over": "c.handed_over_at IS NOT NULL",
                "bot_contained": "c.bot_spoke AND c.handed_over_at IS NULL"
                " AND c.first_response_at IS NULL",
            },
            {
                "first_response": (
                    seconds("c.first_response_at", "c.created_at"),
                    "c.first_response_at IS NOT NULL",
                ),
                "waiting": (
                    seconds("c.first_response_at", "COALESCE(c.handed_over_at, c.created_at)"),
                    "c.first_response_at >= COALESCE(c.handed_over_at, c.created_at)",
                ),
                "handle": (
                    seconds("c.resolved_at", "c.first_response_at"),
                    "c.resolved_at IS NOT NULL AND c.first_response_at IS NOT NULL",
                ),
                "resolution": (
                    seconds("c.resolved_at", "c.created_at"),
                    "c.resolved_at IS NOT NULL",
                ),
            },
            {},
        ),
        "calls": (
            {
                "calls": "TRUE",
                "calls_answered": "r.answered_at IS NOT NULL",
                "calls_abandoned": "r.outcome = 'abandoned'",
                "calls_answered_within_60s": "r.answered_at IS NOT NULL AND r.wait_seconds <= 60",
            },
            {
                "call_wait": ("r.wait_seconds", "r.answered_at IS NOT NULL"),
                "call_abandon_wait": ("r.wait_seconds", "r.outcome = 'abandoned'"),
                "talk": ("r.talk_seconds", "r.answered_at IS NOT NULL"),
            },
            {},
        ),
        "surveys": (
            {
                "surveys_answered": "TRUE",
                "surveys_scored": "r.score IS NOT NULL",
                "satisfied": "r.score >= 4",
                "solved": "r.solved",
                "solved_asked": "r.solved IS NOT NULL",
            },
            {},
            {"score_average": ("r.score", "r.score IS NOT NULL")},
        ),
        "complaints": (
            {
                "complaints": "r.kind = 'complaint'",
                "complaints_answered": "r.kind = 'complaint' AND r.answered_at IS NOT NULL",
                "suggestions": "r.kind = 'suggestion'",
            },
            {
                "complaint_answer": (
                    seconds("r.answered_at", "r.opened_at"),
                    "r.kind = 'complaint' AND r.answered_at IS NOT NULL",
                )
            },
            {},
        ),
        "referrals": (
            {
                "referrals": "TRUE",
                "referrals_reached": "r.state = 'reached'",
                "referrals_not_reached": "r.state = 'not-reached'",
                "referrals_followed_up": "r.state IN ('reached', 'not-reached')",
            },
            {},
            {},
        ),
    }[family]
    true = "TRUE" if postgres else "1"
    selects = [
        f"CASE WHEN {at} >= %(start)s THEN 1 ELSE 0 END AS period",
        f"{group} AS key",
        *(
            f"COUNT(*) FILTER (WHERE {q.replace('TRUE', true)}) AS {name}"
            for name, q in counts.items()
        ),
        *(f"AVG({v}) FILTER (WHERE {q}) AS {name}" for name, (v, q) in averages.items()),
    ]
    if postgres:
        selects += [
            f"percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {v}) FILTER (WHERE {q})"
            f" AS {name}"
            for name, (v, q) in spans.items()
        ]
    sql = (
        f"SELECT {', '.join(selects)} FROM {tables}{joins} WHERE {desk} IN %(desks)s"
        f" AND {at} >= %(since)s AND {at} < %(until)s AND {where.replace('TRUE', true)}"
        " GROUP BY 1, 2"
    )
    if postgres:
        return sql.replace(" IN %(desks)s", " = ANY(%(desks)s)"), list(spans)
    windows = [
        (
            name,
            f"SELECT period, key, v, rn, n FROM (SELECT period, key, v, ROW_NUMBER() OVER "
            f"(PARTITION BY period, key ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY period, "
            f"key) AS n FROM (SELECT CASE WHEN {at} >= %(start)s THEN 1 ELSE 0 END AS period, "
            f"{group} AS key, {v} AS v FROM {tables}{joins} WHERE {desk} IN %(desks)s AND "
            f"{at} >= %(since)s AND {at} < %(until)s AND {where.replace('TRUE', true)} AND "
            f"({q}) AND {v} IS NOT NULL)) WHERE rn = CAST(n * 0.5 AS INTEGER) + (n * 0.5 > "
            "CAST(n * 0.5 AS INTEGER)) OR rn = CAST(n * 0.9 AS INTEGER) + (n * 0.9 > "
            "CAST(n * 0.9 AS INTEGER))",
        )
        for name, (v, q) in spans.items()
    ]
    return sql + "\n-- windows\n" + "\n;;\n".join(f"{n}\t{w}" for n, w in windows), list(spans)


def run_hand(
    family: str, grouping: str | None, params: dict[str, Any], postgres: bool
) -> dict[tuple[int, str | None], dict[str, Any]]:
    """The hand-written SQL's figures, keyed and named as `reports.kpis._measured`'s."""
    import math

    from django.db import connection

    from ventanilla.reports.kpis import _key_text

    sql, spans = hand_sql(family, grouping, postgres)
    main, _, windows = sql.partition("\n-- windows\n")
    found: dict[tuple[int, str | None], dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(*_bind(main, params, postgres))
        names = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            key = (record.pop("period"), _key_text(record.pop("key")))
            figures = found[key] = {}
            for name, value in record.items():
                if name in spans:
                    for kind, result in zip(("median", "p90"), value or [None, None], strict=True):
                        figures[f"{name}_{kind}"] = result
                else:
                    figures[name] = value
        for part in windows.split("\n;;\n") if windows else []:
            name, window = part.split("\t", 1)
            cursor.execute(*_bind(window, params, postgres))
            for period, key, value, rn, n in cursor.fetchall():
                for kind, fraction in (("median", 0.5), ("p90", 0.9)):
                    if rn == max(1, math.ceil(fraction * n)):
                        found.setdefault((period, _key_text(key)), {})[f"{name}_{kind}"] = value
    return found


def _bind(sql: str, params: dict[str, Any], postgres: bool) -> tuple[str, Any]:
    """The query and its parameters: named on PostgreSQL; in order on SQLite, the desks
    spread over an IN list."""
    from django.db import connection

    if postgres:
        return sql, {**params, "desks": list(params["desks"])}
    values: list[Any] = []

    def take(found: re.Match[str]) -> str:
        if found.group(1) == "desks":
            values.extend(params["desks"])
            return "(" + ", ".join(["%s"] * len(params["desks"])) + ")"
        value = params[found.group(1)]
        if isinstance(value, datetime):  # as Django writes them: UTC, without the offset
            value = connection.ops.adapt_datetimefield_value(value)
        values.append(value)
        return "%s"

    return re.sub(r"%\((\w+)\)s", take, sql), values


# Timing


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def same(ours: dict[Any, dict[str, Any]], theirs: dict[Any, dict[str, Any]]) -> bool:
    """The same numbers (averages and spans to a thousandth), zeros and absent groups
    alike."""
    keys = set(ours) | set(theirs)
    for key in keys:
        a, b = ours.get(key, {}), theirs.get(key, {})
        for name in set(a) | set(b):
            x, y = a.get(name), b.get(name)
            if x in (None, 0) and y in (None, 0):
                continue
            if x is None or y is None or abs(float(x) - float(y)) > 1e-3 * max(1, abs(float(y))):
                print(f"  differs: {key} {name}: {x} != {y}", file=sys.stderr)
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    default = 1_000_000 if os.environ.get("DATABASE_URL") else 100_000
    parser.add_argument("--conversations", type=int, default=default)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--home", default=None, help="SQLite: the installation to keep")
    parser.add_argument("--periods", default="30,365")
    parser.add_argument("--only", choices=["kpis", "monthly"], default=None)
    options = parser.parse_args()
    # The clock stands still while it runs: a clock falling due between ventanilla's query
    # and the hand-written one would make them differ by one.
    frozen = time_machine.travel(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), tick=False)
    with frozen, installation(options.conversations, options.keep, options.home) as to_fill:
        from django.contrib.auth.models import User
        from django.db import connection

        from ventanilla.desks.models import Desk
        from ventanilla.reports import kpis
        from ventanilla.reports.sla import scope_of

        postgres = connection.vendor == "postgresql"
        if to_fill:
            started = time.perf_counter()
            written = fill(options.conversations)
            print(
                f"filled in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{n:,} {name}" for name, n in written.items())
            )
        analyst = User.objects.filter(username="bench-analyst").first() or (
            User.objects.create_superuser("bench-analyst", password=None)
        )
        print(f"database: {connection.vendor}; runs: {options.runs} after a warm-up\n")
        if options.only != "kpis":
            monthly_report(options.runs, postgres)
        if options.only == "monthly":
            return
        for days in (int(d) for d in options.periods.split(",")):
            end = date(2026, 12, 6)
            start = end - timedelta(days=days - 1)
            for desk in (None, "default"):
                scope = scope_of(analyst, desk=desk, start=start, end=end)
                before = kpis.previous_period(scope.period)
                since = datetime.combine(before.start, datetime.min.time(), tzinfo=before.zone)
                begin, until = scope.period.bounds()
                zone = str(scope.period.zone)
                params = {
                    "start": begin,
                    "since": since,
                    "until": until,
                    "now": datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
                    "zone": zone,
                    "desks": tuple(
                        Desk.objects.filter(pk__in=scope.desks).values_list("pk", flat=True)
                    ),
                }
                where = f"last {days} days, " + (
                    f"desk {desk} ({zone})" if desk else "all desks (UTC)"
                )
                count = kpis.kpis(analyst, desk=desk, start=start, end=end)["total"][
                    "conversations"
                ]
                print(f"### {where}: {count:,} conversations\n")
                print("| query | ventanilla ms (min-max) | hand-written SQL ms (min-max) | ratio |")
                print("| --- | --- | --- | --- |")
                worst = 0.0
                for grouping in (None, *kpis.GROUPINGS):
                    for family in kpis.FAMILIES:
                        ours = kpis._measured(family, scope, kpis.Filters(), grouping, before)
                        theirs = run_hand(family.name, grouping, params, postgres)
                        if not same(ours, theirs):
                            raise SystemExit(f"{family.name} by {grouping}: not the same numbers")
                        a = timed(
                            partial(
                                kpis._measured, family, scope, kpis.Filters(), grouping, before
                            ),
                            options.runs,
                        )
                        b = timed(
                            partial(run_hand, family.name, grouping, params, postgres),
                            options.runs,
                        )
                        ratio = statistics.median(a) / statistics.median(b)
                        worst = max(worst, ratio)
                        print(
                            f"| {family.name} by {grouping or 'total'} | {_ms(a)} | {_ms(b)} |"
                            f" {ratio:.2f} |"
                        )
                page = timed(
                    partial(
                        kpis.dashboard,
                        analyst,
                        desk=desk,
                        start=start,
                        end=end,
                        groupings=DASHBOARD,
                        heat=True,
                        brief=True,
                    ),
                    options.runs,
                )
                print(f"\nworst ratio: {worst:.2f}; the dashboard (total and {len(DASHBOARD)}"
                      f" groupings): {_ms(page)} ms\n")  # fmt: skip


# The groupings of the monthly report (reports.monthly.contents), besides the total.
MONTHLY = ["day", "topic", "channel", "language", "request_type", "post"]


def monthly_report(runs: int, postgres: bool) -> None:
    """November's report of the desk "default": its figures, then its files."""
    from django.utils import translation

    from ventanilla.desks.models import Desk
    from ventanilla.reports import kpis, monthly

    desk = Desk.objects.get(slug="default")
    month = monthly.month_of("2026-11", desk)
    scope = monthly._scope(desk, month)
    before = month.before().period()
    begin, until = month.period().bounds()
    since, _ = before.bounds()
    params = {
        "start": begin,
        "since": since,
        "until": until,
        "now": datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
        "zone": desk.timezone,
        "desks": (desk.pk,),
    }

    def hand() -> None:
        for family in kpis.FAMILIES:
            for grouping in (None, *MONTHLY):
                run_hand(family.name, grouping, params, postgres)

    for family in kpis.FAMILIES:
        for grouping in (None, *MONTHLY):
            ours = kpis._measured(family, scope, kpis.Filters(), grouping, before)
            if not same(ours, run_hand(family.name, grouping, params, postgres)):
                raise SystemExit(f"monthly {family.name} by {grouping}: not the same numbers")
    with translation.override("es"):
        shown = monthly.contents(desk, None, month)
        figures = timed(partial(monthly.contents, desk, None, month), runs)
        written = timed(partial(monthly.pdf, shown), runs)
        book = timed(partial(monthly.xlsx, shown), runs)
    baseline = timed(hand, runs)
    count = shown["found"]["total"]["conversations"]
    print(f"### the monthly report: desk default, November 2026, {count:,} conversations\n")
    print("| what | ms (min-max) | vs hand-written SQL |")
    print("| --- | --- | --- |")
    sql = f"hand-written SQL: 5 families x total and {len(MONTHLY)} groupings"
    print(f"| {sql} | {_ms(baseline)} | 1.00 |")
    for what, times in [
        ("the report's figures (`monthly.contents`)", figures),
        ("writing its PDF (WeasyPrint)", written),
        ("writing its XLSX", book),
    ]:
        ratio = statistics.median(times) / statistics.median(baseline)
        print(f"| {what} | {_ms(times)} | {ratio:.2f} |")
    print(f"\nPDF {len(monthly.pdf(shown)):,} bytes, XLSX {len(monthly.xlsx(shown)):,} bytes\n")


def _ms(times: list[float]) -> str:
    return (
        f"{statistics.median(times) * 1000:.1f} ({min(times) * 1000:.1f}-{max(times) * 1000:.1f})"
    )


if __name__ == "__main__":
    main()
