"""SMS over Twilio's Messaging API: signed webhooks, status callbacks, sending, media."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from ventanilla.channels.adapters.base import (
    ChannelAdapter,
    Config,
    ConfigField,
    FetchedMedia,
    Inbound,
    MediaRef,
    Outbound,
    SendError,
    SendResult,
    StatusUpdate,
    Webhook,
    WebhookRejected,
    WebhookRequest,
    check_pattern,
    check_phone,
    check_url,
)
from ventanilla.lib import http

# Twilio's statuses that say something new about a message ventanilla sent.
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


class TwilioAdapter(ChannelAdapter):
    """What Twilio's products share: an account, its auth token, one of its numbers, signatures."""

    config_fields = (
        ConfigField(
            "account_sid", check=check_pattern(r"AC[0-9a-f]{32}", "AC followed by 32 hex digits")
        ),
        ConfigField("auth_token", secret=True),
        ConfigField("number", check=check_phone),
        ConfigField(
            "api_base_url", required=False, default="https://api.twilio.com", check=check_url
        ),
    )

    def address(self, config: Config) -> str:
        return str(config["number"])

    def _verify(self, config: Config, request: WebhookRequest) -> dict[str, str]:
        """Check X-Twilio-Signature over the public URL and every POST parameter."""
        if request.method != "POST":
            raise WebhookRejected(405, "Twilio posts its webhooks")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            raise WebhookRejected(401, "no X-Twilio-Signature header")
        validator = RequestValidator(str(config["auth_token"]))
        if not validator.validate(request.url, MultiValueDict(dict(request.form)), signature):
            raise WebhookRejected(403, "the X-Twilio-Signature signature does not match")
        return {key: values[-1] for key, values in request.form.items()}

    def _api(self, config: Config, path: str) -> str:
        return f"{config['api_base_url']}/2010-04-01/Accounts/{config['account_sid']}/{path}"

    def _auth(self, config: Config) -> tuple[str, str]:
        return (str(config["account_sid"]), str(config["auth_token"]))

    def _create(self, config: Config, resource: str, form: Mapping[str, Any]) -> str:
        """POST a new resource (a message, a call) to the account; its sid, or SendError."""
        try:
            response = http.request(
                "POST", self._api(config, resource), data=dict(form), auth=self._auth(config)
            )
        except http.TransportError as error:
            raise SendError("unreachable", str(error), permanent=False) from None
        body = _json(response)
        if response.is_success and body.get("sid"):
            return str(body["sid"])
        raise refusal(response, body)


class TwilioSmsAdapter(TwilioAdapter):
    type = "twilio-sms"
    label = "SMS (Twilio)"
    max_text = 1600  # Twilio's limit for one (concatenated) SMS

    def read_webhook(self, config: Config, request: WebhookRequest) -> Webhook:
        params = self._verify(config, request)
        if request.action == "status":
            return self._status(params, request)
        if request.action:
            raise WebhookRejected(404, f"no such webhook: {request.action}")
        sid, sender = params.get("MessageSid", ""), params.get("From", "")
        if not sid or not sender:
            return Webhook(
                unreadable=["an incoming message without MessageSid or From"],
                body=str(MessagingResponse()),
                content_type="text/xml",
            )
        try:
            count = min(int(params.get("NumMedia", "0") or 0), 10)
        except ValueError:
            count = 0
        media = tuple(
            MediaRef(
                provider_ref=params[f"MediaUrl{n}"],
                mime_type=params.get(f"MediaContentType{n}", ""),
            )
            for n in range(count)
            if params.get(f"MediaUrl{n}")
        )
        details = {
            k: params[k] for k in ("Latitude", "Longitude", "Address", "Label") if k in params
        }
        inbound = Inbound(
            provider_id=sid,
            scheme="tel",
            address=sender.removeprefix("whatsapp:"),
            text=params.get("Body", ""),
            kind="text" if not media else _kind(media[0].mime_type),
            sender_name=params.get("ProfileName", ""),
            media=media,
            details={"location": details} if details else {},
            raw=params,
        )
        # An empty TwiML answer: nothing is sent back automatically.
        return Webhook(events=[inbound], body=str(MessagingResponse()), content_type="text/xml")

    @staticmethod
    def _status(params: dict[str, str], request: WebhookRequest) -> Webhook:
        status = STATUSES.get(params.get("MessageStatus", ""))
        sid = params.get("MessageSid", "")
        if status is None or not sid:
            return Webhook()  # queued, sending, accepted...: nothing ventanilla does not know
        update = StatusUpdate(
            provider_id=sid,
            status=status,
            tracker=f"vt-{request.query.get('m', '')}",
            error_code=params.get("ErrorCode", ""),
            error_title=params.get("ChannelStatusMessage", "") or params.get("ErrorMessage", ""),
        )
        return Webhook(events=[update])

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        text = self.menu_as_text(outbound.text, outbound.menu) if outbound.menu else outbound.text
        form: dict[str, str | list[str]] = {"To": outbound.to, "From": str(config["number"])}
        if text:
            form["Body"] = text
        links = [file.url for file in outbound.files if file.url]
        if links:
            form["MediaUrl"] = links
        if outbound.status_url:
            form["StatusCallback"] = outbound.status_url
        return SendResult(provider_id=self._create(config, "Messages.json", form))

    def fetch_media(self, config: Config, provider_ref: str) -> FetchedMedia:
        try:
            response = http.request("GET", provider_ref, auth=self._auth(config))
        except http.TransportError as error:
            raise SendError("unreachable", str(error), permanent=False) from None
        if not response.is_success:
            transient = response.status_code == 429 or response.status_code >= 500
            raise SendError(
                str(response.status_code), response.reason_phrase, permanent=not transient
            )
        return FetchedMedia(
            content=response.content,
            mime_type=response.headers.get("Content-Type", "").split(";")[0].strip(),
        )


def _kind(mime_type: str) -> str:
    family = mime_type.split("/", 1)[0]
    return family if family in ("image", "audio", "video") else "document"


def refusal(response: Any, body: dict[str, Any]) -> SendError:
    """Twilio's refusal of a request, as an error saying whether trying again could help."""
    transient = response.status_code == 429 or response.status_code >= 500
    code = str(body.get("code") or response.status_code)
    title = str(body.get("message") or body.get("detail") or response.reason_phrase)
    return SendError(code, title[:255], permanent=not transient)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
