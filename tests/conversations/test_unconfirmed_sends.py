"""A provider that takes a message but answers too late: the person gets it once.

The fake Graph API receives the send and answers after the client has given up, as a slow
provider does; only its status report, carrying ventanilla's tracker, says it was sent.
"""

import pytest
from django.utils import timezone

from fakes.graph import envelope
from ventanilla.conversations import services
from ventanilla.conversations.delivery import deliver, sending_lease, sweep
from ventanilla.conversations.failures import failure_text
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus


@pytest.fixture
def slow_reply(whatsapp, graph, make_inbound, agent, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    inbound = make_inbound(provider_id="wamid.IN9", address="447700900309", sent_at=timezone.now())
    conversation = receive(channel=whatsapp, inbound=inbound).message.conversation
    reply = services.reply(conversation=conversation, text="Le llamamos mañana", by=agent)
    graph.script(delay=2.5)  # takes the message, answers after the client gave up
    assert deliver(message_id=reply.pk) == MessageStatus.SENDING
    return reply


def sends(graph):
    return len(graph.requests_to("/106540352242922/messages"))


def status_report(message, status="sent"):
    return envelope(
        statuses=[
            {
                "id": "wamid.LATE1",
                "status": status,
                "timestamp": str(int(timezone.now().timestamp())),
                "recipient_id": "447700900309",
                "biz_opaque_callback_data": f"vt-{message.pk}",
            }
        ]
    )


def test_an_unanswered_send_waits_for_the_providers_report_instead_of_sending_again(
    slow_reply, graph, post_whatsapp
):
    waiting = Message.objects.get(pk=slow_reply.pk)
    assert (waiting.status, waiting.error_code) == (MessageStatus.SENDING, "unconfirmed")
    assert "twice" in failure_text(waiting)
    assert sweep(now=timezone.now() + sending_lease() / 2) == 0  # not sent again meanwhile
    assert post_whatsapp(status_report(slow_reply)).status_code == 200
    sent = Message.objects.get(pk=slow_reply.pk)
    assert (sent.status, sent.provider_id) == (MessageStatus.SENT, "wamid.LATE1")
    assert failure_text(sent) == ""
    assert sweep(now=timezone.now() + sending_lease() * 2) == 0
    assert sends(graph) == 1


def test_without_any_report_it_is_sent_again_once_the_lease_is_over(slow_reply, graph):
    assert sweep(now=timezone.now() + sending_lease() * 2) == 1
    again = Message.objects.get(pk=slow_reply.pk)
    assert (again.status, again.attempts) == (MessageStatus.SENT, 2)
    assert sends(graph) == 2  # the one case where the person may get it twice


def test_a_provider_that_cannot_be_reached_is_retried_with_backoff(
    whatsapp, make_inbound, agent, settings
):
    whatsapp.config = {**whatsapp.config, "api_base_url": "http://127.0.0.1:9"}  # nothing there
    whatsapp.save()
    inbound = make_inbound(provider_id="wamid.IN8", address="447700900308", sent_at=timezone.now())
    conversation = receive(channel=whatsapp, inbound=inbound).message.conversation
    reply = services.reply(conversation=conversation, text="Hola", by=agent)
    assert deliver(message_id=reply.pk) == MessageStatus.QUEUED
    queued = Message.objects.get(pk=reply.pk)
    assert queued.error_code == "unreachable" and queued.next_attempt_at is not None
