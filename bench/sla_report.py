"""Time to compute the service-level report and the clocks, against a plain count.

    .venv/bin/python bench/sla_report.py [--conversations 6000] [--runs 5]

A month of a busy hotline (6,000 conversations, ALHO VOZ's volume) at a desk in Madrid's
time zone open Monday to Friday 08:00-20:00 with holidays. Half of the request types count
business hours, half calendar hours; a third of the conversations waited for the person at
some point (one pause), most were answered and resolved at random delays. Timed, each on
the same rows after one warm-up pass:

- the report (`reports.sla.sla_report`): counts of the verdicts stored as the clocks
  stopped, by the database, in total and by request type, desk, team and language;
- the baseline: the same conversations counted by request type in SQL, what a report
  without clocks costs (`COUNT ... GROUP BY`);
- `conversations.sla.refresh` of one conversation, the work added to each status change
  (which now stores the verdicts too).

The rows are written without verdicts, then judged as an upgraded installation's are after
`migrate` (`sla.judge_unjudged`, timed once): the recomputation of every clock the report
used to do on each request.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kb_common import fresh_installation

HOURS = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
HOLIDAYS = ["01-01", "12-25", "2026-11-02", "2026-11-09"]
MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def line(name: str, times: list[float], base: float, unit: float = 1000.0) -> str:
    median = statistics.median(times)
    return (
        f"| {name} | {median * unit:.1f} | {min(times) * unit:.1f} | "
        f"{max(times) * unit:.1f} | {median / base:.1f}x |"
    )


def populate(count: int, seed: int = 11) -> Any:
    from ventanilla.channels.services import create_channel
    from ventanilla.contacts.services import identify
    from ventanilla.conversations.models import Conversation, Status
    from ventanilla.desks.models import Desk, RequestType

    rng = random.Random(seed)
    desk = Desk.objects.get(slug="default")
    desk.timezone, desk.hours, desk.holidays = "Europe/Madrid", HOURS, HOLIDAYS
    desk.save()
    types = list(RequestType.objects.filter(desk=desk))
    for index, request_type in enumerate(types):
        request_type.business_hours = index % 2 == 0
        request_type.save()
    channel = create_channel(desk=desk, type="webchat", name="Web chat", config={}, by=None)
    identity = identify(scheme="webchat", address="bench-visitor", name="")
    rows, opened = [], []
    for number in range(count):
        created = MONTH_START + timedelta(seconds=rng.randrange(30 * 24 * 3600))
        first = created + timedelta(minutes=rng.randrange(10, 4 * 24 * 60))
        resolved = first + timedelta(minutes=rng.randrange(10, 6 * 24 * 60))
        pauses = []
        if rng.random() < 1 / 3:
            pause = first + timedelta(minutes=rng.randrange(1, 600))
            pauses = [
                [pause.isoformat(), (pause + timedelta(hours=rng.randrange(1, 72))).isoformat()]
            ]
        status = rng.choice([Status.RESOLVED, Status.RESOLVED, Status.CLOSED, Status.OPEN])
        opened.append(created)
        rows.append(
            Conversation(
                reference=f"VT-2026-{number + 1:06d}",
                desk=desk,
                channel=channel,
                contact=identity.contact,
                identity=identity,
                status=status,
                request_type=rng.choice(types),
                language=rng.choice(["es", "en", "ar", "fr"]),
                first_response_at=first if rng.random() < 0.9 else None,
                resolved_at=resolved if status != Status.OPEN else None,
                sla_pauses=pauses,
            )
        )
    made = Conversation.objects.bulk_create(rows, batch_size=1000)
    for conversation, created in zip(made, opened, strict=True):  # auto_now_add said "now"
        conversation.created_at = created
    Conversation.objects.bulk_update(made, ["created_at"], batch_size=1000)
    return desk, types


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with fresh_installation():
        from django.contrib.auth.models import User
        from django.db.models import Count

        from ventanilla.conversations import sla
        from ventanilla.conversations.models import Conversation
        from ventanilla.reports.sla import sla_report

        desk, _types = populate(options.conversations)
        started = time.perf_counter()
        judged = sla.judge_unjudged()
        judging = time.perf_counter() - started
        analyst = User.objects.create_superuser("bench", password=None)
        start, end = date(2026, 11, 1), date(2026, 11, 30)

        def report() -> Any:
            return sla_report(analyst, desk="default", start=start, end=end)

        def baseline() -> Any:
            return list(
                Conversation.objects.filter(
                    desk=desk,
                    created_at__gte=MONTH_START,
                    created_at__lt=datetime(2026, 12, 1, tzinfo=UTC),
                )
                .values("request_type__slug")
                .annotate(n=Count("id"))
            )

        checked = report()["total"]["conversations"]
        mixed = timed(report, options.runs)
        counted = timed(baseline, options.runs)
        one = Conversation.objects.select_related("desk", "team", "request_type").filter(
            request_type__business_hours=True
        )[:200]
        conversations = list(one)

        def refresh_many() -> None:
            for conversation in conversations:
                sla.refresh(conversation)

        refreshes = timed(refresh_many, options.runs)
    base = statistics.median(counted)
    print(f"{checked} conversations in the period, {options.runs} runs after a warm-up\n")
    print("| what | median ms | min ms | max ms | vs baseline |")
    print("| --- | --- | --- | --- | --- |")
    print(line("baseline: COUNT ... GROUP BY request type", counted, base))
    print(line("SLA report, from the stored verdicts", mixed, base))
    print(f"\nverdicts of {judged} conversations stored once (after migrate): {judging:.1f} s")
    per = [t / len(conversations) for t in refreshes]
    print(
        f"\nsla.refresh of one conversation in business hours: median "
        f"{statistics.median(per) * 1e6:.0f} µs (min {min(per) * 1e6:.0f}, "
        f"max {max(per) * 1e6:.0f})"
    )


if __name__ == "__main__":
    main()
