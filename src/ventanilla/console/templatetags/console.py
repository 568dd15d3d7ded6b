"""Small helpers for the console's templates: filter links, media, clocks, translations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from ventanilla.console.context import CHANNEL_TYPE_LABELS
from ventanilla.conversations.failures import failure_text
from ventanilla.conversations.models import Message, MessageTranslation
from ventanilla.lib.links import web_addresses
from ventanilla.referrals import protection

register = template.Library()


@register.simple_tag
def with_filter(chosen: dict[str, str], key: str, value: str | None, order: str = "") -> str:
    """The inbox's query string with one filter set to `value` (or removed when empty)."""
    query = {k: v for k, v in chosen.items() if k != key}
    if value:
        query[key] = value
    if order:
        query["order"] = order
    return "?" + urlencode(query)


@register.filter
def media_kind(mime_type: str) -> str:
    head = (mime_type or "").split("/")[0]
    return head if head in ("image", "audio", "video") else "file"


@register.filter
def map_link(location: dict[str, Any]) -> str:
    """A link to the place on OpenStreetMap (no tracking, no key)."""
    try:
        lat, lon = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return ""
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
    )


@register.filter(is_safe=True)
def linked(text: str) -> SafeString:
    """A message's text escaped, then its web addresses made links that open apart, each
    isolated and left to right (inside Arabic too), and its line breaks kept."""
    text = str(text or "")
    parts, last = [], 0
    for start, end in web_addresses(text):
        parts.append(escape(text[last:start]))
        parts.append(
            format_html(
                '<bdi><a href="{0}" dir="ltr" rel="noopener noreferrer" target="_blank">{0}</a>'
                "</bdi>",
                text[start:end],
            )
        )
        last = end
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 (every part escaped)


@register.filter
def overdue(due: datetime | None) -> bool:
    return due is not None and due <= timezone.now()


@register.filter
def until(due: datetime | None) -> str:
    """How long until, or since, a deadline: "3 hours", whichever side of now it is."""
    if due is None:
        return ""
    now = timezone.now()
    return timesince(due, now) if due <= now else timesince(now, due)


@register.filter
def duration(amount: timedelta | None) -> str:
    """A length of time in words: "2 days, 3 hours"."""
    if amount is None:
        return ""
    now = timezone.now()
    return timesince(now - amount, now) if amount > timedelta(0) else timesince(now, now)


@register.filter
def waited(since: datetime | None) -> str:
    return timesince(since) if since else ""


@register.simple_tag
def translation_of(message: Message, language: str) -> MessageTranslation | None:
    """The kept translation of a person's message into `language`, if it says something new."""
    for found in message.translations.all():  # prefetched
        if found.language == language and found.source.split("-")[0] != language.split("-")[0]:
            return found
    return None


@register.filter
def failure(message: Message) -> str:
    """Why a message has not gone, in words (never an exception's name or an address)."""
    return failure_text(message)


@register.filter
def channel_kind(channel_type: str) -> str:
    """A channel type as staff call it, in their language: "Phone calls", not twilio-voice."""
    return str(CHANNEL_TYPE_LABELS.get(channel_type, channel_type))


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    """One value of a dictionary, by a key a template cannot write (a date, a slug)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def reads_reports(user: Any) -> bool:
    """Whether the user is in a protection team or supervises a desk: the reports' menu."""
    return protection.may_read_reports(user)
