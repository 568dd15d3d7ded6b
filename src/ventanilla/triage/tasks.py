"""Queue entry points of triage: a stored message's triage, and the sweeper that resumes any
triage a lost task or a killed consumer left unfinished."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from ventanilla.conversations.models import Conversation, Status
from ventanilla.lib.queue import RESUME_AT_MOST, lost_among
from ventanilla.triage import pipeline, routing

logger = logging.getLogger(__name__)


def on_message_received(sender: Any, message_id: int, **kwargs: Any) -> None:
    triage_message(message_id)


def on_conversation_transferred(sender: Any, conversation_id: int, **kwargs: Any) -> None:
    route_transferred(conversation_id)


@db_task()
def route_transferred(conversation_id: int) -> None:
    """A case passed from another desk goes to a team of its new desk, as a first message
    does (its desk's supervisors were told already, so it is never lost if this fails)."""
    with transaction.atomic():
        found = Conversation.objects.filter(pk=conversation_id, routed_at__isnull=True).first()
        if found is not None and found.status != Status.CLOSED:
            routing.route(conversation=found)


@db_task()
def triage_message(message_id: int) -> None:
    try:
        pipeline.triage(message_id)
    except Exception:
        # The transaction rolled back: nothing of it happened. Counted, then tried again by
        # the sweeper; the type only in the log (an error's text may quote the message).
        logger.exception("triage: message %s failed", message_id)
        pipeline.failed(message_id)


@db_periodic_task(crontab(minute="*"))
def resume_triage() -> None:
    """Every minute: messages whose triage never finished are triaged now (those whose
    tasks the queue still holds are not queued twice: ventanilla.lib.queue)."""
    found = pipeline.untriaged(limit=RESUME_AT_MOST)
    lost = lost_among(found, queued=HUEY.pending_count())
    if lost:
        logger.warning("triage: resuming %s message(s) left untriaged", len(lost))
    for message_id in lost:
        triage_message(message_id)
