"""The call flow: what a caller hears and can do at each moment, and the call record it keeps.

    incoming ──> language menu (keypad, up to 9) ──> closed? ── yes ──> voice message / callback
                                                       │
                                                       no ──> topic menu ──> queue ──> agent
                                                                               │
                                                          callback offered after a while

Each function answers one webhook of the call with the steps the call goes through next
(the adapter writes them in the provider's language) and updates the call's record.
Three wrong keys in a menu do not cut a caller off: the language menu goes on in the
line's first language, the topic menu with "anything else", the closed menu says goodbye.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone, translation

from ventanilla.accountability import surveys
from ventanilla.calls import prompts, records
from ventanilla.calls.models import Call, Leg, Outcome, VoiceLine
from ventanilla.channels.adapters.base import (
    CallEvent,
    DialNumber,
    DialQueue,
    Enqueue,
    Gather,
    Hangup,
    Leave,
    Pause,
    Play,
    Prompt,
    Record,
    Redirect,
    Step,
)
from ventanilla.channels.models import Channel
from ventanilla.desks.calendar import desk_calendar
from ventanilla.desks.hours import describe_opening, zone_name
from ventanilla.lib.errors import NotFound

logger = logging.getLogger(__name__)

MENU_TRIES = 3
HOLD_SECONDS = 20  # between announcements while waiting, without hold music

# The topic menu: key pressed -> (topic, request type slug, urgent).
TOPICS = {
    "1": ("documents", "conditions", False),
    "2": ("application-status", "application-status", False),
    "3": ("rights", "legal", False),
    "4": ("emergency", "rights-violation", True),
    "5": ("other", "other", False),
    "6": ("complaint", "complaint", False),  # and the call's conversation is in the register
}
COMPLAINT_KEY = "6"


def line_of(channel: Channel) -> VoiceLine:
    line, _created = VoiceLine.objects.select_related("channel__desk").get_or_create(
        channel=channel
    )
    return line


def url(line: VoiceLine, action: str, **query: object) -> str:
    """The path of one of the line's webhooks (the provider resolves it against its own
    request, so it holds behind any proxy)."""
    path = f"{line.channel.webhook_path}{action}/" if action else line.channel.webhook_path
    return f"{path}?{urlencode(query)}" if query else path


def answer(channel: Channel, event: CallEvent) -> list[Step]:
    """The steps that answer one of a call's webhooks."""
    handler = HANDLERS.get(event.action)
    if handler is None:
        raise NotFound(f"no such voice webhook: {event.action}")
    line = line_of(channel)
    with transaction.atomic():
        return handler(line, event)


# The caller's side


def incoming(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.start(line, event)
    calendar = desk_calendar(line.channel.desk)
    if calendar.keeps_hours and not calendar.is_open(timezone.now()):
        records.out_of_hours(call)  # counted so even if they hang up in the first menu
    languages = prompts.menu_languages(line)
    steps: list[Step] = []
    for code in languages[:2]:
        steps += prompts.say(line, code, "greeting", desk=line.channel.desk.name_in(code))
    if len(languages) == 1:  # no menu to offer
        return [*steps, *_after_language(line, call, languages[0])]
    return [*steps, *_language_menu(line, tries=0)]


def _language_menu(line: VoiceLine, *, tries: int) -> list[Step]:
    options: list[Prompt] = []
    speakers = prompts.voices(line, prompts.menu_languages(line)).values()
    for digit, speaker in enumerate(speakers, start=1):
        option = speaker.say("language_option", digit=digit)
        if option is not None:  # a language that cannot say it is shown as missing
            options += [option, Pause(1)]
    return [
        Gather(action=url(line, "language", tries=tries), prompts=tuple(options)),
        Redirect(url(line, "language", tries=tries)),  # no key pressed
    ]


def chose_language(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.caller(line, event)
    languages = prompts.menu_languages(line)
    if event.digits.isdigit() and 1 <= int(event.digits) <= len(languages):
        return _after_language(line, call, languages[int(event.digits) - 1])
    tries = _tries(event) + 1
    records.menu_error(call)
    if tries >= MENU_TRIES:
        return _after_language(line, call, languages[0])
    return [*prompts.say(line, languages[0], "invalid"), *_language_menu(line, tries=tries)]


def _after_language(line: VoiceLine, call: Call, language: str) -> list[Step]:
    records.set_language(call, language)
    now = timezone.now()
    desk = line.channel.desk
    calendar = desk_calendar(desk)
    if calendar.keeps_hours and not calendar.is_open(now):
        records.out_of_hours(call)
        steps: list[Step] = []
        opening = calendar.next_opening(now)
        if opening is not None:
            steps += prompts.say(line, language, "closed", when=_when(line, language, opening))
        return [*steps, *_closed_menu(line, call, tries=0)]
    steps = []
    if line.record_calls:
        steps += prompts.say(line, language, "recording_notice")
    if not line.topic_menu:
        return [*steps, *_enqueue(line, call, topic=None)]
    return [*steps, *_topic_menu(line, call, tries=0)]


def _when(line: VoiceLine, language: str, opening: datetime) -> str:
    desk = line.channel.desk
    with translation.override(prompts.interface(language)):
        return f"{describe_opening(desk, opening, now=timezone.now())} ({zone_name(desk.timezone)})"


def _topic_menu(line: VoiceLine, call: Call, *, tries: int) -> list[Step]:
    said = [*prompts.say(line, call.language, "choose_topic")]
    said += prompts.say(line, call.language, "complaint_option")
    return [
        Gather(action=url(line, "topic", tries=tries), prompts=tuple(said)),
        Redirect(url(line, "topic", tries=tries)),
    ]


def chose_topic(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.caller(line, event)
    if event.digits in TOPICS:
        return _enqueue(line, call, topic=event.digits)
    tries = _tries(event) + 1
    records.menu_error(call)
    if tries >= MENU_TRIES:
        return _enqueue(line, call, topic="5")
    return [*prompts.say(line, call.language, "invalid"), *_topic_menu(line, call, tries=tries)]


def _enqueue(line: VoiceLine, call: Call, *, topic: str | None) -> list[Step]:
    name, request_type, urgent = TOPICS.get(topic or "", ("", "", False))
    records.enqueue(call, topic=name, request_type=request_type, urgent=urgent)
    if topic == COMPLAINT_KEY:
        records.complaint(call)
    steps: list[Step] = []
    if call.urgent and line.channel.desk.emergency_phone:
        steps += prompts.say(line, call.language, "emergency", phone=_digits(line))
    steps += prompts.say(line, call.language, "hold")
    return [*steps, Enqueue(call.queue, wait_url=url(line, "wait"), action=url(line, "queued"))]


def _digits(line: VoiceLine) -> str:
    """The emergency number as a voice reads it well: digit by digit."""
    return " ".join(ch for ch in line.channel.desk.emergency_phone if ch.isdigit())


def waiting(line: VoiceLine, event: CallEvent) -> list[Step]:
    """Asked again and again while the caller waits: where they stand, the offer of a
    callback after a while, then music or silence until the next turn."""
    call = records.caller(line, event)
    records.still_waiting(call, event.queue_seconds)
    position, minutes = records.position(call)
    speaker = prompts.voice(line, call.language)
    told = speaker.position(position, minutes)
    steps: list[Step] = [told] if told is not None else [*prompts.say(line, call.language, "hold")]
    if _may_offer_callback(line, call, event.queue_seconds):
        offer = tuple(prompts.say(line, call.language, "offer_callback"))
        steps.append(Gather(action=url(line, "wait-choice"), prompts=offer, timeout=5))
    steps.append(Play(line.hold_music_url) if line.hold_music_url else Pause(HOLD_SECONDS))
    return steps


def _may_offer_callback(line: VoiceLine, call: Call, waited: int | None) -> bool:
    if not line.callback_after_seconds or not records.can_call_back(call):
        return False
    return (waited or 0) >= line.callback_after_seconds


def wait_choice(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.caller(line, event)
    if event.digits == "1" and records.can_call_back(call):
        records.request_callback(call)
        return [Leave()]
    return [Redirect(url(line, "wait"))]


def left_queue(line: VoiceLine, event: CallEvent) -> list[Step]:
    """The caller is out of the queue: put through and done, gone, or asked for a callback."""
    call = records.caller(line, event)
    result = event.queue_result
    records.left_queue(call, result, event.queue_seconds)
    if result == "leave" and call.callback_requested_at:
        return [*prompts.say(line, call.language, "callback_confirmed"), Hangup()]
    if result in ("queue-full", "error", "system-error"):
        logger.warning("call %s: the queue refused the caller (%s)", call.pk, result)
        return [*prompts.say(line, call.language, "queue_problem"), *_record(line, call)]
    if result == "bridged" and line.keypad_survey and call.conversation is not None:
        survey = surveys.keypad_offer(conversation=call.conversation, call_sid=call.call_sid,
                                      agent_id=call.agent_id, language=call.language)  # fmt: skip
        if survey is not None:
            return _survey_question(line, call, "score")
    return [Hangup()]


# The keypad survey, when the agent has hung up: the score, then "solved?", then thanks.


def _survey_question(line: VoiceLine, call: Call, step: str) -> list[Step]:
    return [
        Gather(
            action=url(line, "survey", step=step),
            prompts=tuple(prompts.say(line, call.language, f"survey_{step}")),
        ),
        Hangup(),  # no key pressed: the survey is left as it stands
    ]


def survey_answer(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.caller(line, event)
    step = event.query.get("step", "")
    answered = surveys.keypad_answer(call_sid=call.call_sid, step=step, digits=event.digits)
    if answered is not None and step == "score":
        return _survey_question(line, call, "solved")
    return [*prompts.say(line, call.language, "survey_thanks"), Hangup()]


def connect(line: VoiceLine, event: CallEvent) -> list[Step]:
    """Heard by the caller just before an agent is put through."""
    call = records.caller(line, event)
    records.answered(call, agent_leg_sid=event.dequeued_by, waited=event.queue_seconds)
    return [*prompts.say(line, call.language, "connecting")]


# Out of hours


def _closed_menu(line: VoiceLine, call: Call, *, tries: int) -> list[Step]:
    said = prompts.say(line, call.language, "closed_message")
    if records.can_call_back(call):
        said += prompts.say(line, call.language, "closed_callback")
    said += prompts.say(line, call.language, "portal")
    if line.channel.desk.emergency_phone:
        said += prompts.say(line, call.language, "emergency", phone=_digits(line))
    return [
        Gather(action=url(line, "closed", tries=tries), prompts=tuple(said)),
        Redirect(url(line, "closed", tries=tries)),
    ]


def closed_choice(line: VoiceLine, event: CallEvent) -> list[Step]:
    call = records.caller(line, event)
    if event.digits == "1":
        return [*prompts.say(line, call.language, "record_message"), *_record(line, call)]
    if event.digits == "2" and records.can_call_back(call):
        records.request_callback(call)
        return [*prompts.say(line, call.language, "callback_confirmed"), Hangup()]
    tries = _tries(event) + 1
    records.menu_error(call)
    if tries >= MENU_TRIES:
        return [*prompts.say(line, call.language, "goodbye"), Hangup()]
    return [*prompts.say(line, call.language, "invalid"), *_closed_menu(line, call, tries=tries)]


def _record(line: VoiceLine, call: Call) -> list[Step]:
    return [
        Record(
            action=url(line, "voicemail"),
            max_seconds=line.voicemail_seconds,
            status_url=url(line, "recording", kind="voicemail"),
        ),
        Hangup(),
    ]


def voicemail(line: VoiceLine, event: CallEvent) -> list[Step]:
    """The caller has finished a voice message (or hung up while recording)."""
    call = records.caller(line, event)
    if not event.recording_url or not event.recording_seconds:
        return [*prompts.say(line, call.language, "no_message"), Hangup()]
    records.voicemail_message(call)
    return [*prompts.say(line, call.language, "message_received"), Hangup()]


def recording(line: VoiceLine, event: CallEvent) -> list[Step]:
    """A recording is ready at the provider (a voice message, or a call recorded for
    quality): it is fetched and kept with the conversation."""
    if event.recording_status != "completed" or not event.recording_url:
        logger.warning("call recording not completed (%s)", event.recording_status or "no status")
        return []
    records.recording_ready(
        line, event.call_sid, event.recording_url, voicemail=event.query.get("kind") == "voicemail"
    )
    return []


def status(line: VoiceLine, event: CallEvent) -> list[Step]:
    """The provider's status callback: a call (any leg) has changed state or ended."""
    records.status(line, event)
    return []


# The agents' side


def agent_answered(line: VoiceLine, event: CallEvent) -> list[Step]:
    """An agent picked up the phone the line rang to take the next call."""
    leg = records.leg(line, event, Leg.AGENT)
    queue = event.query.get("queue", "")
    language = records.staff_language(leg)
    if not queue or not records.someone_waits(line, queue):
        return [prompts.staff_say(line, language, "no_caller"), Hangup()]
    recorded = url(line, "recording", kind="quality") if line.record_calls else ""
    return [
        DialQueue(queue, connect_url=url(line, "connect"), action=url(line, "agent-done"),
                  recording_url=recorded),
        Hangup(),
    ]  # fmt: skip


def agent_done(line: VoiceLine, event: CallEvent) -> list[Step]:
    records.talked(line, event)
    return [Hangup()]


def callback_answered(line: VoiceLine, event: CallEvent) -> list[Step]:
    """An agent picked up the phone the line rang to call a person back: ring the person."""
    leg = records.leg(line, event, Leg.CALLBACK)
    language = records.staff_language(leg)
    number = records.callback_number(leg)
    if number is None:
        return [prompts.staff_say(line, language, "not_answered"), Hangup()]
    return [
        prompts.staff_say(line, language, "calling_back"),
        DialNumber(number, caller_id=str(line.channel.config["number"]),
                   action=url(line, "callback-done")),
        Hangup(),
    ]  # fmt: skip


def callback_done(line: VoiceLine, event: CallEvent) -> list[Step]:
    leg = records.leg(line, event, Leg.CALLBACK)
    if records.callback_result(leg, event.dial_status, event.dial_seconds):
        return [Hangup()]
    return [prompts.staff_say(line, records.staff_language(leg), "not_answered"), Hangup()]


def _tries(event: CallEvent) -> int:
    raw = event.query.get("tries", "0")
    return min(int(raw), MENU_TRIES) if raw.isdigit() and len(raw) < 3 else 0


HANDLERS: dict[str, Callable[[VoiceLine, CallEvent], list[Step]]] = {
    "": incoming,
    "language": chose_language,
    "topic": chose_topic,
    "wait": waiting,
    "wait-choice": wait_choice,
    "queued": left_queue,
    "connect": connect,
    "survey": survey_answer,
    "closed": closed_choice,
    "voicemail": voicemail,
    "recording": recording,
    "status": status,
    "agent": agent_answered,
    "agent-done": agent_done,
    "callback": callback_answered,
    "callback-done": callback_done,
}

__all__ = ["HANDLERS", "Outcome", "answer", "line_of", "url"]
