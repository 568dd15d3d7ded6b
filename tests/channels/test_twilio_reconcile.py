"""SMS reconciliation: messages that never reached the webhook are imported from Twilio's list."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from fakes.server import as_json
from fakes.twilio import NUMBER, FakeTwilio, inbound_sms
from ventanilla.channels.adapters.base import SendError
from ventanilla.channels.adapters.twilio_sms import TwilioSmsAdapter
from ventanilla.channels.models import Reconciliation, UnreadDelivery
from ventanilla.channels.services import create_channel, update_channel
from ventanilla.conversations.models import Attachment, Message
from ventanilla.conversations.reconcile import reconcile_sms

PERSON = "+447700900401"
NEIGHBOUR = "+447700900402"
OTHER_NUMBER = "+447700900888"


def sid(n: int, prefix: str = "SM") -> str:
    return f"{prefix}{n:032x}"


def ago(**elapsed: float) -> datetime:
    return timezone.now() - timedelta(**elapsed)


def test_messages_that_missed_the_webhook_are_imported_and_those_that_arrived_stored_once(
    post_twilio, sms, twilio
):
    post_twilio(sms.webhook_path, inbound_sms(sid(1), PERSON, "Hola"))
    twilio.add_listed(sid(1), PERSON, "Hola", sent_at=ago(minutes=30))
    twilio.add_listed(sid(2), PERSON, "¿Siguen ahí?", sent_at=ago(minutes=20))
    twilio.add_listed(sid(3), NEIGHBOUR, "Necesito una cita", sent_at=ago(minutes=10))

    assert reconcile_sms() == 2

    assert sorted(Message.objects.values_list("provider_id", flat=True)) == [sid(1), sid(2), sid(3)]
    first, second, third = (Message.objects.get(provider_id=sid(n)) for n in (1, 2, 3))
    assert (second.text, second.channel_id) == ("¿Siguen ahí?", sms.pk)
    assert second.conversation_id == first.conversation_id  # the same person, the same case
    assert second.conversation.identity.address == PERSON
    assert third.conversation_id != first.conversation_id
    assert third.conversation.identity.address == NEIGHBOUR
    assert abs(second.provider_sent_at - ago(minutes=20)) < timedelta(seconds=5)


def test_missed_messages_join_the_conversation_in_the_order_they_were_written(sms, twilio):
    for n, minutes in ((1, 30), (2, 20), (3, 10)):
        twilio.add_listed(sid(n), PERSON, f"Parte {n}", sent_at=ago(minutes=minutes))
    assert reconcile_sms() == 3
    conversation = Message.objects.get(provider_id=sid(1)).conversation
    assert list(conversation.messages.values_list("text", flat=True)) == [
        "Parte 1",
        "Parte 2",
        "Parte 3",
    ]


def test_a_second_pass_imports_nothing(sms, twilio):
    twilio.add_listed(sid(1), PERSON, "Hola", sent_at=ago(hours=1))
    twilio.add_listed(sid(2), PERSON, "Mi foto", sent_at=ago(minutes=5),
                      media=(("ME" + "b" * 32, b"\xff\xd8\xff jpeg", "image/jpeg"),))  # fmt: skip
    assert reconcile_sms() == 2
    assert len(twilio.requests_to("/Media.json", "GET")) == 1

    assert reconcile_sms() == 0
    assert Message.objects.count() == 2
    assert len(twilio.requests_to("/Media.json", "GET")) == 1  # stored: its media not asked again
    assert Reconciliation.objects.get(channel=sms).imported == 2


def test_every_page_of_the_list_is_read_through_its_next_page_uri(sms, twilio):
    twilio.page_limit = 2
    for n in range(1, 7):
        twilio.add_listed(sid(n), PERSON, f"Mensaje {n}", sent_at=ago(minutes=60 - n))
    twilio.add_listed(sid(7), NUMBER, "Sent by the desk", to=NUMBER, direction="outbound-api")
    twilio.add_listed(sid(8), PERSON, "To another number", to=OTHER_NUMBER)

    assert reconcile_sms() == 6

    assert sorted(Message.objects.values_list("provider_id", flat=True)) == [
        sid(n) for n in range(1, 7)
    ]
    pages = twilio.list_calls
    assert len(pages) == 4  # three pages of two, the last with the outbound message alone
    assert [p.query.get("Page", ["0"])[0] for p in pages] == ["0", "1", "2", "3"]
    assert all(p.query["PageToken"][0].startswith("PA") for p in pages[1:])
    assert {p.query["To"][0] for p in pages} == {NUMBER}
    assert all(p.headers["Authorization"].startswith("Basic ") for p in pages)


def test_the_adapter_lists_the_pages_in_order_and_only_what_people_sent(twilio):
    twilio.page_limit = 50
    for n in range(1, 6):
        twilio.add_listed(sid(n), PERSON, f"Mensaje {n}", sent_at=ago(minutes=10 * n))
    twilio.add_listed(sid(6), PERSON, "Long ago", sent_at=ago(days=3))
    twilio.add_listed(sid(7), NUMBER, "Sent", to=NUMBER, direction="outbound-reply")

    listed = list(
        TwilioSmsAdapter().inbound_since(twilio.config(), since=ago(hours=1), page_size=2)
    )

    assert [m.provider_id for m in listed] == [sid(n) for n in range(1, 6)]  # newest first
    assert {(m.scheme, m.address, m.kind) for m in listed} == {("tel", PERSON, "text")}
    assert len(twilio.list_calls) == 3
    day = ago(hours=1).astimezone(UTC).date().isoformat()
    assert twilio.list_calls[0].query["DateSent>"] == [day]


@pytest.mark.parametrize(
    ("failure", "code"),
    [("wrong token", "20003"), ("server error", "20500"), ("unreachable", "unreachable")],
)
def test_a_failing_account_leaves_the_other_channels_reconciled(
    desk, twilio, failure, code, caplog
):
    with FakeTwilio() as other:
        failing = create_channel(desk=desk, type="twilio-sms", name="A failing line", by=None,
                                 config=twilio.config())  # fmt: skip
        working = create_channel(desk=desk, type="twilio-sms", name="B working line", by=None,
                                 config=other.config(number=OTHER_NUMBER))  # fmt: skip
        if failure == "wrong token":
            update_channel(channel=failing, by=None, config={"auth_token": "a rotated token"})
        elif failure == "server error":
            twilio.script(as_json(500, {"code": 20500, "message": "Internal", "status": 500}))
        else:  # a port nobody listens on
            update_channel(channel=failing, by=None, config={"api_base_url": "http://127.0.0.1:9"})
        twilio.add_listed(sid(1), PERSON, "Hola", sent_at=ago(minutes=5))
        other.add_listed(sid(2), PERSON, "Hola", to=OTHER_NUMBER, sent_at=ago(minutes=5))

        with caplog.at_level(logging.INFO):
            assert reconcile_sms() == 1

    assert list(Message.objects.values_list("provider_id", "channel")) == [(sid(2), working.pk)]
    kept = Reconciliation.objects.get(channel=failing)
    assert (kept.failure, kept.checked_until) == (code, None)
    assert Reconciliation.objects.get(channel=working).failure == ""
    assert code in caplog.text


def test_a_server_error_raises_a_transient_send_error_from_the_adapter(twilio):
    twilio.script(as_json(503, {"code": 20503, "message": "Unavailable", "status": 503}))
    with pytest.raises(SendError) as raised:
        list(TwilioSmsAdapter().inbound_since(twilio.config(), since=ago(hours=1)))
    assert (raised.value.code, raised.value.permanent) == ("20503", False)


def test_the_first_pass_looks_back_the_window_only(sms, twilio, settings):
    settings.SMS_RECONCILE_HOURS = 24
    twilio.add_listed(sid(1), PERSON, "Antes de la ventana", sent_at=ago(hours=30))
    twilio.add_listed(sid(2), PERSON, "En la ventana", sent_at=ago(hours=20))
    assert reconcile_sms() == 1
    assert Message.objects.get().provider_id == sid(2)


def test_after_an_outage_a_pass_looks_back_to_where_the_last_one_ended(sms, twilio, settings):
    settings.SMS_RECONCILE_HOURS = 24
    assert reconcile_sms(now=ago(days=3)) == 0  # the last pass before an outage
    twilio.add_listed(sid(1), PERSON, "Durante la avería", sent_at=ago(hours=30))
    assert reconcile_sms() == 1
    assert Message.objects.get().provider_id == sid(1)
    three_days_ago = ago(days=3).astimezone(UTC).date().isoformat()
    assert twilio.list_calls[-1].query["DateSent>"] == [three_days_ago]

    twilio.add_listed(sid(2), PERSON, "Fuera de la ventana", sent_at=ago(hours=48))
    assert reconcile_sms() == 0  # the last pass has just ended: only the window is looked at
    assert Reconciliation.objects.get(channel=sms).failure == ""


def test_messages_listed_with_their_media_are_fetched_with_the_account_credentials(
    sms, twilio, django_capture_on_commit_callbacks
):
    card = ("ME" + "a" * 32, b"\xff\xd8\xff invented jpeg", "image/jpeg")
    twilio.add_listed(sid(1), PERSON, "Mi tarjeta", sent_at=ago(minutes=5), media=(card,))
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_sms()
    message = Message.objects.get()
    assert (message.kind, message.text) == ("image", "Mi tarjeta")
    attachment = Attachment.objects.get()
    assert attachment.is_fetched, attachment.fetch_error
    assert attachment.file.read() == b"\xff\xd8\xff invented jpeg"


def test_a_listed_message_the_services_refuse_is_kept_unread_once(sms, twilio):
    twilio.add_listed(sid(1), "+1", "Número imposible", sent_at=ago(minutes=5))
    assert reconcile_sms(now=ago(minutes=1)) == 0
    assert reconcile_sms() == 0
    assert not Message.objects.exists()
    assert UnreadDelivery.objects.filter(channel=sms).count() == 1


def test_inactive_channels_and_other_types_are_not_listed(sms, twilio, whatsapp):
    update_channel(channel=sms, by=None, is_active=False)
    twilio.add_listed(sid(1), PERSON, "Hola", sent_at=ago(minutes=5))
    assert reconcile_sms() == 0
    assert twilio.list_calls == []


def test_the_logs_give_counts_never_numbers_or_text(sms, twilio, caplog):
    twilio.add_listed(sid(1), PERSON, "Texto privado", sent_at=ago(minutes=5))
    with caplog.at_level(logging.DEBUG):
        reconcile_sms()
    assert "1 SMS imported" in caplog.text
    assert PERSON not in caplog.text and PERSON[1:] not in caplog.text
    assert NUMBER[1:] not in caplog.text  # nor the desk's, which the list's address holds
    assert "Texto privado" not in caplog.text


def test_the_pass_is_scheduled_every_ten_minutes():
    def due(hour: int, minute: int) -> list[str]:
        return [task.name for task in HUEY.read_periodic(datetime(2026, 12, 6, hour, minute))]

    assert any(name.endswith("reconcile_sms_messages") for name in due(10, 10))
    assert any(name.endswith("reconcile_sms_messages") for name in due(0, 0))
    assert not any(name.endswith("reconcile_sms_messages") for name in due(10, 15))
