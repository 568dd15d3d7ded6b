"""Conversations (the cases), messages, notes; the services that receive, reply and route."""
