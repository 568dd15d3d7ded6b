"""`ventanilla run` as processes it watches over: the web server, the intake loop and the task
consumer, each its own.

Under load the task consumer (the bot's search, routing, sending) can use a whole core; in
one process with the web server it would hold the interpreter's lock while webhooks wait to
be acknowledged, and with the intake loop while what people wrote waits to be stored. Apart,
the web server only verifies and inserts, the intake loop only stores, and each gets its
share of the machine whatever the others are doing (figures in docs/architecture.md).

`ventanilla run` prepares (migrations, static files, the demo), binds the listening socket,
then replaces itself with this module (`python -m ventanilla.server.supervisor`), which
imports nothing but the standard library: the supervisor holds a few MiB, not what the
preparation loaded. It hands the socket to the web server, so that a
web server that dies is replaced without closing the port: connections that arrive in the
meantime wait in the socket's queue. A child that exits unexpectedly is started again, at
once the first time and then after a pause that grows while it keeps dying. SIGINT or SIGTERM
stops all gracefully (each finishes what it is doing), then the supervisor exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("ventanilla.server.supervisor")

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.2
QUICK_DEATH_SECONDS = 5.0  # a child that dies sooner than this is started again after a pause
LONGEST_PAUSE_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 40.0  # the children's own graceful stop takes up to 30 s
# The task consumer (triage, the bot, sending) yields the processor to the web server and the
# intake loop when they all want it: acknowledging a delivery and storing what it holds come
# before answering it. Mildly (a weight of about a third of theirs), as triage holds locks the
# web server's pages need. When the others are idle the consumer has every core.
TASKS_NICENESS = 5


@dataclass
class Child:
    """One process the supervisor keeps running."""

    name: str
    arguments: list[str]
    keep_fds: tuple[int, ...] = ()
    niceness: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    pause: float = 0.0
    due_at: float = field(default=0.0)

    def start(self) -> None:
        command = [sys.executable, "-m", "ventanilla", *self.arguments]
        # A group of its own: Ctrl-C in a terminal (or a signal to the whole group) reaches
        # the supervisor alone, which stops each child once; and the child is stopped if the
        # supervisor itself dies.
        self.process = subprocess.Popen(  # noqa: S603
            command,
            pass_fds=self.keep_fds,
            process_group=0,
            preexec_fn=functools.partial(_prepare_child, self.niceness),
        )
        self.started_at = time.monotonic()

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


def _prepare_child(niceness: int) -> None:
    """In the child, before it runs: SIGTERM when the supervisor dies (Linux only), and its
    scheduling priority."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: it outlives a killed one
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if niceness:
        os.nice(niceness)


def listening_socket(host: str, port: int) -> socket.socket:
    """The web server's socket, bound and listening, to be handed to each web process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


class _Stop(Exception):
    pass


def _stop(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Stop


def supervise(children: list[Child]) -> int:
    """Run the children until SIGINT or SIGTERM; then stop them and return 0."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        for child in children:
            child.start()
        while True:
            time.sleep(POLL_SECONDS)
            for child in children:
                _look_after(child)
    except _Stop:
        pass
    _stop_all(children)
    return 0


def _look_after(child: Child) -> None:
    now = time.monotonic()
    if child.process is None:
        if now >= child.due_at:
            child.start()
        return
    code = child.exited()
    if code is None:
        return
    lived = now - child.started_at
    child.restarts += 1
    child.pause = (
        0.0
        if lived >= QUICK_DEATH_SECONDS
        else min(max(child.pause * 2, 0.5), LONGEST_PAUSE_SECONDS)
    )
    logger.warning(
        "%s process exited (%s) after %.1f s; starting it again%s",
        child.name,
        code,
        lived,
        f" in {child.pause:.1f} s" if child.pause else "",
    )
    child.process = None
    child.due_at = now + child.pause


def _stop_all(children: list[Child]) -> None:
    running = [c.process for c in children if c.process is not None and c.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ventanilla run (supervisor)")
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    fd = str(options.listen_fd)
    common = ["run", "--no-migrate", "--child"]
    children = [
        Child(
            "web",
            [*common, "--no-consumer", "--listen-fd", fd, "--threads", str(options.threads)],
            keep_fds=(options.listen_fd,),
        ),
        Child("intake", [*common, "--no-web", "--part", "intake"]),
        Child(
            "consumer",
            [*common, "--no-web", "--part", "tasks", "--workers", str(options.workers)],
            niceness=TASKS_NICENESS,
        ),
    ]
    code = supervise(children)
    print("ventanilla stopped.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
