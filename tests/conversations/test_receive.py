from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ventanilla.channels.services import create_channel
from ventanilla.contacts.models import Contact
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Message, Status
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.models import AuditEntry


def test_a_first_message_opens_a_conversation(webchat, make_inbound):
    received = receive(channel=webchat, inbound=make_inbound(text="Hola"))
    assert received.created
    message = received.message
    conversation = message.conversation
    year = timezone.now().year
    assert conversation.reference == f"VT-{year}-000001"
    assert (conversation.status, conversation.desk, conversation.channel) == (
        Status.OPEN,
        webchat.desk,
        webchat,
    )
    assert conversation.identity.contact == conversation.contact
    assert (message.direction, message.status, message.text) == ("in", "received", "Hola")
    assert conversation.last_inbound_at is not None
    assert AuditEntry.objects.filter(action="conversation.open", actor=None).count() == 1


def test_a_duplicate_delivery_stores_one_message(webchat, make_inbound):
    delivery = make_inbound(provider_id="wamid.SAME", text="Hola")
    first = receive(channel=webchat, inbound=delivery)
    before = Conversation.objects.get()
    again = receive(channel=webchat, inbound=delivery)
    assert not again.created
    assert again.message.pk == first.message.pk
    assert Message.objects.count() == 1 and Conversation.objects.count() == 1
    assert Conversation.objects.get().last_message_at == before.last_message_at


def test_provider_ids_are_unique_per_channel_only(webchat, desk, make_inbound):
    other = create_channel(desk=desk, type="webchat", name="Second site", config={}, by=None)
    receive(channel=webchat, inbound=make_inbound(provider_id="42"))
    assert receive(channel=other, inbound=make_inbound(provider_id="42")).created
    assert Message.objects.count() == 2


def test_later_messages_join_the_open_conversation(webchat, make_inbound):
    first = receive(channel=webchat, inbound=make_inbound()).message
    second = receive(channel=webchat, inbound=make_inbound()).message
    assert first.conversation_id == second.conversation_id
    assert Contact.objects.count() == 1


def test_writing_again_takes_up_a_resolved_or_pending_conversation(webchat, make_inbound, agent):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    for wait in (services.resolve, services.wait_for_person):
        wait(conversation=conversation, by=agent)
        again = receive(channel=webchat, inbound=make_inbound()).message.conversation
        assert again.pk == conversation.pk
        assert again.status == Status.OPEN and again.resolved_at is None
    assert AuditEntry.objects.filter(action="conversation.reopen", actor=None).count() == 1


def test_after_a_close_the_next_message_opens_a_new_conversation(webchat, make_inbound, agent):
    first = receive(channel=webchat, inbound=make_inbound()).message.conversation
    services.close(conversation=first, by=agent)
    second = receive(channel=webchat, inbound=make_inbound()).message.conversation
    assert second.pk != first.pk
    assert second.contact_id == first.contact_id
    assert second.reference.endswith("-000002")


def test_references_follow_the_desk_prefix(other_desk, make_inbound):
    channel = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    conversation = receive(channel=channel, inbound=make_inbound()).message.conversation
    assert conversation.reference.startswith(f"EL-{timezone.now().year}-")


def test_a_late_replay_does_not_move_the_reply_window_back(webchat, make_inbound):
    now = timezone.now()
    receive(channel=webchat, inbound=make_inbound(sent_at=now - timedelta(minutes=1)))
    receive(channel=webchat, inbound=make_inbound(sent_at=now - timedelta(days=3)))
    conversation = Conversation.objects.get()
    assert conversation.last_inbound_at == now - timedelta(minutes=1)


def test_an_unusable_address_stores_nothing(webchat, make_inbound):
    with pytest.raises(Invalid):
        receive(channel=webchat, inbound=make_inbound(address="call me maybe"))
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_the_raw_payload_is_kept_encrypted(webchat, make_inbound):
    raw = {"from": "447700900001", "text": {"body": "Hola"}}
    message = receive(channel=webchat, inbound=make_inbound(raw=raw)).message
    assert Message.objects.get(pk=message.pk).raw == raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM conversations_message")
        (stored,) = cursor.fetchone()
    assert "447700900001" not in stored


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_store_one_message(desk, make_inbound, concurrently):
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    delivery = make_inbound(provider_id="wamid.RACE")
    created = []
    concurrently(lambda: created.append(receive(channel=channel, inbound=delivery).created))
    assert sorted(created) == [False, False, False, True]
    assert Message.objects.count() == 1 and Conversation.objects.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_messages_arriving_together_from_one_person_share_a_conversation(
    desk, make_inbound, concurrently
):
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    receive(channel=channel, inbound=make_inbound(address="visitor-1", scheme="webchat"))
    services.close(conversation=Conversation.objects.get(), by=None)
    concurrently(
        lambda: receive(
            channel=channel, inbound=make_inbound(address="visitor-1", scheme="webchat")
        )
    )
    assert Conversation.objects.filter(status=Status.OPEN).count() == 1
    references = sorted(Conversation.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references) == 2
