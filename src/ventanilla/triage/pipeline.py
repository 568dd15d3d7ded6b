"""What happens to a person's message once it is stored, as an ordered list of steps.

Each step reads the message, its conversation and what the steps before it decided, does its
part through the services of the rooms below, and returns a typed decision. The whole of a
message's triage runs in one transaction that ends by marking the message triaged: a consumer
killed half-way leaves nothing done, and the sweeper runs the triage again from the start, so
a message is triaged exactly once (its replies are sent after the commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ventanilla.accountability import surveys
from ventanilla.accountability.models import Kind, Source
from ventanilla.conversations.models import Conversation, Direction, Message, Status
from ventanilla.helpcentre.status_chat import answer_in_conversation
from ventanilla.knowledge import bot
from ventanilla.knowledge.bot import Step
from ventanilla.referrals import offers, protection_flow
from ventanilla.referrals import services as referrals
from ventanilla.triage import complaints, language, privacy, routing
from ventanilla.triage.decisions import (
    ClosedNotice,
    ComplaintFiled,
    ComplaintFollowed,
    Decision,
    ErasureAsked,
    HandedOver,
    Ignored,
    LanguageDecided,
    Passed,
    PrivacyNoticeGiven,
    ReferralAnswered,
    ReportTold,
    Routed,
    ServicesOffered,
    StatusAnswered,
    SurveyAnswered,
    WaitingForPerson,
)
from ventanilla.triage.out_of_hours import send_closed_notice

logger = logging.getLogger(__name__)

# Calls and voice messages: the phone line answers and routes them itself (ventanilla.calls).
CALL_KINDS = ("call", "voicemail")
GIVE_UP_AFTER = 5  # failed attempts at a message's triage before it is left to people as it is
RESUME_AFTER = timedelta(seconds=30)  # untriaged this long: its task was lost


@dataclass
class Triage:
    """One message going through the steps, and what they decided so far."""

    message: Message
    conversation: Conversation
    decisions: list[Decision] = field(default_factory=list)

    def decided(self, kind: type[Decision]) -> Decision | None:
        return next((d for d in self.decisions if isinstance(d, kind)), None)


def ignore_calls(triage: Triage) -> Decision:
    kind = triage.message.kind
    return Ignored(kind) if kind in CALL_KINDS else Passed("calls")


def decide_language(triage: Triage) -> Decision:
    return LanguageDecided(language.decide(triage.conversation, triage.message.text))


def give_privacy_notice(triage: Triage) -> Decision:
    if privacy.give_notice(message=triage.message):
        return PrivacyNoticeGiven(given=True)
    return Passed("privacy notice")


def take_erasure_request(triage: Triage) -> Decision:
    if privacy.take_erasure_request(message=triage.message):
        return ErasureAsked()
    return Passed("erasure")


def take_survey_answer(triage: Triage) -> Decision:
    """An answer to the satisfaction survey the person was asked; anything else sets the
    survey aside and goes on."""
    heard = surveys.hear(message=triage.message)
    if heard is None:
        return Passed("survey")
    return SurveyAnswered(survey=heard.survey, step=heard.step, finished=heard.finished)


def take_referral_answer(triage: Triage) -> Decision:
    """An answer to the follow-up of a referral: did the person get help from the service?"""
    heard = referrals.hear(message=triage.message)
    if heard is None:
        return Passed("referral")
    return ReferralAnswered(referral=heard.referral, reached=heard.reached)


def take_protection_report(triage: Triage) -> Decision:
    """A rights-violation report told to the bot, question by question, or its start."""
    heard = protection_flow.hear(message=triage.message)
    if heard is None:
        return Passed("protection report")
    return ReportTold(step=heard.step, report=heard.report, filed=heard.filed)


def look_up_status(triage: Triage) -> Decision:
    answered = answer_in_conversation(message=triage.message)
    return StatusAnswered() if answered else Passed("status")


def take_complaint(triage: Triage) -> Decision:
    """A complaint or a suggestion filed by its word or the bot's menu, or one followed by
    its number."""
    if not complaints.from_person(triage.message):
        return Passed("complaints")
    if bot.choice_made(triage.message) == bot.COMPLAINT:
        filed = complaints.file_from_message(
            message=triage.message, kind=Kind.COMPLAINT, source=Source.MENU
        )
        if filed is not None:
            return ComplaintFiled(number=filed.number, kind=filed.kind)
        return Passed("complaints")
    asked = complaints.heard(triage.message.text)
    if asked.number:
        found = complaints.follow_from_message(message=triage.message, number=asked.number)
        return ComplaintFollowed(found=found)
    if asked.kind:
        filed = complaints.file_from_message(message=triage.message, kind=asked.kind)
        if filed is not None:
            return ComplaintFiled(number=filed.number, kind=filed.kind)
    return Passed("complaints")


def offer_services(triage: Triage) -> Decision:
    """The directory's services for a person asking where to find a kind of help, near the
    place they name; not in a conversation in the complaints register (people handle it)."""
    if triage.decided(ErasureAsked) is not None or complaints.is_filed(triage.conversation):
        return Passed("services")
    offered = offers.offer(message=triage.message)
    if offered is None:
        return Passed("services")
    return ServicesOffered(
        type=offered.type, services=offered.services, asked_where=offered.asked_where
    )


def let_the_bot_answer(triage: Triage) -> Decision:
    """The bot answers, unless the message asked for erasure or the conversation is in the
    complaints register (people handle those)."""
    if triage.decided(ErasureAsked) is not None or complaints.is_filed(triage.conversation):
        return Passed("bot")
    said = bot.respond(message=triage.message)
    if said.language:
        language.adopt(triage.conversation, said.language)
    if said.holds:
        return WaitingForPerson(said.step)
    if said.step == Step.HANDED_OVER:
        return HandedOver(reason=said.reason, urgent=said.urgent, told=said.told_person)
    return Passed("bot")


def route(triage: Triage) -> Decision:
    """A conversation is routed when it first needs people, and again when the bot hands it
    over (its topic and priority may have changed)."""
    conversation = triage.conversation
    conversation.refresh_from_db()
    handed_over = triage.decided(HandedOver) is not None
    if conversation.status == Status.CLOSED or not (handed_over or conversation.routed_at is None):
        return Passed("routing")
    routed = routing.route(conversation=conversation)
    return Routed(
        team_id=routed.team.pk if routed.team else None,
        assignee_id=routed.assignee.pk if routed.assignee else None,
        interpretation=routed.interpretation,
        notified=routed.notified,
    )


def tell_when_open(triage: Triage) -> Decision:
    """Out of hours, the person is told when the desk opens, unless the bot already said."""
    handed_over = triage.decided(HandedOver)
    if isinstance(handed_over, HandedOver) and handed_over.told:
        return Passed("out of hours")
    return ClosedNotice(sent=send_closed_notice(message=triage.message))


STEPS: list[Callable[[Triage], Decision]] = [
    ignore_calls,
    decide_language,
    give_privacy_notice,
    take_erasure_request,
    take_survey_answer,
    take_referral_answer,
    take_protection_report,
    look_up_status,
    take_complaint,
    offer_services,
    let_the_bot_answer,
    route,
    tell_when_open,
]


def triage(message_id: int) -> list[Decision]:
    """Run the steps for a person's message that has not been triaged; what they decided.

    An empty list: the message is not a person's, is gone, or was triaged already.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, direction=Direction.IN, triaged_at__isnull=True)
            .first()
        )
        if message is None:
            return []
        conversation = Conversation.objects.select_related("desk").get(pk=message.conversation_id)
        done = Triage(message, conversation)
        for step in STEPS:
            decision = step(done)
            done.decisions.append(decision)
            if decision.stops:
                break
        Message.objects.filter(pk=message.pk).update(triaged_at=timezone.now())
    logger.info(
        "triage: message %s: %s",
        message_id,
        ", ".join(type(d).__name__ for d in done.decisions if not isinstance(d, Passed)),
    )
    return done.decisions


def failed(message_id: int) -> None:
    """Count a failed attempt; after GIVE_UP_AFTER the message is left to people as it is
    (it is in the inbox already) rather than tried for ever."""
    with transaction.atomic():
        Message.objects.filter(pk=message_id).update(triage_attempts=F("triage_attempts") + 1)
        given_up = Message.objects.filter(
            pk=message_id, triaged_at__isnull=True, triage_attempts__gte=GIVE_UP_AFTER
        ).update(triaged_at=timezone.now())
    if given_up:
        logger.error("triage: message %s given up after %s attempts", message_id, GIVE_UP_AFTER)


def untriaged(*, older_than: timedelta = RESUME_AFTER, limit: int = 500) -> list[int]:
    """People's messages whose triage did not finish (a lost task, a killed consumer)."""
    before = timezone.now() - older_than
    return list(
        Message.objects.filter(direction=Direction.IN, triaged_at__isnull=True)
        .filter(created_at__lt=before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
