"""The inbox: filters with their counts, orderings, longest waits, the live poll, handovers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Team
from ventanilla.teamwork import services as teamwork


@pytest.fixture
def open_conversations(webchat, make_inbound):
    def make(n, **inbound):
        return [
            receive(
                channel=webchat,
                inbound=make_inbound(
                    scheme="webchat", address=f"visitor-{i}-{id(inbound)}", **inbound
                ),
            ).message.conversation
            for i in range(n)
        ]

    return make


def rows(page):
    return re.findall(r'data-row="(\d+)"', page)


def count_of(page, label):
    found = re.search(re.escape(label) + r'\s*<span class="count">(\d+)</span>', page)
    return int(found.group(1)) if found else None


def test_filters_show_how_many_conversations_each_choice_holds(
    client, agent, open_conversations, desk
):
    legal = Team.objects.create(desk=desk, slug="legal", name="Legal advice")
    conversations = open_conversations(4)
    services.classify(conversation=conversations[0], by=agent, language="ar")
    services.transfer(conversation=conversations[1], team=legal, assignee=agent, by=agent)
    services.resolve(conversation=conversations[3], by=agent, outcome="answered")
    client.force_login(agent)

    page = client.get("/console/").content.decode()
    assert len(rows(page)) == 3
    assert count_of(page, "Mine") == 1 and count_of(page, "Unassigned") == 2
    assert count_of(page, "Legal advice") == 1 and count_of(page, "General queue") == 2
    assert count_of(page, "ar") == 1
    assert count_of(page, "Resolved") == 1

    assert rows(client.get("/console/?assignee=me").content.decode()) == [str(conversations[1].pk)]
    assert rows(client.get("/console/?team=legal").content.decode()) == [str(conversations[1].pk)]
    assert rows(client.get("/console/?language=ar").content.decode()) == [str(conversations[0].pk)]
    unassigned_general = client.get("/console/?assignee=none&team=none").content.decode()
    assert sorted(rows(unassigned_general)) == sorted(
        [str(conversations[0].pk), str(conversations[2].pk)]
    )
    assert rows(client.get("/console/?status=resolved").content.decode()) == [
        str(conversations[3].pk)
    ]


def test_filters_by_tag_priority_request_type_and_escalation(
    client, agent, open_conversations, desk
):
    from ventanilla.desks.services import add_request_type

    kind = add_request_type(desk=desk, by=None, slug="status", name="Status of an application")
    first, second, third = open_conversations(3)
    services.set_tags(conversation=first, names=["visa"], by=agent)
    services.classify(conversation=second, by=agent, priority="urgent", request_type=kind)
    teamwork.escalate(conversation=third, team=None, reason="Threats", by=agent)
    client.force_login(agent)
    assert rows(client.get("/console/?tag=visa").content.decode()) == [str(first.pk)]
    assert rows(client.get("/console/?priority=urgent").content.decode()) == [str(second.pk)]
    assert rows(client.get("/console/?request_type=status").content.decode()) == [str(second.pk)]
    assert rows(client.get("/console/?escalated=1").content.decode()) == [str(third.pk)]


def test_unknown_filter_values_show_nothing_rather_than_fail(client, agent, open_conversations):
    open_conversations(1)
    client.force_login(agent)
    for query in ("status=bogus", "channel=not-a-uuid", "priority=max", "order=sideways", "page=x"):
        assert client.get(f"/console/?{query}").status_code == 200, query
    assert rows(client.get("/console/?team=nope").content.decode()) == []


def test_orders_put_the_longest_wait_or_the_nearest_deadline_first(
    client, agent, open_conversations, desk
):
    from ventanilla.desks.services import add_request_type

    older, newer = open_conversations(2)
    urgent = add_request_type(desk=desk, by=None, slug="u", name="U", first_response_hours=1)
    services.classify(conversation=newer, by=agent, request_type=urgent)
    client.force_login(agent)
    assert rows(client.get("/console/?order=waiting").content.decode()) == [
        str(older.pk),
        str(newer.pk),
    ]
    assert rows(client.get("/console/?order=due").content.decode())[0] == str(newer.pk)


def test_the_longest_waits_carry_a_badge(client, agent, open_conversations):
    waiting = open_conversations(5)
    for answered in waiting[:1]:
        services.reply(conversation=answered, text="Hola", by=agent)
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    assert page.count('<span class="badge wait">Waiting longest</span>') == 1 + 3
    assert f"{waiting[1].reference} has waited" in page


def test_the_live_poll_answers_no_content_until_something_changes(
    client, agent, open_conversations, webchat, make_inbound
):
    (conversation,) = open_conversations(1)
    client.force_login(agent)
    first = client.get("/console/?live=1")
    version = re.search(r'data-version="([^"]+)"', first.content.decode()).group(1)
    assert client.get(f"/console/?live=1&v={version}").status_code == 204

    newcomer = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="new-visitor")
    ).message.conversation
    changed = client.get(f"/console/?live=1&v={version}")
    assert changed.status_code == 200 and newcomer.reference in changed.content.decode()
    version = re.search(r'data-version="([^"]+)"', changed.content.decode()).group(1)

    services.assign(conversation=conversation, assignee=agent, by=agent)  # a change in place
    assert client.get(f"/console/?live=1&v={version}").status_code == 200


def test_the_inbox_costs_the_same_queries_for_one_conversation_or_forty(
    client, agent, open_conversations, desk
):
    legal = Team.objects.create(desk=desk, slug="legal", name="Legal")
    client.force_login(agent)
    open_conversations(1)
    client.get("/console/")  # the session and the profile settle
    with CaptureQueriesContext(connection) as few:
        assert client.get("/console/").status_code == 200
    for conversation in open_conversations(39):
        services.transfer(conversation=conversation, team=legal, assignee=agent, by=agent)
        services.set_tags(conversation=conversation, names=["x"], by=agent)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/console/").status_code == 200
    assert len(many) == len(few) <= 25


def test_the_latest_handover_is_at_the_top_of_the_inbox(client, agent, open_conversations, desk):
    (conversation,) = open_conversations(1)
    teamwork.hand_over(desk=desk, by=agent, text="Old news", pending=[])
    teamwork.hand_over(
        desk=desk,
        by=agent,
        text="Two callbacks promised",
        pending=[teamwork.Pending(conversation, "Call back after 16:00")],
    )
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    assert "Two callbacks promised" in page and "Call back after 16:00" in page
    assert "Old news" not in page
    assert page.index("Two callbacks promised") < page.index("<h1>Inbox</h1>")


def test_an_analyst_sees_figures_and_no_conversation(client, analyst, open_conversations):
    (conversation,) = open_conversations(1)
    client.force_login(analyst)
    assert client.get("/console/").url == "/console/statistics/"
    figures = client.get("/console/statistics/")
    assert figures.status_code == 200
    page = figures.content.decode()
    assert conversation.reference not in page and conversation.contact.pseudonym not in page
    assert client.get("/console/?live=1").url == "/console/statistics/"
    assert client.get(f"/console/c/{conversation.pk}/history/").status_code == 403


def test_a_reference_finds_its_conversation_whatever_the_case(client, agent, open_conversations):
    first, _other = open_conversations(2)
    client.force_login(agent)
    found = client.get(f"/console/?q={first.reference.lower()}").content.decode()
    assert rows(found) == [str(first.pk)]


def test_a_word_search_keeps_the_latest_matches_and_says_when_there_are_more(
    agent, open_conversations
):
    from ventanilla.conversations.access import Filters, search_conversations, searched

    older, newer, newest = open_conversations(3, text="pasaporte caducado")
    open_conversations(1, text="otra cosa")
    filters, more = searched(agent, Filters(q="CADUCADO"), limit=2)
    assert more is True
    found = search_conversations(agent, filters).order_by("-pk")
    assert list(found) == [newest, newer]
    filters, more = searched(agent, Filters(q="caducado"), limit=3)
    assert more is False and set(search_conversations(agent, filters)) == {older, newer, newest}


def test_a_word_search_only_reads_the_desks_one_works_at(
    agent, open_conversations, other_desk, make_inbound
):
    from ventanilla.channels.services import create_channel
    from ventanilla.conversations.access import Filters, searched

    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    receive(channel=elsewhere, inbound=make_inbound(text="pasaporte caducado"))
    (mine,) = open_conversations(1, text="pasaporte caducado")
    filters, more = searched(agent, Filters(q="caducado"), limit=1)
    assert filters.among == (mine.pk,) and more is False


def test_a_live_update_brings_the_new_counts_of_the_filters(
    client, agent, open_conversations, webchat, make_inbound
):
    open_conversations(1)
    client.force_login(agent)
    first = client.get("/console/?live=1").content.decode()
    version = re.search(r'data-version="([^"]+)"', first).group(1)
    receive(channel=webchat, inbound=make_inbound(scheme="webchat", address="another"))
    changed = client.get(f"/console/?live=1&v={version}").content.decode()
    assert 'id="inbox-filters" class="filters" hx-swap-oob="true"' in changed
    assert count_of(changed, "Unassigned") == 2 and count_of(changed, "Open") == 2
    assert 'name="order"' in changed and "Waiting longest</option>" in changed


def test_a_search_is_not_polled(client, agent, open_conversations):
    open_conversations(1, text="pasaporte")
    client.force_login(agent)
    assert "live=1" in client.get("/console/").content.decode()
    assert "live=1" not in client.get("/console/?q=pasaporte").content.decode()
