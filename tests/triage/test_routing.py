"""Routing: rules send conversations to teams, urgent work is announced at once, a language
nobody speaks goes to interpretation, and available agents who speak it are given the work."""

import queue
import re
from datetime import timedelta

import pytest
from django.db import connection  # noqa: F401 (read by the skipif conditions)
from django.urls import Resolver404, resolve
from django.utils import timezone

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation, Priority, Status
from ventanilla.desks.models import AgentProfile, Assignment, RequestType, Team
from ventanilla.lib.errors import Conflict
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork import assignment, tasks
from ventanilla.teamwork.models import Notification, NotificationKind
from ventanilla.triage import routing
from ventanilla.triage.models import RoutingRule

_addresses = iter(range(100, 10_000))


@pytest.fixture
def converse(webchat, make_inbound):
    """A new open conversation, classified as given."""

    def make(channel=None, **classification):
        address = f"+4477009{next(_addresses):05d}"
        conversation = receive(
            channel=channel or webchat, inbound=make_inbound(address=address)
        ).message.conversation
        classification.setdefault("language", "")
        conversations.classify(conversation=conversation, by=None, **classification)
        return conversation

    return make


@pytest.fixture
def team(desk):
    def make(slug, **fields):
        return Team.objects.create(desk=desk, slug=slug, name=slug.title(), **fields)

    return make


@pytest.fixture
def rule(desk):
    def make(team, **fields):
        fields.setdefault("name", f"to {team.slug}")
        return RoutingRule.objects.create(desk=desk, team=team, **fields)

    return make


@pytest.fixture
def staffer(make_staff):
    """An agent who speaks these languages, in these teams."""

    def make(username, languages=("es",), teams=(), **profile):
        user = make_staff("agent", username)
        found = AgentProfile.objects.get(user=user)
        found.languages = list(languages)
        for field, value in profile.items():
            setattr(found, field, value)
        found.save()
        found.teams.set(teams)
        return user

    return make


@pytest.fixture
def urgent_type(desk):
    return RequestType.objects.create(desk=desk, slug="detention", name="Detention", urgent=True)


def assigned_to(conversation):
    conversation.refresh_from_db()
    return conversation.assignee.get_username() if conversation.assignee else None


# Rules


def test_a_rule_on_the_request_type_sends_matching_conversations_to_its_team(
    desk, converse, team, rule
):
    legal = team("legal")
    asylum = RequestType.objects.create(desk=desk, slug="asylum", name="Asylum")
    chosen = rule(legal, request_type=asylum)
    matching, other = converse(request_type=asylum), converse()

    routed = routing.route(conversation=matching)

    assert (routed.team, routed.rule) == (legal, chosen)
    assert matching.team == legal and matching.routed_at is not None
    assert routing.route(conversation=other).team is None


def test_a_rule_on_the_topic_matches_whatever_the_case(converse, team, rule):
    family = team("family")
    rule(family, topic="Reunification")
    assert routing.route(conversation=converse(topic="reunification")).team == family
    assert routing.route(conversation=converse(topic="visas")).team is None


def test_a_rule_on_a_language_takes_in_its_regional_variants(converse, team, rule, staffer):
    staffer("amina", languages=["ar", "es"])
    arabic, moroccan = team("arabic"), team("moroccan")
    rule(moroccan, language="ar-MA", position=1)
    rule(arabic, language="ar", position=2)

    assert routing.route(conversation=converse(language="ar-MA")).team == moroccan
    assert routing.route(conversation=converse(language="ar-EG")).team == arabic
    assert routing.route(conversation=converse(language="ar")).team == arabic
    assert routing.route(conversation=converse(language="es")).team is None


def test_a_rule_on_the_channel_takes_only_that_channels_conversations(desk, converse, team, rule):
    whatsapp_team = team("whatsapp")
    other_chat = create_channel(desk=desk, type="webchat", name="Chat 2", config={}, by=None)
    rule(whatsapp_team, channel=other_chat)
    assert routing.route(conversation=converse(channel=other_chat)).team == whatsapp_team
    assert routing.route(conversation=converse()).team is None


def test_every_condition_of_a_rule_must_hold(desk, converse, team, rule, staffer):
    staffer("amina", languages=["ar"])
    legal = team("legal")
    asylum = RequestType.objects.create(desk=desk, slug="asylum", name="Asylum")
    rule(legal, request_type=asylum, language="ar")
    assert routing.route(conversation=converse(request_type=asylum, language="ar")).team == legal
    assert routing.route(conversation=converse(request_type=asylum)).team is None
    assert routing.route(conversation=converse(language="ar")).team is None


def test_the_first_matching_rule_by_position_wins(converse, team, rule):
    first, second = team("first"), team("second")
    rule(second, topic="work", position=2)
    rule(first, topic="work", position=1)
    assert routing.route(conversation=converse(topic="work")).team == first


def test_an_inactive_rule_is_ignored(converse, team, rule):
    rule(team("legal"), topic="work", active=False)
    fallback = rule(team("general"), topic="work", position=5)
    assert routing.route(conversation=converse(topic="work")).rule == fallback


def test_without_a_matching_rule_the_conversation_stays_in_the_general_queue(converse):
    conversation = converse(topic="anything")
    routed = routing.route(conversation=conversation)
    assert (routed.team, routed.rule, routed.assignee, routed.notified) == (None, None, None, 0)
    conversation.refresh_from_db()
    assert conversation.team is None and conversation.routed_at is not None
    entry = AuditEntry.objects.get(action="conversation.route")
    assert entry.detail == {
        "rule": None,
        "team": None,
        "priority": "normal",
        "interpretation": False,
        "assignee": None,
        "notified": 0,
    }


def test_a_rule_sets_its_priority(converse, team, rule):
    rule(team("legal"), topic="deportation", priority=Priority.HIGH)
    conversation = converse(topic="deportation")
    routing.route(conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.priority == Priority.HIGH


# Urgent work


def test_an_urgent_request_type_jumps_the_queue_and_its_team_is_told_at_once(
    converse, team, rule, staffer, urgent_type
):
    protection = team("protection")
    rule(protection, request_type=urgent_type)
    lawyers = [staffer("lawyer-1", teams=[protection]), staffer("lawyer-2", teams=[protection])]
    staffer("bystander")
    conversation = converse(request_type=urgent_type)

    routed = routing.route(conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.priority == Priority.URGENT and conversation.team == protection
    urgent = Notification.objects.filter(kind=NotificationKind.URGENT)
    assert sorted(n.recipient.username for n in urgent) == [u.username for u in lawyers]
    assert routed.notified == 2


def test_a_rule_never_lowers_an_urgent_request_type(converse, team, rule, urgent_type):
    rule(team("general"), request_type=urgent_type, priority=Priority.LOW)
    conversation = converse(request_type=urgent_type)
    routing.route(conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.priority == Priority.URGENT


def test_urgent_work_without_a_team_is_told_to_the_supervisors(
    converse, urgent_type, supervisor, agent
):
    routing.route(conversation=converse(request_type=urgent_type))
    told = Notification.objects.get(kind=NotificationKind.URGENT)
    assert told.recipient == supervisor and told.actor is None


def test_urgent_work_for_a_team_nobody_is_in_is_told_to_the_supervisors(
    converse, team, rule, urgent_type, supervisor
):
    rule(team("empty"), request_type=urgent_type)
    routing.route(conversation=converse(request_type=urgent_type))
    assert Notification.objects.get(kind=NotificationKind.URGENT).recipient == supervisor


def test_a_rule_that_says_so_tells_its_team_of_every_conversation(converse, team, rule, staffer):
    family = team("family")
    rule(family, topic="family", notify=True)
    member = staffer("member", teams=[family])
    conversation = converse(topic="family")
    routing.route(conversation=conversation)
    told = Notification.objects.get()
    assert (told.recipient, told.kind, told.conversation) == (member, "team", conversation)
    conversation.refresh_from_db()
    assert conversation.priority == Priority.NORMAL


def test_routing_again_tells_nobody_twice(converse, team, rule, staffer, urgent_type):
    protection = team("protection")
    rule(protection, request_type=urgent_type)
    staffer("lawyer", teams=[protection])
    conversation = converse(request_type=urgent_type)
    routing.route(conversation=conversation)
    routing.route(conversation=conversation)
    assert Notification.objects.filter(kind=NotificationKind.URGENT).count() == 1


def test_a_conversation_that_becomes_urgent_is_announced_when_routed_again(
    converse, team, rule, staffer, urgent_type
):
    protection = team("protection")
    rule(protection, topic="work")
    staffer("lawyer", teams=[protection])
    conversation = converse(topic="work")
    routing.route(conversation=conversation)
    conversations.classify(conversation=conversation, by=None, request_type=urgent_type)
    routing.route(conversation=conversation)
    assert Notification.objects.filter(kind=NotificationKind.URGENT).count() == 1


# Interpretation


def test_a_language_nobody_speaks_goes_to_interpretation_and_is_flagged(
    converse, team, rule, staffer
):
    staffer("lucia", languages=["es", "fr"])
    interpreters = team("interpreters", interpretation=True)
    rule(team("legal"), topic="work")  # interpretation wins over the rule's team
    conversation = converse(language="ti", topic="work")

    routed = routing.route(conversation=conversation)

    conversation.refresh_from_db()
    assert routed.interpretation and conversation.interpretation
    assert routed.team == conversation.team == interpreters
    assert AuditEntry.objects.get(action="conversation.route").detail["interpretation"] is True


def test_a_language_someone_speaks_is_not_flagged(converse, team, staffer):
    staffer("amina", languages=["ar"])
    team("interpreters", interpretation=True)
    conversation = converse(language="ar-MA")
    routed = routing.route(conversation=conversation)
    conversation.refresh_from_db()
    assert not routed.interpretation and not conversation.interpretation
    assert conversation.team is None


def test_without_an_interpretation_team_the_conversation_is_still_flagged(converse, staffer):
    staffer("lucia", languages=["es"])
    conversation = converse(language="ti")
    routing.route(conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.interpretation and conversation.team is None


def test_the_interpretation_team_gets_its_work_whatever_its_members_speak(converse, team, staffer):
    interpreters = team("interpreters", interpretation=True, assignment=Assignment.LEAST_LOADED)
    staffer("coordinator", languages=["en"], teams=[interpreters])
    routed = routing.route(conversation=converse(language="ti"))
    assert routed.assignee.username == "coordinator"


def test_urgent_work_sent_to_interpretation_is_told_to_the_specialists_too(
    converse, team, rule, staffer, urgent_type
):
    interpreters = team("interpreters", interpretation=True)
    protection = team("protection")
    rule(protection, request_type=urgent_type)
    staffer("interpreter", languages=["en"], teams=[interpreters])
    staffer("lawyer", languages=["es"], teams=[protection])
    routing.route(conversation=converse(request_type=urgent_type, language="ti"))
    told = Notification.objects.filter(kind=NotificationKind.URGENT)
    assert sorted(n.recipient.username for n in told) == ["interpreter", "lawyer"]


# Automatic assignment


@pytest.fixture
def least_loaded(desk):
    desk.assignment = Assignment.LEAST_LOADED
    desk.save()
    return desk


@pytest.fixture
def round_robin(desk):
    desk.assignment = Assignment.ROUND_ROBIN
    desk.save()
    return desk


def give(conversation, assignee):
    conversations.assign(conversation=conversation, assignee=assignee, by=None)


def test_least_loaded_gives_work_to_whoever_has_the_fewest_open_conversations(
    least_loaded, converse, staffer
):
    busy, free = staffer("busy"), staffer("free")
    give(converse(), busy)
    give(converse(), free)
    give(converse(), busy)
    done = converse()
    give(done, free)
    conversations.close(conversation=done, by=None)  # closed work is no load

    conversation = converse(language="es")
    routed = routing.route(conversation=conversation)

    assert routed.assignee == free and assigned_to(conversation) == "free"
    told = Notification.objects.get(kind=NotificationKind.ASSIGNMENT)
    assert (told.recipient, told.actor) == (free, None)
    assert AgentProfile.objects.get(user=free).last_assigned_at is not None
    assert AuditEntry.objects.get(action="conversation.route").detail["assignee"] == "free"


def test_pending_work_counts_towards_the_load(least_loaded, converse, staffer):
    waiting_on_person, free = staffer("waiting"), staffer("free")
    pending = converse()
    give(pending, waiting_on_person)
    conversations.wait_for_person(conversation=pending, by=None)
    assert routing.route(conversation=converse()).assignee == free


def test_nobody_is_given_more_than_their_capacity(least_loaded, converse, staffer):
    full = staffer("full", capacity=1)
    give(converse(), full)
    conversation = converse()
    routed = routing.route(conversation=conversation)
    assert routed.assignee is None and assigned_to(conversation) is None
    assert routed.team is None and conversation.routed_at is not None  # waits in the queue


def test_away_staff_get_no_new_work(least_loaded, converse, staffer):
    staffer("away", available=False)
    assert routing.route(conversation=converse()).assignee is None


def test_work_goes_only_to_someone_who_speaks_the_language(least_loaded, converse, staffer):
    staffer("lucia", languages=["es"])
    staffer("amina", languages=["ar"])
    assert routing.route(conversation=converse(language="ar-MA")).assignee.username == "amina"
    assert routing.route(conversation=converse(language="es")).assignee.username == "lucia"


def test_with_equal_loads_whoever_waited_longest_for_work_gets_it(least_loaded, converse, staffer):
    recent, earlier = staffer("recent"), staffer("earlier")
    now = timezone.now()
    AgentProfile.objects.filter(user=recent).update(last_assigned_at=now)
    AgentProfile.objects.filter(user=earlier).update(last_assigned_at=now - timedelta(hours=1))
    assert routing.route(conversation=converse()).assignee == earlier
    staffer("newcomer")  # never given work: first in line
    assert routing.route(conversation=converse()).assignee.username == "newcomer"


def test_work_goes_only_to_members_of_the_conversations_team(
    least_loaded, converse, team, rule, staffer
):
    legal = team("legal")
    rule(legal, topic="work")
    staffer("outsider")
    lawyer = staffer("lawyer", teams=[legal])
    give(converse(), lawyer)
    assert routing.route(conversation=converse(topic="work")).assignee == lawyer


def test_round_robin_gives_work_to_each_agent_in_turn(round_robin, converse, staffer):
    first, second, third = staffer("first"), staffer("second"), staffer("third")
    give(converse(), second)  # loads do not matter, turns do
    routed = [routing.route(conversation=converse()).assignee for _ in range(5)]
    assert routed == [first, second, third, first, second]


def test_a_teams_way_of_assigning_overrides_the_desks(least_loaded, converse, team, rule, staffer):
    manual = team("manual", assignment=Assignment.MANUAL)
    rule(manual, topic="queue")
    staffer("lucia", teams=[manual])
    assert routing.route(conversation=converse(topic="queue")).assignee is None
    assert routing.route(conversation=converse(topic="other")).assignee.username == "lucia"


def test_manual_assignment_leaves_the_work_in_the_queue(desk, converse, staffer):
    assert desk.assignment == Assignment.MANUAL
    staffer("lucia")
    conversation = converse()
    assert routing.route(conversation=conversation).assignee is None
    assert assigned_to(conversation) is None
    assert not Notification.objects.exists()


def test_an_assigned_conversation_keeps_its_assignee(least_loaded, converse, team, rule, staffer):
    legal = team("legal")
    rule(legal, topic="work", priority=Priority.HIGH)
    lucia, staffer_in_team = staffer("lucia"), staffer("lawyer", teams=[legal])
    conversation = converse(topic="work")
    give(conversation, lucia)

    routed = routing.route(conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.assignee == lucia and routed.assignee == lucia
    assert conversation.team == legal and conversation.priority == Priority.HIGH
    assert not Notification.objects.filter(recipient=staffer_in_team).exists()


def test_a_closed_conversation_is_not_routed(converse):
    conversation = converse()
    conversations.close(conversation=conversation, by=None)
    with pytest.raises(Conflict):
        routing.route(conversation=conversation)


# Waiting work


def test_waiting_work_goes_out_most_urgent_first_then_by_deadline(
    desk, converse, staffer, urgent_type
):
    older = converse()
    later_deadline, earlier_deadline = converse(), converse()
    urgent = converse(request_type=urgent_type)
    for conversation in (older, later_deadline, earlier_deadline, urgent):
        routing.route(conversation=conversation)  # the desk assigns by hand: all wait
    now = timezone.now()
    Conversation.objects.filter(pk=older.pk).update(due_at=None)
    Conversation.objects.filter(pk=later_deadline.pk).update(due_at=now + timedelta(hours=5))
    Conversation.objects.filter(pk=earlier_deadline.pk).update(due_at=now + timedelta(hours=1))
    desk.assignment = Assignment.ROUND_ROBIN
    desk.save()
    staffer("lucia", capacity=3)

    assert assignment.assign_waiting(desk=desk) == 3

    assert [assigned_to(c) for c in (urgent, earlier_deadline, later_deadline, older)] == [
        "lucia",
        "lucia",
        "lucia",
        None,
    ]


def test_the_queue_order_puts_priority_before_deadlines_and_deadlines_before_waits(
    desk, converse, urgent_type
):
    normal, urgent = converse(), converse(request_type=urgent_type)
    low = converse(priority=Priority.LOW)
    due_soon = converse()
    Conversation.objects.filter(pk=due_soon.pk).update(due_at=timezone.now())
    Conversation.objects.filter(pk=normal.pk).update(due_at=None)
    for conversation in (normal, urgent, low, due_soon):
        routing.route(conversation=conversation)
    desk.assignment = Assignment.LEAST_LOADED
    desk.save()
    assert list(assignment.waiting(desk)) == [urgent, due_soon, normal, low]


def test_waiting_work_respects_language_capacity_and_unrouted_conversations(
    least_loaded, converse, staffer
):
    staffer("amina", languages=["ar"], available=False)
    lucia = staffer("lucia", languages=["es"], available=False, capacity=1)
    never_routed = converse(language="es")
    arabic, spanish, second = converse(language="ar"), converse(language="es"), converse()
    for conversation in (arabic, spanish, second):
        routing.route(conversation=conversation)
    AgentProfile.objects.filter(user=lucia).update(available=True)

    assert assignment.assign_waiting(desk=least_loaded) == 1

    found = [assigned_to(c) for c in (never_routed, arabic, spanish, second)]
    assert found == [None, None, "lucia", None]


def test_pending_work_is_not_given_out(desk, converse, staffer):
    conversation = converse()
    routing.route(conversation=conversation)
    conversations.wait_for_person(conversation=conversation, by=None)
    desk.assignment = Assignment.LEAST_LOADED
    desk.save()
    staffer("lucia")
    assert assignment.assign_waiting(desk=desk) == 0


def test_becoming_available_pulls_waiting_work(
    client, least_loaded, converse, staffer, django_capture_on_commit_callbacks
):
    lucia = staffer("lucia", available=False)
    conversation = converse()
    routing.route(conversation=conversation)
    assert assigned_to(conversation) is None
    client.force_login(lucia)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/console/me/availability/", {"available": "1"})

    assert assigned_to(conversation) == "lucia"
    assert AgentProfile.objects.get(user=lucia).available is True


def test_the_periodic_pass_gives_out_the_waiting_work_of_every_desk_that_assigns(
    desk, converse, team, rule, staffer
):
    legal = team("legal", assignment=Assignment.ROUND_ROBIN)
    rule(legal, topic="work")
    queued, by_hand = converse(topic="work"), converse()
    for conversation in (queued, by_hand):
        routing.route(conversation=conversation)
    staffer("lawyer", teams=[legal])

    tasks.assign_waiting_work.call_local()

    assert [assigned_to(queued), assigned_to(by_hand)] == ["lawyer", None]


# The console and the API


def test_a_teams_queue_reads_in_queue_order_in_the_inbox(
    client, agent, converse, team, rule, urgent_type
):
    legal = team("legal")
    rule(legal, topic="work")
    normal, urgent = converse(topic="work"), converse(topic="work", request_type=urgent_type)
    for conversation in (normal, urgent):
        routing.route(conversation=conversation)
    client.force_login(agent)

    page = client.get("/console/", {"team": "legal"}).content.decode()

    assert re.findall(r'data-row="(\d+)"', page) == [str(urgent.pk), str(normal.pk)]
    assert '<option value="queue" selected>' in page
    assert '<option value="recent" selected>' in client.get("/console/").content.decode()


def _api_registered():
    try:
        resolve("/api/v1/me/availability")
    except Resolver404:
        return False
    return True


@pytest.mark.skipif("not _api_registered()", reason="api/app.py does not mount it yet")
def test_agents_set_their_availability_through_the_api(
    api_as, least_loaded, converse, staffer, django_capture_on_commit_callbacks
):
    lucia = staffer("lucia", available=False, capacity=3)
    conversation = converse()
    routing.route(conversation=conversation)
    api = api_as(lucia)
    assert api.get("/api/v1/me/availability").json() == {
        "available": False,
        "capacity": 3,
        "languages": ["es"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.client.put(
            "/api/v1/me/availability",
            '{"available": true}',
            content_type="application/json",
            headers=api.headers,
        )
    assert answer.status_code == 200 and answer.json()["available"] is True
    assert assigned_to(conversation) == "lucia"


def test_the_admin_lists_routing_rules_and_refuses_another_desks_team(
    client, administrator, desk, other_desk, team, rule
):
    rule(team("legal"), topic="work", language="ar")
    foreign = Team.objects.create(desk=other_desk, slug="foreign", name="Foreign")
    client.force_login(administrator)
    listing = client.get("/admin/triage/routingrule/")
    assert listing.status_code == 200 and "topic: work; language: ar" in listing.content.decode()

    refused = client.post(
        "/admin/triage/routingrule/add/",
        {"desk": desk.pk, "position": 0, "name": "x", "team": foreign.pk, "priority": ""},
    )
    assert refused.status_code == 200 and RoutingRule.objects.count() == 1


# Two routings at once


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_conversations_routed_at_once_never_take_an_agent_past_capacity(
    desk, make_inbound, make_staff, concurrently
):
    desk.assignment = Assignment.LEAST_LOADED
    desk.save()
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    lucia = make_staff("agent", "lucia")
    AgentProfile.objects.filter(user=lucia).update(capacity=2)
    pending = queue.Queue()
    for n in range(4):
        inbound = make_inbound(address=f"visitor-{n}", scheme="webchat")
        pending.put(receive(channel=channel, inbound=inbound).message.conversation.pk)

    concurrently(
        lambda: routing.route(conversation=Conversation.objects.get(pk=pending.get_nowait()))
    )

    assert Conversation.objects.filter(assignee=lucia, status=Status.OPEN).count() == 2
    assert Conversation.objects.filter(routed_at__isnull=False).count() == 4
