"""Satisfaction surveys end to end through the real entry points: WhatsApp's webhook (fake
Graph API) inside the 24-hour window and by template outside it, SMS (fake Twilio) and the
web chat; the rules that keep them from being a nuisance; what they add up to."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from fakes.graph import contact, envelope, message
from fakes.twilio import inbound_sms
from ventanilla.accountability import surveys
from ventanilla.accountability.models import Survey, SurveyState
from ventanilla.accountability.tasks import ask_for_surveys
from ventanilla.contacts.services import record_consent
from ventanilla.conversations import services
from ventanilla.conversations.models import Conversation, Priority, Status
from ventanilla.teamwork.models import Notification

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the desk is open: no closed notice
SENDER = "447700900123"


@pytest.fixture(autouse=True)
def asking(desk):
    desk.languages = ["es", "en", "ar"]
    desk.save()
    return surveys.save_settings(
        desk=desk, changes={"enabled": True, "template": "encuesta_satisfaccion"}, by=None
    )


def at(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def wa(post_whatsapp):
    """The person writes on WhatsApp at a moment: text, a tap on a list row or a button, or
    a tap on a template's quick-reply button."""

    def send(moment, text="", *, row="", button="", template_button="", sender=SENDER):
        wamid = f"wamid.SRV{next(_ids):04d}"
        if row or button:
            kind, reply = ("list_reply", row) if row else ("button_reply", button)
            item = message(wamid, "interactive", {"type": kind, kind: {"id": reply, "title": "x"}},
                           sender=sender)  # fmt: skip
        elif template_button:
            body = {"payload": template_button, "text": template_button}
            item = message(wamid, "button", body, sender=sender)
        else:
            item = message(wamid, "text", {"body": text}, sender=sender)
        item["timestamp"] = str(int(moment.timestamp()))
        with at(moment):
            response = post_whatsapp(envelope(messages=[item], contacts=[contact(wa_id=sender)]))
        assert response.status_code == 200

    return send


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What a block does, committed: its messages go out (to the fake provider)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def resolved_by(committed):
    def resolve(agent, moment, *, reply=True, **changes):
        """The agent answers the latest conversation (if `reply`) and resolves it at
        `moment`."""
        conversation = Conversation.objects.order_by("-created_at", "-id").first()
        with at(moment), committed():
            if changes:
                Conversation.objects.filter(pk=conversation.pk).update(**changes)
                conversation.refresh_from_db()
            services.assign(conversation=conversation, assignee=agent, by=agent)
            if reply:
                services.reply(conversation=conversation, text="Su cita es el lunes.", by=agent)
            services.resolve(conversation=conversation, by=agent, outcome="answered")
        return conversation

    return resolve


@pytest.fixture
def sweep(committed):
    def run(moment):
        with at(moment), committed():
            ask_for_surveys()

    return run


def last_sent(graph) -> dict[str, Any]:
    return graph.sent[-1]


def test_a_survey_on_whatsapp_inside_the_window_asks_with_a_list_and_buttons(
    wa, graph, agent, supervisor, desk, resolved_by, sweep
):
    wa(TUESDAY, "Hola, quiero pedir cita para el pasaporte")
    conversation = resolved_by(agent, TUESDAY + timedelta(minutes=5))
    sweep(TUESDAY + timedelta(minutes=6))  # two minutes after the resolution: not yet
    assert not Survey.objects.exists()
    sweep(TUESDAY + timedelta(minutes=8))
    survey = Survey.objects.get()
    assert (survey.state, survey.agent, survey.language) == ("score", agent, "es")
    asked = last_sent(graph)["interactive"]
    assert asked["type"] == "list" and "satisfecho" in asked["body"]["text"].lower()
    rows = asked["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [
        *(f"survey.score.{n}" for n in range(1, 6)),
        "survey.stop",
    ]

    wa(TUESDAY + timedelta(minutes=9), row="survey.score.4")
    asked = last_sent(graph)["interactive"]
    assert asked["type"] == "button"
    assert [b["reply"]["id"] for b in asked["action"]["buttons"]] == [
        "survey.solved.yes",
        "survey.solved.no",
    ]
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED  # answering does not take it up again
    assert conversation.waiting_since is None and conversation.outcome == "answered"

    wa(TUESDAY + timedelta(minutes=10), button="survey.solved.yes")
    assert last_sent(graph)["interactive"]["action"]["buttons"][0]["reply"]["id"] == (
        "survey.comment.none"
    )
    assert not Notification.objects.filter(kind="survey").exists()  # 4 is not a low score
    wa(TUESDAY + timedelta(minutes=11), "La persona que me atendió fue muy amable")
    assert "gracias" in last_sent(graph)["text"]["body"].lower()
    survey.refresh_from_db()
    assert (survey.state, survey.score, survey.solved) == ("done", 4, True)
    assert survey.comment == "La persona que me atendió fue muy amable" and survey.has_comment
    assert Notification.objects.get(kind="survey").recipient == supervisor  # a comment is told
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert conversation.messages.filter(direction="out", author__isnull=True).count() == 4


def test_outside_the_window_a_template_invites_and_the_questions_follow(
    wa, graph, agent, resolved_by, sweep
):
    wa(TUESDAY, "Hola, ¿mi solicitud de visado?")
    resolved_by(agent, TUESDAY + timedelta(hours=25), reply=False)  # the person wrote 25 hours ago
    sweep(TUESDAY + timedelta(hours=25, minutes=3))
    sent = last_sent(graph)
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "encuesta_satisfaccion"
    assert sent["template"]["language"]["code"] == "es"
    assert Survey.objects.get().state == SurveyState.INVITED
    wa(TUESDAY + timedelta(hours=26), template_button="Responder")
    assert last_sent(graph)["interactive"]["type"] == "list"  # the window is open now
    wa(TUESDAY + timedelta(hours=26, minutes=1), "2")  # the score written as a digit
    wa(TUESDAY + timedelta(hours=26, minutes=2), "no")
    wa(TUESDAY + timedelta(hours=26, minutes=3), button="survey.comment.none")
    survey = Survey.objects.get()
    assert (survey.state, survey.score, survey.solved, survey.comment) == ("done", 2, False, "")


def test_a_template_invitation_answered_with_a_score_needs_no_list(
    wa, graph, agent, resolved_by, sweep
):
    wa(TUESDAY, "Hola")
    resolved_by(agent, TUESDAY + timedelta(days=2), reply=False)
    sweep(TUESDAY + timedelta(days=2, minutes=3))
    wa(TUESDAY + timedelta(days=2, hours=1), template_button="5")
    survey = Survey.objects.get()
    assert (survey.state, survey.score) == ("solved", 5)
    assert last_sent(graph)["interactive"]["type"] == "button"  # "was it solved?"


def test_without_a_template_no_one_is_asked_outside_the_window(
    wa, graph, agent, desk, resolved_by, sweep
):
    surveys.save_settings(desk=desk, changes={"template": ""}, by=None)
    wa(TUESDAY, "Hola")
    resolved_by(agent, TUESDAY + timedelta(hours=30), reply=False)
    sent = len(graph.sent)
    sweep(TUESDAY + timedelta(hours=30, minutes=3))
    assert len(graph.sent) == sent
    assert Survey.objects.get().skipped == "window"


def test_a_new_question_sets_the_survey_aside_and_is_answered_as_usual(
    wa, graph, agent, resolved_by, sweep
):
    wa(TUESDAY, "Hola")
    conversation = resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    wa(TUESDAY + timedelta(minutes=5), "Otra pregunta: ¿cuánto cuesta el pasaporte?")
    assert Survey.objects.get().state == SurveyState.EXPIRED
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN  # taken up again, as any message does


def test_do_not_ask_me_again_is_kept_as_the_persons_refusal(wa, graph, agent, resolved_by, sweep):
    wa(TUESDAY, "Hola")
    resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    wa(TUESDAY + timedelta(minutes=5), row="survey.stop")
    assert Survey.objects.get().state == SurveyState.DECLINED
    assert "no volveremos" in last_sent(graph)["text"]["body"].lower()
    wa(TUESDAY + timedelta(days=60), "Hola otra vez")  # long after the desk's period
    resolved_by(agent, TUESDAY + timedelta(days=60, minutes=1))
    sweep(TUESDAY + timedelta(days=60, minutes=4))
    assert Survey.objects.order_by("-id").first().skipped == "declined"


def test_at_most_one_survey_per_person_per_period(wa, graph, agent, desk, resolved_by, sweep):
    surveys.save_settings(desk=desk, changes={"period_days": 30}, by=None)
    wa(TUESDAY, "Hola")
    resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    wa(TUESDAY + timedelta(days=3), "Hola de nuevo")  # sets the first survey aside
    resolved_by(agent, TUESDAY + timedelta(days=3, minutes=1))
    sweep(TUESDAY + timedelta(days=3, minutes=4))
    assert Survey.objects.order_by("-id").first().skipped == "recent"
    wa(TUESDAY + timedelta(days=31), "Hola, un mes después")
    resolved_by(agent, TUESDAY + timedelta(days=31, minutes=1))
    sweep(TUESDAY + timedelta(days=31, minutes=4))
    assert Survey.objects.order_by("-id").first().state == SurveyState.SCORE
    assert Survey.objects.exclude(state="skipped").count() == 2


def test_never_after_a_protection_case_or_to_someone_who_declined_follow_up(
    wa, graph, agent, desk, resolved_by, sweep
):
    wa(TUESDAY, "Hola", sender="447700900501")
    resolved_by(agent, TUESDAY + timedelta(minutes=1), priority=Priority.URGENT)
    wa(TUESDAY, "Hola", sender="447700900502")
    conversation = resolved_by(agent, TUESDAY + timedelta(minutes=1), restricted=True)
    wa(TUESDAY, "Hola", sender="447700900503")
    third = resolved_by(agent, TUESDAY + timedelta(minutes=1))
    record_consent(contact=third.contact, purpose="follow-up", given=False, source="phone",
                   by=agent)  # fmt: skip
    sent = len(graph.sent)
    sweep(TUESDAY + timedelta(minutes=4))
    assert sorted(Survey.objects.values_list("skipped", flat=True)) == [
        "declined",
        "protection",
        "protection",
    ]
    assert len(graph.sent) == sent and conversation.pk


def test_an_unanswered_survey_expires_without_a_word(wa, graph, agent, desk, resolved_by, sweep):
    surveys.save_settings(desk=desk, changes={"expire_hours": 12}, by=None)
    wa(TUESDAY, "Hola")
    conversation = resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    sent = len(graph.sent)
    sweep(TUESDAY + timedelta(hours=13))
    assert Survey.objects.get().state == SurveyState.EXPIRED and len(graph.sent) == sent
    wa(TUESDAY + timedelta(hours=14), "4")  # too late: an ordinary message
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and Survey.objects.get().score is None


def test_a_low_score_is_told_to_the_supervisors(wa, graph, agent, supervisor, resolved_by, sweep):
    wa(TUESDAY, "Hola")
    resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    wa(TUESDAY + timedelta(minutes=5), row="survey.score.1")
    told = Notification.objects.get(kind="survey")
    assert told.recipient == supervisor and told.conversation.contact.pk


def test_an_sms_survey_is_answered_with_digits(post_twilio, sms, twilio, agent, resolved_by, sweep):
    def text(moment, body):
        sid = f"SM{next(_ids):032d}"
        with at(moment):
            response = post_twilio(sms.webhook_path, inbound_sms(sid, "+34600100200", body))
        assert response.status_code == 200

    text(TUESDAY, "Hola, necesito información sobre el registro consular")
    resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    asked = twilio.sent[-1]["Body"][-1]
    assert "1. Muy insatisfecho" in asked and "5. Muy satisfecho" in asked
    assert "6. No me lo vuelvas a preguntar" in asked
    text(TUESDAY + timedelta(minutes=5), "5")
    assert "1. Sí" in twilio.sent[-1]["Body"][-1]
    text(TUESDAY + timedelta(minutes=6), "1")
    text(TUESDAY + timedelta(minutes=7), "Todo muy claro, gracias")
    survey = Survey.objects.get()
    assert (survey.score, survey.solved, survey.state) == (5, True, "done")
    assert survey.channel == sms and survey.comment == "Todo muy claro, gracias"


def test_a_web_chat_survey_is_answered_with_its_buttons(
    client, webchat, agent, resolved_by, sweep, committed
):
    token = client.post(f"/webchat/{webchat.pk}/session").json()["token"]

    def write(moment, text, choice=None):
        body = {"text": text, "client_id": f"chat-{next(_ids):06d}", "language": "en"}
        if choice:
            body["choice"] = {"id": choice, "title": text}
        with at(moment), committed():
            response = client.post(f"/webchat/{webchat.pk}/messages", json.dumps(body),
                                   content_type="application/json",
                                   headers={"X-Visitor-Token": token})  # fmt: skip
        assert response.status_code == 201, response.content

    def shown():
        return client.get(f"/webchat/{webchat.pk}/messages", headers={"X-Visitor-Token": token})

    write(TUESDAY, "Hello, how do I renew my passport?")
    resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    last = shown().json()["messages"][-1]
    assert [c["id"] for c in last["choices"]][:5] == [f"survey.score.{n}" for n in range(1, 6)]
    assert last["choices"][4]["title"] == "Very satisfied"
    write(TUESDAY + timedelta(minutes=5), "Satisfied", choice="survey.score.4")
    write(TUESDAY + timedelta(minutes=6), "No", choice="survey.solved.no")
    write(TUESDAY + timedelta(minutes=7), "No comment", choice="survey.comment.none")
    survey = Survey.objects.get()
    assert (survey.score, survey.solved, survey.state) == (4, False, "done")
    assert "Thank you for your answers" in shown().json()["messages"][-1]["text"]


def test_a_comment_goes_with_the_rest_of_what_the_person_wrote(
    wa, graph, agent, resolved_by, sweep
):
    from ventanilla.conversations.retention import remove_content

    wa(TUESDAY, "Hola")
    conversation = resolved_by(agent, TUESDAY + timedelta(minutes=1))
    sweep(TUESDAY + timedelta(minutes=4))
    wa(TUESDAY + timedelta(minutes=5), row="survey.score.2")
    wa(TUESDAY + timedelta(minutes=6), button="survey.solved.no")
    wa(TUESDAY + timedelta(minutes=7), "Nadie me explicó los plazos")
    remove_content([conversation.pk])  # retention, or the person's erasure
    survey = Survey.objects.get()
    assert survey.comment == "" and survey.has_comment  # the figures stay
    assert (survey.score, survey.solved) == (2, False)
