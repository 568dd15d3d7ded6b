"""A supervisor erases a person's data from the console, in Chromium, against a real
`ventanilla run` and the test server: the form is submitted unaltered, at a desk and on a
phone's width, and what the person wrote is gone while the conversation stays."""

from __future__ import annotations

import re

import httpx
import pytest

from browsers import needs_chromium
from running import Running, command, migrated_environment
from twofactor import second_step

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "ventanilla-demo"  # the demo's staff
KEYS: dict[str, str] = {}  # the authenticator app sofia set up, per site


@pytest.fixture(scope="module")
def running_site(tmp_path_factory):
    home = tmp_path_factory.mktemp("erase") / "home"
    environment = migrated_environment(home)
    env = next(environment)
    server = Running(env, "--demo")
    made = command(env, "token", "erase-admin", "--role", "admin")
    assert made.returncode == 0, made.stderr
    yield server.url, made.stdout.strip()
    server.stop()
    next(environment, None)


@pytest.fixture
def live_site(live_server):
    from django.contrib.auth.models import Group, User

    from ventanilla.api.services import issue_token
    from ventanilla.server import demo

    demo.load()
    user = User.objects.create_user("erase-admin")
    user.groups.add(Group.objects.get(name="admin"))
    return live_server.url, issue_token(user=user)


@pytest.fixture(params=["ventanilla-run", "live-server"])
def site(request):
    return request.getfixturevalue(
        "running_site" if request.param == "ventanilla-run" else "live_site"
    )


@pytest.mark.parametrize(
    ("width", "word", "written"),  # a different person of the demo at each width
    [(1440, "empleador", "Mi empleador no me paga"), (390, "perdu", "j'ai perdu mon passeport")],
)
def test_a_supervisor_erases_a_persons_data_on_their_request(browser, site, width, word, written):
    url, token = site
    headers = {"Authorization": f"Bearer {token}"}
    found = httpx.get(f"{url}/api/v1/conversations?q={word}", headers=headers).json()["items"]
    (conversation,) = found
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/console/")
    page.get_by_label("Username").fill("sofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    KEYS[url] = second_step(page, "sofia", KEYS.get(url, ""))  # a supervisor: the app's code
    page.get_by_role("heading", name="Inbox").wait_for()
    page.goto(f"{url}/console/c/{conversation['id']}/")
    assert page.get_by_text(written).first.is_visible()

    page.get_by_text("Erase this person's data").click()
    page.get_by_label("Why (their request: when, how)").fill("Asked on WhatsApp, 2026-12-07")
    page.get_by_role("button", name="Erase").click()  # refused by the browser: not confirmed
    assert "erased" not in page.content()
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Erase").click()
    page.get_by_text(re.compile(r"C-\w+'s data was erased")).wait_for()
    assert page.locator("#content-removed").is_visible()
    assert page.get_by_text(written).count() == 0
    context.close()
    assert errors == []

    path = f"/api/v1/conversations/{conversation['id']}"
    assert httpx.get(f"{url}{path}", headers=headers).json()["status"] == "closed"
    texts = [m["text"] for m in httpx.get(f"{url}{path}/messages", headers=headers).json()]
    assert texts and not any(written in t for t in texts)
