"""`ventanilla run` keeps its web server, its intake loop and its task consumer in processes of
their own, and starts again whichever dies; webhooks are acknowledged while the others are
down, and messages are stored while the task consumer is stuck."""

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
            if b"--no-consumer" in arguments:
                found["web"] = int(pid)
            else:
                found[arguments[arguments.index(b"--part") + 1].decode()] = int(pid)
    return found


def niceness(processes):
    return {name: os.getpriority(os.PRIO_PROCESS, pid) for name, pid in processes.items()}


def three(server, timeout=30):
    return until(lambda: len(found := children(server)) == 3 and found, timeout=timeout)


def test_a_killed_process_is_started_again_and_nothing_is_lost(environment):
    server = Running(environment)
    assert "in a process of its own" in server.output
    first = three(server)
    assert set(first) == {"web", "intake", "tasks"}
    # The task consumer yields the processor to the web server and the intake loop.
    own = os.getpriority(os.PRIO_PROCESS, 0)
    started = niceness(first)
    assert started == {"web": own, "intake": own, "tasks": min(own + 5, 19)}
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

        def stored(count):
            page = server.request("GET", "/api/v1/conversations", token=token)[1]
            return page["count"] == count and page

        # The task consumer stuck (stopped, as a long triage would hold it): what people
        # write is stored all the same, by the intake process.
        os.kill(first["tasks"], signal.SIGSTOP)
        try:
            assert deliver("wamid.STUCK", "447700900600") == 200
            assert until(lambda: stored(1), timeout=30)
        finally:
            os.kill(first["tasks"], signal.SIGCONT)

        os.kill(first["tasks"], signal.SIGKILL)
        os.kill(first["intake"], signal.SIGKILL)
        # With the intake and the task consumer down, deliveries are still acknowledged:
        # they wait as rows.
        assert deliver("wamid.DOWN1", "447700900601") == 200
        os.kill(first["web"], signal.SIGKILL)
        # The socket stays open in the supervisor: this waits for the new web server.
        assert deliver("wamid.DOWN2", "447700900602") == 200
        again = three(server, timeout=60)
        assert all(again[name] != first[name] for name in first)
        assert niceness(again) == started
        assert until(lambda: stored(3), timeout=60)
    for name in ("web", "intake", "consumer"):
        assert f"{name} process exited (-9)" in server.output
    assert server.stop() == 0
    assert children(server) == {}


def test_ctrl_c_stops_the_supervisor_and_its_processes_gracefully(environment):
    server = Running(environment)
    running = three(server)
    # A terminal's Ctrl-C goes to the foreground process group: the supervisor's, which its
    # children left so that each is stopped once, by the supervisor.
    assert all(os.getpgid(pid) != os.getpgid(server.process.pid) for pid in running.values())
    os.kill(server.process.pid, signal.SIGINT)
    assert server.process.wait(timeout=60) == 0
    assert "ventanilla stopped." in server.output
    assert not any(os.path.exists(f"/proc/{pid}") for pid in running.values())


def test_the_processes_stop_when_the_supervisor_is_killed(environment):
    server = Running(environment)
    running = three(server)
    server.kill()
    assert until(lambda: not any(os.path.exists(f"/proc/{p}") for p in running.values()),
                 timeout=45)  # fmt: skip


def test_one_process_when_asked(environment):
    server = Running(environment, "--one-process")
    time.sleep(1)
    assert children(server) == {} and "in a process of its own" not in server.output
    assert server.request("GET", "/api/v1/health")[0] == 200
    assert server.stop() == 0
