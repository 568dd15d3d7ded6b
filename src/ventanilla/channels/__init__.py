"""Channels: configured endpoints (a WhatsApp number, an SMS number...) and their adapters."""
