"""The out-of-hours notice, with the clock frozen: told once per closed period, in the
person's language, with when the desk opens and what to do meanwhile; through the web chat,
and end to end through the SMS and WhatsApp webhooks to what the fake providers received."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from fakes.graph import contact, envelope
from fakes.graph import message as whatsapp_message
from fakes.twilio import inbound_sms
from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Message
from ventanilla.desks.hours import describe_opening
from ventanilla.desks.models import Desk, Team
from ventanilla.knowledge import bot
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings
from ventanilla.knowledge.services import import_articles
from ventanilla.triage.out_of_hours import SMS_LIMIT, send_closed_notice

MADRID = ZoneInfo("Europe/Madrid")
OFFICE = {
    day: [["09:00", "14:00"], ["16:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}
GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {"title": "Renovar el pasaporte", "body": "Traiga el pasaporte anterior."},
            "en": {"title": "Renewing a passport", "body": "Bring the old passport."},
        },
    }
]
BASE = "http://127.0.0.1:8000"
_ids = itertools.count(1)


def madrid(*args):
    return datetime(*args, tzinfo=MADRID)


SATURDAY = madrid(2026, 6, 13, 11, 0)
MONDAY_OPENING = madrid(2026, 6, 15, 9, 0)


@pytest.fixture
def clock(time_machine):
    def stop_at(moment):
        time_machine.move_to(moment, tick=False)
        return timezone.now()

    return stop_at


@pytest.fixture
def consulate(desk):
    """A desk in Madrid, open on weekdays, with a guide, a web form and an emergency number."""
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid", hours=OFFICE, languages=["es", "en"], emergency_phone="112"
    )
    desk.refresh_from_db()
    import_articles(entries=entries_from(GUIDE), by=None)
    create_channel(desk=desk, type="portal", name="Form", config={}, by=None)
    return desk


@pytest.fixture
def write(webchat, consulate, make_inbound):
    """The person writes in the web chat; returns their stored message (stored only: what
    the inbound pipeline would do once it commits is left out, to call the notice here)."""

    def send(text="Hello, I need help with my passport", **fields):
        return receive(channel=webchat, inbound=make_inbound(text=text, **fields)).message

    return send


def notices():
    return list(Message.objects.filter(direction="out").order_by("pk"))


def english_notice(opens="Monday 09:00"):
    return (
        f"Thank you for writing. We are closed now and open again on {opens} (Madrid time).\n\n"
        f"Meanwhile, you may find your answer in our guide: {BASE}/help/default/en/\n\n"
        f"You can also send us a request with our form: {BASE}/help/default/request/\n\n"
        "In an emergency, call 112."
    )


def test_a_message_on_a_saturday_gets_one_notice_until_monday(clock, write):
    clock(SATURDAY)
    message = write(language="en")
    assert send_closed_notice(message=message)
    (notice,) = notices()
    assert notice.text == english_notice()
    assert notice.details == {"auto": "closed"} and notice.author is None
    conversation = Conversation.objects.get()
    assert conversation.closed_notice_until == MONDAY_OPENING
    assert conversation.first_response_at is None  # ventanilla's own words are not an answer
    clock(SATURDAY + timedelta(hours=30))  # Sunday afternoon, the same closure
    assert not send_closed_notice(message=write("Are you there?"))
    assert len(notices()) == 1


def test_after_the_desk_opened_and_closed_again_a_new_notice_is_sent(clock, write):
    clock(SATURDAY)
    assert send_closed_notice(message=write(language="en"))
    clock(madrid(2026, 6, 15, 10, 0))  # Monday, open: nothing to say
    assert not send_closed_notice(message=write("Thanks"))
    clock(madrid(2026, 6, 15, 14, 30))  # Monday lunch: closed again until 16:00
    assert send_closed_notice(message=write("One more question"))
    assert notices()[-1].text.startswith(
        "Thank you for writing. We are closed now and open again on Monday 16:00 (Madrid time)."
    )
    assert Conversation.objects.get().closed_notice_until == madrid(2026, 6, 15, 16, 0)
    assert len(notices()) == 2


def test_a_recurring_holiday_closes_the_desk(clock, write, consulate):
    Desk.objects.filter(pk=consulate.pk).update(holidays=["12-25"])
    clock(madrid(2026, 12, 25, 11, 0))  # a Friday
    assert send_closed_notice(message=write(language="en"))
    assert notices()[0].text == english_notice()
    assert Conversation.objects.get().closed_notice_until == madrid(2026, 12, 28, 9, 0)


def test_extended_hours_on_a_special_day_need_no_notice(clock, write, consulate):
    Desk.objects.filter(pk=consulate.pk).update(special_days={"2026-06-13": [["10:00", "14:00"]]})
    clock(SATURDAY)
    assert not send_closed_notice(message=write(language="en"))
    assert notices() == []
    Desk.objects.filter(pk=consulate.pk).update(special_days={"2026-06-12": []})
    clock(madrid(2026, 6, 12, 10, 0))  # an exceptional closure on a Friday
    assert send_closed_notice(message=write("Hello?"))


def test_the_conversations_team_keeps_its_own_calendar(clock, write, consulate):
    weekend = Team.objects.create(
        desk=consulate, name="Weekend line", slug="weekend", hours={"sat": [["10:00", "20:00"]]}
    )
    clock(SATURDAY)
    message = write(language="en")
    Conversation.objects.update(team=weekend)
    assert not send_closed_notice(message=message)  # the desk is closed, its team is not
    legal = Team.objects.create(
        desk=consulate, name="Legal", slug="legal", hours={"wed": [["10:00", "12:00"]]}
    )
    Conversation.objects.update(team=legal)
    clock(madrid(2026, 6, 15, 10, 0))  # the desk is open on Monday, the team is not
    assert send_closed_notice(message=write("Hello?"))
    assert "open again on Wednesday 10:00 (Madrid time)" in notices()[0].text


def test_the_notice_speaks_the_persons_language(clock, write):
    clock(SATURDAY)
    assert send_closed_notice(message=write("Hola, necesito ayuda", language="es"))
    text = notices()[0].text
    with translation.override("es"):
        opens = describe_opening(Desk.objects.get(), MONDAY_OPENING, now=SATURDAY)
    assert opens == "lunes 09:00" and opens in text
    assert f"{BASE}/help/default/es/" in text and f"{BASE}/help/default/request/" in text
    assert "112" in text


def test_without_a_language_the_notice_is_in_the_desks_main_one(clock, write):
    clock(SATURDAY)
    assert send_closed_notice(message=write("?"))
    assert "lunes 09:00" in notices()[0].text and "/help/default/es/" in notices()[0].text


def test_a_desk_that_never_opens_again_answers_as_soon_as_it_can(clock, write, consulate):
    Desk.objects.filter(pk=consulate.pk).update(
        hours={"mon": [["09:00", "10:00"]]},
        special_days={
            str((madrid(2026, 6, 15) + timedelta(weeks=n)).date()): [] for n in range(70)
        },
        emergency_phone="",
    )
    now = clock(SATURDAY)
    assert send_closed_notice(message=write(language="en"))
    assert notices()[0].text.startswith(
        "Thank you for writing. We are closed now; we will answer you as soon as we can.\n\n"
    )
    assert "emergency" not in notices()[0].text
    assert Conversation.objects.get().closed_notice_until > now + timedelta(days=300)


def test_no_notice_where_there_is_nothing_to_say_or_no_way_to_say_it(clock, write, consulate):
    clock(SATURDAY)
    message = write(language="en")
    reply = services.reply(conversation=message.conversation, text="Hola", by=None)
    assert not send_closed_notice(message=reply)  # our own message
    assert not send_closed_notice(message=write("👍", kind="reaction"))
    Desk.objects.filter(pk=consulate.pk).update(hours={})
    assert not send_closed_notice(message=message)  # a desk without hours is never closed
    Desk.objects.filter(pk=consulate.pk).update(hours=OFFICE)
    services.close(conversation=Conversation.objects.get(), by=None)
    assert not send_closed_notice(message=message)
    assert len(notices()) == 1


def test_the_bots_handover_in_this_closure_was_the_notice(clock, write, consulate):
    BotSettings.objects.create(desk=consulate, enabled=True)
    clock(SATURDAY)
    asked = write("I want to talk to a person", language="en")
    assert bot.respond(message=asked).step == bot.Step.HANDED_OVER
    (handover,) = notices()
    assert "Monday 09:00" in handover.text  # the bot said when people will answer
    assert not send_closed_notice(message=write("Thank you"))
    assert len(notices()) == 1
    assert Conversation.objects.get().closed_notice_until == MONDAY_OPENING
    clock(madrid(2026, 6, 15, 20, 0))  # the next closure: the handover is old news
    assert send_closed_notice(message=write("Still there?"))


@pytest.mark.parametrize("kind", ["portal", "twilio-voice"])
def test_no_notice_on_the_web_form_or_the_phone(clock, consulate, twilio, make_inbound, kind):
    config = twilio.config() if kind == "twilio-voice" else {}
    if kind == "portal":
        channel = consulate.channels.get(type="portal")
    else:
        channel = create_channel(desk=consulate, type=kind, name=kind, config=config, by=None)
    clock(SATURDAY)
    message = receive(channel=channel, inbound=make_inbound()).message
    assert not send_closed_notice(message=message)
    assert notices() == []


# End to end


PERSON = "+447700900402"


@pytest.fixture
def english_first(consulate):
    """The desk's main language is English: what the person gets whoever sends the notice."""
    Desk.objects.filter(pk=consulate.pk).update(languages=["en", "es"])
    return consulate


def test_on_sms_the_notice_is_short_and_leaves_out_the_form(
    clock, english_first, sms, twilio, post_twilio, django_capture_on_commit_callbacks
):
    clock(SATURDAY)
    sid = f"SM{'e' * 24}{next(_ids):08x}"
    response = post_twilio(sms.webhook_path, inbound_sms(sid, PERSON, "Hello, are you open?"))
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        # The inbound pipeline may have sent it already: either way, one notice.
        send_closed_notice(message=Message.objects.get(provider_id=sid))
    (sent,) = twilio.sent
    body = sent["Body"][0]
    assert sent["To"] == [PERSON]
    assert body == (
        "Thank you for writing. We are closed now and open again on Monday 09:00 (Madrid time). "
        f"Meanwhile, you may find your answer in our guide: {BASE}/help/default/en/ "
        "In an emergency, call 112."
    )
    assert len(body) <= SMS_LIMIT and "/request/" not in body
    clock(SATURDAY + timedelta(hours=3))
    second = f"SM{'e' * 24}{next(_ids):08x}"
    post_twilio(sms.webhook_path, inbound_sms(second, PERSON, "Hello?"))
    with django_capture_on_commit_callbacks(execute=True):
        assert not send_closed_notice(message=Message.objects.get(provider_id=second))
    assert len(twilio.sent) == 1


def test_on_sms_a_notice_too_long_drops_the_guide_before_the_emergency_number(
    clock, english_first, sms, twilio, make_inbound, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_URL = "https://" + "ayuda." * 40 + "example.org"
    clock(SATURDAY)
    stored = receive(channel=sms, inbound=make_inbound(address=PERSON, text="Hola")).message
    with django_capture_on_commit_callbacks(execute=True):
        assert send_closed_notice(message=stored)
    (sent,) = twilio.sent
    body = sent["Body"][0]
    assert len(body) <= SMS_LIMIT and body.endswith("112.") and "example.org" not in body


def test_on_whatsapp_the_notice_goes_within_the_window(
    clock, english_first, whatsapp, graph, post_whatsapp, django_capture_on_commit_callbacks
):
    now = clock(SATURDAY)
    wamid = f"wamid.OOH{next(_ids):04d}"
    item = whatsapp_message(wamid, "text", {"body": "Hello, I need help"})
    assert post_whatsapp(envelope(messages=[item], contacts=[contact()])).status_code == 200
    stored = Message.objects.get(provider_id=wamid)
    with django_capture_on_commit_callbacks(execute=True):
        send_closed_notice(message=stored)  # unless the inbound pipeline did: one notice
    (sent,) = graph.sent
    assert sent["type"] == "text" and sent["text"]["body"] == english_notice()
    # A day and more later, WhatsApp lets only templates through: no notice then.
    Conversation.objects.update(closed_notice_until=None)
    clock(now + timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert not send_closed_notice(message=stored)
    assert len(graph.sent) == 1


def test_the_notice_is_marked_as_ventanillas_own(clock, write):
    clock(SATURDAY)
    assert send_closed_notice(message=write(language="en"), now=SATURDAY.astimezone(UTC))
    assert Message.objects.get(direction="out").details["auto"] == "closed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_messages_arriving_together_get_one_notice(webchat, consulate, make_inbound, concurrently):
    Desk.objects.filter(pk=consulate.pk).update(hours={})  # the pipeline says nothing yet
    written = [
        receive(channel=webchat, inbound=make_inbound(text=f"Hello {n}", language="en")).message
        for n in range(4)
    ]
    Desk.objects.filter(pk=consulate.pk).update(hours=OFFICE)
    sent = []
    concurrently(lambda: sent.append(send_closed_notice(message=written.pop(), now=SATURDAY)))
    assert sorted(sent) == [False, False, False, True]
    assert Message.objects.filter(direction="out").count() == 1
