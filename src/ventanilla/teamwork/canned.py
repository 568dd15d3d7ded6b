"""Canned responses filled in for one conversation: {desk}, {hours}, {reference}, {agent}."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.utils import translation

from ventanilla.conversations.models import Conversation
from ventanilla.desks.hours import describe_hours
from ventanilla.lib.errors import Invalid
from ventanilla.teamwork.models import CannedResponse

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("desk", "hours", "reference", "agent")


def check_placeholders(text: str) -> None:
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise Invalid(f"unknown placeholder {{{unknown[0]}}}: use {known}")


def language_for(canned: CannedResponse, conversation: Conversation) -> str:
    """The conversation's language if the response has it, else the desk's first that it has."""
    for language in [conversation.language, *conversation.desk.languages, "en"]:
        if language and language in canned.texts:
            return language
    return next(iter(canned.texts))


def fill(canned: CannedResponse, conversation: Conversation, by: User, language: str = "") -> str:
    """The response's text in the language chosen (or the best one), placeholders filled."""
    language = language if language in canned.texts else language_for(canned, conversation)
    with translation.override(language):  # the hours in the person's language
        values = {
            "desk": conversation.desk.name_in(language),
            "hours": describe_hours(conversation.desk),
            "reference": conversation.reference,
            "agent": by.first_name or by.get_username(),
        }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), canned.texts[language])
