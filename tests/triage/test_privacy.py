"""The privacy notice the first time a person writes on a channel, and a request to delete
one's data heard in every language served, end to end through the WhatsApp webhook."""

import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from fakes.graph import contact, envelope, message
from ventanilla.channels.services import create_channel
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Message, PrivacyNotice
from ventanilla.desks.models import Desk
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork.models import Notification, NotificationKind
from ventanilla.triage.privacy import ERASE_WORDS, asks_for_erasure

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the desk is open: no closed notice


@pytest.fixture
def noticed(desk):
    Desk.objects.filter(pk=desk.pk).update(privacy_notice=True, content_retention_days=90)
    desk.refresh_from_db()
    return desk


@pytest.fixture
def write(post_whatsapp):
    def send(text, sender="447700900123"):
        with time_machine.travel(TUESDAY, tick=False):
            item = message(f"wamid.PRIV{next(_ids):04d}", "text", {"body": text}, sender=sender)
            item["timestamp"] = str(int(TUESDAY.timestamp()))
            response = post_whatsapp(envelope(messages=[item], contacts=[contact(wa_id=sender)]))
        assert response.status_code == 200

    return send


def sent_texts(graph):
    return [m.get("text", {}).get("body") for m in graph.sent]


def test_the_first_message_on_a_channel_gets_the_notice_in_the_persons_language(
    noticed, write, graph
):
    write("Bonjour, j'ai perdu mon passeport, que dois-je faire ?")
    (notice,) = sent_texts(graph)
    assert "chiffrés" in notice and "90 jours" in notice
    with translation.override("fr"):
        assert translation.gettext(ERASE_WORDS) in notice
    write("Et pour une carte d'identité ?")
    assert len(graph.sent) == 1  # once per channel, not per message
    write(
        "Hola, necesito una cita en el consulado para renovar mi pasaporte", sender="447700900124"
    )  # someone else
    assert "cifrados" in sent_texts(graph)[1]
    assert PrivacyNotice.objects.count() == 2
    message = Message.objects.filter(direction="out").first()
    assert message.details == {"auto": "privacy"} and message.author is None


def test_a_desk_without_retention_says_what_is_kept_until_asked(desk, write, graph):
    Desk.objects.filter(pk=desk.pk).update(privacy_notice=True)
    write("I lost my passport yesterday and I need a new one to travel home")
    (notice,) = sent_texts(graph)
    assert "kept until you ask us to delete them" in notice and "DELETE MY DATA" in notice


def test_no_notice_where_the_desk_turned_it_off(desk, write, graph):
    write("I lost my passport")
    assert graph.sent == []


def test_the_notice_is_given_once_per_channel(
    noticed, webchat, make_inbound, desk, django_capture_on_commit_callbacks
):
    other = create_channel(desk=desk, type="webchat", name="Second chat", config={}, by=None)
    for channel in (webchat, webchat, other):
        with django_capture_on_commit_callbacks(execute=True):  # triage runs once committed
            receive(channel=channel, inbound=make_inbound(scheme="webchat", address="visitor-7"))
    notices = Message.objects.filter(direction="out", details__isnull=False)
    assert [m.channel_id for m in notices if m.details == {"auto": "privacy"}] == [
        webchat.pk,
        other.pk,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Please delete my data",
        "quiero que borren mis datos por favor",
        "Supprimez mes données s'il vous plaît",
        "احذف بياناتي من فضلك",
        "أريد حذف بياناتي",
        "Verwijder mijn gegevens alstublieft",
        "Cancellate i miei dati",
        "Bitte löschen Sie meine Daten",
        "Please remove all of my data",
        "ⴽⴽⵙ ⵉⵙⴼⴽⴰ ⵉⵏⵓ",
        "DELETE MY DATA",
        "BORRAR MIS DATOS",
    ],
)
def test_a_request_to_delete_ones_data_goes_to_the_supervisors(
    noticed, write, graph, supervisor, text
):
    write(text)
    case = Conversation.objects.get()
    assert case.erasure_requested_at is not None and case.escalation == "supervisor"
    assert case.priority in ("high", "urgent")
    assert Notification.objects.filter(
        recipient=supervisor, kind=NotificationKind.ERASURE, conversation=case
    ).exists()
    details = [m.details for m in Message.objects.filter(direction="out").order_by("pk")]
    assert details == [{"auto": "privacy"}, {"auto": "erasure"}]  # the bot did not answer
    assert AuditEntry.objects.filter(action="contact.erasure-requested").count() == 1
    write(text)  # asked again: the supervisors know already
    assert Notification.objects.filter(kind=NotificationKind.ERASURE).count() == 1


@pytest.mark.parametrize(
    "text",
    [
        "I lost my passport and my data page is damaged",
        "¿Qué datos necesito para la cita?",
        "Mis datos están mal en el certificado",
        "delete",
    ],
)
def test_other_messages_about_data_are_not_requests(text):
    assert not asks_for_erasure(text, ["delete my data", "borrar mis datos"])


def test_the_words_a_desk_gives_are_heard_too():
    assert asks_for_erasure("olvidadme ya", ["olvidadme"])


def test_the_words_a_desk_words_its_notice_with_are_heard(noticed, write, graph, supervisor):
    from ventanilla.desks.text_services import set_text

    set_text(desk=noticed, language="es", msgid=ERASE_WORDS, text="OLVIDADME", by=None)
    write("Hola, necesito una cita en el consulado para renovar mi pasaporte")
    assert "OLVIDADME" in sent_texts(graph)[0]  # the notice gives the desk's words
    write("olvidadme")
    assert Conversation.objects.get().erasure_requested_at is not None
