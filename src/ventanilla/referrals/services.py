"""Referring people to services and following the referrals up.

An agent refers the person of a conversation to one or more services with their consent:
the services' details go to the person on their channel, in their language, and each
referral waits, pending, for its follow-up. When it is due, the agent who made it is told,
and a person who agreed to be asked is asked on their channel whether they got help; their
answer, or what staff learn, sets it reached, not reached or declined.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import Choice, Menu
from ventanilla.contacts.models import ConsentPurpose
from ventanilla.contacts.services import has_consent, record_consent
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import Said, to_tell
from ventanilla.conversations.models import Conversation, Direction, Message, Status
from ventanilla.desks.models import Desk, Team
from ventanilla.desks.texts import speaking
from ventanilla.knowledge import bot_texts as say
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.privacy.services import audit
from ventanilla.referrals.models import (
    Cost,
    ProtectionReport,
    Referral,
    ReferralSettings,
    ReferralState,
    Service,
    Transfer,
)
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify

logger = logging.getLogger(__name__)
MAX_SERVICES = 5
MAX_NOTE = 2000
ANSWER = "referral."  # the choices of the follow-up question: referral.<id>.yes / .no


def settings_of(desk: Desk) -> ReferralSettings:
    found = ReferralSettings.objects.filter(desk=desk).first()
    return found or ReferralSettings(desk=desk)


@transaction.atomic
def save_settings(
    *,
    desk: Desk,
    by: User | None,
    follow_up_days: int | None = None,
    ask_person: bool | None = None,
    share_history: bool | None = None,
    protection_team: Team | Literal["unchanged"] | None = "unchanged",
) -> ReferralSettings:
    """Change how the desk follows referrals, shares history and reads reports; what is not
    given stays as it is."""
    found = settings_of(desk)
    if follow_up_days is not None:
        found.follow_up_days = follow_up_days
    if ask_person is not None:
        found.ask_person = ask_person
    if share_history is not None:
        found.share_history = share_history
    if protection_team != "unchanged":
        if protection_team is not None and protection_team.desk_id != desk.pk:
            raise Invalid("protection_team: a team of this desk")
        found.protection_team = protection_team
    try:
        found.full_clean(exclude=["desk", "protection_team"])
    except ValidationError as error:
        raise Invalid(" ".join(error.messages)) from error
    found.save()
    audit(actor=by, action="referral.settings", target=desk, follow_up_days=found.follow_up_days,
          share_history=found.share_history, protection_team=found.protection_team_id)  # fmt: skip
    return found


# Referring


@transaction.atomic
def refer(
    *,
    conversation: Conversation,
    to: Sequence[Service],
    by: User,
    consent: bool,
    follow_up: bool = False,
    note: str = "",
    send: bool = True,
) -> list[Referral]:
    """Refer the person to the services `to`, with their consent (Invalid without it), and
    send them the services' details on their channel in their language (`send` False: they
    were given another way, such as on the phone). `follow_up`: they agreed to be asked
    later whether they got help."""
    if not consent:
        raise Invalid(
            "consent: a referral needs the person's agreement; without it, give them the "
            "service's details as an answer"
        )
    if not to:
        raise Invalid("services: choose at least one service")
    if len(to) > MAX_SERVICES:
        raise Invalid(f"services: at most {MAX_SERVICES} at a time")
    if len({s.pk for s in to}) != len(to):
        raise Invalid("services: each service once")
    for service in to:
        if service.desk_id != conversation.desk_id or not service.active:
            raise Invalid(f"services: {service.key} is not listed by this desk")
    note = services.clean_text(note, limit=MAX_NOTE, required=False)
    language = to_tell(conversation)
    sent = _send_details(conversation, to, language, by) if send else None
    contact = conversation.contact
    record_consent(
        contact=contact, purpose=ConsentPurpose.REFERRALS, given=True, source="staff", by=by
    )
    if follow_up:
        record_consent(
            contact=contact, purpose=ConsentPurpose.FOLLOW_UP, given=True, source="staff", by=by
        )
    due = timezone.now() + timedelta(days=settings_of(conversation.desk).follow_up_days)
    made = [
        Referral.objects.create(
            conversation=conversation,
            desk=conversation.desk,
            service=service,
            follow_up=follow_up,
            note=note,
            language=language,
            message=sent,
            by=by,
            follow_up_at=due,
        )
        for service in to
    ]
    for referral in made:
        audit(
            actor=by,
            action="referral.create",
            target=conversation,
            referral=referral.pk,
            service=referral.service.key,
        )
    return made


def _send_details(
    conversation: Conversation, to: Sequence[Service], language: str, by: User
) -> Message:
    with speaking(conversation.desk, language) as spoken:
        text = "\n\n".join(details(service, spoken) for service in to)
        intro = _("Here is where you can get help:")
    channel = None  # the conversation's own; for a caller, a channel that writes to them
    if not adapter_for(conversation.channel.type).sends_text:
        channel = next(iter(services.messaging_channels(conversation)), None)
    return services.reply(
        conversation=conversation, text=f"{intro}\n\n{text}", by=by, channel=channel
    )


def details(service: Service, language: str) -> str:
    """What a person needs to reach the service, in `language` (gettext speaking it)."""
    lines = [f"*{service.name_in(language)}* — {service.organisation.name_in(language)}"]
    description = service.description_in(language)
    if description:
        lines.append(description)
    where = ", ".join(p for p in (service.address, service.city) if p)
    if where:
        lines.append(_("Where: %(place)s") % {"place": where})
    if service.hours:
        lines.append(_("When: %(hours)s") % {"hours": service.hours})
    if service.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": service.phone})
    if service.email:
        lines.append(_("E-mail: %(email)s") % {"email": service.email})
    if service.website:
        lines.append(service.website)
    lines.append(_cost_and_papers(service))
    return "\n".join(lines)


def _cost_and_papers(service: Service) -> str:
    said = [
        {
            Cost.FREE: _("Free of charge."),
            Cost.LOW: _("Low cost."),
            Cost.PAID: _("There is a charge."),
        }[Cost(service.cost)]
    ]
    if service.accepts_undocumented:
        said.append(_("They help people without papers."))
    asked = [
        _("an identity document") if service.asks_id else "",
        _("an address") if service.asks_address else "",
    ]
    if any(asked):
        said.append(_("They ask for: %(what)s.") % {"what": ", ".join(a for a in asked if a)})
    return " ".join(said)


# Following up


@transaction.atomic
def set_state(
    *, referral: Referral, state: str, by: User | None, note: str | None = None
) -> Referral:
    """What became of a referral: pending, reached, not reached or declined (by None: the
    person said so themselves)."""
    if state not in ReferralState.values:
        raise Invalid(f"state must be one of {', '.join(ReferralState.values)}")
    previous = referral.state
    referral.state = state
    referral.state_changed_at, referral.state_by = timezone.now(), by
    fields = ["state", "state_changed_at", "state_by"]
    if note is not None:
        referral.note = services.clean_text(note, limit=MAX_NOTE, required=False)
        fields.append("note")
    referral.save(update_fields=fields)
    audit(
        actor=by,
        action="referral.state",
        target=referral.conversation,
        referral=referral.pk,
        previous=previous,
        state=state,
    )
    return referral


def follow_up_due(*, now: datetime | None = None) -> int:
    """Follow up every pending referral whose day came: a sweep tasks and tests call."""
    now = now or timezone.now()
    due = Referral.objects.filter(
        state=ReferralState.PENDING, follow_up_at__lte=now, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due[:500]) if follow_up(referral_id=pk, now=now))


@transaction.atomic
def follow_up(*, referral_id: int, now: datetime | None = None) -> bool:
    """Tell the agent who referred that the referral is due, and ask the person, if they
    agreed, whether they got help. False if it was followed up meanwhile."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("conversation", "conversation__desk", "conversation__contact", "by")
        .filter(pk=referral_id, state=ReferralState.PENDING, reminded_at__isnull=True)
        .first()
    )
    if referral is None:
        return False
    referral.reminded_at = now or timezone.now()
    fields = ["reminded_at"]
    conversation = referral.conversation
    notify([referral.by], kind=NotificationKind.REFERRAL, conversation=conversation, actor=None)
    if _may_ask(referral):
        try:
            with transaction.atomic():
                _ask(referral)
            referral.asked_at = referral.reminded_at
            referral.asked_resolved_at = conversation.resolved_at
            referral.asked_outcome = conversation.outcome
            fields += ["asked_at", "asked_resolved_at", "asked_outcome"]
        except ServiceError as error:  # the window closed, the conversation was closed...
            logger.info("referral follow-up: person not asked (%s)", error.code)
    referral.save(update_fields=fields)
    return True


def _may_ask(referral: Referral) -> bool:
    conversation = referral.conversation
    return (
        referral.follow_up
        and settings_of(conversation.desk).ask_person
        and conversation.status != Status.CLOSED
        and conversation.content_removed_at is None
        and has_consent(conversation.contact, ConsentPurpose.FOLLOW_UP)
        and services.within_reply_window(conversation)
    )


def _ask(referral: Referral) -> None:
    conversation = referral.conversation
    with speaking(conversation.desk, referral.language or to_tell(conversation)) as spoken:
        text = _("Some days ago we gave you the details of %(service)s. Did you get help there?")
        text %= {"service": referral.service.name_in(spoken)}
        menu = Menu(
            choices=(
                Choice(f"{ANSWER}{referral.pk}.yes", _("Yes, they helped me")),
                Choice(f"{ANSWER}{referral.pk}.no", _("No")),
            )
        )
    automatic.reply(conversation=conversation, text=text, state=Said("referral"), menu=menu)


@dataclass(frozen=True)
class Heard:
    """A person's answer to the follow-up of a referral: reached the service or not."""

    referral: int
    reached: bool


def hear(*, message: Message) -> Heard | None:
    """Take a person's message as their answer to the follow-up question, if it is one: a
    tap on its choices, or yes or no written after it was the last thing asked."""
    if message.direction != Direction.IN:
        return None
    asked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("conversation", "conversation__desk", "service")
        .filter(
            conversation_id=message.conversation_id,
            state=ReferralState.PENDING,
            asked_at__isnull=False,
            answered_at__isnull=True,
        )
        .order_by("-asked_at")
    )
    tapped = message.tapped
    if tapped.startswith(ANSWER):
        key, _dot, said = tapped.removeprefix(ANSWER).partition(".")
        referral = asked.filter(pk=int(key)).first() if key.isdigit() and len(key) < 18 else None
        reached = said == "yes"
    else:
        referral = asked.first()
        text = message.text or ""
        if referral is None or automatic.last_said(message) != "referral":
            return None
        if not (say.says_yes(text) or say.says_no(text)):
            return None
        reached = say.says_yes(text)
    if referral is None:
        return None
    return _answered(referral, message, reached=reached)


def _answered(referral: Referral, message: Message, *, reached: bool) -> Heard:
    referral.answered_at = timezone.now()
    referral.save(update_fields=["answered_at"])
    state = ReferralState.REACHED if reached else ReferralState.NOT_REACHED
    set_state(referral=referral, state=state, by=None)
    conversation = referral.conversation
    if referral.asked_resolved_at is not None:
        services.keep_resolved(
            conversation=conversation,
            resolved_at=referral.asked_resolved_at,
            outcome=referral.asked_outcome,
            why="referral answer",
        )
    with speaking(conversation.desk, referral.language or to_tell(conversation)):
        thanks = (
            _("Thank you for telling us. We are glad you got help.")
            if reached
            else _("Thank you for telling us. Someone from our team will look at it with you.")
        )
    try:
        automatic.reply(conversation=conversation, text=thanks, state=Said("referral-thanks"))
    except ServiceError as error:
        logger.info("referral follow-up: thanks not sent (%s)", error.code)
    if not reached:
        notify([referral.by], kind=NotificationKind.REFERRAL, conversation=conversation, actor=None)
    return Heard(referral=referral.pk, reached=reached)


def forget_texts(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """Receiver of conversations' `content_removed` (retention, erasure): what staff and
    people wrote in referrals, transfers and reports goes with the rest of what was written;
    the services, states, types, places and dates that figures count stay."""
    Referral.objects.filter(conversation_id__in=conversation_ids).update(note="")
    Transfer.objects.filter(conversation_id__in=conversation_ids).update(note="")
    Transfer.objects.filter(to_conversation_id__in=conversation_ids).update(note="")
    ProtectionReport.objects.filter(conversation_id__in=conversation_ids).update(
        account="", when="", perpetrator_name="", wants=""
    )
