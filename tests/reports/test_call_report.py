"""The phone line's figures: a day of calls driven through the signed Voice webhooks, and
the report checked against the figures worked out by hand from the same calls."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.contrib.auth.models import User

from calls import conftest as phone_line
from calls.conftest import Caller, Twiml
from fakes.twilio import FakeTwilio
from ventanilla.calls.models import Call, Leg, Outcome
from ventanilla.calls.services import call_back, set_phone, take_next_call
from ventanilla.channels.models import Channel
from ventanilla.desks.models import Desk
from ventanilla.reports.calls import nearest_rank

voice, line = phone_line.voice, phone_line.line  # the phone line's own fixtures
ALL_DAY = {day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
AGENT_PHONE = "+50431234567"
DAY = "2026-11-24"  # a Tuesday
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def local(hour: int, minute: int, day: int = 24) -> datetime:
    """A moment in Tegucigalpa (UTC-6 all year) on a day of November 2026, in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) + timedelta(hours=6)


def travel(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def tegucigalpa(desk: Desk) -> Desk:
    desk.timezone = "America/Tegucigalpa"
    desk.hours = ALL_DAY
    desk.save()
    return desk


@pytest.fixture
def marta(make_staff: Callable[..., User]) -> User:
    """An agent who takes calls on her phone."""
    agent = make_staff("agent", "marta")
    set_phone(user=agent, phone=AGENT_PHONE, by=agent)
    return agent


class Switchboard:
    """The phone line of the desk as callers and an agent use it."""

    def __init__(self, post: Callable[..., Any], twilio: FakeTwilio, voice: Channel) -> None:
        self.post, self.twilio, self.voice = post, twilio, voice
        self.count = itertools.count(1)

    def caller(self) -> Caller:
        # Call ids of their own: the `phone` fixture's count from CA...01 as the fake
        # Twilio's placed calls do, and a caller would share its id with an agent's leg.
        n = next(self.count)
        return Caller(self.post, self.voice, f"CAca11e7{n:026x}", f"+5049999{n:04d}")

    def queued(self, at: datetime, language: str, topic: str) -> tuple[Caller, Twiml]:
        """Ring, choose a language and a topic: the caller waits in the queue."""
        caller = self.caller()
        with travel(at):
            answer = caller.press(caller.press(caller.ring(), language), topic)
        assert answer.one("Enqueue").text
        return caller, answer

    def agent_leg(self, caller: Caller, sid: str) -> Caller:
        return Caller(caller.post_signed, self.voice, sid, AGENT_PHONE)

    def answered(
        self, agent: User, at: datetime, language: str, topic: str, *, wait: int, talk: int
    ) -> Caller:
        """A call the agent takes after `wait` seconds in the queue and talks `talk` seconds."""
        caller, answer = self.queued(at, language, topic)
        with travel(at + timedelta(seconds=wait)):
            taken = take_next_call(agent=agent)
            assert taken.caller.call_sid == caller.sid
            placed = urlsplit(self.twilio.calls[-1]["Url"])
            agent_leg = self.agent_leg(caller, taken.leg.call_sid)
            dial = agent_leg.step(f"{placed.path}?{placed.query}")
            caller.step(
                dial.one("Queue").get("url", ""),
                QueueTime=str(wait),
                DequeingCallSid=agent_leg.sid,
            )
        with travel(at + timedelta(seconds=wait + talk)):
            agent_leg.step(
                dial.one("Dial").get("action", ""),
                DialCallStatus="completed",
                DialCallDuration=str(talk),
            )
            caller.step(
                answer.one("Enqueue").get("action", ""), QueueResult="bridged", QueueTime=str(wait)
            )
            caller.hang_up(duration=20 + wait + talk)
            agent_leg.hang_up(duration=talk + 5)
        return caller

    def abandoned(self, at: datetime, language: str, topic: str, *, wait: int) -> Caller:
        caller, answer = self.queued(at, language, topic)
        with travel(at + timedelta(seconds=wait)):
            caller.step(
                answer.one("Enqueue").get("action", ""), QueueResult="hangup", QueueTime=str(wait)
            )
            caller.hang_up(duration=20 + wait)
        return caller

    def callback_from_the_queue(self, at: datetime, language: str, *, wait: int) -> Caller:
        """Offered a callback after two minutes in the queue, the caller takes it."""
        caller, answer = self.queued(at, language, "5")
        enqueue = answer.one("Enqueue")
        with travel(at + timedelta(seconds=wait)):
            offer = caller.step(enqueue.get("waitUrl", ""), QueuePosition="1", QueueTime=str(wait))
            assert caller.press(offer, "1").verbs == ["Leave"]
            caller.step(enqueue.get("action", ""), QueueResult="leave", QueueTime=str(wait))
            caller.hang_up(duration=20 + wait)
        return caller

    def called_back(self, caller: Caller, agent: User, at: datetime) -> None:
        with travel(at):
            leg = call_back(call=Call.objects.get(call_sid=caller.sid), agent=agent)
            placed = urlsplit(self.twilio.calls[-1]["Url"])
            agent_leg = self.agent_leg(caller, leg.call_sid)
            dialing = agent_leg.step(f"{placed.path}?{placed.query}")
            agent_leg.step(
                dialing.one("Dial").get("action", ""),
                DialCallStatus="completed",
                DialCallDuration="95",
            )

    def closed(self, at: datetime, language: str, key: str) -> tuple[Caller, Twiml]:
        """Out of hours: the closed menu, then key 1 (a voice message) or 2 (a callback)."""
        caller = self.caller()
        with travel(at):
            menu = caller.press(caller.ring(), language)
            assert menu.one("Gather").get("action", "").split("?")[0].endswith("/closed/")
            return caller, caller.press(menu, key)


@pytest.fixture
def line_in_use(post_twilio: Callable[..., Any], twilio: FakeTwilio, voice: Channel) -> Switchboard:
    return Switchboard(post_twilio, twilio, voice)


@pytest.fixture
def day(line_in_use: Switchboard, marta: User) -> dict[str, Caller]:
    """A Tuesday of the line in Tegucigalpa, open 06:00-22:00. Keys: 1 es, 2 en, 3 ar;
    topics: 1 documents, 2 application status, 3 rights, 4 emergency, 5 other.

    | call | local time      | lang | what happened                        | wait | talk |
    | K    | Mon 23:30       | es   | out of hours, hung up in the menu    |      |      |
    | L    | 05:30           | en   | out of hours, asked for a callback   |      |      |
    | A    | 08:15           | es   | answered                             |  30  | 180  |
    | B    | 08:40           | es   | answered                             |  75  | 240  |
    | C    | 09:05           | en   | hung up in the queue                 |  40  |      |
    | D    | 10:20           | ar   | emergency, answered                  |  10  | 600  |
    | E    | 10:50           | es   | callback from the queue, made 11:30  | 130  |      |
    | F    | 13:30           | es   | answered                             | 200  |  90  |
    | G    | 13:45           | en   | hung up in the queue                 |  15  |      |
    | H    | 17:10           | ar   | answered                             |  45  | 300  |
    | I    | 19:30           | -    | hung up before choosing a language   |      |      |
    | M    | 21:00           | es   | still waiting in the queue           |      |      |
    | J    | 23:10           | es   | out of hours, left a voice message   |      |      |
    | N    | Wed 06:30       | es   | answered, the next day               |  20  |  60  |
    """
    use = line_in_use
    calls: dict[str, Caller] = {}
    calls["K"], _menu = use.closed(local(23, 30, day=23), "1", "9")
    with travel(local(23, 31, day=23)):
        calls["K"].hang_up(duration=40)
    calls["L"], confirmed = use.closed(local(5, 30), "2", "2")
    assert confirmed.verbs[-1] == "Hangup"
    with travel(local(5, 31)):
        calls["L"].hang_up(duration=50)
    calls["A"] = use.answered(marta, local(8, 15), "1", "1", wait=30, talk=180)
    calls["B"] = use.answered(marta, local(8, 40), "1", "2", wait=75, talk=240)
    calls["C"] = use.abandoned(local(9, 5), "2", "1", wait=40)
    calls["D"] = use.answered(marta, local(10, 20), "3", "4", wait=10, talk=600)
    calls["E"] = use.callback_from_the_queue(local(10, 50), "1", wait=130)
    use.called_back(calls["E"], marta, local(11, 30))
    calls["F"] = use.answered(marta, local(13, 30), "1", "3", wait=200, talk=90)
    calls["G"] = use.abandoned(local(13, 45), "2", "2", wait=15)
    calls["H"] = use.answered(marta, local(17, 10), "3", "1", wait=45, talk=300)
    calls["I"] = use.caller()
    with travel(local(19, 30)):
        calls["I"].ring()
        calls["I"].hang_up(duration=8)
    # N (Wednesday) before M in the code: with M waiting, the agent would take M first.
    calls["N"] = use.answered(marta, local(6, 30, day=25), "1", "2", wait=20, talk=60)
    calls["M"], _answer = use.queued(local(21, 0), "1", "5")
    calls["J"], recorder = use.closed(local(23, 10), "1", "1")
    with travel(local(23, 11)):
        record = recorder.one("Record")
        calls["J"].step(
            record.get("action", ""),
            RecordingUrl=use.twilio.url + "/RE1",
            RecordingDuration="25",
            Digits="#",
        )
        calls["J"].hang_up(duration=70)
    return calls


def report(api: Any, **query: str) -> Any:
    with travel(NOW):
        return api.get(f"/api/v1/reports/calls?{urlencode(query)}")


def hours(**counts: tuple[int, int]) -> list[dict[str, int]]:
    """The 24 hours of the day, with (calls, answered) for the hours given as h5=(1, 0)."""
    given = {int(name[1:]): pair for name, pair in counts.items()}
    return [
        {"hour": h, "calls": given.get(h, (0, 0))[0], "answered": given.get(h, (0, 0))[1]}
        for h in range(24)
    ]


def test_the_figures_of_a_day_of_calls_match_the_hand_computed_ones(day, api_as, analyst):
    rows = Call.objects.filter(leg=Leg.CALLER)
    assert rows.count() == 14 and Call.objects.exclude(leg=Leg.CALLER).count() == 7
    response = report(api_as(analyst), desk="default", **{"from": DAY, "to": DAY})
    assert response.status_code == 200, response.content
    body = response.json()
    # Tuesday in Tegucigalpa: L A B C D E F G H I M J (K was on Monday, N on Wednesday);
    # the agent's legs (six taken calls, one callback) are not calls received.
    assert body == {
        "desk": "default",
        "from": DAY,
        "to": DAY,
        "timezone": "America/Tegucigalpa",
        "calls_received": 12,
        "answered": 5,  # A B D F H
        "abandoned": 2,  # C G
        "abandoned_rate": 0.2857,  # 2 / (5 + 2)
        "outcomes": {
            "answered": 5,
            "abandoned": 2,
            "callback": 2,  # L (out of hours), E (from the queue)
            "voicemail": 1,  # J
            "closed": 0,
            "menu": 1,  # I
            "failed": 0,
        },
        "in_progress": 1,  # M
        "out_of_hours": 2,  # L J
        "voicemails": 1,  # J
        # Waits of the answered calls: 30 75 10 200 45 -> sorted 10 30 45 75 200.
        "average_wait_seconds": 72.0,  # 360 / 5
        "p90_wait_seconds": 200,  # rank ceil(0.9 x 5) = 5: the 5th, 200
        "max_wait_seconds": 200,
        "average_abandon_seconds": 27.5,  # (40 + 15) / 2
        "average_talk_seconds": 282.0,  # (180 + 240 + 600 + 90 + 300) / 5 = 1410 / 5
        "answered_within_60s": 0.4286,  # A 30, D 10, H 45: 3 / (5 + 2)
        "by_hour": hours(
            h5=(1, 0),  # L
            h8=(2, 2),  # A B
            h9=(1, 0),  # C
            h10=(2, 1),  # D answered, E
            h13=(2, 1),  # F answered, G
            h17=(1, 1),  # H
            h19=(1, 0),  # I
            h21=(1, 0),  # M
            h23=(1, 0),  # J
        ),
        "by_language": [
            # es: A B E F M J; answered A B F waited 30 75 200 -> 305 / 3 = 101.67
            {
                "language": "es",
                "calls": 6,
                "answered": 3,
                "abandoned": 0,
                "average_wait_seconds": 101.7,
            },
            # en: L C G; C and G hung up in the queue
            {
                "language": "en",
                "calls": 3,
                "answered": 0,
                "abandoned": 2,
                "average_wait_seconds": None,
            },
            # ar: D H, waited 10 and 45
            {
                "language": "ar",
                "calls": 2,
                "answered": 2,
                "abandoned": 0,
                "average_wait_seconds": 27.5,
            },
            # none: I hung up before choosing
            {
                "language": None,
                "calls": 1,
                "answered": 0,
                "abandoned": 0,
                "average_wait_seconds": None,
            },
        ],
        "callbacks_requested": 2,  # L E
        "callbacks_completed": 1,  # E, called back at 11:30
        "callbacks_pending": 1,  # L
    }


def test_without_a_desk_the_days_are_read_in_utc(day, api_as, analyst):
    # 24 November in UTC runs from 18:00 on Monday to 18:00 on Tuesday in Tegucigalpa:
    # K (Mon 23:30) L A B C D E F G H (17:10); I, M and J are on the 25th in UTC.
    body = report(api_as(analyst), **{"from": DAY, "to": DAY}).json()
    assert (body["desk"], body["timezone"]) == (None, "UTC")
    assert body["calls_received"] == 10
    assert (body["answered"], body["abandoned"]) == (5, 2)
    assert body["outcomes"]["closed"] == 1  # K left nothing
    assert body["outcomes"]["menu"] == 0
    by_hour = {row["hour"]: row["calls"] for row in body["by_hour"] if row["calls"]}
    # in UTC: K 05:30, L 11:30, A 14:15, B 14:40, C 15:05, D 16:20, E 16:50,
    # F 19:30, G 19:45, H 23:10
    assert by_hour == {5: 1, 11: 1, 14: 2, 15: 1, 16: 2, 19: 2, 23: 1}


def test_two_days_add_up(day, api_as, analyst):
    body = report(api_as(analyst), desk="default", **{"from": DAY, "to": "2026-11-25"}).json()
    # Tuesday's 12 and N, answered after 20 s and 60 s of talk: waits 10 20 30 45 75 200.
    assert (body["calls_received"], body["answered"]) == (13, 6)
    assert body["average_wait_seconds"] == 63.3  # 380 / 6 = 63.33
    assert body["p90_wait_seconds"] == 200  # rank ceil(0.9 x 6) = 6
    assert body["average_talk_seconds"] == 245.0  # 1470 / 6
    assert body["answered_within_60s"] == 0.5  # 4 / (6 + 2)


def test_without_dates_the_last_thirty_days(day, api_as, analyst):
    body = report(api_as(analyst), desk="default").json()
    assert (body["from"], body["to"]) == ("2026-10-28", "2026-11-26")
    assert body["calls_received"] == 14  # every call, Monday's K included


def test_a_period_without_calls_has_counts_of_zero_and_no_averages(line, api_as, analyst):
    body = report(api_as(analyst), desk="default", **{"from": DAY, "to": DAY}).json()
    assert body["calls_received"] == 0 and body["abandoned_rate"] is None
    assert body["average_wait_seconds"] is body["p90_wait_seconds"] is None
    assert body["answered_within_60s"] is None and body["by_language"] == []
    assert len(body["by_hour"]) == 24 and not any(h["calls"] for h in body["by_hour"])


def test_the_90th_percentile_is_the_nearest_rank():
    assert nearest_rank([], 90) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank(list(range(1, 11)), 90) == 9  # 9 of 10 at or below 9
    assert nearest_rank(list(range(1, 12)), 90) == 10  # ceil(9.9) = 10
    assert nearest_rank([5, 1, 3, 2, 4, 100, 6, 8, 7, 9], 90) == 9  # unsorted input


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "after"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "366"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"desk": "nowhere"}, "no desk"),
        ({"desk": "elsewhere"}, "no desk"),  # a desk the analyst does not work at
    ],
)
def test_a_bad_period_or_desk_is_refused_clearly(api_as, analyst, other_desk, query, detail):
    response = report(api_as(analyst), **query)
    assert response.status_code == 422, response.content
    assert {"error", "detail"} <= set(response.json())
    assert detail in response.json()["detail"]


def test_the_call_figures_need_the_right_to_see_statistics(api_as, make_staff, client, desk):
    assert report(client).status_code == 401
    assert report(api_as(make_staff("agent"))).status_code == 403
    assert report(api_as(make_staff("supervisor"))).status_code == 200


# The supervisors' view


def test_supervisors_see_todays_calls_who_waits_and_who_to_call_back(
    line_in_use, marta, client, supervisor
):
    use = line_in_use
    use.answered(marta, local(8, 15), "1", "1", wait=30, talk=180)
    use.abandoned(local(9, 5), "2", "1", wait=40)
    pending = use.callback_from_the_queue(local(9, 30), "1", wait=130)
    urgent, _answer = use.queued(local(10, 0), "3", "4")
    use.queued(local(10, 2), "2", "2")
    client.force_login(supervisor)
    with travel(local(10, 5)):
        page = client.get("/console/supervisor/").content.decode()
        live = client.get("/console/supervisor/?live=1").content.decode()
    assert "Phone line" in page and "Phone line" in live
    figures = page[page.index("Calls received today") :]
    assert figures.startswith("Calls received today</dt><dd>5</dd>")  # so far today
    assert "<dt>Answered</dt><dd>1</dd>" in figures
    assert "<dt>Abandoned in the queue</dt><dd>1</dd>" in figures
    assert "<dt>Average wait</dt><dd>30 s</dd>" in figures
    assert "<dt>Average talk</dt><dd>180 s</dd>" in figures
    assert "<dt>Callbacks requested</dt><dd>1</dd>" in figures
    waiting = page[page.index("Callers waiting now") : page.index("Callbacks to make")]
    # The emergency first (ar, 5 minutes), then the English caller (3 minutes).
    assert waiting.index("Emergency") < waiting.index("Application status")
    assert "urgent" in waiting and "5\xa0minutes" in waiting and "3\xa0minutes" in waiting
    conversation = Call.objects.get(call_sid=pending.sid).conversation
    to_call = page[page.index("Callbacks to make") :]
    assert f'href="/console/c/{conversation.pk}/">{conversation.reference}</a>' in to_call
    assert "+5049999" not in page and urgent.number not in page  # never a phone number


def test_without_a_phone_line_the_supervision_view_has_no_phone_section(
    client, supervisor, webchat
):
    client.force_login(supervisor)
    response = client.get("/console/supervisor/")
    assert response.status_code == 200
    assert "Phone line" not in response.content.decode()


def test_a_closed_phone_line_is_not_shown(client, supervisor, voice):
    voice.is_active = False
    voice.save()
    client.force_login(supervisor)
    assert "Phone line" not in client.get("/console/supervisor/").content.decode()


def test_an_empty_phone_line_says_nobody_waits(client, supervisor, voice):
    client.force_login(supervisor)
    page = client.get("/console/supervisor/").content.decode()
    assert "Phone line" in page
    assert "Nobody is waiting on the phone." in page
    assert "No callback is waiting to be made." in page
    assert "<dt>Calls received today</dt><dd>0</dd>" in page


def test_outcomes_cover_every_outcome_of_a_call():
    assert set(Outcome.values) - {""} == {
        "answered",
        "abandoned",
        "callback",
        "voicemail",
        "closed",
        "menu",
        "failed",
    }
