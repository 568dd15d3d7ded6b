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


class WebchatAdapter(ChannelAdapter):
    type = "webchat"
    label = "Web chat"
    config_fields = (ConfigField("allowed_origins", required=False, many=True, check=check_url),)

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        # Nothing leaves the server: the visitor's widget fetches the reply from
        # ventanilla itself, so a stored reply is a sent one.
        return SendResult(provider_id=f"webchat-{outbound.message_id}")
