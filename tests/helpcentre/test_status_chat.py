"""Application statuses in conversations: a reference and a date of birth, in one message or
two, answered on the person's channel; anything else is left to the bot and the desk."""

import itertools

import pytest
from django.utils import translation

from fakes.graph import contact, envelope, message
from ventanilla.conversations.automatic import state_of
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Message
from ventanilla.helpcentre.application_texts import ask_for_birth_date
from ventanilla.helpcentre.applications import import_applications, read_csv, reference_hash
from ventanilla.helpcentre.models import StatusLookup
from ventanilla.helpcentre.status_chat import answer_in_conversation

CSV = b"""reference,service,status,last_update,post,date_of_birth
ES-2026-000123,Passport,ready-for-collection,2026-03-02,Consulate in Rabat,12/03/1990
"""
READY_EN = (
    "Passport application ES-2026-000123: ready for collection (last update: March 2, 2026). "
    "You can collect it at Consulate in Rabat. Bring an identity document."
)
ASK_EN = (
    "To tell you where your application stands, we need the applicant's date of birth. "
    "Please send it as day/month/year, for example 25/12/1990."
)
NEUTRAL_EN = (
    "We found no application with these details. Please check the reference number and "
    "the date of birth, and try again."
)
_ids = itertools.count(1)


@pytest.fixture
def loaded(desk):
    import_applications(desk=desk, rows=read_csv(CSV), by=None)
    return desk


@pytest.fixture
def person_writes(webchat, make_inbound, django_capture_on_commit_callbacks):
    """A web-chat visitor's message, stored as the inbound pipeline stores it, then offered to
    answer_in_conversation (as the pipeline will, before the bot); returns what it said."""

    def write(text, *, channel=webchat, **fields):
        inbound = make_inbound(scheme="webchat", address="visitor-7", text=text, **fields)
        stored = receive(channel=channel, inbound=inbound).message
        with django_capture_on_commit_callbacks(execute=True):
            return answer_in_conversation(message=stored)

    return write


def replies():
    return list(Message.objects.filter(direction="out").order_by("pk"))


def test_a_reference_and_a_date_of_birth_in_one_message_get_the_status(loaded, person_writes):
    assert person_writes("Hello, my passport ES-2026-000123, born 12/03/1990. Thanks!") is True
    (reply,) = replies()
    assert reply.text == READY_EN and reply.author is None
    assert reply.details["status_lookup"] == "found"
    assert state_of(reply.conversation).status_answered == Message.objects.get(direction="in").pk
    assert reply.status == "sent"  # the web chat delivered it
    assert Conversation.objects.get().status == "pending"


def test_a_reference_alone_is_answered_with_a_question_for_the_date_of_birth(loaded, person_writes):
    assert person_writes("es-2026-000123") is True
    (question,) = replies()
    assert question.text == ASK_EN
    assert question.details["status_lookup"] == "ask-second-factor"
    assert state_of(question.conversation).status_reference == reference_hash(
        loaded, "ES-2026-000123"
    )
    assert "ES-2026" not in str(question.details)
    assert person_writes("1990-03-12") is True
    assert replies()[-1].text == READY_EN
    assert list(StatusLookup.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "asked-second-factor",
        "found",
    ]


def test_an_unknown_reference_and_a_wrong_date_get_the_same_answer(loaded, person_writes):
    person_writes("ES-2026-999999 12/03/1990")
    person_writes("ES-2026-000123 13/03/1990")
    person_writes("ES-2026-999999")
    person_writes("12/03/1990")
    texts = [reply.text for reply in replies()]
    assert texts == [NEUTRAL_EN, NEUTRAL_EN, ASK_EN, NEUTRAL_EN]


def test_the_answer_is_in_the_persons_language(loaded, person_writes):
    person_writes("Hola, ¿cómo va mi pasaporte ES-2026-000123? Nací el 12/03/1990")
    (reply,) = replies()
    assert "ES-2026-000123" in reply.text and "Consulate in Rabat" in reply.text
    assert "2 de marzo de 2026" in reply.text


def test_arabic_digits_and_letters_are_understood(loaded, person_writes):
    person_writes("السلام عليكم، ES-2026-000123؟ ١٢/٠٣/١٩٩٠")
    (reply,) = replies()
    assert reply.details["status_lookup"] == "found" and "ES-2026-000123" in reply.text
    with translation.override("ar"):
        assert "March" not in reply.text


def test_an_impossible_date_after_the_question_is_asked_for_again(loaded, person_writes):
    person_writes("ES-2026-000123")
    assert person_writes("31/02/1990") is True
    assert [reply.text for reply in replies()] == [ASK_EN, ASK_EN]
    assert person_writes("12/03/1990") is True
    assert replies()[-1].text == READY_EN


@pytest.mark.parametrize(
    "text",
    [
        "¿Cuándo abre el consulado?",
        "My birthday is 12/03/1990",  # a date with no question pending
        "Call me at 600123456",
        "VT-2026",
        "Sobre mi consulta VT-2026-000123",  # the desk's own reference of a conversation
    ],
)
def test_other_messages_are_left_to_the_bot_and_the_desk(loaded, person_writes, text):
    assert person_writes(text) is False
    assert replies() == [] and StatusLookup.objects.count() == 0


ASKING_FOR_STATUS = {
    "en": "I want to know the status of my application",
    "es": "Quiero saber el estado de mi solicitud",
    "fr": "Je voudrais connaître l'état de ma demande",
    "ar": "أريد معرفة حالة طلبي",
    "nl": "Ik wil de status van mijn aanvraag weten",
    "it": "Vorrei sapere lo stato della mia domanda",
    "de": "Ich möchte den Status meines Antrags wissen",
    "zgh": "ⵔⵉⵖ ⴰⴷ ⵙⵙⵏⵖ ⴰⴷⴷⴰⴷ ⵏ ⵜⵓⵜⵔⴰ ⵉⵏⵓ",  # noqa: RUF001 (Tifinagh)
    "ary": "bghit n3ref fin wsel talab dyali",
    "ary-arab": "بغيت نعرف فين وصل الطلب ديالي",
}
ASK_REFERENCE_EN = (
    "To tell you where your application stands, please send its reference number, as it "
    "appears on your receipt, and the applicant's date of birth as day/month/year."
)


@pytest.mark.parametrize("language", list(ASKING_FOR_STATUS))
def test_asking_for_a_status_in_any_language_is_answered_with_a_question_for_the_reference(
    loaded, person_writes, language
):
    assert person_writes(ASKING_FOR_STATUS[language]) is True
    (question,) = replies()
    assert question.details["status_lookup"] == "ask-reference"
    asked = Message.objects.get(direction="in").pk
    assert state_of(question.conversation).status_answered == asked
    if language == "en":
        assert question.text == ASK_REFERENCE_EN
    assert StatusLookup.objects.count() == 0  # nothing was looked up yet


def test_after_the_question_for_the_reference_the_reference_and_date_get_the_status(
    loaded, person_writes
):
    person_writes("I want to know the status of my application")
    assert person_writes("ES-2026-000123") is True
    assert person_writes("12/03/1990") is True
    assert [reply.text for reply in replies()] == [ASK_REFERENCE_EN, ASK_EN, READY_EN]


@pytest.mark.parametrize(
    "text",
    [
        "Where is the consulate? I need to submit an application",
        "Je veux faire une demande d'acte à l'état civil",
        "¿Qué documentos necesito para la solicitud de pasaporte?",
    ],
)
def test_a_question_about_applying_is_not_taken_for_a_status_question(loaded, person_writes, text):
    assert person_writes(text) is False
    assert replies() == []


def test_references_with_the_conversations_prefix_count_when_the_desks_use_it(desk, person_writes):
    csv = CSV.replace(b"ES-2026-000123", b"VT-2026-000123")
    import_applications(desk=desk, rows=read_csv(csv), by=None)
    assert person_writes("VT-2026-000999 12/03/1990") is True
    assert replies()[-1].text == NEUTRAL_EN


def test_nothing_is_answered_for_a_desk_without_statuses(desk, person_writes):
    assert person_writes("ES-2026-000123 12/03/1990") is False
    assert replies() == []


def test_the_question_for_the_date_expires_when_someone_else_answered(loaded, person_writes, agent):
    from ventanilla.conversations import services

    person_writes("ES-2026-000123")
    services.reply(conversation=Conversation.objects.get(), text="Un momento, por favor.", by=agent)
    assert person_writes("12/03/1990") is False


def test_a_message_answered_once_is_not_answered_again(loaded, person_writes):
    person_writes("ES-2026-000123 12/03/1990")
    asked = Message.objects.get(direction="in")
    assert answer_in_conversation(message=asked) is True
    assert len(replies()) == 1 and StatusLookup.objects.count() == 1


def test_guessing_in_a_conversation_is_refused_after_five_tries(loaded, person_writes):
    for day in range(1, 6):
        person_writes(f"ES-2026-000123 0{day}/01/1990")
    person_writes("ES-2026-000123 12/03/1990")
    assert replies()[-1].details["status_lookup"] == "refused-rate-limit"
    assert "Rabat" not in replies()[-1].text


# On WhatsApp, through the real webhook and the (fake) Graph API


def test_on_whatsapp_the_status_reaches_the_person(
    loaded, post_whatsapp, graph, django_capture_on_commit_callbacks
):
    def write(text):
        wamid = f"wamid.STATUS{next(_ids):04d}"
        delivery = envelope(messages=[message(wamid, "text", {"body": text})], contacts=[contact()])
        assert post_whatsapp(delivery).status_code == 200
        stored = Message.objects.get(provider_id=wamid)
        with django_capture_on_commit_callbacks(execute=True):
            return answer_in_conversation(message=stored)

    assert write("Hola, mi número es ES-2026-000123") is True
    assert write("12-03-1990") is True
    bodies = [sent["text"]["body"] for sent in graph.sent]
    assert len(bodies) == 2 and "ES-2026-000123" in bodies[1] and "Rabat" in bodies[1]
    assert Conversation.objects.get().language == "es"  # both answered in Spanish
    with translation.override("es"):
        assert bodies[0] == ask_for_birth_date()
    assert all(sent["to"] == "447700900301" for sent in graph.sent)
    assert list(StatusLookup.objects.values_list("channel", flat=True)) == ["whatsapp"] * 2


@pytest.mark.parametrize("language", ["es", "fr", "ar", "nl", "en", "it", "de", "zgh"])
def test_the_help_centres_own_words_for_the_question_are_understood_in_chat(language):
    """ "Where is my application?" as the status page says it, written back in a chat."""
    from ventanilla.helpcentre.status_words import asks_for_status

    with translation.override(language):
        question = translation.gettext("Where is my application?")
    assert asks_for_status(question), question
