"""The out-of-hours notice: someone who writes while the desk (or the conversation's team) is
closed is told, in their language, when it opens and what they can do meanwhile — once per
conversation and closed period, not on every message.

`conversation.closed_notice_until` keeps the opening the last notice announced: until then
the conversation has had its notice (as it has when the bot, handing it to people during the
closure, said when they will answer: the bot's typed state says when it did). The notice is
queued, and its opening recorded, by conversations/automatic.py; it is ventanilla's own (by
None), so it does not count as the desk's first response, and it is marked {"auto": "closed"}
in its details.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.channels.models import Channel, ChannelType
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import NoticeState
from ventanilla.conversations.models import Conversation, Direction, Message, Status
from ventanilla.desks.calendar import LONGEST_CLOSURE_DAYS, calendar_for
from ventanilla.desks.hours import describe_opening, zone_name
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking
from ventanilla.helpcentre.guide_selectors import guide_languages
from ventanilla.lib.errors import ServiceError
from ventanilla.lib.links import public_url
from ventanilla.triage.language import to_tell

logger = logging.getLogger(__name__)

# Channels where a person waits for an answer on the line they wrote on. Not the phone (a
# call is answered by its own menu), nor the web form (the person is not on the page to
# read a reply; its confirmation says what happens next).
NOTICE_CHANNELS = {ChannelType.WEBCHAT, ChannelType.WHATSAPP, ChannelType.TWILIO_SMS}
SMS_LIMIT = 320  # two text messages
IGNORED_KINDS = {"reaction", "revoke", "edit", "system"}  # nothing was said to answer


@transaction.atomic
def send_closed_notice(*, message: Message, now: datetime | None = None) -> bool:
    """Tell the person who wrote `message` that the desk is closed, unless it is open, the
    conversation had its notice for this closed period, or the channel cannot take a reply.
    Says whether a notice was sent."""
    now = now or timezone.now()
    if message.direction != Direction.IN or message.kind in IGNORED_KINDS:
        return False
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("desk", "channel", "contact", "team__desk")
        .get(pk=message.conversation_id)
    )
    if (
        conversation.status == Status.CLOSED
        or conversation.channel.type not in NOTICE_CHANNELS
        or (conversation.closed_notice_until is not None and conversation.closed_notice_until > now)
        or not services.within_reply_window(conversation)
    ):
        return False
    calendar = calendar_for(conversation.desk, conversation.team)
    if calendar.is_open(now):
        return False
    opening = calendar.next_opening(now)
    until = opening or now + timedelta(days=LONGEST_CLOSURE_DAYS)
    if _bot_said_when(conversation, since=calendar.closed_since(now)):
        # The person knows: that was the notice.
        automatic.mark(conversation=conversation, state=NoticeState(until=until))
        return False
    with speaking(conversation.desk, to_tell(conversation)):
        text = notice(conversation, opening=opening, now=now)
    try:
        automatic.reply(conversation=conversation, text=text, state=NoticeState(until=until))
    except ServiceError as error:
        logger.info("out of hours: conversation %s: no notice (%s)", conversation.pk, error.code)
        return False
    logger.info("out of hours: conversation %s: notice sent", conversation.pk)
    return True


def _bot_said_when(conversation: Conversation, *, since: datetime | None) -> bool:
    """Whether the bot handed the conversation to people during this closure: out of hours
    its handover says when people will answer (knowledge/bot.py), which is the notice."""
    said = automatic.state_of(conversation).bot_handed_over_at
    return said is not None and (since is None or said >= since)


def notice(conversation: Conversation, *, opening: datetime | None, now: datetime) -> str:
    """The notice in the active language; on SMS without the form's link, and kept to two
    text messages by leaving out, in turn, the guide's link and the emergency number."""
    desk = conversation.desk
    if opening is not None:
        when = f"{describe_opening(desk, opening, now=now)} ({zone_name(desk.timezone)})"
        closed = _("Thank you for writing. We are closed now and open again on %(when)s.") % {
            "when": when
        }
    else:
        closed = _(
            "Thank you for writing. We are closed now; we will answer you as soon as we can."
        )
    sms = conversation.channel.type == ChannelType.TWILIO_SMS
    guide, form = _links(desk, conversation.language or conversation.contact.language)
    parts = {"guide": "", "form": "", "emergency": ""}  # in the order they are said
    if guide:
        parts["guide"] = _("Meanwhile, you may find your answer in our guide: %(link)s") % {
            "link": guide
        }
    if form and not sms:
        parts["form"] = _("You can also send us a request with our form: %(link)s") % {"link": form}
    if desk.emergency_phone:
        parts["emergency"] = _("In an emergency, call %(phone)s.") % {"phone": desk.emergency_phone}
    separator = " " if sms else "\n\n"

    def said() -> str:
        return separator.join(part for part in (closed, *parts.values()) if part)

    for least_needed in ("guide", "emergency"):
        if not sms or len(said()) <= SMS_LIMIT:
            break
        parts[least_needed] = ""
    return said()


def _links(desk: Desk, spoken: str) -> tuple[str, str]:
    """The desk's guide in the person's language (or the desk's), and its request form."""
    languages = guide_languages(desk)
    guide = ""
    if languages:
        base = spoken.split("-")[0].lower()
        lang = next((code for code in languages if code in (spoken, base)), languages[0])
        guide = public_url(reverse("helpcentre:guide-home", args=[desk.slug, lang]))
    form = ""
    if Channel.objects.filter(desk=desk, type=ChannelType.PORTAL, is_active=True).exists():
        form = public_url(reverse("helpcentre:portal-request", args=[desk.slug]))
    return guide, form
