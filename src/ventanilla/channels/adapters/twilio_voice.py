"""The phone line over Twilio Voice (TwiML)."""

from __future__ import annotations

from ventanilla.channels.adapters.base import ChannelAdapter, Config
from ventanilla.channels.adapters.twilio_sms import TWILIO_FIELDS


class TwilioVoiceAdapter(ChannelAdapter):
    type = "twilio-voice"
    label = "Phone (Twilio Voice)"
    config_fields = TWILIO_FIELDS

    def address(self, config: Config) -> str:
        return str(config["number"])
