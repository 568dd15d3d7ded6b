"""Ventanilla's own replies keep where their responder stands in typed fields, written with
the reply: the bot keeps its place however many messages follow, the status look-up its
question for a date of birth, and conversations under way before the change keep theirs."""

import importlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from fakes.graph import contact, envelope, message
from ventanilla.conversations import services
from ventanilla.conversations.automatic import state_of
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import AutomaticReplies, BotStep, Conversation, Message
from ventanilla.helpcentre.applications import import_applications, read_csv, reference_hash
from ventanilla.helpcentre.status_chat import WAITING, answer_in_conversation
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings
from ventanilla.knowledge.services import import_articles

MIGRATION = "ventanilla.conversations.migrations.0009_automatic_replies"
GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": "Pida cita en el consulado con el pasaporte anterior y una foto.",
                "questions": ["renovar pasaporte caducado"],
            }
        },
    },
    {
        "key": "birth-registration",
        "topic": "civil-registry",
        "translations": {
            "es": {
                "title": "Inscribir un nacimiento",
                "body": "Para inscribir a un hijo nacido en el extranjero pida cita y traiga el "
                "certificado de nacimiento del hospital.",
            }
        },
    },
    {
        "key": "consular-registration",
        "topic": "civil-registry",
        "translations": {
            "es": {
                "title": "Inscribirse en el registro de matrícula consular",
                "body": "Para inscribirse como residente pida cita con su documento de "
                "identidad y un recibo de la vivienda.",
            }
        },
    },
]
UNSURE = "cita"  # three articles ask for an appointment
CONFIDENT = "renovar pasaporte caducado"
MORE_THAN_THE_OLD_LOOK_BACK = 210  # the bot once read 200 messages back to find its place
CSV = b"""reference,service,status,last_update,post,date_of_birth
ES-2026-000123,Passport,ready-for-collection,2026-03-02,Consulate in Rabat,12/03/1990
"""
_ids = itertools.count(1)


@pytest.fixture
def bot(desk):
    import_articles(entries=entries_from(GUIDE), by=None)
    return BotSettings.objects.create(desk=desk, enabled=True)


@pytest.fixture
def write(post_whatsapp):
    """The person writes on WhatsApp, through the real webhook; returns the message id."""

    def send(text):
        wamid = f"wamid.AUTO{next(_ids):05d}"
        item = message(wamid, "text", {"body": text})
        assert post_whatsapp(envelope(messages=[item], contacts=[contact()])).status_code == 200
        return wamid

    return send


@pytest.fixture
def many(post_whatsapp):
    """Many messages from the person in one delivery: texts, or reactions to a message."""

    def send(count, *, kind="text"):
        content = {"body": "¿Hola?"}
        if kind == "reaction":
            content = {"message_id": "wamid.SOMETHING", "emoji": "\U0001f44d"}
        items = [message(f"wamid.MANY{next(_ids):05d}", kind, content) for _ in range(count)]
        assert post_whatsapp(envelope(messages=items, contacts=[contact()])).status_code == 200

    return send


def offered_ids(sent):
    return [row["id"] for row in sent["interactive"]["action"]["sections"][0]["rows"]]


def test_the_bots_place_is_kept_in_typed_fields_written_with_its_reply(bot, write, graph):
    wamid = write(UNSURE)
    asked = Message.objects.get(provider_id=wamid)
    offer = Message.objects.get(direction="out")
    state = AutomaticReplies.objects.get(conversation=asked.conversation)
    assert state.bot_step == BotStep.OFFERED
    assert (state.bot_answered, state.bot_question, state.bot_marked) == (
        asked.pk,
        asked.pk,
        offer.pk,
    )
    assert (
        state.bot_offered
        == [i.removeprefix("bot.article.") for i in offered_ids(graph.sent[0])][:3]
    )
    assert all(isinstance(key, str) for key in state.bot_offered)
    assert [c["id"] for c in state.bot_menu["choices"]] == offered_ids(graph.sent[0])
    assert state.bot_language == "es" and state.bot_handed_over_at is None
    # The reply itself carries only who wrote it and what it did (and the menu it sent).
    assert offer.details["bot"] == "choices"
    assert not {"to", "asked", "offered", "language", "topic"} & set(offer.details)


def test_a_handover_is_recorded_with_its_reason_and_when_it_was_said(bot, write, graph):
    write(UNSURE)
    write("Quiero hablar con una persona")
    state = state_of(Conversation.objects.get())
    handover = Message.objects.filter(direction="out").last()
    assert (state.bot_step, state.bot_reason) == ("handover", "asked")
    assert state.bot_handed_over_at == handover.created_at
    assert handover.details == {"bot": "handover"}


def test_a_choice_made_after_more_than_200_other_messages_is_still_understood(
    bot, write, many, graph
):
    write(UNSURE)
    second = offered_ids(graph.sent[0])[1].removeprefix("bot.article.")
    many(MORE_THAN_THE_OLD_LOOK_BACK, kind="reaction")  # nothing for the bot to answer
    assert len(graph.sent) == 1
    write("2")
    answer = graph.sent[-1]["interactive"]["body"]["text"]
    title = next(a["translations"]["es"]["title"] for a in GUIDE if a["key"] == second)
    assert answer.startswith(f"*{title}*")
    assert state_of(Conversation.objects.get()).bot_article == second


def test_a_handover_stays_final_after_more_than_200_messages(bot, write, many, graph):
    write("Quiero hablar con una persona")
    assert len(graph.sent) == 1
    many(MORE_THAN_THE_OLD_LOOK_BACK)
    write(CONFIDENT)  # for people now, however long the conversation
    assert len(graph.sent) == 1
    assert Message.objects.filter(direction="in").count() == MORE_THAN_THE_OLD_LOOK_BACK + 2


def test_staff_who_wrote_after_the_bots_last_reply_keep_the_conversation(
    bot, write, graph, agent, django_capture_on_commit_callbacks
):
    write(UNSURE)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(conversation=Conversation.objects.get(), text="Le ayudo yo", by=agent)
    write("2")
    assert len(graph.sent) == 2  # the offer and the agent's reply, nothing from the bot


# The status look-up


@pytest.fixture
def person_writes(desk, webchat, make_inbound, django_capture_on_commit_callbacks):
    import_applications(desk=desk, rows=read_csv(CSV), by=None)

    def send(text):
        inbound = make_inbound(scheme="webchat", address="visitor-9", text=text)
        stored = receive(channel=webchat, inbound=inbound).message
        with django_capture_on_commit_callbacks(execute=True):
            return answer_in_conversation(message=stored)

    return send


def test_the_status_look_up_keeps_its_question_for_the_date_of_birth(desk, person_writes):
    assert person_writes("ES-2026-000123") is True
    question = Message.objects.get(direction="out")
    state = state_of(Conversation.objects.get())
    assert state.status_reference == reference_hash(desk, "ES-2026-000123")
    assert (state.status_asked, state.status_asked_at) == (question.pk, question.created_at)
    assert state.status_answered == Message.objects.get(direction="in").pk
    assert question.details == {"status_lookup": "ask-second-factor"}
    assert person_writes("12/03/1990") is True
    state = state_of(Conversation.objects.get())
    assert (state.status_reference, state.status_asked, state.status_asked_at) == ("", None, None)


def test_the_question_for_the_date_of_birth_expires(person_writes, time_machine):
    asked_at = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    time_machine.move_to(asked_at, tick=False)
    assert person_writes("ES-2026-000123") is True
    time_machine.move_to(asked_at + WAITING - timedelta(minutes=1), tick=False)
    assert state_of(Conversation.objects.get()).status_reference  # still waiting
    time_machine.move_to(asked_at + WAITING + timedelta(minutes=1), tick=False)
    assert person_writes("12/03/1990") is False


# Conversations under way when the state moved out of the messages


def test_a_conversation_under_way_keeps_its_place_from_the_old_marks(bot, write, graph):
    wamid = write(UNSURE)
    asked = Message.objects.get(provider_id=wamid)
    offer = Message.objects.get(direction="out")
    offered = [i.removeprefix("bot.article.") for i in offered_ids(graph.sent[0])][:3]
    # What the bot used to keep in its reply's details, and no typed state yet.
    offer.details = {
        **offer.details,
        "to": asked.pk,
        "offered": offered,
        "language": "es",
        "asked": asked.pk,
    }
    offer.save(update_fields=["details"])
    AutomaticReplies.objects.all().delete()
    importlib.import_module(MIGRATION).state_from_latest_marks(apps, None)
    state = state_of(Conversation.objects.get())
    assert (state.bot_step, state.bot_answered, state.bot_marked) == ("choices", asked.pk, offer.pk)
    assert (state.bot_offered, state.bot_question, state.bot_language) == (offered, asked.pk, "es")
    write("3")  # the third article offered, as the person saw them
    title = next(a["translations"]["es"]["title"] for a in GUIDE if a["key"] == offered[2])
    assert graph.sent[-1]["interactive"]["body"]["text"].startswith(f"*{title}*")


def test_a_status_question_and_a_photo_passed_on_are_derived_too(desk, person_writes):
    person_writes("ES-2026-000123")
    conversation = Conversation.objects.get()
    question = Message.objects.get(direction="out")
    key = reference_hash(desk, "ES-2026-000123")
    asked = Message.objects.get(direction="in")
    question.details = {"status_lookup": "ask-second-factor", "to": asked.pk, "reference": key}
    question.save(update_fields=["details"])
    photo = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction="in",
        kind="image",
        status="received",
        details={"bot": "handover", "reason": "no-text"},
    )
    AutomaticReplies.objects.all().delete()
    importlib.import_module(MIGRATION).state_from_latest_marks(apps, None)
    state = state_of(conversation)
    assert (state.status_reference, state.status_asked, state.status_answered) == (
        key,
        question.pk,
        asked.pk,
    )
    assert (state.bot_step, state.bot_reason, state.bot_marked) == ("handover", "no-text", photo.pk)
    assert state.bot_handed_over_at is None  # it said nothing


def test_closed_conversations_get_no_state(desk, person_writes):
    person_writes("ES-2026-000123")
    services.close(conversation=Conversation.objects.get(), by=None)
    AutomaticReplies.objects.all().delete()
    importlib.import_module(MIGRATION).state_from_latest_marks(apps, None)
    assert not AutomaticReplies.objects.exists()
