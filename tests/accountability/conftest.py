"""Surveys people answered, for the tests of what they add up to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ventanilla.accountability.models import Survey
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Conversation

ASKED = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def answered(desk, sms, make_staff, make_inbound):
    """Seven people asked (one only passed over), by two agents; what they answered."""
    lucia, omar = make_staff("agent", "lucia"), make_staff("agent", "omar")
    rows = [  # agent, score, solved, comment, language
        (lucia, 5, True, "Muy amable", "es"),
        (lucia, 4, True, "", "es"),
        (lucia, 2, False, "Tardaron mucho", "ar"),
        (omar, None, None, "", "ar"),  # asked, never answered
        (omar, 3, None, "", "fr"),  # a score, then nothing
        (omar, 5, True, "", "es"),
    ]
    channel = sms
    surveys = []
    with time_machine.travel(ASKED, tick=False):
        for n, (agent, score, solved, comment, language) in enumerate([*rows, rows[0]]):
            received = receive(channel=channel, inbound=make_inbound(
                address=f"+3460010020{n}", provider_id=f"SM{n:032d}"))  # fmt: skip
            conversation = Conversation.objects.get(pk=received.message.conversation_id)
            surveys.append(
                Survey.objects.create(
                    desk=desk,
                    conversation=conversation,
                    contact=conversation.contact,
                    channel=channel,
                    agent=agent,
                    language=language,
                    state="skipped" if n == 6 else "done" if score else "expired",
                    skipped="recent" if n == 6 else "",
                    score=None if n == 6 else score,
                    solved=solved,
                    comment=comment,
                    has_comment=bool(comment),
                )
            )
    return lucia, omar
