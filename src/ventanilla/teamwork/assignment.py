"""Who takes new work: available staff of the conversation's team (else desk) who speak the
person's language and have room, least-loaded or in turn; and the work left waiting in a
queue, given out when an agent becomes available, and every minute.

Agents' loads are counted under a lock on their profiles, so that two conversations given
out at the same moment never take an agent past their capacity. Where a conversation goes
in the first place (rules, priority, interpretation) is triage's (ventanilla.triage.routing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbox import OPEN_WORK, QUEUE_ORDER
from ventanilla.conversations.models import Conversation, Status
from ventanilla.desks import services as desks
from ventanilla.desks.models import AgentProfile, Assignment, Desk
from ventanilla.desks.roles import Role
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify

AUTOMATIC = (Assignment.LEAST_LOADED, Assignment.ROUND_ROBIN)
NEVER = datetime.min.replace(tzinfo=UTC)
BATCH = 500  # conversations looked at per desk and pass; the next pass goes on


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
        .filter(
            Q(groups__name__in=[Role.AGENT, Role.VOLUNTEER]) | Q(agent_profile__takes_work=True)
        )
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


def give(conversation: Conversation, *, at: datetime) -> User | None:
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
            if give(conversation, at=now + timedelta(microseconds=given)):
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
