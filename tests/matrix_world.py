"""The world the matrix of roles and endpoints is probed in (tests/access/test_matrix.py): the demo
desk with a volunteer, an analyst and a supervisor of another desk added, an ordinary
conversation of the volunteer's team and a protection case of another team; and every
endpoint of the site, found by walking the URL configuration and the API's schema."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver

import twofactor
from ventanilla.api.app import api
from ventanilla.api.services import issue_token

ROLES = ("anonymous", "admin", "supervisor", "agent", "volunteer", "analyst", "outsider")


@dataclass(frozen=True)
class Endpoint:
    """A page or an API operation: its name in the rules, its method and its path."""

    name: str
    method: str
    path: str  # with {placeholders}

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


def api_endpoints() -> list[Endpoint]:
    schema = api.get_openapi_schema()
    return [
        Endpoint(f"{method.upper()} {path}", method, path)
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def page_routes() -> dict[str, str]:
    """Every page of the site outside the API and the Django admin, by its route; the first
    of two routes with the same address wins, as in Django."""
    routes: dict[str, str] = {}
    for route, _pattern in _walk(get_resolver()):
        if route.startswith(("api/", "admin/")):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        routes.setdefault(path, route)
    return routes


@dataclass
class World:
    users: dict[str, User | None]
    params: dict[str, str]
    restricted_params: dict[str, str]
    by_path: dict[str, dict[str, str]]  # a path's own objects, where names are shared
    tokens: dict[str, str]  # each person's own API token's id
    clients: dict[tuple[str, bool], Client] = field(default_factory=dict)

    def fill(self, path: str, role: str, restricted: bool) -> dict[str, str]:
        found = dict(self.restricted_params if restricted else self.params)
        for part, own in self.by_path.items():
            if part in path:
                found.update(own)
        found["token_id"] = self.tokens.get(role, "1")
        return found

    def client(self, role: str, api: bool) -> Client:
        """One client per role and kind, signed in once, before any probe."""
        key = (role, api)
        if key not in self.clients:
            user = self.users[role]
            client = Client()
            if user is not None and api:
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user=user)}"
            elif user is not None:
                client.force_login(user)
            self.clients[key] = client
        return self.clients[key]


def request(
    world: World,
    endpoint: Endpoint,
    role: str,
    restricted: bool,
    inputs: tuple[dict[str, Any], Any],
) -> Any:
    """Ask for `endpoint` as `role`, its placeholders filled with the world's objects."""
    client = world.client(role, endpoint.api)
    filled = world.fill(endpoint.path, role, restricted)
    path = endpoint.path.format(**filled)
    query, body = inputs
    if isinstance(body, dict):  # "{conversation_id}": the world's own, as in the path
        body = {k: _filled(v, filled) for k, v in body.items()}
    if endpoint.method == "get":
        return client.get(path, query)
    if endpoint.name.endswith("/attachments") or endpoint.name.endswith("/{language}/{key}"):
        upload = SimpleUploadedFile("f.txt", b"hola", content_type="text/plain")
        return client.generic(
            endpoint.method.upper(),
            path,
            encode_multipart(BOUNDARY, {"file": upload}),
            content_type=MULTIPART_CONTENT,
        )
    if endpoint.api:
        content = json.dumps(body if body is not None else {})
        return client.generic(endpoint.method.upper(), path, content, "application/json")
    return getattr(client, endpoint.method)(path, {})


def _filled(value: Any, filled: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_filled(v, filled) for v in value]
    return value.format(**filled) if isinstance(value, str) else value


def refused(response: Any) -> bool:
    """Whether the request was refused for who asked: not signed in, not allowed, or the
    thing is hidden from them (404 for what they may not know exists)."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return "/accounts/login/" in location or "/accounts/two-factor/" in location


def build_world() -> World:
    """The demo desk and its people, with the roles it lacks, and the objects every path's
    placeholders name."""
    from ventanilla.access.models import Authenticator
    from ventanilla.accountability.models import Review
    from ventanilla.accountability.services import file_complaint
    from ventanilla.api.models import ApiToken
    from ventanilla.calls.models import Call, VoiceLine, VoicePrompt
    from ventanilla.channels.models import Channel
    from ventanilla.conversations.media import attach
    from ventanilla.conversations.models import Conversation
    from ventanilla.desks.models import Desk, Team
    from ventanilla.desks.roles import Role
    from ventanilla.desks.services import add_desk, enrol_staff
    from ventanilla.desks.texts_selectors import desk_texts
    from ventanilla.helpcentre.models import Application
    from ventanilla.knowledge.models import Article
    from ventanilla.referrals.models import Service
    from ventanilla.referrals.protection import Told, file_report
    from ventanilla.referrals.services import refer
    from ventanilla.reports import monthly
    from ventanilla.server import demo
    from ventanilla.teamwork.models import CannedResponse

    demo.load()
    desk = Desk.objects.get(slug=demo.DESK)
    other = add_desk(slug="otra", name="Otra oficina", by=None)
    users: dict[str, User | None] = {
        "anonymous": None,
        "admin": User.objects.get(username="admin"),
        "supervisor": User.objects.get(username="sofia"),
        "agent": User.objects.get(username="amal"),
        "volunteer": enrol_staff(username="vera", role=Role.VOLUNTEER, desks=[desk]),
        "analyst": User.objects.get(username="ana"),
        "outsider": enrol_staff(username="otto", role=Role.SUPERVISOR, desks=[other]),
    }
    information = Team.objects.get(desk=desk, slug="information")
    users["volunteer"].agent_profile.teams.add(information)  # type: ignore[union-attr]
    for role in ("admin", "supervisor", "outsider"):
        user = users[role]
        assert user is not None
        if not Authenticator.objects.filter(user=user, confirmed=True).exists():
            twofactor.enrol(user)
        else:
            user.otp_device = Authenticator.objects.get(user=user, confirmed=True)
    ordinary = (
        Conversation.objects.filter(desk=desk, messages__attachments__isnull=False)
        .distinct()
        .first()
        or Conversation.objects.filter(desk=desk).first()
    )
    assert ordinary is not None
    Conversation.objects.filter(pk=ordinary.pk).update(team=information, restricted=False)
    case = Conversation.objects.filter(desk=desk).exclude(pk=ordinary.pk).first()
    assert case is not None
    Conversation.objects.filter(pk=case.pk).update(
        team=Team.objects.get(desk=desk, slug="protection"), restricted=True, assignee=None
    )
    message = ordinary.messages.order_by("pk").first()
    assert message is not None
    attachment = attach(message=message, content=b"%PDF-1.4", mime_type="application/pdf",
                        filename="pasaporte.pdf")  # fmt: skip
    call = Call.objects.filter(conversation__desk=desk).first()
    assert call is not None
    Call.objects.filter(pk=call.pk).update(conversation=ordinary)
    case_call = Call.objects.get(pk=call.pk)
    case_call.pk, case_call.call_sid, case_call.conversation = None, "CA" + "0" * 32, case
    case_call.save()
    case_message = case.messages.order_by("pk").first()
    assert case_message is not None
    case_attachment = attach(message=case_message, content=b"%PDF-1.4",
                             mime_type="application/pdf", filename="denuncia.pdf")  # fmt: skip
    voice = Channel.objects.get(desk=desk, type="twilio-voice")
    webchat = Channel.objects.get(desk=desk, type="webchat")
    whatsapp = Channel.objects.filter(desk=desk, type="whatsapp").first() or webchat
    prompt = VoicePrompt.objects.create(line=VoiceLine.objects.get(channel=voice),
                                        language="es", key="welcome", text="Hola")  # fmt: skip
    article = Article.objects.order_by("key").first()
    assert article is not None
    canned = CannedResponse.objects.filter(desk=desk).first()
    assert canned is not None
    application = Application.objects.filter(desk=desk).first()
    assert application is not None
    request_type = desk.request_types.order_by("pk").first()
    assert request_type is not None
    row = desk_texts(desk, "es")[0]
    params = {
        "conversation_id": str(ordinary.pk),
        "key": str(ordinary.pk),
        "attachment_id": str(attachment.pk),
        "call_id": str(call.pk),
        "channel_id": str(webchat.pk),
        "canned_id": str(canned.pk),
        "user_id": str(User.objects.get(username="joris").pk),  # a peer of the agent
        "username": "joris",
        "slug": desk.slug,
        "desk": desk.slug,
        "lang": "es",
        "language": "es",
        "team_slug": "information",
        "type_slug": request_type.slug,
        "topic": article.topic.key,
        "reference": application.reference,
        "service": application.service or "passport",
        "pseudonym": ordinary.contact.pseudonym,
        "key_hash": hashlib.sha256(row.entry.key.encode()).hexdigest()[:16],
        "uidb64": "MQ",
        "token": "x",
        "prompt_id": str(prompt.pk),
        "version": "1",
        "action": "status",
        "table": "channel",
        "form": "csv",
    }
    params["number"] = file_complaint(conversation=ordinary, source="staff").number
    params["review_id"] = str(
        Review.objects.create(
            desk=desk,
            conversation=ordinary,
            agent=users["agent"],
            reason="sample",
            week=date(2026, 11, 16),
        ).pk
    )
    service = Service.objects.filter(desk=desk).first()
    assert service is not None
    params["service_id"] = str(service.pk)
    agent = users["agent"]
    params["referral_id"] = str(
        refer(conversation=ordinary, to=[service], by=agent, consent=True, send=False)[0].pk
    )
    case_referral = refer(conversation=case, to=[service], by=agent, consent=True, send=False)
    third = Conversation.objects.filter(desk=desk).exclude(pk__in=[ordinary.pk, case.pk]).first()
    assert third is not None
    told = Told(violation="detention", account="Detenido en la frontera")
    params["report_id"] = str(file_report(conversation=third, told=told, by=agent).pk)
    params["monthly_id"] = str(monthly.generate(desk, None, monthly.month_of(None, desk)).pk)
    restricted = {
        **params,
        "referral_id": str(case_referral[0].pk),
        "number": file_complaint(conversation=case, source="staff").number,
        "conversation_id": str(case.pk),
        "key": str(case.pk),
        "attachment_id": str(case_attachment.pk),
        "call_id": str(case_call.pk),
    }
    by_path = {
        "/kb/articles/{key}": {"key": article.key},
        "/kb/topics/{key}": {"key": article.topic.key},
        "/guide/{key}": {"key": article.key},
        "/articles/{key}": {"key": article.key},
        "/voice": {"channel_id": str(voice.pk), "key": "welcome"},
        "/console/statistics/monthly/{monthly_id}.{form}": {"form": "pdf"},
        "/templates": {"channel_id": str(whatsapp.pk)},
        "/webhooks/": {"channel_id": str(whatsapp.pk)},
        "/follow-up/{reference}": {"reference": ordinary.reference},
    }
    tokens = {
        role: str(ApiToken.objects.filter(user=user).order_by("pk").first().pk)  # type: ignore[union-attr]
        for role, user in users.items()
        if user is not None and issue_token(user=user)
    }
    world = World(users, params, restricted, by_path, tokens)
    for role in ROLES:
        world.client(role, api=True)
        world.client(role, api=False)
    return world


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        return _resolve(schema["allOf"][0], root)
    if "anyOf" in schema:
        return _resolve(next(s for s in schema["anyOf"] if s.get("type") != "null"), root)
    return schema


def sample(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """A value of the documented shape: its required fields only, each the simplest."""
    schema = _resolve(schema, root)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {
            name: sample(field, root)
            for name, field in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-01-01"
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    return "x" * max(1, schema.get("minLength", 1))


@functools.cache
def api_inputs() -> dict[str, tuple[dict[str, Any], Any]]:
    """Per API operation, a query and a body of the documented shape (required parts only)."""
    root = api.get_openapi_schema()
    found = {}
    for path, operations in root["paths"].items():
        for method, operation in operations.items():
            query = {
                parameter["name"]: sample(parameter["schema"], root)
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and parameter.get("required")
            }
            content = operation.get("requestBody", {}).get("content", {})
            body = None
            if "application/json" in content:
                body = sample(content["application/json"]["schema"], root)
            found[f"{method.upper()} {path}"] = (query, body)
    return found


def fresh_cache_prefix() -> None:
    """An empty cache without emptying it (as conftest's fresh_cache does between tests):
    a Redis that other programs use keeps their keys."""
    caches["default"].key_prefix = f"test-{uuid.uuid4().hex}"
