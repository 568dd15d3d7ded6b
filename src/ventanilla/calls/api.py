"""API v1: the phone line — taking calls, calling people back, the call records, where staff's
phones ring, and each voice channel's settings and recorded prompts.

No answer ever holds a caller's phone number: a call record names its conversation, and
staff's own numbers are shown masked.
"""

import json
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from ventanilla.api.pagination import Pagination
from ventanilla.calls import flow, prompts, services
from ventanilla.calls.access import call_for, calls_visible_to, sees_cases
from ventanilla.calls.models import Call, Outcome, VoiceLine, VoicePrompt
from ventanilla.channels.models import Channel, ChannelType
from ventanilla.channels.selectors import channel_for
from ventanilla.desks.models import AgentProfile
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.addresses import mask_phone
from ventanilla.lib.errors import Invalid, NotFound, ServiceError
from ventanilla.lib.links import public_url
from ventanilla.privacy.services import audit

router = Router(tags=["calls"])
staff_router = Router(tags=["staff"])
voice_router = Router(tags=["channels"])


class UnsupportedMediaType(ServiceError):
    code, status = "unsupported_media_type", 415


# Call records


class ConversationRef(Schema):
    id: int
    reference: str


class CallOut(Schema):
    id: int
    conversation: ConversationRef | None = Field(
        description="The case the call belongs to; null for analysts, who see figures only."
    )
    desk: str
    channel: UUID
    started_at: datetime
    language: str
    topic: str
    urgent: bool
    out_of_hours: bool
    menu_errors: int
    enqueued_at: datetime | None
    wait_seconds: int | None
    answered_at: datetime | None
    agent: str | None = Field(description="Who answered the caller.")
    talk_seconds: int | None
    ended_at: datetime | None
    duration_seconds: int | None
    outcome: str = Field(description='How the call ended; "" while it goes on.')
    callback_requested_at: datetime | None
    callback_done_at: datetime | None
    callback_by: str | None
    callback_attempts: int
    recording: int | None = Field(description="The attachment holding the call's recording.")
    recording_removed_at: datetime | None = Field(
        description="When the recording was removed under the line's retention."
    )
    voicemail: int | None = Field(description="The message holding the caller's voice message.")

    @staticmethod
    def resolve_conversation(call: Call, context: Any) -> dict[str, Any] | None:
        if call.conversation is None or not sees_cases(context["request"].user):
            return None
        return {"id": call.conversation.pk, "reference": call.conversation.reference}

    @staticmethod
    def resolve_desk(call: Call) -> str:
        return call.channel.desk.slug

    @staticmethod
    def resolve_channel(call: Call) -> UUID:
        return call.channel_id

    @staticmethod
    def resolve_agent(call: Call) -> str | None:
        return call.agent.get_username() if call.agent else None

    @staticmethod
    def resolve_callback_by(call: Call) -> str | None:
        return call.callback_by.get_username() if call.callback_by else None

    @staticmethod
    def resolve_recording(call: Call, context: Any) -> int | None:
        return call.recording_id if sees_cases(context["request"].user) else None

    @staticmethod
    def resolve_recording_removed_at(call: Call) -> datetime | None:
        return call.recording.removed_at if call.recording else None

    @staticmethod
    def resolve_voicemail(call: Call, context: Any) -> int | None:
        return call.voicemail_id if sees_cases(context["request"].user) else None


class CallFilters(Schema):
    desk: str | None = Field(None, max_length=50, description="A desk's slug.")
    first: date | None = Field(None, alias="from", description="Started on or after this day.")
    last: date | None = Field(None, alias="to", description="Started on or before this day.")
    outcome: Outcome | None = None
    callback: Literal["pending", "done"] | None = Field(
        None, description="Callers waiting to be called back, or called back."
    )
    conversation: int | None = Field(None, ge=1, le=2**63 - 1)


@router.get("", response=list[CallOut])
@paginate(Pagination)
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> QuerySet[Call]:
    """The callers' calls of the desks one works at, the latest first."""
    found = calls_visible_to(request.user)
    if filters.desk:
        found = found.filter(channel__desk__slug=filters.desk)
    if filters.first:
        found = found.filter(started_at__date__gte=filters.first)
    if filters.last:
        found = found.filter(started_at__date__lte=filters.last)
    if filters.outcome is not None:
        found = found.filter(outcome=filters.outcome)
    if filters.callback == "pending":
        found = found.filter(callback_requested_at__isnull=False, callback_done_at__isnull=True)
    elif filters.callback == "done":
        found = found.filter(callback_done_at__isnull=False)
    if filters.conversation is not None:
        require(request.user, "conversations.view_conversation")
        found = found.filter(conversation_id=filters.conversation)
    return found


@router.get("/{int:call_id}", response=CallOut)
def get_call(request: HttpRequest, call_id: int) -> Call:
    call = call_for(request.user, call_id)
    audit(actor=request.user, action="call.read", target=call)
    return call


class TakenOut(Schema):
    leg: int = Field(description="The call that rings the agent's phone.")
    caller: CallOut = Field(description="The caller the agent will be put through to.")


@router.post("/next", response={201: TakenOut})
def take_next_call(request: HttpRequest) -> Status[dict[str, Any]]:
    """Ring my phone and put me through to the longest-waiting caller I can talk to."""
    require(request.user, "conversations.reply_conversation")
    taken = services.take_next_call(agent=request.user)  # type: ignore[arg-type]
    return Status(201, {"leg": taken.leg.pk, "caller": taken.caller})


class CallbackOut(Schema):
    leg: int = Field(description="The call that rings the agent's phone, then the person's.")


@router.post("/{int:call_id}/callback", response={201: CallbackOut})
def call_back(request: HttpRequest, call_id: int) -> Status[dict[str, int]]:
    """Ring my phone, then the person who called."""
    require(request.user, "conversations.reply_conversation")
    leg = services.call_back(call=call_for(request.user, call_id), agent=request.user)  # type: ignore[arg-type]
    return Status(201, {"leg": leg.pk})


# Where staff's phones ring


class PhoneIn(Schema):
    phone: str = Field(max_length=40, description='International form (+country code); "": none.')


class PhoneOut(Schema):
    username: str
    phone_set: bool
    phone: str = Field(description="The number, masked: +504•••••567.")


def _staff_member(user: Any, username: str) -> Any:
    """Someone whose phone the user may set: themselves; for supervisors, the staff of their
    desks; for administrators, anyone."""
    if username == user.get_username():
        return user
    require(user, "desks.change_agentprofile")
    people = get_user_model().objects.filter(username=username)
    if not user.has_perm("desks.access_all_desks"):
        colleagues = AgentProfile.objects.filter(desks__in=desks_visible_to(user))
        people = people.filter(agent_profile__in=colleagues)
    found = people.first()
    if found is None:
        raise NotFound(f"no member of staff {username!r}")
    return found


@staff_router.put("/{username}/phone", response=PhoneOut)
def set_phone(request: HttpRequest, username: str, payload: PhoneIn) -> dict[str, Any]:
    """Where the phone line rings this person when they take a call or call someone back."""
    person = _staff_member(request.user, username)
    profile = services.set_phone(user=person, phone=payload.phone, by=request.user)  # type: ignore[arg-type]
    return {
        "username": person.get_username(),
        "phone_set": bool(profile.phone),
        "phone": mask_phone(profile.phone),
    }


# A voice channel's settings and prompts


def _line(user: Any, channel_id: str) -> VoiceLine:
    channel: Channel = channel_for(user, channel_id)
    if channel.type != ChannelType.TWILIO_VOICE:
        raise NotFound(f"channel {channel_id} is not a phone line")
    return flow.line_of(channel)


class MissingOut(Schema):
    language: str
    key: str
    text: str = Field(description="What the prompt says, for whoever records it.")


class VoiceLineOut(Schema):
    channel: UUID
    languages: list[str] = Field(description="The keypad menu's languages; []: the desk's.")
    menu_languages: list[str] = Field(description="The languages the menu offers now.")
    topic_menu: bool
    record_calls: bool
    keypad_survey: bool = Field(
        description="Callers are asked two keypad questions after the call."
    )
    recording_retention_days: int
    callback_after_seconds: int
    voicemail_seconds: int
    hold_music_url: str
    voices: dict[str, str]
    missing_prompts: list[MissingOut] = Field(
        description="Prompts callers would not hear in their language: record them."
    )

    @staticmethod
    def resolve_channel(line: VoiceLine) -> UUID:
        return line.channel_id

    @staticmethod
    def resolve_menu_languages(line: VoiceLine) -> list[str]:
        return prompts.menu_languages(line)

    @staticmethod
    def resolve_missing_prompts(line: VoiceLine) -> list[dict[str, str]]:
        return [vars(missing) for missing in prompts.missing_prompts(line)]


class VoiceLinePatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is refused, not ignored

    languages: list[str] | None = Field(None, max_length=9)
    topic_menu: bool | None = None
    record_calls: bool | None = None
    keypad_survey: bool | None = None
    recording_retention_days: int | None = Field(None, ge=1, le=3650)
    callback_after_seconds: int | None = Field(None, ge=0, le=3600, description="0: never.")
    voicemail_seconds: int | None = Field(None, ge=10, le=600)
    hold_music_url: str | None = Field(None, max_length=200, description='"": no music.')
    voices: dict[str, str] | None = Field(None, description='{"es": "Polly.Conchita"}')


@voice_router.get("/{channel_id}/voice", response=VoiceLineOut)
def get_voice_line(request: HttpRequest, channel_id: str) -> VoiceLine:
    """How a phone line answers, and the prompts it still lacks a recording of."""
    return _line(request.user, channel_id)


@voice_router.patch("/{channel_id}/voice", response=VoiceLineOut)
def update_voice_line(request: HttpRequest, channel_id: str, payload: VoiceLinePatch) -> VoiceLine:
    require(request.user, "channels.change_channel")
    changes = payload.dict(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise Invalid(f"{', '.join(nulls)}: must not be null")
    line = _line(request.user, channel_id)
    return services.update_line(line=line, changes=changes, by=request.user)  # type: ignore[arg-type]


class PromptOut(Schema):
    language: str
    key: str
    has_audio: bool
    text: str
    audio_url: str | None = Field(description="Where the provider fetches the recording.")
    updated_at: datetime

    @staticmethod
    def resolve_has_audio(prompt: VoicePrompt) -> bool:
        return bool(prompt.audio)

    @staticmethod
    def resolve_audio_url(prompt: VoicePrompt, context: Any) -> str | None:
        if not prompt.audio:
            return None
        path = reverse("calls:prompt", args=[prompt.pk, prompt.version])
        return public_url(path, context["request"])


@voice_router.get("/{channel_id}/voice/prompts", response=list[PromptOut])
def list_prompts(request: HttpRequest, channel_id: str) -> QuerySet[VoicePrompt]:
    """The line's own recordings and texts of its prompts, language by language."""
    return _line(request.user, channel_id).prompts.all()


PROMPT_BODY = (
    "A recording (Content-Type audio/mpeg or audio/wav, the audio as the body), or "
    'JSON {"text": "..."} for the speech voice to say instead of the default text.'
)


def _prompt_text(request: HttpRequest) -> str:
    try:
        body = json.loads(request.body)
    except ValueError as error:
        raise HttpError(400, f"the body is not valid JSON: {error}") from None
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise Invalid('text: send {"text": "..."}, or a recording as audio/mpeg or audio/wav')
    if "\x00" in text:
        raise Invalid("text must not contain NUL (\\u0000) characters")
    return text


@voice_router.put(
    "/{channel_id}/voice/prompts/{language}/{key}",
    response=PromptOut,
    openapi_extra={
        "requestBody": {
            "description": PROMPT_BODY,
            "content": {
                "audio/mpeg": {"schema": {"type": "string", "format": "binary"}},
                "audio/wav": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {
                    "schema": {"type": "object", "properties": {"text": {"type": "string"}}}
                },
            },
        }
    },
)
def keep_prompt(request: HttpRequest, channel_id: str, language: str, key: str) -> VoicePrompt:
    """Keep a recording, or a text, of one prompt in one of the line's languages."""
    require(request.user, "channels.change_channel")
    line = _line(request.user, channel_id)
    kind = (request.content_type or "").lower()
    by: Any = request.user
    if kind in services.PROMPT_TYPES:
        return services.keep_prompt(
            line=line, language=language, key=key, by=by, audio=request.body, mime_type=kind
        )
    if kind == "application/json":
        text = _prompt_text(request)
        return services.keep_prompt(line=line, language=language, key=key, by=by, text=text)
    raise UnsupportedMediaType(f"expected audio/mpeg, audio/wav or application/json, not {kind!r}")


@voice_router.delete("/{channel_id}/voice/prompts/{language}/{key}", response={204: None})
def remove_prompt(request: HttpRequest, channel_id: str, language: str, key: str) -> Status[None]:
    """Forget a prompt's recording and text: the line says it in its speech voice again."""
    require(request.user, "channels.change_channel")
    line = _line(request.user, channel_id)
    services.remove_prompt(line=line, language=language, key=key, by=request.user)  # type: ignore[arg-type]
    return Status(204, None)
