"""Where new work goes: routing rules pick a team, urgent work is announced at once, and an
available agent who speaks the person's language is given it, least-loaded or in turn.

route(conversation)
  1. priority: the rule's, if it sets one; an urgent request type (rights violations,
     detention, abuse, medical emergencies) makes it urgent whatever the rule says
  2. team: the first active rule of the desk whose conditions all hold; none: unchanged
  3. interpretation: a language no member of staff of the desk speaks sends it to the
     desk's interpretation team (even over the rule's team) and flags it
  4. notifications: urgent work to every member of its team (none: the supervisors);
     a rule that says so tells its team of every conversation
  5. assignment, as the team (else the desk) says: manual leaves it in the team's queue;
     only staff who take work (`takers_of`) are given any

Agents' loads are counted under a lock on their profiles, so that two conversations routed
at the same moment never take an agent past their capacity. Work left in a queue is given
out by `assign_waiting` when an agent becomes available, and every minute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbox import OPEN_WORK, QUEUE_ORDER
from ventanilla.conversations.models import Conversation, Priority, RoutingRule, Status
from ventanilla.desks import services as desks
from ventanilla.desks.models import AgentProfile, Assignment, Desk, Team
from ventanilla.desks.roles import Role
from ventanilla.lib.errors import Conflict
from ventanilla.privacy.services import audit
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, staff_of, supervisors_of

AUTOMATIC = (Assignment.LEAST_LOADED, Assignment.ROUND_ROBIN)
NEVER = datetime.min.replace(tzinfo=UTC)
BATCH = 500  # conversations looked at per desk and pass; the next pass goes on


@dataclass(frozen=True)
class Routed:
    """What routing decided for one conversation."""

    team: Team | None
    rule: RoutingRule | None
    assignee: User | None
    interpretation: bool
    notified: int


# Languages


def primary(code: str) -> str:
    """The primary language subtag: "ar" of "ar-MA"."""
    return code.replace("_", "-").split("-")[0].casefold()


def covers(wanted: str, language: str) -> bool:
    """Whether a rule's language takes in the conversation's: "ar" takes "ar" and "ar-MA",
    "ar-MA" takes "ar-MA" only (RFC 4647 basic filtering)."""
    wanted, language = wanted.replace("_", "-").casefold(), language.replace("_", "-").casefold()
    return language == wanted or language.startswith(f"{wanted}-")


def speaks(languages: Iterable[str], language: str) -> bool:
    """Whether someone listing `languages` speaks `language` (same primary subtag)."""
    return any(primary(spoken) == primary(language) for spoken in languages)


def nobody_speaks(desk: Desk, language: str) -> bool:
    """Whether no active member of staff of the desk lists the language."""
    spoken = AgentProfile.objects.filter(desks=desk, user__is_active=True).values_list(
        "languages", flat=True
    )
    return not any(speaks(languages, language) for languages in spoken)


# Rules


def matches(rule: RoutingRule, conversation: Conversation) -> bool:
    """Whether each of the rule's conditions holds (an empty one always does)."""
    return (
        (rule.request_type_id is None or rule.request_type_id == conversation.request_type_id)
        and (not rule.topic or rule.topic.casefold() == conversation.topic.casefold())
        and (not rule.language or covers(rule.language, conversation.language))
        and (rule.channel_id is None or rule.channel_id == conversation.channel_id)
    )


def rule_for(conversation: Conversation) -> RoutingRule | None:
    """The first active rule of the conversation's desk (by position) that matches it."""
    rules = (
        RoutingRule.objects.filter(
            desk=conversation.desk_id, active=True, team__desk=conversation.desk_id
        )
        .select_related("team")
        .order_by("position", "id")
    )
    return next((rule for rule in rules if matches(rule, conversation)), None)


def interpretation_team(desk: Desk) -> Team | None:
    return desk.teams.filter(interpretation=True).order_by("pk").first()


# Assignment


def assignment_of(conversation: Conversation) -> str:
    """How the conversation's work is given out: its team's way, else its desk's."""
    team = conversation.team
    return team.assignment if team is not None and team.assignment else conversation.desk.assignment


def takers_of(desk: Desk | int) -> QuerySet[Any]:
    """Active staff of the desk who may be given its conversations: its agents, and its
    supervisors and administrators whose profile says they take work. Analysts, and
    administrators who work at no desk, never are."""
    return (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__desks=desk)
        .filter(Q(groups__name=Role.AGENT) | Q(agent_profile__takes_work=True))
        .filter(
            Q(groups__permissions__codename="reply_conversation")
            | Q(user_permissions__codename="reply_conversation")
            | Q(is_superuser=True)
        )
        .distinct()
    )


def loads_of(user_ids: Sequence[int]) -> dict[int, int]:
    """How many open or pending conversations each of these people has, at any desk."""
    return dict(
        Conversation.objects.filter(assignee__in=user_ids, status__in=OPEN_WORK)
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )


def _candidates(conversation: Conversation) -> tuple[list[AgentProfile], dict[int, int]]:
    """Available staff of the conversation's team (else desk) who can take it, locked.

    The lock on their profiles is held until the transaction ends: a second routing that
    wants the same people waits, then counts the load this one gave them.
    """
    found = AgentProfile.objects.filter(
        available=True, desks=conversation.desk_id, user__in=takers_of(conversation.desk_id)
    )
    if conversation.team_id is not None:
        found = found.filter(teams=conversation.team_id)
    profiles = list(found.select_for_update(of=("self",)).select_related("user").order_by("pk"))
    # Flagged for interpretation: nobody speaks it, so the team works through interpreters.
    if conversation.language and not conversation.interpretation:
        profiles = [p for p in profiles if speaks(p.languages, conversation.language)]
    loads = loads_of([p.user_id for p in profiles])
    return [p for p in profiles if loads.get(p.user_id, 0) < p.capacity], loads


def choose(
    profiles: Sequence[AgentProfile], loads: dict[int, int], way: str
) -> AgentProfile | None:
    """Least-loaded: the fewest open conversations, then whoever waited longest for work
    (never given any: first). Round-robin: whoever waited longest for work."""

    def turn(p: AgentProfile) -> tuple[bool, datetime, int]:
        return (p.last_assigned_at is not None, p.last_assigned_at or NEVER, p.pk)

    if way == Assignment.LEAST_LOADED:
        return min(profiles, key=lambda p: (loads.get(p.user_id, 0), *turn(p)), default=None)
    return min(profiles, key=turn, default=None)


def _give(conversation: Conversation, *, at: datetime) -> User | None:
    """Assign an open, unassigned conversation as its team or desk says; notify the agent."""
    way = assignment_of(conversation)
    if way not in AUTOMATIC or conversation.assignee_id or conversation.status != Status.OPEN:
        return None
    profiles, loads = _candidates(conversation)
    chosen = choose(profiles, loads, way)
    if chosen is None:
        return None
    conversations.assign(conversation=conversation, assignee=chosen.user, by=None)
    notify([chosen.user], kind=NotificationKind.ASSIGNMENT, conversation=conversation, actor=None)
    chosen.last_assigned_at = at
    chosen.save(update_fields=["last_assigned_at"])
    return chosen.user


# Routing


def _members(desk: Desk, team: Team) -> list[User]:
    return list(staff_of(desk).filter(agent_profile__teams=team))


def _to_notify(
    conversation: Conversation, rule: RoutingRule | None, team: Team | None
) -> dict[int, User]:
    """Urgent work: every member of its team, and of the rule's team if interpretation took
    it elsewhere (the specialists must know at once); the supervisors when that is nobody.
    A rule with `notify`: its team."""
    desk = conversation.desk
    found: list[User] = []
    if conversation.priority == Priority.URGENT:
        for chosen in {t.pk: t for t in (team, rule.team if rule else None) if t}.values():
            found += _members(desk, chosen)
        if not found:
            found = list(supervisors_of(desk))
    if rule is not None and rule.notify:
        found += _members(desk, rule.team)
    return {user.pk: user for user in found}


@transaction.atomic
def route(*, conversation: Conversation, by: User | None = None) -> Routed:
    """Send the conversation to its team, set its priority and interpretation flag, tell
    whoever must know, and give it to an agent when its team (or desk) assigns work.

    Without a matching rule the team stays as it is. A conversation already assigned keeps
    its assignee. Routing it again notifies only when its team changed or it became urgent.
    """
    conversation.refresh_from_db(from_queryset=Conversation.objects.select_for_update())
    if conversation.status == Status.CLOSED:
        raise Conflict("the conversation is closed")
    desk = conversation.desk
    now = timezone.now()
    before = (conversation.routed_at, conversation.team_id, conversation.priority)

    rule = rule_for(conversation)
    team = rule.team if rule is not None else conversation.team
    priority = rule.priority if rule is not None and rule.priority else conversation.priority
    if conversation.request_type is not None and conversation.request_type.urgent:
        priority = Priority.URGENT  # a rule never makes such a case wait its turn
    needs_interpretation = bool(conversation.language) and nobody_speaks(
        desk, conversation.language
    )
    if needs_interpretation:
        team = interpretation_team(desk) or team

    if (team.pk if team else None) != conversation.team_id:
        conversations.transfer(
            conversation=conversation, team=team, assignee=conversation.assignee, by=by
        )
    if priority != conversation.priority:
        conversations.classify(conversation=conversation, by=by, priority=priority)
    conversation.interpretation = needs_interpretation
    conversation.routed_at = now
    conversations.save_changes(conversation, ["interpretation", "routed_at"])

    news = (
        before[0] is None
        or before[1] != conversation.team_id
        or (priority == Priority.URGENT and before[2] != Priority.URGENT)
    )
    recipients = _to_notify(conversation, rule, team) if news else {}
    urgent = conversation.priority == Priority.URGENT
    kind = NotificationKind.URGENT if urgent else NotificationKind.TEAM
    told = notify(recipients.values(), kind=kind, conversation=conversation, actor=by)
    assigned = _give(conversation, at=now)
    audit(
        actor=by,
        action="conversation.route",
        target=conversation,
        rule=rule.pk if rule else None,
        team=team.slug if team else None,
        priority=conversation.priority,
        interpretation=needs_interpretation,
        assignee=assigned.get_username() if assigned else None,
        notified=len(told),
    )
    return Routed(
        team=team,
        rule=rule,
        assignee=conversation.assignee,
        interpretation=needs_interpretation,
        notified=len(told),
    )


# Waiting work


def waiting(desk: Desk) -> QuerySet[Conversation]:
    """Routed, open, unassigned conversations of the desk that are given out automatically,
    in queue order. Pending ones wait for the person, not for an agent: they join when the
    person writes and they are open again."""
    automatic = Q(team__assignment__in=AUTOMATIC)
    if desk.assignment in AUTOMATIC:
        automatic |= Q(team__isnull=True) | Q(team__assignment="")
    return (
        Conversation.objects.filter(
            desk=desk, status=Status.OPEN, assignee__isnull=True, routed_at__isnull=False
        )
        .filter(automatic)
        .order_by(*QUEUE_ORDER)
    )


def assign_waiting(*, desk: Desk, now: datetime | None = None) -> int:
    """Give the desk's waiting work to available agents, most pressing first; returns how
    many conversations were given. Each one is given in a transaction of its own."""
    now = now or timezone.now()
    given = 0
    full: set[tuple[int | None, str]] = set()  # queues nobody can take more from this pass
    for pk in list(waiting(desk).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update()
                .filter(pk=pk, status=Status.OPEN, assignee__isnull=True)
                .first()
            )
            if conversation is None:
                continue
            language = "" if conversation.interpretation else primary(conversation.language)
            queue = (conversation.team_id, language)
            if queue in full:
                continue
            # A microsecond apart, so that round-robin turns hold within one pass.
            if _give(conversation, at=now + timedelta(microseconds=given)):
                given += 1
            else:
                full.add(queue)
    return given


def desks_with_assignment() -> QuerySet[Desk]:
    """Desks that give out work automatically, themselves or through one of their teams."""
    return Desk.objects.filter(
        Q(assignment__in=AUTOMATIC) | Q(teams__assignment__in=AUTOMATIC)
    ).distinct()


@transaction.atomic
def set_availability(*, user: User, available: bool) -> AgentProfile:
    """Mark oneself available or away; someone who becomes available is given the waiting
    work of their desks once this commits."""
    profile = desks.set_availability(user=user, available=available)
    if available:
        desk_ids = list(desks_with_assignment().filter(staff=profile).values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue_assign_waiting(desk_ids))
    return profile


def _enqueue_assign_waiting(desk_ids: list[int]) -> None:
    from ventanilla.teamwork.tasks import assign_waiting_at  # tasks import this module

    for desk_id in desk_ids:
        assign_waiting_at(desk_id)
