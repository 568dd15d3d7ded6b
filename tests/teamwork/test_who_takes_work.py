"""Only staff who take work are offered it and given it: agents, and supervisors or
administrators whose profile on the desk says they take conversations."""

import pytest

from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import AgentProfile, Assignment
from ventanilla.triage import routing

_addresses = iter(range(100, 10_000))


@pytest.fixture
def converse(webchat, make_inbound):
    def make():
        address = f"+4477008{next(_addresses):05d}"
        return receive(channel=webchat, inbound=make_inbound(address=address)).message.conversation

    return make


@pytest.fixture
def staff(make_staff):
    """Staff of every role on the desk, all available and speaking the person's language."""
    made = {
        "agent": make_staff("agent", "agent"),
        "supervisor": make_staff("supervisor", "supervisor"),
        "admin": make_staff("admin", "administrator"),
        "analyst": make_staff("analyst", "analyst"),
        "root": make_staff("admin", "root", desks=[]),
    }
    AgentProfile.objects.update(languages=["es"], available=True)
    return made


@pytest.mark.parametrize("way", [Assignment.LEAST_LOADED, Assignment.ROUND_ROBIN])
def test_routing_never_gives_work_to_supervisors_or_administrators_who_did_not_ask(
    desk, converse, staff, way
):
    desk.assignment = way
    desk.save()
    AgentProfile.objects.filter(user=staff["agent"]).update(capacity=2)
    given = [routing.route(conversation=converse()).assignee for _ in range(4)]
    assert given == [staff["agent"], staff["agent"], None, None]


def test_a_supervisor_whose_profile_says_so_is_given_work_like_an_agent(desk, converse, staff):
    desk.assignment = Assignment.LEAST_LOADED
    desk.save()
    AgentProfile.objects.filter(user=staff["supervisor"]).update(takes_work=True)
    conversations.assign(conversation=converse(), assignee=staff["agent"], by=None)
    assert routing.route(conversation=converse()).assignee == staff["supervisor"]


def test_the_assignment_list_offers_only_staff_who_take_work(client, desk, converse, staff):
    conversation = converse()
    client.force_login(staff["supervisor"])
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    offered = page.split('id="transfer-assignee"')[1].split("</select>")[0]
    assert 'value="agent"' in offered
    for name in ("supervisor", "administrator", "analyst", "root"):
        assert f'value="{name}"' not in offered
    AgentProfile.objects.filter(user=staff["admin"]).update(takes_work=True)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'value="administrator"' in page.split('id="transfer-assignee"')[1].split("</select>")[0]


def test_whoever_has_the_conversation_stays_listed(client, desk, converse, staff):
    conversation = converse()
    conversations.assign(conversation=conversation, assignee=staff["supervisor"], by=None)
    client.force_login(staff["agent"])
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    offered = page.split('id="transfer-assignee"')[1].split("</select>")[0]
    assert 'value="supervisor" selected' in offered
