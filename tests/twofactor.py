"""A second factor for test staff, enrolled as a person does it (a code from the app), and the
codes an authenticator app would show."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp

from ventanilla.access import services
from ventanilla.access.models import STEP_SECONDS, Authenticator


def code_at(key_hex: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app holding this secret shows at `at` (now)."""
    return f"{_at(key_hex, int((time.time() if at is None else at) // STEP_SECONDS)):06d}"


def _at(key_hex: str, step: int) -> int:
    return int(hotp(bytes.fromhex(key_hex), step))


def next_code(device: Authenticator) -> str:
    """A code the app would show that was not used yet: the current step's, or the next
    step's (accepted, clocks drift) when the current one was used already."""
    device.refresh_from_db()
    now = int(time.time() // STEP_SECONDS)
    step = max(now, device.last_t + 1)
    assert step <= now + 1, "no unused code in the accepted window: move the clock on"
    return f"{_at(device.key, step):06d}"


def enrol(user: Any) -> Authenticator:
    """Enrol an authenticator app as a person does, and mark the user object so that a
    test client's force_login counts as signed in with it (django-otp's own convention)."""
    pending = services.start_enrolment(user=user)
    enrolled = services.confirm_enrolment(user=user, code=next_code(pending))
    assert enrolled is not None
    user.otp_device = enrolled.device
    _used[enrolled.device.key] = enrolled.device.last_t
    return enrolled.device


# In a browser

_used: dict[str, int] = {}  # the last time step whose code was given, per secret


def unused_code(key_hex: str) -> str:
    """The app's code for the earliest step not used yet (waiting for it if need be: a code
    is accepted once, and one step ahead of the clock at most)."""
    now = int(time.time() // STEP_SECONDS)
    step = max(now, _used.get(key_hex, -1) + 1)
    if step > now + 1:
        time.sleep((step - 1) * STEP_SECONDS - time.time() + 0.5)
    _used[key_hex] = step
    return f"{_at(key_hex, step):06d}"


def second_step(page: Any, username: str, key_hex: str = "") -> str:
    """After the password, in the browser: set up an authenticator app by the key the page
    shows, or type the app's code (of `key_hex`, or of the app enrolled in the test's
    database); nothing when no second step is asked. Returns the secret, to sign in again."""
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    path = urlsplit(page.url).path
    if path == "/accounts/two-factor/enrol/":
        typed = (page.locator("code.secret").text_content() or "").replace(" ", "")
        key_hex = b32decode(typed + "=" * (-len(typed) % 8)).hex()
        page.get_by_label("Code").fill(unused_code(key_hex))
        page.get_by_role("button", name="Turn on").click()
        page.get_by_role("link", name="I have kept them: continue").click()
    elif path == "/accounts/two-factor/":
        if not key_hex:
            key_hex = Authenticator.objects.get(user__username=username, confirmed=True).key
        page.get_by_label("Code").fill(unused_code(key_hex))
        page.get_by_role("button", name="Continue").click()
    return key_hex


@receiver(user_logged_in)
def _verified_by_force_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The test client's force_login makes a request without a user, so django-otp cannot
    record the device itself: record it as django_otp.login would."""
    device = getattr(user, "otp_device", None)
    if device is not None and request is not None and not hasattr(request, "user"):
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
