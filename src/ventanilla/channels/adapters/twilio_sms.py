"""SMS over Twilio's Messaging API: signed webhooks, status callbacks, sending, media, listing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

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
    transport_failure,
)
from ventanilla.lib import http
from ventanilla.lib.text import storable

# Twilio's statuses that say something new about a message ventanilla sent.
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
# Twilio's largest page of a list: the fewest calls for a day of messages.
LIST_PAGE_SIZE = 1000


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
        return {storable(key): storable(values[-1]) for key, values in request.form.items()}

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
            raise transport_failure(error, creates=True) from None
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

    # Reconciliation: Twilio never delivers a failed webhook again, but its Messages API
    # lists every message the number received.

    def inbound_since(
        self,
        config: Config,
        *,
        since: datetime,
        stored: Callable[[list[str]], Collection[str]] = lambda sids: (),
        page_size: int = LIST_PAGE_SIZE,
    ) -> Iterator[Inbound]:
        """The messages people sent to the channel's number since `since`, newest first,
        as the webhook would have given them.

        `stored` is asked, a page at a time, which of the listed message ids ventanilla
        already keeps: those are passed over without listing their media. Twilio's filter
        is by day (in GMT); earlier messages of that day are left out here. Refusals and
        network failures raise SendError.
        """
        day = since.astimezone(UTC).date().isoformat()
        query = {"To": str(config["number"]), "DateSent>": day, "PageSize": str(page_size)}
        url: str | None = self._api(config, "Messages.json") + "?" + urlencode(query)
        while url:
            page = self._get(config, url)
            listed = page.get("messages")
            found = (
                [m for m in listed if _is_inbound_since(m, since)]
                if isinstance(listed, list)
                else []
            )
            known = set(stored([str(m["sid"]) for m in found]))
            for resource in found:
                if resource["sid"] not in known:
                    yield self._listed(config, resource)
            following = page.get("next_page_uri")
            url = f"{config['api_base_url']}{following}" if isinstance(following, str) else None

    def _listed(self, config: Config, resource: dict[str, Any]) -> Inbound:
        """One listed message as the webhook would have given it, its media listed too."""
        sid = str(resource["sid"])
        try:
            count = int(resource.get("num_media") or 0)
        except ValueError:
            count = 0
        media: tuple[MediaRef, ...] = ()
        if count:
            listed = self._get(config, self._api(config, f"Messages/{sid}/Media.json"))
            media = tuple(
                MediaRef(
                    provider_ref=f"{config['api_base_url']}{str(item['uri']).removesuffix('.json')}",
                    mime_type=str(item.get("content_type") or ""),
                )
                for item in (listed.get("media_list") or [])[:10]
                if isinstance(item, dict) and item.get("uri")
            )
        return Inbound(
            provider_id=sid,
            scheme="tel",
            address=str(resource.get("from") or "").removeprefix("whatsapp:"),
            text=str(resource.get("body") or ""),
            kind="text" if not media else _kind(media[0].mime_type),
            sent_at=_date(resource.get("date_sent")),
            media=media,
            raw=resource,
        )

    def _get(self, config: Config, url: str) -> dict[str, Any]:
        """GET a resource of the account as JSON, or SendError."""
        try:
            response = http.request("GET", url, auth=self._auth(config))
        except http.TransportError as error:
            raise SendError("unreachable", str(error), permanent=False) from None
        body = _json(response)
        if not response.is_success:
            raise refusal(response, body)
        if not body:
            raise SendError("unreadable", "the answer is not a JSON object", permanent=False)
        return body


def _is_inbound_since(resource: Any, since: datetime) -> bool:
    if not isinstance(resource, dict) or resource.get("direction") != "inbound":
        return False
    if not resource.get("sid") or not resource.get("from"):
        return False
    sent = _date(resource.get("date_sent"))
    return sent is None or sent >= since


def _date(value: Any) -> datetime | None:
    """An RFC 2822 date as Twilio writes them, or None."""
    try:
        parsed = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=parsed.tzinfo or UTC) if parsed else None


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
