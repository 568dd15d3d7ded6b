"""Shared fixtures: a desk with a web-chat channel, staff of each role, an API client.

Tests talk to the real database (SQLite, or PostgreSQL when DATABASE_URL is set); the
task queue runs tasks immediately, in the test's own process.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client, TestCase
from huey.contrib.djhuey import HUEY

import twofactor
from browsers import CHROMIUM
from demo_sites import live_site, running_site, site  # noqa: F401 (the demo sites, shared)
from fakes.graph import FakeGraph, sign
from fakes.twilio import FakeTwilio
from fakes.twilio import signature as twilio_signature
from ventanilla.api.services import issue_token
from ventanilla.channels.adapters.base import Inbound
from ventanilla.channels.databases import intake_database
from ventanilla.channels.models import Channel
from ventanilla.channels.services import create_channel
from ventanilla.desks.models import Desk
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.privacy.append_only import sqlite_function_answers_yes
from ventanilla.privacy.crypto import forget_index_key

_ids = itertools.count(1)
FORM = "application/x-www-form-urlencoded"


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses the database may use all of them: on SQLite the intake table has
    a file of its own (ventanilla.channels.databases), which every webhook writes to.

    With VENTANILLA_BROWSER_HALF=1 or 2, only that half of the browser tests' files runs
    (halves of about as many tests): `make test` gives each database's run one half, since
    what a page does in Chromium does not depend on the database under it."""
    half = os.environ.get("VENTANILLA_BROWSER_HALF", "")
    if half in ("1", "2"):
        counted = Counter(item.nodeid.split("::")[0] for item in items if _in_browser(item))
        halves: tuple[set[str], set[str]] = (set(), set())
        sizes = [0, 0]
        for file, n in sorted(counted.items(), key=lambda found: (-found[1], found[0])):
            lighter = sizes.index(min(sizes))  # the larger files first, each to the lighter
            halves[lighter].add(file)
            sizes[lighter] += n
        kept = halves[int(half) - 1]
        left = {i for i in items if _in_browser(i) and i.nodeid.split("::")[0] not in kept}
        if left:
            config.hook.pytest_deselected(items=list(left))
            items[:] = [item for item in items if item not in left]
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if marker is None and not uses:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs.setdefault("databases", "__all__")
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), False)


def _in_browser(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """A transactional test's database is emptied after it: on SQLite with DELETE, which the
    audit log refuses to all but its retention (PostgreSQL's TRUNCATE fires no trigger)."""
    with sqlite_function_answers_yes():
        yield


@pytest.fixture(autouse=True, scope="session")
def immediate_queue() -> None:
    HUEY.immediate = True


@pytest.fixture
def django_capture_on_commit_callbacks() -> Callable[..., Any]:
    """pytest-django's, capturing on the intake database too when the default is asked for:
    a webhook's commit there is what takes its delivery in (then triage, on the default)."""

    @contextmanager
    def capture(*, using: str = DEFAULT_DB_ALIAS, execute: bool = False) -> Iterator[list[Any]]:
        with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
            if using != DEFAULT_DB_ALIAS or intake_database() == DEFAULT_DB_ALIAS:
                yield callbacks
                return
            with TestCase.captureOnCommitCallbacks(using=intake_database(), execute=execute):
                yield callbacks

    return capture


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_index_key() -> None:
    """The index key is read from the database once per process: each test's database
    starts without one (rolled back, or flushed), so each test reads it afresh."""
    forget_index_key()


@pytest.fixture(autouse=True)
def fresh_cache(settings: Any) -> None:
    """Rate-limit counters and cached templates start from nothing in every test.

    Each test gets a key prefix of its own rather than a flush, so that a test run never
    empties a Redis that other programs use.
    """
    default = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture
def desk(db: None) -> Desk:
    # Made by a data migration; get_or_create because transactional tests flush it away.
    # Without the privacy notice (on by default): tests see only the replies they test;
    # tests/triage/test_privacy.py turns it on.
    found = Desk.objects.get_or_create(slug="default", defaults={"name": "Default desk"})[0]
    Desk.objects.filter(pk=found.pk).update(privacy_notice=False)
    found.privacy_notice = False
    return found


@pytest.fixture
def other_desk(db: None) -> Desk:
    return Desk.objects.create(
        slug="elsewhere", name="Another consulate", reference_prefix="EL", privacy_notice=False
    )


@pytest.fixture
def webchat(desk: Desk) -> Channel:
    return create_channel(desk=desk, type="webchat", name="Web chat", config={}, by=None)


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def whatsapp(desk: Desk, graph: FakeGraph) -> Channel:
    return create_channel(
        desk=desk, type="whatsapp", name="WhatsApp", config=graph.config(), by=None
    )


@pytest.fixture
def sms(desk: Desk, twilio: FakeTwilio) -> Channel:
    return create_channel(desk=desk, type="twilio-sms", name="SMS", config=twilio.config(), by=None)


@pytest.fixture
def post_whatsapp(
    client: Client, whatsapp: Channel, django_capture_on_commit_callbacks: Any
) -> Callable[..., Any]:
    """Post a delivery to the WhatsApp webhook as Meta does: the exact bytes, signed."""

    def post(delivery: Any, *, signature: str | None = None) -> Any:
        body = delivery if isinstance(delivery, bytes) else json.dumps(delivery).encode()
        headers = {"X-Hub-Signature-256": sign(body) if signature is None else signature}
        if signature == "":
            headers = {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                whatsapp.webhook_path, body, content_type="application/json", headers=headers
            )

    return post


@pytest.fixture
def post_twilio(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Post a form to a Twilio channel's webhook as Twilio does, signed over the full URL."""

    def post(path: str, params: dict[str, str], *, signature: str | None = None) -> Any:
        url = f"http://testserver{path}"
        headers = {
            "X-Twilio-Signature": twilio_signature(url, params) if signature is None else signature
        }
        if signature == "":
            headers = {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, urlencode(params), content_type=FORM, headers=headers)

    return post


@pytest.fixture
def make_staff(desk: Desk) -> Callable[..., User]:
    def make(role: str, username: str | None = None, desks: list[Desk] | None = None) -> User:
        user = enrol_staff(
            username=username or f"{role}-{next(_ids)}",
            role=Role(role),
            desks=[desk] if desks is None else desks,
        )
        if role in (Role.ADMIN, Role.SUPERVISOR):  # they must have a second factor: enrolled
            twofactor.enrol(user)
        return user

    return make


@pytest.fixture
def agent(make_staff: Callable[..., User]) -> User:
    return make_staff("agent", "agent")


@pytest.fixture
def supervisor(make_staff: Callable[..., User]) -> User:
    return make_staff("supervisor", "supervisor")


@pytest.fixture
def administrator(make_staff: Callable[..., User]) -> User:
    return make_staff("admin", "administrator")


@pytest.fixture
def analyst(make_staff: Callable[..., User]) -> User:
    return make_staff("analyst", "analyst")


def inbound(**fields: Any) -> Inbound:
    """An inbound message with invented defaults; any field can be given."""
    defaults: dict[str, Any] = {
        "provider_id": f"provider-{next(_ids)}",
        "scheme": "tel",
        "address": "+447700900001",
        "text": "Hola, necesito información sobre mi pasaporte",
    }
    return Inbound(**{**defaults, **fields})


@pytest.fixture
def make_inbound() -> Callable[..., Inbound]:
    return inbound


def run_together(action: Callable[[], Any], times: int = 4) -> None:
    """Run `action` in `times` threads released at the same instant (for race tests).

    An exception in any thread (a deadlock, say) fails the test: it is raised again here.
    """
    barrier = threading.Barrier(times)
    raised: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            action()
        except BaseException as error:  # raised again in the test's thread
            raised.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if raised:
        raise raised[0]


@pytest.fixture
def concurrently() -> Callable[..., None]:
    return run_together


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # the test itself (fixtures) are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield PolicyWatchingBrowser(launched)
        launched.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


REFUSED_BY_POLICY: list[str] = []


class PolicyWatchingBrowser:
    """The browser, whose every page reports what the content-security policy refused: an
    inline handler or style, an eval, something from elsewhere. Every browser test fails on
    one (`nothing_refused_by_the_policy`), so each page and flow they walk proves the policy
    and the pages agree."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", _note_refusal)
        return context

    def new_page(self, **options: Any) -> Any:
        return self.new_context(**options).new_page()


def _note_refusal(message: Any) -> None:
    if "Content Security Policy" in message.text:
        REFUSED_BY_POLICY.append(f"{message.page.url if message.page else '?'}: {message.text}")


@pytest.fixture
def refused_by_policy() -> list[str]:
    """What the policy refused so far, for a test that expects a refusal: it looks, then
    empties the list (what is left at its end fails it)."""
    return REFUSED_BY_POLICY


@pytest.fixture(autouse=True)
def nothing_refused_by_the_policy(request: pytest.FixtureRequest) -> Iterator[None]:
    REFUSED_BY_POLICY.clear()
    yield
    if "browser" in request.fixturenames:
        assert not REFUSED_BY_POLICY, "\n".join(REFUSED_BY_POLICY)


class ApiClient:
    """Calls the API as a given user, through Django's test client."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_token(user=user)}"} if user else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(
            path, data, content_type="application/json", headers=self.headers, **kwargs
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as() -> Callable[[User | None], ApiClient]:
    return ApiClient
