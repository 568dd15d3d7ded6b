"""`ventanilla run` as a user runs it: a real process, on SQLite or on PostgreSQL + Redis."""

import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from running import Running, command, free_port, fresh_environment, until

DEMO_NUMBERS = ["447700900101", "447700900102", "447700900103"]


@pytest.fixture
def environment(tmp_path):
    yield from fresh_environment(tmp_path / "home")


def test_run_serves_the_demo_sends_through_the_queue_and_stops_on_sigterm(environment):
    server = Running(environment, "--demo")
    assert "Demo logins" in server.output and "ana" in server.output
    queue = "task queue Redis" if environment.get("REDIS_URL") else "task queue SQLite"
    assert queue in server.output
    assert server.request("GET", "/accounts/login/")[0] == 200

    made = command(environment, "token", "tester", "--role", "admin", "--desk", "demo")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    status, page = server.request("GET", "/api/v1/conversations?desk=demo", token=token)
    assert status == 200 and page["count"] == 13  # six written, six surveyed, one called
    status, guide = server.request("GET", "/api/v1/kb/articles?state=published", token=token)
    assert status == 200 and guide["count"] == 4
    assert "/help/demo/" in server.output
    assert server.request("GET", "/help/demo/es/articles/passport-renewal/")[0] == 200

    webchat = next(
        c for c in page["items"] if c["channel_type"] == "webchat" and c["status"] == "open"
    )
    path = f"/api/v1/conversations/{webchat['id']}/messages"
    status, sent = server.request("POST", path, {"text": "Le respondemos hoy."}, token=token)
    assert status == 201 and sent["status"] in ("queued", "sending", "sent")

    # The task consumer, over the real queue, sends it (the web chat delivers locally). The
    # demo's own messages may be answered meanwhile (out of hours, with a notice), after it.
    def reply_sent() -> Any:
        history = server.request("GET", path, token=token)[1]
        return next(m for m in history if m["id"] == sent["id"])["status"] == "sent" and history

    history = until(reply_sent)
    assert [m["text"] for m in history if m["id"] == sent["id"]] == ["Le respondemos hoy."]

    # A visitor of the web chat asks; the bot answers from the guide, through the real queue.
    chat = server.output.split("Demo web chat: ")[1].split()[0].removeprefix(server.url)
    visitor = httpx.post(f"{server.url}{chat}session", timeout=10).json()["token"]
    asked = httpx.post(
        f"{server.url}{chat}messages",
        json={
            "text": "Se me venció el pasaporte, ¿cómo lo renuevo?",
            "language": "es",
            "client_id": "run-test-1",
        },
        headers={"X-Visitor-Token": visitor},
        timeout=10,
    )
    assert asked.status_code == 201, asked.text

    def answered() -> Any:
        thread = httpx.get(
            f"{server.url}{chat}messages", headers={"X-Visitor-Token": visitor}, timeout=10
        ).json()["messages"]
        return [m for m in thread if m["direction"] == "out"]

    replies = until(lambda: len(answered()) >= 2 and answered())
    assert "BORRAR MIS DATOS" in replies[0]["text"]  # the privacy notice, the first time
    assert "/help/demo/es/articles/passport-renewal/" in replies[1]["text"]

    assert server.stop(signal.SIGTERM) == 0
    assert "ventanilla stopped." in server.output


def test_ctrl_c_stops_cleanly_and_a_restart_keeps_everything(environment):
    first = Running(environment, "--demo")
    assert "Applying" in first.output
    assert first.stop(signal.SIGINT) == 0
    again = Running(environment, "--demo")
    assert "Applying" not in again.output  # nothing left to migrate
    token = command(
        environment, "token", "tester", "--role", "admin", "--desk", "demo"
    ).stdout.strip()
    assert again.request("GET", "/api/v1/conversations", token=token)[1]["count"] == 13
    assert again.stop() == 0


# What the demo's people, agents and volunteers wrote: messages, a note, a handover.
DEMO_WORDS = [
    "Mi empleador no me paga",
    "I have no papers. Where can I see a doctor",
    "perdu mon passeport, que dois-je",
    "أريد أن أعرف حالة طلب البطاقة",
    "Possible labour exploitation",
    "Quiet morning. Two people asked",
]


def test_no_phone_number_or_text_is_in_clear_in_the_stored_data(environment):
    server = Running(environment, "--demo")
    assert server.stop() == 0
    secrets = [n.encode() for n in DEMO_NUMBERS] + [w.encode() for w in DEMO_WORDS]
    if "DATABASE_URL" in environment:
        dump = subprocess.run(
            ["pg_dump", "--no-owner", environment["DATABASE_URL"]],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        assert b"C-" in dump  # the dump holds the contacts' pseudonyms...
        assert not [s for s in secrets if s in dump]  # ...and no number, no text
    files = [p for p in Path(environment["VENTANILLA_HOME"]).rglob("*") if p.is_file()]
    assert files
    for path in files:
        content = path.read_bytes()
        assert not [s for s in secrets if s in content], path
        assert not [n for n in DEMO_NUMBERS if n.encode("utf-16-le") in content], path


def test_the_home_and_what_is_in_it_are_private_to_the_service(environment):
    home = Path(environment["VENTANILLA_HOME"])
    home.mkdir(parents=True)
    home.chmod(0o755)  # as a careless installation left it
    server = Running(environment, "--demo")
    assert "Made private to this user" in server.output
    assert server.stop() == 0
    assert home.stat().st_mode & 0o777 == 0o700
    made = [p for p in home.rglob("*") if not p.is_relative_to(home / "static")]
    opened = [p for p in made if p.stat().st_mode & 0o077]
    assert made and not opened, opened


def test_a_taken_port_is_reported_and_nothing_runs(environment):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = command(environment, "run", "--addr", f"127.0.0.1:{port}")
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--addr", "localhost:http"], "expected HOST:PORT"),
        (["run", "--addr", "127.0.0.1:70000"], "expected HOST:PORT"),
        (["run", "--no-web", "--no-consumer"], "nothing to run"),
        (["token", "maria", "--role", "agent"], "run `ventanilla migrate` first"),
    ],
)
def test_bad_command_lines_get_a_message_and_a_failing_exit(environment, args, message):
    result = command(environment, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_data_key_is_refused_before_anything_is_written(environment):
    started = Running(environment)  # the first start records the key's fingerprint
    assert started.stop() == 0
    other_key = {**environment, "VENTANILLA_DATA_KEY": "A" * 43}
    refused = command(other_key, "run", "--addr", f"127.0.0.1:{free_port()}")
    assert refused.returncode != 0
    assert "VENTANILLA_DATA_KEY is not the key this database was written with" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_no_migrate_on_an_empty_database_says_what_to_do(environment):
    result = command(environment, "run", "--no-migrate", "--addr", f"127.0.0.1:{free_port()}")
    assert result.returncode != 0
    assert "run `ventanilla migrate` first" in result.stderr


def test_a_bad_environment_is_explained(environment):
    result = command({**environment, "VENTANILLA_DEBUG": "perhaps"}, "check")
    assert result.returncode != 0
    assert "VENTANILLA_DEBUG must be true or false" in result.stderr
    assert "Traceback" not in result.stderr
