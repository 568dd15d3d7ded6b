"""`ventanilla keys` on a real installation, as an administrator runs it."""

from pathlib import Path

import pytest

from running import Running, command, fresh_environment, migrated_environment

DEMO_TEXT = "Mi empleador no me paga desde hace tres meses y se quedó con mi pasaporte"


@pytest.fixture
def environment(tmp_path):
    yield from fresh_environment(tmp_path / "home")


@pytest.fixture
def migrated(tmp_path):
    """An installation migrated already (a copy of the test run's): what a rotation finds."""
    yield from migrated_environment(tmp_path / "home")


def texts_seen(server, token):
    found = server.request("GET", "/api/v1/conversations?q=empleador", token=token)[1]
    (conversation,) = found["items"]
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    return [m["text"] for m in server.request("GET", path, token=token)[1]]


def test_a_rotation_with_the_keys_in_the_home(migrated):
    environment = migrated
    server = Running(environment, "--demo")
    token = command(environment, "token", "dpo", "--role", "admin", "--desk", "demo").stdout.strip()
    assert DEMO_TEXT in texts_seen(server, token)
    assert server.stop() == 0
    keyring = Path(environment["VENTANILLA_HOME"]) / "data_key"
    before = keyring.read_text().split()

    status = command(environment, "keys", "status")
    assert status.returncode == 0, status.stderr
    assert "Everything is encrypted with the first key." in status.stdout

    rotated = command(environment, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "New key" in rotated.stdout and "Done:" in rotated.stdout
    assert "conversations.Message.text:" in rotated.stdout  # progress
    assert "Retired key(s)" in rotated.stdout
    after = keyring.read_text().split()
    assert len(after) == 1 and after != before  # the old key is gone from the home
    assert keyring.stat().st_mode & 0o777 == 0o600

    again = Running(environment)  # starts with the new key alone, and reads everything
    assert DEMO_TEXT in texts_seen(again, token)
    assert again.stop() == 0
    status = command(environment, "keys", "status")
    assert "Everything is encrypted with the first key." in status.stdout


def test_with_the_keys_in_the_environment(environment):
    environment = {**environment, "VENTANILLA_DATA_KEY": command(environment, "keys", "new").stdout}
    assert command(environment, "migrate").returncode == 0
    refused = command(environment, "keys", "rotate")
    assert refused.returncode != 0
    assert "put it first in VENTANILLA_DATA_KEY on every machine" in refused.stderr

    server = Running(environment, "--demo")
    token = command(environment, "token", "dpo", "--role", "admin", "--desk", "demo").stdout.strip()
    assert server.stop() == 0
    old = environment["VENTANILLA_DATA_KEY"].strip()
    new = command(environment, "keys", "new").stdout.strip()
    too_early = command({**environment, "VENTANILLA_DATA_KEY": new}, "keys", "rotate")
    assert too_early.returncode != 0 and "not the key this database" in too_early.stderr

    environment["VENTANILLA_DATA_KEY"] = f"{new},{old}"
    rotated = command(environment, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "may now be removed from VENTANILLA_DATA_KEY" in rotated.stdout
    environment["VENTANILLA_DATA_KEY"] = new
    again = Running(environment)
    assert DEMO_TEXT in texts_seen(again, token)
    assert again.stop() == 0
