"""The phone line over Twilio Voice (TwiML)."""

from __future__ import annotations

from ventanilla.channels.adapters.twilio_sms import TwilioAdapter


class TwilioVoiceAdapter(TwilioAdapter):
    type = "twilio-voice"
    label = "Phone (Twilio Voice)"
