"""The registry of channel types: one adapter module per provider."""

from __future__ import annotations

from ventanilla.channels.adapters.base import ChannelAdapter
from ventanilla.channels.adapters.twilio_sms import TwilioSmsAdapter
from ventanilla.channels.adapters.twilio_voice import TwilioVoiceAdapter
from ventanilla.channels.adapters.webchat import PortalAdapter, WebchatAdapter
from ventanilla.channels.adapters.whatsapp import WhatsAppAdapter

ADAPTERS: dict[str, ChannelAdapter] = {
    adapter.type: adapter
    for adapter in (
        WhatsAppAdapter(),
        TwilioSmsAdapter(),
        TwilioVoiceAdapter(),
        WebchatAdapter(),
        PortalAdapter(),
    )
}


def adapter_for(channel_type: str) -> ChannelAdapter:
    return ADAPTERS[channel_type]
