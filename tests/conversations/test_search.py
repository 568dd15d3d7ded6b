"""The word search over encrypted texts: keyed hashes in an inverted index, then a check of
the decrypted messages it offers."""

import itertools
import secrets

import pytest
from django.db import connection

from ventanilla.conversations.access import Filters, search_conversations, searched
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, Note, SearchEntry
from ventanilla.conversations.search import conversations_saying, normalised_words
from ventanilla.conversations.services import note, reply

_people = itertools.count()


@pytest.fixture
def say(webchat, make_inbound):
    def send(text, channel=None):
        person = f"visitor-search-{next(_people)}"
        return receive(
            channel=channel or webchat,
            inbound=make_inbound(scheme="webchat", address=person, text=text),
        ).message.conversation

    return send


def found(user, words):
    filters, _more = searched(user, Filters(q=words))
    return set(search_conversations(user, filters))


def test_words_are_found_whatever_their_case_accents_and_ending(agent, say):
    passport = say("Mi PASAPORTE está caducado, ¿qué hago?")
    other = say("Necesito una cita para el registro civil")
    assert found(agent, "pasaporte") == {passport}
    assert found(agent, "pasap") == {passport}  # the start of a word is enough
    assert found(agent, "pasapórte caduc") == {passport}  # every word, accents aside
    assert found(agent, "esta") == {passport}  # "está"
    assert found(agent, "cita registro") == {other}
    assert found(agent, "pasaporte cita") == set()  # both words in one message: none
    assert found(agent, "aporte") == set()  # the middle of a word is not its start
    assert found(agent, "el") == {other}  # short words match whole words only
    assert found(agent, "e") == set()


def test_arabic_tamazight_and_digits_of_any_script(agent, say):
    arabic = say("أريد تجديد جواز السفر رقم ١٢٣٤٥")
    tamazight = say("ⴰⵣⵓⵍ, ⵅⵚⵚⴰⵏ ⴰⴷ ⵙⵙⵏⵖ ⵖⴼ ⵓⴽⴰⵔⴹ")
    assert found(agent, "اريد") == {arabic}  # alef without its hamza
    assert found(agent, "جَواز") == {arabic}  # a vowel mark typed
    assert found(agent, "12345") == {arabic}
    assert found(agent, "ⵓⴽⴰⵔⴹ") == {tamazight}
    assert normalised_words("ـمدرسة على") == ["مدرسه", "علي"]


def test_replies_and_the_latest_first(agent, say):
    first, second = say("hola"), say("hola")
    reply(conversation=first, by=agent, text="Su renovación está en trámite")
    assert found(agent, "renovacion tramite") == {first}
    ids = conversations_saying("hola", [first.desk_id], limit=1)
    assert ids == [second.pk]


def test_only_the_desks_one_works_at(agent, say, other_desk):
    from ventanilla.channels.services import create_channel

    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    theirs = say("denuncia por explotación laboral", channel=elsewhere)
    mine = say("denuncia por explotación laboral")
    assert found(agent, "explotacion") == {mine}
    assert conversations_saying("explotacion", [other_desk.pk], limit=10) == [theirs.pk]


def test_neither_texts_nor_search_terms_are_stored_in_clear(agent, say):
    conversation = say("Mi hermano Youssef fue detenido en la frontera")
    note(conversation=conversation, by=agent, text="Youssef: caso de detención")
    message = Message.objects.get(conversation=conversation)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM conversations_message WHERE id = %s", [message.pk])
        (stored,) = cursor.fetchone()
        cursor.execute(
            "SELECT terms FROM conversations_searchentry WHERE message_id = %s", [message.pk]
        )
        (terms,) = cursor.fetchone()
        cursor.execute(
            "SELECT text FROM conversations_note WHERE conversation_id = %s", [conversation.pk]
        )
        (stored_note,) = cursor.fetchone()
    assert stored.startswith("v2.") and stored_note.startswith("v2.")
    for clear in ("Youssef", "youssef", "detenido", "frontera", "yous", "fron"):
        assert clear not in stored + terms + stored_note
    assert Note.objects.get(conversation=conversation).text == "Youssef: caso de detención"
    assert terms and all(len(t) == 8 for t in terms.split())


def test_a_message_removed_leaves_the_index(agent, say):
    conversation = say("solicitud de asilo")
    assert found(agent, "asilo") == {conversation}
    Message.objects.filter(conversation=conversation).delete()
    assert SearchEntry.objects.count() == 0
    assert found(agent, "asilo") == set()


def test_the_index_outlives_a_new_data_key(agent, say, settings):
    """The search hashes are made with the index key, which a rotation does not change."""
    before = say("permiso de residencia")
    settings.DATA_KEY_FILE = None
    settings.DATA_KEY = f"{secrets.token_urlsafe(32)},{settings.DATA_KEY}"
    after = say("permiso de trabajo")
    assert found(agent, "permiso") == {before, after}


def test_many_candidates_are_read_page_by_page(agent, say):
    wanted = [say(f"cita número {n} para pasaporte") for n in range(4)]
    for n in range(8):
        say(f"cita número {n} para visado")
    desks = [wanted[0].desk_id]
    found_ids = conversations_saying("cita pasaporte", desks, limit=10, page=3)
    assert found_ids == [c.pk for c in reversed(wanted)]
    assert conversations_saying("cita pasaporte", desks, limit=2, page=3) == found_ids[:2]
