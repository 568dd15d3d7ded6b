from datetime import timedelta

import pytest

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus, Status
from ventanilla.desks.services import add_request_type
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.models import AuditEntry

VOICE_CONFIG = {
    "account_sid": "AC" + "0" * 32,
    "auth_token": "invented-token",
    "number": "+447700900500",
}


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(channel=webchat, inbound=make_inbound()).message.conversation


def test_a_reply_is_queued_then_sent_after_commit(
    conversation, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(conversation=conversation, text="  Buenos días  ", by=agent)
        assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    message.refresh_from_db()
    assert (message.direction, message.text, message.author) == ("out", "Buenos días", agent)
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert message.provider_id == f"local-{message.pk}"
    assert AuditEntry.objects.filter(action="message.reply", actor=agent).exists()


def test_the_first_reply_sets_the_first_response_time_once(conversation, agent):
    services.reply(conversation=conversation, text="Uno", by=agent)
    first = conversation.first_response_at
    assert first is not None
    services.reply(conversation=conversation, text="Dos", by=agent)
    assert conversation.first_response_at == first


@pytest.mark.parametrize(
    ("text", "error"), [("   ", "must not be empty"), ("x" * 4097, "at most 4096 characters")]
)
def test_a_reply_without_text_or_too_long_is_refused(conversation, agent, text, error):
    with pytest.raises(Invalid, match=error):
        services.reply(conversation=conversation, text=text, by=agent)
    assert not Message.objects.filter(direction="out").exists()


def test_a_closed_conversation_takes_no_reply_until_reopened(conversation, agent):
    services.close(conversation=conversation, by=agent)
    with pytest.raises(Conflict, match="closed"):
        services.reply(conversation=conversation, text="Hola", by=agent)
    services.reopen(conversation=conversation, by=agent)
    assert services.reply(conversation=conversation, text="Hola", by=agent).pk


def test_a_channel_that_cannot_send_text_takes_no_reply(desk, make_inbound, agent):
    voice = create_channel(
        desk=desk, type="twilio-voice", name="Line", config=VOICE_CONFIG, by=None
    )
    conversation = receive(channel=voice, inbound=make_inbound()).message.conversation
    with pytest.raises(Conflict, match="phone conversation"):
        services.reply(conversation=conversation, text="Hola", by=agent)
    assert not Message.objects.filter(direction="out").exists()


def test_notes_are_kept_apart_and_audited(conversation, agent):
    note = services.note(conversation=conversation, text="Call back after 14:00", by=agent)
    assert note.author == agent and conversation.notes.get() == note
    assert not [m for m in Message.objects.all() if "Call back" in m.text]  # texts are encrypted
    assert AuditEntry.objects.filter(action="note.create", actor=agent).exists()


def test_assigning_to_staff_of_the_desk(conversation, agent, supervisor):
    services.assign(conversation=conversation, assignee=agent, by=supervisor)
    assert conversation.assignee == agent
    services.assign(conversation=conversation, assignee=None, by=supervisor)
    assert conversation.assignee is None
    entries = AuditEntry.objects.filter(action="conversation.assign").order_by("id")
    assert [e.detail["assignee"] for e in entries] == ["agent", None]


def test_nobody_outside_the_desk_or_without_the_role_is_assigned(
    conversation, make_staff, other_desk, analyst, supervisor
):
    outsider = make_staff("agent", "outsider", desks=[other_desk])
    for assignee in (outsider, analyst):
        with pytest.raises(Invalid, match="does not handle conversations of this desk"):
            services.assign(conversation=conversation, assignee=assignee, by=supervisor)
    administrator = make_staff("admin", "root", desks=[])
    services.assign(conversation=conversation, assignee=administrator, by=supervisor)


def test_status_changes_keep_their_timestamps(conversation, agent):
    services.resolve(conversation=conversation, by=agent)
    assert conversation.status == Status.RESOLVED and conversation.resolved_at
    services.close(conversation=conversation, by=agent)
    assert conversation.status == Status.CLOSED and conversation.closed_at
    services.reopen(conversation=conversation, by=agent)
    assert conversation.status == Status.OPEN
    assert conversation.resolved_at is None and conversation.closed_at is None
    actions = list(AuditEntry.objects.filter(actor=agent).values_list("action", flat=True))
    assert actions == ["conversation.reopen", "conversation.close", "conversation.resolve"]


def test_a_closed_conversation_is_not_reopened_when_a_newer_one_exists(
    conversation, agent, webchat, make_inbound
):
    services.close(conversation=conversation, by=agent)
    receive(channel=webchat, inbound=make_inbound())
    with pytest.raises(Conflict, match="newer conversation"):
        services.reopen(conversation=conversation, by=agent)


def test_the_request_type_sets_the_service_level_clocks(conversation, agent, desk, other_desk):
    status = add_request_type(
        desk=desk,
        by=None,
        slug="status",
        name="Status of an application",
        first_response_hours=24,
        resolution_hours=48,
    )
    services.classify(conversation=conversation, by=agent, request_type=status, priority="high")
    assert conversation.first_response_due_at == conversation.created_at + timedelta(hours=24)
    assert conversation.resolution_due_at == conversation.created_at + timedelta(hours=48)
    services.classify(conversation=conversation, by=agent, request_type=None)
    assert conversation.first_response_due_at is None and conversation.resolution_due_at is None
    foreign = add_request_type(desk=other_desk, by=None, slug="status", name="Status")
    with pytest.raises(Invalid, match="another desk"):
        services.classify(conversation=conversation, by=agent, request_type=foreign)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"priority": "whenever"}, "priority must be one of"),
        ({"language": "Spanish"}, "not a language code"),
        ({"topic": "t" * 65}, "at most 64"),
    ],
)
def test_bad_classifications_are_refused(conversation, agent, change, error):
    with pytest.raises(Invalid, match=error):
        services.classify(conversation=conversation, by=agent, **change)
    conversation.refresh_from_db()
    assert (conversation.priority, conversation.language, conversation.topic) == ("normal", "", "")


def test_an_update_applies_all_its_changes_or_none(conversation, agent):
    with pytest.raises(Invalid, match="no member of staff"):
        services.update(
            conversation=conversation,
            by=agent,
            changes={"priority": "urgent", "assignee": "nobody-by-that-name"},
        )
    conversation.refresh_from_db()
    assert conversation.priority == "normal"
