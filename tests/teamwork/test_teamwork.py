"""Notes that mention, escalations, transfers, handovers and canned responses."""

import pytest

from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Escalation, Note, Priority
from ventanilla.desks.models import Team
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork import services
from ventanilla.teamwork.canned import fill
from ventanilla.teamwork.models import Handover, Notification, NotificationKind


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(channel=webchat, inbound=make_inbound(text="Hola")).message.conversation


@pytest.fixture
def protection(desk):
    return Team.objects.create(desk=desk, slug="protection", name="Protection")


def test_a_note_notifies_each_colleague_it_mentions_once(conversation, agent, make_staff):
    lucia = make_staff("agent", "lucia")
    make_staff("agent", "joris")
    note = services.write_note(
        conversation=conversation,
        text="@lucia can you call back? @lucia and @nobody@example, mail me@agent",
        by=agent,
    )
    notified = Notification.objects.get()
    assert (notified.recipient, notified.kind, notified.note) == (lucia, "mention", note)
    assert notified.actor == agent and notified.read_at is None


def test_mentions_reach_only_staff_of_the_conversations_desk(
    conversation, agent, make_staff, other_desk
):
    make_staff("agent", "outsider", desks=[other_desk])
    services.write_note(conversation=conversation, text="@outsider please look", by=agent)
    assert not Notification.objects.exists()


def test_an_analyst_mentioned_learns_nothing_of_the_conversation(conversation, agent, make_staff):
    make_staff("analyst", "ana")
    services.write_note(conversation=conversation, text="@ana is this a trend?", by=agent)
    assert not Notification.objects.exists()


def test_mentioning_oneself_notifies_nobody(conversation, agent):
    services.write_note(conversation=conversation, text="@agent remember this", by=agent)
    assert not Notification.objects.exists()


def test_escalating_to_a_team_moves_it_to_their_queue_and_notifies_them(
    conversation, agent, make_staff, protection
):
    member = make_staff("agent", "member")
    member.agent_profile.teams.add(protection)
    make_staff("agent", "bystander")
    conversations.assign(conversation=conversation, assignee=agent, by=agent)

    services.escalate(conversation=conversation, team=protection, reason="Abuse at work", by=agent)

    conversation.refresh_from_db()
    assert conversation.team == protection and conversation.assignee is None
    assert conversation.escalation == Escalation.TEAM
    assert conversation.priority == Priority.HIGH
    assert Note.objects.get(conversation=conversation).text == "Abuse at work"
    assert [n.recipient for n in Notification.objects.all()] == [member]
    assert AuditEntry.objects.filter(action="conversation.escalate").exists()


def test_escalating_to_a_supervisor_notifies_the_desks_supervisors(conversation, agent, supervisor):
    services.escalate(conversation=conversation, team=None, reason="Complaint", by=agent)
    conversation.refresh_from_db()
    assert conversation.escalation == Escalation.SUPERVISOR and conversation.team is None
    notified = Notification.objects.get()
    assert (notified.recipient, notified.kind) == (supervisor, NotificationKind.ESCALATION)


def test_an_urgent_conversation_stays_urgent_when_escalated(conversation, agent):
    conversations.classify(conversation=conversation, by=agent, priority="urgent")
    services.escalate(conversation=conversation, team=None, reason="Why", by=agent)
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"


def test_an_escalation_needs_a_reason_and_an_open_conversation(conversation, agent):
    with pytest.raises(Invalid):
        services.escalate(conversation=conversation, team=None, reason="  ", by=agent)
    conversations.close(conversation=conversation, by=agent)
    with pytest.raises(Conflict):
        services.escalate(conversation=conversation, team=None, reason="Late", by=agent)


def test_a_team_of_another_desk_is_refused(conversation, agent, other_desk):
    foreign = Team.objects.create(desk=other_desk, slug="legal", name="Legal")
    with pytest.raises(Invalid):
        services.escalate(conversation=conversation, team=foreign, reason="x", by=agent)
    with pytest.raises(Invalid):
        services.transfer(conversation=conversation, team=foreign, assignee=None, by=agent)


def test_a_transfer_notifies_the_new_assignee_only(conversation, agent, make_staff, protection):
    lucia = make_staff("agent", "lucia")
    services.transfer(conversation=conversation, team=protection, assignee=lucia, by=agent)
    services.transfer(conversation=conversation, team=None, assignee=lucia, by=agent)
    conversation.refresh_from_db()
    assert (conversation.team, conversation.assignee) == (None, lucia)
    assert Notification.objects.filter(recipient=lucia, kind="assignment").count() == 1


def test_marking_read_touches_only_ones_own_notifications(conversation, agent, make_staff):
    lucia = make_staff("agent", "lucia")
    services.write_note(conversation=conversation, text="@lucia", by=agent)
    services.write_note(conversation=conversation, text="@agent", by=lucia)
    assert services.mark_read(user=lucia) == 1
    assert Notification.objects.get(recipient=agent).read_at is None


def test_a_handover_keeps_a_line_per_pending_conversation(conversation, agent, desk):
    handover = services.hand_over(
        desk=desk,
        by=agent,
        text="Busy evening",
        pending=[
            services.Pending(conversation, "Waiting for the copy of the passport"),
            services.Pending(conversation, "   "),
        ],
    )
    assert [line.text for line in handover.lines.all()] == ["Waiting for the copy of the passport"]
    assert AuditEntry.objects.filter(action="handover.create").exists()


def test_an_empty_handover_is_refused(agent, desk):
    with pytest.raises(Invalid):
        services.hand_over(desk=desk, by=agent, text=" ", pending=[])
    assert not Handover.objects.exists()


def test_a_handover_cannot_name_another_desks_conversation(agent, desk, other_desk, make_inbound):
    from ventanilla.channels.services import create_channel

    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    foreign = receive(channel=elsewhere, inbound=make_inbound()).message.conversation
    with pytest.raises(Invalid):
        services.hand_over(
            desk=desk, by=agent, text="x", pending=[services.Pending(foreign, "pending")]
        )


def test_a_canned_response_fills_its_placeholders_in_the_persons_language(
    conversation, supervisor, agent, desk
):
    desk.hours = {
        "mon": [["08:00", "14:00"]],
        "tue": [["08:00", "14:00"]],
        "sat": [["09:00", "13:00"]],
    }
    desk.save()
    agent.first_name = "Elena"
    canned = services.save_canned_response(
        by=supervisor,
        desk=desk,
        shortcut="hours",
        title="Opening hours",
        texts={"en": "{agent} at {desk}: {hours} ({reference})", "es": "{agent}, {desk}: {hours}"},
    )
    conversations.classify(conversation=conversation, by=agent, language="es")
    assert (
        fill(canned, conversation, agent)
        == f"Elena, {desk.name}: lun\u2013mar 08:00\u201314:00; sáb 09:00\u201313:00"
    )
    english = fill(canned, conversation, agent, language="en")
    hours = "Mon\u2013Tue 08:00\u201314:00; Sat 09:00\u201313:00"
    assert english == f"Elena at {desk.name}: {hours} ({conversation.reference})"


def test_a_canned_response_falls_back_to_the_desks_languages(conversation, supervisor, agent, desk):
    desk.languages = ["fr", "en"]
    desk.save()
    canned = services.save_canned_response(
        by=supervisor, desk=None, shortcut="hi", title="Hi", texts={"en": "Hello", "fr": "Bonjour"}
    )
    conversations.classify(conversation=conversation, by=agent, language="ar")
    assert fill(canned, conversation, agent) == "Bonjour"


@pytest.mark.parametrize(
    ("shortcut", "title", "texts"),
    [
        ("Bad Shortcut", "Title", {"en": "x"}),
        ("ok", "", {"en": "x"}),
        ("ok", "Title", {"en": "  "}),
        ("ok", "Title", {"english": "x"}),
        ("ok", "Title", {"en": "Hello {name}"}),
        ("ok", "Title", {"en": "x" * 4097}),
    ],
)
def test_a_canned_response_that_cannot_be_used_is_refused(supervisor, shortcut, title, texts):
    with pytest.raises(Invalid):
        services.save_canned_response(
            by=supervisor, desk=None, shortcut=shortcut, title=title, texts=texts
        )


def test_a_shortcut_is_unique_per_desk(supervisor, desk):
    services.save_canned_response(
        by=supervisor, desk=desk, shortcut="hi", title="Hi", texts={"en": "Hi"}
    )
    with pytest.raises(Conflict):
        services.save_canned_response(
            by=supervisor, desk=desk, shortcut="hi", title="Again", texts={"en": "Hi"}
        )
    services.save_canned_response(
        by=supervisor, desk=None, shortcut="hi", title="All", texts={"en": "Hi"}
    )
    with pytest.raises(Conflict):
        services.save_canned_response(
            by=supervisor, desk=None, shortcut="hi", title="All again", texts={"en": "Hi"}
        )
