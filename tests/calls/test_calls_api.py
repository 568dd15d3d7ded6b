"""The phone line's API: taking calls, calling back, call records, staff phones, line settings.

Calls are made through the line's real webhooks, signed as Twilio signs them; the calls the
line places reach the fake Twilio over HTTP. No answer may hold a caller's number.
"""

import itertools
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fakes.twilio import NUMBER as LINE_NUMBER
from fakes.twilio import voice_params
from ventanilla.calls.models import Call, Leg, VoicePrompt
from ventanilla.calls.prompts import TEXTS
from ventanilla.calls.services import remove_expired_recordings
from ventanilla.desks.models import AgentProfile
from ventanilla.privacy.models import AuditEntry

CALLER = "+50499990001"
AGENT_PHONE = "+50431234567"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x64" * 64


@pytest.fixture(autouse=True)
def distinct_call_ids(twilio):
    # The fake numbers the calls it places from 1, as the callers' fixture does: apart,
    # they stay distinct, as Twilio's are.
    twilio.ids = itertools.count(0x10000)


def shows_no_number(response, *numbers):
    text = response.content.decode()
    return not any(n.lstrip("+") in text for n in (CALLER, AGENT_PHONE, *numbers))


def put(client, path, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.client.put(
        path, data, content_type=content_type, headers=client.headers, CONTENT_TYPE=content_type
    )


def delete(client, path):
    return client.client.delete(path, headers=client.headers)


def waiting(phone, number=CALLER, topic="5"):
    """A caller who chose Spanish and a topic, and waits for an agent."""
    caller = phone(number)
    caller.press(caller.press(caller.ring(), "1"), topic)
    return caller


def record_of(caller):
    return Call.objects.get(call_sid=caller.sid)


def with_phone(user, phone=AGENT_PHONE):
    AgentProfile.objects.filter(user=user).update(phone=phone)
    return user


def closed_today(desk):
    """Open tomorrow only: out of hours all day today."""
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%a").lower()
    desk.timezone = "UTC"
    desk.hours = {tomorrow: [["00:00", "23:59"]]}
    desk.save()


def as_leg(post_twilio, voice, leg, path, **params):
    """Post one of an agent leg's webhooks, as Twilio does for a call the line placed."""
    url = f"{voice.webhook_path}{path}"
    return post_twilio(url, voice_params(leg.call_sid, caller=LINE_NUMBER, **params))


# Taking the next call


def test_an_agent_takes_the_next_caller_and_their_phone_rings(phone, api_as, agent, twilio):
    caller = waiting(phone)
    response = api_as(with_phone(agent)).post("/api/v1/calls/next", {})
    assert response.status_code == 201, response.content
    body = response.json()
    leg = Call.objects.get(pk=body["leg"])
    assert (leg.leg, leg.agent, leg.call_sid.startswith("CA")) == (Leg.AGENT, agent, True)
    assert body["caller"]["id"] == record_of(caller).pk
    assert body["caller"]["language"] == "es" and body["caller"]["topic"] == "other"
    (placed,) = twilio.calls
    assert placed["To"] == AGENT_PHONE and placed["From"] == LINE_NUMBER
    assert f"/agent/?leg={leg.pk}" in placed["Url"]
    assert shows_no_number(response)


def test_urgent_callers_are_taken_first(phone, api_as, agent):
    waiting(phone, "+50499990002", topic="5")
    urgent = waiting(phone, "+50499990003", topic="4")
    body = api_as(with_phone(agent)).post("/api/v1/calls/next", {}).json()
    assert body["caller"]["id"] == record_of(urgent).pk
    assert body["caller"]["urgent"] is True


def test_taking_a_call_when_nobody_waits_is_a_conflict(voice, api_as, agent, twilio):
    response = api_as(with_phone(agent)).post("/api/v1/calls/next", {})
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert twilio.calls == []


def test_taking_a_call_needs_a_phone_number(phone, api_as, agent, twilio):
    waiting(phone)
    response = api_as(agent).post("/api/v1/calls/next", {})
    assert response.status_code == 422
    assert "phone number" in response.json()["detail"]
    assert twilio.calls == []


def test_staff_of_a_desk_without_a_phone_line_take_no_calls(
    phone, api_as, make_staff, other_desk, twilio
):
    waiting(phone)
    elsewhere = with_phone(make_staff("agent", desks=[other_desk]))
    response = api_as(elsewhere).post("/api/v1/calls/next", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "none of your desks has a phone line"
    assert twilio.calls == []


def test_a_call_the_provider_refuses_is_a_bad_gateway_and_leaves_no_ringing_leg(
    phone, api_as, agent, twilio
):
    caller = waiting(phone)
    twilio.call_error = (400, {"code": 21215, "message": "Geo permission", "status": 400})
    response = api_as(with_phone(agent)).post("/api/v1/calls/next", {})
    assert response.status_code == 502
    assert response.json()["error"] == "provider_error"
    assert not Call.objects.filter(leg=Leg.AGENT, ended_at__isnull=True).exists()
    assert record_of(caller).waiting
    twilio.call_error = None  # the caller is offered again
    assert api_as(agent).post("/api/v1/calls/next", {}).status_code == 201


def test_analysts_take_no_calls(phone, api_as, analyst):
    waiting(phone)
    response = api_as(with_phone(analyst)).post("/api/v1/calls/next", {})
    assert response.status_code == 403


def test_an_answered_call_is_recorded_with_its_agent_and_times(
    phone, api_as, agent, voice, post_twilio
):
    caller = waiting(phone)
    taken = api_as(with_phone(agent)).post("/api/v1/calls/next", {}).json()
    leg = Call.objects.get(pk=taken["leg"])
    queue = record_of(caller).queue
    answer = as_leg(post_twilio, voice, leg, f"agent/?leg={leg.pk}&queue={queue}")
    assert answer.status_code == 200 and b"<Queue" in answer.content
    caller.post("connect/", DequeingCallSid=leg.call_sid, QueueTime="42")
    caller.post("queued/", QueueResult="bridged", QueueTime="42")
    as_leg(
        post_twilio, voice, leg, "agent-done/", DialCallStatus="completed", DialCallDuration="95"
    )
    caller.hang_up(150)
    as_leg(post_twilio, voice, leg, "status/", CallStatus="completed", CallDuration="120")

    response = api_as(agent).get(f"/api/v1/calls/{record_of(caller).pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["agent"]) == ("answered", "agent")
    assert (body["wait_seconds"], body["talk_seconds"], body["duration_seconds"]) == (42, 95, 150)
    assert body["answered_at"] and body["ended_at"]
    assert shows_no_number(response)


# Calling back


def test_an_agent_calls_back_a_caller_who_hung_up(phone, api_as, agent, voice, post_twilio, twilio):
    caller = waiting(phone)
    caller.hang_up(30)
    call = record_of(caller)
    client = api_as(with_phone(agent))

    response = client.post(f"/api/v1/calls/{call.pk}/callback", {})
    assert response.status_code == 201, response.content
    leg = Call.objects.get(pk=response.json()["leg"])
    assert (leg.leg, leg.caller, leg.agent) == (Leg.CALLBACK, call, agent)
    assert twilio.calls[-1]["To"] == AGENT_PHONE  # the agent first, then the person
    assert shows_no_number(response)
    pending = client.get("/api/v1/calls", callback="pending").json()
    assert [c["id"] for c in pending["items"]] == [call.pk]
    assert pending["items"][0]["callback_attempts"] == 1

    dialled = as_leg(post_twilio, voice, leg, f"callback/?leg={leg.pk}")
    assert CALLER in dialled.content.decode()  # told to Twilio only, never to the API
    as_leg(post_twilio, voice, leg, "callback-done/", DialCallStatus="completed",
           DialCallDuration="61")  # fmt: skip
    done = client.get("/api/v1/calls", callback="done").json()["items"]
    assert [(c["id"], c["callback_by"]) for c in done] == [(call.pk, "agent")]
    assert done[0]["callback_done_at"] is not None
    assert client.get("/api/v1/calls", callback="pending").json()["count"] == 0

    again = client.post(f"/api/v1/calls/{call.pk}/callback", {})
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_a_withheld_number_cannot_be_called_back(phone, api_as, agent, twilio):
    caller = waiting(phone, "anonymous")
    caller.hang_up(10)
    response = api_as(with_phone(agent)).post(f"/api/v1/calls/{record_of(caller).pk}/callback", {})
    assert response.status_code == 409
    assert "withheld" in response.json()["detail"]
    assert twilio.calls == []


def test_calling_back_an_unknown_or_unseen_call_is_not_found(
    phone, api_as, agent, make_staff, other_desk, twilio
):
    call = record_of(waiting(phone))
    elsewhere = with_phone(make_staff("agent", desks=[other_desk]))
    assert api_as(elsewhere).post(f"/api/v1/calls/{call.pk}/callback", {}).status_code == 404
    missing = api_as(with_phone(agent)).post("/api/v1/calls/99999/callback", {})
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert twilio.calls == []


def test_calling_back_needs_a_phone_number(phone, api_as, agent, twilio):
    caller = waiting(phone)
    caller.hang_up(10)
    response = api_as(agent).post(f"/api/v1/calls/{record_of(caller).pk}/callback", {})
    assert response.status_code == 422
    assert record_of(caller).callback_attempts == 0
    assert twilio.calls == []


# Call records


@pytest.fixture
def two_calls(phone):
    """A caller who hung up while waiting, and one still waiting."""
    gone = waiting(phone, "+50499990011")
    gone.hang_up(45)
    still = waiting(phone, "+50499990012", topic="2")
    return record_of(gone), record_of(still)


def test_staff_list_the_calls_of_their_desks_latest_first(api_as, agent, two_calls):
    gone, still = two_calls
    response = api_as(agent).get("/api/v1/calls")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["id"] for c in body["items"]] == [still.pk, gone.pk]
    first = body["items"][1]
    assert first["outcome"] == "abandoned"
    assert first["duration_seconds"] == 45 and first["wait_seconds"] is not None
    assert first["conversation"] == {
        "id": gone.conversation_id,
        "reference": gone.conversation.reference,
    }
    assert (first["desk"], first["channel"]) == ("default", str(gone.channel_id))
    assert set(first) == {
        "id", "conversation", "desk", "channel", "started_at", "language", "topic", "urgent",
        "out_of_hours", "menu_errors", "enqueued_at", "wait_seconds", "answered_at", "agent",
        "talk_seconds", "ended_at", "duration_seconds", "outcome", "callback_requested_at",
        "callback_done_at", "callback_by", "callback_attempts", "recording",
        "recording_removed_at", "voicemail",
    }  # fmt: skip
    assert shows_no_number(response, "+50499990011", "+50499990012")


def test_agent_legs_are_not_listed(phone, api_as, agent, two_calls):
    api_as(with_phone(agent)).post("/api/v1/calls/next", {})
    assert Call.objects.filter(leg=Leg.AGENT).count() == 1
    assert api_as(agent).get("/api/v1/calls").json()["count"] == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"outcome": "abandoned"}, ["gone"]),
        ({"outcome": "answered"}, []),
        ({"desk": "default"}, ["still", "gone"]),
        ({"desk": "elsewhere"}, []),
        ({"from": "today"}, ["still", "gone"]),
        ({"from": "tomorrow"}, []),
        ({"to": "today"}, ["still", "gone"]),
        ({"to": "yesterday"}, []),
        ({"conversation": "gone"}, ["gone"]),
        ({"callback": "pending"}, []),
        ({"limit": 1, "offset": 1}, ["gone"]),
    ],
)
def test_the_call_list_filters(api_as, agent, two_calls, params, expected):
    gone, still = two_calls
    calls = {"gone": gone, "still": still}
    today = timezone.now().date()
    days = {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "yesterday": today - timedelta(1),
    }
    query = {
        k: days.get(v, calls[v].conversation_id if k == "conversation" else v)
        if isinstance(v, str)
        else v
        for k, v in params.items()
    }
    response = api_as(agent).get("/api/v1/calls", **query)
    assert response.status_code == 200, response.content
    assert [c["id"] for c in response.json()["items"]] == [calls[name].pk for name in expected]


@pytest.mark.parametrize(
    "params",
    [{"outcome": "lost"}, {"callback": "maybe"}, {"from": "yesterday"}, {"limit": 0}],
)
def test_bad_filters_are_refused(api_as, agent, params):
    response = api_as(agent).get("/api/v1/calls", **params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_staff_of_another_desk_see_none_of_its_calls(api_as, make_staff, other_desk, two_calls):
    gone, _still = two_calls
    elsewhere = api_as(make_staff("supervisor", desks=[other_desk]))
    assert elsewhere.get("/api/v1/calls").json() == {"items": [], "count": 0}
    assert elsewhere.get(f"/api/v1/calls/{gone.pk}").status_code == 404


def test_administrators_see_the_calls_of_every_desk(api_as, make_staff, other_desk, two_calls):
    admin = make_staff("admin", desks=[other_desk])
    assert api_as(admin).get("/api/v1/calls").json()["count"] == 2


def test_analysts_see_the_figures_but_no_call_one_by_one(api_as, analyst, two_calls):
    gone, _still = two_calls
    client = api_as(analyst)
    assert client.get("/api/v1/calls").status_code == 403  # who called when, answered by whom
    assert client.get(f"/api/v1/calls/{gone.pk}").status_code == 403
    report = client.get("/api/v1/reports/calls", desk="default")
    assert report.status_code == 200 and report.json()["calls_received"] == 2


def test_one_call_record_and_its_reading_is_audited(api_as, supervisor, two_calls):
    gone, _still = two_calls
    response = api_as(supervisor).get(f"/api/v1/calls/{gone.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == gone.pk
    assert AuditEntry.objects.filter(actor=supervisor, action="call.read", target_id=str(gone.pk))
    assert api_as(supervisor).get("/api/v1/calls/424242").status_code == 404
    assert api_as(supervisor).get("/api/v1/calls/99999999999999999999999").status_code == 404


def test_an_agent_leg_is_not_a_call_record(phone, api_as, agent, two_calls):
    leg = api_as(with_phone(agent)).post("/api/v1/calls/next", {}).json()["leg"]
    assert api_as(agent).get(f"/api/v1/calls/{leg}").status_code == 404


def test_a_recording_is_shown_then_marked_removed_under_retention(
    phone, api_as, agent, voice, line, post_twilio, twilio
):
    line.record_calls = True
    line.save()
    caller = waiting(phone)
    url = twilio.add_recording("RE" + "1" * 32, MP3)
    caller.post("recording/?kind=quality", RecordingUrl=url, RecordingStatus="completed",
                RecordingSid="RE" + "1" * 32, RecordingDuration="80")  # fmt: skip
    caller.hang_up(100)
    call = record_of(caller)
    shown = api_as(agent).get(f"/api/v1/calls/{call.pk}").json()
    assert shown["recording"] == call.recording_id is not None
    assert shown["recording_removed_at"] is None

    assert remove_expired_recordings(now=timezone.now() + timedelta(days=91)) == 1
    shown = api_as(agent).get(f"/api/v1/calls/{call.pk}").json()
    assert shown["recording"] == call.recording_id
    assert shown["recording_removed_at"] is not None


def test_a_voice_message_left_out_of_hours_is_on_the_record(phone, api_as, agent, desk, twilio):
    closed_today(desk)
    caller = phone()
    closed = caller.press(caller.ring(), "1")
    recording = caller.press(closed, "1")
    assert recording.all("Record")
    url = twilio.add_recording("RE" + "2" * 32, MP3)
    caller.post("voicemail/", RecordingUrl=url, RecordingDuration="12",
                RecordingSid="RE" + "2" * 32)  # fmt: skip
    caller.hang_up(40)

    response = api_as(agent).get(f"/api/v1/calls/{record_of(caller).pk}")
    body = response.json()
    assert (body["outcome"], body["out_of_hours"]) == ("voicemail", True)
    assert body["voicemail"] == record_of(caller).voicemail_id is not None
    assert shows_no_number(response)


def test_a_callback_asked_for_out_of_hours_is_pending(phone, api_as, agent, desk):
    closed_today(desk)
    caller = phone()
    caller.press(caller.press(caller.ring(), "1"), "2")
    caller.hang_up(20)
    pending = api_as(agent).get("/api/v1/calls", callback="pending")
    items = pending.json()["items"]
    assert [(c["id"], c["outcome"]) for c in items] == [(record_of(caller).pk, "callback")]
    assert items[0]["callback_requested_at"] is not None
    assert shows_no_number(pending)


# Where staff's phones ring


def test_staff_set_their_own_phone_and_get_it_back_masked(api_as, agent):
    response = put(api_as(agent), "/api/v1/staff/agent/phone", {"phone": "00504 3123-4567"})
    assert response.status_code == 200, response.content
    assert response.json() == {"username": "agent", "phone_set": True, "phone": "+504•••••567"}
    assert AgentProfile.objects.get(user=agent).phone == AGENT_PHONE
    assert shows_no_number(response)
    assert AuditEntry.objects.filter(actor=agent, action="agent.phone").exists()


def test_an_empty_phone_takes_no_calls(api_as, agent):
    with_phone(agent)
    response = put(api_as(agent), "/api/v1/staff/agent/phone", {"phone": ""})
    assert response.json() == {"username": "agent", "phone_set": False, "phone": ""}
    assert AgentProfile.objects.get(user=agent).phone == ""


@pytest.mark.parametrize("phone", ["12", "+00 12", "not a number", "+5043123456789012345"])
def test_an_invalid_phone_is_refused(api_as, agent, phone):
    response = put(api_as(agent), "/api/v1/staff/agent/phone", {"phone": phone})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert AgentProfile.objects.get(user=agent).phone == ""


def test_a_phone_body_must_name_the_phone(api_as, agent):
    assert put(api_as(agent), "/api/v1/staff/agent/phone", {}).status_code == 422
    assert put(api_as(agent), "/api/v1/staff/agent/phone", {"phone": 504}).status_code == 422


@pytest.mark.parametrize(
    ("role", "same_desk", "status"),
    [
        ("supervisor", True, 200),
        ("supervisor", False, 404),
        ("admin", False, 200),
        ("agent", True, 403),
        ("analyst", True, 403),
    ],
)
def test_who_sets_someone_elses_phone(
    api_as, make_staff, other_desk, agent, role, same_desk, status
):
    them = make_staff(role, desks=None if same_desk else [other_desk])
    response = put(api_as(them), "/api/v1/staff/agent/phone", {"phone": AGENT_PHONE})
    assert response.status_code == status, response.content
    assert (AgentProfile.objects.get(user=agent).phone == AGENT_PHONE) == (status == 200)


def test_a_supervisor_cannot_set_where_an_administrators_phone_rings(
    api_as, supervisor, make_staff
):
    make_staff("admin", "boss")
    response = put(api_as(supervisor), "/api/v1/staff/boss/phone", {"phone": AGENT_PHONE})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert AgentProfile.objects.get(user__username="boss").phone == ""


def test_the_phone_of_an_unknown_person_is_not_found(api_as, administrator):
    response = put(api_as(administrator), "/api/v1/staff/nobody/phone", {"phone": AGENT_PHONE})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# A voice channel's settings


def test_an_administrator_reads_a_lines_settings(api_as, administrator, voice):
    response = api_as(administrator).get(f"/api/v1/channels/{voice.pk}/voice")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["channel"] == str(voice.pk)
    assert (body["languages"], body["menu_languages"]) == ([], ["es", "en", "ar"])
    assert body["topic_menu"] is True and body["record_calls"] is False
    assert (body["recording_retention_days"], body["callback_after_seconds"]) == (90, 120)
    assert (body["voicemail_seconds"], body["hold_music_url"], body["voices"]) == (120, "", {})
    assert isinstance(body["missing_prompts"], list)


def test_an_administrator_changes_a_lines_settings(api_as, administrator, voice, line):
    changes = {
        "languages": ["fr", "ar"],
        "topic_menu": False,
        "record_calls": True,
        "recording_retention_days": 30,
        "callback_after_seconds": 0,
        "voicemail_seconds": 60,
        "hold_music_url": "https://example.org/hold.mp3",
        "voices": {"fr": "Polly.Celine"},
    }
    response = api_as(administrator).patch(f"/api/v1/channels/{voice.pk}/voice", changes)
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in changes} == changes
    line.refresh_from_db()
    assert (line.languages, line.record_calls, line.voices) == (
        ["fr", "ar"],
        True,
        changes["voices"],
    )
    assert AuditEntry.objects.filter(actor=administrator, action="voice_line.update").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"languages": ["es", "en", "ar", "fr", "nl", "de", "it", "pt", "ro", "tr"]},
        {"languages": ["not a language"]},
        {"recording_retention_days": 0},
        {"voicemail_seconds": 5000},
        {"callback_after_seconds": -1},
        {"hold_music_url": "not a url"},
        {"voices": {"fr": 3}},
        {"record_calls": None},
        {"ringtone": "loud"},
    ],
)
def test_invalid_settings_are_refused(api_as, administrator, voice, line, changes):
    response = api_as(administrator).patch(f"/api/v1/channels/{voice.pk}/voice", changes)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid"
    line.refresh_from_db()
    assert (line.languages, line.recording_retention_days, line.voices) == ([], 90, {})


@pytest.mark.parametrize(
    ("role", "read", "change"),
    [("admin", 200, 200), ("supervisor", 200, 403), ("agent", 403, 403), ("analyst", 403, 403)],
)
def test_who_reads_and_changes_a_line(api_as, make_staff, voice, role, read, change):
    client = api_as(make_staff(role))
    assert client.get(f"/api/v1/channels/{voice.pk}/voice").status_code == read
    patched = client.patch(f"/api/v1/channels/{voice.pk}/voice", {"record_calls": True})
    assert patched.status_code == change
    prompts = client.get(f"/api/v1/channels/{voice.pk}/voice/prompts")
    assert prompts.status_code == read
    kept = put(client, f"/api/v1/channels/{voice.pk}/voice/prompts/es/hold", {"text": "Espere"})
    assert kept.status_code == change


def test_a_channel_that_is_not_a_phone_line_has_no_voice_settings(api_as, administrator, webchat):
    client = api_as(administrator)
    for path in (f"{webchat.pk}/voice", f"{webchat.pk}/voice/prompts", "not-an-id/voice",
                 "00000000-0000-0000-0000-000000000000/voice"):  # fmt: skip
        response = client.get(f"/api/v1/channels/{path}")
        assert response.status_code == 404, path
    patched = client.patch(f"/api/v1/channels/{webchat.pk}/voice", {"record_calls": True})
    assert patched.status_code == 404


def test_a_line_of_another_desk_is_not_found(api_as, make_staff, other_desk, voice):
    elsewhere = api_as(make_staff("supervisor", desks=[other_desk]))
    assert elsewhere.get(f"/api/v1/channels/{voice.pk}/voice").status_code == 404


# Prompts


def missing_of(client, voice):
    body = client.get(f"/api/v1/channels/{voice.pk}/voice").json()
    return {(m["language"], m["key"]) for m in body["missing_prompts"]}


def test_a_language_without_a_speech_voice_misses_every_prompt_until_recorded(
    api_as, administrator, voice, client
):
    api = api_as(administrator)
    api.patch(f"/api/v1/channels/{voice.pk}/voice", {"languages": ["ar", "zgh", "fr"]})
    body = api.get(f"/api/v1/channels/{voice.pk}/voice").json()
    greeting = next(m for m in body["missing_prompts"] if m["key"] == "greeting")
    assert greeting == {"language": "zgh", "key": "greeting", "text": "Welcome to Default desk."}
    assert missing_of(api, voice) == {("zgh", key) for key in TEXTS}

    kept = put(api, f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/greeting", MP3, "audio/mpeg")
    assert kept.status_code == 200, kept.content
    shown = kept.json()
    assert (shown["language"], shown["key"], shown["has_audio"]) == ("zgh", "greeting", True)
    assert missing_of(api, voice) == {("zgh", key) for key in TEXTS} - {("zgh", "greeting")}
    audio = client.get(shown["audio_url"].removeprefix("http://testserver"))
    assert audio.status_code == 200 and b"".join(audio.streaming_content) == MP3
    assert AuditEntry.objects.filter(actor=administrator, action="voice_prompt.keep").exists()

    wav = put(
        api, f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/hold", b"RIFF" + MP3, "audio/wav"
    )
    assert wav.status_code == 200
    assert VoicePrompt.objects.get(key="hold").audio.name.endswith(".wav")
    # A text needs a speech voice to say it: Tamazight has none, so it stays missing.
    put(api, f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/goodbye", {"text": "Ar tufat"})
    assert ("zgh", "goodbye") in missing_of(api, voice)


def test_a_text_replaces_what_the_speech_voice_says(api_as, administrator, voice):
    api = api_as(administrator)
    path = f"/api/v1/channels/{voice.pk}/voice/prompts/es/hold"
    response = put(api, path, {"text": " Gracias, espere un momento. "})
    assert response.status_code == 200
    assert response.json()["text"] == "Gracias, espere un momento."
    assert (response.json()["has_audio"], response.json()["audio_url"]) == (False, None)
    listed = api.get(f"/api/v1/channels/{voice.pk}/voice/prompts").json()
    assert [(p["language"], p["key"], p["text"]) for p in listed] == [
        ("es", "hold", "Gracias, espere un momento.")
    ]


@pytest.mark.parametrize(
    ("path", "body", "content_type", "status"),
    [
        ("es/hold", b"plain words", "text/plain", 415),
        ("es/hold", b"", "", 415),
        ("es/hold", b"<audio/>", "application/xml", 415),
        ("es/hold", b"", "audio/mpeg", 422),
        ("es/ringtone", MP3, "audio/mpeg", 422),
        ("zgh/hold", MP3, "audio/mpeg", 422),  # not one of the line's languages
        ("es/hold", b"{not json", "application/json", 400),
        ("es/hold", {"words": "Hola"}, "application/json", 422),
        ("es/hold", {"text": 3}, "application/json", 422),
        ("es/hold", ["Hola"], "application/json", 422),
        ("es/hold", {"text": "x" * 1001}, "application/json", 422),
        ("es/hold", {"text": "Ho\u0000la"}, "application/json", 422),
    ],
)
def test_a_prompt_that_cannot_be_kept_is_refused(
    api_as, administrator, voice, path, body, content_type, status
):
    url = f"/api/v1/channels/{voice.pk}/voice/prompts/{path}"
    response = put(api_as(administrator), url, body, content_type)
    assert response.status_code == status, response.content
    assert set(response.json()) == {"error", "detail"}
    assert not VoicePrompt.objects.exists()


def test_a_removed_prompt_is_missing_again(
    api_as, administrator, voice, django_capture_on_commit_callbacks
):
    api = api_as(administrator)
    api.patch(f"/api/v1/channels/{voice.pk}/voice", {"languages": ["zgh", "es"]})
    path = f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/greeting"
    put(api, path, MP3, "audio/mpeg")
    stored = VoicePrompt.objects.get().audio
    assert stored.storage.exists(stored.name)
    assert ("zgh", "greeting") not in missing_of(api, voice)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete(api, path).status_code == 204
    assert ("zgh", "greeting") in missing_of(api, voice)
    assert not VoicePrompt.objects.exists()
    assert not stored.storage.exists(stored.name)
    assert AuditEntry.objects.filter(actor=administrator, action="voice_prompt.remove").exists()
    again = delete(api, path)
    assert again.status_code == 404 and again.json()["error"] == "not_found"


def test_only_administrators_remove_prompts(api_as, administrator, supervisor, voice):
    path = f"/api/v1/channels/{voice.pk}/voice/prompts/es/hold"
    put(api_as(administrator), path, {"text": "Espere"})
    assert delete(api_as(supervisor), path).status_code == 403
    assert VoicePrompt.objects.count() == 1


def test_no_answer_holds_the_callers_number(phone, api_as, administrator, voice):
    gone = waiting(phone)
    gone.hang_up(20)
    client = api_as(with_phone(administrator))
    call = record_of(gone)
    responses = [
        client.get("/api/v1/calls"),
        client.get(f"/api/v1/calls/{call.pk}"),
        client.post(f"/api/v1/calls/{call.pk}/callback", {}),
        client.get(f"/api/v1/channels/{voice.pk}/voice"),
        client.get(f"/api/v1/channels/{voice.pk}/voice/prompts"),
    ]
    waiting(phone, "+50499990077")
    responses.append(client.post("/api/v1/calls/next", {}))
    for response in responses:
        assert response.status_code in (200, 201), response.content
        assert shows_no_number(response, "+50499990077"), response.content
