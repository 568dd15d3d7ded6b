"""Creating and changing channels, and fetching the WhatsApp templates they may send."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, connections, transaction
from django.db.models import Field
from django.dispatch import Signal
from django.utils import timezone

from ventanilla.channels import intake
from ventanilla.channels.adapters import ADAPTERS, adapter_for
from ventanilla.channels.adapters.base import Webhook
from ventanilla.channels.adapters.whatsapp import WhatsAppAdapter
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Channel, Delivery, UnreadDelivery
from ventanilla.channels.selectors import (
    TEMPLATE_CACHE_SECONDS,
    approved_templates,
    templates_cache_key,
)
from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.lib.text import storable
from ventanilla.privacy.services import audit

# Sent once an intake row is committed. Nothing listens in the web server; when the queue
# runs its tasks at once (no consumer process to read the table), the delivery is taken in
# at once (ventanilla.conversations.apps).
delivery_accepted = Signal()


@transaction.atomic
def create_channel(
    *, desk: Desk, type: str, name: str, config: dict[str, Any], by: User | None
) -> Channel:
    """Configure a new channel for a desk, checking its configuration against its type."""
    adapter = ADAPTERS.get(type)
    if adapter is None:
        raise Invalid(f"type must be one of {', '.join(sorted(ADAPTERS))}")
    clean = adapter.clean_config(config)
    channel = Channel(
        desk=desk, type=type, name=_name(name), config=clean, address=adapter.address(clean)
    )
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise Conflict(f"a {type} channel for {channel.address} already exists") from None
    audit(actor=by, action="channel.create", target=channel, type=type, desk=desk.slug)
    return channel


@transaction.atomic
def update_channel(
    *,
    channel: Channel,
    by: User | None,
    name: str | None = None,
    config: dict[str, Any] | None = None,
    is_active: bool | None = None,
) -> Channel:
    """Rename, reconfigure (a rotated token, say) or switch a channel on or off.

    `config` lists only the keys that change; a key set to null is removed, so an
    optional setting falls back to its default. The whole result is checked again.
    """
    adapter = ADAPTERS[channel.type]
    changed = []
    if name is not None:
        channel.name = _name(name)
        changed.append("name")
    if config:
        merged = {**channel.config, **config}
        channel.config = adapter.clean_config({k: v for k, v in merged.items() if v is not None})
        channel.address = adapter.address(channel.config)
        changed += [f"config.{key}" for key in sorted(config)]
    if is_active is not None:
        channel.is_active = is_active
        changed.append("is_active")
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise Conflict(
            f"an active {channel.type} channel for {channel.address} already exists"
        ) from None
    cache.delete(templates_cache_key(channel))  # another account may have other templates
    audit(actor=by, action="channel.update", target=channel, fields=changed)
    return channel


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("name must be between 1 and 120 characters")
    return name


def accept(*, channel: Channel, webhook: Webhook, body: bytes) -> Delivery | None:
    """Keep a verified delivery for the consumer: one insert, then the provider is answered.

    The parts that could not be read are kept as an unread delivery beside it. Returns the
    intake row, or None when the delivery held nothing to take in (only calls or unreadable
    parts). The consumer is told by `delivery_accepted` once the row is committed.

    The insert is the only write in the intake database (a file of its own on SQLite), so
    it waits for no transaction of the consumer's; the unread part, rare, goes to the main
    database on its own. On PostgreSQL the insert is a statement of its own, committed as it
    runs; SQLite's writers take turns on a lock that a transaction takes (ventanilla.lib.sqlite).
    """
    if webhook.unreadable:
        keep_unread(channel=channel, body=body, reasons=list(webhook.unreadable))
    events = intake.queued(webhook.events)
    if not events:
        return None
    ids = [storable(pk)[:128] for pk in intake.provider_ids(events)]
    using = intake_database()
    delivery = Delivery(channel=channel, events=intake.write(events), ids=ids)
    delivery.received_at = timezone.now()
    if connections[using].vendor == "sqlite":
        with transaction.atomic(using=using):
            _insert(delivery, using)
    else:
        _insert(delivery, using)
    transaction.on_commit(
        lambda: delivery_accepted.send(sender=Delivery, delivery=delivery), using=using
    )
    return delivery


_KEPT = ("channel", "received_at", "events", "ids", "attempts")  # the columns `_insert` writes


def _insert(delivery: Delivery, using: str) -> None:
    """The intake row's INSERT ... RETURNING id, its SQL written once per database: building
    it through the ORM for every delivery, in a transaction, took a third of the web server's
    CPU per acknowledgement (docs/architecture.md, "The intake table")."""
    connection = connections[using]
    params = [
        field.get_db_prep_save(field.value_from_object(delivery), connection)
        for field in _kept_fields()
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(using), params)
        delivery.pk = cursor.fetchone()[0]
    delivery._state.adding = False
    delivery._state.db = using


@functools.cache
def _kept_fields() -> tuple[Field[Any, Any], ...]:
    """The fields `_insert` writes, looked up once (every acknowledgement uses them)."""
    named = {field.name: field for field in Delivery._meta.concrete_fields}
    return tuple(named[name] for name in _KEPT)


@functools.cache
def _insert_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in _kept_fields())
    marks = ", ".join(["%s"] * len(_KEPT))
    table, key = quote(Delivery._meta.db_table), quote(str(Delivery._meta.pk.column))
    # Names from the model, quoted by the database's own rule; values go as parameters.
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {key}"  # noqa: S608


def keep_unread(*, channel: Channel, body: bytes, reasons: list[str]) -> UnreadDelivery:
    """Keep a delivery (encrypted) that could not be read in full, so nothing is lost."""
    return UnreadDelivery.objects.create(
        channel=channel,
        body=body.decode("utf-8", errors="replace"),
        reasons=[storable(reason) for reason in reasons[:50]],  # they may quote the delivery
    )


PLACEHOLDER = re.compile(r"{{\s*\w+\s*}}")


def _summary(template: dict[str, Any]) -> dict[str, Any]:
    body = next(
        (
            str(c.get("text", ""))
            for c in template.get("components", [])
            if isinstance(c, dict) and c.get("type") == "BODY"
        ),
        "",
    )
    return {
        "name": str(template.get("name", "")),
        "language": str(template.get("language", "")),
        "category": str(template.get("category", "")),
        "body": body,
        "parameters": len(set(PLACEHOLDER.findall(body))),
    }


def refresh_templates(*, channel: Channel) -> list[dict[str, Any]]:
    """Ask WhatsApp for the channel's approved templates and keep them, summarised, for five
    minutes (the selector reads what is kept). Raises the adapter's SendError when the
    provider does not answer; what was kept stays."""
    adapter = adapter_for(channel.type)
    if not isinstance(adapter, WhatsAppAdapter):
        raise Invalid("only WhatsApp channels have templates")
    summary = [_summary(template) for template in adapter.approved_templates(channel.config)]
    cache.set(templates_cache_key(channel), summary, TEMPLATE_CACHE_SECONDS)
    return summary


def templates_for(*, channel: Channel) -> list[dict[str, Any]]:
    """The channel's approved templates: those kept, else fetched from WhatsApp now."""
    kept = approved_templates(channel)
    return kept if kept is not None else refresh_templates(channel=channel)
