"""The two sites the console's browser tests run against, each with the demo loaded: a real
`ventanilla run --demo` in a process of its own (one per test module: a module's tests may
set up second factors and change people's settings, which others must not meet) and the
test server;
and signing in to them as the demo's staff, the second factor included."""

from __future__ import annotations

from typing import Any

import pytest

from running import Running, migrated_environment
from twofactor import second_step

PASSWORD = "ventanilla-demo"  # the demo's staff
LOADED_MACHINE_MS = 90_000  # both suites and a browser share two cores in CI
KEYS: dict[tuple[str, str], str] = {}  # authenticator secrets, per site and person


@pytest.fixture(scope="module")
def running_site(tmp_path_factory: Any) -> Any:
    home = tmp_path_factory.mktemp("demo-site") / "home"
    environment = migrated_environment(home)
    server = Running(next(environment), "--demo")
    yield server.url
    server.stop()
    next(environment, None)


@pytest.fixture
def live_site(live_server: Any) -> str:
    from ventanilla.server import demo

    demo.load()
    return str(live_server.url)


@pytest.fixture(params=["ventanilla-run", "live-server"])
def site(request: Any) -> str:
    return str(
        request.getfixturevalue(
            "running_site" if request.param == "ventanilla-run" else "live_site"
        )
    )


def signed_in(
    browser: Any, site: str, username: str, width: int, landing: str = "Inbox"
) -> tuple[Any, Any]:
    """A new browser context signed in to the console as `username`, at `width` pixels, on
    the page their role lands on (`landing`: its heading)."""
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(LOADED_MACHINE_MS)
    page.goto(f"{site}/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    KEYS[site, username] = second_step(page, username, KEYS.get((site, username), ""))
    page.get_by_role("heading", name=landing, exact=True).wait_for()
    return context, page


def fits(page: Any, width: int) -> None:
    """On a phone, the page is no wider than the screen."""
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
