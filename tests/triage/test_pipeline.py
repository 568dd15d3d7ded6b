"""Triage: the ordered steps and their typed decisions, run exactly once per message, resumed
when a task was lost, and undone as a whole when a step fails."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.desks.models import Desk
from ventanilla.knowledge.bot import Step
from ventanilla.triage import pipeline
from ventanilla.triage.decisions import (
    ClosedNotice,
    Ignored,
    LanguageDecided,
    Passed,
    Routed,
    StatusAnswered,
    WaitingForPerson,
)
from ventanilla.triage.tasks import resume_triage, triage_message

WEEKDAYS = {day: [["09:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SATURDAY_NOON = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)


@pytest.fixture
def closed(desk):
    """A Saturday at a desk open on weekdays only."""
    Desk.objects.filter(pk=desk.pk).update(hours=WEEKDAYS, languages=["es", "en", "ar"])
    with time_machine.travel(SATURDAY_NOON, tick=True):
        yield


@pytest.fixture
def arrive(whatsapp, make_inbound, django_capture_on_commit_callbacks):
    """A person's message stored as the consumer stores it; `triage=False` loses its task."""

    def arrive(text="Hola, necesito renovar mi pasaporte urgente", *, triage=True, **fields):
        made = make_inbound(**{"scheme": "tel", "address": "+447700900301", "text": text, **fields})
        if not triage:
            return receive(channel=whatsapp, inbound=made).message
        with django_capture_on_commit_callbacks(execute=True):
            return receive(channel=whatsapp, inbound=made).message

    return arrive


def test_a_message_out_of_hours_goes_through_every_step_in_order(closed, arrive, graph):
    message = arrive(triage=False)
    decisions = pipeline.triage(message.pk)
    assert decisions == [
        Passed("calls"),
        LanguageDecided("es"),
        Passed("privacy notice"),  # off at this desk (tests/triage/test_privacy.py has it on)
        Passed("erasure"),
        Passed("survey"),
        Passed("referral"),
        Passed("protection report"),
        Passed("status"),
        Passed("complaints"),
        Passed("services"),  # the bot is off at this desk, and so are its offers
        Passed("bot"),
        Routed(team_id=None, assignee_id=None, interpretation=True, notified=0),  # nobody speaks es
        ClosedNotice(sent=True),
    ]
    message.refresh_from_db()
    assert message.triaged_at is not None
    conversation = Conversation.objects.get()
    assert conversation.language == "es" and conversation.routed_at is not None


def test_a_message_is_triaged_once_however_often_its_task_runs(closed, arrive, graph):
    message = arrive()
    assert len(graph.sent) == 1  # the out-of-hours notice
    triage_message(message.pk)
    assert pipeline.triage(message.pk) == []
    assert len(graph.sent) == 1
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


def test_a_lost_task_is_resumed_by_the_sweeper(
    closed, arrive, graph, django_capture_on_commit_callbacks
):
    message = arrive(triage=False)  # stored; the queue lost its task (a Redis emptied, say)
    assert graph.sent == []
    assert pipeline.untriaged() == []  # not yet: its task may still be on its way
    Message.objects.filter(pk=message.pk).update(
        created_at=message.created_at - pipeline.RESUME_AFTER - timedelta(seconds=1)
    )
    assert pipeline.untriaged() == [message.pk]
    with django_capture_on_commit_callbacks(execute=True):
        resume_triage()
    assert len(graph.sent) == 1 and pipeline.untriaged() == []


def test_a_failing_step_undoes_the_whole_triage_and_is_tried_again(
    closed, arrive, graph, monkeypatch, django_capture_on_commit_callbacks
):
    message = arrive(triage=False)

    def breaks(triage):
        raise RuntimeError("a fault after the notice was queued")

    monkeypatch.setattr(pipeline, "STEPS", [*pipeline.STEPS, breaks])  # a fault injected
    with django_capture_on_commit_callbacks(execute=True):
        triage_message(message.pk)
    message.refresh_from_db()
    assert message.triaged_at is None and message.triage_attempts == 1
    assert not Message.objects.filter(direction=Direction.OUT).exists()  # the notice undone
    assert graph.sent == [] and Conversation.objects.get().routed_at is None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        triage_message(message.pk)
    assert len(graph.sent) == 1


def test_a_message_that_always_fails_is_given_up_and_left_to_people(closed, arrive, monkeypatch):
    message = arrive(triage=False)
    monkeypatch.setattr(pipeline, "STEPS", [lambda triage: 1 / 0])
    for _ in range(pipeline.GIVE_UP_AFTER):
        triage_message(message.pk)
    message.refresh_from_db()
    assert message.triaged_at is not None and message.triage_attempts == pipeline.GIVE_UP_AFTER
    assert pipeline.untriaged(older_than=timedelta(0)) == []


def test_calls_are_left_to_the_phone_line(arrive):
    message = arrive(triage=False, kind="call", text="")
    assert pipeline.triage(message.pk) == [Ignored("call")]


def test_an_application_status_question_stops_at_the_status_step(closed, arrive, desk):
    from ventanilla.helpcentre.applications import Row, import_applications

    row = (
        "ES-2026-000123",
        "Pasaporte",
        "ready-for-collection",
        "2026-03-02",
        "Rabat",
        "1990-03-12",
    )
    import_applications(desk=desk, rows=[Row("line 2", *row)], by=None)
    message = arrive("¿Cómo va mi solicitud?", triage=False)
    decisions = pipeline.triage(message.pk)
    assert decisions[-1] == StatusAnswered() and len(decisions) == 8


def test_the_bot_keeping_a_conversation_waits_for_the_person(closed, arrive, desk):
    from ventanilla.knowledge.models import BotSettings

    BotSettings.objects.create(desk=desk, enabled=True)
    message = arrive("hola", triage=False)
    decisions = pipeline.triage(message.pk)
    assert decisions[-1] == WaitingForPerson(Step.WELCOMED)
    assert Conversation.objects.get().routed_at is None  # nobody needed yet


def test_the_language_is_decided_in_one_place_even_for_a_greeting(closed, arrive):
    message = arrive("salam", triage=False)
    assert pipeline.triage(message.pk)[1] == LanguageDecided("ary")
    other = arrive("مرحبا أريد تجديد جواز سفري من فضلكم", triage=False, address="+447700900399")
    assert pipeline.triage(other.pk)[1] == LanguageDecided("ar")
