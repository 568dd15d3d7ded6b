"""WhatsApp deliveries through the front door: signed posts to the channel's webhook URL."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fakes.graph import VERIFY_TOKEN, contact, envelope, message, sign
from ventanilla.channels.models import UnreadDelivery
from ventanilla.contacts.models import Contact, Identity
from ventanilla.conversations.models import Attachment, Conversation, Message


def test_the_verification_handshake_echoes_the_challenge(client, whatsapp):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = client.get(whatsapp.webhook_path, query)
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}, 403),
        ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}, 403),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, 400),
        ({}, 400),
    ],
)
def test_a_wrong_handshake_is_refused(client, whatsapp, query, status):
    assert client.get(whatsapp.webhook_path, query).status_code == status


def test_a_signed_text_message_opens_a_conversation(post_whatsapp):
    delivery = envelope(
        contacts=[contact("447700900301", "Amina")],
        messages=[message("wamid.T1", "text", {"body": "Hola, necesito ayuda con mi NIE"})],
    )
    response = post_whatsapp(delivery)
    assert response.status_code == 200
    stored = Message.objects.get()
    assert (stored.provider_id, stored.kind, stored.text) == (
        "wamid.T1",
        "text",
        "Hola, necesito ayuda con mi NIE",
    )
    assert stored.provider_sent_at is not None
    assert stored.raw["id"] == "wamid.T1"
    identity = Identity.objects.get()
    assert (identity.scheme, identity.address) == ("tel", "+447700900301")
    assert identity.contact.name == "Amina"


@pytest.mark.parametrize(
    ("signature", "status"),
    [("", 401), ("sha256=" + "0" * 64, 403), ("sha256=nothex", 403), ("md5=abc", 403)],
)
def test_an_unsigned_or_badly_signed_delivery_stores_nothing(post_whatsapp, signature, status):
    delivery = envelope(messages=[message("wamid.X", "text", {"body": "hola"})])
    assert post_whatsapp(delivery, signature=signature).status_code == status
    assert not Message.objects.exists() and not UnreadDelivery.objects.exists()


def test_the_signature_covers_the_exact_bytes_received(post_whatsapp):
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    reserialised = json.dumps(json.loads(body)).encode()  # other bytes, same JSON
    assert post_whatsapp(body, signature=sign(reserialised)).status_code == 403
    assert post_whatsapp(body).status_code == 200


def test_the_signature_uses_the_app_secret_not_the_token(post_whatsapp):
    body = json.dumps(envelope(messages=[message("wamid.X", "text", {"body": "hola"})])).encode()
    assert post_whatsapp(body, signature=sign(body, "EAAG-fake-access-token")).status_code == 403


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not valid JSON"),
        (b"not json", "not valid JSON"),
        (b'{"entry": "\xc3\x28"}', "not UTF-8"),
        (b'{"entry": [NaN]}', "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "nested more than 64 levels deep"),
        (b"[" * 500 + b"]" * 500, "nested more than 64 levels deep"),
        (b"[1, 2, 3]", "no entry list"),
        (b'{"object": "whatsapp_business_account"}', "no entry list"),
        (b'{"entry": "not a list"}', "no entry list"),
    ],
)
def test_a_signed_body_that_is_not_a_delivery_is_acknowledged_and_kept_unread(
    post_whatsapp, body, reason
):
    response = post_whatsapp(body)
    assert (response.status_code, response.content) == (200, b"EVENT_RECEIVED")
    assert not Message.objects.exists()
    unread = UnreadDelivery.objects.get()
    assert reason in unread.reasons[0]
    assert len(unread.body) == len(body.decode("utf-8", errors="replace"))


def test_a_lone_surrogate_in_a_text_or_a_name_becomes_a_replacement_character(post_whatsapp):
    """Meta's JSON may escape half a surrogate pair: "\\ud83d" decodes to a lone surrogate
    that no UTF-8 database, nor the encryption of personal data, can hold."""
    delivery = envelope(
        contacts=[contact("447700900301", "Amina \ud83d")],
        messages=[
            message("wamid.S1", "text", {"body": "Hola \ud83d, \ud83d\ude00 \ude00"}),
            message("wamid.S2", "image", {"id": "55", "caption": "pasaporte\ud83d"}),
            message(
                "wamid.S3",
                "interactive",
                {"type": "button_reply", "button_reply": {"id": "a\udc00", "title": "Sí\ud83d"}},
            ),
            message("wamid.S4", "text", {"body": "bien"}),
        ],
    )
    body = json.dumps(delivery).encode()  # ASCII, with the escapes as Meta sends them
    assert b"\\ud83d" in body
    assert post_whatsapp(body).status_code == 200
    texts = dict(Message.objects.values_list("provider_id", "text"))
    assert texts == {
        "wamid.S1": "Hola \ufffd, \U0001f600 \ufffd",
        "wamid.S2": "pasaporte\ufffd",
        "wamid.S3": "Sí\ufffd",
        "wamid.S4": "bien",
    }
    assert Contact.objects.get().name == "Amina \ufffd"
    stored = Message.objects.get(provider_id="wamid.S3")
    assert stored.details["interactive"]["button_reply"]["id"] == "a\ufffd"
    assert stored.raw["interactive"]["button_reply"]["title"] == "Sí\ufffd"
    assert not UnreadDelivery.objects.exists()


def test_notifications_other_than_messages_are_acknowledged_and_ignored(post_whatsapp):
    delivery = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}},
                    {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
                ],
            }
        ],
    }
    assert post_whatsapp(delivery).status_code == 200
    assert not Message.objects.exists() and not UnreadDelivery.objects.exists()


def test_a_duplicate_delivery_or_a_replay_stores_each_message_once(post_whatsapp):
    delivery = envelope(
        messages=[
            message("wamid.D1", "text", {"body": "uno"}),
            message("wamid.D2", "text", {"body": "dos"}),
        ]
    )
    for _ in range(3):
        assert post_whatsapp(delivery).status_code == 200
    assert sorted(Message.objects.values_list("provider_id", flat=True)) == ["wamid.D1", "wamid.D2"]
    assert Conversation.objects.count() == 1


def test_several_entries_and_messages_in_one_delivery(post_whatsapp):
    first = envelope(
        contacts=[contact("447700900301", "Amina"), contact("447700900302", "Youssef")],
        messages=[
            message("wamid.M1", "text", {"body": "a"}, sender="447700900301"),
            message("wamid.M2", "text", {"body": "b"}, sender="447700900302"),
        ],
    )
    second = envelope(messages=[message("wamid.M3", "text", {"body": "c"}, sender="447700900301")])
    delivery = {**first, "entry": first["entry"] + second["entry"]}
    assert post_whatsapp(delivery).status_code == 200
    assert Message.objects.count() == 3
    assert Contact.objects.count() == 2 and Conversation.objects.count() == 2


def _only(post_whatsapp, item):
    assert post_whatsapp(envelope(messages=[item])).status_code == 200
    return Message.objects.get()


MESSAGE_TYPES = [
    ("location", {"latitude": 40.4168, "longitude": -3.7038}, "location", ""),
    (
        "location",
        {"latitude": 52.37, "longitude": 4.89, "name": "Centraal", "address": "Stationsplein"},
        "location",
        "Centraal Stationsplein",
    ),
    ("contacts", None, "contacts", "Rosa Díaz"),
    (
        "interactive",
        {"type": "button_reply", "button_reply": {"id": "lang_es", "title": "Español"}},
        "interactive",
        "Español",
    ),
    (
        "interactive",
        {
            "type": "list_reply",
            "list_reply": {
                "id": "topic_asylum",
                "title": "Asilo",
                "description": "Solicitud y citas",
            },
        },
        "interactive",
        "Asilo",
    ),
    ("button", {"payload": "STOP", "text": "Stop"}, "button", "Stop"),
    ("reaction", {"message_id": "wamid.OUT1", "emoji": "👍"}, "reaction", "👍"),
    ("reaction", {"message_id": "wamid.OUT1", "emoji": ""}, "reaction", ""),
    (
        "system",
        {"body": "User changed number", "type": "user_changed_number", "wa_id": "447700900399"},
        "system",
        "User changed number",
    ),
    ("hologram", {"anything": True}, "unsupported", ""),
]


@pytest.mark.parametrize(("kind", "content", "stored_kind", "text"), MESSAGE_TYPES)
def test_every_kind_of_message_is_kept(post_whatsapp, kind, content, stored_kind, text):
    extra = {}
    if kind == "contacts":
        content = None
        extra = {
            "contacts": [
                {"name": {"formatted_name": "Rosa Díaz"}, "phones": [{"phone": "+34 600 000 000"}]}
            ]
        }
    stored = _only(post_whatsapp, message("wamid.K", kind, content, **extra))
    assert (stored.kind, stored.text) == (stored_kind, text)
    if kind == "location":
        assert stored.details["location"]["latitude"] == content["latitude"]
    if kind == "interactive":
        assert stored.details["interactive"]["type"] == content["type"]
    if kind == "button":
        assert stored.details["button"]["payload"] == "STOP"
    if kind == "contacts":
        assert stored.details["contacts"][0]["phones"][0]["phone"] == "+34 600 000 000"


def test_an_unsupported_message_keeps_the_error_for_the_agent(post_whatsapp):
    errors = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
    ]
    stored = _only(post_whatsapp, message("wamid.U", "unsupported", None, errors=errors))
    assert stored.kind == "unsupported"
    assert stored.details["errors"][0]["code"] == 131051


def test_context_of_a_reply_or_a_forward_is_kept(post_whatsapp):
    item = message(
        "wamid.R", "text", {"body": "sí"}, context={"from": "15550783881", "id": "wamid.OUT7"}
    )
    assert _only(post_whatsapp, item).details["context"]["id"] == "wamid.OUT7"


def test_a_sender_known_only_by_a_business_scoped_user_id(post_whatsapp):
    item = message("wamid.B", "text", {"body": "hola"}, sender="")
    del item["from"]
    item["from_user_id"] = "US.13491208655302741918"
    stored = _only(post_whatsapp, item)
    assert stored.conversation.identity.scheme == "whatsapp-user"


@pytest.mark.parametrize(
    ("kind", "media", "filename"),
    [
        ("image", {"mime_type": "image/jpeg", "caption": "mi pasaporte"}, ""),
        ("audio", {"mime_type": "audio/ogg; codecs=opus", "voice": True}, ""),
        ("video", {"mime_type": "video/mp4"}, ""),
        ("document", {"mime_type": "application/pdf", "filename": "cita.pdf"}, "cita.pdf"),
        ("sticker", {"mime_type": "image/webp", "animated": False}, ""),
    ],
)
def test_media_is_downloaded_checked_and_kept(post_whatsapp, graph, kind, media, filename):
    content = f"invented {kind} bytes".encode()
    sha = graph.add_media("1003383421387256", content, media["mime_type"])
    stored = _only(
        post_whatsapp, message("wamid.P", kind, {"id": "1003383421387256", "sha256": sha, **media})
    )
    attachment = Attachment.objects.get(message=stored)
    assert attachment.is_fetched, attachment.fetch_error
    assert attachment.file.read() == content
    assert (attachment.mime_type, attachment.size, attachment.filename) == (
        media["mime_type"],
        len(content),
        filename,
    )
    assert stored.text == media.get("caption", "")
    assert (
        graph.requests_to("/1003383421387256", "GET")[0]
        .headers["Authorization"]
        .startswith("Bearer ")
    )


def test_media_that_does_not_match_its_checksum_is_not_kept(post_whatsapp, graph):
    graph.add_media("777", b"what arrived", "image/jpeg")
    wrong = hashlib.sha256(b"what was sent").hexdigest()
    stored = _only(
        post_whatsapp,
        message("wamid.S", "image", {"id": "777", "sha256": wrong, "mime_type": "image/jpeg"}),
    )
    attachment = Attachment.objects.get(message=stored)
    assert not attachment.is_fetched
    assert attachment.fetch_error.startswith("checksum")


def test_media_the_provider_refuses_is_recorded_not_lost(post_whatsapp, graph):
    stored = _only(
        post_whatsapp, message("wamid.G", "image", {"id": "404404", "mime_type": "image/jpeg"})
    )
    attachment = Attachment.objects.get(message=stored)
    assert not attachment.is_fetched and attachment.fetch_error
    assert stored.kind == "image"  # the message itself is stored all the same


def test_a_message_that_cannot_be_read_is_kept_and_the_rest_stored(post_whatsapp):
    delivery = envelope(
        messages=[
            {"type": "text", "text": {"body": "no id"}},
            message("wamid.OK", "text", {"body": "fine"}),
        ]
    )
    assert post_whatsapp(delivery).status_code == 200
    assert list(Message.objects.values_list("provider_id", flat=True)) == ["wamid.OK"]
    unread = UnreadDelivery.objects.get()
    assert unread.reasons == ["a message without an id"]
    assert (
        json.loads(unread.body)["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"]
        == "no id"
    )


def test_a_delivery_for_another_number_is_not_taken_as_ours(post_whatsapp):
    delivery = envelope(messages=[message("wamid.O", "text", {"body": "x"})], phone_number_id="999")
    assert post_whatsapp(delivery).status_code == 200
    assert not Message.objects.exists()
    assert "another number" in UnreadDelivery.objects.get().reasons[0]


def test_an_address_no_phone_can_have_is_kept_unread(post_whatsapp):
    delivery = envelope(messages=[message("wamid.N", "text", {"body": "x"}, sender="12")])
    assert post_whatsapp(delivery).status_code == 200
    assert not Message.objects.exists()
    assert "wamid.N" in UnreadDelivery.objects.get().reasons[0]


def test_an_inactive_or_unknown_channel_is_not_found(client, whatsapp):
    whatsapp.is_active = False
    whatsapp.save()
    assert (
        client.post(whatsapp.webhook_path, b"{}", content_type="application/json").status_code
        == 404
    )
    assert (
        client.post(
            "/webhooks/3f1c6a52-8d2e-4a7b-9a51-2d4f3e0c1b7a/",
            b"{}",
            content_type="application/json",
        ).status_code
        == 404
    )


def test_a_body_too_large_is_refused(post_whatsapp, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(
        envelope(messages=[message("wamid.L", "text", {"body": "x" * 2000})])
    ).encode()
    assert post_whatsapp(body).status_code == 413
    assert not Message.objects.exists()


def test_the_window_follows_the_persons_last_message(post_whatsapp):
    old = int((timezone.now() - timedelta(days=2)).timestamp())
    item = message("wamid.W", "text", {"body": "x"})
    item["timestamp"] = str(old)
    conversation = _only(post_whatsapp, item).conversation
    assert conversation.last_inbound_at.timestamp() == old
