"""SMS over Twilio's Messaging API."""

from __future__ import annotations

from ventanilla.channels.adapters.base import (
    ChannelAdapter,
    Config,
    ConfigField,
    check_pattern,
    check_phone,
    check_url,
)

TWILIO_FIELDS = (
    ConfigField(
        "account_sid", check=check_pattern(r"AC[0-9a-f]{32}", "AC followed by 32 hex digits")
    ),
    ConfigField("auth_token", secret=True),
    ConfigField("number", check=check_phone),
    ConfigField("api_base_url", required=False, default="https://api.twilio.com", check=check_url),
)


class TwilioSmsAdapter(ChannelAdapter):
    type = "twilio-sms"
    label = "SMS (Twilio)"
    config_fields = TWILIO_FIELDS

    def address(self, config: Config) -> str:
        return str(config["number"])
