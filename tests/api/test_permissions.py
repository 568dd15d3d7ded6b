"""Each role against each kind of request: a request outside one's role gets 403."""

import pytest

from ventanilla.conversations.inbound import receive

CHANNEL = {"type": "webchat", "name": "Another chat", "config": {}}

# (method, path, body) -> role -> expected status
MATRIX = [
    (
        ("get", "/api/v1/conversations", None),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("get", "/api/v1/conversations/{id}", None),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("get", "/api/v1/conversations/{id}/messages", None),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("post", "/api/v1/conversations/{id}/messages", {"text": "Hola"}),
        {"admin": 201, "supervisor": 201, "agent": 201, "analyst": 403},
    ),
    (
        ("post", "/api/v1/conversations/{id}/messages", {"text": "Nota", "internal": True}),
        {"admin": 201, "supervisor": 201, "agent": 201, "analyst": 403},
    ),
    (
        ("patch", "/api/v1/conversations/{id}", {"priority": "high"}),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("patch", "/api/v1/conversations/{id}", {"status": "resolved"}),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("get", "/api/v1/conversations/stats", None),
        {"admin": 200, "supervisor": 200, "agent": 403, "analyst": 200},
    ),
    (
        ("get", "/api/v1/calls", None),  # analysts: the call report's figures only
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("get", "/api/v1/audit", None),
        {"admin": 200, "supervisor": 200, "agent": 403, "analyst": 403},
    ),
    (
        ("get", "/api/v1/me/tokens", None),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 200},
    ),
    (
        ("post", "/api/v1/calls/next", {}),  # 409: the desk has no phone line
        {"admin": 409, "supervisor": 409, "agent": 409, "analyst": 403},
    ),
    (
        ("get", "/api/v1/channels", None),
        {"admin": 200, "supervisor": 200, "agent": 403, "analyst": 403},
    ),
    (
        ("post", "/api/v1/channels", CHANNEL),
        {"admin": 201, "supervisor": 403, "agent": 403, "analyst": 403},
    ),
    (
        ("get", "/api/v1/desks/default", None),
        {"admin": 200, "supervisor": 200, "agent": 200, "analyst": 403},
    ),
    (
        ("patch", "/api/v1/desks/default", {"name": "Renamed"}),
        {"admin": 200, "supervisor": 403, "agent": 403, "analyst": 403},
    ),
    (
        ("post", "/api/v1/desks/default/request-types", {"slug": "family", "name": "Family"}),
        {"admin": 201, "supervisor": 403, "agent": 403, "analyst": 403},
    ),
]
CASES = [
    pytest.param(request, role, status, id=f"{role}-{request[0]}-{request[1]}")
    for request, expected in MATRIX
    for role, status in expected.items()
]


@pytest.mark.parametrize(("request_", "role", "status"), CASES)
def test_each_role_gets_exactly_what_it_may(
    api_as, make_staff, webchat, make_inbound, request_, role, status
):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    method, path, body = request_
    client = api_as(make_staff(role))
    path = path.format(id=conversation.pk)
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)
    assert response.status_code == status, response.content
    if status == 403:
        assert response.json() == {"error": "forbidden", "detail": "your role does not allow this"}


def test_an_analyst_reads_no_content_anywhere(api_as, analyst, webchat, make_inbound):
    conversation = receive(
        channel=webchat, inbound=make_inbound(text="Texto privado")
    ).message.conversation
    client = api_as(analyst)
    for path in (
        "/api/v1/conversations",
        f"/api/v1/conversations/{conversation.pk}",
        f"/api/v1/conversations/{conversation.reference}/messages",
        "/api/v1/conversations/stats",
        "/api/v1/channels",
    ):
        response = client.get(path)
        assert "Texto privado" not in response.content.decode()
        assert conversation.contact.pseudonym not in response.content.decode()


def test_a_user_without_any_role_gets_403_everywhere(api_as, webchat, make_inbound):
    from django.contrib.auth.models import User

    nobody = User.objects.create(username="nobody")
    client = api_as(nobody)
    paths = ("/api/v1/conversations", "/api/v1/conversations/stats", "/api/v1/channels",
             "/api/v1/calls")  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 403
