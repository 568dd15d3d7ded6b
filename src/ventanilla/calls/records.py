"""The call records: every change the call flow makes to calls and their conversations.

A caller's call opens (or joins) a conversation through the same door as any message, so
the person is one contact whether they call, text or write on WhatsApp from one number.
When a call ends its conversation is settled: an answered call is resolved with its
agent as assignee, a voice message or a callback request is routed to the people who
will deal with it, and a call that left nothing behind is resolved as "no reply".
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Avg, Q
from django.utils import timezone

from ventanilla.accountability.models import Complaint, Source
from ventanilla.accountability.services import file_complaint
from ventanilla.calls.models import Call, Leg, Outcome, VoiceLine
from ventanilla.channels.adapters.base import CallEvent, Inbound
from ventanilla.contacts.models import Identity
from ventanilla.conversations import services as conversations
from ventanilla.conversations import sla
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Attachment, Conversation, Message, Priority, Status
from ventanilla.conversations.models import Outcome as ConversationOutcome
from ventanilla.desks.models import AgentProfile, RequestType
from ventanilla.lib.addresses import Scheme
from ventanilla.lib.errors import NotFound, ServiceError

logger = logging.getLogger(__name__)

DEFAULT_TALK_SECONDS = 240  # the handling time assumed before the line has answered calls
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}


def start(line: VoiceLine, event: CallEvent) -> Call:
    """The record of a call coming in, with its conversation; the same on a retried request."""
    existing = Call.objects.filter(channel=line.channel, call_sid=event.call_sid).first()
    if existing is not None:
        return existing
    scheme, address = (
        (Scheme.TEL, event.caller) if event.caller else (Scheme.WITHHELD, event.call_sid)
    )
    inbound = Inbound(provider_id=event.call_sid, scheme=scheme, address=address, kind="call")
    message = receive(channel=line.channel, inbound=inbound).message
    try:
        with transaction.atomic():
            return Call.objects.create(
                channel=line.channel,
                call_sid=event.call_sid,
                conversation=message.conversation,
                message=message,
                status=event.status[:16],
                started_at=timezone.now(),
            )
    except IntegrityError:  # the same call's webhook, retried at the same moment
        return Call.objects.get(channel=line.channel, call_sid=event.call_sid)


def caller(line: VoiceLine, event: CallEvent) -> Call:
    """The caller's call a webhook is about; one the line never saw is started now."""
    found = (
        Call.objects.select_for_update(of=("self",))
        .select_related("conversation")
        .filter(channel=line.channel, call_sid=event.call_sid, leg=Leg.CALLER)
        .first()
    )
    return found if found is not None else start(line, event)


def leg(line: VoiceLine, event: CallEvent, kind: str) -> Call:
    """An agent's leg, placed by the line (take the next call, call back)."""
    found = (
        Call.objects.select_for_update(of=("self",))
        .filter(channel=line.channel, leg=kind)
        .filter(Q(call_sid=event.call_sid) | Q(pk=_int(event.query.get("leg"))))
        .order_by("-started_at")
        .first()
    )
    if found is None:
        raise NotFound("this call was not placed by the line")
    _adopt_sid(found, event.call_sid)
    return found


PENDING = "pending-"  # the call id of a leg placed whose provider id is not known yet


def _adopt_sid(call: Call, call_sid: str) -> None:
    """A leg reported on before the request that placed it returned learns its id here."""
    if call.call_sid.startswith(PENDING) and call_sid:
        call.call_sid = call_sid
        call.save(update_fields=["call_sid"])


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


def menu_error(call: Call) -> None:
    call.menu_errors += 1
    call.save(update_fields=["menu_errors"])


def set_language(call: Call, language: str) -> None:
    call.language = language
    call.save(update_fields=["language"])
    conversation = call.conversation
    if conversation is not None and not conversation.language:
        conversations.classify(conversation=conversation, by=None, language=language)


def out_of_hours(call: Call) -> None:
    call.out_of_hours = True
    call.save(update_fields=["out_of_hours"])


def queue_name(call: Call, urgent: bool) -> str:
    """Callers wait in one queue per language and urgency, so that an agent takes the
    longest-waiting caller they can talk to, urgent ones first."""
    return (
        f"vt-{call.channel_id.hex[:12]}-{call.language or 'xx'}-{'urgent' if urgent else 'normal'}"
    )


def enqueue(call: Call, *, topic: str, request_type: str, urgent: bool) -> None:
    call.topic, call.urgent = topic, urgent
    call.queue = queue_name(call, urgent)
    call.enqueued_at = timezone.now()
    call.save(update_fields=["topic", "urgent", "queue", "enqueued_at"])
    conversation = call.conversation
    if conversation is None or conversation.status == Status.CLOSED:
        return
    changes: dict[str, object] = {"topic": topic} if topic else {}
    kind = RequestType.objects.filter(desk_id=conversation.desk_id, slug=request_type).first()
    if kind is not None:
        changes["request_type"] = kind
    if urgent:
        changes["priority"] = Priority.URGENT
    if changes:
        conversations.classify(conversation=conversation, by=None, **changes)  # type: ignore[arg-type]
    if urgent:  # the protection team hears of it now, not when the call ends
        _route_later(conversation.pk)


def complaint(call: Call) -> None:
    """The caller chose the complaints option: the call's conversation is in the register
    (the agent who answers tells them its number, on the conversation's page)."""
    conversation = call.conversation
    if conversation is None or conversation.status == Status.CLOSED:
        return
    if not Complaint.objects.filter(conversation=conversation).exists():
        file_complaint(conversation=conversation, source=Source.PHONE)


def still_waiting(call: Call, waited: int | None) -> None:
    if waited is not None:
        call.wait_seconds = waited
        call.save(update_fields=["wait_seconds"])


def waiting_calls(channel_id: UUID) -> list[Call]:
    return list(
        Call.objects.filter(
            channel_id=channel_id,
            leg=Leg.CALLER,
            enqueued_at__isnull=False,
            left_queue_at__isnull=True,
            ended_at__isnull=True,
        ).order_by("-urgent", "enqueued_at", "id")
    )


def position(call: Call) -> tuple[int, int]:
    """The caller's place among those who will be answered before them (urgent callers of
    their language first, then in order of arrival), and the expected wait in minutes:
    place x the line's average talk time / the agents who can take the call."""

    def rank(one: Call) -> tuple[bool, float, int]:  # higher: answered sooner
        return (one.urgent, -(one.enqueued_at or one.started_at).timestamp(), -one.pk)

    ahead = [
        other
        for other in waiting_calls(call.channel_id)
        if other.language == call.language and other.pk != call.pk and rank(other) > rank(call)
    ]
    place = len(ahead) + 1
    recent = Call.objects.filter(
        channel_id=call.channel_id, leg=Leg.CALLER, talk_seconds__isnull=False
    ).order_by("-started_at")[:50]
    talk = Call.objects.filter(pk__in=recent.values("pk")).aggregate(a=Avg("talk_seconds"))["a"]
    agents = max(phone_agents(call), 1)
    minutes = math.ceil(place * (talk or DEFAULT_TALK_SECONDS) / agents / 60)
    return place, max(minutes, 1)


def phone_agents(call: Call) -> int:
    """How many available staff of the call's desk take calls and speak its language."""
    found = AgentProfile.objects.filter(
        desks__id=call.channel.desk_id, available=True, user__is_active=True
    ).exclude(phone="")
    return sum(
        1 for p in found.only("languages") if not p.languages or call.language in p.languages
    )


def can_call_back(call: Call) -> bool:
    return call.conversation is not None and call.conversation.identity.scheme == Scheme.TEL


def request_callback(call: Call) -> None:
    if call.callback_requested_at is None:
        call.callback_requested_at = timezone.now()
        call.outcome = Outcome.CALLBACK
        call.save(update_fields=["callback_requested_at", "outcome"])


def left_queue(call: Call, result: str, waited: int | None) -> None:
    now = timezone.now()
    if call.left_queue_at is None:
        call.left_queue_at = now
    if waited is not None:
        call.wait_seconds = waited
    elif call.wait_seconds is None and call.enqueued_at:
        call.wait_seconds = int((now - call.enqueued_at).total_seconds())
    if result == "hangup" and not call.outcome:
        call.outcome = Outcome.ABANDONED
    elif result in ("queue-full", "error", "system-error") and not call.outcome:
        call.outcome = Outcome.FAILED
    elif result in ("bridged", "redirected-from-bridged") and not call.answered_at:
        call.answered_at = now
        call.outcome = Outcome.ANSWERED
    call.save(update_fields=["left_queue_at", "wait_seconds", "outcome", "answered_at"])


def answered(call: Call, *, agent_leg_sid: str, waited: int | None) -> None:
    """An agent takes the caller: who, and after how long in the queue."""
    now = timezone.now()
    agent_leg = Call.objects.filter(
        channel_id=call.channel_id, leg=Leg.AGENT, call_sid=agent_leg_sid
    ).first()
    call.answered_at = call.answered_at or now
    call.left_queue_at = call.left_queue_at or now
    call.outcome = Outcome.ANSWERED
    if waited is not None:
        call.wait_seconds = waited
    elif call.enqueued_at:
        call.wait_seconds = int((now - call.enqueued_at).total_seconds())
    if agent_leg is not None:
        call.agent = agent_leg.agent
        agent_leg.caller = call
        agent_leg.answered_at = now
        agent_leg.save(update_fields=["caller", "answered_at"])
    call.save(update_fields=["answered_at", "left_queue_at", "outcome", "wait_seconds", "agent"])
    conversation = call.conversation
    if conversation is None:
        return
    if call.agent is not None and conversation.assignee_id is None:
        try:
            conversations.assign(conversation=conversation, assignee=call.agent, by=None)
        except ServiceError:  # the call goes on; the assignment is a nicety
            logger.warning("call %s: its agent could not be made the assignee", call.pk)
    fields = ["waiting_since"]
    conversation.waiting_since = None  # a person is talking to them now
    if conversation.first_response_at is None:  # a person answered: the first response
        conversation.first_response_at = now
        fields += ["first_response_at", *sla.refresh(conversation, now=now)]
    conversations.save_changes(conversation, fields)


def talked(line: VoiceLine, event: CallEvent) -> None:
    """The agent's side of a call put through has ended: how long they talked."""
    agent_leg = Call.objects.filter(
        channel=line.channel, leg=Leg.AGENT, call_sid=event.call_sid
    ).first()
    if agent_leg is None or agent_leg.caller_id is None:
        return
    agent_leg.talk_seconds = event.dial_seconds
    agent_leg.save(update_fields=["talk_seconds"])
    if event.dial_seconds is not None:
        Call.objects.filter(pk=agent_leg.caller_id or 0).update(talk_seconds=event.dial_seconds)


def voicemail_message(call: Call) -> Message:
    """The caller's voice message in the conversation (its recording is attached once the
    provider has it ready)."""
    if call.voicemail_id is not None:
        return call.voicemail  # type: ignore[return-value]
    identity = call.conversation.identity  # type: ignore[union-attr]
    inbound = Inbound(
        provider_id=f"{call.call_sid}-voicemail",
        scheme=identity.scheme,
        address=identity.address,
        kind="voicemail",
    )
    message = receive(channel=call.channel, inbound=inbound).message
    call.voicemail = message
    call.outcome = Outcome.VOICEMAIL
    call.save(update_fields=["voicemail", "outcome"])
    return message


def recording_ready(line: VoiceLine, call_sid: str, recording_url: str, *, voicemail: bool) -> None:
    call = (
        Call.objects.select_for_update(of=("self",))
        .filter(channel=line.channel, call_sid=call_sid)
        .first()
    )
    if call is not None and call.leg == Leg.AGENT:  # a call recorded from the agent's side
        call = call.caller
    if call is None or call.conversation_id is None:
        logger.warning("a recording for a call the line does not know")
        return
    message = voicemail_message(call) if voicemail else call.message
    if message is None:
        return
    attachment, created = Attachment.objects.get_or_create(
        message=message, provider_ref=recording_url[:512], defaults={"mime_type": "audio/mpeg"}
    )
    if not voicemail and call.recording_id is None:
        call.recording = attachment
        call.save(update_fields=["recording"])
    if created:
        transaction.on_commit(lambda: _fetch(attachment.pk))


def _fetch(attachment_id: int) -> None:
    from ventanilla.conversations.tasks import fetch_attachment

    fetch_attachment(attachment_id)


def status(line: VoiceLine, event: CallEvent) -> None:
    found = Call.objects.select_for_update(of=("self",)).select_related("conversation")
    call = found.filter(channel=line.channel, call_sid=event.call_sid).first()
    if call is None and event.query.get("leg"):  # an agent's leg reported on at once
        call = found.filter(channel=line.channel, pk=_int(event.query["leg"])).first()
        if call is not None:
            _adopt_sid(call, event.call_sid)
    if call is None:
        logger.info("a status for a call the line does not know")
        return
    call.status = event.status[:16]
    fields = ["status"]
    if event.status in ENDED and call.ended_at is None:
        now = timezone.now()
        call.ended_at = now
        call.duration_seconds = event.duration_seconds
        fields += ["ended_at", "duration_seconds"]
        if call.leg == Leg.CALLER:
            fields += _finish(call, now)
    call.save(update_fields=fields)
    if call.leg == Leg.CALLER and call.ended_at is not None and event.status in ENDED:
        settle(call)


def _finish(call: Call, now: datetime, *, lost: bool = False) -> list[str]:
    """The caller has hung up: how the call ended, if nothing said so yet."""
    if call.enqueued_at is not None and call.left_queue_at is None:  # hung up while waiting
        call.left_queue_at = now
        if call.wait_seconds is None and call.enqueued_at:
            call.wait_seconds = int((now - call.enqueued_at).total_seconds())
        if not call.outcome:
            call.outcome = Outcome.ABANDONED
    if not call.outcome:
        call.outcome = Outcome.CLOSED if call.out_of_hours else Outcome.MENU
    if call.answered_at is not None and call.talk_seconds is None and not lost:
        call.talk_seconds = max(int((now - call.answered_at).total_seconds()), 0)
    return ["left_queue_at", "wait_seconds", "outcome", "talk_seconds"]


def settle(call: Call) -> None:
    """The conversation after the call: resolved, or routed to the people who will call back."""
    conversation = call.conversation
    if conversation is None or conversation.status == Status.CLOSED:
        return
    if call.outcome in (Outcome.VOICEMAIL, Outcome.CALLBACK, Outcome.FAILED):
        _route_later(conversation.pk)
        return
    if not _opened_by(call, conversation):
        return  # the person has other business in it: it stays as it is
    if call.outcome == Outcome.ANSWERED:
        outcome = ConversationOutcome.ANSWERED
    else:
        outcome = ConversationOutcome.NO_REPLY
    if conversation.status in (Status.OPEN, Status.PENDING):
        conversations.resolve(conversation=conversation, by=None, outcome=outcome)


def _opened_by(call: Call, conversation: Conversation) -> bool:
    """Whether the conversation holds nothing but this call."""
    return not conversation.messages.exclude(pk=call.message_id or 0).exists()


def _route_later(conversation_id: int) -> None:
    def route() -> None:
        from ventanilla.triage.routing import route as route_conversation

        conversation = Conversation.objects.filter(pk=conversation_id).first()
        if conversation is not None and conversation.status != Status.CLOSED:
            route_conversation(conversation=conversation)

    transaction.on_commit(route)


def someone_waits(line: VoiceLine, queue: str) -> bool:
    return any(call.queue == queue for call in waiting_calls(line.channel.pk))


def staff_language(call: Call) -> str:
    profile = AgentProfile.objects.filter(user=call.agent).first() if call.agent else None
    return (profile.ui_language if profile else "") or "en"


def callback_number(agent_leg: Call) -> str | None:
    person = agent_leg.caller
    if person is None or person.conversation is None:
        return None
    identity: Identity = person.conversation.identity
    return identity.address if identity.scheme == Scheme.TEL else None


def callback_result(agent_leg: Call, dial_status: str, seconds: int | None) -> bool:
    """Whether the person called back answered; if so the callback is done."""
    person = agent_leg.caller
    if person is None:
        return False
    agent_leg.talk_seconds = seconds
    agent_leg.save(update_fields=["talk_seconds"])
    if dial_status != "completed" or not seconds:
        return False
    Call.objects.filter(pk=person.pk, callback_done_at__isnull=True).update(
        callback_done_at=timezone.now(), callback_by=agent_leg.agent
    )
    return True


LOST_AFTER = timedelta(hours=4)  # longer than any call a line keeps a caller waiting


def sweep_lost(*, now: datetime | None = None) -> int:
    """End the calls whose end was never reported (a lost status callback), so that no
    caller waits forever in the figures, the supervisors' view or an agent's next call."""
    now = now or timezone.now()
    lost = Call.objects.filter(
        leg=Leg.CALLER, ended_at__isnull=True, started_at__lt=now - LOST_AFTER
    ).select_related("conversation")
    count = 0
    for call in lost:
        with transaction.atomic():
            call.status = "lost"
            call.ended_at = now
            fields = ["status", "ended_at", *_finish(call, now, lost=True)]
            call.save(update_fields=fields)
        count += 1
    if count:
        logger.warning("%s call(s) ended without a final status: closed as lost", count)
    return count
