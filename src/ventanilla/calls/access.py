"""Which call records a member of staff may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ventanilla.calls.models import Call, Leg
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound


def sees_cases(user: Any) -> bool:
    """Staff who handle conversations see which one a call belongs to; analysts see the
    figures of the line only."""
    return bool(user.has_perm("conversations.view_conversation"))


def calls_visible_to(user: Any) -> QuerySet[Call]:
    """The callers' calls of the desks one works at (administrators: every desk). Analysts
    see none one by one (who called when, in which language, answered by whom): the call
    report gives them the figures."""
    require(user, "conversations.view_conversation")
    return Call.objects.filter(
        leg=Leg.CALLER, channel__desk__in=desks_visible_to(user)
    ).select_related("channel__desk", "conversation", "agent", "callback_by", "recording")


def call_for(user: Any, call_id: int) -> Call:
    """One caller's call, if the user may see it: missing otherwise, never forbidden."""
    call = calls_visible_to(user).filter(pk=call_id).first() if 0 < call_id < 2**63 else None
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call
