"""What the surveys say, in figures: CSAT and resolution rate per desk, team, agent, language,
channel, post or request type over a period. Aggregates only: no comment, no person.

- asked: people asked (surveys sent, whatever became of them); answered: those who gave at
  least one answer; response rate = answered / asked.
- CSAT = the share of scores that are 4 or 5, in percent; the average score beside it.
- resolution rate = the share of "was your question solved?" answered yes, in percent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ventanilla.accountability.models import Post, Survey, SurveyState
from ventanilla.channels.models import Channel
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.lib.errors import Invalid
from ventanilla.lib.times import start_of_day

# What results can be grouped by: the field it is read from, and how a key is named.
GROUPS: dict[str, str] = {
    "desk": "desk",
    "team": "team",
    "agent": "agent",
    "language": "language",
    "channel": "channel",
    "post": "post",
    "request_type": "request_type",
}


@dataclass(frozen=True)
class Figures:
    key: str
    label: str
    asked: int
    answered: int
    scores: int
    satisfied: int
    score_total: int
    solved_answers: int
    solved: int
    comments: int

    @property
    def response_rate(self) -> float | None:
        return _percent(self.answered, self.asked)

    @property
    def csat(self) -> float | None:
        return _percent(self.satisfied, self.scores)

    @property
    def average_score(self) -> float | None:
        return round(self.score_total / self.scores, 2) if self.scores else None

    @property
    def resolution_rate(self) -> float | None:
        return _percent(self.solved, self.solved_answers)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "asked": self.asked,
            "answered": self.answered,
            "response_rate": self.response_rate,
            "scores": self.scores,
            "csat": self.csat,
            "average_score": self.average_score,
            "solved_answers": self.solved_answers,
            "resolution_rate": self.resolution_rate,
            "comments": self.comments,
        }


@dataclass(frozen=True)
class Results:
    group_by: str
    groups: list[Figures] = field(default_factory=list)
    total: Figures | None = None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


COUNTS = {
    "asked": Count("id"),
    "answered": Count("id", filter=Q(score__isnull=False) | Q(solved__isnull=False)),
    "scores": Count("score"),
    "satisfied": Count("id", filter=Q(score__gte=4)),
    "score_total": Sum("score", default=0),
    "solved_answers": Count("solved"),
    "solved": Count("id", filter=Q(solved=True)),
    "comments": Count("id", filter=Q(has_comment=True)),
}


def asked_between(
    surveys: QuerySet[Survey], first: date | None, last: date | None
) -> QuerySet[Survey]:
    """The surveys asked in a period of days (either end open), in the current time zone."""
    if first and last and first > last:
        raise Invalid("from must not be after to")
    found = surveys.exclude(state=SurveyState.SKIPPED)
    if first:
        found = found.filter(asked_at__gte=start_of_day(first))
    if last:
        found = found.filter(asked_at__lt=start_of_day(last + timedelta(days=1)))
    return found


def results(surveys: QuerySet[Survey], *, group_by: str) -> Results:
    """CSAT and resolution rate of these surveys, grouped, with the total."""
    if group_by not in GROUPS:
        raise Invalid(f"group_by must be one of {', '.join(GROUPS)}")
    column = GROUPS[group_by]
    rows = surveys.order_by().values(column).annotate(**COUNTS)
    labels = _labels(group_by, {row[column] for row in rows})
    groups = [
        Figures(
            key=_key(row[column], labels),
            label=labels.get(row[column], ("", _("none")))[1] if row[column] else _("none"),
            **{name: row[name] for name in COUNTS},
        )
        for row in rows
    ]
    groups.sort(key=lambda f: (-f.asked, f.key))
    total = surveys.order_by().aggregate(**COUNTS)
    return Results(group_by=group_by, groups=groups, total=Figures(key="", label=_("All"), **total))


def _key(value: Any, labels: dict[Any, tuple[str, str]]) -> str:
    if value in (None, ""):
        return ""
    return labels.get(value, (str(value), ""))[0]


def _labels(group_by: str, values: set[Any]) -> dict[Any, tuple[str, str]]:
    """Each grouped value's key as the API names it, and its label in the reader's language."""
    ids = [v for v in values if v not in (None, "")]
    language = (get_language() or "en").split("-")[0]
    if group_by == "language":
        return {code: (code, code) for code in ids}
    if group_by == "agent":
        return {u.pk: (u.get_username(), u.get_username()) for u in User.objects.filter(pk__in=ids)}
    if group_by == "channel":
        return {
            c.pk: (str(c.pk), f"{c.name} ({c.type})") for c in Channel.objects.filter(pk__in=ids)
        }
    model: Any = {"desk": Desk, "team": Team, "post": Post, "request_type": RequestType}[group_by]
    return {row.pk: (row.slug, row.name_in(language)) for row in model.objects.filter(pk__in=ids)}
