"""What the public side may read: a visitor's own thread, a request opened with its code."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from ventanilla.accountability.models import Complaint
from ventanilla.accountability.services import NUMBER
from ventanilla.channels.models import Channel
from ventanilla.contacts.services import find_identity
from ventanilla.conversations.models import Attachment, Message
from ventanilla.helpcentre.models import PortalAccess
from ventanilla.helpcentre.services import check_visitor_token, code_matches


def webchat_channel(channel_id: UUID) -> Channel | None:
    return (
        Channel.objects.select_related("desk")
        .filter(pk=channel_id, type="webchat", is_active=True)
        .first()
    )


def portal_channel(desk_slug: str) -> Channel | None:
    return (
        Channel.objects.select_related("desk")
        .filter(desk__slug=desk_slug, type="portal", is_active=True)
        .order_by("created_at")
        .first()
    )


def visitor_thread(channel: Channel, token: str, *, after: int = 0) -> list[Message]:
    """The visitor's messages and the replies to them on this channel, after message `after`."""
    identity = find_identity(scheme="webchat", address=check_visitor_token(token, channel=channel))
    if identity is None:
        return []
    return list(
        Message.objects.filter(
            channel=channel, conversation__contact=identity.contact, pk__gt=after
        )
        .exclude(direction="out", status__in=("queued", "sending", "failed"))
        .order_by("pk")[:200]
    )


def portal_access(channel: Channel, reference: str, code: str) -> PortalAccess | None:
    """The access to a request, if the reference (or the number of the complaint it is)
    and the code belong together."""
    reference = reference.strip().upper()[:24]
    if NUMBER.fullmatch(reference):
        reference = (
            Complaint.objects.filter(number=reference, conversation__channel=channel)
            .values_list("conversation__reference", flat=True)
            .first()
            or reference
        )
    access = (
        PortalAccess.objects.select_related("conversation")
        .filter(conversation__reference=reference, conversation__channel=channel)
        .first()
    )
    if access is None:
        code_matches(PortalAccess(code_hash="0" * 64), code)  # as long as a real check
        return None
    return access if code_matches(access, code) else None


def portal_access_by_id(channel: Channel, access_id: int) -> PortalAccess | None:
    return (
        PortalAccess.objects.select_related("conversation")
        .filter(pk=access_id, conversation__channel=channel)
        .first()
    )


def portal_thread(access: PortalAccess) -> QuerySet[Message]:
    """What the person sees of their request: their messages and the replies, no notes."""
    return (
        Message.objects.filter(conversation=access.conversation)
        .exclude(direction="out", status__in=("queued", "sending", "failed"))
        .prefetch_related("attachments")
        .order_by("pk")
    )


def portal_file(access: PortalAccess, attachment_id: int) -> Attachment | None:
    return (
        Attachment.objects.filter(pk=attachment_id, message__conversation=access.conversation)
        .exclude(file="")
        .first()
    )
