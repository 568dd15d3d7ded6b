"""Assigning, transferring and escalating tell the same people whichever door is used: the
console's forms and the API reach one service each, which makes the change and notifies."""

import pytest

from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Escalation
from ventanilla.desks.models import Team
from ventanilla.teamwork.models import Notification

_visitors = iter(range(1000))


@pytest.fixture
def two(webchat, make_inbound):
    """Two open conversations: one for the console, one for the API."""

    def make():
        inbound = make_inbound(scheme="webchat", address=f"visitor-{next(_visitors)}", text="Hola")
        return receive(channel=webchat, inbound=inbound).message.conversation

    return make(), make()


@pytest.fixture
def protection(desk):
    return Team.objects.create(desk=desk, slug="protection", name="Protection")


def notified(conversation):
    return sorted(
        (n.recipient.get_username(), n.kind, n.actor.get_username())
        for n in Notification.objects.filter(conversation=conversation)
    )


def in_the_console(client, user, conversation, action, form):
    client.force_login(user)
    response = client.post(f"/console/c/{conversation.pk}/{action}/", form)
    assert response.status_code == 302
    conversation.refresh_from_db()
    return notified(conversation)


def test_an_assignment_notifies_the_assignee_through_either_door(
    client, api_as, two, supervisor, agent
):
    console, api = two
    by_console = in_the_console(client, supervisor, console, "assign", {"assignee": "agent"})
    response = api_as(supervisor).patch(f"/api/v1/conversations/{api.pk}", {"assignee": "agent"})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "agent"
    assert by_console == notified(api) == [("agent", "assignment", "supervisor")]


def test_a_transfer_notifies_the_new_assignee_through_either_door(
    client, api_as, two, supervisor, agent, protection
):
    console, api = two
    form = {"team": "protection", "assignee": "agent"}
    by_console = in_the_console(client, supervisor, console, "transfer", form)
    response = api_as(supervisor).patch(f"/api/v1/conversations/{api.pk}", form)
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["assignee"]) == ("protection", "agent")
    assert by_console == notified(api) == [("agent", "assignment", "supervisor")]
    assert console.team == protection


def test_an_escalation_notifies_the_supervisors_through_either_door(
    client, api_as, two, supervisor, agent
):
    console, api = two
    form = {"to": "supervisor", "reason": "Threats from the employer"}
    by_console = in_the_console(client, agent, console, "escalate", form)
    response = api_as(agent).post(f"/api/v1/conversations/{api.pk}/escalate", form)
    assert response.status_code == 200, response.content
    assert response.json()["escalation"] == Escalation.SUPERVISOR
    assert by_console == notified(api) == [("supervisor", "escalation", "agent")]


def test_an_escalation_to_a_team_notifies_its_members_through_the_api(
    api_as, two, agent, make_staff, protection
):
    member = make_staff("agent", "member")
    member.agent_profile.teams.add(protection)
    _console, api = two
    body = {"to": "protection", "reason": "Abuse at work"}
    response = api_as(agent).post(f"/api/v1/conversations/{api.pk}/escalate", body)
    assert response.status_code == 200, response.content
    assert notified(api) == [("member", "escalation", "agent")]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/escalate", {"to": "nobody", "reason": "x"}),
        ("/escalate", {"to": "supervisor", "reason": ""}),
    ],
)
def test_an_escalation_the_desk_cannot_take_is_refused(api_as, two, agent, path, body):
    _console, api = two
    response = api_as(agent).post(f"/api/v1/conversations/{api.pk}{path}", body)
    assert response.status_code == 422
    assert set(response.json()) >= {"error", "detail"}
    assert not Notification.objects.exists()


def test_a_team_the_desk_lacks_is_refused_by_the_api(api_as, two, supervisor):
    _console, api = two
    response = api_as(supervisor).patch(f"/api/v1/conversations/{api.pk}", {"team": "nobody"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
