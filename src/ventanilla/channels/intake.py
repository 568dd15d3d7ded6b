"""Events written down for the intake table and read back: the parsed messages and statuses of
a verified delivery as JSON, so that the consumer never parses or verifies a delivery again.

Only `Inbound` and `StatusUpdate` are written (calls are answered at once, never queued).
What comes back is exactly what went in: text, details and payloads as the adapter read them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from ventanilla.channels.adapters.base import Inbound, MediaRef, StatusUpdate

Queued = Inbound | StatusUpdate
_TYPES: dict[str, type[Inbound] | type[StatusUpdate]] = {
    "message": Inbound,
    "status": StatusUpdate,
}
_DATES = {"sent_at", "at"}


def queued(events: Iterable[object]) -> list[Queued]:
    """The events of a delivery that the consumer takes in (messages and statuses)."""
    return [event for event in events if isinstance(event, Inbound | StatusUpdate)]


def provider_ids(events: Iterable[Queued]) -> list[str]:
    """The provider's ids of the messages among `events`, to find them again."""
    return [event.provider_id for event in events if isinstance(event, Inbound)]


def write(events: Iterable[Queued]) -> str:
    """The events as JSON text (ASCII: a lone surrogate survives as its escape)."""
    return json.dumps([_written(event) for event in events], separators=(",", ":"))


def read(text: str) -> list[Queued]:
    """The events `write` wrote. ValueError if the text is not what it writes."""
    try:
        items = json.loads(text)
        return [_read(item) for item in items]
    except (TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"not a written delivery: {type(error).__name__}") from None


def _written(event: Queued) -> dict[str, Any]:
    kind = "message" if isinstance(event, Inbound) else "status"
    values = {f.name: getattr(event, f.name) for f in fields(event)}
    for name in _DATES & values.keys():
        if values[name] is not None:
            values[name] = values[name].isoformat()
    if isinstance(event, Inbound):
        values["media"] = [asdict(media) for media in event.media]
        values["details"] = dict(event.details)
        values["raw"] = dict(event.raw)
    return {"type": kind, **values}


def _read(item: dict[str, Any]) -> Queued:
    cls = _TYPES[item.pop("type")]
    known = {f.name for f in fields(cls)}
    values = {name: value for name, value in item.items() if name in known}
    for name in _DATES & values.keys():
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    if cls is Inbound:
        values["media"] = tuple(MediaRef(**media) for media in values.get("media", ()))
    return cls(**values)
