"""Fake provider servers (Graph API, Twilio) on 127.0.0.1, speaking their documented protocols."""
