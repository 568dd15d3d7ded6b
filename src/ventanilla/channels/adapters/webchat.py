"""The web chat: visitors write from a widget; replies wait in ventanilla until fetched."""

from __future__ import annotations

from ventanilla.channels.adapters.base import (
    ChannelAdapter,
    Config,
    ConfigField,
    Outbound,
    SendResult,
    check_url,
)


class LocalAdapter(ChannelAdapter):
    """Channels whose people read replies from ventanilla itself (the widget, the portal)."""

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        # Nothing leaves the server: a stored reply is a sent one; it is delivered when
        # the person's page fetches it.
        return SendResult(provider_id=f"local-{outbound.message_id}")


class WebchatAdapter(LocalAdapter):
    type = "webchat"
    label = "Web chat"
    config_fields = (ConfigField("allowed_origins", required=False, many=True, check=check_url),)


class PortalAdapter(LocalAdapter):
    type = "portal"
    label = "Web form"
