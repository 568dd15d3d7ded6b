"""Reads of channels for the interfaces, with their access checks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from ventanilla.channels.models import Channel
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound


def channels_visible_to(user: Any) -> QuerySet[Channel]:
    require(user, "channels.view_channel")
    return Channel.objects.filter(desk__in=desks_visible_to(user)).select_related("desk")


def active_channel(channel_id: UUID) -> Channel | None:
    """The channel a provider's webhook names, if it is in use (webhooks carry no user)."""
    return Channel.objects.select_related("desk").filter(pk=channel_id, is_active=True).first()


def channel_for(user: Any, channel_id: str) -> Channel:
    try:
        key = UUID(channel_id)
    except ValueError:
        raise NotFound(f"no channel {channel_id}") from None
    channel = channels_visible_to(user).filter(pk=key).first()
    if channel is None:
        raise NotFound(f"no channel {channel_id}")
    return channel
