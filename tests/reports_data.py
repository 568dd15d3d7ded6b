"""The data set the dashboard's figures are worked out on by hand: tests/reports and the
console's dashboard import the `march` fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from referrals.conftest import directory  # noqa: F401 (the referrals' fixture)
from ventanilla.accountability import services as register
from ventanilla.accountability.models import Survey, SurveyState
from ventanilla.calls.models import Call, Leg, Outcome
from ventanilla.channels.services import create_channel
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import BotState
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import BotStep, Conversation
from ventanilla.desks.models import RequestType
from ventanilla.referrals import services as referrals
from ventanilla.referrals.models import ReferralState

MADRID = ZoneInfo("Europe/Madrid")


def madrid(month, day, hour, minute=0):
    """A moment in Madrid, in UTC: hours added to it are real hours (added to a Madrid time,
    Python would add them on the wall clock, an hour short across the change)."""
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID).astimezone(UTC)


def travel(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def march(desk, webchat, sms, make_inbound, agent, twilio, directory):  # noqa: F811
    """Conversations of a desk in Madrid's time, read on 2 April 2026 at 12:00 UTC.

    | conv | channel | lang | type   | opened (Madrid)   | reply        | resolved    | bot  |
    | A    | webchat | es   | cond   | 1 Mar 00:30 CET   | +2 h         | +10 h       |      |
    | B    | webchat | ar   | cond   | 28 Mar 23:30 CET  | +30 h (late) | +50 h       | hand +1 h |
    | C    | sms     | es   | status | 29 Mar 03:30 CEST | +1 h         | +20 h       |      |
    | D    | sms     | fr   | cond   | 31 Mar 23:30 CEST | none (late)  | -           | kept |
    | G    | webchat | es   | cond   | 10 Mar 09:00 CET  | +1 h         | +2 h, +26 h | said |
    | H    | webchat | nl   | cond   | 12 Mar 09:00 CET  | +1 h, wait   | +31 h       |      |
    | E    | webchat | es   | cond   | 1 Apr 00:30 CEST: after the period (31 Mar in UTC)   |
    | F    | webchat | es   | cond   | 28 Feb 12:00 CET: before the period | +4 h | +6 h |     |

    G is reopened by the person 24 hours after it opened; H waits for the person from its
    reply until they write at +30 h. The bot handed B over after an hour ("hand"), was the
    only one to speak in D ("kept": contained), and answered in G before staff took over.
    cond: conditions (24 h / 72 h), status: application status (24 h / 48 h), in calendar
    hours. A opens on 28 February in UTC, E on 31 March: the desk's zone decides.
    """
    desk.timezone = "Europe/Madrid"
    desk.save()
    RequestType.objects.filter(desk=desk).update(business_hours=False)
    RequestType.objects.filter(desk=desk, slug="conditions").update(
        names={"fr": "Informations sur les conditions", "ar": "معلومات عن الشروط"}
    )
    types = {t.slug: t for t in RequestType.objects.filter(desk=desk)}
    plan = {
        "A": (webchat, "es", "conditions", madrid(3, 1, 0, 30), 2, [10]),
        "B": (webchat, "ar", "conditions", madrid(3, 28, 23, 30), 30, [50]),
        "C": (sms, "es", "application-status", madrid(3, 29, 3, 30), 1, [20]),
        "D": (sms, "fr", "conditions", madrid(3, 31, 23, 30), None, []),
        "G": (webchat, "es", "conditions", madrid(3, 10, 9), 1, [2, 26]),
        "H": (webchat, "nl", "conditions", madrid(3, 12, 9), 1, [31]),
        "E": (webchat, "es", "conditions", madrid(4, 1, 0, 30), None, []),
        "F": (webchat, "es", "conditions", madrid(2, 28, 12), 4, [6]),
    }
    made = {}
    for name, (channel, language, slug, opened, reply, resolutions) in plan.items():
        scheme = "webchat" if channel == webchat else "tel"
        address = f"visitor-{name}" if channel == webchat else f"+34600000{ord(name):03d}"

        def write(moment, text="Hola", scheme=scheme, address=address, channel=channel):
            with travel(moment):
                inbound = make_inbound(scheme=scheme, address=address, text=text)
                return receive(channel=channel, inbound=inbound).message.conversation

        conversation = write(opened)
        with travel(opened):
            services.classify(
                conversation=conversation, by=None, request_type=types[slug], language=language
            )
        if reply is not None:
            with travel(opened + timedelta(hours=reply)):
                services.reply(conversation=conversation, text="Le respondemos", by=agent)
                if name == "H":
                    services.wait_for_person(conversation=conversation, by=agent)
        if name == "H":
            write(opened + timedelta(hours=30), "Aquí tiene el documento")
        for number, hours in enumerate(resolutions):
            if number:  # G: the person writes again a day after the first resolution
                write(opened + timedelta(hours=24), "Una pregunta más")
            with travel(opened + timedelta(hours=hours)):
                services.resolve(conversation=conversation, by=agent)
        made[name] = Conversation.objects.get(pk=conversation.pk)

    # What the bot did, recorded as the bot records it (its own tests drive it).
    for name, step, hours in [
        ("B", BotStep.HANDED_OVER, 1),
        ("D", BotStep.ANSWERED, 0),
        ("G", BotStep.ANSWERED, 0),
    ]:
        first = made[name].messages.order_by("pk").first()
        with travel(plan[name][3] + timedelta(hours=hours)):
            automatic.mark(conversation=made[name], state=BotState(step=step, answered=first.pk))

    # A complaint about C, filed 2 hours after it opened and answered a day later.
    with travel(plan["C"][3] + timedelta(hours=2)):
        complaint = register.file_complaint(conversation=made["C"], source="staff", by=agent)
    with travel(plan["C"][3] + timedelta(hours=26)):
        register.answer(complaint=complaint, by=agent, text="Hemos revisado su caso.")

    # Referrals from A (reached) and G (no news yet).
    for name, hours, state in [("A", 3, ReferralState.REACHED), ("G", 2, None)]:
        with travel(plan[name][3] + timedelta(hours=hours)):
            (referral,) = referrals.refer(
                conversation=made[name],
                to=[directory["abogados-madrid"]],
                by=agent,
                consent=True,
                send=False,
            )
            if state is not None:
                referrals.set_state(referral=referral, state=state, by=agent)

    # Surveys: A scored 5 and solved, B 2 and not solved (in March), F 4 (in February).
    for name, score, solved, answered in [
        ("A", 5, True, madrid(3, 2, 10)),
        ("B", 2, False, madrid(3, 31, 10)),
        ("F", 4, True, madrid(2, 28, 20)),
    ]:
        Survey.objects.create(
            desk=desk,
            conversation=made[name],
            contact=made[name].contact,
            channel=made[name].channel,
            language=made[name].language,
            state=SurveyState.DONE,
            score=score,
            solved=solved,
            answered_at=answered,
        )

    # Calls on the desk's phone line: three in March, one on 1 April (Madrid).
    voice = create_channel(
        desk=desk, type="twilio-voice", name="Line", config=twilio.config(), by=None
    )
    for sid, started, wait, answered, talk, outcome in [
        ("CA01", madrid(3, 5, 10), 30, True, 300, Outcome.ANSWERED),
        ("CA02", madrid(3, 5, 11), 90, True, 600, Outcome.ANSWERED),
        ("CA03", madrid(3, 30, 9), 45, False, None, Outcome.ABANDONED),
        ("CA04", madrid(4, 1, 9), 10, True, 60, Outcome.ANSWERED),
    ]:
        Call.objects.create(
            channel=voice,
            leg=Leg.CALLER,
            call_sid=sid,
            started_at=started,
            wait_seconds=wait,
            answered_at=started + timedelta(seconds=wait) if answered else None,
            talk_seconds=talk,
            outcome=outcome,
        )
    return made
