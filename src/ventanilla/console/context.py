"""What the console's forms offer to choose from, and the phone calls it shows, for one
conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ventanilla.accountability.models import Category, Complaint, ConversationPost, Post
from ventanilla.accountability.selectors import where_it_stands
from ventanilla.calls import records
from ventanilla.calls.models import Call, Leg
from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.models import TYPE_NAMES
from ventanilla.console.guide_forms import language_name
from ventanilla.conversations.access import histories_of
from ventanilla.conversations.models import (
    CHOSEN_OUTCOMES,
    Conversation,
    Priority,
)
from ventanilla.conversations.services import messaging_channels
from ventanilla.desks.models import Desk
from ventanilla.referrals.models import (
    Perpetrator,
    ReferralState,
    ServiceType,
    Urgency,
    Violation,
)
from ventanilla.referrals.selectors import (
    Wanted,
    find_services,
    referred_from,
    transferred_before,
)
from ventanilla.teamwork.assignment import takers_of
from ventanilla.teamwork.services import staff_of

CHANNEL_TYPE_LABELS = TYPE_NAMES  # channel types as staff call them

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
        "staff": _takers(conversation),
        "teams": list(desk.teams.all()),
        "request_types": list(desk.request_types.all()),
        "outcomes": CHOSEN_OUTCOMES,
        "priorities": Priority.choices,
        "languages": languages,
        "tags": ", ".join(tag.name for tag in conversation.tags.all()),
        "calls": phone_calls(conversation),
    }


def complaint_part(conversation: Conversation) -> dict[str, Any]:
    """What the conversation page shows of the register: its complaint, or the lists to
    file it with."""
    complaint = (
        Complaint.objects.filter(conversation=conversation).prefetch_related("entries").first()
    )
    desk = conversation.desk
    posts = list(Post.objects.filter(desk=desk, active=True))
    concerned = ConversationPost.objects.filter(conversation=conversation)
    shown: dict[str, Any] = {
        "conversation_posts": posts,
        "conversation_post": concerned.values_list("post", flat=True).first(),
    }
    if complaint is not None:
        return {**shown, "complaint": complaint, "complaint_state": where_it_stands(complaint)}
    return {
        **shown,
        "complaint": None,
        "complaint_categories": list(Category.objects.filter(desk=desk, active=True)),
        "complaint_posts": posts,
    }


def referral_part(user: Any, conversation: Conversation) -> dict[str, Any]:
    """What the conversation page shows of referrals: those made, and the services of the
    desk in the person's language to refer them to."""
    if not user.has_perm("referrals.view_referral"):
        return {}
    language = (conversation.language or conversation.contact.language).split("-")[0]
    listed = find_services([conversation.desk], Wanted(language=language))
    transferred = transferred_before(user, conversation)
    before = []
    if transferred is not None and transferred.earlier is not None:  # its messages, not notes
        entries = histories_of([transferred.earlier])[transferred.earlier.pk]
        before = [entry for entry in entries if not entry.is_note]
    return {
        "transferred": transferred,
        "transferred_history": before,
        "other_desks": list(Desk.objects.exclude(pk=conversation.desk_id).order_by("name")),
        "referrals": referred_from(conversation),
        "referral_states": ReferralState.choices,
        "violations": Violation.choices,
        "perpetrators": Perpetrator.choices,
        "urgencies": Urgency.choices,
        "service_types": ServiceType.choices,
        "found": listed[:20],
        "refer_language": language,
    }


def _takers(conversation: Conversation) -> list[Any]:
    """Whom the conversation may be given to; its assignee stays listed whoever they are."""
    found = takers_of(conversation.desk)
    if conversation.assignee_id:
        found = found | staff_of(conversation.desk).filter(pk=conversation.assignee_id)
    return list(found.distinct().order_by("username"))


def written_replies(conversation: Conversation) -> dict[str, Any]:
    """A phone conversation is answered by calling back, or in writing on a messaging
    channel of the desk that reaches the person's number: the channels to offer."""
    if adapter_for(conversation.channel.type).sends_text:
        return {"phone_only": False, "reply_channels": []}
    found = messaging_channels(conversation)
    return {
        "phone_only": True,
        "reply_channels": [(c, CHANNEL_TYPE_LABELS.get(c.type, c.type)) for c in found],
    }


@dataclass(frozen=True)
class CallRecord:
    """A person's call as the conversation page shows it (never with their number)."""

    call: Call
    language: str
    waited: str
    talked: str
    can_call_back: bool


def phone_calls(conversation: Conversation) -> list[CallRecord]:
    found = (
        conversation.calls.filter(leg=Leg.CALLER)
        .select_related("conversation__identity", "agent", "callback_by", "recording")
        .order_by("started_at", "id")
    )
    return [
        CallRecord(
            call=call,
            language=language_name(call.language) if call.language else "",
            waited=seconds(call.wait_seconds),
            talked=seconds(call.talk_seconds),
            can_call_back=call.callback_done_at is None and records.can_call_back(call),
        )
        for call in found
    ]


def seconds(amount: int | None) -> str:
    """A short length of time: "45 s", "4 min 5 s"."""
    if amount is None:
        return ""
    minutes, rest = divmod(amount, 60)
    if not minutes:
        return gettext("%(seconds)d s") % {"seconds": rest}
    return gettext("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
