"""The intake table: a webhook answers after one insert; the consumer stores what it holds later.

Inside a test's transaction nothing is committed, so the consumer is not told of a delivery:
it waits as a row, as it does in production until the intake loop reads it.
"""

import json
import threading
from datetime import UTC, timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes.graph import contact, envelope, message, sign
from ventanilla.channels import intake
from ventanilla.channels.adapters.base import Inbound, MediaRef, StatusUpdate
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Channel, Delivery, UnreadDelivery
from ventanilla.channels.services import delivery_accepted
from ventanilla.conversations import inbound
from ventanilla.conversations.apps import _take_in_without_consumer
from ventanilla.conversations.inbox import way_in
from ventanilla.conversations.models import Direction, Message
from ventanilla.desks.models import Desk

SECRET_TEXT = "Mi pasaporte caducó en Rabat"


@pytest.fixture
def post(client, whatsapp):
    def post(delivery):
        body = json.dumps(delivery).encode()
        headers = {"X-Hub-Signature-256": sign(body)}
        return client.post(
            whatsapp.webhook_path, body, content_type="application/json", headers=headers
        )

    return post


def text(wamid, body=SECRET_TEXT, sender="447700900301"):
    return envelope(
        messages=[message(wamid, "text", {"body": body}, sender=sender)],
        contacts=[contact(sender)],
    )


def test_a_delivery_is_acknowledged_with_one_row_and_stored_by_the_consumer(post, whatsapp):
    assert post(text("wamid.IN1")).status_code == 200
    row = Delivery.objects.get()
    assert row.ids == ["wamid.IN1"] and row.channel == whatsapp
    assert not Message.objects.exists()
    with connections[intake_database()].cursor() as cursor:  # what people wrote is unreadable
        cursor.execute("SELECT events FROM channels_delivery")
        stored = cursor.fetchone()[0]
    assert SECRET_TEXT not in stored and "Rabat" not in stored
    assert inbound.waiting()[0] == 1

    assert inbound.take_in_waiting() == 1
    stored = Message.objects.get()
    assert (stored.text, stored.provider_id, stored.direction) == (SECRET_TEXT, "wamid.IN1", "in")
    assert stored.triaged_at is None  # triage runs next, from the message's own row
    assert not Delivery.objects.exists() and inbound.waiting() == (0, None)


def test_a_delivery_sent_again_is_stored_once_in_the_same_batch_or_later(post):
    post(text("wamid.TWICE"))
    post(text("wamid.TWICE"))
    assert Delivery.objects.count() == 2
    assert inbound.take_in_waiting() == 2
    post(text("wamid.TWICE"))
    assert inbound.take_in_waiting() == 1
    assert Message.objects.filter(provider_id="wamid.TWICE").count() == 1
    assert not Delivery.objects.exists()


def test_several_messages_and_statuses_in_one_delivery_are_all_taken_in(post):
    delivery = envelope(
        messages=[
            message("wamid.A", "text", {"body": "uno"}, sender="447700900311"),
            message("wamid.B", "text", {"body": "dos"}, sender="447700900312"),
        ],
        contacts=[contact("447700900311"), contact("447700900312")],
        statuses=[{"id": "wamid.UNKNOWN", "status": "read", "timestamp": "1767225600",
                   "recipient_id": "447700900311"}],
    )  # fmt: skip
    post(delivery)
    assert Delivery.objects.get().ids == ["wamid.A", "wamid.B"]
    inbound.take_in_waiting()
    assert sorted(Message.objects.values_list("text", flat=True)) == ["dos", "uno"]
    assert Message.objects.values("conversation").distinct().count() == 2


def test_batches_take_the_oldest_first_and_no_more_than_asked(post):
    for n in range(5):
        post(text(f"wamid.B{n}", body=f"mensaje {n}", sender=f"44770090040{n}"))
    assert inbound.take_in_waiting(limit=2) == 2
    assert sorted(Message.objects.values_list("provider_id", flat=True)) == ["wamid.B0", "wamid.B1"]
    assert inbound.waiting()[0] == 3
    assert inbound.take_in_waiting() == 3
    assert Message.objects.count() == 5


def test_a_delivery_leased_by_another_consumer_waits_for_its_lease_to_end(post):
    post(text("wamid.LEASED"))
    Delivery.objects.update(leased_until=timezone.now() + inbound.LEASE)  # another consumer's
    assert inbound.take_in_waiting() == 0
    with time_machine.travel(timezone.now() + inbound.LEASE + timedelta(seconds=1)):
        assert inbound.take_in_waiting() == 1  # that consumer died: taken over
    assert Message.objects.filter(provider_id="wamid.LEASED").exists()


def test_a_delivery_that_fails_every_time_is_kept_unread_not_tried_for_ever(post, whatsapp):
    post(text("wamid.POISON"))
    Delivery.objects.update(attempts=inbound.GIVE_UP_AFTER)  # it failed that many times
    assert inbound.take_in_waiting() == 1
    kept = UnreadDelivery.objects.get()
    assert kept.channel == whatsapp and "attempts" in kept.reasons[0]
    assert "wamid.POISON" in kept.body  # the whole delivery, encrypted, for people to look into
    assert not Delivery.objects.exists() and not Message.objects.exists()


def test_a_row_that_is_not_a_written_delivery_is_kept_unread(whatsapp):
    Delivery.objects.create(channel=whatsapp, events='{"not": "a list of events"}', ids=[])
    assert inbound.take_in_waiting() == 1
    assert UnreadDelivery.objects.get().reasons[0].startswith("not a written delivery")
    assert not Delivery.objects.exists()


def test_calls_and_unreadable_parts_make_no_row(post, whatsapp):
    broken = envelope(messages=[{"id": "wamid.NOFROM", "type": "text"}])
    assert post(broken).status_code == 200
    assert not Delivery.objects.exists()
    assert UnreadDelivery.objects.filter(channel=whatsapp).count() == 1


def test_supervisors_see_how_many_deliveries_wait(post, client, supervisor):
    for n in range(3):
        post(text(f"wamid.W{n}", sender=f"44770090050{n}"))
    client.force_login(supervisor)
    assert way_in(supervisor).deliveries == 3
    page = client.get("/console/supervisor/").content.decode()
    assert "3 deliveries from the channels are waiting to be read." in page
    assert "The oldest has waited" not in page  # a few seconds: the consumer is not behind
    with time_machine.travel(timezone.now() + timedelta(minutes=2, seconds=5)):
        late = client.get("/console/supervisor/").content.decode()
    assert 'class="late"' in late and "The oldest has waited 2\xa0minutes." in late
    inbound.take_in_waiting()
    assert way_in(supervisor).untriaged == 3  # stored; their triage was not run (no commit)
    page = client.get("/console/supervisor/").content.decode()
    assert "Every delivery from the channels has been read." in page
    assert "3 messages are waiting for the bot and routing." in page


def test_the_deliveries_of_a_channel_switched_off_still_count(post, whatsapp):
    post(text("wamid.OFF"))
    whatsapp.is_active = False
    whatsapp.save()
    inbound.take_in_waiting()
    assert Message.objects.filter(provider_id="wamid.OFF", direction=Direction.IN).exists()


texts = st.text(st.characters(codec="utf-8") | st.sampled_from(["\ud83d", "\x00", "\u202e"]))


@settings(max_examples=60, deadline=None)
@given(
    provider_id=texts,
    body=texts,
    name=texts,
    details=st.dictionaries(texts, st.none() | st.integers() | texts, max_size=3),
    sent=st.none() | st.datetimes(timezones=st.just(UTC)),
    media=st.lists(st.builds(MediaRef, texts, texts, texts, texts), max_size=2),
)
def test_events_read_back_exactly_as_written(provider_id, body, name, details, sent, media):
    events = [
        Inbound(provider_id=provider_id, scheme="whatsapp", address="447700900301", text=body,
                sender_name=name, sent_at=sent, media=tuple(media), details=details,
                raw={"body": body}),
        StatusUpdate(provider_id=provider_id, status="read", at=sent, tracker=body),
    ]  # fmt: skip
    assert intake.read(intake.write(events)) == events


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and lock_timeout")
@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_meets_a_lock_is_taken_in_again_not_kept_unread(post, whatsapp):
    import psycopg

    post(text("wamid.LOCKED"))  # committed, so taken in at once: the person now exists
    assert Message.objects.filter(provider_id="wamid.LOCKED").exists()
    settings_dict = connections["default"].settings_dict
    other = psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"], dbname=settings_dict["NAME"], autocommit=False,
    )  # fmt: skip
    try:
        other.execute("SELECT id FROM contacts_identity FOR UPDATE")  # another transaction
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        assert post(text("wamid.LOCKED2")).status_code == 200  # acknowledged all the same
        row = Delivery.objects.get()  # not stored yet: it waits to be taken in again
        assert row.ids == ["wamid.LOCKED2"] and row.leased_until is None
        assert not UnreadDelivery.objects.exists()
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert inbound.take_in_waiting() == 1
    assert Message.objects.filter(provider_id="wamid.LOCKED2").exists()
    assert not Delivery.objects.exists() and not UnreadDelivery.objects.exists()


@pytest.fixture
def only_inserted():
    """As in production, the web server only inserts: in tests that commit, a delivery is
    otherwise taken in at once, in the request."""
    assert delivery_accepted.disconnect(dispatch_uid="conversations")
    yield
    delivery_accepted.connect(_take_in_without_consumer, dispatch_uid="conversations")


ON_SQLITE = intake_database() != DEFAULT_DB_ALIAS
only_on_sqlite = pytest.mark.skipif(
    not ON_SQLITE, reason="PostgreSQL keeps the intake table in the one database"
)


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_does_not_wait_for_a_write_in_the_main_database(
    post, whatsapp, only_inserted
):
    """The consumer's transactions (storing, triage) hold the main file's write lock; the
    webhook writes only to the intake file, so it is answered while one is open."""
    held, posted = threading.Event(), threading.Event()
    seen: list[bool] = []

    def consumer_writing() -> None:
        try:
            with transaction.atomic():  # the main file's writer, as a long triage would be
                Desk.objects.filter(pk=whatsapp.desk_id).update(name="Still writing")
                held.set()
                seen.append(posted.wait(timeout=20))  # False: the post waited for this
        finally:
            connections.close_all()

    writer = threading.Thread(target=consumer_writing)
    writer.start()
    assert held.wait(timeout=20)
    assert post(text("wamid.WHILE")).status_code == 200
    posted.set()
    writer.join()
    assert seen == [True]
    assert Delivery.objects.get().ids == ["wamid.WHILE"]


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_deliveries_waiting_in_the_main_file_move_to_the_intake_file(whatsapp):
    """An installation from before the intake file: what waited in the main file is moved,
    still encrypted, when the intake file is migrated, and then taken in."""
    move = import_module("ventanilla.channels.migrations.0006_intake_of_its_own")
    main = connections[DEFAULT_DB_ALIAS]
    with main.schema_editor() as editor:
        editor.create_model(Delivery)  # the table as it was in the main file
    try:
        events = intake.write([Inbound("wamid.OLD", "tel", "447700900309", "Hola")])
        Delivery(channel=whatsapp, events=events, ids=["wamid.OLD"]).save(using=DEFAULT_DB_ALIAS)
        with connections[intake_database()].schema_editor() as editor:
            move.move_waiting_deliveries(django_apps, editor)
        with main.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM channels_delivery")
            assert cursor.fetchone()[0] == 0
        moved = Delivery.objects.get()
        assert moved.ids == ["wamid.OLD"] and moved.events == events
        assert inbound.take_in_waiting() == 1
        assert not UnreadDelivery.objects.values_list("reasons", flat=True)
        assert Message.objects.get(provider_id="wamid.OLD").text == "Hola"
    finally:
        with main.schema_editor() as editor:
            editor.delete_model(Delivery)


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_channel_is_gone_is_dropped(post, whatsapp, only_inserted):
    assert post(text("wamid.GONE")).status_code == 200
    Channel.objects.filter(pk=whatsapp.pk).delete()  # as the admin may, before any message
    assert inbound.take_in_waiting() == 1
    assert not Delivery.objects.exists() and not Message.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that goes away")
@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_connection_is_lost_mid_way_is_taken_in_again_whole(
    post, whatsapp, only_inserted
):
    """The server goes away in the middle of a batch (here: it ends this very connection once
    the first message is written). The savepoint cannot be rolled back, the batch's transaction
    is lost: the rows stored before it in the batch are not deleted as done either, and the
    next pass stores everything once."""
    post(text("wamid.CUT1"))
    post(text("wamid.CUT2", sender="447700900302"))
    created_ids: list[str] = []

    def server_goes_away(sender, instance, created, **kwargs):
        if created:
            created_ids.append(instance.provider_id)
        if created_ids == ["wamid.CUT1", "wamid.CUT2"]:  # the first was stored, in the batch
            created_ids.append("cut")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    post_save.connect(server_goes_away, sender=Message, dispatch_uid="test-cut")
    try:
        assert inbound.take_in_waiting() == 2
    finally:
        post_save.disconnect(dispatch_uid="test-cut", sender=Message)
    assert created_ids == ["wamid.CUT1", "wamid.CUT2", "cut"]
    assert not Message.objects.exists()  # the first message went with the transaction
    waiting = Delivery.objects.order_by("pk")
    assert [row.ids for row in waiting] == [["wamid.CUT1"], ["wamid.CUT2"]]
    assert all(row.leased_until is None for row in waiting)  # tried again at once

    assert inbound.take_in_waiting() == 2
    stored = Message.objects.order_by("provider_id").values_list("provider_id", flat=True)
    assert list(stored) == ["wamid.CUT1", "wamid.CUT2"]
    assert not Delivery.objects.exists() and not UnreadDelivery.objects.exists()


def test_storing_a_message_takes_few_statements(post):
    """What the intake loop spends per message in the main database, savepoints included:
    counted, not timed, so that a change that adds a query per message is seen here."""
    people = [f"4477009004{n:02d}" for n in range(20)]
    for n, person in enumerate(people):
        post(text(f"wamid.FIRST{n}", sender=person))
    with CaptureQueriesContext(connection) as first:
        assert inbound.take_in_waiting() == 20
    for n, person in enumerate(people):
        post(text(f"wamid.AGAIN{n}", sender=person))
    with CaptureQueriesContext(connection) as again:
        assert inbound.take_in_waiting() == 20
    # Measured: 204 and 204 on SQLite, 209 and 209 on PostgreSQL (one more per message
    # would be 20 more). A new person: contact, identity, conversation, message, its search
    # entry, clocks; a person who wrote before: their identity locked, their open
    # conversation, the message and its search entry.
    assert len(first) <= 20 * 10.5
    assert len(again) <= 20 * 10.5
