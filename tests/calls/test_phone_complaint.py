"""A complaint on the phone line: the topic menu offers it (key 6); the caller waits for an
agent as any caller, and the call's conversation is in the register already."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from ventanilla.accountability.models import Complaint
from ventanilla.calls import prompts
from ventanilla.calls.models import Call
from ventanilla.desks.models import Desk
from ventanilla.desks.services import add_default_request_types

TUESDAY_10 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 10:00 in Tegucigalpa
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def open_desk(desk: Desk) -> Desk:
    desk.timezone, desk.hours = "America/Tegucigalpa", ALL_DAY
    desk.save()
    add_default_request_types(desk=desk, by=None)
    return desk


def test_key_6_of_the_topic_menu_files_a_complaint_and_queues_the_caller(phone: Any) -> None:
    caller = phone()
    with time_machine.travel(TUESDAY_10, tick=False):
        topics = caller.press(caller.ring(), "1")  # Spanish
        offered = topics.one("Gather").iter("Say")
        assert [say.text for say in offered][-1] == prompts.translated("complaint_option", "es")
        waiting = caller.press(topics, "6")
    assert waiting.one("Enqueue").text
    complaint = Complaint.objects.get()
    call = Call.objects.get(call_sid=caller.sid)
    assert (complaint.source, complaint.kind) == ("phone", "complaint")
    assert complaint.conversation == call.conversation
    assert call.topic == "complaint" and call.conversation.request_type.slug == "complaint"
    with time_machine.travel(TUESDAY_10, tick=False):  # a second call from the same person
        again = phone(caller.number)
        again.press(again.press(again.ring(), "1"), "6")
    assert Complaint.objects.count() == 1  # the same conversation: in the register once
