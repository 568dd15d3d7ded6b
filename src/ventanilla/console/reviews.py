"""Quality reviews in the console: supervisors work through the week's sample on one page per
review (the whole conversation, its notes and call recordings, the scorecard, feedback) and
read the scores by agent, criterion and week; agents read their reviews and acknowledge them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.accountability import reviews
from ventanilla.accountability.models import Review, ReviewState
from ventanilla.console import forms as console_forms
from ventanilla.console.views import console_page, history_context
from ventanilla.conversations.access import conversation_for, histories_of
from ventanilla.conversations.translation import reads
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, ServiceError

SCORES_WEEKS = 12


@console_page
def queue(request: HttpRequest) -> HttpResponseBase:
    """Supervisors: the reviews of their desks, those to do first; agents: their own."""
    require(request.user, "accountability.view_review")
    user: Any = request.user
    supervising = user.has_perm("accountability.change_review")
    found = reviews.visible_to(user, desks_visible_to(user)).select_related(
        "conversation", "agent", "reviewer"
    )
    state = request.GET.get("state", ReviewState.TO_REVIEW if supervising else "")
    if state in ReviewState.values:
        found = found.filter(state=state)
    agent = request.GET.get("agent", "").strip()[:150]
    if agent and supervising:
        found = found.filter(agent__username=agent)
    page = Paginator(found.order_by("-week", "created_at", "id"), 50).get_page(
        request.GET.get("page")
    )
    shown = {
        "page": page,
        "state": state,
        "agent": agent,
        "states": ReviewState.choices,
        "supervising": supervising,
        "desks": desks_visible_to(user).order_by("name") if supervising else [],
    }
    return render(request, "console/reviews.html", shown)


def _review_for(request: HttpRequest, review_id: int) -> Review:
    user: Any = request.user
    found = (
        reviews.visible_to(user, desks_visible_to(user))
        .select_related("conversation", "agent", "reviewer", "desk")
        .filter(pk=review_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such review among yours."))
    return found


@console_page
def detail(request: HttpRequest, review_id: int) -> HttpResponseBase:
    """One review: the conversation as it happened, and the scorecard (to fill in, for a
    supervisor; to read and acknowledge, for the agent)."""
    require(request.user, "accountability.view_review")
    user: Any = request.user
    review = _review_for(request, review_id)
    supervising = user.has_perm("accountability.change_review") and review.agent_id != user.pk
    if request.method == "POST" and supervising:
        try:
            ratings, feedback = _posted_ratings(request, review)
            reviews.score(review=review, ratings=ratings, feedback=feedback, by=user)
            messages.success(request, _("The review is saved; the agent is told."))
            return HttpResponseRedirect(reverse("console:review", args=[review.pk]))
        except ServiceError as error:
            messages.error(request, error.detail)
    card = reviews.scorecard(review.desk)
    given = {rating.criterion_id: rating.value for rating in review.ratings.all()}
    shown: dict[str, Any] = {
        "review": review,
        "supervising": supervising,
        "lines": [(criterion, given.get(criterion.pk)) for criterion in card],
        "may_acknowledge": review.agent_id == user.pk and review.state == ReviewState.REVIEWED,
    }
    try:
        conversation = conversation_for(user, review.conversation_id)
    except NotFound:  # the agent no longer sees it (moved to another team): the feedback stays
        conversation = None
    if conversation is not None:
        entries = histories_of([conversation])[conversation.pk]
        shown.update(history_context(conversation, entries, reads(user, get_language())))
    return render(request, "console/review.html", shown)


def _posted_ratings(request: HttpRequest, review: Review) -> tuple[dict[str, Any], str]:
    ratings: dict[str, Any] = {}
    for criterion in reviews.scorecard(review.desk):
        raw = request.POST.get(f"rating-{criterion.slug}", "")
        if raw:
            if not raw.isdigit() or len(raw) > 1:
                raise Invalid(_("%(criterion)s: choose one of its values.")
                              % {"criterion": criterion.name_in(get_language())})  # fmt: skip
            ratings[criterion.slug] = int(raw)
    return ratings, request.POST.get("feedback", "")[: reviews.MAX_FEEDBACK + 1]


@require_POST
@console_page
def acknowledge(request: HttpRequest, review_id: int) -> HttpResponseBase:
    require(request.user, "accountability.view_review")
    review = _review_for(request, review_id)
    reviews.acknowledge(review=review, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Acknowledged: your supervisor sees that you have read it."))
    return HttpResponseRedirect(reverse("console:review", args=[review.pk]))


@require_POST
@console_page
def draw(request: HttpRequest) -> HttpResponseBase:
    """Draw now what the hourly pass would: last week's sample and this week's so far."""
    require(request.user, "accountability.change_review")
    today = timezone.localdate()
    made = 0
    for desk in desks_visible_to(request.user):
        made += len(reviews.draw(desk=desk, week=today - timedelta(days=7)))
        made += len(reviews.draw(desk=desk, week=today))
    messages.success(request, _("New reviews to do: %(count)s.") % {"count": made})
    return HttpResponseRedirect(reverse("console:reviews"))


@console_page
def scores(request: HttpRequest) -> HttpResponseBase:
    """Scores by agent and criterion over a period, and week by week."""
    require(request.user, "accountability.change_review")
    user: Any = request.user
    desks = desks_visible_to(user).order_by("name")
    today = timezone.localdate()
    given = request.GET.copy()
    given.setdefault("first", (today - timedelta(weeks=SCORES_WEEKS)).isoformat())
    given.setdefault("last", today.isoformat())
    form = console_forms.ReviewScoresForm(given)
    chosen = desks[0] if len(desks) == 1 else None
    lines: list[reviews.Line] = []
    problem = ""
    if form.is_valid():
        data = form.cleaned_data
        chosen = chosen or desks.filter(slug=data["desk"]).first()
        if chosen is None:
            problem = _("Choose a desk: each has its own scorecard.")
        else:
            try:
                found = reviews.reviews_between(
                    Review.objects.filter(desk=chosen), data["first"], data["last"]
                )
                lines = reviews.scores(found, reviews.scorecard(chosen))
            except Invalid as error:
                problem = error.detail
    else:
        problem = console_forms.form_errors(form)
    weeks = sorted({week for line in lines for week in line.by_week})
    shown = {
        "form": form,
        "desks": desks,
        "chosen": chosen,
        "criteria": reviews.scorecard(chosen) if chosen else [],
        "lines": lines,
        "weeks": weeks,
        "problem": problem,
    }
    return render(request, "console/review_scores.html", shown)
