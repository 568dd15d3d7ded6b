"""The phone line against a running `ventanilla run`: Twilio's signed Voice webhooks over real
HTTP, the TwiML read back, and an agent's phone rung through a fake Twilio REST API."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import httpx
import pytest

from fakes.twilio import FakeTwilio, post_signed, voice_params
from running import Running, command, free_port, migrated_environment

CALLER = "+50499990001"


class Twiml:
    """A TwiML answer, parsed."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/xml")
        self.root = ET.fromstring(response.content)  # noqa: S314 (our own answer)
        assert self.root.tag == "Response"

    @property
    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]

    def one(self, tag: str) -> ET.Element:
        found = list(self.root.iter(tag))
        assert len(found) == 1, ET.tostring(self.root, encoding="unicode")
        return found[0]

    def text(self) -> str:
        return " ".join(say.text or "" for say in self.root.iter("Say"))


@pytest.fixture
def environment(tmp_path):
    yield from migrated_environment(tmp_path / "home")


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


def start(environment):
    """`ventanilla run` whose public address is its own, as Twilio would call it."""
    port = free_port()
    env = {**environment, "VENTANILLA_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    return Running(env, port=port), env


def token_for(env, username, role):
    made = command(env, "token", username, "--role", role)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_a_call_goes_through_the_menus_into_the_queue_and_an_agent_takes_it(environment, twilio):
    server, env = start(environment)
    admin = token_for(env, "tester", "admin")
    desk = {"languages": ["es", "en", "ar"], "emergency_phone": "112"}
    assert server.request("PATCH", "/api/v1/desks/default", desk, token=admin)[0] == 200
    status, channel = server.request(
        "POST",
        "/api/v1/channels",
        {"type": "twilio-voice", "name": "Phone line", "config": twilio.config()},
        token=admin,
    )
    assert status == 201, channel
    webhook = channel["webhook_url"]
    assert webhook == f"{server.url}/webhooks/{channel['id']}/"
    sid = "CA" + "7e1" * 10 + "00"

    def post(url: str, **params: str) -> Twiml:
        """What Twilio posts for the caller's call: the standard parameters, signed over
        the full URL (TwiML's URLs are relative to the request's, as Twilio reads them)."""
        return Twiml(post_signed(urljoin(webhook, url), voice_params(sid, caller=CALLER, **params)))

    # The call comes in: greeted, then the language menu, one key.
    incoming = post(webhook, CallStatus="ringing")
    menu = incoming.one("Gather")
    assert menu.get("numDigits") == "1" and menu.get("action", "").startswith(
        f"/webhooks/{channel['id']}/language/"
    )
    assert incoming.verbs[-1] == "Redirect"  # no key pressed: the menu again
    assert "Default desk" in incoming.text()

    # Spanish (key 1): the topic menu.
    topics = post(menu.get("action", ""), Digits="1")
    assert topics.one("Gather").get("action", "").startswith(f"/webhooks/{channel['id']}/topic/")
    assert "4" in topics.text()

    # An emergency (key 4): the emergency number is said, then the caller waits, urgent.
    queued = post(topics.one("Gather").get("action", ""), Digits="4")
    assert "1 1 2" in queued.text()
    enqueue = queued.one("Enqueue")
    assert enqueue.text and enqueue.text.endswith("-es-urgent")
    assert enqueue.get("waitUrl") == f"/webhooks/{channel['id']}/wait/"
    assert enqueue.get("action") == f"/webhooks/{channel['id']}/queued/"

    # Twilio asks the wait URL while the caller waits: the place in the queue and the wait
    # (no agent with a phone yet: 1 x the assumed 4 minutes of talk).
    waiting = post(enqueue.get("waitUrl", ""), QueuePosition="1", QueueTime="12", QueueSid="QU1")
    said = waiting.one("Say")
    assert said.get("language") == "es-ES" and "1" in (said.text or "")
    assert "4" in (said.text or "")

    # A request whose signature is not Twilio's is refused, and changes nothing.
    forged = post_signed(webhook, voice_params("CA" + "f" * 32), token="not-the-auth-token")
    assert forged.status_code == 403

    # An agent sets where their phone rings and takes the next call: the line rings them.
    agent = token_for(env, "maria", "agent")
    status, phone = server.request(
        "PUT", "/api/v1/staff/maria/phone", {"phone": "+34600000001"}, token=admin
    )
    assert status == 200 and phone["phone_set"] and "600000001" not in phone["phone"]
    status, taken = server.request("POST", "/api/v1/calls/next", token=agent)
    assert status == 201, taken
    assert taken["caller"]["urgent"] and taken["caller"]["language"] == "es"
    (ring,) = twilio.calls
    assert ring["To"] == "+34600000001" and ring["From"] == twilio.config()["number"]
    assert ring["Url"].startswith(webhook + "agent/")
    assert ring["StatusCallback"].startswith(webhook + "status/")

    # The agent picks up: Twilio asks the Url, which dials the caller's queue...
    leg = twilio.placed[0]
    agent_params = {**voice_params(leg, caller=twilio.config()["number"]), "To": "+34600000001",
                    "Direction": "outbound-api"}  # fmt: skip
    dial = Twiml(post_signed(ring["Url"], agent_params))
    queue = dial.one("Queue")
    assert queue.text == enqueue.text
    # ...and the caller hears they are put through, then talks for 95 seconds.
    connecting = post(queue.get("url", ""), DequeingCallSid=leg, QueueTime="40", QueueSid="QU1")
    assert connecting.one("Say").text
    assert post(enqueue.get("action", ""), QueueResult="bridged", QueueTime="40").verbs == [
        "Hangup"
    ]
    done = {**agent_params, "DialCallStatus": "completed", "DialCallDuration": "95"}
    ended = post_signed(urljoin(webhook, dial.one("Dial").get("action", "")), done)
    assert Twiml(ended).verbs == ["Hangup"]
    post_signed(webhook + "status/", voice_params(sid, caller=CALLER, CallStatus="completed",
                                                   CallDuration="150"))  # fmt: skip

    status, calls = server.request("GET", "/api/v1/calls", token=admin)
    assert status == 200, calls
    (call,) = calls["items"]
    assert (call["outcome"], call["agent"], call["wait_seconds"]) == ("answered", "maria", 40)
    assert call["talk_seconds"] == 95 and call["topic"] == "emergency"
    conversation = server.request(
        "GET", f"/api/v1/conversations/{call['conversation']['id']}", token=admin
    )[1]
    assert (conversation["priority"], conversation["request_type"]) == (
        "urgent",
        "rights-violation",
    )
    assert not [n for n in ("50499990001", "34600000001") if n in json.dumps(calls)]

    status, report = server.request("GET", "/api/v1/reports/calls?desk=default", token=admin)
    assert status == 200, report
    assert (report["calls_received"], report["answered"], report["abandoned"]) == (1, 1, 0)
    assert server.stop() == 0
