"""Signing in with a password: a pause after repeated failures (per account and per address,
at the console's and the administration's sign-in alike), sessions that end when idle or
everywhere at once, and forgotten passwords (a one-time link from a colleague, or by e-mail)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from fakes.smtp import FakeSMTP
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.privacy.models import AuditEntry

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "another-long-password-2026"


@pytest.fixture
def agent_with_password(agent):
    agent.set_password(PASSWORD)
    agent.save()
    return agent


def attempt(client, username, password, path="/accounts/login/", address="192.0.2.10"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_pause_the_account_even_for_the_right_one(
    client, agent_with_password, caplog
):
    caplog.set_level(logging.INFO)
    for _ in range(5):
        refused = attempt(client, "agent", "not-the-password")
        assert "The username or password is not right" in refused.content.decode()
    locked = attempt(client, "agent", PASSWORD)
    assert locked.status_code == 200  # the form again, not signed in
    assert "Too many failed attempts. Signing in is paused for 15 minutes" in (
        locked.content.decode()
    )
    assert client.get("/console/").status_code == 302
    # ...from another address too (the account is paused), and at the administration
    assert (
        "Too many failed attempts"
        in attempt(client, "agent", PASSWORD, "/admin/login/", "198.51.100.7").content.decode()
    )
    assert "now locked" in caplog.text and PASSWORD not in caplog.text
    refusals = AuditEntry.objects.filter(action="signin.refused", target_id=str(
        agent_with_password.pk))  # fmt: skip
    assert refusals.count() == 5 and refusals.filter(detail__locked=True).count() == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        signed = attempt(client, "agent", PASSWORD)
    assert signed.status_code == 302 and client.get("/console/").status_code == 200


def test_twenty_failures_from_one_address_pause_it_for_every_account(
    client, agent_with_password, make_staff
):
    for n in range(20):
        attempt(client, f"guess-{n}", "password123")
    assert "Too many failed attempts" in attempt(client, "agent", PASSWORD).content.decode()
    assert attempt(client, "agent", PASSWORD, address="192.0.2.99").status_code == 302


def test_a_right_password_clears_the_accounts_count(client, agent_with_password):
    for _ in range(4):
        attempt(client, "agent", "wrong")
    assert attempt(client, "agent", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        attempt(client, "agent", "wrong")
    assert attempt(client, "agent", PASSWORD).status_code == 302


def test_an_idle_session_ends_but_live_updates_do_not_keep_it_alive(client, agent_with_password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt(client, "agent", PASSWORD)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        poll = client.get("/console/notifications/unread/", headers={"X-Ventanilla-Poll": "1"})
        assert poll.status_code == 200
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        ended = client.get("/console/notifications/unread/", headers={"HX-Request": "true"})
        assert ended.status_code == 204 and ended["HX-Redirect"].startswith("/accounts/login/")

    with time_machine.travel(start, tick=False):
        attempt(client, "agent", PASSWORD)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert client.get("/console/").status_code == 200  # a person at work
    with time_machine.travel(start + timedelta(hours=12), tick=False):
        assert client.get("/console/").status_code == 200  # 7 hours after: still signed in


def test_signing_out_everywhere_ends_the_sessions_on_other_devices(client, agent_with_password):
    from django.test import Client

    phone = Client()
    attempt(client, "agent", PASSWORD)
    attempt(phone, "agent", PASSWORD, address="198.51.100.3")
    assert phone.get("/console/").status_code == 200
    done = client.post("/console/me/security/sign-out-everywhere/", follow=True)
    assert "You are signed out on every device." in done.content.decode()
    assert phone.get("/console/")["Location"].startswith("/accounts/login/")
    assert client.get("/console/")["Location"].startswith("/accounts/login/")
    assert attempt(phone, "agent", PASSWORD).status_code == 302  # signing in again works
    assert phone.get("/console/").status_code == 200


def test_a_supervisor_gives_a_one_time_reset_link_that_sets_a_new_password(
    client, supervisor, agent_with_password
):
    assert (
        "This installation sends no e-mail"
        in client.get("/accounts/password_reset/").content.decode()
    )
    client.force_login(supervisor)
    shown = client.post(f"/console/staff/{agent_with_password.pk}/", {"action": "reset-link"})
    link = re.search(r'value="(http://[^"]+/accounts/reset/[^"]+)"', shown.content.decode()).group(
        1
    )
    assert AuditEntry.objects.filter(action="password.reset-link").count() == 1

    person = client.__class__()
    form = person.get(link.split("testserver")[1], follow=True)
    assert "New password" in form.content.decode()
    set_at = form.redirect_chain[-1][0]
    done = person.post(set_at, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert attempt(person, "agent", NEW_PASSWORD).status_code == 302
    again = person.__class__().get(link.split("testserver")[1], follow=True)
    assert "This link does not work any more" in again.content.decode()


def test_a_supervisor_cannot_make_a_link_for_an_administrator(client, supervisor, desk):
    admin = enrol_staff(username="boss", role=Role.ADMIN, desks=[desk])
    client.force_login(supervisor)
    assert client.post(f"/console/staff/{admin.pk}/", {"action": "reset-link"}).status_code == 403
    assert not AuditEntry.objects.filter(action="password.reset-link").exists()


def test_with_an_smtp_server_the_link_comes_by_e_mail(client, agent_with_password, settings):
    agent_with_password.email = "agent@example.org"
    agent_with_password.save()
    with FakeSMTP() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = False
        asked = client.post("/accounts/password_reset/", {"email": "agent@example.org"})
        assert asked.status_code == 302
        unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
        assert unknown.status_code == 302  # the same answer: addresses cannot be probed
        (mail,) = smtp.messages
    assert mail["To"] == "agent@example.org"
    body = mail.get_content()
    assert "agent" in body and PASSWORD not in body
    link = re.search(r"https?://\S+/accounts/reset/\S+/", body).group(0)
    form = client.get(link.split("testserver")[1], follow=True)
    set_at = form.redirect_chain[-1][0]
    client.post(set_at, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(username="agent").check_password(NEW_PASSWORD)
