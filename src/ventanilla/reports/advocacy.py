"""Anonymised trends for advocacy: conversations counted by week and by what they were about,
never by whom or exactly when, with every group smaller than the desk's threshold (k) left
out, so that nobody can be singled out of what is published; and the recurring questions,
the topics and the groups of unanswered questions that grow week over week.

What makes the dataset safe to hand on, each rule tested in tests/reports/test_advocacy.py:
- metadata only: the week (its Monday, in the desk's zone), desk, channel type, language,
  topic, request type, outcome, consular post and country of residence where known; never
  content, names, numbers, pseudonyms or times;
- a row is a group of conversations alike in all of these; a group of fewer than k is left
  out whole (its values are not published), and only the total left out is said;
- k is the desk's (Desk.k_anonymity, 5 by default); a reader may ask for more, never less;
- periods are whole weeks, Monday to Sunday: asked from a Wednesday, the dataset starts on
  that week's Monday, so that two periods a day apart give the same rows (no one's day can
  be found by taking one dataset from another).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.knowledge import text
from ventanilla.knowledge.gaps import gap_groups
from ventanilla.knowledge.models import Gap
from ventanilla.lib.errors import Invalid
from ventanilla.reports.sla import readers_desks

# The dataset's columns: each dimension and the conversation's field it reads.
DIMENSIONS = {
    "week": "adv_week",
    "desk": "desk__slug",
    "channel": "channel__type",
    "language": "language",
    "topic": "topic",
    "request_type": "request_type__slug",
    "outcome": "outcome",
    "post": "post_concerned__post__slug",
    "country": "contact__country",
}
COLUMNS = [*DIMENSIONS, "conversations"]
DEFAULT_WEEKS = 12
LONGEST = timedelta(weeks=157)  # three years
RECENT_WEEKS = 8  # what the recurring questions compare
# The unanswered questions grouped, the latest first: grouping compares each with every group
# so far, which a surge's tens of thousands would make take minutes.
MOST_GAPS = 5000


@dataclass(frozen=True)
class Weeks:
    """Whole weeks, from a Monday to a Sunday (both included)."""

    first: date  # a Monday
    last: date  # a Sunday

    @classmethod
    def around(cls, start: date | None, end: date | None, today: date) -> Weeks:
        """The whole weeks holding the days asked for (the last 12 when not given)."""
        end = end or today
        start = start or end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
        if start > end:
            raise Invalid("from: must not be after to")
        first = start - timedelta(days=start.weekday())
        last = end + timedelta(days=6 - end.weekday())
        if last - first >= LONGEST:
            raise Invalid("the dataset covers at most 156 weeks")
        return cls(first, last)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.first, time(), tzinfo=zone),
            datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone),
        )

    def mondays(self) -> list[date]:
        return [
            self.first + timedelta(weeks=n) for n in range((self.last - self.first).days // 7 + 1)
        ]


def _desks(user: Any, desk: str | None) -> list[Desk]:
    return list(readers_desks(user, desk)[0].order_by("slug"))


def thresholds(desks: list[Desk], k: int | None) -> dict[str, int]:
    """Each desk's k: the one asked for, never below the desk's own."""
    if k is not None:
        below = [d.slug for d in desks if k < d.k_anonymity]
        if below:
            floor = max(d.k_anonymity for d in desks)
            raise Invalid(
                f"k: at least {floor} for {', '.join(below)}: groups smaller than the desk's "
                "threshold are never published"
            )
    return {d.slug: max(k or 0, d.k_anonymity) for d in desks}


def _day_of(zone: ZoneInfo) -> Any:
    """A row's day in the desk's zone: Python takes it back to its Monday."""
    return TruncDate("created_at", tzinfo=zone)


def dataset(
    user: Any,
    *,
    start: date | None = None,
    end: date | None = None,
    k: int | None = None,
    desk: str | None = None,
) -> dict[str, Any]:
    """The anonymised dataset of the desks the reader sees (or one of them) for the whole
    weeks holding `start` to `end`: a row per group of at least k alike conversations."""
    desks = _desks(user, desk)
    ks = thresholds(desks, k)
    weeks = Weeks.around(start, end, timezone.localdate())
    rows: list[dict[str, Any]] = []
    left_out = {"groups": 0, "conversations": 0}
    for one in desks:
        for row in _groups(one, weeks):
            if row["conversations"] >= ks[one.slug]:
                rows.append(row)
            else:
                left_out["groups"] += 1
                left_out["conversations"] += row["conversations"]
    rows.sort(key=lambda row: tuple(str(row[name] or "") for name in DIMENSIONS))
    return {
        "from": weeks.first,
        "to": weeks.last,
        "k": ks,
        "columns": COLUMNS,
        "rows": rows,
        "left_out": left_out,
    }


def _groups(desk: Desk, weeks: Weeks) -> list[dict[str, Any]]:
    """The desk's conversations opened in those weeks, counted by every dimension; the
    database groups them by day, Python adds the days of a week together."""
    zone = ZoneInfo(desk.timezone)
    start, until = weeks.bounds(zone)
    fields = [path for name, path in DIMENSIONS.items() if name != "week"]
    by_day = (
        Conversation.objects.filter(desk=desk, created_at__gte=start, created_at__lt=until)
        .annotate(adv_day=_day_of(zone))
        .values("adv_day", *fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    weekly: Counter[tuple[Any, ...]] = Counter()
    for row in by_day:
        day = row["adv_day"]
        monday = day - timedelta(days=day.weekday())
        weekly[(monday, *(row[path] or None for path in fields))] += row["n"]
    names = [name for name in DIMENSIONS if name != "week"]
    return [
        {"week": key[0], **dict(zip(names, key[1:], strict=True)), "conversations": n}
        for key, n in weekly.items()
    ]


def table(found: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The dataset as a table to download: one line per group."""
    header = list(found["columns"])
    rows = [
        [row["week"].isoformat(), *(row[name] or "" for name in header[1:-1]), row["conversations"]]
        for row in found["rows"]
    ]
    return header, rows


# Recurring questions


def recurring(user: Any, *, end: date | None = None, desk: str | None = None) -> dict[str, Any]:
    """What people ask more and more, over the last eight weeks to `end`: each topic's
    conversations week by week, and the groups of unanswered questions (gaps) alike enough
    to be one, labelled by the words at least k of their questions share; the largest growth
    first. Counts only: never a question as someone wrote it."""
    desks = _desks(user, desk)
    ks = thresholds(desks, None)
    k = max(ks.values(), default=5)
    today = timezone.localdate()
    weeks = Weeks.around((end or today) - timedelta(weeks=RECENT_WEEKS - 1), end, today)
    mondays = weeks.mondays()
    topics: dict[str, list[int]] = {}
    gaps: list[Gap] = []
    for one in desks:
        zone = ZoneInfo(one.timezone)
        start, until = weeks.bounds(zone)
        in_weeks = {"created_at__gte": start, "created_at__lt": until}
        by_day = (
            Conversation.objects.filter(desk=one, **in_weeks)
            .exclude(topic="")
            .annotate(adv_day=_day_of(zone))
            .values("adv_day", "topic")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in by_day:
            counts = topics.setdefault(row["topic"], [0] * len(mondays))
            counts[_index(row["adv_day"], weeks)] += row["n"]
        gaps.extend(_gaps(one, in_weeks, zone))
    return {
        "from": weeks.first,
        "to": weeks.last,
        "weeks": mondays,
        "k": k,
        "topics": _growing([{"key": key, "counts": counts} for key, counts in topics.items()]),
        "gaps": _growing(_gap_groups(gaps[:MOST_GAPS], weeks, k)),
    }


def _gaps(desk: Desk, in_weeks: dict[str, datetime], zone: ZoneInfo) -> QuerySet[Gap]:
    return (
        Gap.objects.filter(desk=desk, **in_weeks)
        .annotate(adv_day=_day_of(zone))
        .order_by("-created_at")[:MOST_GAPS]
    )


def _index(day: date, weeks: Weeks) -> int:
    return (day - weeks.first).days // 7


def _gap_groups(gaps: list[Gap], weeks: Weeks, k: int) -> list[dict[str, Any]]:
    """Groups of at least k alike questions, each labelled by the words (stems) at least k
    of its questions and half of them share: what they are about, never how one person
    put it."""
    found = []
    for group in gap_groups(gaps):
        if group.count < k:
            continue
        shared: Counter[str] = Counter()
        for gap in group.gaps:
            shared.update(set(text.terms(gap.question, gap.language or "")))
        enough = max(k, (group.count + 1) // 2)
        words = sorted(word for word, n in shared.items() if n >= enough)
        if not words:
            continue
        counts = [0] * len(weeks.mondays())
        for gap in group.gaps:
            counts[_index(gap.adv_day, weeks)] += 1  # type: ignore[attr-defined]
        found.append({"words": words, "languages": group.languages, "counts": counts})
    return found


def _growing(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item with its growth: the last week's count less the average of the weeks
    before; the largest growth first."""
    for item in items:
        counts = item["counts"]
        before = counts[:-1]
        average = sum(before) / len(before) if before else 0
        item["total"] = sum(counts)
        item["growth"] = round(counts[-1] - average, 1)
    return sorted(items, key=lambda item: (-item["growth"], -item["total"]))
