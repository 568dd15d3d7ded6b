"""WhatsApp Business Cloud API (Meta Graph API)."""

from __future__ import annotations

from ventanilla.channels.adapters.base import (
    ChannelAdapter,
    Config,
    ConfigField,
    check_digits,
    check_pattern,
    check_url,
)


class WhatsAppAdapter(ChannelAdapter):
    type = "whatsapp"
    label = "WhatsApp"
    config_fields = (
        ConfigField("phone_number_id", check=check_digits, max_length=32),
        ConfigField("access_token", secret=True),
        ConfigField("app_secret", secret=True),
        ConfigField("verify_token", secret=True),
        ConfigField(
            "api_base_url", required=False, default="https://graph.facebook.com", check=check_url
        ),
        ConfigField(
            "api_version",
            required=False,
            default="v23.0",
            check=check_pattern(r"v\d+\.\d+", "v23.0"),
        ),
    )

    def address(self, config: Config) -> str:
        return str(config["phone_number_id"])
