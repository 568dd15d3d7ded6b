"""Every channel against a running `ventanilla run`, with fake providers at the network edge."""

import json
import signal
import time

import httpx
import pytest

from fakes.graph import FakeGraph, contact, envelope, message, sign
from fakes.twilio import FakeTwilio, inbound_sms, post_signed
from running import Running, command, free_port, migrated_environment, until

JPEG = b"\xff\xd8\xff invented photo"


@pytest.fixture
def environment(tmp_path):
    yield from migrated_environment(tmp_path / "home")


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        yield fake


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


def start(environment, *args, **env):
    """`ventanilla run` whose public address is its own (providers call it back there)."""
    port = free_port()
    env = {**environment, "VENTANILLA_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    return Running(env, *args, port=port), env


def token_for(env):
    made = command(env, "token", "tester", "--role", "admin")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def add_channel(server, token, kind, config):
    status, channel = server.request(
        "POST", "/api/v1/channels", {"type": kind, "name": kind, "config": config}, token=token
    )
    assert status == 201, channel
    # Replies here are the staff's and the providers' statuses: the privacy notice, on by
    # default, is tested in tests/triage/test_privacy.py.
    desk = {"privacy_notice": False}
    assert server.request("PATCH", "/api/v1/desks/default", desk, token=token)[0] == 200
    return channel


def post_whatsapp(channel, delivery):
    """Post a delivery to a channel's webhook as Meta does: the exact bytes, signed."""
    body = json.dumps(delivery).encode()
    return httpx.post(
        channel["webhook_url"],
        content=body,
        timeout=10,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )


def messages_path(server, token):
    """The messages of the (only) conversation, once the consumer has taken it in."""
    found = until(lambda: server.request("GET", "/api/v1/conversations", token=token)[1]["items"])
    return f"/api/v1/conversations/{found[0]['id']}/messages"


def test_every_kind_of_whatsapp_message_and_a_reply_with_its_statuses(environment, graph):
    server, env = start(environment)
    token = token_for(env)
    channel = add_channel(server, token, "whatsapp", graph.config())
    sha = graph.add_media("5550001", JPEG, "image/jpeg")
    graph.add_media("5550002", b"OggS invented voice", "audio/ogg")
    kinds = {
        "text": {"body": "Hola"},
        "image": {
            "id": "5550001",
            "mime_type": "image/jpeg",
            "sha256": sha,
            "caption": "mi tarjeta",
        },
        "audio": {"id": "5550002", "mime_type": "audio/ogg", "voice": True},
        "location": {"latitude": 40.4168, "longitude": -3.7038},
        "interactive": {"type": "button_reply", "button_reply": {"id": "es", "title": "Español"}},
        "button": {"payload": "YES", "text": "Sí"},
        "reaction": {"message_id": "wamid.X", "emoji": "🙏"},
        "sticker": {"id": "5550003", "mime_type": "image/webp"},
        "video": {"id": "5550004", "mime_type": "video/mp4"},
        "document": {"id": "5550005", "mime_type": "application/pdf", "filename": "cita.pdf"},
        "unsupported": {"type": "poll"},
    }
    items = [
        message(f"wamid.E2E{n}", kind, content) for n, (kind, content) in enumerate(kinds.items())
    ]
    items.append(
        message("wamid.E2EC", "contacts", None, contacts=[{"name": {"formatted_name": "Rosa"}}])
    )
    items.append(
        message(
            "wamid.E2EL",
            "interactive",
            {"type": "list_reply", "list_reply": {"id": "asylum", "title": "Asilo"}},
        )
    )
    assert post_whatsapp(channel, envelope(contacts=[contact()], messages=items)).status_code == 200
    path = messages_path(server, token)
    # The consumer stores a delivery's messages one after another.
    history = until(
        lambda: len(h := server.request("GET", path, token=token)[1]) == len(items) and h
    )
    assert [e["kind"] for e in history] == [*kinds, "contacts", "interactive"]
    assert history[-1]["text"] == "Asilo" and history[2]["details"]["voice"] is True
    photo = until(
        lambda: (
            (h := server.request("GET", path, token=token)[1])[1]["attachments"][0]["available"]
            and h
        )
    )
    assert photo[1]["text"] == "mi tarjeta"

    graph.webhook_url = channel["webhook_url"]
    graph.report = ["sent", "delivered", "read"]
    assert server.request("POST", path, {"text": "Le llamamos mañana."}, token=token)[0] == 201
    sent = until(lambda: graph.sent)
    assert sent[0]["text"]["body"] == "Le llamamos mañana." and sent[0]["to"] == "447700900301"
    assert (
        graph.requests_to("/messages")[0].headers["Authorization"]
        == f"Bearer {graph.config()['access_token']}"
    )
    final = until(
        lambda: (h := server.request("GET", path, token=token)[1])[-1]["status"] == "read" and h
    )
    assert final[-1]["delivered_at"] and final[-1]["read_at"]
    assert server.stop() == 0


def test_an_sms_in_and_a_reply_out_with_status_callbacks(environment, twilio):
    server, env = start(environment)
    token = token_for(env)
    channel = add_channel(server, token, "twilio-sms", twilio.config())
    arabic = "أحتاج موعدا لتجديد جواز السفر " * 40
    response = post_signed(
        channel["webhook_url"], inbound_sms("SM" + "e" * 32, "+447700900555", arabic)
    )
    assert response.status_code == 200 and "<Response" in response.text
    path = messages_path(server, token)
    assert server.request("GET", path, token=token)[1][0]["text"] == arabic

    twilio.report = ["sent", "delivered"]
    assert server.request("POST", path, {"text": "Tiene cita el lunes."}, token=token)[0] == 201
    sent = until(lambda: twilio.sent)
    assert sent[0]["Body"] == ["Tiene cita el lunes."] and sent[0]["To"] == ["+447700900555"]
    assert sent[0]["StatusCallback"][0].startswith(
        server.url + f"/webhooks/{channel['id']}/status/?m="
    )
    until(lambda: server.request("GET", path, token=token)[1][-1]["status"] == "delivered")
    assert server.stop() == 0


def test_a_consumer_killed_mid_send_sends_the_message_exactly_once(environment, graph):
    web, env = start(environment, "--no-consumer", VENTANILLA_SENDING_LEASE_SECONDS="4")
    token = token_for(env)
    channel = add_channel(web, token, "whatsapp", graph.config())
    post_whatsapp(channel, envelope(messages=[message("wamid.K1", "text", {"body": "Hola"})]))
    consumer = Running(env, "--no-web", web=False)  # the delivery waited for it, as a row
    path = messages_path(web, token)

    graph.webhook_url = channel["webhook_url"]
    graph.report = ["sent"]  # Meta reports what it accepted, with ventanilla's tracker
    graph.script(None, delay=3)  # ...and takes its time to answer the send call
    assert web.request("POST", path, {"text": "Una sola vez"}, token=token)[0] == 201
    until(lambda: graph.requests_to("/messages"))  # the send is in flight...
    consumer.kill()  # ...when its worker dies (SIGKILL: no goodbye)
    # Meta's status report is acknowledged meanwhile and waits, as a row, for a consumer.
    again = Running(env, "--no-web", web=False)  # after the restart, the sweep runs at once
    until(lambda: "Task consumer" in again.output)
    until(lambda: web.request("GET", path, token=token)[1][-1]["status"] == "sent", timeout=15)
    time.sleep(6)  # past the lease: a send still unrecorded would be tried again by now
    assert len(graph.requests_to("/messages")) == 1
    final = web.request("GET", path, token=token)[1][-1]
    assert (final["status"], final["text"]) == ("sent", "Una sola vez")
    assert again.stop(signal.SIGTERM) == 0 and web.stop() == 0
