"""The WSGI application servers run: webhooks past a short middleware chain, pages past all."""

import io
import json
from typing import Any
from uuid import uuid4

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from fakes.graph import contact, envelope, message, sign
from ventanilla.channels.models import Delivery


def _call(environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    from ventanilla.wsgi import application  # checks the data key: needs the database

    started: list[Any] = []
    # As Django's test client: the test's connection, inside its transaction, stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(
            application(
                environ, lambda status, headers, exc=None: started.append((status, headers))
            )
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), dict(headers), body


def _post(path: str, body: bytes, **headers: str) -> dict[str, Any]:
    environ = (
        RequestFactory().post(path, body, content_type="application/json", headers=headers).environ
    )
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


def test_a_signed_delivery_is_kept_without_the_pages_middleware(whatsapp):
    body = json.dumps(
        envelope(
            contacts=[contact("447700900311", "Yasmina")],
            messages=[message("wamid.W1", "text", {"body": "Bonjour"})],
        )
    ).encode()
    status, headers, _ = _call(
        _post(whatsapp.webhook_path, body, **{"X-Hub-Signature-256": sign(body)})
    )
    assert status == 200
    assert Delivery.objects.filter(channel=whatsapp, ids=["wamid.W1"]).count() == 1
    # No session cookie, language or frame headers: the pages' chain was not run.
    assert "Set-Cookie" not in headers
    assert "Content-Language" not in headers and "X-Frame-Options" not in headers


def test_a_badly_signed_delivery_is_refused_and_kept_nowhere(whatsapp):
    body = json.dumps(envelope(messages=[message("wamid.W2", "text", {"body": "hola"})])).encode()
    status, _, _ = _call(
        _post(whatsapp.webhook_path, body, **{"X-Hub-Signature-256": "sha256=" + "0" * 64})
    )
    assert status == 403
    assert not Delivery.objects.exists()


def test_a_nul_in_a_webhook_address_is_refused(whatsapp):
    environ = _post(whatsapp.webhook_path, b"{}")
    environ["QUERY_STRING"] = "a=%00"
    status, _, answer = _call(environ)
    assert status == 400
    assert b"NUL" in answer


def test_unknown_webhook_addresses_answer_404(db):
    assert _call(_post(f"/webhooks/{uuid4()}/", b"{}"))[0] == 404  # no such channel
    assert _call(_post("/webhooks/not-a-channel/", b"{}"))[0] == 404  # no such address


def test_pages_still_pass_every_middleware(db):
    environ = RequestFactory().get("/help/", headers={"Accept-Language": "ar"}).environ
    status, headers, _ = _call(environ)
    assert status in (200, 302)
    assert headers.get("X-Frame-Options") == "DENY"
    assert "Accept-Language" in headers.get("Vary", "")
