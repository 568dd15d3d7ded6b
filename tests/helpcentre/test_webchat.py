"""The web chat's page and its API, as the widget uses them."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.models import Conversation, Message, MessageStatus


@pytest.fixture
def chat(desk):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    return create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)


@pytest.fixture
def visitor(client, chat):
    response = client.post(f"/webchat/{chat.pk}/session")
    assert response.status_code == 201
    return response.json()["token"]


def write(client, chat, token, text, client_id="c1d2e3f4-0001", **extra):
    return client.post(
        f"/webchat/{chat.pk}/messages",
        json.dumps({"text": text, "client_id": client_id, **extra}),
        content_type="application/json",
        headers={"X-Visitor-Token": token},
    )


def read(client, chat, token, after=0):
    return client.get(
        f"/webchat/{chat.pk}/messages", {"after": after}, headers={"X-Visitor-Token": token}
    )


def test_the_widget_script_points_at_the_chat_page(client, chat):
    response = client.get(f"/webchat/{chat.pk}/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert f'var chatUrl = "http://testserver/webchat/{chat.pk}/";' in response.content.decode()


def test_the_chat_page_offers_the_desks_languages_and_only_its_own_site_may_frame_it(client, chat):
    response = client.get(f"/webchat/{chat.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="?lang=es"' in page and 'href="?lang=ar"' in page and "العربيّة" in page
    assert "X-Frame-Options" not in response.headers
    policy = response["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self'") and "script-src 'self';" in policy
    assert response["Cache-Control"] == "no-store"


def test_allowed_origins_limit_where_the_chat_may_be_framed(client, desk):
    channel = create_channel(
        desk=desk,
        type="webchat",
        name="Chat",
        by=None,
        config={"allowed_origins": ["https://consulado.example"]},
    )
    response = client.get(f"/webchat/{channel.pk}/")
    assert response["Content-Security-Policy"].endswith(
        "; frame-ancestors 'self' https://consulado.example"
    )


def test_arabic_turns_the_page_right_to_left(client, chat):
    page = client.get(f"/webchat/{chat.pk}/", {"lang": "ar"}).content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page


def test_a_visitor_writes_and_reads_the_reply(
    client, chat, visitor, agent, django_capture_on_commit_callbacks
):
    assert write(client, chat, visitor, "Hola, ¿cuándo abren?", language="es").status_code == 201
    conversation = Conversation.objects.get()
    assert conversation.language == "es" and conversation.channel == chat
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply(conversation=conversation, text="Abrimos a las 9:00", by=agent)
    thread = read(client, chat, visitor).json()["messages"]
    assert [(m["direction"], m["text"]) for m in thread] == [
        ("in", "Hola, ¿cuándo abren?"),
        ("out", "Abrimos a las 9:00"),
    ]
    reply.refresh_from_db()
    assert reply.status == MessageStatus.DELIVERED
    assert read(client, chat, visitor, after=thread[-1]["id"]).json()["messages"] == []


def test_sending_the_same_message_again_stores_it_once(client, chat, visitor):
    for _ in range(3):
        assert write(client, chat, visitor, "Hola", client_id="retry-0001").status_code == 201
    assert Message.objects.count() == 1


def test_visitors_cannot_see_each_other(client, chat, visitor):
    write(client, chat, visitor, "Mi secreto")
    other = client.post(f"/webchat/{chat.pk}/session").json()["token"]
    assert read(client, chat, other).json()["messages"] == []
    write(
        client, chat, other, "Hola", client_id="c1d2e3f4-0001"
    )  # the same client id, another visitor
    assert Message.objects.count() == 2 and Conversation.objects.count() == 2


def test_a_choice_offered_by_a_menu_comes_back_with_its_id(
    client, chat, visitor, agent, django_capture_on_commit_callbacks
):
    from ventanilla.channels.adapters.base import Choice, Menu

    write(client, chat, visitor, "Hola")
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(
            conversation=conversation,
            text="¿Tema?",
            by=agent,
            menu=Menu(choices=(Choice("passport", "Pasaporte"),)),
        )
    offered = read(client, chat, visitor).json()["messages"][-1]
    assert offered["choices"] == [{"id": "passport", "title": "Pasaporte"}]
    write(
        client,
        chat,
        visitor,
        "Pasaporte",
        client_id="choice-0001",
        choice={"id": "passport", "title": "Pasaporte"},
    )
    chosen = Message.objects.filter(direction="in").last()
    assert chosen.kind == "interactive" and chosen.details["interactive"]["id"] == "passport"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, {"text": "x", "client_id": "abcdefgh"}, 401),
        ({"X-Visitor-Token": "short"}, {"text": "x", "client_id": "abcdefgh"}, 401),
        (None, {"text": "", "client_id": "abcdefgh"}, 422),
        (None, {"text": "x" * 5000, "client_id": "abcdefgh"}, 422),
        (None, {"text": "x", "client_id": "bad id!"}, 422),
        (None, {"text": None, "client_id": "abcdefgh"}, 422),  # not stored as "None"
        (None, {"text": ["x"], "client_id": "abcdefgh"}, 422),
        (None, {"text": "x", "client_id": 12345678}, 422),
        (None, "not json", 400),
        (None, [1, 2], 400),
        (None, "[" * 5000 + "]" * 5000, 400),  # deeper than the JSON parser's recursion
        (None, "[" * 500 + "]" * 500, 400),
        (None, '{"text": "x", "client_id": "abcdefgh", "n": NaN}', 400),
    ],
)
def test_bad_writes_are_refused_with_a_reason(client, chat, visitor, headers, body, status):
    response = client.post(
        f"/webchat/{chat.pk}/messages",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers={"X-Visitor-Token": visitor} if headers is None else headers,
    )
    assert response.status_code == status
    assert set(response.json()) >= {"error", "detail"}
    assert not Message.objects.exists()


def test_a_visitor_writing_too_fast_is_slowed_down(client, chat, visitor):
    # Within one minute: limits count in fixed windows, and a slow machine may otherwise
    # take these 35 writes across the turn of a minute.
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, 5, tzinfo=UTC), tick=False):
        statuses = [
            write(client, chat, visitor, f"m{n}", client_id=f"flood-{n:04d}").status_code
            for n in range(35)
        ]
    assert statuses.count(201) == 30 and statuses[-1] == 429


def test_an_unknown_or_inactive_chat_is_not_found(client, chat):
    chat.is_active = False
    chat.save()
    assert client.get(f"/webchat/{chat.pk}/").status_code == 404
    assert client.post(f"/webchat/{chat.pk}/session").status_code == 404
    assert client.get(f"/webchat/{chat.pk}/widget.js").status_code == 404


def test_a_made_up_token_opens_no_chat(client, chat):
    """Token fixation: a token of someone's choosing, sent in a link, must not work."""
    chosen = "A" * 43 + "." + "B" * 43
    for token in (chosen, "x" * 48, "K" * 64):
        response = write(client, chat, token, "Hola")
        assert response.status_code == 401, token
        assert response.json()["error"] == "visitor_token"
        assert read(client, chat, token).status_code == 401
    assert Message.objects.count() == 0


def test_a_token_issued_for_another_web_chat_opens_no_chat(client, chat, visitor, desk):
    other = create_channel(desk=desk, type="webchat", name="Other", config={}, by=None)
    assert write(client, other, visitor, "Hola").status_code == 401
    assert read(client, other, visitor).status_code == 401
    assert write(client, chat, visitor, "Hola").status_code == 201


def test_made_up_tokens_do_not_get_around_the_limit_of_new_chats(client, chat):
    tokens = [client.post(f"/webchat/{chat.pk}/session") for _ in range(31)]
    assert [r.status_code for r in tokens[-2:]] == [201, 429]
    made_up = "C" * 43 + "." + "D" * 43
    assert write(client, chat, made_up, "Hola").status_code == 401
    assert Conversation.objects.count() == 0


def test_a_lone_surrogate_a_visitor_sends_is_stored_as_a_replacement_character(
    client, chat, visitor
):
    body = b'{"text": "Hola \\ud83d y \\ud83d\\ude00", "client_id": "c1d2e3f4-0009"}'
    response = client.post(
        f"/webchat/{chat.pk}/messages",
        body,
        content_type="application/json",
        headers={"X-Visitor-Token": visitor},
    )
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "Hola \ufffd y \U0001f600"
    assert Message.objects.get().text == "Hola \ufffd y \U0001f600"
