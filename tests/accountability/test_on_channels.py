"""Complaints on people's own channels, end to end through the WhatsApp webhook (fake Graph
API): the word that files one in any language, its number told, and the number written back
answered with where the complaint stands, for its own person only."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import time_machine

from fakes.graph import contact, envelope, message
from ventanilla.accountability import services
from ventanilla.accountability.models import Complaint, Entry
from ventanilla.conversations.models import Conversation
from ventanilla.triage.complaints import heard

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the desk is open: no closed notice


@pytest.fixture
def write(post_whatsapp):
    def send(text, sender="447700900123"):
        with time_machine.travel(TUESDAY, tick=False):
            item = message(f"wamid.CMPL{next(_ids):04d}", "text", {"body": text}, sender=sender)
            item["timestamp"] = str(int(TUESDAY.timestamp()))
            response = post_whatsapp(envelope(messages=[item], contacts=[contact(wa_id=sender)]))
        assert response.status_code == 200

    return send


def sent_texts(graph):
    return [m.get("text", {}).get("body") for m in graph.sent]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("QUEJA: en la ventanilla me trataron mal", "complaint"),
        ("Réclamation : trois heures d'attente", "complaint"),
        ("شكوى: انتظرت ثلاث ساعات", "complaint"),
        ("Klacht over de wachttijd", "complaint"),
        ("Beschwerde über die Wartezeit", "complaint"),
        ("Reclamo per l'attesa", "complaint"),
        ("ⴰⵙⵖⵓⵢ ⵅⴼ ⵓⵔⴰⵊⵓ", "complaint"),
        ("Sugerencia: abrir los sábados", "suggestion"),
        ("Suggestion: open on Saturdays", "suggestion"),
    ],
)
def test_the_word_for_a_complaint_is_heard_in_every_language(text, kind):
    assert heard(text).kind == kind


@pytest.mark.parametrize(
    "text",
    ["No tengo ninguna queja, gracias", "Hola, quiero saber de mi pasaporte", "", "12345"],
)
def test_other_messages_file_nothing(text):
    assert heard(text) == heard("") and not heard(text).number


def test_a_complaint_filed_by_its_word_on_whatsapp_is_numbered_and_followed(write, graph, desk):
    write("Queja: llevo tres semanas sin respuesta sobre mi pasaporte")
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.kind) == ("keyword", "complaint")
    assert Entry.objects.get().text.startswith("Queja: llevo tres semanas")
    told = sent_texts(graph)[-1]
    assert complaint.number in told and "queja" in told.lower()  # in the person's language
    write("Queja: y además nadie contesta")  # the same conversation: filed once
    assert Complaint.objects.count() == 1
    write(f"¿Cómo va mi queja {complaint.number.lower()}?")
    assert "se está estudiando" in sent_texts(graph)[-1]
    supervisor = services.answer  # the supervisor answers; the person asks again
    from ventanilla.desks.roles import Role
    from ventanilla.desks.services import enrol_staff

    boss = enrol_staff(username="jefa", role=Role.SUPERVISOR, desks=[desk])
    supervisor(complaint=complaint, by=boss, text="Su pasaporte está listo en Madrid.")
    write(complaint.number)
    assert "Su pasaporte está listo en Madrid." in sent_texts(graph)[-1]


def test_someone_elses_number_is_answered_as_unknown(write, graph):
    write("Complaint: nobody answered the phone", sender="447700900201")
    number = Complaint.objects.get().number
    write(f"What about {number}?", sender="447700900202")
    told = sent_texts(graph)[-1]
    assert number in told and "no complaint" in told.lower()
    assert "nobody answered" not in told
    assert Conversation.objects.count() == 2 and Complaint.objects.count() == 1


def test_a_long_complaint_is_filed_with_its_first_4000_characters(write, graph):
    write("Queja: " + "espera " * 900)  # 6,307 characters, as long as a web chat allows
    entry = Entry.objects.get()
    assert len(entry.text) == 4000 and entry.text.startswith("Queja: espera")
    written = Complaint.objects.get().conversation.messages.get(direction="in")
    assert len(written.text) > 6000  # the message itself is kept whole
