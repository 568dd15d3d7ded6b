"""Creating and changing channels."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from ventanilla.channels.adapters import ADAPTERS
from ventanilla.channels.models import Channel, UnreadDelivery
from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.services import audit


@transaction.atomic
def create_channel(
    *, desk: Desk, type: str, name: str, config: dict[str, Any], by: User | None
) -> Channel:
    """Configure a new channel for a desk, checking its configuration against its type."""
    adapter = ADAPTERS.get(type)
    if adapter is None:
        raise Invalid(f"type must be one of {', '.join(sorted(ADAPTERS))}")
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("name must be between 1 and 120 characters")
    clean = adapter.clean_config(config)
    channel = Channel(desk=desk, type=type, name=name, config=clean, address=adapter.address(clean))
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise Conflict(f"a {type} channel for {channel.address} already exists") from None
    audit(actor=by, action="channel.create", target=channel, type=type, desk=desk.slug)
    return channel


def keep_unread(*, channel: Channel, body: bytes, reasons: list[str]) -> UnreadDelivery:
    """Keep a delivery (encrypted) that could not be read in full, so nothing is lost."""
    return UnreadDelivery.objects.create(
        channel=channel, body=body.decode("utf-8", errors="replace"), reasons=reasons[:50]
    )
