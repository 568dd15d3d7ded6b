"""Quality reviews: the week's sample (drawn at random per agent, plus every conversation
with a low survey score or a complaint), the scorecard's weighted score, feedback that the
agent acknowledges, and scores by agent and criterion over time; in the console."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from ventanilla.accountability import reviews
from ventanilla.accountability.models import Criterion, Review, Survey
from ventanilla.accountability.services import file_complaint
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.lib.errors import Conflict, Forbidden, Invalid
from ventanilla.teamwork.models import Notification

MONDAY = date(2026, 11, 16)
TUESDAY = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
FEEDBACK = "Confirme la cita antes de cerrar."


@pytest.fixture
def week(desk, webchat, make_staff, make_inbound):
    """Lucia resolved four conversations that week, Omar two (one with a survey scored 1,
    one in the complaints register); one more of Lucia's was resolved the week after."""
    lucia, omar = make_staff("agent", "lucia"), make_staff("agent", "omar")
    made = []
    plan = [lucia] * 4 + [omar] * 2 + [lucia]
    for n, agent in enumerate(plan):
        moment = TUESDAY + timedelta(days=7 if n == 6 else 0, hours=n)
        with time_machine.travel(moment, tick=False):
            inbound = make_inbound(address=f"visitor-{n}", scheme="webchat", provider_id=f"w{n}")
            conversation = receive(channel=webchat, inbound=inbound).message.conversation
            services.assign(conversation=conversation, assignee=agent, by=agent)
            services.reply(conversation=conversation, text="Respuesta", by=agent)
            services.resolve(conversation=conversation, by=agent, outcome="answered")
            made.append(conversation)
    Survey.objects.create(desk=desk, conversation=made[4], contact=made[4].contact,
                          channel=webchat, state="done", score=1)  # fmt: skip
    file_complaint(conversation=made[5], source="staff", by=omar)
    reviews.save_settings(desk=desk, sample_per_week=2, by=None)
    return lucia, omar, made


def test_the_weeks_sample_and_every_flagged_conversation(desk, week):
    lucia, omar, made = week
    drawn = reviews.draw(desk=desk, week=MONDAY + timedelta(days=3), chance=random.Random(7))
    by_agent = {(r.agent.username, r.reason) for r in drawn}
    assert sorted(r.reason for r in drawn if r.agent == omar) == ["complaint", "low-score"]
    assert sum(1 for r in drawn if r.agent == lucia) == 2 and by_agent >= {("lucia", "sample")}
    assert {r.conversation for r in drawn if r.agent == lucia} <= set(made[:4])
    assert all(r.week == MONDAY for r in drawn)
    assert reviews.draw(desk=desk, week=MONDAY) == []  # drawing again adds nothing
    next_week = reviews.draw(desk=desk, week=MONDAY + timedelta(days=7))
    assert [r.conversation for r in next_week] == [made[6]]


def test_a_review_is_scored_on_the_weighted_scorecard_and_acknowledged(desk, week, supervisor):
    review = reviews.draw(desk=desk, week=MONDAY, chance=random.Random(1))[0]
    ratings = {"correct": 5, "empathy": 3, "language": 1, "procedure": 0}
    scored = reviews.score(review=review, ratings=ratings, feedback="Bien.", by=supervisor)
    # (1 x 3 + .5 x 2 + 1 x 1 + 0 x 2) / (3 + 2 + 1 + 2) = 5 / 8
    assert scored.score == 62.5 and scored.state == "reviewed"
    told = Notification.objects.get(kind="review")
    assert told.recipient == review.agent and told.conversation == review.conversation
    better = {**ratings, "procedure": 1}
    rescored = reviews.score(review=review, ratings=better, feedback="Bien.", by=supervisor)
    assert rescored.score == 87.5 and Notification.objects.filter(kind="review").count() == 1
    with pytest.raises(Forbidden):
        reviews.acknowledge(review=review, by=supervisor)  # only the agent reviewed
    reviews.acknowledge(review=review, by=review.agent)
    with pytest.raises(Conflict):
        reviews.score(review=review, ratings=ratings, feedback="", by=supervisor)
    review.refresh_from_db()
    assert review.score == 87.5 and review.acknowledged_at is not None


@pytest.mark.parametrize(
    ("ratings", "reason"),
    [
        ({"correct": 5, "empathy": 3, "language": 1}, "procedure missing"),
        ({"correct": 6, "empathy": 3, "language": 1, "procedure": 0}, "correct: 1 to 5"),
        ({"correct": 5, "empathy": 3, "language": 2, "procedure": 0}, "language: 0 (no) or 1"),
        ({"correct": 5, "empathy": 3, "language": 1, "procedure": 0, "x": 1}, "scorecard: x"),
    ],
)
def test_an_incomplete_or_wrong_scorecard_is_refused(desk, week, supervisor, ratings, reason):
    review = reviews.draw(desk=desk, week=MONDAY)[0]
    with pytest.raises(Invalid, match=re.escape(reason)):
        reviews.score(review=review, ratings=ratings, feedback="", by=supervisor)
    review.refresh_from_db()
    assert review.state == "to-review" and not review.ratings.exists()


def test_no_one_reviews_their_own_work(desk, week, make_staff):
    review = reviews.draw(desk=desk, week=MONDAY)[0]
    review.agent.groups.add(*make_staff("supervisor", "jefa").groups.all())
    with pytest.raises(Forbidden):
        reviews.score(review=review, ratings={}, feedback="", by=review.agent)


def test_scores_by_agent_criterion_and_week(desk, week, supervisor):
    drawn = reviews.draw(desk=desk, week=MONDAY, chance=random.Random(3))
    values = [
        {"correct": 5, "empathy": 5, "language": 1, "procedure": 1},  # 100
        {"correct": 3, "empathy": 1, "language": 0, "procedure": 1},
    ]  # (1.5 + 2) / 8
    lucias = [r for r in drawn if r.agent.username == "lucia"]
    for review, ratings in zip(lucias, values, strict=True):
        reviews.score(review=review, ratings=ratings, feedback="", by=supervisor)
    lines = reviews.scores(Review.objects.filter(desk=desk), reviews.scorecard(desk))
    (lucia,) = lines  # omar's reviews are not scored yet
    assert lucia.reviews == 2 and lucia.score == round((100 + 43.75) / 2, 1)
    assert lucia.by_criterion == {"correct": 75.0, "empathy": 50.0, "language": 50.0,
                                  "procedure": 100.0}  # fmt: skip
    assert lucia.by_week == {MONDAY: 71.9}


def test_a_new_desk_starts_with_the_scorecard_in_every_language(desk):
    card = reviews.scorecard(desk)
    assert [c.slug for c in card] == ["correct", "empathy", "language", "procedure"]
    for criterion in Criterion.objects.filter(desk=desk):
        assert set(criterion.names) == {"en", "es", "fr", "ar", "nl", "it", "de", "zgh"}


# In the console


def test_a_supervisor_reviews_in_the_console_and_the_agent_acknowledges(
    client, desk, week, supervisor
):
    client.force_login(supervisor)
    with time_machine.travel(TUESDAY + timedelta(days=7)):  # last week's and this week's
        drawn = client.post("/console/reviews/draw/", follow=True).content.decode()
    assert "New reviews to do: 5." in drawn  # two of lucia's, two of omar's; the week after's
    client.force_login(supervisor)  # back from the trip in time: the session had expired
    review = Review.objects.filter(agent__username="omar", reason="low-score").get()
    listing = client.get("/console/reviews/")
    assert listing.status_code == 200, (listing.status_code, listing.get("Location"))
    listing = listing.content.decode()
    assert review.conversation.reference in listing and "A low survey score" in listing
    page = client.get(f"/console/reviews/{review.pk}/").content.decode()
    assert "Respuesta" in page and 'name="rating-correct"' in page  # the whole conversation
    refused = client.post(f"/console/reviews/{review.pk}/", {"rating-correct": "5"}, follow=True)
    assert "rate every criterion" in refused.content.decode()
    scorecard = {"rating-correct": "2", "rating-empathy": "4", "rating-language": "1",
                 "rating-procedure": "0", "feedback": FEEDBACK}  # fmt: skip
    saved = client.post(f"/console/reviews/{review.pk}/", scorecard, follow=True)
    assert "The review is saved" in saved.content.decode()
    review.refresh_from_db()
    assert review.score == 40.6  # (.25 x 3 + .75 x 2 + 1 + 0) / 8 = 3.25 / 8

    client.force_login(review.agent)
    mine = client.get("/console/reviews/").content.decode()
    assert review.conversation.reference in mine
    assert Review.objects.exclude(agent=review.agent).first().conversation.reference not in mine
    shown = client.get(f"/console/reviews/{review.pk}/").content.decode()
    assert FEEDBACK in shown and "41 %" in shown
    assert 'name="rating-correct"' not in shown  # the agent reads, never scores
    client.post(f"/console/reviews/{review.pk}/acknowledge/")
    review.refresh_from_db()
    assert review.state == "acknowledged"
    other = Review.objects.exclude(agent=review.agent).first()
    assert client.get(f"/console/reviews/{other.pk}/").status_code == 404
    assert client.get("/console/reviews/scores/").status_code == 403


def test_the_scores_page_reads_by_agent_and_criterion(client, desk, week, supervisor):
    review = reviews.draw(desk=desk, week=MONDAY)[0]
    ratings = {"correct": 5, "empathy": 5, "language": 1, "procedure": 1}
    reviews.score(review=review, ratings=ratings, feedback="", by=supervisor)
    client.force_login(supervisor)
    page = client.get("/console/reviews/scores/", {"first": "2026-11-01", "last": "2026-11-30"})
    text = page.content.decode()
    assert review.agent.username in text and "100 %" in text and "Empathy and respect" in text
