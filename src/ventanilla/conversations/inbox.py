"""The inbox's reads: orderings, counts per filter, the longest waits, what live views
watch, and the supervisors' overview. Everything starts from `conversations_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from ventanilla.channels.models import Channel, Delivery
from ventanilla.conversations.access import (
    Filters,
    conversations_visible_to,
    is_volunteer,
    search_conversations,
)
from ventanilla.conversations.models import Conversation, Direction, Message, Priority, Status
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.names import name_in

PRIORITY_RANK = Case(
    When(priority=Priority.URGENT, then=0),
    When(priority=Priority.HIGH, then=1),
    When(priority=Priority.LOW, then=3),
    default=2,
    output_field=IntegerField(),
)
# A team's queue: the most pressing first, then the nearest service-level deadline, then
# whoever has waited longest.
QUEUE_ORDER = (
    PRIORITY_RANK.asc(),
    F("due_at").asc(nulls_last=True),
    Coalesce("waiting_since", "created_at").asc(),
    "id",
)
ORDERS: dict[str, tuple[Any, ...]] = {
    "recent": ("-last_message_at", "-id"),
    "waiting": (F("waiting_since").asc(nulls_last=True), "id"),
    "due": (F("due_at").asc(nulls_last=True), "id"),
    "queue": QUEUE_ORDER,
}
OPEN_WORK = (Status.OPEN, Status.PENDING)


def ordered(found: QuerySet[Conversation], order: str) -> QuerySet[Conversation]:
    return found.order_by(*ORDERS.get(order, ORDERS["recent"]))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int


def _counted(rows: Any, value: str, label: str, names: str = "") -> list[Choice]:
    """Choices labelled in the reader's language where the rows have `names` (teams...)."""
    language = get_language()
    return [
        Choice(
            str(row[value] or "none"),
            name_in(str(row[label] or ""), row[names] if names else None, language),
            row["n"],
        )
        for row in rows
        if row["n"]
    ]


def facets(user: Any, filters: Filters) -> dict[str, list[Choice]]:
    """For each filter, its choices with how many conversations each would show."""

    def over(field: str) -> QuerySet[Conversation]:
        return search_conversations(user, filters.without(field)).order_by()

    assigned = over("assignee").aggregate(
        all=Count("id"),
        mine=Count("id", filter=Q(assignee=user)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    every_status = over("status")
    return {
        # One count per status uses the (desk, status, ...) indexes; a GROUP BY reads them all.
        "status": [
            Choice(status, status, every_status.filter(status=status).count())
            for status in Status.values
        ],
        "assignee": [Choice(key, key, assigned[key]) for key in ("all", "mine", "unassigned")],
        "team": _counted(
            over("team")
            .values("team__slug", "team__name", "team__names")
            .annotate(n=Count("id"))
            .order_by("team__name"),
            "team__slug",
            "team__name",
            "team__names",
        ),
        "language": _counted(
            over("language").values("language").annotate(n=Count("id")).order_by("language"),
            "language",
            "language",
        ),
        "channel": _counted(
            over("channel")
            .values("channel", "channel__name")
            .annotate(n=Count("id"))
            .order_by("channel__name"),
            "channel",
            "channel__name",
        ),
        "request_type": _counted(
            over("request_type")
            .values("request_type__slug", "request_type__name", "request_type__names")
            .annotate(n=Count("id"))
            .order_by("request_type__name"),
            "request_type__slug",
            "request_type__name",
            "request_type__names",
        ),
    }


def page_of(found: QuerySet[Conversation], page: Any) -> list[Conversation]:
    """The rows of one page of `found`, whose object_list holds their ids.

    Ordering and slicing ids alone lets the database walk an index; joining the rows'
    desk, channel, contact... for 50 ids afterwards is cheap, where joining them for every
    open conversation before sorting was not."""
    ids = list(page.object_list)
    rows = {c.pk: c for c in found.filter(pk__in=ids).prefetch_related(None)}
    return [rows[pk] for pk in ids if pk in rows]


def longest_waiting(user: Any, limit: int = 3) -> list[Conversation]:
    """The open conversations whose person has waited longest for an answer."""
    return list(
        conversations_visible_to(user)
        .filter(status=Status.OPEN, waiting_since__isnull=False)
        .order_by("waiting_since", "id")[:limit]
    )


def inbox_version(found: QuerySet[Conversation]) -> str:
    """Changes whenever a conversation enters, leaves or changes within these filters."""
    seen = found.order_by().aggregate(n=Count("id"), last=Max("changed_at"))
    last = seen["last"].timestamp() if seen["last"] else 0
    return f"{seen['n']}-{last:.6f}"


def conversation_version(conversation: Conversation) -> str:
    """Changes with the conversation and with the delivery state of its messages."""
    changed = Conversation.objects.filter(pk=conversation.pk).values_list("changed_at", flat=True)
    seen = Message.objects.filter(conversation=conversation).aggregate(
        n=Count("id"),
        sent=Max("sent_at"),
        delivered=Max("delivered_at"),
        read=Max("read_at"),
        failed=Max("failed_at"),
    )
    stamps = [changed.first(), seen["sent"], seen["delivered"], seen["read"], seen["failed"]]
    return f"{seen['n']}-" + "-".join(f"{s.timestamp():.6f}" if s else "0" for s in stamps)


def earlier_conversations(user: Any, conversation: Conversation, limit: int = 10) -> list[Any]:
    """The same person's other conversations the user may see, on any channel, newest first;
    a volunteer sees only those assigned to them."""
    found = conversations_visible_to(user).filter(contact=conversation.contact)
    if is_volunteer(user):
        found = found.filter(assignee=user)
    return list(found.exclude(pk=conversation.pk).order_by("-created_at")[:limit])


# The supervisors' view


@dataclass(frozen=True)
class Queue:
    desk: str
    team: str
    language: str
    open: int
    waiting: int
    unassigned: int
    longest_wait_since: datetime | None


@dataclass(frozen=True)
class AgentLoad:
    username: str
    name: str
    online: bool
    available: bool
    load: int
    capacity: int
    languages: list[str]


ONLINE_WITHIN = timedelta(minutes=2)


def supervised_desks(user: Any) -> QuerySet[Desk]:
    require(user, "desks.supervise_desk")
    return desks_visible_to(user)


def queues(user: Any) -> list[Queue]:
    """Open work per desk, team and language: how much, how much waits, since when."""
    rows = (
        Conversation.objects.filter(desk__in=supervised_desks(user), status=Status.OPEN)
        .values("desk__name", "desk__names", "team__name", "team__names", "language")
        .annotate(
            open=Count("id"),
            waiting=Count("id", filter=Q(waiting_since__isnull=False)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            longest=Min("waiting_since"),
        )
        .order_by(F("longest").asc(nulls_last=True), "desk__name")
    )
    language = get_language()
    return [
        Queue(
            name_in(r["desk__name"], r["desk__names"], language),
            name_in(r["team__name"] or "", r["team__names"], language),
            r["language"],
            r["open"],
            r["waiting"],
            r["unassigned"],
            r["longest"],
        )
        for r in rows
    ]


def agent_loads(user: Any) -> list[AgentLoad]:
    """Staff of the supervised desks: online or not, available or away, load and capacity."""
    desks = supervised_desks(user)
    now = timezone.now()
    staff = (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__desks__in=desks)
        .filter(groups__permissions__codename="reply_conversation")
        .distinct()
        .select_related("agent_profile")
        .order_by("username")
    )
    # Counted apart, from the (desk, status, assignee) index: joining staff to all their
    # conversations, closed ones included, before counting read every one of them.
    loads = dict(
        Conversation.objects.filter(desk__in=desks, status__in=OPEN_WORK, assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    return [
        AgentLoad(
            username=u.get_username(),
            name=u.get_full_name() or u.get_username(),
            online=bool(
                u.agent_profile.last_seen_at and now - u.agent_profile.last_seen_at < ONLINE_WITHIN
            ),
            available=u.agent_profile.available,
            load=loads.get(u.pk, 0),
            capacity=u.agent_profile.capacity,
            languages=list(u.agent_profile.languages),
        )
        for u in staff
    ]


def coming_breaches(user: Any, within: timedelta = timedelta(hours=1)) -> list[Conversation]:
    """Open work whose next service-level deadline passed or falls within the hour."""
    return list(
        Conversation.objects.filter(
            desk__in=supervised_desks(user),
            status__in=OPEN_WORK,
            due_at__lte=timezone.now() + within,
        )
        .select_related("desk", "assignee", "team", "request_type")
        .order_by("due_at", "id")[:100]
    )


@dataclass(frozen=True)
class WayIn:
    """What has arrived at the supervised desks and is not yet in front of people."""

    deliveries: int  # kept by the webhooks, not yet read by the consumer
    oldest_delivery: datetime | None
    untriaged: int  # stored, waiting for the bot, routing and notices

    @property
    def behind(self) -> bool:
        """The oldest delivery has waited longer than the consumer ever should."""
        return self.oldest_delivery is not None and (
            timezone.now() - self.oldest_delivery > WAY_IN_BEHIND
        )


WAY_IN_BEHIND = timedelta(minutes=1)


def way_in(user: Any) -> WayIn:
    desks = supervised_desks(user)
    channels = list(Channel.objects.filter(desk__in=desks).values_list("pk", flat=True))
    waiting = Delivery.objects.filter(channel_id__in=channels).aggregate(
        count=Count("id"), oldest=Min("received_at")
    )
    untriaged = Message.objects.filter(
        conversation__desk__in=desks, direction=Direction.IN, triaged_at__isnull=True
    ).count()
    return WayIn(waiting["count"], waiting["oldest"], untriaged)
