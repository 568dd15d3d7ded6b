"""Machine translation for staff: people's messages in the reader's language, and replies
written in the agent's language sent in the person's. Nothing is translated when no
translation server is configured; a failing server never stops a reply or a page."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from ventanilla.channels.models import Channel
from ventanilla.conversations import services
from ventanilla.conversations.models import (
    Conversation,
    Direction,
    Message,
    MessageTranslation,
)
from ventanilla.lib import translate
from ventanilla.lib.errors import Invalid

logger = logging.getLogger(__name__)

MAX_MESSAGES = 20  # translated per request: the latest ones


def base(language: str) -> str:
    return language.split("-")[0].lower()


def reads(user: User, *also: str) -> set[str]:
    """The languages a member of staff reads: their profile's, and the console's."""
    profile = getattr(user, "agent_profile", None)
    spoken = list(profile.languages) if profile is not None else []
    return {base(code) for code in [*spoken, *also] if code}


def needs_translation(conversation: Conversation, reader: set[str]) -> bool:
    """Whether the reader may need the person's messages translated (unknown language: yes)."""
    if not translate.is_configured():
        return False
    return not conversation.language or base(conversation.language) not in reader


def replies_need_translation(conversation: Conversation, reader: set[str]) -> bool:
    """Whether to offer writing in one's own language and sending translated."""
    return (
        translate.is_configured()
        and bool(conversation.language)
        and base(conversation.language) not in reader
    )


def translatable(message: Message) -> bool:
    """A message of the person's with text the server takes (not blank, not too long)."""
    return (
        message.direction == Direction.IN
        and bool(message.text.strip())
        and len(message.text) <= translate.MAX_CHARACTERS
    )


def has_untranslated(entries: Sequence[Any], language: str) -> bool:
    """Whether a history (with translations prefetched) has a message to translate still."""
    for entry in entries:
        item = entry.item
        if (
            isinstance(item, Message)
            and translatable(item)
            and not any(t.language == language for t in item.translations.all())
        ):
            return True
    return False


def untranslated(conversation: Conversation, language: str) -> list[Message]:
    """The person's latest translatable messages with no translation into `language` yet."""
    latest = (
        conversation.messages.filter(direction=Direction.IN)
        .exclude(text="")
        .exclude(translations__language=language)
        .order_by("-created_at", "-id")[:MAX_MESSAGES]
    )
    return [message for message in latest if translatable(message)]


def translate_messages(
    *, conversation: Conversation, messages: Sequence[Message], language: str
) -> list[MessageTranslation]:
    """Translate these messages into `language` and keep the translations.

    Calls the server outside any transaction; stops at the first failure, keeping what
    was done (TranslationUnavailable is raised to say so). The language the server
    detects becomes the conversation's language when it had none.
    """
    done: list[MessageTranslation] = []
    detected: list[str] = []
    for message in messages:
        result = translate.translate(
            message.text, source=conversation.language or "auto", target=language
        )
        detected.append(base(result.source))
        try:
            with transaction.atomic():
                done.append(
                    MessageTranslation.objects.create(
                        message=message, language=language, source=result.source, text=result.text
                    )
                )
        except IntegrityError:  # another request translated it at the same moment
            pass
    if not conversation.language and detected and len(set(detected)) == 1:
        services.classify(conversation=conversation, by=None, language=detected[0])
    return done


def reply_translated(
    *,
    conversation: Conversation,
    text: str,
    source: str,
    by: User,
    files: Sequence[services.File] = (),
    article: str = "",
    channel: Channel | None = None,
) -> Message:
    """Send the person `text` translated from `source` into their language; both are kept."""
    if not conversation.language:
        raise Invalid("the person's language is not known: set it on the conversation first")
    original = services.clean_text(text, required=not files)
    result = translate.translate(original, source=source, target=conversation.language)
    return services.reply(
        conversation=conversation,
        text=result.text,
        by=by,
        files=files,
        translated_from=services.Translated(
            original=original, source=base(source), target=conversation.language
        ),
        article=article,
        channel=channel,
    )
