"""A review of a sampled call with its recording: a call recorded for quality is answered and
resolved; the week's sample draws it; the supervisor's review page plays the recording inline;
the agent reads the feedback and acknowledges it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.models import User

from calls.conftest import Caller
from fakes.twilio import FakeTwilio
from ventanilla.accountability import reviews
from ventanilla.calls.models import Call, VoiceLine
from ventanilla.calls.services import set_phone, take_next_call
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Status
from ventanilla.desks.models import Desk
from ventanilla.desks.services import add_default_request_types

TUESDAY_10 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 10:00 in Tegucigalpa
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def recorded_line(desk: Desk, line: VoiceLine) -> VoiceLine:
    desk.timezone, desk.hours = "America/Tegucigalpa", ALL_DAY
    desk.save()
    add_default_request_types(desk=desk, by=None)
    line.record_calls = True
    line.save()
    return line


def test_a_supervisor_reviews_a_sampled_call_with_its_recording(
    phone: Any, twilio: FakeTwilio, voice: Channel, desk: Desk, make_staff: Any, client: Any,
    supervisor: User,
) -> None:  # fmt: skip
    marta = make_staff("agent", "marta")
    set_phone(user=marta, phone="+504 3123 4567", by=marta)
    caller = phone()
    with time_machine.travel(TUESDAY_10, tick=False):
        queued = caller.press(caller.press(caller.ring(), "1"), "1")
        taken = take_next_call(agent=marta)
        placed = urlsplit(twilio.calls[-1]["Url"])
        agent = Caller(caller.post_signed, voice, taken.leg.call_sid, "+50431234567")
        dial = agent.step(f"{placed.path}?{placed.query}").one("Dial")
        caller.step(f"{voice.webhook_path}connect/", QueueTime="12", DequeingCallSid=agent.sid)
        sound = b"ID3 the recorded conversation"
        recording = twilio.add_recording("RE" + "3" * 32, sound)
        agent.step(dial.get("recordingStatusCallback"), RecordingSid="RE" + "3" * 32,
                   RecordingUrl=recording, RecordingStatus="completed",
                   RecordingDuration="200")  # fmt: skip
        agent.step(dial.get("action"), DialCallStatus="completed", DialCallDuration="200")
        caller.step(queued.one("Enqueue").get("action", ""), QueueResult="bridged")
        caller.hang_up(duration=230)
    call = Call.objects.get(call_sid=caller.sid)
    assert call.conversation.status == Status.RESOLVED and call.recording.file

    reviews.save_settings(desk=desk, sample_per_week=1, by=None)
    (review,) = reviews.draw(desk=desk, week=TUESDAY_10.date(), chance=random.Random(2))
    assert (review.agent, review.reason, review.conversation) == (
        marta,
        "sample",
        call.conversation,
    )

    client.force_login(supervisor)
    page = client.get(f"/console/reviews/{review.pk}/").content.decode()
    player = f'<audio controls preload="none" src="/console/c/{call.conversation_id}/files/'
    assert player in page and 'aria-label="Call recording"' in page
    source = page.split(player)[1].split('"')[0]
    played = client.get(f"/console/c/{call.conversation_id}/files/{source}")
    assert b"".join(played.streaming_content) == sound  # what the supervisor hears
    client.post(f"/console/reviews/{review.pk}/", {
        "rating-correct": "5", "rating-empathy": "5", "rating-language": "1",
        "rating-procedure": "1", "feedback": "Clear and kind. Well done."})  # fmt: skip
    review.refresh_from_db()
    assert review.score == 100.0

    client.force_login(marta)
    shown = client.get(f"/console/reviews/{review.pk}/").content.decode()
    assert "Clear and kind. Well done." in shown and player in shown
    client.post(f"/console/reviews/{review.pk}/acknowledge/")
    review.refresh_from_db()
    assert review.state == "acknowledged" and review.acknowledged_at is not None
    assert TUESDAY_10 + timedelta(days=1) < review.acknowledged_at
