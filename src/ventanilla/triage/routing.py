"""Where new work goes: routing rules pick a team, urgent work is announced at once, and an
available agent who speaks the person's language is given it (ventanilla.teamwork.assignment).

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
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.conversations import services as conversations
from ventanilla.conversations.models import Conversation, Priority, Status
from ventanilla.desks.models import Desk, Team
from ventanilla.lib.errors import Conflict
from ventanilla.privacy.services import audit
from ventanilla.teamwork.assignment import covers, give, nobody_speaks
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, staff_of, supervisors_of
from ventanilla.triage.models import RoutingRule


@dataclass(frozen=True)
class Routed:
    """What routing decided for one conversation."""

    team: Team | None
    rule: RoutingRule | None
    assignee: User | None
    interpretation: bool
    notified: int


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
    assigned = give(conversation, at=now)
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
