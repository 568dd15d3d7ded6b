import pytest
from django.utils import timezone

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus
from ventanilla.desks.services import add_request_type
from ventanilla.privacy.models import AuditEntry


@pytest.fixture
def conversation(webchat, make_inbound):
    inbound = make_inbound(scheme="webchat", address="visitor-7", text="¿Cuándo abre el consulado?")
    return receive(channel=webchat, inbound=inbound).message.conversation


def test_staff_list_the_conversations_of_their_desk(
    api_as, agent, conversation, other_desk, make_inbound
):
    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    receive(channel=elsewhere, inbound=make_inbound())
    body = api_as(agent).get("/api/v1/conversations").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["reference"] == conversation.reference
    assert item["contact"] == conversation.contact.pseudonym
    assert (item["status"], item["channel_type"], item["desk"]) == ("open", "webchat", "default")
    assert "visitor-7" not in str(body)


def test_conversations_are_filtered(api_as, agent, conversation, webchat, make_inbound):
    second = receive(channel=webchat, inbound=make_inbound(text="Quiero poner una queja"))
    services.classify(
        conversation=second.message.conversation, by=agent, language="es", topic="complaints"
    )
    services.assign(conversation=second.message.conversation, assignee=agent, by=agent)
    client = api_as(agent)

    def references(**filters):
        return [
            c["reference"] for c in client.get("/api/v1/conversations", **filters).json()["items"]
        ]

    other = second.message.conversation.reference
    assert references(language="es") == [other]
    assert references(topic="complaints") == [other]
    assert references(assignee="me") == [other]
    assert references(assignee="agent") == [other]
    assert references(assignee="none") == [conversation.reference]
    assert references(q="queja") == [other]
    assert references(q=conversation.reference.lower()) == [conversation.reference]
    assert references(status="closed") == []
    assert references(channel=str(webchat.id)) == [other, conversation.reference]
    assert references(desk="elsewhere") == []


def test_the_list_is_paginated(api_as, agent, webchat, make_inbound):
    for n in range(5):
        receive(channel=webchat, inbound=make_inbound(address=f"+4477009000{n:02d}"))
    page = api_as(agent).get("/api/v1/conversations", limit=2, offset=2).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert api_as(agent).get("/api/v1/conversations", limit=0).status_code == 422


def test_a_conversation_is_read_by_id_or_reference_and_the_read_audited(
    api_as, agent, conversation
):
    client = api_as(agent)
    by_id = client.get(f"/api/v1/conversations/{conversation.pk}")
    by_reference = client.get(f"/api/v1/conversations/{conversation.reference}")
    assert by_id.status_code == by_reference.status_code == 200
    assert by_id.json() == by_reference.json()
    reads = AuditEntry.objects.filter(action="conversation.read", actor=agent)
    assert reads.count() == 2 and reads.first().target_id == str(conversation.pk)


def test_another_desks_conversation_is_not_found(api_as, make_staff, other_desk, conversation):
    outsider = make_staff("agent", "outsider", desks=[other_desk])
    client = api_as(outsider)
    for path in ("", "/messages"):
        response = client.get(f"/api/v1/conversations/{conversation.pk}{path}")
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert (
        client.post(f"/api/v1/conversations/{conversation.pk}/messages", {"text": "x"}).status_code
        == 404
    )


def test_replies_and_notes_go_into_the_history(
    api_as, agent, conversation, django_capture_on_commit_callbacks
):
    client = api_as(agent)
    path = f"/api/v1/conversations/{conversation.reference}/messages"
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(path, {"text": "Abrimos a las 8:00"})
    assert reply.status_code == 201, reply.content
    assert reply.json()["direction"] == "out" and reply.json()["status"] == "queued"
    note = client.post(path, {"text": "Suele escribir por la tarde", "internal": True})
    assert note.status_code == 201
    assert (note.json()["type"], note.json()["internal"], note.json()["status"]) == (
        "note",
        True,
        None,
    )
    history = client.get(path).json()
    assert [(e["type"], e["direction"], e["text"]) for e in history] == [
        ("message", "in", "¿Cuándo abre el consulado?"),
        ("message", "out", "Abrimos a las 8:00"),
        ("note", None, "Suele escribir por la tarde"),
    ]
    assert history[1]["author"] == "agent"
    assert history[1]["status"] == "sent" and history[1]["sent_at"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"text": ""}, 422, "must not be empty"),
        ({"text": "x" * 5000}, 422, "at most 4096"),
        ({}, 422, "must not be empty"),
        ({"text": ["a"]}, 422, "text"),
    ],
)
def test_a_bad_message_is_refused(api_as, agent, conversation, body, status, detail):
    response = api_as(agent).post(f"/api/v1/conversations/{conversation.pk}/messages", body)
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert not Message.objects.filter(direction="out").exists()


def test_replying_to_a_closed_conversation_is_a_conflict(api_as, agent, conversation):
    client = api_as(agent)
    assert (
        client.patch(f"/api/v1/conversations/{conversation.pk}", {"status": "closed"}).status_code
        == 200
    )
    response = client.post(f"/api/v1/conversations/{conversation.pk}/messages", {"text": "Hola"})
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": "the conversation is closed; reopen it before replying",
    }


def test_a_patch_sets_classification_assignee_and_status(
    api_as, supervisor, agent, conversation, desk
):
    add_request_type(desk=desk, by=None, slug="status", name="Status", first_response_hours=48)
    response = api_as(supervisor).patch(
        f"/api/v1/conversations/{conversation.pk}",
        {
            "request_type": "status",
            "topic": "passport",
            "priority": "high",
            "language": "es",
            "assignee": "agent",
            "status": "pending",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["request_type"] == "status" and body["assignee"] == "agent"
    assert (body["topic"], body["priority"], body["language"], body["status"]) == (
        "passport",
        "high",
        "es",
        "pending",
    )
    # Pending: the clock of the first response stands still, its deadline unknown.
    clock = body["clocks"]["first_response"]
    assert clock["paused"] and clock["due_at"] is None and body["first_response_due_at"] is None
    assert clock["target_seconds"] == 48 * 3600 and not clock["breached"]
    reopened = (
        api_as(supervisor)
        .patch(f"/api/v1/conversations/{conversation.pk}", {"status": "open"})
        .json()
    )
    conversation.refresh_from_db()
    assert conversation.first_response_due_at is not None
    assert reopened["first_response_due_at"] is not None
    assert not reopened["clocks"]["first_response"]["paused"]
    unassigned = api_as(supervisor).patch(
        f"/api/v1/conversations/{conversation.pk}", {"assignee": None}
    )
    assert unassigned.json()["assignee"] is None


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"priority": "asap"}, "priority"),
        ({"status": "archived"}, "status"),
        ({"request_type": "unknown"}, "no request type 'unknown'"),
        ({"assignee": "ghost"}, "no member of staff 'ghost'"),
        ({"language": "Español"}, "not a language code"),
    ],
)
def test_a_bad_patch_changes_nothing(api_as, supervisor, conversation, body, detail):
    response = api_as(supervisor).patch(f"/api/v1/conversations/{conversation.pk}", body)
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    conversation.refresh_from_db()
    assert (conversation.priority, conversation.status, conversation.assignee) == (
        "normal",
        "open",
        None,
    )


def test_statistics_count_without_content(api_as, analyst, conversation, agent):
    services.reply(conversation=conversation, text="Hola", by=agent)
    body = api_as(analyst).get("/api/v1/conversations/stats").json()
    assert body["total"] == 1
    assert body["by_status"] == {"open": 1} and body["by_channel_type"] == {"webchat": 1}
    assert body["messages"] == {"inbound": 1, "outbound": 1}
    assert "consulado" not in str(body) and conversation.reference not in str(body)


def test_timestamps_are_iso_with_time_zone(api_as, agent, conversation):
    created = api_as(agent).get(f"/api/v1/conversations/{conversation.pk}").json()["created_at"]
    assert created.endswith("Z") or "+" in created
    assert created.startswith(str(timezone.now().year))


def test_the_status_of_an_outbound_message_is_reported(api_as, agent, conversation):
    services.reply(conversation=conversation, text="Hola", by=agent)
    Message.objects.filter(direction="out").update(
        status=MessageStatus.FAILED, error_code="131047", error_title="Re-engagement message"
    )
    entry = api_as(agent).get(f"/api/v1/conversations/{conversation.pk}/messages").json()[1]
    assert (entry["status"], entry["error_code"], entry["error_title"]) == (
        "failed",
        "131047",
        "Re-engagement message",
    )


def test_tags_and_the_outcome_are_set_and_read_through_the_api(
    api_as, agent, webchat, make_inbound
):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    api = api_as(agent)
    url = f"/api/v1/conversations/{conversation.reference}"
    response = api.patch(
        url, {"tags": ["Visa", "family"], "status": "resolved", "outcome": "referred"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tags"], body["status"], body["outcome"]) == (
        ["family", "visa"],
        "resolved",
        "referred",
    )
    assert body["waiting_since"] is None and body["escalation"] == "" and body["team"] is None
    listed = api.get("/api/v1/conversations", status="resolved").json()["items"]
    assert listed[0]["tags"] == ["family", "visa"]


def test_an_outcome_without_resolving_is_refused_and_changes_nothing(
    api_as, agent, webchat, make_inbound
):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    api = api_as(agent)
    url = f"/api/v1/conversations/{conversation.reference}"
    for body in ({"outcome": "answered"}, {"status": "resolved", "outcome": "sort-of"}):
        refused = api.patch(url, body)
        assert refused.status_code == 422, refused.content
        assert refused.json()["error"] == "invalid" and "outcome" in refused.json()["detail"]
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == ("open", "")
