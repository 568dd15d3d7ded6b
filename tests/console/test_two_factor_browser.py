"""Signing in with a second factor in Chromium, against a real `ventanilla run` and the test
server: a supervisor sets up an authenticator app (the test computes its codes from the key
the page shows), keeps the recovery codes, signs in again with one of them and then with the
app; and an agent who mistypes the password too often is paused, whatever they type next."""

from __future__ import annotations

import os
import re
import time
from base64 import b32decode
from pathlib import Path

import pytest

from browsers import needs_chromium
from demo_sites import LOADED_MACHINE_MS, PASSWORD
from twofactor import unused_code

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("VENTANILLA_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))


def sign_in(page, url, username, password=PASSWORD):
    page.goto(f"{url}/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    page.get_by_role("heading", name="Sign in").wait_for()


@pytest.mark.parametrize("width", [1440, 390])
def test_a_supervisor_sets_up_the_app_then_signs_in_with_a_recovery_code_and_a_code(
    browser, site, width
):
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(LOADED_MACHINE_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    username = "sofia" if width == 1440 else "admin"  # each width a person still to enrol
    sign_in(page, site, username)

    page.get_by_role("heading", name="Set up a second factor").wait_for()
    assert page.locator(".qr svg").is_visible()
    page.get_by_text("Cannot scan? Type this key instead").click()
    typed = page.locator("code.secret").inner_text().replace(" ", "")
    key = b32decode(typed + "=" * (-len(typed) % 8)).hex()
    page.screenshot(path=SHOTS / f"two-factor-enrol-{width}.png", full_page=True)
    page.get_by_label("Code").fill(unused_code(key))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Recovery codes").wait_for()
    codes = [c.inner_text() for c in page.locator("ul.codes code").all()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes)
    page.screenshot(path=SHOTS / f"two-factor-codes-{width}.png", full_page=True)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.get_by_role("heading", name="Inbox").wait_for()

    sign_out(page)
    sign_in(page, site, username)
    page.get_by_role("heading", name="Second step").wait_for()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Inbox").wait_for()
    assert page.get_by_text("You used a recovery code: 9 left.").is_visible()

    sign_out(page)
    sign_in(page, site, username)
    page.get_by_label("Code").fill(codes[0])  # used already
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("alert").wait_for()
    assert "not right" in page.get_by_role("alert").inner_text()
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    page.get_by_label("Code").fill(unused_code(key))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Inbox").wait_for()
    assert not errors
    context.close()


def test_an_agent_who_mistypes_too_often_is_paused_even_with_the_right_password(browser, site):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 800})
    page = context.new_page()
    for _ in range(5):
        sign_in(page, site, "lucia", "not-her-password")
        assert "not right" in page.get_by_role("alert").inner_text()
    sign_in(page, site, "lucia")
    alert = page.get_by_role("alert").inner_text()
    assert "Too many failed attempts. Signing in is paused for 15 minutes" in alert
    page.screenshot(path=SHOTS / "sign-in-paused-390.png", full_page=True)
    assert "/accounts/login/" in page.url
    context.close()
