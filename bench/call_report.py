"""Time to compute the phone line's figures, against a plain count.

    .venv/bin/python bench/call_report.py [--calls 70000] [--runs 5]

A year of ALHO VOZ's phone line (70,000 calls) at a desk in Tegucigalpa open every day
06:00-22:00: a caller's record per call, made directly (not through the webhooks), with
the outcomes, waits, talk times, languages and callbacks of a busy line. Timed, each on
the same rows after one warm-up pass:

- the baseline: the calls of the period counted by outcome in SQL (`COUNT ... GROUP BY`);
- the report (`reports.calls.call_report`, what `GET /api/v1/reports/calls` does) for one
  month, then for the whole year.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kb_common import fresh_installation

ZONE = ZoneInfo("America/Tegucigalpa")
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
YEAR = 2026
# How calls end on a busy line, and how often.
OUTCOMES = [
    ("answered", 70),
    ("abandoned", 12),
    ("callback", 5),
    ("menu", 5),
    ("voicemail", 4),
    ("closed", 3),
    ("failed", 1),
]
LANGUAGES = [("es", 70), ("en", 10), ("ar", 10), ("fr", 5), ("", 5)]


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


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def populate(count: int, seed: int = 7) -> Any:
    from ventanilla.calls.models import Call, Leg
    from ventanilla.channels.services import create_channel
    from ventanilla.desks.models import Desk

    rng = random.Random(seed)
    desk = Desk.objects.get(slug="default")
    desk.timezone, desk.hours, desk.languages = str(ZONE), ALL_DAY, ["es", "en", "ar", "fr"]
    desk.save()
    config = {"account_sid": "AC" + "5e" * 16, "auth_token": "x", "number": "+447700900999"}
    channel = create_channel(
        desk=desk, type="twilio-voice", name="ALHO VOZ", config=config, by=None
    )
    first = datetime(YEAR, 1, 1, tzinfo=ZONE)
    days = (datetime(YEAR + 1, 1, 1, tzinfo=ZONE) - first).days
    rows = []
    for number in range(count):
        outcome = pick(rng, OUTCOMES)
        closed = outcome in ("closed", "voicemail") and rng.random() < 0.8
        # Out of hours for the closed line; open hours otherwise, busiest late morning.
        open_hour = min(max(int(rng.gauss(11, 3.5)), 6), 21)
        hour = rng.choice([22, 23, 0, 5]) if closed else open_hour
        started = first + timedelta(
            days=rng.randrange(days), hours=hour, seconds=rng.randrange(3600)
        )
        queued = outcome in ("answered", "abandoned", "callback")
        wait = int(rng.expovariate(1 / 70)) if queued else None
        answered = started + timedelta(seconds=30 + (wait or 0)) if outcome == "answered" else None
        talk = int(rng.gauss(240, 90)) if answered else None
        requested = started + timedelta(seconds=30 + (wait or 0)) if outcome == "callback" else None
        done = requested + timedelta(hours=2) if requested and rng.random() < 0.7 else None
        rows.append(
            Call(
                channel=channel,
                leg=Leg.CALLER,
                call_sid=f"CA{number:032x}",
                language=pick(rng, LANGUAGES),
                topic=rng.choice(["documents", "application-status", "rights", "other"]),
                urgent=rng.random() < 0.02,
                out_of_hours=closed,
                started_at=started,
                enqueued_at=started + timedelta(seconds=30) if queued else None,
                wait_seconds=wait,
                answered_at=answered,
                talk_seconds=max(talk, 10) if talk is not None else None,
                outcome=outcome,
                callback_requested_at=requested,
                callback_done_at=done,
                ended_at=started + timedelta(seconds=60 + (wait or 0) + (talk or 0)),
            )
        )
    Call.objects.bulk_create(rows, batch_size=2000)
    return desk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=70_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with fresh_installation():
        from django.contrib.auth.models import User
        from django.db.models import Count

        from ventanilla.calls.models import Call, Leg
        from ventanilla.reports.calls import call_report

        desk = populate(options.calls)
        analyst = User.objects.create_superuser("bench", password=None)
        periods = {
            "month": (date(YEAR, 11, 1), date(YEAR, 11, 30)),
            "year": (date(YEAR, 1, 1), date(YEAR, 12, 31)),
        }

        def report(period: str) -> Callable[[], Any]:
            start, end = periods[period]
            return lambda: call_report(analyst, desk="default", start=start, end=end)

        def baseline(period: str) -> Callable[[], Any]:
            start, end = periods[period]
            since = datetime(start.year, start.month, start.day, tzinfo=ZONE)
            until = datetime(end.year, end.month, end.day, tzinfo=ZONE) + timedelta(days=1)
            return lambda: list(
                Call.objects.filter(
                    channel__desk=desk,
                    leg=Leg.CALLER,
                    started_at__gte=since,
                    started_at__lt=until,
                )
                .values("outcome")
                .annotate(n=Count("id"))
            )

        results = {}
        for period in periods:
            counted = sum(row["n"] for row in baseline(period)())
            figures = report(period)()
            assert figures["calls_received"] == counted, (figures["calls_received"], counted)
            assert {k: v for k, v in figures["outcomes"].items() if v} == {
                row["outcome"]: row["n"] for row in baseline(period)()
            }
            results[period] = (
                counted,
                timed(baseline(period), options.runs),
                timed(report(period), options.runs),
            )

    print(f"{options.runs} runs after a warm-up; the report's counts equal the baseline's\n")
    print("| what | median ms | min ms | max ms | vs baseline |")
    print("| --- | --- | --- | --- | --- |")
    for period, (counted, base_times, report_times) in results.items():
        base = statistics.median(base_times)
        print(line(f"{period} ({counted:,} calls): COUNT ... GROUP BY outcome", base_times, base))
        print(line(f"{period} ({counted:,} calls): call report", report_times, base))


if __name__ == "__main__":
    main()
