"""A fake Meta Graph API (WhatsApp Cloud API): send, upload and download media, templates.

It checks the bearer token on every call, answers in the Graph API's shapes (errors in the
`{"error": {...}}` envelope) and, like Meta, can report statuses of what it accepted to a
webhook URL, signed with the app secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any

import httpx

from fakes.server import Answer, FakeServer, Received, as_json

TOKEN = "EAAG-fake-access-token"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"
PHONE_NUMBER_ID = "106540352242922"
ACCOUNT_ID = "102290129340398"
VERSION = "v23.0"


def graph_error(status: int, code: int, message: str, details: str = "") -> Answer:
    return as_json(status, {"error": {
        "message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or message},
        "fbtrace_id": "AFakeTrace"}})  # fmt: skip


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeGraph(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)
        self.media: dict[str, tuple[bytes, str]] = {}
        self.uploads: dict[str, bytes] = {}
        self.templates: list[dict[str, Any]] = []
        self.webhook_url = ""  # where statuses of accepted messages are reported
        self.report: list[str] = []  # statuses to report for each accepted message
        self.report_first = False  # report before answering the send call, as Meta may
        self.media_url_lifetime = 300.0

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A channel configuration pointing at this fake."""
        return {"phone_number_id": PHONE_NUMBER_ID, "access_token": TOKEN,
                "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
                "business_account_id": ACCOUNT_ID, "api_base_url": self.url,
                "api_version": VERSION, **overrides}  # fmt: skip

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> str:
        """Offer media for download; returns its sha256 in base64, as webhooks give it."""
        self.media[media_id] = (content, mime_type)
        return base64.b64encode(hashlib.sha256(content).digest()).decode()

    @property
    def sent(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests_to(f"/{PHONE_NUMBER_ID}/messages")]

    def answer(self, request: Received) -> Answer:
        if request.path.startswith("/download/"):
            return self._download(request)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return graph_error(401, 190, "Invalid OAuth access token")
        path = request.path.removeprefix(f"/{VERSION}/")
        if request.method == "POST" and path == f"{PHONE_NUMBER_ID}/messages":
            return self._send(request)
        if request.method == "POST" and path == f"{PHONE_NUMBER_ID}/media":
            return self._upload(request)
        if request.method == "GET" and path == f"{ACCOUNT_ID}/message_templates":
            return as_json(200, {"data": self.templates, "paging": {}})
        if request.method == "GET" and path in self.media:
            content, mime = self.media[path]
            expires = time.time() + self.media_url_lifetime
            return as_json(200, {
                "messaging_product": "whatsapp", "url": f"{self.url}/download/{path}?expires={expires}",
                "mime_type": mime, "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": str(len(content)), "id": path})  # fmt: skip
        return graph_error(400, 100, f"Unsupported request: {request.method} {request.path}")

    def _download(self, request: Received) -> Answer:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Answer(401, b"", "text/plain")
        media_id = request.path.removeprefix("/download/")
        if float(request.query.get("expires", ["0"])[0]) < time.time():
            return Answer(404, b"URL expired", "text/plain")
        content, mime = self.media[media_id]
        return Answer(200, content, mime)

    def _send(self, request: Received) -> Answer:
        body = request.json
        kind = body.get("type")
        if body.get("messaging_product") != "whatsapp" or not (
            body.get("to") or body.get("recipient")
        ):
            return graph_error(400, 131008, "Required parameter is missing")
        if kind not in body:
            return graph_error(400, 131009, "Parameter value is not valid")
        wamid = f"wamid.FAKE{next(self.ids):06d}"
        to = str(body.get("to") or body.get("recipient"))
        reports = [
            self._status(wamid, s, to, body.get("biz_opaque_callback_data")) for s in self.report
        ]
        if reports and self.report_first:
            self._post_statuses(reports)
        elif reports:
            threading.Timer(0.2, self._post_statuses, [reports]).start()
        return as_json(200, {"messaging_product": "whatsapp",
                             "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                             "messages": [{"id": wamid}]})  # fmt: skip

    def _upload(self, request: Received) -> Answer:
        if b'name="messaging_product"' not in request.body or b'name="file"' not in request.body:
            return graph_error(400, 131053, "Media upload error")
        media_id = f"{next(self.ids) + 900000}"
        self.uploads[media_id] = request.body
        return as_json(200, {"id": media_id})

    def _status(self, wamid: str, status: str, to: str, tracker: str | None) -> dict[str, Any]:
        report: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
                                  "recipient_id": to.lstrip("+")}  # fmt: skip
        if tracker:
            report["biz_opaque_callback_data"] = tracker
        if status == "failed":
            report["errors"] = [{"code": 131047, "title": "Re-engagement message",
                                 "message": "Re-engagement message"}]  # fmt: skip
        return report

    def _post_statuses(self, statuses: list[dict[str, Any]]) -> None:
        body = json.dumps(envelope(statuses=statuses)).encode()
        httpx.post(self.webhook_url, content=body, timeout=10,
                   headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})  # fmt: skip


def envelope(
    *,
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
    contacts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """A webhook delivery as Meta posts it: one entry, one change in the `messages` field."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": ACCOUNT_ID, "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip


def message(
    wamid: str, kind: str, content: Any, *, sender: str = "447700900301", **extra: Any
) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": kind,
            **({kind: content} if content is not None else {}), **extra}  # fmt: skip


def contact(wa_id: str = "447700900301", name: str = "Amina") -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}
