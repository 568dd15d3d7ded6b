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


class TwilioAdapter(ChannelAdapter):
    """What Twilio's products share: an account, its auth token and one of its numbers."""

    config_fields = (
        ConfigField(
            "account_sid", check=check_pattern(r"AC[0-9a-f]{32}", "AC followed by 32 hex digits")
        ),
        ConfigField("auth_token", secret=True),
        ConfigField("number", check=check_phone),
        ConfigField(
            "api_base_url", required=False, default="https://api.twilio.com", check=check_url
        ),
    )

    def address(self, config: Config) -> str:
        return str(config["number"])


class TwilioSmsAdapter(TwilioAdapter):
    type = "twilio-sms"
    label = "SMS (Twilio)"
