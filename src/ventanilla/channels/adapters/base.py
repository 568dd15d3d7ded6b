"""What every channel adapter shares: its configuration schema and the plain data it exchanges.

Adapters verify, parse into these dataclasses, acknowledge and send. They never touch the
database: the conversations services turn an Inbound into rows, and the send task hands
an adapter an Outbound built from rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

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


@dataclass(frozen=True)
class MediaRef:
    """A piece of media as the provider refers to it, before ventanilla has fetched it."""

    provider_ref: str
    mime_type: str = ""
    filename: str = ""
    sha256: str = ""
    caption: str = ""


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
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outbound:
    """One message to send, with the recipient's address already decrypted."""

    message_id: int
    scheme: str
    to: str
    text: str


@dataclass(frozen=True)
class SendResult:
    provider_id: str


class SendError(Exception):
    """A send that failed; `permanent` says whether trying again could help."""

    def __init__(self, code: str, title: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {title}")
        self.code = code
        self.title = title
        self.permanent = permanent


class ChannelAdapter:
    """The protocol of one provider. Subclasses live in one module each."""

    type: str
    label: str
    config_fields: tuple[ConfigField, ...] = ()

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

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        raise SendError(
            "unsupported", f"{self.label} channels do not send messages", permanent=True
        )
