"""The phone line over Twilio Voice: signed call webhooks in, TwiML out, calls placed to agents.

Every request of a call (the incoming call, each key pressed, the queue's wait loop, the
recordings, the status callbacks) comes to the channel's webhook URL or one of its sub-paths
and is checked against X-Twilio-Signature. What the call does next is decided elsewhere
(ventanilla.calls) as a list of steps; this module writes them as TwiML.
"""

from __future__ import annotations

import contextlib

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ventanilla.channels.adapters import base
from ventanilla.channels.adapters.base import (
    CallEvent,
    Config,
    FetchedMedia,
    SendError,
    Step,
    Webhook,
    WebhookRejected,
    WebhookRequest,
)
from ventanilla.channels.adapters.twilio_sms import TwilioAdapter
from ventanilla.lib import http

# How Twilio names a caller it cannot name.
WITHHELD = {"", "anonymous", "unknown", "private", "restricted", "unavailable"}


def _number(value: str | None) -> int | None:
    try:
        return max(int(value or ""), 0) if value not in (None, "") else None
    except ValueError:
        return None


class TwilioVoiceAdapter(TwilioAdapter):
    type = "twilio-voice"
    label = "Phone (Twilio Voice)"
    sends_text = False

    def read_webhook(self, config: Config, request: WebhookRequest) -> Webhook:
        params = self._verify(config, request)
        call_sid = params.get("CallSid", "")
        if not call_sid or len(call_sid) > 64:
            raise WebhookRejected(400, "a voice webhook without a CallSid")
        caller = params.get("From", "").strip()
        event = CallEvent(
            call_sid=call_sid,
            action=request.action,
            query=dict(request.query),
            caller="" if caller.lower() in WITHHELD or caller.startswith("client:") else caller,
            called=params.get("To", ""),
            status=params.get("CallStatus", ""),
            direction=params.get("Direction", ""),
            digits=params.get("Digits", ""),
            recording_url=params.get("RecordingUrl", ""),
            recording_sid=params.get("RecordingSid", ""),
            recording_status=params.get("RecordingStatus", ""),
            recording_seconds=_number(params.get("RecordingDuration")),
            queue_seconds=_number(params.get("QueueTime")),
            queue_position=_number(params.get("QueuePosition")),
            queue_result=params.get("QueueResult", ""),
            dequeued_by=params.get("DequeingCallSid", ""),
            dial_status=params.get("DialCallStatus", ""),
            dial_seconds=_number(params.get("DialCallDuration")),
            duration_seconds=_number(params.get("CallDuration")),
        )
        return Webhook(events=[event], content_type="text/xml")

    def answer_call(self, steps: list[Step]) -> Webhook:
        response = VoiceResponse()
        for step in steps:
            _write(response, step)
        return Webhook(body=str(response), content_type="text/xml")

    def place_call(self, config: Config, *, to: str, url: str, status_url: str) -> str:
        form = {
            "To": to,
            "From": str(config["number"]),
            "Url": url,
            "Method": "POST",
            "StatusCallback": status_url,
            "StatusCallbackMethod": "POST",
            "Timeout": "30",
        }
        return self._create(config, "Calls.json", form)

    def _recording(self, config: Config, provider_ref: str) -> str:
        """The recording's URL, refused unless it is one of the account's recordings: the
        account's credentials go with the request."""
        if not provider_ref.startswith(self._api(config, "Recordings/")):
            raise SendError("unknown_media", "not a recording of this account", permanent=True)
        return provider_ref.removesuffix(".json").removesuffix(".mp3").removesuffix(".wav")

    def fetch_media(self, config: Config, provider_ref: str) -> FetchedMedia:
        url = self._recording(config, provider_ref) + ".mp3"  # a tenth of the WAV's size
        try:
            response = http.request("GET", url, auth=self._auth(config))
        except http.TransportError as error:
            raise SendError("unreachable", str(error), permanent=False) from None
        if not response.is_success:
            # A recording is announced before it can be downloaded: 404 may mean "not yet".
            transient = response.status_code in (404, 429) or response.status_code >= 500
            raise SendError(
                str(response.status_code), response.reason_phrase, permanent=not transient
            )
        return FetchedMedia(content=response.content, mime_type="audio/mpeg")

    def forget_media(self, config: Config, provider_ref: str) -> None:
        """Delete Twilio's copy of a recording ventanilla has kept (best effort)."""
        url = self._recording(config, provider_ref) + ".json"
        # If this fails the copy stays at Twilio, under the account's own retention.
        with contextlib.suppress(http.TransportError):
            http.request("DELETE", url, auth=self._auth(config))


def _write(parent: VoiceResponse | Gather, step: Step) -> None:
    match step:
        case base.Say():
            parent.say(step.text, language=step.language, voice=step.voice or None)
        case base.Play():
            parent.play(step.url)
        case base.Pause():
            parent.pause(length=step.seconds)
        case base.Gather():
            gather = Gather(
                input="dtmf",
                num_digits=step.digits,
                timeout=step.timeout,
                action=step.action,
                method="POST",
            )
            for prompt in step.prompts:
                _write(gather, prompt)
            parent.append(gather)
        case base.Record():
            parent.record(
                action=step.action,
                method="POST",
                max_length=step.max_seconds,
                finish_on_key="#",
                play_beep=True,
                recording_status_callback=step.status_url,
                recording_status_callback_method="POST",
            )
        case base.Enqueue():
            parent.enqueue(
                step.queue,
                action=step.action,
                method="POST",
                wait_url=step.wait_url,
                wait_url_method="POST",
            )
        case base.Leave():
            parent.leave()
        case base.Hangup():
            parent.hangup()
        case base.Redirect():
            parent.redirect(step.url, method="POST")
        case base.DialQueue():
            dial = Dial(action=step.action, method="POST", **_recording_options(step.recording_url))
            dial.queue(step.queue, url=step.connect_url, method="POST")
            parent.append(dial)
        case base.DialNumber():
            dial = Dial(
                action=step.action,
                method="POST",
                caller_id=step.caller_id,
                timeout=step.timeout,
                **_recording_options(step.recording_url),
            )
            dial.number(step.number)
            parent.append(dial)


def _recording_options(url: str) -> dict[str, str]:
    if not url:
        return {}
    return {
        "record": "record-from-answer-dual",
        "recording_status_callback": url,
        "recording_status_callback_method": "POST",
    }
