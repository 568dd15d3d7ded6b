"""Reads of teamwork rows for the console, limited to what the reader may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound
from ventanilla.teamwork.models import CannedResponse, Handover, HandoverLine, Notification


def latest_handovers(user: Any) -> list[Handover]:
    """The latest handover of each desk the user works at."""
    require(user, "teamwork.view_handover")
    latest = []
    for desk in desks_visible_to(user).order_by("name")[:20]:
        handover = (
            Handover.objects.filter(desk=desk)
            .select_related("author", "desk")
            .prefetch_related("lines__conversation")
            .first()
        )
        if handover is not None:
            latest.append(handover)
    return latest


def handovers_of(user: Any, limit: int = 20) -> QuerySet[Handover]:
    require(user, "teamwork.view_handover")
    return (
        Handover.objects.filter(desk__in=desks_visible_to(user))
        .select_related("author", "desk")
        .prefetch_related("lines__conversation")[:limit]
    )


def handover_lines_of(conversation: Conversation) -> QuerySet[HandoverLine]:
    """What handovers said about a conversation the caller got from `conversation_for`."""
    return (
        HandoverLine.objects.filter(conversation=conversation)
        .select_related("handover__author")
        .order_by("-handover__created_at", "-id")[:20]
    )


def notifications_of(user: Any, limit: int = 50) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("conversation", "actor", "note")
        .order_by("-created_at", "-id")[:limit]
    )


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def canned_responses_for(
    user: Any, desk: Desk | None = None, q: str = ""
) -> QuerySet[CannedResponse]:
    """Responses of the user's desks (or of one desk) and those for every desk."""
    require(user, "teamwork.view_cannedresponse")
    desks = desks_visible_to(user) if desk is None else [desk]
    found = CannedResponse.objects.filter(Q(desk__in=desks) | Q(desk__isnull=True))
    q = q.strip().lstrip("/")
    if q:
        found = found.filter(Q(shortcut__istartswith=q) | Q(title__icontains=q))
    return found.select_related("desk").order_by("shortcut", "desk__name")


def canned_response_for(user: Any, canned_id: int) -> CannedResponse:
    found = canned_responses_for(user).filter(pk=canned_id).first()
    if found is None:
        raise NotFound(f"no canned response {canned_id}")
    return found
