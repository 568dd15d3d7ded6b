"""Service-level clocks: deadlines in calendar and business hours, pauses while the desk
waits for the person, recomputation when the request type changes, warnings and escalations.

The clock is frozen (time-machine) and every expected instant is worked out by hand in the
comment beside it.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.conversations import services, sla
from ventanilla.conversations.apps import _judge_unjudged
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Escalation, Priority, Status
from ventanilla.desks.calendar import Calendar
from ventanilla.desks.models import RequestType
from ventanilla.desks.services import update_desk
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork.models import Notification, NotificationKind
from ventanilla.teamwork.service_levels import alert_service_levels

RABAT = ZoneInfo("Africa/Casablanca")
MADRID = ZoneInfo("Europe/Madrid")
WEEKDAYS_8_TO_20 = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(zone, *parts):
    return datetime(*parts, tzinfo=zone)


@pytest.fixture
def consulate(desk):
    """A consular centre in Rabat's time, open Monday to Friday 08:00-20:00."""
    update_desk(desk=desk, by=None, timezone="Africa/Casablanca", hours=WEEKDAYS_8_TO_20)
    desk.refresh_from_db()
    return desk


def policy(desk, slug, **fields):
    found, _ = RequestType.objects.update_or_create(
        desk=desk, slug=slug, defaults={"name": slug, **fields}
    )
    return found


def open_conversation(channel, make_inbound, when, **fields):
    with time_machine.travel(when, tick=False):
        message = receive(channel=channel, inbound=make_inbound(scheme="webchat", **fields))
    return Conversation.objects.get(pk=message.message.conversation_id)


def classify(conversation, request_type, when):
    with time_machine.travel(when, tick=False):
        services.classify(conversation=conversation, by=None, request_type=request_type)
    conversation.refresh_from_db()
    return conversation


# Deadlines


def test_a_new_conversation_gets_the_desks_default_request_type_and_its_deadlines(
    webchat, make_inbound
):
    opened = at(UTC, 2026, 11, 23, 10, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-default")
    assert conversation.request_type.slug == "other"  # made by the desk's defaults
    assert conversation.first_response_due_at == opened + timedelta(hours=48)
    assert conversation.resolution_due_at == opened + timedelta(hours=72)
    assert conversation.due_at == conversation.first_response_due_at


def test_calendar_hours_count_nights_weekends_and_the_change_of_clocks(
    consulate, webchat, make_inbound
):
    # Madrid changes to summer time on Sunday 29 March 2026: 48 real hours from Friday
    # 27 March 18:00 (17:00 UTC) end on Sunday 17:00 UTC, which Madrid reads as 19:00.
    update_desk(desk=consulate, by=None, timezone="Europe/Madrid")
    status = policy(consulate, "application-status", resolution_hours=48, business_hours=False)
    opened = at(MADRID, 2026, 3, 27, 18, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-cal")
    conversation = classify(conversation, status, opened)
    assert conversation.resolution_due_at.astimezone(MADRID) == at(MADRID, 2026, 3, 29, 19, 0)


def test_business_hours_skip_nights_weekends_and_holidays(consulate, webchat, make_inbound):
    status = policy(consulate, "application-status", resolution_hours=48, business_hours=True)
    # Opened on Friday 20 November 2026 at 18:00 in Rabat: Friday counts 2 hours, Monday,
    # Tuesday and Wednesday 12 each (38), Thursday 10 more: due Thursday 26th at 18:00.
    opened = at(RABAT, 2026, 11, 20, 18, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-biz")
    conversation = classify(conversation, status, opened)
    assert conversation.resolution_due_at.astimezone(RABAT) == at(RABAT, 2026, 11, 26, 18, 0)
    # A holiday on Tuesday 24th moves it one working day on: Friday 27th at 18:00.
    update_desk(desk=consulate, by=None, holidays=["2026-11-24"])
    conversation = classify(conversation, status, opened)
    assert conversation.resolution_due_at.astimezone(RABAT) == at(RABAT, 2026, 11, 27, 18, 0)


def test_a_conversation_opened_while_closed_starts_counting_at_the_opening(
    consulate, webchat, make_inbound
):
    status = policy(consulate, "conditions", first_response_hours=3, business_hours=True)
    # Saturday night: the clock starts on Monday at 08:00 and is due at 11:00.
    opened = at(RABAT, 2026, 11, 21, 23, 30)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-sat")
    conversation = classify(conversation, status, opened)
    assert conversation.first_response_due_at.astimezone(RABAT) == at(RABAT, 2026, 11, 23, 11, 0)


def test_changing_the_request_type_recomputes_the_clocks(consulate, webchat, make_inbound):
    quick = policy(consulate, "rights-violation", first_response_hours=1, resolution_hours=24)
    slow = policy(consulate, "complaint", first_response_hours=48, resolution_hours=360)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-type")
    conversation = classify(conversation, slow, opened + timedelta(minutes=5))
    assert conversation.first_response_due_at == opened + timedelta(hours=48)
    conversation = classify(conversation, quick, opened + timedelta(minutes=10))
    # Counted from the opening, not from the change.
    assert conversation.first_response_due_at == opened + timedelta(hours=1)
    assert conversation.resolution_due_at == opened + timedelta(hours=24)
    conversation = classify(conversation, None, opened + timedelta(minutes=15))
    assert conversation.due_at is None and sla.clocks(conversation) == {}


# Pauses


def test_the_clocks_stand_still_while_the_desk_waits_for_the_person(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", first_response_hours=2, resolution_hours=10)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-pause")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(hours=1), tick=False):
        services.reply(conversation=conversation, text="¿Qué documento tiene?", by=agent)
        services.wait_for_person(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    clocks = sla.clocks(conversation, now=opened + timedelta(hours=5))
    assert clocks["first_response"].met is True
    assert clocks["first_response"].elapsed == timedelta(hours=1)
    resolution = clocks["resolution"]
    assert resolution.paused and resolution.due_at is None
    assert resolution.elapsed == timedelta(hours=1) and resolution.remaining == timedelta(hours=9)
    assert conversation.resolution_due_at is None and conversation.due_at is None

    # The person answers four hours later: nine hours are left from then.
    answered = opened + timedelta(hours=5)
    open_conversation(webchat, make_inbound, answered, address="v-pause", text="El pasaporte")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.resolution_due_at == answered + timedelta(hours=9)
    clocks = sla.clocks(conversation, now=answered + timedelta(hours=10))
    assert clocks["resolution"].breached
    assert clocks["resolution"].breached_by == timedelta(hours=1)


def test_a_resolved_conversation_stops_its_clock_and_a_reopening_resumes_it(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", resolution_hours=10)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-res")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(hours=3), tick=False):
        services.resolve(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    clock = sla.clocks(conversation, now=opened + timedelta(days=3))["resolution"]
    assert clock.met is True and clock.elapsed == timedelta(hours=3)
    assert clock.due_at == opened + timedelta(hours=10)  # the deadline it had

    with time_machine.travel(opened + timedelta(days=1), tick=False):
        services.reopen(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert conversation.resolution_due_at == opened + timedelta(days=1, hours=7)


def test_business_hours_and_pauses_add_up(consulate, webchat, make_inbound, agent):
    status = policy(consulate, "legal", resolution_hours=24, business_hours=True)
    # Monday 23 November 10:00 Rabat: pending from 12:00 to Tuesday 09:00 (open time
    # paused: Monday 8 hours, Tuesday 1). Counted: Monday 2 hours; from Tuesday 09:00,
    # 11 hours on Tuesday (13), 11 more on Wednesday: due Wednesday 25th at 19:00.
    opened = at(RABAT, 2026, 11, 23, 10, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-mix")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(at(RABAT, 2026, 11, 23, 12, 0), tick=False):
        services.wait_for_person(conversation=conversation, by=agent)
    later = at(RABAT, 2026, 11, 24, 9, 0)
    open_conversation(webchat, make_inbound, later, address="v-mix", text="Aquí está")
    conversation.refresh_from_db()
    assert conversation.resolution_due_at.astimezone(RABAT) == at(RABAT, 2026, 11, 25, 19, 0)


# Verdicts stored as the clocks stop


def test_a_clock_s_verdict_is_stored_when_it_stops_and_kept(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", first_response_hours=2, resolution_hours=10)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-verdict")
    conversation = classify(conversation, status, opened)
    assert conversation.first_response_met is None and conversation.first_response_seconds is None
    with time_machine.travel(opened + timedelta(minutes=90), tick=False):
        services.reply(conversation=conversation, text="Le escribimos", by=agent)
    conversation.refresh_from_db()
    assert conversation.first_response_met is True
    assert conversation.first_response_seconds == 90 * 60
    assert conversation.resolution_met is None  # still running, not late

    # Twelve hours on, the resolution is late: not met at once, before it stops.
    with time_machine.travel(opened + timedelta(hours=12), tick=False):
        services.resolve(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert (conversation.resolution_met, conversation.resolution_seconds) == (False, 12 * 3600)
    # Later refreshes (a transfer to a team) keep what was stored.
    with time_machine.travel(opened + timedelta(days=2), tick=False):
        sla.refresh(conversation)
    assert conversation.first_response_seconds == 90 * 60
    assert conversation.resolution_seconds == 12 * 3600


def test_a_running_clock_past_its_target_is_stored_as_not_met_and_a_reopening_clears_the_resolution(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", first_response_hours=1, resolution_hours=4)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-late")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(hours=2), tick=False):
        assert alert_service_levels() >= 1  # the breach of the first response
    conversation.refresh_from_db()
    assert conversation.first_response_met is False
    assert conversation.first_response_seconds is None  # not stopped: no time taken yet
    with time_machine.travel(opened + timedelta(hours=3), tick=False):
        services.reply(conversation=conversation, text="Disculpe la espera", by=agent)
        services.resolve(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert (conversation.first_response_met, conversation.first_response_seconds) == (
        False,
        3 * 3600,
    )
    assert (conversation.resolution_met, conversation.resolution_seconds) == (True, 3 * 3600)

    # The person writes again a day later: the resolution runs again, unjudged.
    later = opened + timedelta(days=1)
    open_conversation(webchat, make_inbound, later, address="v-late", text="Otra pregunta")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert (conversation.resolution_met, conversation.resolution_seconds) == (None, None)
    assert conversation.first_response_seconds == 3 * 3600  # the first response stays
    with time_machine.travel(later + timedelta(minutes=30), tick=False):
        services.resolve(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    # Counted: 3 hours, then the half hour since the reopening.
    assert (conversation.resolution_met, conversation.resolution_seconds) == (True, 12_600)


def test_a_new_request_type_judges_the_stopped_clocks_again(
    consulate, webchat, make_inbound, agent
):
    slow = policy(consulate, "complaint", first_response_hours=48)
    quick = policy(consulate, "rights-violation", first_response_hours=1)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-again")
    conversation = classify(conversation, slow, opened)
    with time_machine.travel(opened + timedelta(hours=5), tick=False):
        services.reply(conversation=conversation, text="Recibido", by=agent)
    conversation.refresh_from_db()
    assert conversation.first_response_met is True
    conversation = classify(conversation, quick, opened + timedelta(hours=6))
    assert (conversation.first_response_met, conversation.first_response_seconds) == (
        False,
        5 * 3600,
    )
    conversation = classify(conversation, None, opened + timedelta(hours=7))
    assert (conversation.first_response_met, conversation.first_response_seconds) == (None, None)


def test_conversations_stopped_before_verdicts_were_stored_are_judged_after_a_migration(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", first_response_hours=2, resolution_hours=10)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-upgrade")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(hours=3), tick=False):
        services.reply(conversation=conversation, text="Hola", by=agent)
        services.resolve(conversation=conversation, by=agent)
    # As an installation from before the verdicts has it:
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_met=None,
        first_response_seconds=None,
        resolution_met=None,
        resolution_seconds=None,
    )
    # A migration run that does not add the verdicts leaves it be (no query at each start)...
    graph = MigrationLoader(connection).graph
    later = graph.nodes[("conversations", "0016_bot_on_conversation")]
    _judge_unjudged(sender=None, plan=[(later, False)])
    assert Conversation.objects.get(pk=conversation.pk).first_response_seconds is None
    # ... the one that adds them judges it, once.
    added = graph.nodes[("conversations", "0015_clock_verdicts")]
    _judge_unjudged(sender=None, plan=[(added, False), (later, False)])
    assert sla.judge_unjudged() == 0  # nothing left to judge
    conversation.refresh_from_db()
    assert (conversation.first_response_met, conversation.first_response_seconds) == (
        False,
        3 * 3600,
    )
    assert (conversation.resolution_met, conversation.resolution_seconds) == (True, 3 * 3600)


# Warnings and escalations


def test_a_warning_before_the_breach_and_an_escalation_at_it(
    consulate, webchat, make_inbound, agent, supervisor
):
    status = policy(
        consulate, "conditions", first_response_hours=10, resolution_hours=None, warning_percent=80
    )
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-alert")
    conversation = classify(conversation, status, opened)
    services.assign(conversation=conversation, assignee=agent, by=supervisor)
    conversation.refresh_from_db()
    assert conversation.sla_alert_at == opened + timedelta(hours=8)

    assert alert_service_levels(now=opened + timedelta(hours=7)) == 0
    assert alert_service_levels(now=opened + timedelta(hours=8)) == 1
    warnings = Notification.objects.filter(kind=NotificationKind.SLA_WARNING)
    assert {n.recipient.username for n in warnings} == {"agent", "supervisor"}
    assert alert_service_levels(now=opened + timedelta(hours=9)) == 0  # once only

    assert alert_service_levels(now=opened + timedelta(hours=10)) == 0  # due time still met
    assert alert_service_levels(now=opened + timedelta(hours=10, seconds=1)) == 1
    breaches = Notification.objects.filter(kind=NotificationKind.SLA_BREACH)
    assert {n.recipient.username for n in breaches} == {"agent", "supervisor"}
    conversation.refresh_from_db()
    assert conversation.escalation == Escalation.SUPERVISOR
    assert conversation.priority == Priority.HIGH
    assert conversation.sla_alerts == ["first_response:warning", "first_response:breach"]
    assert conversation.sla_alert_at is None
    assert AuditEntry.objects.filter(action="conversation.sla_breach").count() == 1
    assert alert_service_levels(now=opened + timedelta(days=2)) == 0


def test_a_late_check_sends_the_escalation_without_the_stale_warning(
    consulate, webchat, make_inbound, supervisor
):
    status = policy(consulate, "conditions", first_response_hours=1)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-late")
    classify(conversation, status, opened)
    assert alert_service_levels(now=opened + timedelta(hours=5)) == 1
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {NotificationKind.SLA_BREACH}


def test_no_alerts_while_waiting_for_the_person_nor_after_an_answer(
    consulate, webchat, make_inbound, agent
):
    status = policy(consulate, "conditions", first_response_hours=2, resolution_hours=4)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-quiet")
    conversation = classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(minutes=30), tick=False):
        services.reply(conversation=conversation, text="Un momento", by=agent)
        services.wait_for_person(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert conversation.sla_alert_at is None
    assert alert_service_levels(now=opened + timedelta(days=5)) == 0
    assert not Notification.objects.filter(kind__startswith="sla").exists()


def test_a_changed_request_type_warns_afresh(consulate, webchat, make_inbound, supervisor):
    first = policy(consulate, "conditions", first_response_hours=10)
    second = policy(consulate, "complaint", first_response_hours=20)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-again")
    classify(conversation, first, opened)
    assert alert_service_levels(now=opened + timedelta(hours=8)) == 1
    conversation = classify(conversation, second, opened + timedelta(hours=9))
    assert conversation.sla_alerts == []
    assert conversation.sla_alert_at == opened + timedelta(hours=16)


# The API shows the clocks


def test_the_api_shows_each_clock(api_as, supervisor, consulate, webchat, make_inbound):
    status = policy(consulate, "application-status", first_response_hours=2, resolution_hours=48)
    opened = at(UTC, 2026, 11, 23, 9, 0)
    conversation = open_conversation(webchat, make_inbound, opened, address="v-api")
    classify(conversation, status, opened)
    with time_machine.travel(opened + timedelta(hours=3), tick=False):
        body = api_as(supervisor).get(f"/api/v1/conversations/{conversation.pk}").json()
    first = body["clocks"]["first_response"]
    assert first == {
        "target_seconds": 7200,
        "business_hours": False,
        "due_at": "2026-11-23T11:00:00Z",
        "elapsed_seconds": 3 * 3600,
        "remaining_seconds": 0,
        "stopped_at": None,
        "paused": False,
        "breached": True,
        "breached_by_seconds": 3600,
    }
    assert body["clocks"]["resolution"]["remaining_seconds"] == 45 * 3600
    assert body["due_at"] == "2026-11-23T11:00:00Z"


# Properties of the arithmetic

ZONES = [
    "America/Tegucigalpa",
    "Africa/Casablanca",
    "Europe/Madrid",
    "America/New_York",
    "Europe/Amsterdam",
]
CLOCKS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]


@st.composite
def calendars(draw):
    week = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        times = sorted(set(draw(st.lists(st.sampled_from(CLOCKS), max_size=4))))
        spans = [[times[i], times[i + 1]] for i in range(0, len(times) - 1, 2)]
        week[day] = spans
    holidays = draw(
        st.lists(
            st.dates(
                min_value=datetime(2026, 1, 1).date(), max_value=datetime(2027, 12, 31).date()
            ),
            max_size=6,
        )
    )
    return Calendar.build(
        timezone=draw(st.sampled_from(ZONES)),
        hours=week,
        holidays=sorted({d.isoformat() for d in holidays}),
    )


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendars(),
    start=instants,
    minutes=st.integers(min_value=1, max_value=200 * 60),
    pause_at=st.one_of(st.none(), st.integers(min_value=0, max_value=100 * 60)),
    pause_for=st.integers(min_value=1, max_value=100 * 60),
)
def test_a_due_time_in_business_hours_is_never_inside_a_closed_period(
    calendar, start, minutes, pause_at, pause_for
):
    pauses = []
    if pause_at is not None:
        begin = start + timedelta(minutes=pause_at)
        pauses = [(begin, begin + timedelta(minutes=pause_for))]
    amount = timedelta(minutes=minutes)
    due = sla.instant_after(start, amount, calendar=calendar, pauses=pauses)
    if not calendar.keeps_hours or not any(calendar.week):
        return
    assert due is not None
    # Reached at an instant of open time (the last instant of an open period at most)...
    assert calendar.is_open(due - timedelta(microseconds=1))
    assert not any(a < due - timedelta(microseconds=1) < b for a, b in pauses)
    # ...having counted exactly the target, and not a moment before.
    assert sla.counted_between(start, due, calendar=calendar, pauses=pauses) == amount
    assert calendar.open_time(start, due) - _paused_open_time(calendar, pauses, due) == amount


def _paused_open_time(calendar, pauses, until):
    return sum((calendar.open_time(a, min(b, until)) for a, b in pauses if a < until), timedelta(0))
