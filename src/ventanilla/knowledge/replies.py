"""An agent's reply to the person and what the guide may learn from it, written together:
the reply queued (translated when asked) and, when it is the first answer not drawn from the
guide, the question it answers kept as a gap — in one transaction, for every door."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from ventanilla.channels.adapters.base import Menu
from ventanilla.channels.models import Channel
from ventanilla.conversations import services
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.translation import reply_translated
from ventanilla.knowledge.gaps import record_agent_reply


@transaction.atomic
def answer(
    *,
    conversation: Conversation,
    text: str,
    by: User,
    files: Sequence[services.File] = (),
    menu: Menu | None = None,
    article: str = "",
    channel: Channel | None = None,
    translate_from: str = "",
) -> Message:
    """Queue the agent's reply (machine-translated from `translate_from` when given) and keep
    the gap it shows; either both are written or neither."""
    if translate_from:
        sent = reply_translated(
            conversation=conversation, text=text, source=translate_from, by=by,
            files=files, article=article, channel=channel,
        )  # fmt: skip
    else:
        sent = services.reply(
            conversation=conversation, text=text, by=by, files=files,
            menu=menu, article=article, channel=channel,
        )  # fmt: skip
    record_agent_reply(message=sent)
    return sent
