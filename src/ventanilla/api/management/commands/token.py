"""`ventanilla token USERNAME --role ROLE`: create the user if missing, print a new API token;
`ventanilla token --revoke TOKEN`: revoke one."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.api.models import Scope
from ventanilla.api.services import MAX_DAYS, issue_token, revoke_token, token_named
from ventanilla.desks.models import Desk
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.lib.errors import ServiceError
from ventanilla.server.migrations import pending_migrations

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


class Command(BaseCommand):
    help = (
        "Create the user if missing, give them a role, and print a new API token; or revoke "
        "a token with --revoke TOKEN."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument(
            "--desk",
            action="append",
            dest="desks",
            metavar="SLUG",
            help="A desk the user works at (repeat for several; default: the default desk).",
        )
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--read-only", action="store_true", help="The token can read, not change."
        )
        parser.add_argument(
            "--expires-days", type=int, metavar="DAYS", help="It stops working after DAYS days."
        )
        parser.add_argument("--revoke", metavar="TOKEN", help="Revoke this token instead.")

    def handle(
        self,
        *args: Any,
        username: str | None,
        role: str | None,
        desks: list[str] | None,
        revoke: str | None,
        **options: Any,
    ) -> None:
        if pending_migrations():
            raise CommandError("the database is not set up yet: run `ventanilla migrate` first")
        if revoke is not None:
            self._revoke(revoke.strip())
            return
        if not username or not role:
            raise CommandError("give a USERNAME and its --role (or --revoke TOKEN)")
        if not USERNAME.match(username):
            raise CommandError("the username may hold letters, digits and @ . + - _ only")
        days = options["expires_days"]
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--expires-days: from 1 to {MAX_DAYS}")
        slugs = desks or ["default"]
        found = list(Desk.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {desk.slug for desk in found})
        if missing:
            raise CommandError(f"no desk {', '.join(missing)}")
        user = enrol_staff(username=username, role=Role(role), desks=found)
        try:
            token = issue_token(
                user=user,
                name=options["name"],
                scope=Scope.READ if options["read_only"] else Scope.WRITE,
                expires_in_days=days,
            )
        except ServiceError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(token)

    def _revoke(self, token: str) -> None:
        found = token_named(token)
        if found is None:
            raise CommandError("no such token (give the whole token, as it was printed)")
        revoke_token(token=found, by=None)
        self.stdout.write(f"revoked {found.prefix}… of {found.user.get_username()}")
