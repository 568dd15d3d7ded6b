"""Cases that move between desks, through the API and the console: the person writing on a
desk's WhatsApp (fake Graph API) is passed to another desk with a note and their consent;
they keep writing where they wrote; the receiving desk reads the history the sending desk
shares; each desk's figures count the case once, as its own."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from fakes.graph import contact, envelope, message
from ventanilla.conversations.models import Conversation, Message
from ventanilla.referrals.models import ReferralSettings, Transfer
from ventanilla.teamwork.models import Notification

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SENDER = "447700900789"


@pytest.fixture
def wa(post_whatsapp):
    def send(moment, text, sender=SENDER):
        item = message(f"wamid.TRF{next(_ids):04d}", "text", {"body": text}, sender=sender)
        item["timestamp"] = str(int(moment.timestamp()))
        with time_machine.travel(moment, tick=False):
            response = post_whatsapp(envelope(messages=[item], contacts=[contact(wa_id=sender)]))
        assert response.status_code == 200

    return send


@pytest.fixture
def people(make_staff, desk, other_desk):
    other_desk.names = {"es": "Consulado de Málaga", "fr": "Consulat de Malaga"}
    other_desk.save()
    return {
        "agent": make_staff("agent", "lucia"),
        "there": make_staff("agent", "karim", desks=[other_desk]),
        "chief": make_staff("supervisor", "ines", desks=[other_desk]),
    }


def transfer(api, conversation, **body):
    full = {"desk": "elsewhere", "note": "Necesita cita para el pasaporte", "consent": True}
    return api.post(f"/api/v1/conversations/{conversation.pk}/transfer", {**full, **body})


def test_a_case_moves_to_another_desk_and_the_person_keeps_writing_where_they_wrote(
    api_as, people, wa, graph, desk, other_desk, django_capture_on_commit_callbacks
):
    wa(TUESDAY, "Hola, perdí mi pasaporte en Málaga")
    first = Conversation.objects.get()
    first.language = "es"
    first.save(update_fields=["language"])
    later = time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        response = transfer(api_as(people["agent"]), first)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["desk"] == "elsewhere" and body["transferred_from"] == first.reference
    first.refresh_from_db()
    assert (first.status, first.outcome) == ("closed", "transferred")
    moved = Conversation.objects.get(pk=body["conversation_id"])
    assert moved.desk == other_desk and moved.channel == first.channel
    assert moved.reference.startswith("EL-") and moved.waiting_since is not None
    assert moved.routed_at is not None  # routed at its new desk
    told = graph.sent[-1]["text"]["body"]
    assert "Consulado de Málaga" in told  # in the person's language
    assert Notification.objects.filter(recipient=people["chief"], kind="transfer").count() == 1
    wa(TUESDAY + timedelta(minutes=9), "Gracias, espero su respuesta")
    latest = Message.objects.filter(direction="in").latest("created_at")
    assert latest.conversation_id == moved.pk  # one thread for the person, at the new desk
    # Each desk counts the case once: the first as transferred, the other as its own, open.
    assert api_as(people["agent"]).get(f"/api/v1/conversations/{moved.pk}").status_code == 404
    assert api_as(people["there"]).get(f"/api/v1/conversations/{first.pk}").status_code == 404
    assert api_as(people["there"]).get(f"/api/v1/conversations/{moved.pk}").status_code == 200


def test_the_receiving_desk_reads_the_history_its_sender_shares(
    client, api_as, people, wa, graph, desk, django_capture_on_commit_callbacks
):
    wa(TUESDAY, "Me detuvieron ayer en el puerto")
    first = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        moved_id = transfer(api_as(people["agent"]), first).json()["conversation_id"]
    client.force_login(people["there"])
    page = client.get(f"/console/c/{moved_id}/").content.decode()
    assert 'id="transferred"' in page and "Necesita cita para el pasaporte" in page
    assert "Me detuvieron ayer en el puerto" in page
    # A desk that shares only the note
    ReferralSettings.objects.create(desk=desk, share_history=False)
    wa(TUESDAY + timedelta(hours=1), "Otra consulta", sender="447700900790")
    second = Conversation.objects.filter(desk=desk).exclude(status="closed").get()
    with django_capture_on_commit_callbacks(execute=True):
        moved_again = transfer(api_as(people["agent"]), second).json()
    assert moved_again["history_shared"] is False
    page = client.get(f"/console/c/{moved_again['conversation_id']}/").content.decode()
    assert (
        "Necesita cita para el pasaporte" in page
        and "Otra consulta" not in page.split('id="transferred"')[1].split("</aside>")[0]
    )


def test_figures_count_the_case_at_each_desk(
    api_as, people, make_staff, wa, graph, desk, other_desk, django_capture_on_commit_callbacks
):
    wa(TUESDAY, "Hola")
    first = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        transfer(api_as(people["agent"]), first)
    here = api_as(make_staff("analyst", "ana", desks=[desk])).get("/api/v1/conversations/stats")
    there = api_as(make_staff("analyst", "bo", desks=[other_desk])).get(
        "/api/v1/conversations/stats"
    )
    assert here.json()["by_status"] == {"closed": 1}
    assert here.json()["by_desk"] == {"default": 1}
    assert there.json()["by_status"] == {"open": 1}
    assert there.json()["by_desk"] == {"elsewhere": 1}


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"consent": False}, 422, "consent"),
        ({"desk": "default"}, 422, "at this desk already"),
        ({"desk": "nowhere"}, 422, "no desk"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_a_transfer_that_cannot_be_made_changes_nothing(
    api_as, people, wa, graph, body, status, said
):
    wa(TUESDAY, "Hola")
    first = Conversation.objects.get()
    response = transfer(api_as(people["agent"]), first, **body)
    assert response.status_code == status, response.content
    assert said in response.json()["detail"]
    first.refresh_from_db()
    assert first.status == "open" and Conversation.objects.count() == 1
    assert Transfer.objects.count() == 0


def test_a_closed_conversation_is_reopened_before_it_is_transferred(
    api_as, people, wa, graph, django_capture_on_commit_callbacks
):
    from ventanilla.conversations import services

    wa(TUESDAY, "Hola")
    first = Conversation.objects.get()
    services.close(conversation=first, by=people["agent"])
    assert transfer(api_as(people["agent"]), first).status_code == 409


def test_an_agent_transfers_from_the_conversation_page(
    client, people, wa, graph, other_desk, django_capture_on_commit_callbacks
):
    wa(TUESDAY, "Necesito un certificado consular")
    first = Conversation.objects.get()
    client.force_login(people["agent"])
    page = client.get(f"/console/c/{first.pk}/").content.decode()
    assert 'id="desk"' in page and 'value="elsewhere"' in page
    refused = client.post(f"/console/c/{first.pk}/transfer-desk/",
                          {"desk": "elsewhere", "note": "x"}, follow=True)  # fmt: skip
    assert "agreement" in refused.content.decode() and Transfer.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/console/c/{first.pk}/transfer-desk/",
            {"desk": "elsewhere", "note": "Certificado de residencia", "consent": "1"},
            follow=True,
        )
    assert done.redirect_chain[-1][0] == "/console/"  # she does not work at the other desk
    assert Transfer.objects.get().note == "Certificado de residencia"


def test_only_a_transfer_ends_a_conversation_as_transferred(api_as, people, wa, graph):
    wa(TUESDAY, "Hola")
    first = Conversation.objects.get()
    refused = api_as(people["agent"]).patch(
        f"/api/v1/conversations/{first.pk}", {"status": "resolved", "outcome": "transferred"}
    )
    assert refused.status_code == 422 and "transfer" in refused.json()["detail"]
    first.refresh_from_db()
    assert first.status == "open"
