"""Keeping the promises of the service levels: a warning to the assignee and the desk's
supervisors before a clock runs out, and an escalation to the supervisors when it does.

The conversation's `sla_alert_at` says when its next alert falls due and `sla_alerts` which
were sent, so `alert_service_levels` (run every minute) reads only the conversations that
need it and never sends an alert twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ventanilla.conversations import sla
from ventanilla.conversations.models import Conversation, Escalation, Priority, Status
from ventanilla.conversations.services import save_changes
from ventanilla.privacy.services import audit
from ventanilla.teamwork.models import Notification, NotificationKind
from ventanilla.teamwork.services import supervisors_of

logger = logging.getLogger(__name__)

BATCH = 500  # conversations looked at per run; the next run takes the rest


def alert_service_levels(*, now: datetime | None = None) -> int:
    """Send the warnings and escalations that have fallen due; returns how many were sent."""
    now = now or timezone.now()
    due = (
        Conversation.objects.filter(sla_alert_at__lte=now)
        .exclude(status=Status.CLOSED)
        .order_by("sla_alert_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = sum(alert(conversation_id=pk, now=now) for pk in list(due))
    if sent:
        logger.info("service levels: %s alert(s) sent", sent)
    return sent


@transaction.atomic
def alert(*, conversation_id: int, now: datetime) -> int:
    """Send one conversation's alerts that have fallen due, and plan its next one."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))  # the nullable joins stay unlocked
        .select_related("desk", "team", "request_type", "assignee")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return 0
    clocks = sla.clocks(conversation, now=now)
    fallen = sorted(
        (at, key) for key, at in sla.alert_times(conversation, clocks).items() if at <= now
    )
    sent = list(conversation.sla_alerts or [])
    breached = {key for _at, key in fallen if key.endswith(f":{sla.BREACH}")}
    count = 0
    fields = ["sla_alerts"]
    for _at, key in fallen:
        name, kind = key.split(":")
        if kind == sla.WARNING and f"{name}:{sla.BREACH}" in breached:
            sent.append(key)  # too late to warn: the escalation says it all
            continue
        recipients = list(supervisors_of(conversation.desk))
        if conversation.assignee is not None and conversation.assignee.is_active:
            recipients.append(conversation.assignee)
        unique = {user.pk: user for user in recipients}.values()
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=NotificationKind.SLA_BREACH
                if kind == sla.BREACH
                else NotificationKind.SLA_WARNING,
                conversation=conversation,
            )
            for user in unique
        )
        if kind == sla.BREACH:
            fields += _escalate(conversation)
        audit(
            actor=None,
            action=f"conversation.sla_{kind}",
            target=conversation,
            clock=name,
            recipients=len(unique),
        )
        sent.append(key)
        count += 1
    conversation.sla_alerts = sent
    save_changes(conversation, fields + sla.refresh(conversation, now=now))
    return count


def _escalate(conversation: Conversation) -> list[str]:
    """A missed service level goes to the supervisors, at a priority of at least high."""
    fields = []
    if not conversation.escalation:
        conversation.escalation = Escalation.SUPERVISOR
        fields.append("escalation")
    if conversation.priority in (Priority.LOW, Priority.NORMAL):
        conversation.priority = Priority.HIGH
        fields.append("priority")
    return fields
