"""Files that come and go with messages: kept on disk under random names, fetched from providers.

Media a person sends on WhatsApp or by MMS is only referred to in the delivery; `fetch`
downloads it afterwards (through the channel's adapter, with its credentials), checks it
against the provider's sha256 where one is given, and keeps it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import mimetypes
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import SendError
from ventanilla.conversations.models import Attachment, Conversation, Message

logger = logging.getLogger(__name__)

MAX_FETCH_ATTEMPTS = 5
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # WhatsApp's largest documents


def _store(attachment: Attachment, content: bytes) -> None:
    extension = mimetypes.guess_extension(attachment.mime_type) or ""
    # The stored name is random: a person's file name says nothing about where it lies.
    attachment.file.save(secrets.token_hex(16) + extension, ContentFile(content), save=False)
    attachment.size = len(content)


@transaction.atomic
def attach(*, message: Message, content: bytes, mime_type: str, filename: str) -> Attachment:
    """Keep a file that goes with a message (already checked for size and type)."""
    attachment = Attachment(
        message=message,
        mime_type=mime_type,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
    )
    _store(attachment, content)
    attachment.save()
    return attachment


def matches(content: bytes, stated: str) -> bool:
    """Whether content has the stated sha256, given in hex or in base64 (providers use both)."""
    digest = hashlib.sha256(content).digest()
    stated = stated.strip()
    if stated.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(stated, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def fetch(*, attachment_id: int) -> bool:
    """Download one attachment from its provider; True once it is kept."""
    attachment = (
        Attachment.objects.select_related("message__channel")
        .filter(pk=attachment_id, file="", fetch_attempts__lt=MAX_FETCH_ATTEMPTS)
        .filter(removed_at__isnull=True)
        .exclude(provider_ref="")
        .first()
    )
    if attachment is None:
        return False
    channel = attachment.message.channel
    Attachment.objects.filter(pk=attachment.pk).update(fetch_attempts=attachment.fetch_attempts + 1)
    try:
        fetched = adapter_for(channel.type).fetch_media(channel.config, attachment.provider_ref)
        if len(fetched.content) > MAX_MEDIA_BYTES:
            raise SendError("too_large", "the media is larger than 100 MB", permanent=True)
        stated = attachment.sha256 or fetched.sha256
        if stated and not matches(fetched.content, stated):
            raise SendError("checksum", "the media does not match its sha256", permanent=False)
    except SendError as error:
        logger.warning("attachment %s: fetch failed (%s)", attachment.pk, error.code)
        final = error.permanent or attachment.fetch_attempts + 1 >= MAX_FETCH_ATTEMPTS
        Attachment.objects.filter(pk=attachment.pk).update(
            fetch_error=f"{error.code}: {error.title}"[:255],
            fetch_attempts=MAX_FETCH_ATTEMPTS if final else attachment.fetch_attempts + 1,
        )
        return False
    attachment.mime_type = attachment.mime_type or fetched.mime_type[:128]
    _store(attachment, fetched.content)
    attachment.fetch_error = ""
    attachment.save(update_fields=["file", "size", "mime_type", "fetch_error"])
    # Kept here now: the provider's copy (a call recording, say) need not outlive it.
    adapter_for(channel.type).forget_media(channel.config, attachment.provider_ref)
    # The file can be shown now: live views of the conversation look at changed_at.
    Conversation.objects.filter(pk=attachment.message.conversation_id).update(
        changed_at=timezone.now()
    )
    return True
