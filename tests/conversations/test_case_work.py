"""What agents do to a case beyond replying: waits, deadlines, outcomes, tags, transfers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Outcome, Status
from ventanilla.desks.services import add_request_type
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.models import AuditEntry


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(channel=webchat, inbound=make_inbound(text="Hola")).message.conversation


def test_a_person_waits_from_their_first_unanswered_message(webchat, make_inbound, agent):
    first = receive(
        channel=webchat, inbound=make_inbound(text="Hola", address="v1", scheme="webchat")
    )
    conversation = first.message.conversation
    since = conversation.waiting_since
    assert since is not None
    receive(
        channel=webchat, inbound=make_inbound(text="¿Hay alguien?", address="v1", scheme="webchat")
    )
    conversation.refresh_from_db()
    assert conversation.waiting_since == since

    services.reply(conversation=conversation, text="Sí, dígame", by=agent)
    conversation.refresh_from_db()
    assert conversation.waiting_since is None


def test_an_automatic_reply_does_not_end_the_wait(conversation):
    services.reply(conversation=conversation, text="We answer within a day", by=None)
    conversation.refresh_from_db()
    assert conversation.waiting_since is not None


def test_the_next_deadline_is_the_first_response_then_the_resolution(conversation, agent, desk):
    kind = add_request_type(
        desk=desk,
        by=None,
        slug="status",
        name="Status",
        first_response_hours=2,
        resolution_hours=48,
    )
    services.classify(conversation=conversation, by=agent, request_type=kind)
    conversation.refresh_from_db()
    assert conversation.due_at == conversation.created_at + timedelta(hours=2)
    services.reply(conversation=conversation, text="Lo miramos", by=agent)
    conversation.refresh_from_db()
    assert conversation.due_at == conversation.created_at + timedelta(hours=48)


def test_every_change_moves_the_changed_mark(conversation, agent):
    marks = [conversation.changed_at]
    for change in (
        lambda: services.note(conversation=conversation, text="n", by=agent),
        lambda: services.assign(conversation=conversation, assignee=agent, by=agent),
        lambda: services.set_tags(conversation=conversation, names=["visa"], by=agent),
        lambda: services.resolve(conversation=conversation, by=agent, outcome="answered"),
    ):
        change()
        conversation.refresh_from_db()
        marks.append(conversation.changed_at)
    assert marks == sorted(marks) and len(set(marks)) == len(marks)


def test_resolving_records_the_outcome_and_reopening_clears_it(conversation, agent):
    services.resolve(conversation=conversation, by=agent, outcome=Outcome.REFERRED)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == (Status.RESOLVED, "referred")
    assert conversation.waiting_since is None
    entry = AuditEntry.objects.filter(action="conversation.resolve").latest("id")
    assert entry.detail["outcome"] == "referred"
    services.reopen(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == (Status.OPEN, "")


def test_the_person_writing_again_clears_the_outcome(webchat, make_inbound, agent):
    conversation = receive(
        channel=webchat, inbound=make_inbound(address="v2", scheme="webchat")
    ).message.conversation
    services.resolve(conversation=conversation, by=agent, outcome="answered")
    receive(channel=webchat, inbound=make_inbound(address="v2", scheme="webchat", text="Otra cosa"))
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == (Status.OPEN, "")


def test_an_unknown_outcome_is_refused(conversation, agent):
    with pytest.raises(Invalid):
        services.resolve(conversation=conversation, by=agent, outcome="solved-ish")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_tags_are_the_desks_own_and_set_as_a_whole(conversation, agent):
    services.set_tags(
        conversation=conversation, names=["Visa", " family  reunion ", "visa"], by=agent
    )
    assert sorted(t.name for t in conversation.tags.all()) == ["family reunion", "visa"]
    services.set_tags(conversation=conversation, names=["visa"], by=agent)
    assert [t.name for t in conversation.tags.all()] == ["visa"]
    assert conversation.desk.tags.count() == 2


@pytest.mark.parametrize("names", [["<script>"], ["x" * 33], [f"t{i}" for i in range(21)]])
def test_a_bad_tag_is_refused_and_nothing_changes(conversation, agent, names):
    services.set_tags(conversation=conversation, names=["kept"], by=agent)
    with pytest.raises(Invalid):
        services.set_tags(conversation=conversation, names=names, by=agent)
    assert [t.name for t in conversation.tags.all()] == ["kept"]


def test_a_transfer_to_someone_outside_the_desk_is_refused(
    conversation, agent, make_staff, other_desk
):
    outsider = make_staff("agent", "outsider", desks=[other_desk])
    with pytest.raises(Invalid):
        services.transfer(conversation=conversation, team=None, assignee=outsider, by=agent)


def test_the_wait_is_cleared_when_the_case_is_closed(conversation, agent):
    services.close(conversation=conversation, by=agent)
    conversation.refresh_from_db()
    assert conversation.waiting_since is None and conversation.closed_at <= timezone.now()
