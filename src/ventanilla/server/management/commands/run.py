"""`ventanilla run`: migrate, then serve the web app and run the task consumer until stopped."""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from huey.consumer import Consumer

import ventanilla
from ventanilla.lib.env import private_home
from ventanilla.privacy.services import verify_data_key
from ventanilla.server import demo, supervisor
from ventanilla.server.migrations import migration_lock, pending_migrations
from ventanilla.server.processes import (
    IntakeLoop,
    proxy_options,
    serve_until_stopped,
    start_consumer,
    start_intake,
)
from ventanilla.server.static import collect_static

ADDRESS = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[^:\[\]]*):)?(?P<port>\d{1,5})$")


def parse_address(value: str) -> tuple[str, int]:
    """'127.0.0.1:8000', '0.0.0.0:80', '[::1]:8000', ':8000' or '8000'."""
    match = ADDRESS.match(value.strip())
    port = int(match["port"]) if match else 0
    if not match or not 0 < port < 65536:
        raise CommandError(f"--addr {value!r}: expected HOST:PORT, such as 127.0.0.1:8000")
    host = (match["host"] or "127.0.0.1").strip("[]")
    return host, port


class Command(BaseCommand):
    help = "Migrate the database, then serve the web app and run the task consumer together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to listen on.")
        parser.add_argument("--demo", action="store_true", help="Load the demo desk and users.")
        parser.add_argument("--threads", type=int, default=8, help="Web server threads.")
        parser.add_argument("--workers", type=int, default=2, help="Task consumer threads.")
        parser.add_argument("--no-web", action="store_true", help="Run the task consumer only.")
        parser.add_argument("--no-consumer", action="store_true", help="Serve the web app only.")
        parser.add_argument("--no-migrate", action="store_true", help="Do not migrate first.")
        parser.add_argument(
            "--one-process",
            action="store_true",
            help="Web server and consumer in one process (less memory; webhooks then wait "
            "while the consumer is busy).",
        )
        # Set by the supervisor for the processes it starts.
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument(
            "--part", choices=("intake", "tasks"), default=None, help=argparse.SUPPRESS
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["no_web"] and options["no_consumer"]:
            raise CommandError("--no-web and --no-consumer together leave nothing to run")
        if options["threads"] < 1 or options["workers"] < 1:
            raise CommandError("--threads and --workers must be at least 1")
        host, port = parse_address(options["addr"])
        opened = private_home(settings.HOME)
        if opened:
            self.stdout.write(f"Made private to this user: {', '.join(sorted(opened))}")
        if not options["no_migrate"]:
            self._migrate()
        elif pending_migrations():
            raise CommandError("the database needs migrating: run `ventanilla migrate` first")
        try:
            verify_data_key()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not options["no_web"] and collect_static():
            self.stdout.write(f"Static files collected into {settings.STATIC_ROOT}")
        shown = demo.load() if options["demo"] else None

        both = not (options["no_web"] or options["no_consumer"])
        if both and not options["one_process"]:
            self._supervise(host, port, options, shown)
            return
        server = None
        if not options["no_web"]:
            server = self._bind(host, port, options["threads"], options["listen_fd"])
        consumer: Consumer | IntakeLoop | None = None
        if options["part"] == "intake":
            consumer = start_intake()
        elif not options["no_consumer"]:
            consumer = start_consumer(options["workers"], intake=options["part"] != "tasks")
        if not options["child"]:
            workers = options["workers"] if consumer else 0
            self._announce(host, port, server is not None, workers, shown)
        serve_until_stopped(server, consumer)
        if not options["child"]:
            self.stdout.write("ventanilla stopped.")

    def _supervise(self, host: str, port: int, options: dict[str, Any], shown: Any) -> None:
        """The web server, the intake loop and the task consumer, each in a process of its
        own, watched over."""
        try:
            sock = supervisor.listening_socket(host, port)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        self._announce(host, port, True, options["workers"], shown, processes=True)
        sys.stdout.flush()
        connection.close()  # the children have their own
        # The supervisor needs none of what this process loaded (Django, the migrations, the
        # demo): this process becomes a small one that only watches the three others.
        os.execv(  # noqa: S606
            sys.executable,
            [
                sys.executable, "-m", "ventanilla.server.supervisor",
                "--listen-fd", str(sock.fileno()),
                "--threads", str(options["threads"]),
                "--workers", str(options["workers"]),
            ],
        )  # fmt: skip

    def _migrate(self) -> None:
        with migration_lock():
            pending = pending_migrations()
            if pending:
                self.stdout.write(f"Applying {pending} database migration(s)...")
                call_command("migrate", interactive=False, verbosity=0)

    def _bind(self, host: str, port: int, threads: int, listen_fd: int | None) -> Any:
        from waitress import create_server

        from ventanilla.wsgi import application

        where: dict[str, Any] = {"host": host, "port": port}
        if listen_fd is not None:  # the supervisor's socket
            where = {"sockets": [socket.socket(fileno=listen_fd)]}
        try:
            return create_server(
                application,
                **where,
                threads=threads,
                ident="ventanilla",
                # Bodies beyond the largest upload (plus form fields) are cut off unread.
                max_request_body_size=settings.MAX_UPLOAD_BYTES + 4 * 1024 * 1024,
                **proxy_options(),
            )
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error.strerror}") from None

    def _announce(
        self,
        host: str,
        port: int,
        web: bool,
        workers: int,
        shown: demo.Demo | None,
        *,
        processes: bool = False,
    ) -> None:
        database = settings.DATABASES["default"]
        where = (
            f"SQLite {database['NAME']}"
            if connection.vendor == "sqlite"
            else f"{connection.display_name} {database.get('HOST') or 'local'}/{database['NAME']}"
        )
        queue = "Redis" if settings.REDIS_URL else f"SQLite {settings.HUEY['filename']}"
        lines = [f"ventanilla {ventanilla.__version__}: database {where}; task queue {queue}"]
        if web:
            named = f"[{host}]" if ":" in host else host
            everywhere = host in ("0.0.0.0", "::")  # noqa: S104 (reading, not binding)
            url = f"http://{'127.0.0.1' if everywhere else named}:{port}/"
            lines.append(f"Serving {url}  (console {url}console/, API docs {url}api/docs)")
        if workers and processes:
            lines.append(
                f"Intake loop, and task consumer with {workers} worker thread(s): "
                "each in a process of its own"
            )
        elif workers:
            lines.append(f"Task consumer: {workers} worker thread(s) and the intake loop")
        if shown:
            lines.append(f"Demo logins, password {demo.PASSWORD!r}:")
            lines += [f"  {login.username:<8} {login.role}" for login in shown.logins]
            lines.append(
                "  (admin and supervisor set up a second factor at their first sign-in: "
                "an authenticator app on a phone)"
            )
            if web:
                lines.append(f"Demo web chat: {url}{shown.webchat.lstrip('/')}")
                lines.append(f"Demo portal form: {url}{shown.portal.lstrip('/')}")
                lines.append(f"Demo help centre: {url}{shown.help_centre.lstrip('/')}")
                lines.append(
                    f"Demo application status: {url}{shown.application_status.lstrip('/')} "
                    "(ES-2026-004512, born 12/03/1990)"
                )
            if host not in ("127.0.0.1", "localhost", "::1"):
                lines.append("  (the demo passwords are public: keep this address private)")
        lines.append("Stop with Ctrl-C.")
        self.stdout.write("\n".join(lines))
        sys.stdout.flush()
