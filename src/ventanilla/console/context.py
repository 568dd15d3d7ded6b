"""What the console's forms offer to choose from, for one conversation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ventanilla.conversations.models import Conversation, Outcome, Priority
from ventanilla.teamwork.services import staff_of

ORDER_LABELS = [
    ("recent", _("Latest activity")),
    ("waiting", _("Waiting longest")),
    ("due", _("Service level due first")),
    ("queue", _("Queue: priority, then service level")),
]


def conversation_choices(conversation: Conversation) -> dict[str, Any]:
    desk = conversation.desk
    languages = list(dict.fromkeys([*desk.languages, *dict(settings.LANGUAGES)]))
    return {
        "staff": list(staff_of(desk).order_by("username")),
        "teams": list(desk.teams.all()),
        "request_types": list(desk.request_types.all()),
        "outcomes": Outcome.choices,
        "priorities": Priority.choices,
        "languages": languages,
        "tags": ", ".join(tag.name for tag in conversation.tags.all()),
    }
