"""What people do from the public side: write in the web chat, send and follow up a request."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from typing import Any

from django.core import signing
from django.db import transaction

from ventanilla.accountability.models import Kind, Source
from ventanilla.accountability.services import file_complaint
from ventanilla.channels.adapters.base import Inbound, StatusUpdate
from ventanilla.channels.models import Channel
from ventanilla.contacts.services import PSEUDONYM_ALPHABET
from ventanilla.conversations import delivery, services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.media import attach
from ventanilla.conversations.models import Conversation, Message, MessageStatus, Status
from ventanilla.conversations.services import MAX_TEXT
from ventanilla.desks.models import RequestType
from ventanilla.helpcentre.models import PortalAccess
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.lib.uploads import CheckedUpload
from ventanilla.privacy.crypto import lookup_hash

# A random part and the server's signature of it for one channel: `<43>.<43>`.
VISITOR_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _text(text: str) -> str:
    text = text.strip().replace("\x00", "")
    if not text:
        raise Invalid("write a message first")
    if len(text) > MAX_TEXT:
        raise Invalid(f"a message is at most {MAX_TEXT} characters")
    return text


def _token_signer(channel: Channel) -> signing.Signer:
    return signing.Signer(salt=f"ventanilla.webchat.visitor:{channel.pk}", sep=".")


def new_visitor_token(*, channel: Channel) -> str:
    """A web-chat visitor's secret: whoever holds it reads the visitor's conversation.

    Only tokens this server issued, for this channel, open a chat: a token someone made up
    (or one issued for another chat) would let its maker read what a person writes with it.
    """
    return _token_signer(channel).sign(secrets.token_urlsafe(32))


def is_visitor_token(token: str, *, channel: Channel) -> bool:
    if not VISITOR_TOKEN.match(token):
        return False
    try:
        _token_signer(channel).unsign(token)
    except signing.BadSignature:
        return False
    return True


def check_visitor_token(token: str, *, channel: Channel) -> str:
    if not is_visitor_token(token, channel=channel):
        raise Invalid("not a visitor token of this web chat")
    return token


@transaction.atomic
def visitor_writes(
    *,
    channel: Channel,
    token: str,
    text: str,
    client_id: str,
    language: str = "",
    choice: dict[str, str] | None = None,
) -> Message:
    """A web-chat visitor's message; sent again with the same client id, it is stored once."""
    check_visitor_token(token, channel=channel)
    if not CLIENT_ID.match(client_id):
        raise Invalid("client_id: 8 to 64 letters, digits or dashes")
    # The visitor's own id space: nobody can pre-empt another visitor's message ids.
    visitor = hashlib.sha256(token.encode()).hexdigest()[:16]
    inbound = Inbound(
        provider_id=f"web-{visitor}-{client_id}",
        scheme="webchat",
        address=token,
        text=_text(text),
        kind="interactive" if choice else "text",
        details={"interactive": choice} if choice else {},
        language=language[:16],
    )
    return receive(channel=channel, inbound=inbound).message


def mark_delivered(*, channel: Channel, messages: list[Message]) -> None:
    """Replies the visitor's page has fetched are delivered."""
    for message in messages:
        if message.direction == "out" and message.status == MessageStatus.SENT:
            update = StatusUpdate(
                provider_id=message.provider_id or "",
                status="delivered",
                tracker=f"vt-{message.pk}",
            )
            delivery.record_status(channel=channel, update=update)


def _code_hash(code: str) -> str:
    return lookup_hash("portal-code:" + re.sub(r"[\s-]", "", code).upper())


def _new_code() -> str:
    """Twelve characters (about 60 bits), written in three groups: K7QX-2M9P-R4TB."""
    characters = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(12))
    return "-".join(characters[i : i + 4] for i in range(0, 12, 4))


@transaction.atomic
def submit_request(
    *,
    channel: Channel,
    text: str,
    request_type: RequestType | None = None,
    upload: CheckedUpload | None = None,
    filename: str = "",
    contact_details: str = "",
    language: str = "",
) -> tuple[Conversation, str]:
    """Open a conversation from the portal form; return it and its private access code."""
    if channel.type != "portal":
        raise Invalid("not a portal channel")
    message = receive(
        channel=channel,
        inbound=Inbound(
            provider_id=f"portal-{uuid.uuid4().hex}",
            scheme="portal",
            address=secrets.token_urlsafe(32),  # each request its own requester
            text=_text(text),
            language=language[:16],
        ),
    ).message
    conversation = message.conversation
    if upload is not None:
        attach(
            message=message, content=upload.content, mime_type=upload.mime_type, filename=filename
        )
    if request_type is not None:
        services.classify(conversation=conversation, by=None, request_type=request_type)
        if request_type.slug in Kind.values:  # the person chose to complain, or to suggest
            file_complaint(
                conversation=conversation, source=Source.PORTAL, kind=request_type.slug, text=text
            )
    code = _new_code()
    PortalAccess.objects.create(
        conversation=conversation, code_hash=_code_hash(code), contact_details=contact_details[:500]
    )
    return conversation, code


def code_matches(access: PortalAccess, code: str) -> bool:
    return hmac.compare_digest(access.code_hash, _code_hash(code))


@transaction.atomic
def follow_up(
    *, access: PortalAccess, text: str, upload: CheckedUpload | None = None, filename: str = ""
) -> Message:
    """The person writes again on their request, from the portal."""
    conversation = access.conversation
    if conversation.status == Status.CLOSED:
        raise Conflict("this request is closed; please send a new one")
    message = receive(
        channel=conversation.channel,
        inbound=Inbound(
            provider_id=f"portal-{uuid.uuid4().hex}",
            scheme="portal",
            address=conversation.identity.address,
            text=_text(text),
        ),
    ).message
    if upload is not None:
        attach(
            message=message, content=upload.content, mime_type=upload.mime_type, filename=filename
        )
    return message


def forget_contact_details(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """How a person asked to be contacted goes with the content of their request."""
    PortalAccess.objects.filter(conversation_id__in=conversation_ids).update(contact_details="")
