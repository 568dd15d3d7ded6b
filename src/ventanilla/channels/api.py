"""API v1: channels. Secrets in a channel's configuration are accepted, never returned."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ventanilla.channels import services
from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import SendError
from ventanilla.channels.models import Channel
from ventanilla.channels.selectors import (
    channel_for,
    channels_visible_to,
    sending_channel_for,
)
from ventanilla.desks.selectors import desk_named
from ventanilla.lib.access import require
from ventanilla.lib.errors import ProviderError
from ventanilla.lib.links import public_url

router = Router(tags=["channels"])


class ChannelIn(Schema):
    desk: str = Field("default", description="Slug of the desk the channel serves.")
    type: str = Field(description="whatsapp, twilio-sms, twilio-voice or webchat")
    name: str
    config: dict[str, Any] = Field(default_factory=dict)


class ChannelOut(Schema):
    id: UUID
    desk: str
    type: str
    name: str
    address: str
    webhook_url: str
    config: dict[str, Any] = Field(description="The configuration without its secrets.")
    secrets: list[str] = Field(description="Names of the secrets that are set.")
    is_active: bool
    created_at: datetime


def channel_out(channel: Channel, request: HttpRequest) -> ChannelOut:
    adapter = adapter_for(channel.type)
    return ChannelOut(
        id=channel.id,
        desk=channel.desk.slug,
        type=channel.type,
        name=channel.name,
        address=channel.address,
        webhook_url=public_url(channel.webhook_path, request),
        config=adapter.public_config(channel.config),
        secrets=adapter.secrets_set(channel.config),
        is_active=channel.is_active,
        created_at=channel.created_at,
    )


@router.post("", response={201: ChannelOut})
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status[ChannelOut]:
    """Configure a channel; point the provider's webhook at the returned `webhook_url`."""
    require(request.user, "channels.add_channel")
    channel = services.create_channel(
        desk=desk_named(request.user, payload.desk),
        type=payload.type,
        name=payload.name,
        config=payload.config,
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(201, channel_out(channel, request))


class ChannelPatch(Schema):
    name: str | None = None
    config: dict[str, Any] | None = Field(
        None, description="Only the keys that change; null removes an optional key."
    )
    is_active: bool | None = None


@router.patch("/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: str, payload: ChannelPatch) -> ChannelOut:
    """Rename a channel, change its configuration (rotate a token), or switch it off or on."""
    require(request.user, "channels.change_channel")
    channel = services.update_channel(
        channel=channel_for(request.user, channel_id),
        by=request.user,  # type: ignore[arg-type]
        **payload.dict(exclude_unset=True),
    )
    return channel_out(channel, request)


@router.get("", response=list[ChannelOut])
def list_channels(request: HttpRequest, desk: str | None = None) -> list[ChannelOut]:
    channels = channels_visible_to(request.user)
    if desk:
        channels = channels.filter(desk__slug=desk)
    return [channel_out(channel, request) for channel in channels]


@router.get("/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: str) -> ChannelOut:
    return channel_out(channel_for(request.user, channel_id), request)


class TemplateOut(Schema):
    name: str
    language: str
    category: str
    body: str = Field(description="The body text, with its {{n}} placeholders.")
    parameters: int = Field(description="How many values the body's placeholders need.")


@router.get("/{channel_id}/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest, channel_id: str) -> list[TemplateOut]:
    """A WhatsApp channel's approved templates: what may be sent outside the 24-hour window."""
    channel = sending_channel_for(request.user, channel_id)
    try:
        found = services.templates_for(channel=channel)
    except SendError as error:
        raise ProviderError(f"WhatsApp did not list the templates: {error.title}") from None
    return [TemplateOut(**template) for template in found]
