"""Why a message could not be sent, in words staff understand, in their language.

Adapters record what the provider said (a code and a title) for integrators and logs;
agents read a sentence instead, never an exception's name, a server's address or the
person's number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from ventanilla.channels.adapters.base import UNCONFIRMED, UNREACHABLE
from ventanilla.conversations.models import Message, MessageStatus

# Who sends on each channel type, as staff know them.
PROVIDERS = {
    "whatsapp": "WhatsApp",
    "twilio-sms": "Twilio",
    "twilio-voice": "Twilio",
}
# Addresses of any kind in a provider's text: links, IP addresses, host names, phone numbers.
ADDRESSES = re.compile(
    r"https?://\S+"
    r"|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|local|internal)\b"
    r"|\+?\d[\d ().-]{5,}\d",
    re.IGNORECASE,
)
# Exception names from the HTTP library, as the transport reports them.
EXCEPTION_NAMES = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Timeout)\b")


def plain_reason(text: str) -> str:
    """A provider's own explanation without addresses or exception names."""
    cleaned = EXCEPTION_NAMES.sub("", ADDRESSES.sub("…", text or ""))
    return " ".join(cleaned.split()).strip(" :;,.") or ""


def failure_text(message: Message) -> str:
    """What went wrong with sending `message`, and whether ventanilla is trying again."""
    if message.direction != "out" or not message.error_code:
        return ""
    if message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.FAILED):
        return ""  # sent after all
    retrying = message.status != MessageStatus.FAILED
    provider = PROVIDERS.get(message.channel.type, "")
    code = message.error_code
    if code == UNCONFIRMED and message.status == MessageStatus.SENDING:
        return _(
            "The provider did not answer in time; waiting for its confirmation before "
            "sending again, so that the person does not get the message twice."
        )
    if code in (UNREACHABLE, UNCONFIRMED):
        if provider:
            problem = _("The %(provider)s server could not be reached") % {"provider": provider}
        else:
            problem = _("The provider's server could not be reached")
    elif code == "unsupported":
        problem = _("This channel cannot send messages")
    elif code in ("internal", "bad_response"):
        problem = _("Sending failed for an unexpected reason")
    elif code == "too_large":
        problem = _("The file is too large to send")
    else:
        reason = plain_reason(message.error_title) or _("error %(code)s") % {"code": code[:16]}
        if provider:
            problem = _("%(provider)s refused the message: %(reason)s") % {
                "provider": provider,
                "reason": reason,
            }
        else:
            problem = _("The message was refused: %(reason)s") % {"reason": reason}
    if retrying:
        return _("%(problem)s; retrying.") % {"problem": problem}
    return _("%(problem)s; not sent.") % {"problem": problem}
