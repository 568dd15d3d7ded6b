"""Protection cases (restricted conversations): seen only by the person assigned, its team
and the desk's supervisors, in the inbox, search, API and notifications alike; made so by
their request type or by staff, opened to the desk again only by a supervisor."""

from __future__ import annotations

import pytest

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import RequestType, Team
from ventanilla.desks.services import add_default_request_types
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.models import Notification


@pytest.fixture
def case(desk, webchat, make_inbound, supervisor):
    """A person reports abuse; the conversation is classified a rights violation."""
    add_default_request_types(desk=desk, by=None)
    conversation = receive(
        channel=webchat, inbound=make_inbound(text="mi jefe me pega y me quitó el pasaporte")
    ).message.conversation
    violation = RequestType.objects.get(desk=desk, slug="rights-violation")
    assert violation.restricted  # every desk's rights violations are protection cases
    services.classify(conversation=conversation, by=None, request_type=violation)
    conversation.refresh_from_db()
    assert conversation.restricted
    return conversation


def listed(api, **params):
    response = api.get("/api/v1/conversations", **params)
    assert response.status_code == 200
    return [c["id"] for c in response.json()["items"]]


def test_only_the_assignee_its_team_and_supervisors_see_a_protection_case(
    case, api_as, make_staff, supervisor, desk, client
):
    assigned, member, other = (make_staff("agent", n) for n in ("amal", "joris", "lucia"))
    protection = Team.objects.create(desk=desk, slug="protection", name="Protection")
    member.agent_profile.teams.add(protection)
    services.assign(conversation=case, assignee=assigned, by=supervisor)
    assert listed(api_as(other)) == [] and listed(api_as(other), q="pasaporte") == []
    assert api_as(other).get(f"/api/v1/conversations/{case.reference}").status_code == 404
    assert listed(api_as(assigned)) == [case.pk] and listed(api_as(supervisor)) == [case.pk]
    assert listed(api_as(member)) == []
    teamwork.transfer(conversation=case, team=protection, assignee=assigned, by=supervisor)
    assert listed(api_as(member)) == [case.pk]
    shown = api_as(member).get(f"/api/v1/conversations/{case.pk}").json()
    assert shown["restricted"] is True
    client.force_login(other)
    assert case.reference not in client.get("/console/").content.decode()
    assert client.get(f"/console/c/{case.pk}/").status_code == 404


def test_notifications_of_a_protection_case_reach_only_those_who_may_read_it(
    case, make_staff, supervisor
):
    assigned, other = make_staff("agent", "amal"), make_staff("agent", "lucia")
    services.assign(conversation=case, assignee=assigned, by=supervisor)
    teamwork.write_note(conversation=case, text="@lucia @supervisor look at this", by=assigned)
    assert [n.recipient for n in Notification.objects.filter(kind="mention")] == [supervisor]
    assert not Notification.objects.filter(recipient=other).exists()


def test_an_agent_makes_a_case_protected_and_only_a_supervisor_opens_it_again(
    desk, webchat, make_inbound, api_as, agent, supervisor
):
    conversation = receive(channel=webchat, inbound=make_inbound(text="Hola")).message.conversation
    services.assign(conversation=conversation, assignee=agent, by=supervisor)
    path = f"/api/v1/conversations/{conversation.pk}"
    done = api_as(agent).patch(path, {"restricted": True})
    assert done.status_code == 200 and done.json()["restricted"] is True
    refused = api_as(agent).patch(path, {"restricted": False})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert api_as(supervisor).patch(path, {"restricted": False}).json()["restricted"] is False
    assert not Conversation.objects.get(pk=conversation.pk).restricted


def test_the_console_marks_a_case_and_says_so(client, desk, webchat, make_inbound, supervisor):
    conversation = receive(channel=webchat, inbound=make_inbound(text="Hola")).message.conversation
    client.force_login(supervisor)
    done = client.post(
        f"/console/c/{conversation.pk}/restrict/", {"restricted": "1"}, follow=True
    ).content.decode()
    assert "Now a protection case" in done and "Protection case: only the person" in done
    assert Conversation.objects.get(pk=conversation.pk).restricted
    client.post(f"/console/c/{conversation.pk}/restrict/", {"restricted": "0"})
    assert not Conversation.objects.get(pk=conversation.pk).restricted
