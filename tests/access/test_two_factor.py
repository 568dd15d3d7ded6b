"""The second factor: who must give one, enrolment with the QR code and the typed key, the
code at each sign-in (no code twice, wrong codes slow down), recovery codes that work once,
and a colleague above one's role resetting it for a lost phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from twofactor import code_at, enrol, next_code
from ventanilla.access import services
from ventanilla.access.models import Authenticator, RecoveryCodes
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.privacy.models import AuditEntry

PASSWORD = "a-long-test-password"


@pytest.fixture
def person(desk):
    """A member of staff of each role, with a password and without a second factor yet."""

    def make(role, username=None):
        user = enrol_staff(username=username or f"p-{role}", role=Role(role), desks=[desk])
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


def sign_in(client, user, next_page="/console/"):
    return client.post(
        f"/accounts/login/?next={next_page}", {"username": user.username, "password": PASSWORD}
    )


def secret_shown(page):
    """The key the enrolment page shows for typing by hand, as hex (what the app keeps)."""
    from base64 import b32decode

    typed = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', page).group(1)
    text = typed.replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8)).hex()


@pytest.mark.parametrize("role", ["admin", "supervisor"])
@pytest.mark.parametrize("page", ["/console/", "/console/me/security/", "/admin/"])
def test_administrators_and_supervisors_must_enrol_before_any_console_or_admin_page(
    client, person, role, page
):
    user = person(role)
    signed = sign_in(client, user, page)
    assert signed.status_code == 302
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/enrol/?next=")


def test_agents_and_analysts_need_none_unless_their_desk_asks(client, person, desk):
    agent, analyst = person("agent"), person("analyst")
    sign_in(client, agent)
    assert client.get("/console/").status_code == 200
    assert not services.requires_two_factor(analyst)
    desk.two_factor_required = True
    desk.save()
    assert services.requires_two_factor(agent) and services.requires_two_factor(analyst)
    assert client.get("/console/")["Location"].startswith("/accounts/two-factor/enrol/")


def test_enrolment_by_the_typed_key_then_recovery_codes_shown_once(client, person):
    user = person("supervisor")
    sign_in(client, user)
    page = client.get("/accounts/two-factor/enrol/?next=/console/").content.decode()
    assert "<svg" in page and "QR code to scan" in page  # the QR code, drawn in the page
    key = secret_shown(page)
    assert Authenticator.objects.get(user=user, confirmed=False).key == key

    wrong = client.post("/accounts/two-factor/enrol/", {"code": "000000", "next": "/console/"})
    assert "That code is not right" in wrong.content.decode()
    assert secret_shown(wrong.content.decode()) == key  # the same key to try again
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the pause
        done = client.post(
            "/accounts/two-factor/enrol/", {"code": code_at(key), "next": "/console/"}
        )
    shown = done.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not any(c in str(RecoveryCodes.objects.get(user=user).digests) for c in codes)
    assert client.get("/console/").status_code == 200  # verified in this session
    assert AuditEntry.objects.filter(action="two-factor.enrol", target_id=str(user.pk)).exists()


def test_each_sign_in_asks_for_a_new_code_and_refuses_one_used_before(client, person, settings):
    user = person("admin")
    device = enrol(user)
    sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/?next=%2Fadmin%2F")
    code = next_code(device)
    accepted = client.post("/accounts/two-factor/", {"code": code, "next": "/admin/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    client.post("/accounts/logout/")
    sign_in(client, user)
    replayed = client.post("/accounts/two-factor/", {"code": code, "next": "/admin/"})
    assert replayed.status_code == 200 and "not right" in replayed.content.decode()
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, person):
    user = person("supervisor")
    device = enrol(user)
    sign_in(client, user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.post("/accounts/two-factor/", {"code": "111111"})
        client.post("/accounts/two-factor/", {"code": "222222"})  # too soon: not even tried
        waited = client.post("/accounts/two-factor/", {"code": next_code(device)})
    assert "Too many wrong codes. Wait" in waited.content.decode()
    with time_machine.travel(now + timedelta(seconds=3), tick=False):
        assert client.post("/accounts/two-factor/", {"code": next_code(device)}).status_code == 302


def test_a_recovery_code_signs_in_once(client, person):
    user = person("supervisor")
    pending = services.start_enrolment(user=user)
    codes = services.confirm_enrolment(user=user, code=next_code(pending)).recovery_codes
    sign_in(client, user)
    typed = codes[3].upper().replace("-", " ")  # as read aloud, or typed on a phone
    used = client.post("/accounts/two-factor/", {"code": typed}, follow=True)
    assert used.redirect_chain[-1][0] == "/console/"
    assert "You used a recovery code: 9 left" in used.content.decode()
    client.post("/accounts/logout/")
    sign_in(client, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        again = client.post("/accounts/two-factor/", {"code": codes[3]})
    assert again.status_code == 200 and "not right" in again.content.decode()


def test_a_supervisor_resets_an_agents_lost_phone_but_not_an_administrators(
    client, person, supervisor, desk
):
    desk.two_factor_required = True
    desk.save()
    agent, admin = person("agent"), person("admin")
    enrol(agent)
    enrol(admin)
    client.force_login(supervisor)
    page = client.get("/console/staff/").content.decode()
    assert agent.username in page and admin.username not in page
    done = client.post(f"/console/staff/{agent.pk}/", {"action": "second-factor-off"}, follow=True)
    assert f"{agent.username} sets up a second factor again" in done.content.decode()
    assert not Authenticator.objects.filter(user=agent).exists()
    refused = client.post(f"/console/staff/{admin.pk}/", {"action": "second-factor-off"})
    assert refused.status_code == 403
    assert Authenticator.objects.filter(user=admin, confirmed=True).exists()


def test_a_poll_while_the_second_step_is_pending_asks_the_page_to_go_there(client, person):
    user = person("supervisor")
    enrol(user)
    sign_in(client, user)
    response = client.get("/console/notifications/unread/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/two-factor/?next=")


def test_once_an_agent_turns_the_factor_on_every_new_sign_in_asks_for_it(client, person):
    from django.test import Client

    agent = person("agent")
    sign_in(client, agent)
    assert client.get("/console/").status_code == 200  # none needed: remembered a while
    enrol(agent)
    other = Client()
    sign_in(other, agent)
    assert other.get("/console/")["Location"].startswith("/accounts/two-factor/?next=")
