"""What every channel adapter shares: its configuration schema and the plain data it exchanges.

Adapters verify, parse into these dataclasses, acknowledge and send. They never touch the
database: the conversations services turn events into rows, and the tasks hand an adapter
an Outbound built from rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ventanilla.lib import http
from ventanilla.lib.addresses import normalise_phone
from ventanilla.lib.errors import Invalid

Config = Mapping[str, Any]


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


def check_digits(value: str) -> str:
    if not value.isdigit():
        raise ValueError("must be digits only")
    return value


def check_pattern(pattern: str, example: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must look like {example}")
        return value

    return check


def check_phone(value: str) -> str:
    return normalise_phone(value)


@dataclass(frozen=True)
class ConfigField:
    """One key of a channel's configuration."""

    name: str
    required: bool = True
    secret: bool = False
    default: str | None = None
    check: Callable[[str], str] | None = None
    many: bool = False  # a list of strings rather than one
    max_length: int = 512


# Events: what a provider's delivery says, in plain data.


@dataclass(frozen=True)
class MediaRef:
    """A piece of media as the provider refers to it, before ventanilla has fetched it."""

    provider_ref: str
    mime_type: str = ""
    filename: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Inbound:
    """One message from a person, as parsed from a provider's delivery."""

    provider_id: str
    scheme: str
    address: str
    text: str = ""
    kind: str = "text"
    sender_name: str = ""
    sent_at: datetime | None = None
    media: tuple[MediaRef, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)  # location, reply ids, errors...
    language: str = ""  # a hint: the language the person chose, if the channel asks
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    """What a provider reports about a message ventanilla sent."""

    provider_id: str
    status: str  # sent, delivered, read or failed
    at: datetime | None = None
    tracker: str = ""  # ventanilla's own message id, when the provider echoes it back
    error_code: str = ""
    error_title: str = ""


@dataclass(frozen=True)
class CallEvent:
    """A moment of a phone call the provider asks about: the call has come in, a key was
    pressed, a recording is ready, the caller waits or left the queue, the call ended.

    `action` is the webhook's sub-path ("" for the incoming call), `query` the values
    ventanilla put in the URL it gave the provider; the rest is the provider's report,
    with None where it said nothing.
    """

    call_sid: str
    action: str
    query: Mapping[str, str] = field(default_factory=dict)
    caller: str = ""  # the number calling in, or "" when withheld
    called: str = ""
    status: str = ""  # queued, ringing, in-progress, completed, busy, failed, no-answer, canceled
    direction: str = ""  # inbound, outbound-api or outbound-dial
    digits: str = ""
    recording_url: str = ""
    recording_sid: str = ""
    recording_status: str = ""
    recording_seconds: int | None = None
    queue_seconds: int | None = None  # how long the caller has waited in the queue
    queue_position: int | None = None
    queue_result: str = ""  # bridged, hangup, leave, redirected, queue-full, error...
    dequeued_by: str = ""  # the call id of the agent's leg that took the caller
    dial_status: str = ""
    dial_seconds: int | None = None
    duration_seconds: int | None = None  # the whole call's, once it has ended


Event = Inbound | StatusUpdate | CallEvent


@dataclass(frozen=True)
class WebhookRequest:
    """What an adapter sees of an HTTP request from a provider."""

    method: str
    url: str  # as the provider called it: VENTANILLA_PUBLIC_URL + path + query
    action: str  # "" for the webhook itself, or its sub-path ("status")
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    form: Mapping[str, list[str]]


@dataclass(frozen=True)
class Webhook:
    """A verified delivery: its events, what could not be read of it, and the answer to give."""

    events: list[Event] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # why some parts were passed over
    status: int = 200
    body: str = ""
    content_type: str = "text/plain"


class WebhookRejected(Exception):
    """A request that is not a genuine, well-formed delivery from the provider."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# Sending.


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp message template and the values of its body's placeholders."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Menu:
    """Choices offered with a message: up to three buttons, or a list behind one button."""

    choices: tuple[Choice, ...]
    button: str = ""  # set for a list: the label of the button that opens it
    section: str = ""


@dataclass(frozen=True)
class OutboundFile:
    content: bytes
    mime_type: str
    filename: str
    url: str = ""  # where the provider may fetch it (a signed, expiring link), if it must


@dataclass(frozen=True)
class Outbound:
    """One message to send, with the recipient's address already decrypted."""

    message_id: int
    scheme: str
    to: str
    text: str = ""
    template: Template | None = None
    menu: Menu | None = None
    files: tuple[OutboundFile, ...] = ()
    status_url: str = ""  # where the provider should report this message's statuses

    @property
    def tracker(self) -> str:
        return f"vt-{self.message_id}"


@dataclass(frozen=True)
class SendResult:
    provider_id: str


# Voice: what a caller hears and does, for an adapter to write in its provider's language.


@dataclass(frozen=True)
class Say:
    text: str
    language: str  # the speech voice's locale: es-ES, arb, fr-FR
    voice: str = ""


@dataclass(frozen=True)
class Play:
    url: str


@dataclass(frozen=True)
class Pause:
    seconds: int = 1


Prompt = Say | Play | Pause


@dataclass(frozen=True)
class Gather:
    """Wait for keys while the prompts play; the keys go to `action`. Without input the
    call goes on to the next step."""

    action: str
    prompts: tuple[Prompt, ...]
    digits: int = 1
    timeout: int = 6


@dataclass(frozen=True)
class Record:
    """Record the caller (a voice message) after a tone, up to `max_seconds`."""

    action: str
    max_seconds: int
    status_url: str  # where the provider says the recording is ready


@dataclass(frozen=True)
class Enqueue:
    queue: str
    wait_url: str  # asked again and again while the caller waits
    action: str  # asked when the caller leaves the queue


@dataclass(frozen=True)
class Leave:
    """Take the caller out of the queue (on to the Enqueue's action)."""


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Redirect:
    url: str


@dataclass(frozen=True)
class DialQueue:
    """Connect this call (an agent's) to the first caller of a queue."""

    queue: str
    connect_url: str  # heard by the caller just before being put through
    action: str
    recording_url: str = ""  # set to record the call: where the recording is announced


@dataclass(frozen=True)
class DialNumber:
    """Ring a number and connect it to this call (an agent calling a person back)."""

    number: str
    caller_id: str
    action: str
    timeout: int = 30
    recording_url: str = ""


Step = Prompt | Gather | Record | Enqueue | Leave | Hangup | Redirect | DialQueue | DialNumber


class SendError(Exception):
    """A send that failed; `permanent` says whether trying again could help."""

    def __init__(self, code: str, title: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {title}")
        self.code = code
        self.title = title
        self.permanent = permanent


UNREACHABLE = "unreachable"
# The provider may have taken the request (its answer never came): sending it again could
# send it twice, so the sender waits for the provider's status report instead.
UNCONFIRMED = "unconfirmed"


def transport_failure(error: http.TransportError, *, creates: bool) -> SendError:
    """A network failure as a SendError; `creates`: the request creates something (a
    message, a call) that would exist twice if the request were simply made again."""
    code = UNCONFIRMED if creates and error.may_have_arrived else UNREACHABLE
    return SendError(code, str(error), permanent=False)


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    mime_type: str
    sha256: str = ""  # as the provider states it, to be checked against the content


def tracked_message(tracker: str) -> int | None:
    """ventanilla's message id from a tracker ('vt-123'), or None for anything else."""
    if tracker.startswith("vt-") and tracker[3:].isdigit() and len(tracker) < 24:
        return int(tracker[3:])
    return None


class ChannelAdapter:
    """The protocol of one provider. Subclasses live in one module each."""

    type: str
    label: str
    config_fields: tuple[ConfigField, ...] = ()
    max_text: int = 4096
    sends_text: bool = True  # False: the channel carries calls only, replies go elsewhere
    reply_window: timedelta | None = None  # how long after a person's message free text may go

    def clean_config(self, raw: Config) -> dict[str, Any]:
        """The configuration with defaults applied, or Invalid naming every problem."""
        problems = [f"unknown key {key!r}" for key in raw if key not in self._fields]
        clean: dict[str, Any] = {}
        for spec in self.config_fields:
            value = raw.get(spec.name, spec.default)
            if value is None or value == "" or value == []:
                if spec.required:
                    problems.append(f"{spec.name} is required")
                continue
            try:
                clean[spec.name] = self._clean_value(spec, value)
            except ValueError as error:
                problems.append(f"{spec.name} {error}")
        if problems:
            raise Invalid("config: " + "; ".join(problems))
        return clean

    @staticmethod
    def _clean_value(spec: ConfigField, value: Any) -> Any:
        values = value if spec.many else [value]
        if spec.many and not isinstance(value, list):
            raise ValueError("must be a list of strings")
        cleaned = []
        for item in values:
            if not isinstance(item, str):
                raise ValueError("must be a string")
            item = item.strip()
            if len(item) > spec.max_length:
                raise ValueError(f"must be at most {spec.max_length} characters")
            cleaned.append(spec.check(item) if spec.check else item)
        return cleaned if spec.many else cleaned[0]

    @property
    def _fields(self) -> dict[str, ConfigField]:
        return {spec.name: spec for spec in self.config_fields}

    def public_config(self, config: Config) -> dict[str, Any]:
        """The configuration without its secrets, fit to show."""
        return {k: v for k, v in config.items() if k in self._fields and not self._fields[k].secret}

    def secrets_set(self, config: Config) -> list[str]:
        return sorted(k for k in config if k in self._fields and self._fields[k].secret)

    def address(self, config: Config) -> str:
        """The channel's own address (its number or account id), used to avoid duplicates."""
        return ""

    def read_webhook(self, config: Config, request: WebhookRequest) -> Webhook:
        """Verify a request from the provider, then parse it into events."""
        raise WebhookRejected(404, f"{self.label} channels have no webhook")

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        raise SendError(
            "unsupported", f"{self.label} channels do not send messages", permanent=True
        )

    def fetch_media(self, config: Config, provider_ref: str) -> FetchedMedia:
        raise SendError(
            "unsupported", f"{self.label} channels have no media to fetch", permanent=True
        )

    def forget_media(self, config: Config, provider_ref: str) -> None:
        """Ask the provider to delete its copy of media ventanilla now keeps (no-op by default)."""

    def answer_call(self, steps: list[Step]) -> Webhook:
        """The answer to a call's webhook that makes the call go through `steps`."""
        raise WebhookRejected(404, f"{self.label} channels take no calls")

    def place_call(self, config: Config, *, to: str, url: str, status_url: str) -> str:
        """Ring `to` from the channel's number; when answered, the call asks `url` what to do.
        Returns the provider's call id."""
        raise SendError("unsupported", f"{self.label} channels place no calls", permanent=True)

    def menu_as_text(self, text: str, menu: Menu) -> str:
        """A menu written out for channels that cannot show buttons."""
        lines = [text, ""] if text else []
        lines += [f"{n}. {choice.title}" for n, choice in enumerate(menu.choices, start=1)]
        return "\n".join(lines)
