"""The call flow, driven as Twilio drives it: signed Voice webhooks, TwiML read back, records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from calls.conftest import Caller, Twiml
from fakes.twilio import FakeTwilio, voice_params
from ventanilla.calls import prompts
from ventanilla.calls.models import Call, Leg, Outcome, VoiceLine
from ventanilla.calls.services import (
    call_back,
    keep_prompt,
    remove_expired_recordings,
    set_phone,
    take_next_call,
)
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Conversation, Message, Priority, Status
from ventanilla.conversations.models import Outcome as ConversationOutcome
from ventanilla.desks.models import Desk
from ventanilla.desks.services import add_default_request_types

# A Tuesday morning in Tegucigalpa (UTC-6 all year): 10:00 local.
TUESDAY_10 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def tegucigalpa(desk: Desk) -> Desk:
    """ALHO VOZ: 6:00 to 22:00 Honduras time, every day."""
    desk.timezone = "America/Tegucigalpa"
    desk.hours = ALL_DAY
    desk.emergency_phone = "911"
    desk.save()
    add_default_request_types(desk=desk, by=None)
    return desk


def travel(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def queued(caller: Caller, *, language: str = "1", topic: str = "5") -> Twiml:
    """Ring, choose a language and a topic: the caller waits in the queue."""
    answer = caller.press(caller.press(caller.ring(), language), topic)
    assert answer.one("Enqueue").text
    return answer


def record(caller: Caller) -> Call:
    return Call.objects.get(call_sid=caller.sid)


@pytest.fixture
def agent_with_phone(make_staff: Callable[..., User]) -> User:
    agent = make_staff("agent", "marta")
    set_phone(user=agent, phone="+504 3123 4567", by=agent)
    return agent


def test_an_incoming_call_greets_and_offers_the_languages_each_in_its_own(phone: Any) -> None:
    with travel(TUESDAY_10):
        answer = phone().ring()
    gather = answer.one("Gather")
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    assert urlsplit(gather.get("action")).path.endswith("/language/")
    options = [say.get("language") for say in gather.iter("Say")]
    assert options == ["es-ES", "en-GB", "arb"]  # the desk's languages, each in its voice
    greetings = [say.get("language") for say in answer.root.findall("Say")]
    assert greetings == ["es-ES", "en-GB"]  # the first two greet
    assert answer.verbs == ["Say", "Say", "Gather", "Redirect"]  # no key: asked again
    call = Call.objects.get()
    assert call.leg == Leg.CALLER and call.conversation is not None
    assert call.message.kind == "call"  # the call in the conversation's history


def test_each_greeting_says_the_desks_name_in_its_language(phone: Any, desk: Desk) -> None:
    desk.name, desk.names = "Consulado de Honduras", {"en": "Consulate of Honduras"}
    desk.save()
    with travel(TUESDAY_10):
        answer = phone().ring()
    spanish, english = (say.text or "" for say in answer.root.findall("Say"))
    assert "Consulado de Honduras" in spanish and "Consulate of Honduras" in english


def test_a_call_is_one_conversation_with_the_person_who_also_writes(
    phone: Any, sms: Channel, post_twilio: Any
) -> None:
    with travel(TUESDAY_10):
        phone("+50499990001").ring()
    conversation = Conversation.objects.get()
    assert conversation.identity.address == "+50499990001"
    assert conversation.channel.type == "twilio-voice"


def test_a_chosen_language_leads_to_the_topic_menu_in_that_language(
    phone: Any, line: VoiceLine
) -> None:
    line.record_calls = True
    line.save()
    caller = phone()
    with travel(TUESDAY_10):
        answer = caller.press(caller.ring(), "3")
    said = answer.said
    assert said[0][0] == "arb"  # told about the recording first, in Arabic
    notice = prompts.translated("recording_notice", "ar")
    assert (
        said[0][1] == notice
        and notice != "This call may be recorded so that we can check the quality of our service."
    )
    topics = answer.one("Gather")
    assert urlsplit(topics.get("action")).path.endswith("/topic/")
    assert [s.get("language") for s in topics.iter("Say")] == [
        "arb",
        "arb",
    ]  # the topics, then the complaints option
    assert record(caller).language == "ar"
    assert record(caller).conversation.language == "ar"


def test_an_invalid_key_three_times_goes_on_in_the_first_language(phone: Any) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        answer = caller.ring()
        answer = caller.press(answer, "9")  # no ninth language
        assert answer.one("Gather").get("action").endswith("tries=1")
        assert answer.root.find("Say") is not None  # "Sorry, that is not one of the options."
        answer = caller.silent(answer)  # nothing pressed: the second wrong try
        assert answer.one("Gather").get("action").endswith("tries=2")
        answer = caller.press(answer, "*")  # the third
    assert urlsplit(answer.one("Gather").get("action")).path.endswith("/topic/")
    assert record(caller).language == "es" and record(caller).menu_errors == 3
    with travel(TUESDAY_10):  # and three wrong topics: "anything else", then the queue
        for key in ("0", "8", "#"):
            answer = caller.press(answer, key) if answer.all("Gather") else answer
    assert answer.all("Enqueue")
    call = record(caller)
    assert call.topic == "other" and call.menu_errors == 6
    assert call.conversation.request_type.slug == "other"


def test_the_queue_tells_the_position_and_wait_and_an_emergency_goes_first(
    phone: Any, line: VoiceLine
) -> None:
    first, second, urgent = phone("+50499990001"), phone("+50499990002"), phone("+50499990003")
    with travel(TUESDAY_10):
        queued(first)
    with travel(TUESDAY_10 + timedelta(minutes=1)):
        queued(second)
    with travel(TUESDAY_10 + timedelta(minutes=2)):
        answer = queued(urgent, topic="4")
    said = answer.text()
    assert "9 1 1" in said  # the emergency number, digit by digit, before waiting
    enqueue = answer.one("Enqueue")
    assert enqueue.text.endswith("-es-urgent") and urlsplit(enqueue.get("waitUrl")).path.endswith(
        "/wait/"
    )
    assert urlsplit(enqueue.get("action")).path.endswith("/queued/")
    sos = record(urgent)
    assert sos.urgent and sos.topic == "emergency"
    assert sos.conversation.priority == Priority.URGENT
    assert sos.conversation.request_type.slug == "rights-violation"

    with travel(TUESDAY_10 + timedelta(minutes=3)):
        waiting = second.step(enqueue.get("waitUrl"), QueuePosition="2", QueueTime="120")
    # Second in arrival, but the emergency goes first: third. No agent has a phone yet and
    # no call was answered: 3 x 240 s / 1 = 12 minutes.
    assert waiting.said[0] == (
        "es-ES",
        "Usted es el número 3 en la cola. La espera es de unos 12 minutos.",
    )
    assert waiting.verbs[-1] == "Pause"
    with travel(TUESDAY_10 + timedelta(minutes=3)):
        waiting = urgent.step(enqueue.get("waitUrl"), QueuePosition="1", QueueTime="60")
    assert "número 1 " in waiting.said[0][1]


def test_a_caller_hanging_up_in_the_queue_is_an_abandoned_call(phone: Any) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        answer = queued(caller)
    with travel(TUESDAY_10 + timedelta(seconds=47)):
        left = caller.step(
            answer.one("Enqueue").get("action"), QueueResult="hangup", QueueTime="47"
        )
        caller.hang_up(duration=70)
    assert left.verbs == ["Hangup"]
    call = record(caller)
    assert call.outcome == Outcome.ABANDONED and call.wait_seconds == 47
    assert call.ended_at is not None and call.duration_seconds == 70 and call.answered_at is None
    conversation = call.conversation
    assert conversation.status == Status.RESOLVED  # nothing left to do in it
    assert conversation.outcome == ConversationOutcome.NO_REPLY


def test_a_hang_up_without_the_queue_action_still_counts_as_abandoned(phone: Any) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        queued(caller)
    with travel(TUESDAY_10 + timedelta(seconds=30)):
        caller.hang_up(duration=45)
    call = record(caller)
    assert call.outcome == Outcome.ABANDONED and call.wait_seconds == 30


def test_an_agent_takes_the_next_call_the_urgent_one_first_and_talks(
    phone: Any, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    normal, urgent = phone("+50499990001"), phone("+50499990002")
    with travel(TUESDAY_10):
        queued(normal)
    with travel(TUESDAY_10 + timedelta(minutes=1)):
        queued(urgent, topic="4")
    with travel(TUESDAY_10 + timedelta(minutes=2)):
        taken = take_next_call(agent=agent_with_phone)
    assert taken.caller.call_sid == urgent.sid
    placed = twilio.calls[-1]
    assert placed["To"] == "+50431234567" and placed["From"] == voice.config["number"]
    assert urlsplit(placed["Url"]).path == f"{voice.webhook_path}agent/"
    assert parse_qs(urlsplit(placed["Url"]).query)["queue"] == [taken.caller.queue]
    assert urlsplit(placed["StatusCallback"]).path == f"{voice.webhook_path}status/"

    agent_leg = Caller(urgent.post_signed, voice, taken.leg.call_sid, "+50431234567")
    with travel(TUESDAY_10 + timedelta(minutes=2, seconds=20)):
        dial = agent_leg.step(urlsplit(placed["Url"]).path + "?" + urlsplit(placed["Url"]).query)
        queue = dial.one("Queue")
        assert queue.text == taken.caller.queue
        assert urlsplit(queue.get("url")).path.endswith("/connect/")
        assert dial.one("Dial").get("record") is None  # the line does not record
        heard = urgent.step(queue.get("url"), QueueTime="80", DequeingCallSid=agent_leg.sid)
    assert heard.said  # "Putting you through now."
    call = record(urgent)
    assert call.outcome == Outcome.ANSWERED and call.wait_seconds == 80
    assert call.agent == agent_with_phone
    conversation = call.conversation
    assert conversation.assignee == agent_with_phone
    assert conversation.first_response_at == TUESDAY_10 + timedelta(minutes=2, seconds=20)
    assert conversation.waiting_since is None  # no longer waiting for a person

    with travel(TUESDAY_10 + timedelta(minutes=5, seconds=20)):
        done = agent_leg.step(dial.one("Dial").get("action"), DialCallStatus="completed",
                              DialCallDuration="180")  # fmt: skip
        urgent.step(f"{voice.webhook_path}queued/", QueueResult="bridged", QueueTime="80")
        urgent.hang_up(duration=320)
    assert done.verbs == ["Hangup"]
    call = record(urgent)
    assert call.talk_seconds == 180 and call.duration_seconds == 320
    assert call.conversation.status == Status.RESOLVED
    assert call.conversation.outcome == ConversationOutcome.ANSWERED
    assert record(normal).outcome == ""  # still waiting


def test_the_agent_hears_so_when_the_caller_has_gone_meanwhile(
    phone: Any, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        answer = queued(caller)
        taken = take_next_call(agent=agent_with_phone)
        caller.step(answer.one("Enqueue").get("action"), QueueResult="hangup", QueueTime="5")
        url = urlsplit(twilio.calls[-1]["Url"])
        agent = Caller(caller.post_signed, voice, taken.leg.call_sid, "+50431234567")
        heard = agent.step(f"{url.path}?{url.query}")
    assert heard.verbs == ["Say", "Hangup"] and not heard.all("Dial")


def test_taking_a_call_without_a_phone_or_without_callers_is_refused(
    phone: Any, make_staff: Callable[..., User], agent_with_phone: User
) -> None:
    from ventanilla.lib.errors import Conflict, Invalid

    with pytest.raises(Conflict):
        take_next_call(agent=agent_with_phone)
    with travel(TUESDAY_10):
        queued(phone())
    with pytest.raises(Invalid):
        take_next_call(agent=make_staff("agent", "sin-telefono"))


def test_a_callback_offered_in_the_queue_and_completed_by_an_agent(
    phone: Any, line: VoiceLine, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    line.callback_after_seconds = 90
    line.save()
    caller = phone("+50499990007")
    with travel(TUESDAY_10):
        answer = queued(caller)
        wait_url = answer.one("Enqueue").get("waitUrl")
        early = caller.step(wait_url, QueuePosition="1", QueueTime="30")
    assert not early.all("Gather")  # not yet: 30 s < 90 s
    with travel(TUESDAY_10 + timedelta(seconds=95)):
        later = caller.step(wait_url, QueuePosition="1", QueueTime="95")
        offer = later.one("Gather")
        assert urlsplit(offer.get("action")).path.endswith("/wait-choice/")
        leave = caller.press(later, "1")
        assert leave.verbs == ["Leave"]
        bye = caller.step(answer.one("Enqueue").get("action"), QueueResult="leave", QueueTime="97")
        caller.hang_up(duration=120)
    assert bye.verbs == ["Say", "Hangup"]
    call = record(caller)
    assert call.outcome == Outcome.CALLBACK and call.callback_pending
    assert call.conversation.status == Status.OPEN  # work for the agents

    with travel(TUESDAY_10 + timedelta(minutes=30)):
        leg = call_back(call=call, agent=agent_with_phone)
    placed = twilio.calls[-1]
    assert placed["To"] == "+50431234567"
    url = urlsplit(placed["Url"])
    assert url.path == f"{voice.webhook_path}callback/"
    agent = Caller(caller.post_signed, voice, leg.call_sid, "+50431234567")
    with travel(TUESDAY_10 + timedelta(minutes=30, seconds=10)):
        dialing = agent.step(f"{url.path}?{url.query}")
        number = dialing.one("Number")
        assert number.text == "+50499990007"
        assert dialing.one("Dial").get("callerId") == voice.config["number"]
        agent.step(dialing.one("Dial").get("action"), DialCallStatus="completed",
                   DialCallDuration="95")  # fmt: skip
    call = record(caller)
    assert call.callback_done_at == TUESDAY_10 + timedelta(minutes=30, seconds=10)
    assert call.callback_by == agent_with_phone and call.callback_attempts == 1
    assert not call.callback_pending


def test_a_callback_not_answered_stays_to_do(
    phone: Any, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        queued(caller)
        caller.hang_up()
        leg = call_back(call=record(caller), agent=agent_with_phone)
        url = urlsplit(twilio.calls[-1]["Url"])
        agent = Caller(caller.post_signed, voice, leg.call_sid, "+50431234567")
        dialing = agent.step(f"{url.path}?{url.query}")
        heard = agent.step(dialing.one("Dial").get("action"), DialCallStatus="no-answer",
                           DialCallDuration="0")  # fmt: skip
    assert heard.verbs == ["Say", "Hangup"]
    call = record(caller)
    assert call.callback_requested_at is not None and call.callback_done_at is None


def test_out_of_hours_on_a_holiday_in_the_desks_time_zone_takes_a_voice_message(
    phone: Any, tegucigalpa: Desk, twilio: FakeTwilio, voice: Channel
) -> None:
    tegucigalpa.holidays = ["09-15"]  # Independence Day, every year
    tegucigalpa.save()
    # 10:00 in Tegucigalpa on Tuesday 15 September; in UTC a weekday at 16:00.
    holiday = datetime(2026, 9, 15, 16, 0, tzinfo=UTC)
    caller = phone("+50499990009")
    with travel(holiday):
        answer = caller.press(caller.ring(), "2")  # English
    closed = answer.said[0]
    assert closed == (
        "en-GB",
        "We are closed at the moment. We open again Wednesday 06:00 (Tegucigalpa time).",
    )
    menu = answer.one("Gather")
    assert urlsplit(menu.get("action")).path.endswith("/closed/")
    assert "To leave a message, press 1." in [s.text for s in menu.iter("Say")]
    assert "To be called back when we are open, press 2." in [s.text for s in menu.iter("Say")]
    assert record(caller).out_of_hours

    with travel(holiday + timedelta(seconds=20)):
        recorder = caller.press(answer, "1")
    rec = recorder.one("Record")
    assert rec.get("maxLength") == "120" and rec.get("finishOnKey") == "#"
    assert urlsplit(rec.get("action")).path.endswith("/voicemail/")
    status_url = rec.get("recordingStatusCallback")

    url = twilio.add_recording("RE" + "1" * 32, b"ID3 fake mp3 voice message")
    with travel(holiday + timedelta(seconds=60)):
        thanks = caller.step(rec.get("action"), RecordingUrl=url, RecordingDuration="31",
                             Digits="#")  # fmt: skip
        caller.step(status_url, RecordingSid="RE" + "1" * 32, RecordingUrl=url,
                    RecordingStatus="completed", RecordingDuration="31")  # fmt: skip
        caller.hang_up(duration=75)
    assert thanks.verbs == ["Say", "Hangup"]
    call = record(caller)
    assert call.outcome == Outcome.VOICEMAIL
    message = call.voicemail
    assert message.kind == "voicemail" and message.conversation == call.conversation
    attachment = message.attachments.get()
    assert attachment.file.read() == b"ID3 fake mp3 voice message"  # kept with the case
    assert attachment.mime_type == "audio/mpeg"
    assert twilio.deleted == ["RE" + "1" * 32]  # and no longer at Twilio
    assert call.conversation.status == Status.OPEN  # for the agents to call back


def test_out_of_hours_a_withheld_number_is_offered_no_callback(phone: Any) -> None:
    night = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 23:00 in Tegucigalpa
    caller = phone("anonymous")
    with travel(night):
        answer = caller.press(caller.ring(), "1")
        texts = [s.text for s in answer.one("Gather").iter("Say")]
        assert not any("called back" in (t or "") for t in texts)
        answer = caller.press(answer, "2")  # the option does not exist for them
        assert answer.one("Gather")  # asked again
        for _ in range(2):
            answer = caller.press(answer, "2") if answer.all("Gather") else answer
    assert answer.verbs[-1] == "Hangup"  # three wrong keys: goodbye
    call = record(caller)
    assert call.callback_requested_at is None
    assert call.conversation.identity.scheme == "withheld"
    caller.hang_up()
    assert record(caller).outcome == Outcome.CLOSED


def test_a_call_recorded_for_quality_is_kept_then_removed_after_retention(
    phone: Any, line: VoiceLine, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    line.record_calls = True
    line.recording_retention_days = 30
    line.save()
    caller = phone()
    with travel(TUESDAY_10):
        answer = caller.press(caller.ring(), "1")
        assert answer.said[0][1].startswith("Esta llamada puede ser grabada")
        queued_answer = caller.press(answer, "1")
        assert queued_answer.all("Enqueue")
        taken = take_next_call(agent=agent_with_phone)
        url = urlsplit(twilio.calls[-1]["Url"])
        agent = Caller(caller.post_signed, voice, taken.leg.call_sid, "+50431234567")
        dial = agent.step(f"{url.path}?{url.query}").one("Dial")
        assert dial.get("record") == "record-from-answer-dual"
        caller.step(f"{voice.webhook_path}connect/", QueueTime="12", DequeingCallSid=agent.sid)
        recording = twilio.add_recording("RE" + "2" * 32, b"ID3 the whole conversation")
        ready = {"RecordingSid": "RE" + "2" * 32, "RecordingUrl": recording,
                 "RecordingStatus": "completed", "RecordingDuration": "200"}  # fmt: skip
        agent.step(dial.get("recordingStatusCallback"), **ready)
    call = record(caller)
    assert call.recording.file.read() == b"ID3 the whole conversation"
    assert call.recording.message == call.message  # with the call in the conversation
    assert twilio.deleted == ["RE" + "2" * 32]

    assert remove_expired_recordings(now=TUESDAY_10 + timedelta(days=29)) == 0
    assert remove_expired_recordings(now=TUESDAY_10 + timedelta(days=31)) == 1
    call.recording.refresh_from_db()
    assert not call.recording.file and call.recording.removed_at is not None


def test_a_recording_url_outside_the_account_is_never_fetched(
    phone: Any, twilio: FakeTwilio
) -> None:
    caller = phone()
    night = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    with travel(night):
        answer = caller.press(caller.press(caller.ring(), "1"), "1")
        rec = answer.one("Record")
        elsewhere = {"RecordingSid": "RE" + "3" * 32, "RecordingUrl": "http://127.0.0.1:9/steal",
                     "RecordingStatus": "completed"}  # fmt: skip
        caller.step(rec.get("recordingStatusCallback"), **elsewhere)
    attachment = record(caller).voicemail.attachments.get()
    assert not attachment.file and "not a recording of this account" in attachment.fetch_error


def test_languages_without_a_voice_use_recorded_prompts_and_show_what_is_missing(
    phone: Any, line: VoiceLine, client: Client
) -> None:
    line.languages = ["ar", "zgh", "fr"]
    line.save()
    missing = {(m.language, m.key) for m in prompts.missing_prompts(line)}
    assert ("zgh", "language_option") in missing and ("zgh", "closed") in missing
    assert not any(language in ("ar", "fr") for language, _key in missing)
    with travel(TUESDAY_10):
        options = phone().ring().one("Gather")
    assert [s.get("language") for s in options.iter("Say")] == ["arb", "fr-FR"]  # zgh unheard

    keep_prompt(line=line, language="zgh", key="language_option", audio=b"ID3 zgh option",
                mime_type="audio/mpeg", by=None)  # fmt: skip
    assert ("zgh", "language_option") not in {
        (m.language, m.key) for m in prompts.missing_prompts(line)
    }
    with travel(TUESDAY_10):
        answer = phone().ring()
    play = answer.one("Gather").find("Play")
    assert play is not None
    audio = client.get(urlsplit(play.text).path)
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/mpeg"
    assert b"".join(audio.streaming_content) == b"ID3 zgh option"

    caller = phone()
    with travel(TUESDAY_10):
        topics = caller.press(caller.ring(), "2")  # Tamazight: no recording of the topics yet
    assert [s.get("language") for s in topics.one("Gather").iter("Say")] == [
        "arb",
        "arb",
    ]  # the first
    assert record(caller).language == "zgh"


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client: Client, voice: Channel) -> None:
    from urllib.parse import urlencode

    params = voice_params("CA" + "9" * 32)
    response = client.post(voice.webhook_path, urlencode(params),
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": "bm90IHRoZSBzaWduYXR1cmU="})  # fmt: skip
    assert response.status_code == 403
    unsigned = client.post(voice.webhook_path, urlencode(params),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert unsigned.status_code == 401
    assert not Call.objects.exists() and not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_a_repeated_incoming_webhook_is_one_call(phone: Any) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        caller.ring()
        caller.ring()
    assert Call.objects.count() == 1 and Conversation.objects.count() == 1


@pytest.mark.parametrize("action", ["nonsense", "language"])
def test_bad_voice_requests_get_a_clear_refusal(
    post_twilio: Any, voice: Channel, action: str
) -> None:
    if action == "nonsense":
        response = post_twilio(f"{voice.webhook_path}nonsense/", voice_params("CA" + "8" * 32))
        assert response.status_code == 404
    else:
        params = voice_params("CA" + "8" * 32)
        del params["CallSid"]
        response = post_twilio(f"{voice.webhook_path}language/", params)
        assert response.status_code == 400
    assert not Call.objects.exists()


def test_two_agents_taking_calls_at_once_are_not_both_sent_to_one_caller(
    phone: Any, agent_with_phone: User, make_staff: Callable[..., User], twilio: FakeTwilio
) -> None:
    from ventanilla.lib.errors import Conflict

    other = make_staff("agent", "ines")
    set_phone(user=other, phone="+50431234568", by=other)
    first, second = phone("+50499990001"), phone("+50499990002")
    with travel(TUESDAY_10):
        queued(first)
        queued(second)
        one = take_next_call(agent=agent_with_phone)
        two = take_next_call(agent=other)
        with pytest.raises(Conflict):  # both callers have an agent's phone ringing for them
            take_next_call(agent=agent_with_phone)
    assert (one.caller.call_sid, two.caller.call_sid) == (first.sid, second.sid)
    assert len(twilio.calls) == 2
    with travel(TUESDAY_10 + timedelta(minutes=1)):  # a phone rang unanswered: offered again
        again = take_next_call(agent=agent_with_phone)
    assert again.caller.call_sid == first.sid


def test_a_line_with_one_language_greets_and_goes_straight_on(phone: Any, line: VoiceLine) -> None:
    line.languages = ["es"]
    line.save()
    with travel(TUESDAY_10):
        answer = phone().ring()
    assert answer.said[0] == (
        "es-ES",
        prompts.voice(line, "es").say("greeting", desk="Default desk").text,
    )  # type: ignore[union-attr]
    assert urlsplit(answer.one("Gather").get("action")).path.endswith("/topic/")


def test_a_call_whose_end_was_never_reported_stops_waiting_after_four_hours(phone: Any) -> None:
    from ventanilla.calls.records import sweep_lost

    caller = phone()
    with travel(TUESDAY_10):
        queued(caller)
    assert sweep_lost(now=TUESDAY_10 + timedelta(hours=3)) == 0
    assert sweep_lost(now=TUESDAY_10 + timedelta(hours=5)) == 1
    call = record(caller)
    assert call.status == "lost" and call.outcome == Outcome.ABANDONED and not call.waiting


def test_a_night_caller_hanging_up_in_the_language_menu_counts_as_out_of_hours(
    phone: Any,
) -> None:
    caller = phone()
    with travel(datetime(2026, 11, 25, 5, 0, tzinfo=UTC)):  # 23:00 in Tegucigalpa
        caller.ring()
        caller.hang_up(duration=8)
    call = record(caller)
    assert call.out_of_hours and call.outcome == Outcome.CLOSED


def test_the_expected_wait_counts_the_agents_who_can_take_the_call_and_their_talk_time(
    phone: Any, make_staff: Callable[..., User]
) -> None:
    from ventanilla.desks.models import AgentProfile

    staff = (("ana", ["es"], "+50431234501"), ("bea", [], "+50431234502"),
             ("chloe", ["fr"], "+50431234503"), ("dan", ["es"], ""))  # fmt: skip
    for name, languages, number in staff:  # dan has no phone: he takes no calls
        agent = make_staff("agent", name)
        AgentProfile.objects.filter(user=agent).update(languages=languages)
        set_phone(user=agent, phone=number, by=agent)
    callers = [phone(f"+5049999000{n}") for n in range(3)]
    with travel(TUESDAY_10):
        for caller in callers:
            answer = queued(caller)
        waiting = callers[2].step(answer.one("Enqueue").get("waitUrl"), QueueTime="10")
    # Third; ana and bea take Spanish calls (chloe speaks French only, dan has no phone);
    # nothing answered yet: 240 s each. 3 x 240 / 2 = 360 s: 6 minutes.
    assert waiting.said[0][1] == "Usted es el número 3 en la cola. La espera es de unos 6 minutos."
    Call.objects.filter(call_sid=callers[0].sid).update(talk_seconds=600)  # one long talk
    with travel(TUESDAY_10):
        waiting = callers[2].step(answer.one("Enqueue").get("waitUrl"), QueueTime="20")
    # 3 x 600 / 2 = 900 s: 15 minutes.
    assert waiting.said[0][1] == "Usted es el número 3 en la cola. La espera es de unos 15 minutos."


def test_an_agents_leg_reported_on_before_its_id_is_known_is_found_by_its_record(
    phone: Any, agent_with_phone: User, twilio: FakeTwilio, voice: Channel
) -> None:
    caller = phone()
    with travel(TUESDAY_10):
        queued(caller)
        taken = take_next_call(agent=agent_with_phone)
    sid = taken.leg.call_sid
    # As if Twilio's "busy" had overtaken the answer to the request that placed the call.
    Call.objects.filter(pk=taken.leg.pk).update(call_sid="pending-1-2")
    status_url = urlsplit(twilio.calls[-1]["StatusCallback"])
    agent = Caller(caller.post_signed, voice, sid, "+50431234567")
    with travel(TUESDAY_10 + timedelta(seconds=20)):
        agent.post(f"{status_url.path}?{status_url.query}", CallStatus="busy", CallDuration="0")
    leg = Call.objects.get(pk=taken.leg.pk)
    assert leg.call_sid == sid and leg.status == "busy" and leg.ended_at is not None
    with travel(TUESDAY_10 + timedelta(seconds=21)):  # the caller is offered again at once
        assert take_next_call(agent=agent_with_phone).caller.call_sid == caller.sid
