"""What staff do with the phone line: take the next call, call a person back, set where
their phone rings, configure the line and its recordings; and the recordings' retention."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.access.services import may_manage
from ventanilla.calls import flow, prompts, records
from ventanilla.calls.models import Call, Leg, VoiceLine, VoicePrompt
from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import SendError
from ventanilla.channels.models import Channel, ChannelType
from ventanilla.conversations.models import Attachment
from ventanilla.conversations.services import can_work_at
from ventanilla.desks.models import AgentProfile
from ventanilla.desks.validators import validate_language_codes
from ventanilla.lib.addresses import normalise_phone
from ventanilla.lib.errors import Conflict, Forbidden, Invalid, NotFound, ProviderError
from ventanilla.lib.links import public_url
from ventanilla.privacy.services import audit

logger = logging.getLogger(__name__)

PROMPT_TYPES = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav"}
MAX_PROMPT_BYTES = 4 * 1024 * 1024 - 1024  # within the web server's request limit


def voice_channels_of(user: User) -> list[Channel]:
    """The active voice channels of the desks a member of staff works at."""
    found = Channel.objects.select_related("desk").filter(
        type=ChannelType.TWILIO_VOICE, is_active=True
    )
    return [channel for channel in found if can_work_at(user, channel.desk)]


def _phone_of(user: User) -> str:
    profile = AgentProfile.objects.filter(user=user).first()
    if profile is None or not profile.phone:
        raise Invalid("set a phone number for this member of staff first")
    return profile.phone


def _leg(line: VoiceLine, *, kind: str, agent: User, caller: Call | None, queue: str = "") -> Call:
    """The record of a call to an agent's phone, kept before the phone rings (the provider
    may report on the call before the request that placed it has returned)."""
    placeholder = f"{records.PENDING}{timezone.now().timestamp()}-{agent.pk}"
    return Call.objects.create(channel=line.channel, leg=kind, call_sid=placeholder, agent=agent,
                               caller=caller, queue=queue, started_at=timezone.now())  # fmt: skip


def _ring(line: VoiceLine, leg: Call, *, to: str) -> Call:
    """Ring the agent's phone; when they pick up, the call asks the line what to do: put
    them through to the first caller of the leg's queue, or call its caller back."""
    query = {"leg": leg.pk, **({"queue": leg.queue} if leg.queue else {})}
    webhook = flow.url(line, "callback" if leg.leg == Leg.CALLBACK else "agent", **query)
    statuses = flow.url(line, "status", leg=leg.pk)
    if not settings.PUBLIC_URL:
        logger.warning("VENTANILLA_PUBLIC_URL is not set: the provider may not reach the line")
    adapter = adapter_for(line.channel.type)
    try:
        sid = adapter.place_call(line.channel.config, to=to, url=public_url(webhook),
                                 status_url=public_url(statuses))  # fmt: skip
    except SendError as error:
        logger.warning("channel %s: a call to an agent failed (%s)", line.channel.pk, error.code)
        Call.objects.filter(pk=leg.pk).update(status="failed", ended_at=timezone.now())
        raise ProviderError(f"the provider refused the call: {error.title}") from None
    # Unless a status report already gave the leg its id.
    Call.objects.filter(pk=leg.pk, call_sid=leg.call_sid).update(call_sid=sid[:64])
    leg.refresh_from_db()
    return leg


@dataclass(frozen=True)
class Taken:
    leg: Call
    caller: Call  # the caller the agent should be put through to


def take_next_call(*, agent: User) -> Taken:
    """Ring the agent's phone and put them through to the longest-waiting caller they can
    talk to: urgent callers first, then callers of the agent's languages, then anyone."""
    if not voice_channels_of(agent):
        raise Conflict("none of your desks has a phone line")
    to = _phone_of(agent)
    with transaction.atomic():
        leg, chosen = _offer(agent)
    return Taken(leg=_ring(flow.line_of(chosen.channel), leg, to=to), caller=chosen)


def _offer(agent: User) -> tuple[Call, Call]:
    """The caller for an agent, held for them by a leg placed for its queue."""
    lines = voice_channels_of(agent)
    waiting = [call for channel in lines for call in _not_yet_offered(channel)]
    if not waiting:
        raise Conflict("no caller is waiting")
    profile = AgentProfile.objects.filter(user=agent).first()
    spoken = set(profile.languages if profile else [])

    def order(call: Call) -> tuple[bool, bool, float]:
        speaks = not spoken or call.language in spoken
        return (not call.urgent, not speaks, call.enqueued_at.timestamp())  # type: ignore[union-attr]

    chosen = min(waiting, key=order)
    line = flow.line_of(chosen.channel)
    leg = _leg(line, kind=Leg.AGENT, agent=agent, caller=None, queue=chosen.queue)
    audit(actor=agent, action="call.take", target=chosen, channel=str(line.channel.pk))
    return leg, chosen


RINGING = timedelta(seconds=45)  # how long an agent's phone may ring before it counts as missed


def _not_yet_offered(channel: Channel) -> list[Call]:
    """The callers waiting on a line, less those another agent's ringing phone will take:
    each queue's first callers, one per agent leg placed for it and not yet answered."""
    ringing: dict[str, int] = {}
    legs = Call.objects.filter(
        channel=channel, leg=Leg.AGENT, answered_at__isnull=True, ended_at__isnull=True,
        started_at__gte=timezone.now() - RINGING,
    ).values_list("queue", flat=True)  # fmt: skip
    for queue in legs:
        ringing[queue] = ringing.get(queue, 0) + 1
    found = []
    for call in records.waiting_calls(channel.pk):
        if ringing.get(call.queue, 0) > 0:
            ringing[call.queue] -= 1
            continue
        found.append(call)
    return found


def call_back(*, call: Call, agent: User) -> Call:
    """Ring the agent's phone, then the person who asked to be called back."""
    with transaction.atomic():
        leg, to = _call_back_leg(call, agent)
    return _ring(flow.line_of(call.channel), leg, to=to)


def _call_back_leg(call: Call, agent: User) -> tuple[Call, str]:
    if call.leg != Leg.CALLER or call.conversation is None:
        raise NotFound("no such call")
    if not can_work_at(agent, call.channel.desk):
        raise Forbidden("this call belongs to a desk you do not work at")
    if not records.can_call_back(call):
        raise Conflict("the caller's number was withheld: they cannot be called back")
    if call.callback_done_at is not None:
        raise Conflict("this caller has already been called back")
    to = _phone_of(agent)
    line = flow.line_of(call.channel)
    if call.callback_requested_at is None:  # staff may call anyone back, asked or not
        call.callback_requested_at = timezone.now()
    call.callback_attempts += 1
    call.save(update_fields=["callback_requested_at", "callback_attempts"])
    leg = _leg(line, kind=Leg.CALLBACK, agent=agent, caller=call)
    audit(actor=agent, action="call.call_back", target=call)
    return leg, to


@transaction.atomic
def set_phone(*, user: User, phone: str, by: User) -> AgentProfile:
    """Where the line rings a member of staff; empty: they take no calls. Staff set their
    own, and those of people below their role."""
    if by.pk != user.pk and not may_manage(by, user):
        raise Forbidden("you may set the phone of people below your role only")
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError as error:
            raise Invalid(f"phone: {error}") from None
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    profile.phone = phone
    profile.save(update_fields=["phone"])
    audit(actor=by, action="agent.phone", target=profile, set=bool(phone))
    return profile


LINE_FIELDS = {
    "languages", "topic_menu", "record_calls", "recording_retention_days", "keypad_survey",
    "callback_after_seconds", "voicemail_seconds", "hold_music_url", "voices",
}  # fmt: skip


@transaction.atomic
def update_line(*, line: VoiceLine, changes: dict[str, Any], by: User | None) -> VoiceLine:
    unknown = set(changes) - LINE_FIELDS
    if unknown:
        raise Invalid(f"unknown setting(s): {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(line, name, value)
    if len(line.languages or []) > 9:
        raise Invalid("languages: at most 9, one per key of the keypad")
    try:
        validate_language_codes(line.languages)
        line.full_clean(exclude=["channel"])
    except Exception as error:  # ValidationError: said field by field
        detail = getattr(error, "message_dict", None) or {"settings": [str(error)]}
        raise Invalid("; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items())) from None
    if not isinstance(line.voices, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) < 80 for k, v in line.voices.items()
    ):
        raise Invalid('voices must map languages to voice names, e.g. {"es": "Polly.Conchita"}')
    line.save()
    audit(actor=by, action="voice_line.update", target=line, fields=sorted(changes))
    return line


@transaction.atomic
def keep_prompt(
    *, line: VoiceLine, language: str, key: str, by: User | None,
    audio: bytes | None = None, mime_type: str = "", text: str | None = None,
    clear_audio: bool = False,
) -> VoicePrompt:  # fmt: skip
    """Keep a recording (MP3 or WAV) or a text of one prompt in one language;
    `clear_audio` forgets the recording and keeps the text."""
    if key not in prompts.TEXTS:
        raise Invalid(f"prompt must be one of {', '.join(prompts.TEXTS)}")
    if language not in prompts.menu_languages(line):
        raise Invalid(f"{language!r} is not one of the line's menu languages")
    prompt, _created = VoicePrompt.objects.get_or_create(line=line, language=language, key=key)
    if clear_audio and prompt.audio:  # the file goes once the row no longer names it
        old_name, old_storage = prompt.audio.name or "", prompt.audio.storage
        transaction.on_commit(lambda: old_storage.delete(old_name))
        prompt.audio = ""
    if audio is not None:
        extension = PROMPT_TYPES.get(mime_type.split(";")[0].strip().lower())
        if extension is None:
            raise Invalid("a recording must be audio/mpeg (MP3) or audio/wav")
        if not audio or len(audio) > MAX_PROMPT_BYTES:
            raise Invalid("a recording must hold between 1 byte and 4 MB")
        if prompt.audio:  # the old file goes once the new one is safely recorded
            old, storage = prompt.audio.name or "", prompt.audio.storage
            transaction.on_commit(lambda: storage.delete(old))
        prompt.audio.save(f"{language}-{key}.{extension}", ContentFile(audio), save=False)
    if text is not None:
        if len(text) > 1000:
            raise Invalid("a prompt's text must be at most 1000 characters")
        prompt.text = text.strip()
    prompt.save()
    audit(
        actor=by, action="voice_prompt.keep", target=prompt,
        audio=audio is not None, cleared=clear_audio,
    )  # fmt: skip
    return prompt


@transaction.atomic
def remove_prompt(*, line: VoiceLine, language: str, key: str, by: User | None) -> None:
    """Forget a prompt's recording and text: the line says it in its speech voice again."""
    prompt = line.prompts.select_for_update().filter(language=language, key=key).first()
    if prompt is None:
        raise NotFound(f"no {key!r} prompt kept in {language!r}")
    audit(actor=by, action="voice_prompt.remove", target=prompt, language=language, key=key)
    audio, storage = prompt.audio.name, prompt.audio.storage
    prompt.delete()
    if audio:  # the file goes once the row has surely gone
        transaction.on_commit(lambda: storage.delete(audio))


def remove_expired_recordings(*, now: Any = None) -> int:
    """Delete the files of calls recorded for quality once their line's retention has
    passed; the record says when. Returns how many were removed."""
    now = now or timezone.now()
    removed = 0
    for line in VoiceLine.objects.all():
        cutoff = now - timedelta(days=line.recording_retention_days)
        expired = Attachment.objects.filter(
            removed_at__isnull=True,
            created_at__lt=cutoff,
            message__channel_id=line.channel_id,
            message__kind="call",
        ).filter(~Q(file="") | ~Q(provider_ref=""))
        for attachment in expired:
            if attachment.file:
                attachment.file.delete(save=False)
            attachment.file = ""
            attachment.provider_ref = ""
            attachment.removed_at = now
            attachment.fetch_attempts = 99
            attachment.save(update_fields=["file", "provider_ref", "removed_at", "fetch_attempts"])
            removed += 1
    if removed:
        logger.info("%s call recording(s) removed under their line's retention", removed)
    return removed
