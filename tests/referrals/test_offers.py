"""The bot offers services of the directory on the web chat: asked for a kind of help near a
place it knows, it answers with those services in the person's language; asked without a
place, it asks where, and takes the answer as the place; not when the bot is off or people
have the conversation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message
from ventanilla.knowledge.models import BotSettings
from ventanilla.referrals.offers import place_named, type_asked
from ventanilla.triage.pipeline import triage


@pytest.fixture
def bot_on(desk):
    desk.languages = ["es", "ar", "fr"]
    desk.save()
    BotSettings.objects.update_or_create(
        desk=desk, defaults={"enabled": True, "enabled_at": timezone.now()}
    )


@pytest.fixture
def write(webchat, make_inbound, django_capture_on_commit_callbacks):
    def send(text, visitor="visitor-offers-1"):
        received = receive(channel=webchat, inbound=make_inbound(
            text=text, scheme="webchat", address=visitor))  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):  # its replies go out
            decisions = triage(received.message.pk)
        return [type(d).__name__ for d in decisions]

    return send


def said():
    return Message.objects.filter(direction="out").latest("created_at", "id").text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("¿Dónde hay un médico?", "health"),
        ("Je cherche un avocat", "legal"),
        ("أين يمكنني أن أجد طبيب", "health"),
        ("Waar kan ik slapen vannacht", "shelter"),
        ("Hola, quiero renovar el pasaporte", ""),
        ("Perdí el trabajo y quiero renovar el pasaporte", ""),  # no "where": the guide answers
        ("أريد تجديد جواز السفر", ""),
    ],
)
def test_the_kind_of_help_is_heard_in_the_persons_language(text, kind):
    assert type_asked(text) == kind


def test_a_place_is_found_among_those_the_directory_lists(directory):
    listed = list(directory.values())
    assert place_named(listed, "estoy en malaga centro") == "Málaga"
    assert place_named(listed, "vivo en Andalucía") == "Andalucía"
    assert place_named(listed, "estoy en Lisboa") == ""


def test_asked_with_a_place_the_bot_answers_with_the_services_there(bot_on, write, directory, desk):
    decisions = write("Necesito un médico en Málaga, no tengo papeles")
    assert decisions[-1] == "ServicesOffered"
    text = said()
    assert "Clinica Salud" in text and "Calle Inventada 1, Málaga" in text
    assert "Abogados" not in text


def test_asked_without_a_place_the_bot_asks_where_and_takes_the_answer(bot_on, write, directory):
    write("Busco un abogado")
    assert "?" in said()  # where are you?
    decisions = write("Estoy en Madrid")
    assert decisions[-1] == "ServicesOffered"
    assert "Abogados Madrid" in said() and "Legal Malaga" not in said()


def test_the_bot_off_offers_nothing(write, directory):
    decisions = write("Necesito un médico en Málaga")
    assert "ServicesOffered" not in decisions
    assert not Message.objects.filter(direction="out").exists()
