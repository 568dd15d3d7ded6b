"""`ventanilla run` keeps its web server and its consumer in processes of their own, and
starts again whichever dies; webhooks are acknowledged while the consumer is down."""

import json
import os
import signal
import time

import httpx
import pytest

from fakes.graph import FakeGraph, contact, envelope, message, sign
from running import Running, command, migrated_environment, until


@pytest.fixture
def environment(tmp_path):
    yield from migrated_environment(tmp_path / "home")


def children(server):
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as line:
                arguments = line.read().split(b"\0")
        except OSError:
            continue
        if parent == server.process.pid:
            found["web" if b"--no-consumer" in arguments else "consumer"] = int(pid)
    return found


def test_a_killed_web_server_or_consumer_is_started_again_and_nothing_is_lost(environment):
    server = Running(environment)
    assert "in a process of its own" in server.output
    first = until(lambda: len(found := children(server)) == 2 and found)
    token = command(environment, "token", "admin", "--role", "admin").stdout.strip()
    with FakeGraph() as graph:
        status, channel = server.request(
            "POST", "/api/v1/channels",
            {"desk": "default", "type": "whatsapp", "name": "WhatsApp", "config": graph.config()},
            token=token,
        )  # fmt: skip
        assert status == 201, channel

        def deliver(wamid, sender):
            body = json.dumps(envelope(messages=[message(wamid, "text", {"body": "Hola"},
                              sender=sender)], contacts=[contact(sender)])).encode()  # fmt: skip
            answer = httpx.post(
                f"{server.url}/webhooks/{channel['id']}/", content=body, timeout=20,
                headers={"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"},
            )  # fmt: skip
            return answer.status_code

        os.kill(first["consumer"], signal.SIGKILL)
        # With the consumer down, deliveries are still acknowledged: they wait as rows.
        assert deliver("wamid.DOWN1", "447700900601") == 200
        os.kill(first["web"], signal.SIGKILL)
        # The socket stays open in the supervisor: this waits for the new web server.
        assert deliver("wamid.DOWN2", "447700900602") == 200
        again = until(lambda: len(found := children(server)) == 2 and found, timeout=60)
        assert again["web"] != first["web"] and again["consumer"] != first["consumer"]

        def stored():
            page = server.request("GET", "/api/v1/conversations", token=token)[1]
            return page["count"] == 2 and page

        assert until(stored, timeout=60)
    assert "web process exited (-9)" in server.output
    assert "consumer process exited (-9)" in server.output
    assert server.stop() == 0
    assert children(server) == {}


def test_ctrl_c_stops_the_supervisor_and_its_processes_gracefully(environment):
    server = Running(environment)
    running = until(lambda: len(found := children(server)) == 2 and found)
    # A terminal's Ctrl-C goes to the foreground process group: the supervisor's, which its
    # children left so that each is stopped once, by the supervisor.
    assert all(os.getpgid(pid) != os.getpgid(server.process.pid) for pid in running.values())
    os.kill(server.process.pid, signal.SIGINT)
    assert server.process.wait(timeout=60) == 0
    assert "ventanilla stopped." in server.output
    assert not any(os.path.exists(f"/proc/{pid}") for pid in running.values())


def test_the_processes_stop_when_the_supervisor_is_killed(environment):
    server = Running(environment)
    running = until(lambda: len(found := children(server)) == 2 and found)
    server.kill()
    assert until(lambda: not any(os.path.exists(f"/proc/{p}") for p in running.values()),
                 timeout=45)  # fmt: skip


def test_one_process_when_asked(environment):
    server = Running(environment, "--one-process")
    time.sleep(1)
    assert children(server) == {} and "in a process of its own" not in server.output
    assert server.request("GET", "/api/v1/health")[0] == 200
    assert server.stop() == 0
