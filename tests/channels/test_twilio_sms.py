"""SMS over Twilio: signed form posts in, the Messages API out, status callbacks back."""

from urllib.parse import urlencode

import pytest

from fakes.server import as_json
from fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, NUMBER, inbound_sms, signature
from ventanilla.channels.models import UnreadDelivery
from ventanilla.conversations import services
from ventanilla.conversations.models import Attachment, Message, MessageStatus
from ventanilla.lib.errors import Invalid

FORM = "application/x-www-form-urlencoded"
ARABIC = "مرحبا، أحتاج إلى معلومات عن تجديد جواز السفر. " * 30  # ~1,500 characters


def test_an_incoming_sms_is_stored_and_answered_with_empty_twiml(post_twilio, sms):
    response = post_twilio(sms.webhook_path, inbound_sms("SM" + "1" * 32, "+447700900401", "Hola"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response />")
    stored = Message.objects.get()
    assert (stored.provider_id, stored.text) == ("SM" + "1" * 32, "Hola")
    assert stored.conversation.identity.address == "+447700900401"


def test_long_arabic_text_survives_intact(post_twilio, sms):
    post_twilio(sms.webhook_path, inbound_sms("SM" + "2" * 32, "+447700900401", ARABIC))
    assert Message.objects.get().text == ARABIC


@pytest.mark.parametrize(("signature_", "status"), [("", 401), ("bm90IGEgc2lnbmF0dXJl", 403)])
def test_an_unsigned_or_forged_sms_stores_nothing(post_twilio, sms, signature_, status):
    params = inbound_sms("SM" + "3" * 32, "+447700900401", "Hola")
    assert post_twilio(sms.webhook_path, params, signature=signature_).status_code == status
    assert not Message.objects.exists()


def test_a_signature_for_other_parameters_is_refused(client, sms):
    params = inbound_sms("SM" + "4" * 32, "+447700900401", "Hola")
    forged = signature(f"http://testserver{sms.webhook_path}", {**params, "Body": "Adiós"})
    response = client.post(
        sms.webhook_path,
        urlencode(params),
        content_type=FORM,
        headers={"X-Twilio-Signature": forged},
    )
    assert response.status_code == 403


def test_signatures_use_the_public_url(post_twilio, client, sms, settings):
    settings.PUBLIC_URL = "https://helpdesk.example.org"
    params = inbound_sms("SM" + "5" * 32, "+447700900401", "Hola")
    public = f"https://helpdesk.example.org{sms.webhook_path}"
    response = client.post(
        sms.webhook_path,
        urlencode(params),
        content_type=FORM,
        headers={"X-Twilio-Signature": signature(public, params)},
    )
    assert response.status_code == 200
    assert post_twilio(sms.webhook_path, params).status_code == 403  # signed for another URL


def test_a_duplicate_delivery_stores_one_message(post_twilio, sms):
    params = inbound_sms("SM" + "6" * 32, "+447700900401", "Hola")
    for _ in range(3):
        assert post_twilio(sms.webhook_path, params).status_code == 200
    assert Message.objects.count() == 1


def test_mms_media_is_fetched_with_the_account_credentials(post_twilio, sms, twilio):
    url = twilio.add_media("ME" + "a" * 32, b"\xff\xd8\xff invented jpeg", "image/jpeg")
    params = inbound_sms(
        "MM" + "7" * 32,
        "+447700900401",
        "Mi tarjeta",
        NumMedia="1",
        MediaUrl0=url,
        MediaContentType0="image/jpeg",
    )
    assert post_twilio(sms.webhook_path, params).status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.is_fetched, attachment.fetch_error
    assert attachment.file.read() == b"\xff\xd8\xff invented jpeg"
    assert Message.objects.get().kind == "image"
    media_call = twilio.requests_to("/Media/ME" + "a" * 32, "GET")[0]
    assert media_call.headers["Authorization"].startswith("Basic ")
    storage_call = twilio.requests_to("/storage/ME" + "a" * 32, "GET")[0]
    assert "Authorization" not in storage_call.headers  # not forwarded to another place


def test_an_sms_without_a_sender_is_kept_unread(post_twilio, sms):
    params = inbound_sms("SM" + "8" * 32, "", "Hola")
    assert post_twilio(sms.webhook_path, params).status_code == 200
    assert not Message.objects.exists()
    assert UnreadDelivery.objects.get().reasons == [
        "an incoming message without MessageSid or From"
    ]


@pytest.fixture
def conversation(post_twilio, sms):
    post_twilio(sms.webhook_path, inbound_sms("SM" + "9" * 32, "+447700900401", "Hola"))
    return Message.objects.get().conversation


@pytest.fixture
def send(conversation, agent, django_capture_on_commit_callbacks):
    def reply(text="Buenos días"):
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.reply(conversation=conversation, text=text, by=agent)
        sent.refresh_from_db()
        return sent

    return reply


def test_a_reply_goes_through_the_messages_api_with_a_status_callback(send, twilio, sms, settings):
    settings.PUBLIC_URL = "https://helpdesk.example.org"
    sent = send("Buenos días, ¿en qué podemos ayudarle?")
    (request,) = twilio.requests_to(f"/Accounts/{ACCOUNT_SID}/Messages.json")
    assert request.form["To"] == ["+447700900401"] and request.form["From"] == [NUMBER]
    assert request.form["Body"] == ["Buenos días, ¿en qué podemos ayudarle?"]
    assert request.form["StatusCallback"] == [
        f"https://helpdesk.example.org/webhooks/{sms.pk}/status/?m={sent.pk}"
    ]
    assert sent.status == MessageStatus.SENT and sent.provider_id.startswith("SM")


def test_status_callbacks_update_the_message_in_any_order(send, post_twilio, sms):
    sent = send()
    for status in ("delivered", "sent", "queued"):
        params = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": sent.provider_id,
            "MessageStatus": status,
        }
        assert post_twilio(f"{sms.webhook_path}status/?m={sent.pk}", params).status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED and sent.delivered_at


def test_an_undelivered_callback_carries_the_error_code(send, post_twilio, sms):
    sent = send()
    params = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sent.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    post_twilio(f"{sms.webhook_path}status/?m={sent.pk}", params)
    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == (MessageStatus.FAILED, "30003")


def test_a_status_callback_must_be_signed(client, send, sms):
    sent = send()
    params = {"MessageSid": sent.provider_id, "MessageStatus": "delivered"}
    path = f"{sms.webhook_path}status/?m={sent.pk}"
    assert client.post(path, urlencode(params), content_type=FORM).status_code == 401
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_a_permanent_error_fails_the_reply(send, twilio):
    twilio.script(
        as_json(
            400,
            {
                "code": 21211,
                "message": "The 'To' number is not a valid phone number.",
                "more_info": "https://www.twilio.com/docs/errors/21211",
                "status": 400,
            },
        )
    )
    sent = send()
    assert (sent.status, sent.error_code) == (MessageStatus.FAILED, "21211")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_rate_limit_or_an_outage_is_retried(send, twilio, status):
    twilio.script(
        as_json(status, {"code": 20429, "message": "Too many requests", "status": status})
    )
    sent = send()
    assert sent.status == MessageStatus.QUEUED and sent.next_attempt_at


def test_a_reply_too_long_for_sms_is_refused_before_sending(conversation, agent):
    with pytest.raises(Invalid, match="at most 1600"):
        services.reply(conversation=conversation, text="x" * 1601, by=agent)


def test_a_menu_is_written_out_as_numbered_lines(
    send, conversation, agent, twilio, django_capture_on_commit_callbacks
):
    from ventanilla.channels.adapters.base import Choice, Menu

    with django_capture_on_commit_callbacks(execute=True):
        services.reply(
            conversation=conversation,
            text="Elija:",
            by=agent,
            menu=Menu(choices=(Choice("a", "Pasaporte"), Choice("b", "Visado"))),
        )
    assert twilio.sent[0]["Body"] == ["Elija:\n\n1. Pasaporte\n2. Visado"]


def test_the_fake_refuses_wrong_credentials(sms, twilio, send):
    config = dict(sms.config, auth_token="wrong-" + AUTH_TOKEN)
    sms.config = config
    sms.save()
    sent = send()
    assert (sent.status, sent.error_code) == (MessageStatus.FAILED, "20003")


def test_nul_characters_in_any_field_are_dropped_and_the_sms_stored(post_twilio, sms):
    """PostgreSQL refuses NUL in text columns; a form field can carry one (%00)."""
    params = inbound_sms(
        "SM" + "0" * 31 + "\x00",
        "+447700900401",
        "Ho\x00la",
        ProfileName="Am\x00ina",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME\x00",
        MediaContentType0="image/jpeg\x00",
    )
    assert post_twilio(sms.webhook_path, params).status_code == 200
    stored = Message.objects.get()
    assert (stored.provider_id, stored.text) == ("SM" + "0" * 31, "Hola")
    assert stored.conversation.contact.name == "Amina"
    assert Attachment.objects.get().mime_type == "image/jpeg"
    assert not UnreadDelivery.objects.exists()
