"""Content kept only as long as needed: retention per desk and request type, and the
erasure of a person on request.

A conversation resolved or closed longer ago than its retention (its request type's, else
its desk's `content_retention_days`; none set: kept) loses what was written, sent and
recorded in it: message texts, the providers' payloads and details, files and recordings,
translations, notes, and the search entries of its words. What reports count stays: the
conversation and message rows with their dates, statuses, directions, kinds, languages,
topics, request types and clocks, so every report gives the same figures before and after.
Rooms above this one keep copies of content (the guide's gaps, handover lines, portal
contact details): they clear them on `content_removed`. Records that are not conversations
(status look-ups, undelivered payloads) have their own retention, collected through
`retention_due`, whose receivers answer with what they removed, or would.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from ventanilla.channels.models import UnreadDelivery
from ventanilla.contacts import services as contacts
from ventanilla.contacts.models import Contact
from ventanilla.conversations import services
from ventanilla.conversations.models import (
    Attachment,
    AutomaticReplies,
    Conversation,
    Direction,
    Escalation,
    Message,
    MessageStatus,
    MessageTranslation,
    Note,
    Priority,
    SearchEntry,
    Status,
)
from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.services import audit, purge_audit

logger = logging.getLogger(__name__)

BATCH = 200  # conversations cleared per transaction

# Sent (inside the transaction) with conversation_ids: the rooms above clear their copies.
content_removed = Signal()
# Sent with now and dry_run; each receiver returns {what: how many} it removed (or would).
retention_due = Signal()


@dataclass
class Removed:
    """What a pass removed, or would remove, by kind."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: dict[str, int]) -> None:
        self.counts.update({k: v for k, v in other.items() if v})

    @property
    def nothing(self) -> bool:
        return not any(self.counts.values())


def remove_content(conversation_ids: list[int], *, now: datetime | None = None) -> dict[str, int]:
    """Remove what was written, sent and recorded in these conversations; keep their figures."""
    now = now or timezone.now()
    ids = list(conversation_ids)
    messages = Message.objects.filter(conversation_id__in=ids)
    counts = {
        "messages": messages.exclude(text="").update(text=""),
        "notes": Note.objects.filter(conversation_id__in=ids).exclude(text="").update(text=""),
        "translations": MessageTranslation.objects.filter(message__in=messages).delete()[0],
        "files": _remove_files(Attachment.objects.filter(message__in=messages), now),
    }
    messages.filter(Q(raw__isnull=False) | Q(details__isnull=False)).update(raw=None, details=None)
    SearchEntry.objects.filter(message__in=messages).delete()
    AutomaticReplies.objects.filter(conversation_id__in=ids).update(status_reference="")
    Conversation.objects.filter(pk__in=ids).update(content_removed_at=now)
    content_removed.send(sender=Conversation, conversation_ids=ids)
    return counts


def _remove_files(attachments: QuerySet[Attachment], now: datetime) -> int:
    removed = 0
    for attachment in attachments.filter(removed_at__isnull=True):
        if attachment.file.name:  # the file goes once the rows saying it is gone are committed
            transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
        attachment.file = ""
        attachment.filename = ""
        attachment.provider_ref = ""
        attachment.removed_at = now
        attachment.fetch_attempts = 99  # never fetched again
        attachment.save(
            update_fields=["file", "filename", "provider_ref", "removed_at", "fetch_attempts"]
        )
        removed += 1
    return removed


def due(now: datetime) -> QuerySet[Conversation]:
    """The conversations whose content's retention has run out."""
    ended = Coalesce("resolved_at", "closed_at", "changed_at")
    eligible = Conversation.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED], content_removed_at__isnull=True
    ).annotate(ended=ended)
    found = Q(pk__in=[])
    for desk in Desk.objects.prefetch_related("request_types"):
        own = [rt for rt in desk.request_types.all() if rt.content_retention_days]
        for request_type in own:
            cutoff = now - timedelta(days=request_type.content_retention_days or 0)
            found |= Q(request_type=request_type, ended__lt=cutoff)
        if desk.content_retention_days:
            cutoff = now - timedelta(days=desk.content_retention_days)
            found |= Q(desk=desk, ended__lt=cutoff) & ~Q(request_type__in=own)
    return eligible.filter(found)


def apply_retention(*, dry_run: bool = False, now: datetime | None = None) -> Removed:
    """Remove every content whose retention has run out (dry run: count what would go)."""
    now = now or timezone.now()
    result = Removed()
    found = due(now).order_by("pk")
    if dry_run:
        ids = list(found.values_list("pk", flat=True))
        messages = Message.objects.filter(conversation_id__in=ids)
        result.add(
            {
                "conversations": len(ids),
                "messages": messages.exclude(text="").count(),
                "notes": Note.objects.filter(conversation_id__in=ids).exclude(text="").count(),
                "translations": MessageTranslation.objects.filter(message__in=messages).count(),
                "files": Attachment.objects.filter(
                    message__in=messages, removed_at__isnull=True
                ).count(),
            }
        )
    else:
        while ids := list(found.values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                result.add({"conversations": len(ids), **remove_content(ids, now=now)})
    result.add(_unread_deliveries(now, dry_run))
    result.add({"audit entries": purge_audit(now=now, dry_run=dry_run)})
    for _receiver, answer in retention_due.send(sender=Conversation, now=now, dry_run=dry_run):
        result.add(cast(dict[str, int], answer))
    if not dry_run and not result.nothing:
        logger.info("retention removed %s", ", ".join(f"{n} {k}" for k, n in result.counts.items()))
    return result


def _unread_deliveries(now: datetime, dry_run: bool) -> dict[str, int]:
    """Deliveries that could not be read are kept for staff to look into, then removed."""
    cutoff = now - timedelta(days=settings.UNREAD_RETENTION_DAYS)
    old = UnreadDelivery.objects.filter(received_at__lt=cutoff)
    return {"unread deliveries": old.count() if dry_run else old.delete()[0]}


@transaction.atomic
def erase_contact(*, contact: Contact, by: User, reason: str) -> dict[str, int]:
    """Erase a person on their request: the content of every conversation they had, on every
    channel, their name and addresses. What stays is anonymous: the pseudonym, the
    conversations' and messages' dates, statuses and figures, so reports stay right. Open
    conversations are closed; replies not yet sent are not sent. Logged with who, when, why."""
    reason = reason.strip()
    if not reason:
        raise Invalid("reason: say why the person's data is erased (their request, when, how)")
    if len(reason) > 500:
        raise Invalid("reason: at most 500 characters")
    ids = list(Conversation.objects.filter(contact=contact).values_list("pk", flat=True))
    unsent = Message.objects.filter(
        conversation_id__in=ids,
        direction=Direction.OUT,
        status__in=[MessageStatus.QUEUED, MessageStatus.SENDING],
    ).update(status=MessageStatus.FAILED, error_title="the person's data was erased")
    for conversation in Conversation.objects.filter(pk__in=ids).exclude(status=Status.CLOSED):
        services.close(conversation=conversation, by=by)
    counts = Counter({"conversations": len(ids), "unsent replies": unsent})
    for start in range(0, len(ids), BATCH):
        counts.update(remove_content(ids[start : start + BATCH]))
    counts["addresses"] = contacts.forget(contact)
    audit(actor=by, action="contact.erase", target=contact, reason=reason, **counts)
    return dict(counts)


@transaction.atomic
def erasure_requested(*, conversation: Conversation, message: Message) -> bool:
    """The person asked, in `message`, for their data to be erased: the conversation goes
    to the desk's supervisors (escalated, at least high priority), who erase it (a person
    is not erased on a message alone: anyone holding their phone could send it). False
    when the conversation carries such a request already."""
    if conversation.erasure_requested_at is not None:
        return False
    conversation.erasure_requested_at = timezone.now()
    conversation.escalation = Escalation.SUPERVISOR
    fields = ["erasure_requested_at", "escalation"]
    if conversation.priority in (Priority.LOW, Priority.NORMAL):
        conversation.priority = Priority.HIGH
        fields.append("priority")
    services.save_changes(conversation, fields)
    audit(
        actor=None,
        action="contact.erasure-requested",
        target=conversation.contact,
        conversation=conversation.pk,
        message=message.pk,
    )
    return True


def describe(result: Removed) -> list[str]:
    return [f"{count} {what}" for what, count in sorted(result.counts.items())]
