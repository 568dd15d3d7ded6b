"""A fake Twilio REST API (Messages sent and listed with paging, Media, Calls, Recordings) that
also posts signed status callbacks; and helpers to post Voice webhooks exactly as Twilio does."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from fakes.server import Answer, FakeServer, Received, as_json

ACCOUNT_SID = "AC" + "5e" * 16
AUTH_TOKEN = "fake-twilio-auth-token"
NUMBER = "+447700900999"


def signature(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class FakeTwilio(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)
        self.media: dict[str, tuple[bytes, str]] = {}
        self.report: list[str] = []  # statuses to call back for each accepted message
        self.error_code = "30003"
        self.recordings: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.placed: list[str] = []  # the sids of the calls placed, which Twilio posts back
        self.call_error: tuple[int, dict[str, Any]] | None = None  # to make Calls.json fail
        self.listed: list[dict[str, Any]] = []  # the account's messages, as the list gives them
        self.listed_media: dict[str, list[tuple[str, str]]] = {}  # message sid: (media sid, type)
        self.page_limit = 1000  # Twilio's largest page

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "number": NUMBER,
                "api_base_url": self.url, **overrides}  # fmt: skip

    def add_media(self, media_sid: str, content: bytes, mime_type: str) -> str:
        """Offer media as Twilio does; returns its MediaUrl."""
        self.media[media_sid] = (content, mime_type)
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/{media_sid}"

    def add_recording(self, recording_sid: str, content: bytes) -> str:
        """A recording as Twilio keeps one; returns its RecordingUrl (no extension)."""
        self.recordings[recording_sid] = content
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"

    def add_listed(
        self,
        sid: str,
        sender: str,
        body: str,
        *,
        to: str = NUMBER,
        sent_at: datetime | None = None,
        direction: str = "inbound",
        media: tuple[tuple[str, bytes, str], ...] = (),
    ) -> dict[str, Any]:
        """A message the account's list shows (received, or sent when `direction` says so),
        with its media (sid, content, type) offered as Twilio does."""
        sent = format_datetime(sent_at or datetime.now(UTC))
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}"
        resource = {"account_sid": ACCOUNT_SID, "api_version": "2010-04-01", "body": body,
                    "date_created": sent, "date_sent": sent, "date_updated": sent,
                    "direction": direction, "error_code": None, "error_message": None,
                    "from": sender, "messaging_service_sid": None, "num_media": str(len(media)),
                    "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid,
                    "status": "received" if direction == "inbound" else "delivered",
                    "subresource_uris": {"media": f"{base}/Media.json",
                                         "feedback": f"{base}/Feedback.json"},
                    "to": to, "uri": f"{base}.json"}  # fmt: skip
        for media_sid, content, mime in media:
            self.media[media_sid] = (content, mime)
        self.listed_media[sid] = [(media_sid, mime) for media_sid, _content, mime in media]
        self.listed.append(resource)
        return resource

    @property
    def list_calls(self) -> list[Received]:
        """The requests for the list of messages, in order."""
        return self.requests_to("/Messages.json", method="GET")

    @property
    def calls(self) -> list[dict[str, str]]:
        """The calls placed through the REST API, each as the form posted."""
        return [{k: v[-1] for k, v in r.form.items()} for r in self.requests_to("/Calls.json")]

    @property
    def sent(self) -> list[dict[str, list[str]]]:
        return [r.form for r in self.requests_to("/Messages.json")]

    def _authorised(self, request: Received) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def answer(self, request: Received) -> Answer:
        if request.path.startswith("/storage/"):
            content, mime = self.media[request.path.removeprefix("/storage/")]
            return Answer(200, content, mime)
        if not self._authorised(request):
            return as_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        prefix = f"/2010-04-01/Accounts/{ACCOUNT_SID}/"
        if request.method == "POST" and request.path == prefix + "Messages.json":
            return self._send(request)
        if request.method == "GET" and request.path == prefix + "Messages.json":
            return self._list(request)
        if request.method == "GET" and request.path.endswith("/Media.json"):
            return self._media_list(request.path.removeprefix(prefix + "Messages/").split("/")[0])
        if request.method == "POST" and request.path == prefix + "Calls.json":
            return self._call(request)
        if request.path.startswith(prefix + "Recordings/"):
            return self._recording(request, request.path.removeprefix(prefix + "Recordings/"))
        if request.method == "GET" and "/Media/" in request.path:
            media_sid = request.path.rsplit("/", 1)[1]
            # Twilio sends media from storage elsewhere: another origin, which gets no credentials.
            elsewhere = self.url.replace("127.0.0.1", "localhost")
            return Answer(307, b"", "text/plain", {"Location": f"{elsewhere}/storage/{media_sid}"})
        return as_json(
            404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        )

    def _send(self, request: Received) -> Answer:
        form = {k: v[-1] for k, v in request.form.items()}
        if not form.get("To") or not form.get("From"):
            return as_json(
                400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400}
            )
        if not form.get("Body") and not form.get("MediaUrl"):
            return as_json(
                400, {"code": 21602, "message": "Message body is required.", "status": 400}
            )
        if len(form.get("Body", "")) > 1600:
            return as_json(400, {"code": 21617, "message": "The concatenated message body exceeds the 1600 character limit.", "status": 400})  # fmt: skip
        sid = f"SM{next(self.ids):032x}"
        if self.report and form.get("StatusCallback"):
            threading.Timer(0.2, self._callbacks, [form, sid]).start()
        return as_json(201, {"account_sid": ACCOUNT_SID, "api_version": "2010-04-01", "body": form.get("Body", ""),
                             "direction": "outbound-api", "from": form["From"], "to": form["To"],
                             "num_media": str(len(request.form.get("MediaUrl", []))), "num_segments": "1",
                             "sid": sid, "status": "queued", "error_code": None, "error_message": None})  # fmt: skip

    def _list(self, request: Received) -> Answer:
        """Messages newest first, filtered by To and DateSent>= (a GMT day), a page at a time:
        the next page is reached only through next_page_uri, which carries a PageToken."""
        query = {k: v[-1] for k, v in request.query.items()}
        try:
            size = min(int(query.get("PageSize", "50")), self.page_limit)
            page = int(query.get("Page", "0"))
            after = date.fromisoformat(query["DateSent>"]) if "DateSent>" in query else None
        except ValueError:
            return as_json(400, {"code": 20001, "message": "Invalid paging or date", "status": 400})  # fmt: skip
        found = sorted(
            (m for m in self.listed
             if (not query.get("To") or m["to"] == query["To"])
             and (after is None or _day(m["date_sent"]) >= after)),
            key=lambda m: (-_sent(m["date_sent"]), m["sid"]),
        )  # fmt: skip
        start = 0
        if page:
            sids = [m["sid"] for m in found]
            token = query.get("PageToken", "").removeprefix("PA")
            if token not in sids:
                return as_json(400, {"code": 20001, "message": "Invalid PageToken", "status": 400})  # fmt: skip
            start = sids.index(token) + 1
        shown = found[start : start + size]
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        kept = {k: query[k] for k in ("To", "DateSent>") if k in query}
        uri = f"{path}?{urlencode({**kept, 'PageSize': size, 'Page': page})}"
        following = None
        if start + size < len(found):
            more = {
                **kept,
                "PageSize": size,
                "Page": page + 1,
                "PageToken": f"PA{shown[-1]['sid']}",
            }
            following = f"{path}?{urlencode(more)}"
        return as_json(200, {"messages": shown, "page": page, "page_size": size, "start": start,
                             "end": start + len(shown) - 1, "uri": uri, "next_page_uri": following,
                             "first_page_uri": f"{path}?{urlencode({**kept, 'PageSize': size, 'Page': 0})}",
                             "previous_page_uri": None})  # fmt: skip

    def _media_list(self, message_sid: str) -> Answer:
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message_sid}/Media"
        items = [{"account_sid": ACCOUNT_SID, "content_type": mime, "parent_sid": message_sid,
                  "sid": media_sid, "uri": f"{base}/{media_sid}.json"}
                 for media_sid, mime in self.listed_media.get(message_sid, [])]  # fmt: skip
        return as_json(200, {"media_list": items, "next_page_uri": None, "page": 0,
                             "page_size": 50, "uri": f"{base}.json"})  # fmt: skip

    def _call(self, request: Received) -> Answer:
        form = {k: v[-1] for k, v in request.form.items()}
        if self.call_error is not None:
            return as_json(*self.call_error)
        if not form.get("To") or not form.get("From") or not form.get("Url"):
            return as_json(400, {"code": 21205, "message": "Url parameter is required.", "status": 400})  # fmt: skip
        sid = f"CA{next(self.ids):032x}"
        self.placed.append(sid)
        return as_json(201, {"account_sid": ACCOUNT_SID, "api_version": "2010-04-01", "sid": sid,
                             "direction": "outbound-api", "from": form["From"], "to": form["To"],
                             "status": "queued", "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json"})  # fmt: skip

    def _recording(self, request: Received, name: str) -> Answer:
        sid, _dot, extension = name.partition(".")
        if sid not in self.recordings:
            return as_json(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})  # fmt: skip
        if request.method == "DELETE" and extension == "json":
            del self.recordings[sid]
            self.deleted.append(sid)
            return Answer(204, b"", "application/json")
        if request.method == "GET" and extension == "mp3":
            return Answer(200, self.recordings[sid], "audio/mpeg")
        if request.method == "GET" and extension in ("", "wav"):
            return Answer(200, self.recordings[sid], "audio/x-wav")
        return as_json(405, {"code": 20004, "message": "Method not allowed", "status": 405})

    def _callbacks(self, form: dict[str, str], sid: str) -> None:
        for status in self.report:
            params = {"AccountSid": ACCOUNT_SID, "From": form["From"], "To": form["To"],
                      "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                      "ApiVersion": "2010-04-01"}  # fmt: skip
            if status in ("failed", "undelivered"):
                params["ErrorCode"] = self.error_code
            post_signed(form["StatusCallback"], params)


def _sent(value: str) -> float:
    return parsedate_to_datetime(value).timestamp()


def _day(value: str) -> date:
    return parsedate_to_datetime(value).astimezone(UTC).date()


def post_signed(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> httpx.Response:
    """Post a form as Twilio does, with X-Twilio-Signature."""
    return httpx.post(url, content=urlencode(params), timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature(url, params, token)})  # fmt: skip


def inbound_sms(sid: str, sender: str, body: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT_SID,
            "From": sender, "To": NUMBER, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "ApiVersion": "2010-04-01", **extra}  # fmt: skip


def voice_params(call_sid: str, *, caller: str = "+50499990001", **extra: str) -> dict[str, str]:
    """The parameters Twilio sends with every request of an incoming call."""
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": call_sid,
            "CallStatus": "in-progress", "Called": NUMBER, "Caller": caller, "Direction": "inbound",
            "From": caller, "FromCountry": "HN", "To": NUMBER, "ToCountry": "GB", **extra}  # fmt: skip


__all__ = ["FakeTwilio", "inbound_sms", "json", "post_signed", "signature", "voice_params"]
