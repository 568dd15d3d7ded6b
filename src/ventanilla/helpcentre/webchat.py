"""The web-chat widget: an embeddable script, the chat page it opens, and the page's small API.

The page runs in an iframe on other organisations' sites, where cookies are not to be
relied on: a visitor is known by a token this server issued for the channel, kept in the
page's local storage (or by the widget on the host site, which hands it over by
postMessage, never in an address) and sent in the X-Visitor-Token header, so the API needs
no cookie and no CSRF token. Only the sites in the channel's `allowed_origins` may frame it.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.api.errors import error_response
from ventanilla.desks.texts import speak
from ventanilla.helpcentre import services
from ventanilla.helpcentre.selectors import visitor_thread, webchat_channel
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.lib.languages import is_rtl, native_name
from ventanilla.lib.links import public_url
from ventanilla.lib.middleware import content_policy
from ventanilla.lib.ratelimit import allow, client_address
from ventanilla.lib.text import Unreadable, read_json

POLL_MILLISECONDS = 1500


@require_GET
def widget(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    channel = webchat_channel(channel_id)
    if channel is None:
        return HttpResponse("/* no such web chat */", status=404, content_type="text/javascript")
    url = public_url(f"/webchat/{channel.pk}/", request)
    context = {"chat_url_json": _js(url), "channel_json": _js(str(channel.pk))}
    response = render(request, "helpcentre/widget.js", context, content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@xframe_options_exempt
def chat(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    channel = webchat_channel(channel_id)
    if channel is None:
        return HttpResponse("no such web chat", status=404, content_type="text/plain")
    chosen = request.GET.get("lang", "")[:16]
    languages = channel.desk.languages or ["en"]
    if chosen not in languages:
        chosen = ""
    speak(channel.desk, chosen or languages[0])
    response = render(
        request,
        "helpcentre/chat.html",
        {
            "channel": channel,
            "chosen": chosen,
            "rtl": is_rtl(chosen or languages[0]),
            "languages": [(code, native_name(code)) for code in languages],
            "poll": POLL_MILLISECONDS,
            "hosts_json": json.dumps(_hosts(request, channel)),
        },
    )
    origins = " ".join(["'self'", *(channel.config.get("allowed_origins") or [])])
    response["Content-Security-Policy"] = content_policy(framed_by=origins)
    response["Cache-Control"] = "no-store"
    return response


def _hosts(request: HttpRequest, channel: Any) -> list[str]:
    """The sites the page may hand the visitor's token to: the desk's own and its allowed."""
    own = public_url("/", request).rstrip("/")
    return [own, *channel.config.get("allowed_origins", [])]


@csrf_exempt
@require_POST
def session(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    """A new visitor token, for a first visit from this device."""
    channel = webchat_channel(channel_id)
    if channel is None:
        return error_response(404, "no such web chat")
    if not allow("webchat-session", client_address(request.META), limit=30, per_seconds=3600):
        return error_response(429, "too many new conversations from this address; try later")
    return JsonResponse({"token": services.new_visitor_token(channel=channel)}, status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messages(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    channel = webchat_channel(channel_id)
    if channel is None:
        return error_response(404, "no such web chat")
    token = request.headers.get("X-Visitor-Token", "")
    if not services.is_visitor_token(token, channel=channel):
        return error_response(
            401, "X-Visitor-Token must be a token this web chat issued", code="visitor_token"
        )
    try:
        if request.method == "GET":
            after = int(request.GET.get("after", "0") or 0)
            found = visitor_thread(channel, token, after=max(after, 0))
            services.mark_delivered(channel=channel, messages=found)
            return JsonResponse({"messages": [_shown(m) for m in found]})
        if not allow("webchat-write", token, limit=30, per_seconds=60) or not allow(
            "webchat-write-ip", client_address(request.META), limit=120, per_seconds=60
        ):
            return error_response(429, "you are writing very fast: wait a moment")
        body = _json(request)
        written = services.visitor_writes(
            channel=channel,
            token=token,
            text=_string(body, "text"),
            client_id=_string(body, "client_id"),
            language=_string(body, "language"),
            choice=_choice(body.get("choice")),
        )
    except Unreadable as error:
        return error_response(400, f"the body must be a JSON object: {error}")
    except ValueError:
        return error_response(400, "after must be a message id, the body a JSON object")
    except ServiceError as error:
        return error_response(error.status, error.detail, code=error.code)
    return JsonResponse(_shown(written), status=201)


def _js(value: str) -> str:
    """A string as a JavaScript literal that cannot close the script element."""
    return json.dumps(value).replace("<", "\\u003c")


def _json(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object with storable strings; ValueError (Unreadable) otherwise."""
    body = read_json(request.body or b"{}")
    if not isinstance(body, dict):
        raise ValueError("not an object")
    return body


def _string(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):  # not the text of a null, a number or a list
        raise Invalid(f"{name} must be a string")
    return value


def _choice(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return {"id": value["id"][:256], "title": str(value.get("title", ""))[:100]}
    return None


def _shown(message: Any) -> dict[str, Any]:
    menu = (message.details or {}).get("menu") if message.direction == "out" else None
    return {
        "id": message.pk,
        "direction": message.direction,
        "text": message.text,
        "at": message.created_at.isoformat(),
        "choices": [{"id": c["id"], "title": c["title"]} for c in menu["choices"]] if menu else [],
    }
