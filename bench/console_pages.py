"""Console pages with many conversations in the database: time to answer each, against the API.

    .venv/bin/python bench/console_pages.py [--conversations 100000] [--runs 30]
        [--database sqlite|postgres] [--home DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/console_pages.py       # also on PostgreSQL

For each database it makes a fresh installation, migrates it and fills it through the ORM
(bulk inserts, not HTTP): two desks, three channels, 60 % as many contacts as conversations,
about three messages per conversation, a year of history; 8 % of the conversations open and
4 % pending, most of them from the last 45 days. Then it counts the SQL queries of each page
in-process (Django's test client), starts `ventanilla run`, signs in as an agent and as a
supervisor, and times GET requests round-robin over the pages after three warm-up rounds.
The baseline, in the same run and on the same data, is the API's list of 50 conversations.
`--home DIR` keeps the SQLite installation in DIR (and reuses it when it was filled before
with as many conversations).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from common import BIN, free_port, installation, running, summary

PASSWORD = "bench-console-pages"  # noqa: S105 (the benchmark's own staff)
FACTS = "bench-facts.json"
LANGUAGES = {"es": 35, "ar": 20, "fr": 15, "en": 20, "nl": 10}
# Open work is mostly recent: of the last 45 days' conversations three in four are still open
# or pending, of older ones 3 %; in all about 8 % open and 4 % pending, as at a busy desk.
RECENT = {"open": 50, "pending": 25, "resolved": 20, "closed": 5}
OLDER = {"open": 2, "pending": 1, "resolved": 50, "closed": 47}
WHATSAPP = {
    "access_token": "bench",
    "app_secret": "bench-app-secret",
    "verify_token": "bench",
    "api_base_url": "http://127.0.0.1:9",
}


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # agent, supervisor, api or anonymous
    path: str  # {names} are filled from the facts of the filled database
    status: int = 200


PAGES = (
    Page("inbox: open, latest first", "agent", "/console/"),
    Page("inbox: longest waiting first", "agent", "/console/?order=waiting"),
    Page("inbox: nearest deadline first", "agent", "/console/?order=due"),
    Page("inbox: unassigned, in Arabic", "agent", "/console/?assignee=none&language=ar"),
    Page("inbox: search a reference", "agent", "/console/?q={reference}"),
    Page("inbox: search a word", "agent", "/console/?q={word}"),
    Page("inbox: page 20", "agent", "/console/?page=20"),
    Page("inbox live poll, nothing changed", "agent", "/console/?live=1&v={inbox_version}", 204),
    Page("conversation, 3 messages", "agent", "/console/c/{short}/"),
    Page("conversation, 10 earlier ones", "agent", "/console/c/{regular}/"),
    Page("conversation live poll, nothing changed", "agent", "{history_poll}", 204),
    Page("supervisor overview", "supervisor", "/console/supervisor/"),
    Page("unread notifications badge", "agent", "/console/notifications/unread/"),
    Page("API: list of 50 conversations (baseline)", "api", "/api/v1/conversations?limit=50"),
    Page("API: health", "anonymous", "/api/v1/health"),
)
BASELINE = PAGES[-2].label


# Filling the database (run inside the installation's environment)


def words(rng: random.Random, count: int) -> list[str]:
    """Invented words, so that a search finds only what the benchmark put there."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))] = None
    return list(found)


def fill(conversations: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from ventanilla.channels.services import create_channel
    from ventanilla.contacts.models import Contact, Identity
    from ventanilla.contacts.services import PSEUDONYM_ALPHABET, identity_hash
    from ventanilla.conversations.models import (
        Conversation,
        Message,
        Note,
        ReferenceCounter,
        SearchEntry,
        Tag,
    )
    from ventanilla.conversations.search import terms_of
    from ventanilla.desks.models import AgentProfile, Desk, Team
    from ventanilla.desks.roles import Role
    from ventanilla.desks.services import add_request_type, enrol_staff
    from ventanilla.teamwork import services as teamwork
    from ventanilla.teamwork.models import Notification

    started = time.perf_counter()
    rng = random.Random(20261123)
    now = timezone.now()
    # Rows carry their own past dates: the benchmark's process alone stops stamping "now".
    for model in (Contact, Identity, Conversation, Message, Note, Notification):
        for field in model._meta.fields:
            if getattr(field, "auto_now_add", False):
                field.auto_now_add = False  # type: ignore[attr-defined]

    default = Desk.objects.get(slug="default")
    consulate = Desk.objects.create(
        name="Consular line", slug="consulate", timezone="Europe/Madrid", languages=list(LANGUAGES)
    )
    desks = [default, consulate]
    teams = {
        d.pk: [Team.objects.create(desk=d, slug=s, name=s.title()) for s in ("legal", "protection")]
        for d in desks
    }
    request_types = {
        d.pk: [
            add_request_type(
                desk=d,
                by=None,
                slug=slug,
                name=slug.title(),
                first_response_hours=first,
                resolution_hours=resolution,
            )
            for slug, first, resolution in (
                ("passport", 24, 72),
                ("visa", 48, 240),
                ("registration", 24, 120),
            )
        ]
        for d in desks
    }
    tags = {
        d.pk: [Tag.objects.create(desk=d, name=n) for n in ("family", "visa", "follow-up")]
        for d in desks
    }
    channels = [
        create_channel(desk=default, type="webchat", name="Web chat", config={}, by=None),
        create_channel(
            desk=default,
            type="whatsapp",
            name="WhatsApp",
            config={**WHATSAPP, "phone_number_id": "106540352242922"},
            by=None,
        ),
        create_channel(
            desk=consulate,
            type="whatsapp",
            name="WhatsApp consulate",
            config={**WHATSAPP, "phone_number_id": "106540352242923"},
            by=None,
        ),
    ]
    staff = {
        "agent": enrol_staff(
            username="agent", role=Role.AGENT, desks=desks, languages=["es", "en"]
        ),
        "supervisor": enrol_staff(username="supervisor", role=Role.SUPERVISOR, desks=desks),
    }
    for user in staff.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    agents = {d.pk: [staff["agent"]] for d in desks}
    for n in range(12):
        desk = desks[n % 2]
        agents[desk.pk].append(enrol_staff(username=f"agent{n}", role=Role.AGENT, desks=[desk]))
    for profile in AgentProfile.objects.all():
        profile.last_seen_at = now - timedelta(seconds=rng.randint(0, 600))
        profile.save(update_fields=["last_seen_at"])

    # Contacts, each with one identity: a phone number (WhatsApp) or a web-chat visitor.
    first_names = ["Ana", "Youssef", "Fatima", "Jan", "Lucía", "Omar", "Marie", "Sven", "Amal"]
    contacts_n = max(1, conversations * 6 // 10)
    pseudonyms: set[str] = set()
    while len(pseudonyms) < contacts_n:
        pseudonyms.add("C-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(5)))
    contact_rows = []
    identity_rows = []
    for n, pseudonym in enumerate(sorted(pseudonyms, key=lambda _: rng.random())):
        seen = now - timedelta(days=rng.uniform(0, 365))
        contact = Contact(
            pseudonym=pseudonym,
            name=rng.choice(first_names),
            language=rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0],
            created_at=seen,
            last_seen_at=seen,
        )
        contact_rows.append(contact)
        scheme, address = (
            ("webchat", f"visitor-{n:08d}") if n % 10 < 3 else ("tel", f"+3461{n:07d}")
        )
        identity_rows.append(
            Identity(
                contact=contact,
                scheme=scheme,
                address=address,
                lookup_hash=identity_hash(scheme, address),
                created_at=seen,
            )
        )
    with transaction.atomic():
        Contact.objects.bulk_create(contact_rows, batch_size=5000)
        for identity in identity_rows:
            identity.contact_id = identity.contact.pk
        Identity.objects.bulk_create(identity_rows, batch_size=5000)

    # Which contact writes each conversation: everyone once, some again; one person 11 times.
    owners = list(range(contacts_n)) + [
        rng.randrange(1, contacts_n) for _ in range(conversations - contacts_n)
    ]
    owners = [0] * 10 + owners[: len(owners) - 10] if conversations > 20 else owners
    rng.shuffle(owners)
    regular_last = max(i for i, owner in enumerate(owners) if owner == 0)
    owners[regular_last], owners[-1] = owners[-1], owners[regular_last]  # the newest one
    created = sorted(now - timedelta(days=rng.uniform(0.05, 365)) for _ in range(conversations))
    first_timers = {
        identity_rows[owner].contact_id for owner, n in Counter(owners).items() if n == 1
    }

    vocabulary = words(rng, 3000)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf, like real words
    word = vocabulary[400]  # found in a few hundred messages out of 300,000
    counters: dict[int, int] = {}
    provider = 0
    short = 0
    conversation_rows: list[Any] = []
    plans: list[list[tuple[str, Any]]] = []
    tagged: list[tuple[Any, Any]] = []
    notes: list[Any] = []

    def flush() -> None:
        nonlocal provider, short
        with transaction.atomic():
            Conversation.objects.bulk_create(conversation_rows, batch_size=5000)
            authors = {c.pk: c.assignee or rng.choice(agents[c.desk_id]) for c in conversation_rows}
            messages = []
            for conversation, plan in zip(conversation_rows, plans, strict=True):
                for direction, at in plan:
                    provider += 1
                    inbound = direction == "in"
                    messages.append(
                        Message(
                            conversation=conversation,
                            channel_id=conversation.channel_id,
                            direction=direction,
                            text=" ".join(rng.choices(vocabulary, weights, k=rng.randint(3, 12))),
                            author=None if inbound else authors[conversation.pk],
                            provider_id=f"bench.{provider:09d}",
                            status="received" if inbound else "sent",
                            raw={"from": "bench", "id": f"bench.{provider:09d}"}
                            if inbound
                            else None,
                            created_at=at,
                            sent_at=None if inbound else at,
                        )
                    )
                alone = conversation.contact_id in first_timers
                if len(plan) == 3 and conversation.status == "open" and alone:
                    short = conversation.pk  # the latest, of someone who wrote only once
            Message.objects.bulk_create(messages, batch_size=5000)
            desk_of = {c.pk: c.desk_id for c in conversation_rows}
            SearchEntry.objects.bulk_create(  # what conversations.search.index_message writes
                [
                    SearchEntry(message_id=m.pk, terms=terms_of(m.text, desk_of[m.conversation_id]))
                    for m in messages
                ],
                batch_size=5000,
            )
            Conversation.tags.through.objects.bulk_create(
                [Conversation.tags.through(conversation_id=c.pk, tag_id=t.pk) for c, t in tagged],
                batch_size=5000,
            )
            for note in notes:
                note.conversation_id = note.conversation.pk
            Note.objects.bulk_create(notes, batch_size=5000)
        conversation_rows.clear()
        plans.clear()
        tagged.clear()
        notes.clear()

    for n, (owner, at) in enumerate(zip(owners, created, strict=True)):
        identity = identity_rows[owner]
        channel = (
            channels[0] if identity.scheme == "webchat" else channels[1 + (rng.random() < 0.45)]
        )
        desk_id = channel.desk_id
        chances = RECENT if now - at < timedelta(days=45) else OLDER
        status = rng.choices(list(chances), list(chances.values()))[0]
        count = rng.choices([1, 2, 3, 4, 5], [10, 20, 40, 20, 10])[0]
        plan, moment = [], at
        for k in range(count):
            plan.append(("in" if k % 2 == 0 else "out", moment))
            moment = min(now, moment + timedelta(minutes=rng.uniform(2, 600)))
        if status == "open" and plan[-1][0] == "out":
            plan[-1] = ("in", plan[-1][1])  # open work ends with the person's message
        inbound = [t for d, t in plan if d == "in"]
        outbound = [t for d, t in plan if d == "out"]
        last_out = outbound[-1] if outbound else None
        waiting = [t for t in inbound if last_out is None or t > last_out]
        request_type = rng.choice(request_types[desk_id]) if rng.random() < 0.6 else None
        first_due = (
            at + timedelta(hours=request_type.first_response_hours) if request_type else None
        )
        resolution_due = (
            at + timedelta(hours=request_type.resolution_hours) if request_type else None
        )
        is_open = status in ("open", "pending")
        assigned = rng.random() < {"open": 0.6, "pending": 0.8}.get(status, 0.9)
        last = plan[-1][1]
        resolved = last + timedelta(hours=1) if not is_open else None
        counters[at.year] = counters.get(at.year, 0) + 1
        conversation = Conversation(
            reference=f"VT-{at.year}-{counters[at.year]:06d}",
            desk_id=desk_id,
            channel=channel,
            contact_id=identity.contact_id,
            identity=identity,
            status=status,
            request_type=request_type,
            priority=rng.choices(["normal", "high", "low", "urgent"], [90, 5, 3, 2])[0],
            language=rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0],
            team=rng.choice(teams[desk_id]) if rng.random() < 0.25 else None,
            assignee=rng.choice(agents[desk_id]) if assigned else None,
            outcome="" if is_open else "answered",
            created_at=at,
            changed_at=resolved or last,
            waiting_since=waiting[0] if status == "open" and waiting else None,
            due_at=(resolution_due if outbound else first_due) if is_open else None,
            last_message_at=last,
            last_inbound_at=inbound[-1],
            first_response_at=outbound[0] if outbound else None,
            resolved_at=resolved,
            closed_at=resolved + timedelta(days=7) if status == "closed" and resolved else None,
            first_response_due_at=first_due,
            resolution_due_at=resolution_due,
        )
        conversation_rows.append(conversation)
        plans.append(plan)
        if rng.random() < 0.1:
            tagged.append((conversation, rng.choice(tags[desk_id])))
        if rng.random() < 0.05:
            notes.append(
                Note(
                    conversation=conversation,
                    author=rng.choice(agents[desk_id]),
                    text=" ".join(rng.choices(vocabulary, k=8)),
                    created_at=last,
                )
            )
        if len(conversation_rows) == 5000 or n == conversations - 1:
            flush()
    for year, last_number in counters.items():
        ReferenceCounter.objects.create(prefix="VT", year=year, last=last_number)

    # What else the console shows: a handover per desk, notifications for the agent.
    recent = list(Conversation.objects.filter(status="open").order_by("-id")[:400])
    for desk in desks:
        mine = [c for c in recent if c.desk_id == desk.pk][:5]
        teamwork.hand_over(
            desk=desk,
            by=staff["agent"],
            text="Busy morning; the passport queue is long.",
            pending=[teamwork.Pending(c, "Waiting for the person's documents.") for c in mine],
        )
    Notification.objects.bulk_create(
        Notification(
            recipient=staff["agent"],
            kind="assignment",
            conversation=c,
            created_at=c.changed_at,
            read_at=None if n < 5 else c.changed_at,
        )
        for n, c in enumerate(recent[:60])
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    regular = Conversation.objects.filter(contact_id=identity_rows[0].contact_id).latest("id")
    user_model = get_user_model()
    return {
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "contacts": Contact.objects.count(),
        "open": Conversation.objects.filter(status="open").count(),
        "pending": Conversation.objects.filter(status="pending").count(),
        "word": word,
        "word_messages": sum(  # texts are encrypted: read, as the search itself confirms
            word.lower() in text.lower()
            for text in Message.objects.values_list("text", flat=True).iterator(chunk_size=5000)
        ),
        "reference": "VT-2025-000123",
        "short": short,
        "regular": regular.pk,
        "regular_earlier": Conversation.objects.filter(contact=regular.contact).count() - 1,
        "staff": sorted(user_model.objects.values_list("username", flat=True)),
        "password": PASSWORD,
        "fill_seconds": round(time.perf_counter() - started, 1),
    }


# Reaching the pages


def resolve(facts: dict[str, Any], get: Callable[[str, str], tuple[int, str]]) -> dict[str, str]:
    """The path of each page, with the versions the live polls send back when nothing changed.

    When a page gives no version (it failed), its poll asks with a wrong one: it then answers
    200 instead of 204 and is reported as failed, while the other pages are still measured.
    """
    names = {k: str(v) for k, v in facts.items()}
    status, text = get("agent", "/console/?live=1")
    found = re.search(r'data-version="([^"]+)"', text)
    names["inbox_version"] = found[1] if found else "unknown"
    if status != 200 or not found:
        print(f"!! /console/?live=1 answered {status} without a version", file=sys.stderr)
    status, text = get("agent", f"/console/c/{facts['short']}/")
    found = re.search(r'id="history" hx-get="([^"]+)"', text)
    names["history_poll"] = (
        html.unescape(found[1]) if found else f"/console/c/{facts['short']}/history/?v=unknown"
    )
    if status != 200 or not found:
        print(
            f"!! /console/c/{facts['short']}/ answered {status} without a version", file=sys.stderr
        )
    return {page.label: page.path.format(**names) for page in PAGES}


def count_queries(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each page's SQL queries and the slowest of them, served in-process by the test client."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ventanilla.api.services import issue_token

    users = get_user_model().objects
    token = issue_token(user=users.get(username="agent"))
    clients = {"anonymous": Client(SERVER_NAME="127.0.0.1")}
    clients["api"] = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    for who in ("agent", "supervisor"):
        clients[who] = Client(SERVER_NAME="127.0.0.1")
        clients[who].force_login(users.get(username=who))

    def get(who: str, path: str) -> tuple[int, str]:
        response = clients[who].get(path)
        return response.status_code, response.content.decode()

    paths = resolve(facts, get)
    found = {}
    for page in PAGES:
        get(page.who, paths[page.label])  # warm
        with CaptureQueriesContext(connection) as captured:
            status, _ = get(page.who, paths[page.label])
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:2]
        found[page.label] = {
            "status": status,
            "queries": len(captured.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "slowest": [(round(float(q["time"]) * 1000, 1), q["sql"]) for q in slowest],
        }
    return found


class Session:
    """One signed-in browser, or an API client, or nobody."""

    def __init__(self, base: str, who: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60)
        if who == "api":
            self.client.headers["Authorization"] = f"Bearer {token}"
        elif who != "anonymous":
            form = self.client.get("/accounts/login/")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            answer = self.client.post(
                "/accounts/login/",
                data={"username": who, "password": PASSWORD, "csrfmiddlewaretoken": csrf[1]}
                if csrf
                else {},
                headers={"Referer": f"{base}/accounts/login/"},
            )
            if answer.status_code != 302:
                raise RuntimeError(f"signing in as {who} answered {answer.status_code}")

    def get(self, path: str) -> tuple[int, str, float]:
        started = time.perf_counter()
        response = self.client.get(path)
        return response.status_code, response.text, time.perf_counter() - started


@contextmanager
def serving(env: dict[str, str], home: Path, port: int) -> Iterator[Path]:
    """`ventanilla run` on the filled home, its log (tracebacks included) kept in the home."""
    log = home / "server.log"
    with running([str(BIN / "ventanilla"), "run", "--addr", f"127.0.0.1:{port}"], env, port, log):
        yield log


def measure(env: dict[str, str], home: Path, facts: dict[str, Any], runs: int) -> dict[str, Any]:
    token = subprocess.run(
        [
            str(BIN / "ventanilla"),
            "token",
            "agent",
            "--role",
            "agent",
            "--desk",
            "default",
            "--desk",
            "consulate",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {page.label: [] for page in PAGES}
    seen: dict[str, set[int]] = {page.label: set() for page in PAGES}
    failed: dict[str, str] = {}
    with serving(env, home, port) as log:
        sessions = {who: Session(base, who, token) for who in {page.who for page in PAGES}}
        paths = resolve(facts, lambda who, path: sessions[who].get(path)[:2])
        for run in range(3 + runs):
            for page in PAGES:
                if page.label in failed:
                    continue
                status, _, seconds = sessions[page.who].get(paths[page.label])
                seen[page.label].add(status)
                if status != page.status:
                    tail = log.read_text(errors="replace")[-4000:]
                    failed[page.label] = f"{paths[page.label]} answered {status}"
                    print(f"!! {failed[page.label]}, not {page.status}\n{tail}", file=sys.stderr)
                elif run >= 3:
                    timings[page.label].append(seconds * 1000)
    return {"timings": timings, "seen": {k: sorted(v) for k, v in seen.items()}, "failed": failed}


def prepare(env: dict[str, str], home: Path, conversations: int) -> dict[str, Any]:
    """Migrate and fill the installation, or reuse one filled before with as many."""
    kept = home / FACTS
    if kept.exists():
        facts = json.loads(kept.read_text())
        if facts["conversations"] == conversations:
            print(f"reusing the installation in {home}", file=sys.stderr)
            return dict(facts)
        raise SystemExit(
            f"{home} holds {facts['conversations']} conversations, not {conversations}"
        )
    inside = {**env, "DJANGO_SETTINGS_MODULE": "ventanilla.settings"}
    subprocess.run([str(BIN / "ventanilla"), "migrate", "-v", "0"], env=inside, check=True)
    filled = subprocess.run(
        [str(BIN / "python"), __file__, "fill", str(conversations)],
        env=inside,
        capture_output=True,
        text=True,
    )
    if filled.returncode:
        raise RuntimeError(f"filling failed:\n{filled.stderr}")
    facts = json.loads(filled.stdout.splitlines()[-1])
    kept.write_text(json.dumps(facts, indent=1))
    return dict(facts)


def queries_of(env: dict[str, str], facts: dict[str, Any]) -> dict[str, Any]:
    inside = {**env, "DJANGO_SETTINGS_MODULE": "ventanilla.settings"}
    counted = subprocess.run(
        [str(BIN / "python"), __file__, "queries", json.dumps(facts)],
        env=inside,
        capture_output=True,
        text=True,
    )
    if counted.returncode:
        print(f"!! counting queries failed:\n{counted.stderr[-4000:]}", file=sys.stderr)
        return {}
    return dict(json.loads(counted.stdout.splitlines()[-1]))


def report(
    name: str, facts: dict[str, Any], measured: dict[str, Any], queries: dict[str, Any]
) -> None:
    timings = measured["timings"]
    base = statistics.median(timings[BASELINE]) if timings[BASELINE] else float("nan")
    print(
        f"\n### {name}: {facts['conversations']:,} conversations "
        f"({facts['open']:,} open, {facts['pending']:,} pending), "
        f"{facts['messages']:,} messages, {facts['contacts']:,} contacts; "
        f"{len(timings[BASELINE])} runs\n"
    )
    print("| page | status | median (min to max), ms | ratio to API list | SQL queries |")
    print("|---|---|---|---|---|")
    for page in PAGES:
        values = timings[page.label]
        statuses = "/".join(str(s) for s in measured["seen"][page.label])
        shown = summary(values) if values else "failed"
        ratio = f"{statistics.median(values) / base:.2f}x" if values else "-"
        counted = queries.get(page.label, {}).get("queries", "?")
        print(f"| {page.label} | {statuses} | {shown} | {ratio} | {counted} |")
    slow = [
        p.label for p in PAGES if timings[p.label] and statistics.median(timings[p.label]) > 300
    ]
    print(f"\nOver 300 ms (median): {', '.join(slow) or 'none'}")
    for label, problem in measured["failed"].items():
        print(f"FAILED {label}: {problem}")
    for label, found in queries.items():  # where the time goes, for whoever reads stderr
        print(f"{label}: {found['queries']} queries, {found['sql_ms']} ms in SQL", file=sys.stderr)
        for ms, sql in found["slowest"]:
            if ms >= 5:
                print(f"  slowest, {ms} ms: {sql}", file=sys.stderr)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "fill":
        print(json.dumps(fill(int(sys.argv[2]))))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "queries":
        print(json.dumps(count_queries(json.loads(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", choices=("sqlite", "postgres"))
    parser.add_argument("--home", type=Path, help="keep (or reuse) the SQLite installation here")
    args = parser.parse_args()
    backends = {}
    if args.database in (None, "sqlite"):
        backends["SQLite"] = ""
    if args.database in (None, "postgres") and os.environ.get("DATABASE_URL"):
        backends["PostgreSQL"] = os.environ["DATABASE_URL"]
    if not backends:
        raise SystemExit("--database postgres needs DATABASE_URL")
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, database_url in backends.items():
            home = args.home if args.home and not database_url else Path(scratch) / name
            home.mkdir(parents=True, exist_ok=True)
            with installation(home, database_url) as env:
                started = time.perf_counter()
                facts = prepare(env, home, args.conversations)
                print(f"{name}: filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
                queries = queries_of(env, facts)
                measured = measure(env, home, facts, args.runs)
            report(name, facts, measured, queries)
            failures += len(measured["failed"])
    if failures:
        raise SystemExit(f"{failures} page(s) did not answer as expected")


if __name__ == "__main__":
    main()
