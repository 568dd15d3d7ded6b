"""Quality reviews: supervisors score agents' conversations on the desk's scorecard.

Each week, for each agent, a few of the conversations they resolved are drawn at random
(`QualitySettings.sample_per_week`), and every conversation with a low survey score or a
complaint is added. A supervisor reads the whole conversation (its notes and call recordings
too), rates each criterion of the scorecard (yes or no, or 1 to 5, each with its weight) and
writes feedback; the agent reads it and acknowledges it. Until then the review may be scored
again; after, it stands.

The score of a review: each rating on a scale of 0 to 1 (no 0, yes 1; 1 to 5 as 0, .25, .5,
.75, 1), weighted, as a percentage.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.accountability.defaults import DEFAULT_CRITERIA, main_name
from ventanilla.accountability.models import (
    Complaint,
    Criterion,
    QualitySettings,
    Rating,
    Review,
    ReviewReason,
    ReviewState,
    Scale,
    Survey,
)
from ventanilla.accountability.surveys import agent_of
from ventanilla.accountability.surveys import settings_of as survey_settings_of
from ventanilla.conversations.models import Conversation, Status
from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Conflict, Forbidden, Invalid
from ventanilla.lib.times import start_of_day
from ventanilla.privacy.services import audit
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify

MAX_FEEDBACK = 4000


# The scorecard


def add_default_criteria(desk: Desk) -> None:
    existing = set(Criterion.objects.filter(desk=desk).values_list("slug", flat=True))
    for order, (slug, (scale, weight, names)) in enumerate(DEFAULT_CRITERIA.items()):
        if slug not in existing:
            Criterion.objects.create(desk=desk, slug=slug, scale=scale, weight=weight,
                                     order=order, names=names,
                                     name=main_name(names, desk.languages))  # fmt: skip


def scorecard(desk: Desk) -> list[Criterion]:
    """The criteria a review of the desk is scored on, in order."""
    return list(Criterion.objects.filter(desk=desk, active=True).order_by("order", "name"))


@transaction.atomic
def save_criterion(*, criterion: Criterion, by: User | None) -> Criterion:
    """Add or change a line of a desk's scorecard (retired, never removed: reviews keep
    their ratings)."""
    try:
        criterion.full_clean()
    except ValidationError as error:
        raise Invalid(
            "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
        ) from None
    created = criterion.pk is None
    criterion.save()
    audit(actor=by, action="criterion.add" if created else "criterion.change", target=criterion,
          scale=criterion.scale, weight=criterion.weight, active=criterion.active)  # fmt: skip
    return criterion


def settings_of(desk: Desk) -> QualitySettings:
    return QualitySettings.objects.filter(desk=desk).first() or QualitySettings(desk=desk)


@transaction.atomic
def save_settings(*, desk: Desk, sample_per_week: int, by: User | None) -> QualitySettings:
    if not 0 <= sample_per_week <= 50:
        raise Invalid("sample_per_week: between 0 and 50")
    found = settings_of(desk)
    found.sample_per_week = sample_per_week
    found.save()
    audit(actor=by, action="quality.settings", target=desk, sample_per_week=sample_per_week)
    return found


# Drawing the week's sample


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _resolved_in(desk: Desk, week: date) -> QuerySet[Conversation]:
    first = start_of_day(week)
    return Conversation.objects.filter(
        desk=desk,
        status__in=(Status.RESOLVED, Status.CLOSED),
        resolved_at__gte=first,
        resolved_at__lt=first + timedelta(days=7),
    )


@transaction.atomic
def draw(*, desk: Desk, week: date, chance: random.Random | None = None) -> list[Review]:
    """The week's reviews of the desk's agents: every conversation resolved that week with a
    low survey score or a complaint, and as many drawn at random per agent as the desk asks
    (topping up what was drawn before: drawing again adds nothing). The new reviews."""
    week = monday_of(week)
    chance = chance or random.SystemRandom()
    resolved = list(_resolved_in(desk, week).order_by("pk"))
    by_agent: dict[int, list[Conversation]] = {}
    for conversation in resolved:
        agent = agent_of(conversation)
        if agent is not None:
            by_agent.setdefault(agent, []).append(conversation)
    reviewed = set(
        Review.objects.filter(conversation__in=resolved).values_list("conversation", "agent")
    )
    made = []
    for agent, conversations in by_agent.items():
        for conversation in conversations:
            reason = _flagged(conversation)
            if reason and (conversation.pk, agent) not in reviewed:
                made += _review(desk, conversation, agent, reason, week)
                reviewed.add((conversation.pk, agent))
        drawn = Review.objects.filter(desk=desk, agent=agent, week=week, reason=ReviewReason.SAMPLE)
        wanted = settings_of(desk).sample_per_week - drawn.count()
        left = [c for c in conversations if (c.pk, agent) not in reviewed]
        for conversation in chance.sample(left, min(max(wanted, 0), len(left))):
            made += _review(desk, conversation, agent, ReviewReason.SAMPLE, week)
    return made


def _flagged(conversation: Conversation) -> str:
    low = survey_settings_of(conversation.desk).alert_score
    if Survey.objects.filter(
        conversation=conversation, score__isnull=False, score__lte=low
    ).exists():
        return ReviewReason.LOW_SCORE
    if Complaint.objects.filter(conversation=conversation).exists():
        return ReviewReason.COMPLAINT
    return ""


def _review(
    desk: Desk, conversation: Conversation, agent: int, reason: str, week: date
) -> list[Review]:
    try:
        with transaction.atomic():
            made = Review.objects.create(desk=desk, conversation=conversation, agent_id=agent,
                                         reason=reason, week=week)  # fmt: skip
    except IntegrityError:  # drawn at this very moment by another pass
        return []
    audit(actor=None, action="review.draw", target=conversation, review=made.pk, reason=reason)
    return [made]


def draw_due(*, today: date | None = None) -> int:
    """Every desk's reviews of last week and of this week so far; how many were made."""
    today = today or timezone.localdate()
    made = 0
    for desk in Desk.objects.all():
        made += len(draw(desk=desk, week=today - timedelta(days=7)))
        made += len(draw(desk=desk, week=today))
    return made


# Scoring and acknowledging


def weighted(ratings: Iterable[tuple[Criterion, int]]) -> float | None:
    """The ratings on a scale of 0 to 1, weighted, as a percentage (None: nothing rated)."""
    total = weights = 0.0
    for criterion, value in ratings:
        share = float(value) if criterion.scale == Scale.YES_NO else (value - 1) / 4
        total += share * criterion.weight
        weights += criterion.weight
    return round(100 * total / weights, 1) if weights else None


def _check(criterion: Criterion, value: Any) -> int:
    allowed = (0, 1) if criterion.scale == Scale.YES_NO else (1, 2, 3, 4, 5)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        scale = "0 (no) or 1 (yes)" if criterion.scale == Scale.YES_NO else "1 to 5"
        raise Invalid(f"{criterion.slug}: {scale}")
    return value


@transaction.atomic
def score(*, review: Review, ratings: dict[str, Any], feedback: str, by: User) -> Review:
    """Rate every criterion of the desk's scorecard and write the feedback; the agent is
    told. Again while the agent has not acknowledged it; never one's own work."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state == ReviewState.ACKNOWLEDGED:
        raise Conflict("the agent has acknowledged this review: it stands as it is")
    if review.agent_id == by.pk:
        raise Forbidden("no one reviews their own work")
    card = scorecard(review.desk)
    unknown = set(ratings) - {c.slug for c in card}
    if unknown:
        raise Invalid(f"not on the desk's scorecard: {', '.join(sorted(unknown))}")
    missing = [c.slug for c in card if ratings.get(c.slug) is None]
    if missing:
        raise Invalid(f"rate every criterion: {', '.join(missing)} missing")
    feedback = feedback.strip()
    if len(feedback) > MAX_FEEDBACK:
        raise Invalid(f"feedback: at most {MAX_FEEDBACK} characters")
    rated = [(c, _check(c, ratings[c.slug])) for c in card]
    review.ratings.all().delete()
    Rating.objects.bulk_create(Rating(review=review, criterion=c, value=v) for c, v in rated)
    first = review.reviewed_at is None
    review.score, review.feedback, review.reviewer = weighted(rated), feedback, by
    review.state, review.reviewed_at = ReviewState.REVIEWED, timezone.now()
    review.save()
    audit(actor=by, action="review.score", target=review.conversation, review=review.pk,
          score=review.score)  # fmt: skip
    if first:
        notify(User.objects.filter(pk=review.agent_id), kind=NotificationKind.REVIEW,
               conversation=review.conversation, actor=by)  # fmt: skip
    return review


@transaction.atomic
def acknowledge(*, review: Review, by: User) -> Review:
    """The agent has read the review's feedback."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.agent_id != by.pk:
        raise Forbidden("only the agent reviewed acknowledges a review")
    if review.state != ReviewState.REVIEWED:
        raise Conflict("there is nothing to acknowledge yet: the review is not scored")
    review.state, review.acknowledged_at = ReviewState.ACKNOWLEDGED, timezone.now()
    review.save(update_fields=["state", "acknowledged_at"])
    audit(actor=by, action="review.acknowledge", target=review.conversation, review=review.pk)
    return review


# Scores over time


@dataclass(frozen=True)
class Line:
    """One agent's scores over a period: the average review score and the average of each
    criterion (as a percentage of its scale), with how many reviews they come from."""

    agent: str
    reviews: int
    score: float | None
    by_criterion: dict[str, float | None]
    by_week: dict[date, float | None]


def scores(reviews: QuerySet[Review], criteria: list[Criterion]) -> list[Line]:
    """Scored reviews' figures per agent: overall, per criterion and per week."""
    scored = reviews.filter(score__isnull=False).select_related("agent")
    ratings = Rating.objects.filter(review__in=scored).values_list(
        "review__agent__username", "criterion_id", "value"
    )
    kinds = {c.pk: c for c in criteria}
    per: dict[str, dict[str, list[float]]] = {}
    for agent, criterion_id, value in ratings:
        criterion = kinds.get(criterion_id)
        if criterion is not None:
            share = float(value) if criterion.scale == Scale.YES_NO else (value - 1) / 4
            per.setdefault(agent, {}).setdefault(criterion.slug, []).append(share)
    lines: dict[str, dict[str, Any]] = {}
    for review in scored:
        line = lines.setdefault(review.agent.get_username(), {"all": [], "weeks": {}})
        line["all"].append(review.score)
        line["weeks"].setdefault(review.week, []).append(review.score)
    return [
        Line(
            agent=agent,
            reviews=len(found["all"]),
            score=_mean(found["all"]),
            by_criterion={
                c.slug: _mean([100 * s for s in per.get(agent, {}).get(c.slug, [])])
                for c in criteria
            },
            by_week={week: _mean(values) for week, values in sorted(found["weeks"].items())},
        )
        for agent, found in sorted(lines.items())
    ]


def _mean(values: list[Any]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def reviews_between(reviews: QuerySet[Review], first: date | None, last: date | None) -> Any:
    """The reviews of the weeks from `first` to `last` (either end open)."""
    if first and last and first > last:
        raise Invalid("from must not be after to")
    if first:
        reviews = reviews.filter(week__gte=monday_of(first))
    if last:
        reviews = reviews.filter(week__lte=last)
    return reviews


def visible_to(user: Any, desks: QuerySet[Desk]) -> QuerySet[Review]:
    """Supervisors see the reviews of their desks; everyone else their own."""
    found = Review.objects.filter(desk__in=desks)
    if user.has_perm("accountability.change_review"):
        return found
    return found.filter(Q(agent=user))
