"""Queue entry points of the guide: each task loads rows and calls a service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from ventanilla.conversations.models import Direction, Message
from ventanilla.knowledge import bot


@db_task()
def answer_message(message_id: int) -> None:
    """Let the bot answer a person's message, if its desk lets it."""
    message = Message.objects.filter(pk=message_id, direction=Direction.IN).first()
    if message is not None:
        bot.respond(message=message)
