"""Agents read why a message has not gone in words: what failed and whether it is being
tried again, never an exception's name, a server's address or the person's number."""

import pytest

from fakes.twilio import ACCOUNT_SID
from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import MessageStatus

CALLER = "+447700900001"
# Nothing listens on port 9: every send finds the server unreachable, as in the demo.
NOWHERE = {
    "phone_number_id": "100000000000001",
    "access_token": "invented-access-token",
    "app_secret": "invented-app-secret",
    "verify_token": "invented-verify-token",
    "api_base_url": "http://127.0.0.1:9",
}


def reply_on(channel, make_inbound, agent, capture):
    conversation = receive(
        channel=channel, inbound=make_inbound(address=CALLER)
    ).message.conversation
    with capture(execute=True):
        sent = services.reply(conversation=conversation, text="Hola", by=agent)
    sent.refresh_from_db()
    return conversation, sent


def status_line(client, conversation, sent):
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    item = page.split(f'id="message-{sent.pk}"')[1].split("</li>")[0]
    return item.split('class="status')[1]


def test_an_unreachable_whatsapp_server_is_said_in_words_and_retried(
    client, desk, agent, make_inbound, django_capture_on_commit_callbacks
):
    whatsapp = create_channel(desk=desk, type="whatsapp", name="WA", config=NOWHERE, by=None)
    conversation, sent = reply_on(whatsapp, make_inbound, agent, django_capture_on_commit_callbacks)
    assert sent.status == MessageStatus.QUEUED and sent.error_code == "unreachable"
    assert "127.0.0.1" not in sent.error_title and "Error" not in sent.error_title
    client.force_login(agent)
    shown = status_line(client, conversation, sent)
    assert "The WhatsApp server could not be reached; retrying." in shown
    for internal in ("ConnectError", "127.0.0.1", "calling"):
        assert internal not in shown


def test_a_refusal_by_twilio_names_twilio_and_its_reason(
    client, desk, agent, make_inbound, twilio, django_capture_on_commit_callbacks
):
    sms = create_channel(
        desk=desk, type="twilio-sms", name="SMS", config=twilio.config(auth_token="wrong"), by=None
    )
    conversation, sent = reply_on(sms, make_inbound, agent, django_capture_on_commit_callbacks)
    assert sent.status == MessageStatus.FAILED
    client.force_login(agent)
    assert "Twilio refused the message: Authenticate; not sent." in status_line(
        client, conversation, sent
    )


def test_a_failure_reported_later_never_shows_the_persons_number(
    client, agent, sms, make_inbound, post_twilio, django_capture_on_commit_callbacks
):
    conversation, sent = reply_on(sms, make_inbound, agent, django_capture_on_commit_callbacks)
    params = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sent.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "21211",
        "ErrorMessage": f"Invalid 'To' Phone Number: {CALLER}",
    }
    post_twilio(f"{sms.webhook_path}status/?m={sent.pk}", params)
    client.force_login(agent)
    shown = status_line(client, conversation, sent)
    assert "Twilio refused the message: Invalid &#x27;To&#x27; Phone Number" in shown
    assert CALLER not in shown and "7700900001" not in shown


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ReadTimeout calling graph.facebook.com", "calling"),
        ("Upstream 10.0.0.12:443 said no", "Upstream … said no"),
        ("See https://www.twilio.com/docs/errors/30003", "See"),
    ],
)
def test_addresses_and_exception_names_are_taken_out_of_a_providers_words(title, expected):
    from ventanilla.conversations.failures import plain_reason

    assert plain_reason(title).startswith(expected)
    assert "Timeout" not in plain_reason(title) and "10.0.0.12" not in plain_reason(title)
