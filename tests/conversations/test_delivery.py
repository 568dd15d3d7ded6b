"""The queue only triggers: a message whose task was lost is found and sent by the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Delivery
from ventanilla.conversations import services
from ventanilla.conversations.delivery import (
    SWEEP_GRACE,
    deliver,
    retry_delay,
    sending_lease,
    sweep,
)
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus


@pytest.fixture
def lost_reply(webchat, make_inbound, agent):
    """A reply committed to the database whose queued task never ran (the queue was lost)."""
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    # Without capturing on-commit callbacks, the test transaction never commits: exactly
    # the state a crash between commit and enqueue leaves behind.
    return services.reply(conversation=conversation, text="¿Sigue ahí?", by=agent)


def test_a_message_whose_task_was_lost_is_sent_by_the_sweep(lost_reply):
    assert Message.objects.get(pk=lost_reply.pk).status == MessageStatus.QUEUED
    assert sweep(now=timezone.now() + SWEEP_GRACE * 2) == 1
    lost_reply.refresh_from_db()
    assert lost_reply.status == MessageStatus.SENT


def test_the_sweep_leaves_a_just_queued_message_to_its_own_task(lost_reply):
    assert sweep(now=timezone.now()) == 0
    assert Message.objects.get(pk=lost_reply.pk).status == MessageStatus.QUEUED


def test_a_send_abandoned_midway_is_queued_again_after_its_lease(lost_reply):
    started = timezone.now()
    Message.objects.filter(pk=lost_reply.pk).update(
        status=MessageStatus.SENDING, sending_at=started, attempts=1
    )
    assert sweep(now=started + sending_lease() / 2) == 0  # maybe still sending
    assert sweep(now=started + sending_lease() * 2) == 1
    lost_reply.refresh_from_db()
    assert (lost_reply.status, lost_reply.attempts) == (MessageStatus.SENT, 2)


def test_a_send_is_not_repeated_while_its_status_report_may_wait_unread(lost_reply, webchat):
    """After an outage the provider posts its backlog at once: the report saying a send went
    out may wait behind it in the intake, past the lease. The send is not repeated while
    deliveries of its channel received within the lease after it are still unread."""
    started = timezone.now()
    Message.objects.filter(pk=lost_reply.pk).update(
        status=MessageStatus.SENDING, sending_at=started, attempts=1
    )
    intake = Delivery.objects.using(intake_database())
    waiting = intake.create(channel_id=webchat.pk, events="[]", ids=[])
    intake.filter(pk=waiting.pk).update(received_at=started + timedelta(seconds=3))
    assert sweep(now=started + sending_lease() * 3) == 0
    assert Message.objects.get(pk=lost_reply.pk).status == MessageStatus.SENDING
    intake.filter(pk=waiting.pk).update(received_at=started + sending_lease() * 2)
    assert sweep(now=started + sending_lease() * 3) == 1  # unread, but came after the lease
    assert Message.objects.get(pk=lost_reply.pk).status == MessageStatus.SENT


def test_a_queue_that_holds_many_tasks_still_gets_the_oldest_and_the_abandoned(lost_reply):
    """Behind a backlog the sweep queues again only the oldest lost replies (at least 100,
    lib/queue.py) and every reply abandoned while sending, however full the queue."""
    later = timezone.now() + SWEEP_GRACE * 2
    assert sweep(now=later, queued=1_000_000) == 1  # the oldest: queued again all the same
    assert Message.objects.get(pk=lost_reply.pk).status == MessageStatus.SENT
    started = timezone.now()
    Message.objects.filter(pk=lost_reply.pk).update(
        status=MessageStatus.SENDING, sending_at=started, attempts=1
    )
    assert sweep(now=started + sending_lease() * 2, queued=1_000_000) == 1


def test_a_message_is_claimed_once(lost_reply):
    assert deliver(message_id=lost_reply.pk) == MessageStatus.SENT
    assert deliver(message_id=lost_reply.pk) is None  # a duplicate task does nothing
    assert Message.objects.get(pk=lost_reply.pk).attempts == 1


def test_a_message_waiting_for_its_retry_time_is_not_sent_early(lost_reply):
    waiting = Message.objects.filter(pk=lost_reply.pk)
    waiting.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert deliver(message_id=lost_reply.pk) is None
    assert sweep() == 0
    waiting.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # its time has come
    assert sweep() == 1
    assert waiting.get().status == MessageStatus.SENT


def test_inbound_messages_are_never_sent(webchat, make_inbound):
    message = receive(channel=webchat, inbound=make_inbound()).message
    assert deliver(message_id=message.pk) is None
    assert sweep(now=timezone.now() + timedelta(hours=1)) == 0


def test_retries_back_off():
    delays = [retry_delay(n) for n in (1, 2, 3, 4)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=8),
        timedelta(minutes=32),
    ]
