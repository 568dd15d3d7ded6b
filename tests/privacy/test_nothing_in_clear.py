"""The proof of "unreadable at rest": people write, call and send files through every real
entry point of a running `ventanilla run`; staff answer, note, translate and look things up;
then every place the installation keeps data (its database file or a `pg_dump`, its media
folder, its queue and cache, a backup, its logs) is read byte by byte for every number, name,
text and file content the scenario created, and none is found in clear.

The providers are fakes at the network edge (Meta's Graph API, Twilio, LibreTranslate); the
rest is the service as installed. On PostgreSQL (DATABASE_URL set) the database is read with
`pg_dump` and the task queue and cache in Redis are read too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import httpx
import pytest

from fakes.graph import FakeGraph, contact, envelope, message, sign
from fakes.libretranslate import FakeLibreTranslate
from fakes.twilio import FakeTwilio, inbound_sms, post_signed, voice_params
from running import Running, command, free_port, migrated_environment, until

PASSWORD = "a-long-proof-password"  # the scenario's agent

# What the people of the scenario give away: all invented, each easy to find in bytes.
WHATSAPP_NUMBER = "+34699112233"
WHATSAPP_NAME = "Zoraida Quintanilla-Brask"
WHATSAPP_TEXT = "Mi hermano Teodulfo fue detenido ayer en la frontera de Xquelmar"
PHOTO = b"\xff\xd8\xff\xe0 JPEG photo of the residence card of Zoraida, ZQ7-CARTA"
PHOTO_CAPTION = "mi tarjeta Wenceslava caducada"
VOICE_NOTE = b"OggS\x00\x02 voice note: ZQ8-VOZ tengo miedo de volver"
LATITUDE, LONGITUDE = 40.41683, -3.70379
PLACE = "Albergue Quirinalia, Calle Ximenez Urquiza 17"
REPLY = "Zoraida, el abogado Ptolomeo le llamara el martes"
NOTE = "@jonas la persona teme a su empleador Hermenegildo Sarmiento"
SMS_NUMBER = "+212661234987"
SMS_TEXT = "أحتاج مساعدة، زوجي قدور البوزيدي محتجز منذ أسبوع Qaddurzid"
CHAT_NAME = "Yusra Benhaddou-Kwame"
CHAT_TEXT = f"Me llamo {CHAT_NAME} y duermo en la estacion de Vallisoletana"
REFERENCE = "ES-2026-987654"
BIRTH = ("23/07/1987", "1987-07-23")
PORTAL_TEXT = "Solicito cita: perdi el pasaporte de mi hija Filomena Ortzarra"
PORTAL_CONTACT = "filomena.ortzarra@example.org +33612349876"
PORTAL_FILE = b"%PDF-1.4 passport scan ZQ9-PASAPORTE of Filomena Ortzarra"
PORTAL_FILENAME = "pasaporte-Ortzarra.pdf"
CALLER = "+50499887766"
VOICEMAIL = b"ID3\x03 voice message ZQ10-BUZON: llamenme al salir del turno"
CALL_RECORDING = b"ID3\x03 the whole call ZQ11-GRABACION about the detention"
AGENT_PHONE = "+34600777001"

NUMBERS = [
    WHATSAPP_NUMBER, WHATSAPP_NUMBER[1:], WHATSAPP_NUMBER[3:],
    SMS_NUMBER, SMS_NUMBER[1:], SMS_NUMBER[4:],
    CALLER, CALLER[1:], CALLER[4:],
    "+33612349876", "612349876",
    AGENT_PHONE, AGENT_PHONE[1:], AGENT_PHONE[3:],
]  # fmt: skip
NAMES = [WHATSAPP_NAME, "Quintanilla", CHAT_NAME, "Benhaddou", "Filomena Ortzarra", "Ortzarra"]
TEXTS = [
    WHATSAPP_TEXT, "Teodulfo", "Xquelmar", PHOTO_CAPTION, "Wenceslava", PLACE, "Quirinalia",
    f"{LATITUDE}", f"{LONGITUDE}", REPLY, "Ptolomeo", NOTE, "Hermenegildo", SMS_TEXT,
    "قدور البوزيدي", "Qaddurzid", CHAT_TEXT, "Vallisoletana", REFERENCE, *BIRTH, PORTAL_TEXT,
    PORTAL_CONTACT, "filomena.ortzarra@example.org", PORTAL_FILENAME,
]  # fmt: skip
FILES = [PHOTO, VOICE_NOTE, PORTAL_FILE, VOICEMAIL, CALL_RECORDING]
MARKS = ["ZQ7-CARTA", "ZQ8-VOZ", "ZQ9-PASAPORTE", "ZQ10-BUZON", "ZQ11-GRABACION"]


def forms_of(secret: str) -> set[bytes]:
    """The ways a text can be written into a file: as UTF-8, escaped in JSON (as Python and
    Django write non-ASCII), and escaped in an address or a form body."""
    return {
        secret.encode(),
        json.dumps(secret).strip('"').encode(),
        quote(secret).encode(),
        quote_plus(secret).encode(),
    }


SECRETS: dict[bytes, str] = {
    **{form: f"text {t!r}" for t in NAMES + TEXTS + NUMBERS for form in forms_of(t)},
    **{content: f"file content {content[:12]!r}" for content in FILES},
    **{mark.encode(): f"file content {mark}" for mark in MARKS},
}


@dataclass
class Scenario:
    server: Running
    env: dict[str, str]
    admin: str
    agent: str
    graph: FakeGraph
    twilio: FakeTwilio

    def api(self, method: str, path: str, body: object = None, token: str = "") -> object:
        status, answer = self.server.request(method, path, body, token=token or self.admin)
        assert status in (200, 201), (method, path, status, answer)
        return answer

    def channel(self, kind: str, config: dict[str, object]) -> dict[str, str]:
        made = self.api("POST", "/api/v1/channels", {"type": kind, "name": kind, "config": config})
        assert isinstance(made, dict)
        return made

    def conversation_of(self, channel: dict[str, str]) -> int:
        def found() -> int | None:
            listed = self.api("GET", f"/api/v1/conversations?channel={channel['id']}")
            assert isinstance(listed, dict)
            return listed["items"][0]["id"] if listed["items"] else None

        return int(until(found))

    def messages(self, conversation: int) -> list[dict[str, object]]:
        found = self.api("GET", f"/api/v1/conversations/{conversation}/messages")
        assert isinstance(found, list)
        return found


@pytest.fixture
def environment(tmp_path):
    yield from migrated_environment(tmp_path / "home")


@pytest.fixture
def scenario(environment):
    with FakeGraph() as graph, FakeTwilio() as twilio, FakeLibreTranslate() as translator:
        port = free_port()
        env = {
            **environment,
            "VENTANILLA_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "VENTANILLA_TRANSLATE_URL": translator.url,
        }
        server = Running(env, port=port)
        admin = token(env, "proof-admin", "admin")
        agent = token(env, "maria", "agent")
        token(env, "jonas", "agent")  # a colleague, mentioned in a note
        shell = command(env, "shell", "-c", SET_PASSWORD)
        assert shell.returncode == 0, shell.stderr
        yield Scenario(server, env, admin, agent, graph, twilio)
        if server.process.poll() is None:
            server.stop()


SET_PASSWORD = (
    "from django.contrib.auth.models import User; u = User.objects.get(username='maria'); "
    f"u.set_password('{PASSWORD}'); u.save()"
)


def token(env: dict[str, str], username: str, role: str) -> str:
    made = command(env, "token", username, "--role", role)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_nothing_a_person_confided_is_stored_in_clear_anywhere(scenario, tmp_path):
    s = scenario
    closed_today(s)
    whatsapp = whatsapp_person_writes(s)
    staff_answer_note_and_translate(s, whatsapp)
    sms_person_writes(s)
    chat = web_chat_person_writes_and_asks_a_status(s)
    status_page_look_up(s)
    portal_request_with_a_file(s)
    phone_call_with_a_voice_message(s)
    phone_call_recorded_for_quality(s)
    everything_shown_back_to_staff(s, whatsapp, chat)

    backup = tmp_path / "proof.backup"
    made = command(s.env, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    log = s.server.output
    assert s.server.stop() == 0

    places = stores(s.env, backup, log + made.stdout + made.stderr, tmp_path)
    database = dict(places)["pg_dump" if s.env.get("DATABASE_URL") else "ventanilla.sqlite3"]
    assert b"Proof desk" in database  # the scan reads the data, where names are in clear
    media = Path(s.env["VENTANILLA_HOME"]) / "media"
    assert len([p for p in media.rglob("*") if p.is_file()]) >= len(FILES)
    found = sorted(
        {
            f"{what} in {name}"
            for name, data in places
            for secret, what in SECRETS.items()
            if secret in data
        }
    )
    assert not found, "\n".join(found)


# The scenario, step by step


def closed_today(s: Scenario) -> None:
    """The desk opens only three days from now (in any time zone, not today): calls go to
    the voice mailbox, and it serves the languages of the scenario."""
    weekday = (datetime.now(UTC) + timedelta(days=3)).strftime("%a").lower()
    desk = {
        "name": "Proof desk",
        "languages": ["es", "ar", "en", "nl"],
        "hours": {weekday: [["08:00", "14:00"]]},
    }
    s.api("PATCH", "/api/v1/desks/default", desk)


def whatsapp_person_writes(s: Scenario) -> int:
    channel = s.channel("whatsapp", s.graph.config())
    s.graph.webhook_url = channel["webhook_url"]
    s.graph.report = ["sent", "delivered"]
    photo_sha = s.graph.add_media("7770001", PHOTO, "image/jpeg")
    s.graph.add_media("7770002", VOICE_NOTE, "audio/ogg; codecs=opus")
    sender = WHATSAPP_NUMBER[1:]
    items = [
        message("wamid.P1", "text", {"body": WHATSAPP_TEXT}, sender=sender),
        message(
            "wamid.P2",
            "audio",
            {"id": "7770002", "mime_type": "audio/ogg; codecs=opus", "voice": True},
            sender=sender,
        ),
        message(
            "wamid.P3",
            "image",
            {
                "id": "7770001",
                "mime_type": "image/jpeg",
                "sha256": photo_sha,
                "caption": PHOTO_CAPTION,
            },
            sender=sender,
        ),
        message(
            "wamid.P4",
            "location",
            {
                "latitude": LATITUDE,
                "longitude": LONGITUDE,
                "name": PLACE.split(",")[0],
                "address": PLACE.split(", ")[1],
            },
            sender=sender,
        ),
    ]
    delivery = envelope(contacts=[contact(sender, WHATSAPP_NAME)], messages=items)
    body = json.dumps(delivery).encode()
    posted = httpx.post(
        channel["webhook_url"],
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
        timeout=10,
    )
    assert posted.status_code == 200
    conversation = s.conversation_of(channel)

    def files_fetched() -> bool:
        inbound = [m for m in s.messages(conversation) if m["direction"] == "in"]
        files = [a for m in inbound for a in m["attachments"]]  # type: ignore[attr-defined]
        return len(inbound) == 4 and len(files) == 2 and all(a["available"] for a in files)

    until(files_fetched)
    return conversation


def staff_answer_note_and_translate(s: Scenario, conversation: int) -> None:
    path = f"/api/v1/conversations/{conversation}/messages"
    s.api("POST", path, {"text": REPLY}, token=s.agent)
    until(lambda: any(m.get("text", {}).get("body") == REPLY for m in s.graph.sent))
    s.api("POST", path, {"text": NOTE, "internal": True}, token=s.agent)
    # The agent reads the conversation in Dutch in the console: its messages are translated.
    with httpx.Client(base_url=s.server.url, timeout=20) as console:
        sign_in(console)
        token = console.cookies["csrftoken"]
        chosen = console.post(
            "/console/me/language/", data={"language": "nl", "csrfmiddlewaretoken": token}
        )
        assert chosen.status_code in (200, 302), chosen.text
        translated = console.post(
            f"/console/c/{conversation}/translations/", data={"csrfmiddlewaretoken": token}
        )
        assert translated.status_code == 200, translated.text
        assert f"[nl] {WHATSAPP_TEXT}" in translated.text  # the fake's translation, shown


def sign_in(console: httpx.Client) -> None:
    form = console.get("/accounts/login/")
    token = hidden(form.text, "csrfmiddlewaretoken")
    signed = console.post(
        "/accounts/login/",
        data={"username": "maria", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed.status_code == 302, signed.text


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"no {name} in the page"
    return found.group(1)


def sms_person_writes(s: Scenario) -> None:
    channel = s.channel("twilio-sms", s.twilio.config())
    posted = post_signed(channel["webhook_url"], inbound_sms("SM" + "7" * 32, SMS_NUMBER, SMS_TEXT))
    assert posted.status_code == 200
    conversation = s.conversation_of(channel)
    assert s.messages(conversation)[0]["text"] == SMS_TEXT


def web_chat_person_writes_and_asks_a_status(s: Scenario) -> int:
    application = {"reference": REFERENCE, "service": "Pasaporte", "status": "in-review",
                   "last_update": "2026-11-02", "post": "Consulado en Rabat",
                   "date_of_birth": BIRTH[0]}  # fmt: skip
    s.api("POST", "/api/v1/desks/default/applications", {"applications": [application]})
    channel = s.channel("webchat", {})
    chat = f"{s.server.url}/webchat/{channel['id']}"
    visitor = httpx.post(f"{chat}/session", timeout=10).json()["token"]
    headers = {"X-Visitor-Token": visitor}
    for n, text in enumerate([CHAT_TEXT, f"{REFERENCE} {BIRTH[0]}"]):
        written = httpx.post(
            f"{chat}/messages",
            json={"text": text, "client_id": f"proof-chat-{n}", "language": "es"},
            headers=headers,
            timeout=10,
        )
        assert written.status_code == 201, written.text

    def answered() -> bool:
        shown = httpx.get(f"{chat}/messages", headers=headers, timeout=10).json()["messages"]
        return any("Pasaporte" in m["text"] and REFERENCE in m["text"] for m in shown)

    until(answered)  # the status, answered in the chat
    return s.conversation_of(channel)


def status_page_look_up(s: Scenario) -> None:
    with httpx.Client(base_url=s.server.url, timeout=10) as browser:
        page = browser.get("/help/default/es/status/")
        token = hidden(page.text, "csrfmiddlewaretoken")
        looked = browser.post(
            "/help/default/es/status/",
            data={"reference": REFERENCE, "date_of_birth": BIRTH[0], "csrfmiddlewaretoken": token},
        )
        assert looked.status_code == 200 and "Pasaporte" in looked.text


def portal_request_with_a_file(s: Scenario) -> None:
    s.channel("portal", {})
    with httpx.Client(base_url=s.server.url, timeout=10) as browser:
        page = browser.get("/help/default/request/")
        assert page.status_code == 200, page.text
        token = hidden(page.text, "csrfmiddlewaretoken")
        kinds = re.findall(r'<option value="(\d+)"', page.text)
        data = {"text": PORTAL_TEXT, "contact": PORTAL_CONTACT, "csrfmiddlewaretoken": token}
        if kinds:
            data["request_type"] = kinds[0]
        sent = browser.post(
            "/help/default/request/",
            data=data,
            files={"attachment": (PORTAL_FILENAME, PORTAL_FILE, "application/pdf")},
        )
        assert sent.status_code == 302, sent.text
        assert browser.get(sent.headers["Location"]).status_code == 200


class Call:
    """One call, as Twilio posts its requests: signed, TwiML read back."""

    def __init__(self, webhook: str, sid: str, caller: str) -> None:
        self.webhook, self.sid, self.caller = webhook, sid, caller

    def post(self, url: str, **params: str) -> str:
        answer = post_signed(urljoin(self.webhook, url), voice_params(self.sid, caller=self.caller,
                                                                      **params))  # fmt: skip
        assert answer.status_code == 200, answer.text
        return answer.text

    def action(self, twiml: str, verb: str, attribute: str = "action") -> str:
        found = re.search(rf'<{verb}[^>]* {attribute}="([^"]+)"', twiml)
        assert found, twiml
        return found.group(1).replace("&amp;", "&")


def voice_line(s: Scenario) -> dict[str, str]:
    listed = s.api("GET", "/api/v1/channels")
    assert isinstance(listed, list)
    lines = [c for c in listed if c["type"] == "twilio-voice"]
    return lines[0] if lines else s.channel("twilio-voice", s.twilio.config())


def phone_call_with_a_voice_message(s: Scenario) -> None:
    line = voice_line(s)
    call = Call(line["webhook_url"], "CA" + "71" * 16, CALLER)
    menu = call.post(line["webhook_url"], CallStatus="ringing")
    closed = call.post(call.action(menu, "Gather"), Digits="1")  # Spanish: closed now
    recorder = call.post(call.action(closed, "Gather"), Digits="1")  # leave a message
    url = s.twilio.add_recording("RE" + "71" * 16, VOICEMAIL)
    call.post(call.action(recorder, "Record"), RecordingUrl=url, RecordingDuration="31")
    ready = {"RecordingSid": "RE" + "71" * 16, "RecordingUrl": url,
             "RecordingStatus": "completed", "RecordingDuration": "31"}  # fmt: skip
    call.post(call.action(recorder, "Record", "recordingStatusCallback"), **ready)
    call.post("status/", CallStatus="completed", CallDuration="60")
    until(lambda: "RE" + "71" * 16 in s.twilio.deleted)  # fetched, kept, removed at Twilio


def phone_call_recorded_for_quality(s: Scenario) -> None:
    line = voice_line(s)
    every_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri",
                                                        "sat", "sun")}  # fmt: skip
    s.api("PATCH", "/api/v1/desks/default", {"hours": every_day})
    s.api("PATCH", f"/api/v1/channels/{line['id']}/voice", {"record_calls": True})
    s.api("PUT", "/api/v1/staff/maria/phone", {"phone": AGENT_PHONE})
    call = Call(line["webhook_url"], "CA" + "72" * 16, CALLER)
    menu = call.post(line["webhook_url"], CallStatus="ringing")
    step = call.post(call.action(menu, "Gather"), Digits="1")
    while "<Enqueue" not in step:  # the notice of recording, the topics: the first each time
        step = call.post(call.action(step, "Gather"), Digits="1")
    taken = s.server.request("POST", "/api/v1/calls/next", token=s.agent)
    assert taken[0] == 201, taken
    ring = s.twilio.calls[-1]
    agent = Call(line["webhook_url"], s.twilio.placed[-1], s.twilio.config()["number"])
    leg = {**voice_params(agent.sid, caller=agent.caller), "To": AGENT_PHONE,
           "Direction": "outbound-api"}  # fmt: skip
    dial = post_signed(ring["Url"], leg).text
    assert "<Dial" in dial and "record-from-answer" in dial, dial
    call.post("connect/", QueueTime="12", DequeingCallSid=agent.sid)
    url = s.twilio.add_recording("RE" + "72" * 16, CALL_RECORDING)
    ready = {"RecordingSid": "RE" + "72" * 16, "RecordingUrl": url,
             "RecordingStatus": "completed", "RecordingDuration": "200"}  # fmt: skip
    agent.post(agent.action(dial, "Dial", "recordingStatusCallback"), **ready)
    call.post("status/", CallStatus="completed", CallDuration="230")
    until(lambda: "RE" + "72" * 16 in s.twilio.deleted)


def everything_shown_back_to_staff(s: Scenario, whatsapp: int, chat: int) -> None:
    """What was stored reads back whole where staff read it: it is there, encrypted."""
    texts = [m["text"] for m in s.messages(whatsapp)]
    assert WHATSAPP_TEXT in texts and PHOTO_CAPTION in texts and REPLY in texts
    notes = [m for m in s.messages(whatsapp) if m.get("kind") == "note"]
    assert notes and notes[0]["text"] == NOTE
    photo = next(
        a
        for m in s.messages(whatsapp)
        for a in m["attachments"]  # type: ignore[attr-defined]
        if a["mime_type"] == "image/jpeg"
    )
    fetched = httpx.get(
        f"{s.server.url}/api/v1/conversations/{whatsapp}/attachments/{photo['id']}",
        headers={"Authorization": f"Bearer {s.admin}"},
        timeout=10,
    )
    assert fetched.content == PHOTO
    assert CHAT_TEXT in [m["text"] for m in s.messages(chat)]
    calls = s.api("GET", "/api/v1/calls")
    assert isinstance(calls, dict)
    assert sorted(c["outcome"] for c in calls["items"]) == ["answered", "voicemail"]


# Where the installation keeps data


def stores(env: dict[str, str], backup: Path, log: str, tmp_path: Path) -> list[tuple[str, bytes]]:
    """Every file of the installation's home (database, queue, cache, media, keys), the
    backup, the logs, and on PostgreSQL a dump of the database and its keys in Redis."""
    home = Path(env["VENTANILLA_HOME"])
    places = [(str(p.relative_to(home)), p.read_bytes()) for p in home.rglob("*") if p.is_file()]
    places += [("the backup", backup.read_bytes()), ("the log", log.encode())]
    database = env.get("DATABASE_URL", "")
    if database:
        dump = subprocess.run(
            [pg_dump(), "--dbname", database], capture_output=True, timeout=120, check=True
        )
        places.append(("pg_dump", dump.stdout))
        places += redis_keys(env, urlsplit(database).path.lstrip("/"))
    return places


def pg_dump() -> str:
    found = shutil.which("pg_dump")
    assert found, "pg_dump is needed to read the database as a copy of it would be read"
    return found


def redis_keys(env: dict[str, str], database: str) -> list[tuple[str, bytes]]:
    url = env.get("REDIS_URL") or os.environ.get("REDIS_URL", "")
    if not url:
        return []
    import redis

    client = redis.Redis.from_url(url)
    found = []
    for key in client.scan_iter(match=f"*ventanilla-{database}*"):
        dumped = client.dump(key)
        if dumped is not None:
            found.append((f"redis {key!r}", bytes(dumped)))
    return found
