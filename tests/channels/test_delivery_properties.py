"""No delivery can crash the way in: generated deliveries, shaped as the providers document
them, with arbitrary Unicode (lone surrogates, NUL, direction marks), arbitrary nesting and
missing or extra fields, posted signed to the real webhook URLs and to the web chat.

Every verified delivery gets the provider's acknowledgement (the web chat a 2xx or a 4xx with
a JSON reason), never a 500, and every message id of a delivery ends as a stored Message or
in an UnreadDelivery.

The suite runs a modest number of examples per test (the `deliveries` profile). To look
harder, choose the thorough profile, and PostgreSQL for the database's own refusals:

    VENTANILLA_DELIVERY_PROFILE=deliveries-thorough \\
        .venv/bin/pytest -q tests/channels/test_delivery_properties.py
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes.graph import ACCOUNT_ID, PHONE_NUMBER_ID
from fakes.twilio import inbound_sms, voice_params
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Delivery, UnreadDelivery
from ventanilla.channels.services import create_channel
from ventanilla.conversations.models import Message
from ventanilla.helpcentre.services import new_visitor_token
from ventanilla.lib.text import storable

settings.register_profile(
    "deliveries",
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("deliveries-thorough", parent=settings.get_profile("deliveries"),
                          max_examples=2000)  # fmt: skip
PROFILE = settings.get_profile(os.environ.get("VENTANILLA_DELIVERY_PROFILE", "deliveries"))

_examples = itertools.count(1)

# Text as people and providers write it, and worse.
TRICKY = st.sampled_from(
    ["\ud83d", "\ude00", "\ud83d\ude00", "\x00", "\u200f", "\u202e", "\ufeff", "\U0001f600",
     "مرحبا", "\r\n", "%00", "'; --", "<b>", "\\", '"', " "]
)  # fmt: skip
TEXT = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=()), max_size=12), TRICKY), max_size=4
).map("".join)
# Twilio sends UTF-8 form fields: no surrogates there, everything else can be.
FORM_TEXT = TEXT.map(lambda text: text.encode("utf-8", "replace").decode("utf-8"))
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
PHONE = st.from_regex(r"[1-9][0-9]{9,12}", fullmatch=True)


def _or_anything(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The documented value, mostly; sometimes any JSON at all."""
    return st.one_of(strategy, strategy, strategy, JSON_VALUE)


MEDIA = st.fixed_dictionaries(
    {"id": _or_anything(st.from_regex(r"[0-9]{6,16}", fullmatch=True))},
    optional={
        "mime_type": _or_anything(st.sampled_from(["image/jpeg", "audio/ogg", "application/pdf"])),
        "caption": _or_anything(TEXT),
        "filename": _or_anything(TEXT),
        "sha256": _or_anything(TEXT),
        "voice": JSON_VALUE,
    },
)
CONTENT = {
    "text": st.fixed_dictionaries({"body": _or_anything(TEXT)}),
    "image": MEDIA,
    "audio": MEDIA,
    "document": MEDIA,
    "sticker": MEDIA,
    "location": st.fixed_dictionaries(
        {},
        optional={
            "latitude": _or_anything(st.floats(-90, 90)),
            "longitude": _or_anything(st.floats(-180, 180)),
            "name": _or_anything(TEXT),
            "address": _or_anything(TEXT),
        },
    ),
    "interactive": st.sampled_from(["button_reply", "list_reply"]).flatmap(
        lambda kind: st.fixed_dictionaries(
            {
                "type": st.just(kind),
                kind: st.fixed_dictionaries(
                    {"id": _or_anything(TEXT), "title": _or_anything(TEXT)},
                    optional={"description": TEXT},
                ),
            }
        )
    ),
    "button": st.fixed_dictionaries({"payload": _or_anything(TEXT), "text": _or_anything(TEXT)}),
    "reaction": st.fixed_dictionaries(
        {"message_id": _or_anything(TEXT), "emoji": _or_anything(TEXT)}
    ),
    "system": st.fixed_dictionaries({"body": _or_anything(TEXT), "type": TEXT}),
    "unsupported": JSON_VALUE,
}


@st.composite
def whatsapp_message(draw: Any, example: int, number: int) -> dict[str, Any]:
    kind = draw(st.sampled_from([*CONTENT, "contacts", "hologram"]))
    item: dict[str, Any] = {
        "from": draw(_or_anything(PHONE)),
        "id": f"wamid.{example}.{number}.{draw(TEXT)}",
        "timestamp": draw(_or_anything(st.integers(0, 2**40).map(str))),
        "type": kind,
    }
    if kind == "contacts":
        item["contacts"] = [{"name": {"formatted_name": draw(_or_anything(TEXT))},
                             "phones": [{"phone": draw(TEXT)}]}]  # fmt: skip
    elif kind in CONTENT:
        item[kind] = draw(CONTENT[kind])
    for field in draw(st.sets(st.sampled_from(["from", "timestamp", "type", kind]))):
        item.pop(field, None)  # a field missing
    item.update(draw(st.dictionaries(TEXT, JSON_VALUE, max_size=2)))  # fields not documented
    item["id"] = f"wamid.{example}.{number}.{draw(TEXT)}"
    return item


@st.composite
def whatsapp_delivery(draw: Any) -> tuple[dict[str, Any], list[str], int]:
    example = next(_examples)
    messages = [
        draw(whatsapp_message(example, number)) for number in range(draw(st.integers(1, 3)))
    ]
    senders = [m["from"] for m in messages if isinstance(m.get("from"), str)]
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [
            {"profile": {"name": draw(_or_anything(TEXT))}, "wa_id": sender} for sender in senders
        ],
        "messages": messages,
    }
    if draw(st.booleans()):
        value["statuses"] = [{"id": draw(TEXT), "recipient_id": draw(PHONE),
                              "status": draw(st.sampled_from(["sent", "delivered", "read",
                                                              "failed"]) | TEXT),
                              "timestamp": draw(_or_anything(st.integers(0, 2**40).map(str))),
                              "biz_opaque_callback_data": draw(_or_anything(TEXT)),
                              "errors": draw(_or_anything(st.just([{"code": 131047,
                                                                    "title": "x"}])))}]  # fmt: skip
    deep = draw(st.integers(1, 6000)) if draw(st.integers(0, 9)) == 0 else 0
    if deep:
        value["deep"] = DEEP  # a value nested `deep` levels, written out by _dumps
    change = {"field": "messages", "value": value}
    delivery = {
        "object": "whatsapp_business_account",
        "entry": [{"id": ACCOUNT_ID, "changes": [change]}],
    }
    return delivery, [m["id"] for m in messages], deep


DEEP = "@deep@"


def _dumps(value: Any, deep: int = 0) -> bytes:
    """JSON as a provider writes it: ASCII with escapes, lone surrogates included; the deep
    value written out by hand, deeper than Python's own serialiser goes."""
    body = json.dumps(value).encode()
    return body.replace(f'"{DEEP}"'.encode(), b"[" * deep + b"]" * deep) if deep else body


def _accounted_for(channel: Any, provider_id: str, unread_before: int) -> bool:
    stored = Message.objects.filter(channel=channel, provider_id=storable(provider_id)).exists()
    return stored or UnreadDelivery.objects.filter(channel=channel).count() > unread_before


@PROFILE
@given(whatsapp_delivery())
def test_every_signed_whatsapp_delivery_is_acknowledged_and_kept(post_whatsapp, whatsapp, drawn):
    delivery, ids, deep = drawn
    unread = UnreadDelivery.objects.count()
    response = post_whatsapp(_dumps(delivery, deep))
    assert (response.status_code, response.content) == (200, b"EVENT_RECEIVED")
    for provider_id in ids:
        assert _accounted_for(whatsapp, provider_id, unread), provider_id


SMS_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "ProfileName": FORM_TEXT,
        "NumMedia": st.sampled_from(["0", "1", "2", "-1", "11", "x", ""]) | FORM_TEXT,
        "MediaUrl0": FORM_TEXT,
        "MediaContentType0": st.sampled_from(["image/jpeg", "application/pdf"]) | FORM_TEXT,
        "Latitude": FORM_TEXT,
        "Longitude": FORM_TEXT,
        "Address": FORM_TEXT,
        "WaId": FORM_TEXT,
        "Undocumented": FORM_TEXT,
    },
)


@PROFILE
@given(
    sid=FORM_TEXT,
    sender=st.one_of(PHONE.map(lambda digits: "+" + digits), FORM_TEXT),
    body=FORM_TEXT,
    extra=SMS_FIELDS,
)
def test_every_signed_sms_is_acknowledged_and_kept(post_twilio, sms, sid, sender, body, extra):
    unread = UnreadDelivery.objects.count()
    provider_id = f"SM{next(_examples)}{sid}"
    params = inbound_sms(provider_id, sender, body, **extra)
    response = post_twilio(sms.webhook_path, params)
    assert response.status_code == 200
    assert response.content.decode().endswith("<Response />")
    assert _accounted_for(sms, provider_id, unread)


@pytest.fixture
def voice(desk, twilio):
    desk.languages = ["es", "en", "ar"]
    desk.save()
    return create_channel(
        desk=desk, type="twilio-voice", name="Voz", config=twilio.config(), by=None
    )


VOICE_ACTIONS = ["", "language", "topic", "wait", "wait-choice", "queued", "connect", "closed",
                 "voicemail", "recording", "status", "agent", "agent-done", "callback",
                 "callback-done"]  # fmt: skip
VOICE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(st.sampled_from(values), FORM_TEXT)
        for name, values in {
            "CallStatus": ["ringing", "in-progress", "completed", "busy", "no-answer"],
            "Digits": ["1", "2", "9", "#", "123"],
            "RecordingUrl": ["https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1"],
            "RecordingSid": ["RE" + "1" * 32],
            "RecordingStatus": ["completed", "failed"],
            "RecordingDuration": ["0", "12", "-4", "99999999999999999999"],
            "QueueTime": ["0", "80", "-1", "1e9"],
            "QueuePosition": ["1", "0"],
            "QueueResult": ["bridged", "hangup", "leave"],
            "DequeingCallSid": ["CA" + "2" * 32],
            "DialCallStatus": ["completed", "no-answer"],
            "DialCallDuration": ["30"],
            "CallDuration": ["60", "x"],
            "Direction": ["inbound", "outbound-api"],
            "From": ["+50499990001", "anonymous", "client:agent"],
        }.items()
    },
)


@PROFILE
@given(
    actions=st.lists(st.sampled_from(VOICE_ACTIONS), min_size=1, max_size=4),
    sid=st.from_regex(r"CA[0-9a-f]{32}", fullmatch=True),
    fields=VOICE_FIELDS,
    query=st.dictionaries(st.sampled_from(["tries", "m", "lang"]), FORM_TEXT, max_size=2),
)
def test_every_signed_voice_callback_is_answered_never_with_a_500(
    post_twilio, voice, actions, sid, fields, query
):
    for action in ["", *actions]:
        path = f"{voice.webhook_path}{action}/" if action else voice.webhook_path
        if query:
            path += "?" + urlencode(query)
        response = post_twilio(path, voice_params(sid, **fields))
        assert response.status_code != 500
        if response.status_code == 200:
            assert response["Content-Type"].startswith("text/xml")
            assert response.content.startswith(b"<?xml")


CLIENT_ID = st.one_of(
    st.from_regex(r"[A-Za-z0-9-]{8,64}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9-]{8,64}", fullmatch=True),
    TEXT,
)
WEBCHAT_BODY = st.one_of(
    st.fixed_dictionaries(
        {"text": _or_anything(TEXT), "client_id": CLIENT_ID},
        optional={
            "language": _or_anything(st.sampled_from(["es", "ar", "en-GB"])),
            "choice": _or_anything(
                st.fixed_dictionaries({"id": _or_anything(TEXT), "title": _or_anything(TEXT)})
            ),
            "extra": JSON_VALUE,
        },
    ).map(json.dumps),
    JSON_VALUE.map(json.dumps),
    st.integers(1, 6000).map(lambda depth: "[" * depth + "]" * depth),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
)


@PROFILE
@given(body=WEBCHAT_BODY)
def test_every_web_chat_write_is_stored_or_refused_with_a_reason(client, webchat, body):
    token = new_visitor_token(channel=webchat)
    example = next(_examples)
    response = client.post(
        f"/webchat/{webchat.pk}/messages",
        body.encode("utf-8", "surrogatepass"),
        content_type="application/json",
        headers={"X-Visitor-Token": token},
        REMOTE_ADDR=f"10.{example // 65536 % 256}.{example // 256 % 256}.{example % 256}",
    )
    assert response.status_code in (201, 400, 422), response.content
    if response.status_code == 201:
        written = json.loads(body)["text"]
        assert isinstance(written, str)  # anything else is refused, not stored as its repr
        assert Message.objects.get(pk=response.json()["id"]).text == storable(written).strip()
    else:
        assert set(response.json()) == {"error", "detail"}


# Refused: a request that is not the provider's, whatever it carries, is refused before
# anything is read of it, and leaves nothing behind.

SIGNATURE = st.one_of(
    st.none(),  # no header at all
    st.text(st.characters(codec="latin-1"), max_size=80),
    st.from_regex(r"sha256=[0-9a-f]{64}", fullmatch=True),  # well formed, of other bytes
)
ANY_BODY = st.one_of(
    st.binary(max_size=200), JSON_VALUE.map(lambda value: json.dumps(value).encode())
)


def _kept() -> tuple[int, int, int]:
    """Everything a delivery could leave: the intake's rows, messages, unread deliveries."""
    return (
        Delivery.objects.using(intake_database()).count(),
        Message.objects.count(),
        UnreadDelivery.objects.count(),
    )


@PROFILE
@given(body=ANY_BODY, signature=SIGNATURE)
def test_a_whatsapp_delivery_not_signed_by_meta_is_refused_and_leaves_nothing(
    post_whatsapp, whatsapp, body, signature
):
    before = _kept()
    response = post_whatsapp(body, signature="" if signature is None else signature)
    assert response.status_code in (401, 403), response.content
    assert _kept() == before


@PROFILE
@given(
    params=st.dictionaries(FORM_TEXT, FORM_TEXT, max_size=5),
    signature=st.none() | st.text(st.characters(codec="latin-1"), max_size=40),
    kind=st.sampled_from(["sms", "voice"]),
    action=st.sampled_from(["", "status", "menu", "recorded"]),
)
def test_a_twilio_request_not_signed_by_twilio_is_refused_and_leaves_nothing(
    post_twilio, sms, voice, params, signature, kind, action
):
    channel = sms if kind == "sms" else voice
    path = f"{channel.webhook_path}{action}/" if action else channel.webhook_path
    before = _kept()
    response = post_twilio(path, params, signature="" if signature is None else signature)
    assert response.status_code in (401, 403, 404), response.content
    assert _kept() == before


@PROFILE
@given(
    token=st.none() | st.text(st.characters(codec="latin-1"), max_size=60),
    body=WEBCHAT_BODY,
)
def test_a_web_chat_write_without_a_visitors_token_is_refused_and_leaves_nothing(
    client, webchat, token, body
):
    before = _kept()
    response = client.post(
        f"/webchat/{webchat.pk}/messages",
        body.encode("utf-8", "surrogatepass"),
        content_type="application/json",
        headers={} if token is None else {"X-Visitor-Token": token},
    )
    assert response.status_code in (400, 401, 403), response.content
    assert response.json()["error"]
    assert _kept() == before
