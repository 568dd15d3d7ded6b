"""The keypad survey: when the agent hangs up, the caller (still on the line) is asked the
score and whether their question was solved, on the keypad, in the language they chose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine

from calls.conftest import Caller, Twiml
from ventanilla.accountability import surveys
from ventanilla.accountability.models import Survey
from ventanilla.calls import prompts
from ventanilla.calls.models import VoiceLine
from ventanilla.desks.models import Desk
from ventanilla.desks.services import add_default_request_types

TUESDAY_10 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 10:00 in Tegucigalpa
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def asking(desk: Desk, line: VoiceLine) -> VoiceLine:
    desk.timezone, desk.hours = "America/Tegucigalpa", ALL_DAY
    desk.save()
    add_default_request_types(desk=desk, by=None)
    surveys.save_settings(desk=desk, changes={"enabled": True}, by=None)
    line.keypad_survey = True
    line.save()
    return line


def travel(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def talked(caller: Caller, *, topic: str = "5") -> Twiml:
    """Ring, choose Spanish and a topic, wait, talk; the agent hangs up: what the caller
    hears next."""
    with travel(TUESDAY_10):
        waiting = caller.press(caller.press(caller.ring(), "1"), topic)
    with travel(TUESDAY_10 + timedelta(minutes=4)):
        action = waiting.one("Enqueue").get("action", "")
        return caller.step(action, QueueResult="bridged", QueueTime="90")


def test_the_caller_answers_both_questions_on_the_keypad(phone: Any) -> None:
    caller = phone()
    asked = talked(caller)
    gather = asked.one("Gather")
    assert urlsplit(gather.get("action")).path.endswith("/survey/")
    assert asked.said == [("es-ES", prompts.translated("survey_score", "es"))]
    assert "satisfecho" in asked.text()
    assert asked.verbs == ["Gather", "Hangup"]  # no key: the call ends
    with travel(TUESDAY_10 + timedelta(minutes=4, seconds=10)):
        solved = caller.press(asked, "2")
        assert "pulse 1" in solved.text().lower()
        thanks = caller.press(solved, "1")
    assert thanks.verbs == ["Say", "Hangup"] and "Gracias" in thanks.text()
    survey = Survey.objects.get()
    assert (survey.score, survey.solved, survey.state) == (2, True, "done")
    assert survey.language == "es" and survey.call_sid == caller.sid
    assert survey.channel.type == "twilio-voice"


def test_a_wrong_key_ends_the_survey_with_thanks_keeping_what_was_answered(phone: Any) -> None:
    caller = phone()
    asked = talked(caller)
    with travel(TUESDAY_10 + timedelta(minutes=4, seconds=10)):
        solved = caller.press(asked, "4")
        thanks = caller.press(solved, "9")
    assert thanks.verbs == ["Say", "Hangup"]
    survey = Survey.objects.get()
    assert (survey.score, survey.solved, survey.state) == (4, None, "done")


def test_no_survey_after_an_emergency_call_or_on_a_line_that_does_not_ask(
    phone: Any, asking: VoiceLine
) -> None:
    assert talked(phone(), topic="4").verbs == ["Hangup"]  # an emergency: never asked
    asking.keypad_survey = False
    asking.save()
    assert talked(phone("+50499990002")).verbs == ["Hangup"]
    assert not Survey.objects.exists()


def test_a_caller_asked_recently_is_not_asked_again(phone: Any) -> None:
    first = phone()
    assert talked(first).one("Gather") is not None
    assert talked(phone(first.number)).verbs == ["Hangup"]  # the same person, same period
    assert Survey.objects.count() == 1
