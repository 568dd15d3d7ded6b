"""`ventanilla token USERNAME --role ROLE`: create the user if missing, print a new API token."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.api.services import issue_token
from ventanilla.desks.models import Desk
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.server.migrations import pending_migrations

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


class Command(BaseCommand):
    help = "Create the user if missing, give them a role, and print a new API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--desk",
            action="append",
            dest="desks",
            metavar="SLUG",
            help="A desk the user works at (repeat for several; default: the default desk).",
        )

    def handle(
        self, *args: Any, username: str, role: str, desks: list[str] | None, **options: Any
    ) -> None:
        if not USERNAME.match(username):
            raise CommandError("the username may hold letters, digits and @ . + - _ only")
        if pending_migrations():
            raise CommandError("the database is not set up yet: run `ventanilla migrate` first")
        slugs = desks or ["default"]
        found = list(Desk.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {desk.slug for desk in found})
        if missing:
            raise CommandError(f"no desk {', '.join(missing)}")
        user = enrol_staff(username=username, role=Role(role), desks=found)
        self.stdout.write(issue_token(user=user))
