"""Volunteers: the fifth role, narrower than agents: the conversations of their teams and
those assigned to them only, no earlier conversations of the person, no figures."""

from __future__ import annotations

import io

from django.core.management import call_command

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Team
from ventanilla.desks.roles import role_of
from ventanilla.teamwork import services as teamwork


def listed(api):
    response = api.get("/api/v1/conversations")
    assert response.status_code == 200
    return sorted(c["id"] for c in response.json()["items"])


def test_a_volunteer_works_only_the_conversations_of_their_teams(
    desk, webchat, make_inbound, make_staff, api_as, supervisor, client
):
    volunteer = make_staff("volunteer", "vera")
    shelter = Team.objects.create(desk=desk, slug="shelter", name="Shelter")
    volunteer.agent_profile.teams.add(shelter)
    person = {"scheme": "webchat", "address": "visitor-v1"}
    first = receive(channel=webchat, inbound=make_inbound(text="Hola", **person)).message
    teamwork.transfer(conversation=first.conversation, team=shelter, assignee=None, by=supervisor)
    services.resolve(conversation=first.conversation, by=supervisor, outcome="answered")
    services.close(conversation=first.conversation, by=supervisor)
    second = receive(channel=webchat, inbound=make_inbound(text="Otra vez", **person)).message
    elsewhere = receive(channel=webchat, inbound=make_inbound(text="Hello")).message
    assert second.conversation_id != first.conversation_id
    api = api_as(volunteer)
    assert listed(api) == [first.conversation_id]  # their team's, closed
    teamwork.transfer(conversation=second.conversation, team=shelter, assignee=None, by=supervisor)
    assert listed(api) == [first.conversation_id, second.conversation_id]
    assert api.get(f"/api/v1/conversations/{elsewhere.conversation_id}").status_code == 404
    reply = api.post(f"/api/v1/conversations/{second.conversation_id}/messages", {"text": "Hola"})
    assert reply.status_code == 201
    client.force_login(volunteer)
    page = client.get(f"/console/c/{second.conversation_id}/").content.decode()
    # The person's earlier conversation, though their team's, is not shown beside it.
    assert first.conversation.reference not in page
    assert api.get("/api/v1/conversations/stats").status_code == 403  # no figures


def test_the_token_command_makes_a_volunteer(db, desk):
    out = io.StringIO()
    call_command("token", "vera", "--role", "volunteer", stdout=out)
    from django.contrib.auth.models import User

    assert role_of(User.objects.get(username="vera")) == "volunteer"
