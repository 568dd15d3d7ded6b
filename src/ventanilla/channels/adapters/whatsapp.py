"""WhatsApp Business Cloud API (Meta Graph API): webhook, parsing, sending, media, templates."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ventanilla.channels.adapters.base import (
    ChannelAdapter,
    Choice,
    Config,
    ConfigField,
    FetchedMedia,
    Inbound,
    MediaRef,
    Menu,
    Outbound,
    SendError,
    SendResult,
    StatusUpdate,
    Template,
    Webhook,
    WebhookRejected,
    WebhookRequest,
    check_digits,
    check_pattern,
    check_phone,
    check_url,
    transport_failure,
)
from ventanilla.lib import http
from ventanilla.lib.text import Unreadable, read_json

logger = logging.getLogger(__name__)

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",  # a voice note was played: it was read
    "failed": "failed",
}
# Graph error codes worth trying again later: rate limits, throughput, temporary outages.
TRANSIENT_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131056}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _when(timestamp: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class WhatsAppAdapter(ChannelAdapter):
    type = "whatsapp"
    label = "WhatsApp"
    config_fields = (
        ConfigField("phone_number_id", check=check_digits, max_length=32),
        ConfigField("access_token", secret=True, max_length=1024),
        ConfigField("app_secret", secret=True),
        ConfigField("verify_token", secret=True),
        ConfigField("business_account_id", required=False, check=check_digits, max_length=32),
        # The number people write to, as shown in WhatsApp: for the help centre's wa.me link.
        ConfigField("display_phone_number", required=False, check=check_phone, max_length=32),
        ConfigField(
            "api_base_url", required=False, default="https://graph.facebook.com", check=check_url
        ),
        ConfigField(
            "api_version",
            required=False,
            default="v23.0",
            check=check_pattern(r"v\d+\.\d+", "v23.0"),
        ),
    )
    reply_window = timedelta(hours=24)

    def address(self, config: Config) -> str:
        return str(config["phone_number_id"])

    # Receiving.

    def read_webhook(self, config: Config, request: WebhookRequest) -> Webhook:
        if request.method == "GET":
            return self._verify_subscription(config, request)
        if request.method != "POST":
            raise WebhookRejected(405, "only GET (verification) and POST (deliveries)")
        self._check_signature(config, request)
        # Signed by Meta: whatever it holds is acknowledged, so that it is not sent again
        # for days, and what cannot be read is kept unread.
        webhook = Webhook(body="EVENT_RECEIVED")
        try:
            envelope = read_json(request.body)
        except Unreadable as error:
            webhook.unreadable.append(str(error))
            return webhook
        if not isinstance(envelope, dict) or not isinstance(envelope.get("entry"), list):
            webhook.unreadable.append("not a WhatsApp webhook envelope (no entry list)")
            return webhook
        for entry in envelope["entry"]:
            for change in _list(_dict(entry).get("changes")):
                self._read_change(config, _dict(change), webhook)
        return webhook

    def _verify_subscription(self, config: Config, request: WebhookRequest) -> Webhook:
        mode, token = request.query.get("hub.mode"), request.query.get("hub.verify_token")
        challenge = request.query.get("hub.challenge")
        if not (mode and token and challenge):
            raise WebhookRejected(400, "hub.mode, hub.verify_token and hub.challenge are required")
        if mode != "subscribe" or not hmac.compare_digest(
            token.encode(), str(config["verify_token"]).encode()
        ):
            raise WebhookRejected(403, "the verify token does not match")
        return Webhook(body=challenge)

    @staticmethod
    def _check_signature(config: Config, request: WebhookRequest) -> None:
        header = request.headers.get("X-Hub-Signature-256", "")
        if not header:
            raise WebhookRejected(401, "no X-Hub-Signature-256 header")
        expected = hmac.new(
            str(config["app_secret"]).encode(), request.body, hashlib.sha256
        ).hexdigest()
        given = header.removeprefix("sha256=").strip().lower()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected(403, "the X-Hub-Signature-256 signature does not match")

    def _read_change(self, config: Config, change: dict[str, Any], webhook: Webhook) -> None:
        if change.get("field") != "messages":
            return  # account, template and other notifications: nothing to do here
        value = _dict(change.get("value"))
        number = _dict(value.get("metadata")).get("phone_number_id")
        if number is not None and str(number) != str(config["phone_number_id"]):
            webhook.unreadable.append(f"a delivery for another number ({number})")
            return
        names = {
            _text(c.get("wa_id")) or _text(c.get("user_id")): _text(
                _dict(c.get("profile")).get("name")
            )
            for c in map(_dict, _list(value.get("contacts")))
        }
        for item in _list(value.get("messages")):
            event = self._message(_dict(item), names)
            if isinstance(event, Inbound):
                webhook.events.append(event)
            else:
                webhook.unreadable.append(event)
        for item in _list(value.get("statuses")):
            status = self._status(_dict(item))
            if status is not None:
                webhook.events.append(status)
        for error in map(_dict, _list(value.get("errors"))):
            webhook.unreadable.append(
                f"WhatsApp reported error {error.get('code')}: {error.get('title')}"
            )

    def _message(self, item: dict[str, Any], names: dict[str, str]) -> Inbound | str:
        """The message as an Inbound, or the reason it cannot be one."""
        provider_id, kind = _text(item.get("id")), _text(item.get("type")) or "unknown"
        wa_id, user_id = _text(item.get("from")), _text(item.get("from_user_id"))
        if not provider_id:
            return "a message without an id"
        if not (wa_id or user_id):
            return f"message {provider_id} has no sender"
        body = _dict(item.get(kind))
        text, media, details = self._content(kind, body, item)
        return Inbound(
            provider_id=provider_id,
            scheme="tel" if wa_id else "whatsapp-user",
            address=wa_id or user_id,
            text=text,
            kind=kind if kind in KNOWN_KINDS else "unsupported",
            sender_name=names.get(wa_id or user_id, ""),
            sent_at=_when(item.get("timestamp")),
            media=media,
            details=details,
            raw=item,
        )

    @staticmethod
    def _content(
        kind: str, body: dict[str, Any], item: dict[str, Any]
    ) -> tuple[str, tuple[MediaRef, ...], dict[str, Any]]:
        details: dict[str, Any] = {}
        if _dict(item.get("context")):
            details["context"] = item["context"]
        if item.get("errors"):
            details["errors"] = _list(item.get("errors"))
        if item.get("referral"):
            details["referral"] = item["referral"]
        text = ""
        media: tuple[MediaRef, ...] = ()
        if kind == "text":
            text = _text(body.get("body"))
        elif kind in MEDIA_TYPES:
            text = _text(body.get("caption"))
            if _text(body.get("id")):
                media = (
                    MediaRef(
                        provider_ref=_text(body.get("id")),
                        mime_type=_text(body.get("mime_type")),
                        filename=_text(body.get("filename")),
                        sha256=_text(body.get("sha256")),
                    ),
                )
            details.update({k: body[k] for k in ("voice", "animated") if k in body})
        elif kind == "location":
            details["location"] = {
                k: body[k] for k in ("latitude", "longitude", "name", "address", "url") if k in body
            }
            text = " ".join(filter(None, (_text(body.get("name")), _text(body.get("address")))))
        elif kind == "contacts":
            cards = _list(item.get("contacts"))
            details["contacts"] = cards
            text = ", ".join(
                _text(_dict(_dict(card).get("name")).get("formatted_name")) for card in cards
            )
        elif kind == "interactive":
            reply = _dict(body.get(_text(body.get("type"))))
            details["interactive"] = body
            text = _text(reply.get("title")) or _text(reply.get("body"))
        elif kind == "button":
            details["button"] = body
            text = _text(body.get("text"))
        elif kind == "reaction":
            details["reaction"] = body
            text = _text(body.get("emoji"))
        elif kind in ("system", "order", "revoke", "edit", "unsupported", "unknown"):
            details[kind] = body
            text = _text(body.get("body")) or _text(body.get("text"))
            if kind == "edit":
                text = _text(_dict(_dict(body.get("message")).get("text")).get("body")) or text
        return text, media, details

    @staticmethod
    def _status(item: dict[str, Any]) -> StatusUpdate | None:
        status = STATUSES.get(_text(item.get("status")))
        provider_id = _text(item.get("id"))
        if status is None or not provider_id:
            return None
        error = _dict(_list(item.get("errors"))[0]) if _list(item.get("errors")) else {}
        return StatusUpdate(
            provider_id=provider_id,
            status=status,
            at=_when(item.get("timestamp")),
            tracker=_text(item.get("biz_opaque_callback_data")),
            error_code=str(error.get("code", "")),
            error_title=_text(error.get("title")) or _text(error.get("message")),
        )

    # Sending.

    def _url(self, config: Config, path: str) -> str:
        return f"{config['api_base_url']}/{config['api_version']}/{path}"

    def _headers(self, config: Config) -> dict[str, str]:
        return {"Authorization": f"Bearer {config['access_token']}"}

    def send(self, config: Config, outbound: Outbound) -> SendResult:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "biz_opaque_callback_data": outbound.tracker,
        }
        if outbound.scheme == "tel":
            payload["to"] = outbound.to.lstrip("+")
        else:
            payload["recipient"] = outbound.to
        payload.update(self._body(config, outbound))
        response = self._call(
            "POST", self._url(config, f"{config['phone_number_id']}/messages"), config, json=payload
        )
        try:
            return SendResult(provider_id=str(response.json()["messages"][0]["id"]))
        except (ValueError, KeyError, IndexError, TypeError):
            raise SendError(
                "bad_response", "WhatsApp accepted but named no message id", permanent=True
            ) from None

    def _body(self, config: Config, outbound: Outbound) -> dict[str, Any]:
        """The part of the send request that says what is sent."""
        if outbound.template is not None:
            return _template_body(outbound.template)
        if outbound.files:
            file = outbound.files[0]
            kind = _media_kind(file.mime_type)
            media: dict[str, Any] = {
                "id": self._upload(config, file.content, file.mime_type, file.filename)
            }
            if outbound.text and kind != "audio":
                media["caption"] = outbound.text
            if kind == "document":
                media["filename"] = file.filename
            return {"type": kind, kind: media}
        if outbound.menu is not None:
            return {"type": "interactive", "interactive": _menu_body(outbound.text, outbound.menu)}
        return {"type": "text", "text": {"preview_url": False, "body": outbound.text}}

    def _upload(self, config: Config, content: bytes, mime_type: str, filename: str) -> str:
        response = self._call(
            "POST",
            self._url(config, f"{config['phone_number_id']}/media"),
            config,
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename or "file", content, mime_type)},
        )
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise SendError(
                "bad_response", "WhatsApp stored the file but named no id", permanent=True
            ) from None

    def _call(self, method: str, url: str, config: Config, **kwargs: Any) -> httpx.Response:
        try:
            response = http.request(method, url, headers=self._headers(config), **kwargs)
        except http.TransportError as error:
            raise transport_failure(error, creates=method == "POST") from None
        if response.is_success:
            return response
        graph_error = _graph_error(response)
        code = graph_error.get("code")
        transient = (
            response.status_code == 429 or response.status_code >= 500 or code in TRANSIENT_CODES
        )
        title = _text(graph_error.get("message")) or response.reason_phrase
        raise SendError(str(code or response.status_code), title[:255], permanent=not transient)

    def fetch_media(self, config: Config, provider_ref: str) -> FetchedMedia:
        described = self._call("GET", self._url(config, provider_ref), config).json()
        if not isinstance(described, dict) or not _text(described.get("url")):
            raise SendError(
                "bad_response", "WhatsApp described the media without a URL", permanent=True
            )
        content = self._call("GET", described["url"], config).content
        return FetchedMedia(
            content=content,
            mime_type=_text(described.get("mime_type")),
            sha256=_text(described.get("sha256")),
        )

    def approved_templates(self, config: Config) -> list[dict[str, Any]]:
        """The account's approved templates, as Meta lists them (empty without an account id)."""
        account = config.get("business_account_id")
        if not account:
            return []
        response = self._call(
            "GET",
            self._url(config, f"{account}/message_templates"),
            config,
            params={"status": "APPROVED", "limit": 200},
        )
        data = response.json().get("data") if isinstance(response.json(), dict) else None
        return [t for t in _list(data) if isinstance(t, dict)]


def _template_body(template: Template) -> dict[str, Any]:
    parameters = [{"type": "text", "text": value} for value in template.parameters]
    return {
        "type": "template",
        "template": {
            "name": template.name,
            "language": {"code": template.language},
            "components": [{"type": "body", "parameters": parameters}] if parameters else [],
        },
    }


# What WhatsApp shows of a menu, in characters: longer titles are refused by the Graph API.
BUTTON_TITLE, ROW_TITLE, ROW_DESCRIPTION, LIST_BUTTON, SECTION_TITLE = 20, 24, 72, 20, 24
ELLIPSIS = "\u2026"


def _menu_body(text: str, menu: Menu) -> dict[str, Any]:
    if not menu.button:
        buttons = [
            {"type": "reply", "reply": {"id": c.id, "title": _fit(c.title, BUTTON_TITLE)}}
            for c in menu.choices
        ]
        return {"type": "button", "body": {"text": text}, "action": {"buttons": buttons}}
    rows = [_row(c) for c in menu.choices]
    section = {"title": _fit(menu.section or menu.button, SECTION_TITLE), "rows": rows}
    return {
        "type": "list",
        "body": {"text": text},
        "action": {"button": _fit(menu.button, LIST_BUTTON), "sections": [section]},
    }


def _row(choice: Choice) -> dict[str, str]:
    """A list row: a title too long for the row goes whole (or nearly) in its description."""
    title = " ".join(choice.title.split())
    description = choice.description
    if not description and len(title) > ROW_TITLE:
        description = title
    row = {"id": choice.id, "title": _fit(title, ROW_TITLE)}
    if description:
        row["description"] = _fit(description, ROW_DESCRIPTION)
    return row


def _fit(title: str, limit: int) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + ELLIPSIS


KNOWN_KINDS = {
    "text",
    *MEDIA_TYPES,
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "system",
    "order",
    "revoke",
    "edit",
    "unsupported",
}


def _media_kind(mime_type: str) -> str:
    family = mime_type.split("/", 1)[0]
    return family if family in ("image", "audio", "video") else "document"


def _graph_error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return _dict(_dict(body).get("error"))
