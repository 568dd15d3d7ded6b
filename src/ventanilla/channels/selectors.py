"""Reads of channels for the interfaces, with their access checks."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db.models import QuerySet

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.whatsapp import WhatsAppAdapter
from ventanilla.channels.models import Channel
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound


def channels_visible_to(user: Any) -> QuerySet[Channel]:
    require(user, "channels.view_channel")
    return Channel.objects.filter(desk__in=desks_visible_to(user)).select_related("desk")


# Webhooks arrive by the hundred a second in a surge, each naming its channel: the channel,
# its configuration decrypted, is kept this long in the process instead of read every time.
# A channel switched off or changed is seen by the webhooks within this delay.
CHANNEL_SECONDS = 5.0
_channels: dict[UUID, tuple[float, Channel | None]] = {}


def active_channel(channel_id: UUID) -> Channel | None:
    """The channel a provider's webhook names, if it is in use (webhooks carry no user)."""
    now = time.monotonic()
    kept = _channels.get(channel_id)
    if kept is not None and kept[0] > now:
        return kept[1]
    channel = Channel.objects.select_related("desk").filter(pk=channel_id, is_active=True).first()
    if len(_channels) > 1000:  # made-up ids must not fill the memory
        _channels.clear()
    _channels[channel_id] = (now + CHANNEL_SECONDS, channel)
    return channel


def forget_channel(channel_id: UUID) -> None:
    """A channel changed in this process: its webhooks see the change at once."""
    _channels.pop(channel_id, None)


def _one(channels: QuerySet[Channel], channel_id: str) -> Channel:
    try:
        channel = channels.filter(pk=UUID(channel_id)).first()
    except ValueError:
        channel = None
    if channel is None:
        raise NotFound(f"no channel {channel_id}")
    return channel


def channel_for(user: Any, channel_id: str) -> Channel:
    return _one(channels_visible_to(user), channel_id)


def sending_channel_for(user: Any, channel_id: str) -> Channel:
    """A channel of the user's desks, for someone who replies on it (agents included)."""
    require(user, "conversations.reply_conversation")
    return _one(Channel.objects.filter(desk__in=desks_visible_to(user)), channel_id)


TEMPLATE_CACHE_SECONDS = 300


def templates_cache_key(channel: Channel) -> str:
    return f"templates:{channel.pk}"


def approved_templates(channel: Channel) -> list[dict[str, Any]] | None:
    """The channel's approved WhatsApp templates as last fetched and kept, summarised; None
    when they have not been fetched yet (channels.services.templates_for fetches them)."""
    if not isinstance(adapter_for(channel.type), WhatsAppAdapter):
        raise Invalid("only WhatsApp channels have templates")
    summary: list[dict[str, Any]] | None = cache.get(templates_cache_key(channel))
    return summary
