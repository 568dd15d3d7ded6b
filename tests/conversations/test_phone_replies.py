"""A phone conversation is never answered with a text on the phone line: the person is
called back, or written to on a messaging channel of the desk that reaches their number."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus

CALLER = "+447700900001"
LINE = {"account_sid": "AC" + "0" * 32, "auth_token": "invented-token", "number": "+447700900500"}


@pytest.fixture
def voice(desk):
    return create_channel(desk=desk, type="twilio-voice", name="Line", config=LINE, by=None)


@pytest.fixture
def call(voice, make_inbound):
    return receive(channel=voice, inbound=make_inbound(address=CALLER)).message.conversation


def test_a_text_reply_on_the_phone_line_is_refused_before_anything_is_queued(call, agent):
    with pytest.raises(services.PhoneOnly, match="Call the person back"):
        services.reply(conversation=call, text="Hola", by=agent)
    assert not Message.objects.filter(direction="out").exists()


def test_the_api_refuses_a_text_reply_on_a_phone_conversation_with_a_clear_error(
    call, agent, api_as
):
    response = api_as(agent).post(f"/api/v1/conversations/{call.pk}/messages", {"text": "Hola"})
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "phone_conversation" and "phone" in body["detail"]
    assert not Message.objects.filter(direction="out").exists()


def test_the_api_answers_a_caller_on_the_channel_it_is_given(
    call, agent, sms, twilio, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(agent).post(
            f"/api/v1/conversations/{call.pk}/messages",
            {"text": "Le escribimos", "channel": str(sms.pk)},
        )
    assert response.status_code == 201, response.content
    assert [form["To"] for form in twilio.sent] == [[CALLER]]
    refused = api_as(agent).post(
        f"/api/v1/conversations/{call.pk}/messages",
        {"text": "Hola", "channel": str(call.channel_id)},
    )
    assert refused.status_code == 409 and refused.json()["error"] == "phone_conversation"


def test_a_caller_is_answered_by_sms_from_the_number_they_called_from(
    call, agent, sms, twilio, django_capture_on_commit_callbacks
):
    assert services.messaging_channels(call) == [sms]
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.reply(conversation=call, text="Le escribimos", by=agent, channel=sms)
    sent.refresh_from_db()
    assert sent.channel == sms and sent.status == MessageStatus.SENT
    (form,) = twilio.sent
    assert form["To"] == [CALLER] and form["Body"] == ["Le escribimos"]


def test_whatsapp_is_offered_only_while_the_person_may_be_written_to_there(
    call, whatsapp, make_inbound, agent
):
    assert services.messaging_channels(call) == []
    receive(channel=whatsapp, inbound=make_inbound(address=CALLER, text="Soy yo"))
    assert services.messaging_channels(call) == [whatsapp]
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert services.messaging_channels(call) == []
        with pytest.raises(services.Invalid):
            services.reply(conversation=call, text="Hola", by=agent, channel=whatsapp)


def test_a_channel_that_does_not_reach_the_person_is_refused(call, agent, other_desk, twilio):
    elsewhere = create_channel(
        desk=other_desk, type="twilio-sms", name="Other", config=twilio.config(), by=None
    )
    with pytest.raises(services.Invalid, match="cannot be written to"):
        services.reply(conversation=call, text="Hola", by=agent, channel=elsewhere)
    with pytest.raises(services.Invalid, match="cannot be written to"):
        services.messaging_channel(call, elsewhere.pk)


def test_the_console_offers_the_desks_sms_channel_on_a_phone_conversation(
    client, call, agent, sms, twilio, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    page = client.get(f"/console/c/{call.pk}/").content.decode()
    assert 'name="channel"' in page and f'value="{sms.pk}"' in page
    assert "phone line cannot carry a written reply" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/console/c/{call.pk}/reply/",
            {"text": "Le escribimos", "channel": str(sms.pk)},
            follow=True,
        )
    assert "Reply queued" in response.content.decode()
    assert [form["To"] for form in twilio.sent] == [[CALLER]]


def test_the_console_says_to_call_back_when_no_channel_reaches_the_person(client, call, agent):
    client.force_login(agent)
    page = client.get(f"/console/c/{call.pk}/").content.decode()
    assert "Answer it by calling the person back" in page
    assert 'id="reply-text"' not in page
    response = client.post(f"/console/c/{call.pk}/reply/", {"text": "Hola"}, follow=True)
    assert "Reply queued" not in response.content.decode()
    assert not Message.objects.filter(direction="out").exists()
