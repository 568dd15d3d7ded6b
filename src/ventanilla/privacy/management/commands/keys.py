"""`ventanilla keys status|new|rotate`: the data keys, and their rotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.privacy import crypto, rotation
from ventanilla.privacy.models import KeyCheck
from ventanilla.privacy.services import verify_data_key
from ventanilla.server.migrations import pending_migrations

ENVIRONMENT_STEPS = (
    "the keys come from VENTANILLA_DATA_KEY, which this command cannot change. To rotate: "
    "make a key with `ventanilla keys new`, put it first in VENTANILLA_DATA_KEY on every "
    "machine (NEW,OLD), restart them, then run `ventanilla keys rotate` again; it encrypts "
    "everything with the new key and says when the old one can be removed."
)


class Command(BaseCommand):
    help = "Show the data keys, make a new one, or rotate: encrypt everything with a new key."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="The keys, and what is still under an old one.")
        actions.add_parser("new", help="Print a new key (for VENTANILLA_DATA_KEY).")
        rotate = actions.add_parser(
            "rotate",
            help="Add a new key (kept in VENTANILLA_HOME) or use the first of "
            "VENTANILLA_DATA_KEY, encrypt everything again with it, retire the old keys. "
            "Stopped, it goes on where it was when run again.",
        )
        rotate.add_argument("--batch", type=int, default=rotation.BATCH, help="Rows per commit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new":
            self.stdout.write(rotation.new_key())
            return
        if pending_migrations():
            raise CommandError("the database needs migrating: run `ventanilla migrate` first")
        try:
            if options["action"] == "status":
                self._status()
            else:
                self._rotate(options["batch"])
        except (ImproperlyConfigured, crypto.DecryptionError) as error:
            raise CommandError(str(error)) from None

    def _status(self) -> None:
        ring = crypto.keyring()
        path: Path | None = getattr(settings, "DATA_KEY_FILE", None)
        self.stdout.write(f"Keys from: {path or 'VENTANILLA_DATA_KEY'}")
        retired = set(
            KeyCheck.objects.filter(retired_at__isnull=False).values_list("fingerprint", flat=True)
        )
        for key in ring.keys:
            role = "encrypts" if key is ring.active else "decrypts only"
            if key.fingerprint in retired:
                role += ", retired (nothing uses it: it may be removed)"
            self.stdout.write(f"  {key.id}  fingerprint {key.fingerprint}  {role}")
        left = rotation.remaining(ring.active.id)
        if not left:
            self.stdout.write("Everything is encrypted with the first key.")
            return
        self.stdout.write("Still under another key:")
        for name, count in left.items():
            self.stdout.write(f"  {name}: {count}")

    def _rotate(self, batch: int) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        verify_data_key()  # a key that is not this database's is refused before anything
        ring = crypto.keyring()
        path: Path | None = getattr(settings, "DATA_KEY_FILE", None)
        if len(ring.keys) == 1:
            if path is None:
                raise CommandError(ENVIRONMENT_STEPS)
            key = rotation.add_key_to_file(path)
            self.stdout.write(f"New key {key.id} added to {path}; it encrypts from now on.")
        else:
            self.stdout.write(
                f"Encrypting with key {ring.active.id} what is still under "
                + ", ".join(k.id for k in ring.keys[1:])
            )
        outcome = rotation.rotate(self.stdout.write, batch=batch)
        if outcome.still_used:
            left = ", ".join(f"{name}: {n}" for name, n in outcome.still_used.items())
            raise CommandError(
                f"{outcome.rewritten} rewritten, but some were written under an old key "
                f"meanwhile ({left}); run `ventanilla keys rotate` again"
            )
        self.stdout.write(f"Done: {outcome.rewritten} values and files encrypted again.")
        if outcome.retired:
            where = (
                f"removed from {path}"
                if path
                else "they may now be removed from VENTANILLA_DATA_KEY"
            )
            self.stdout.write(f"Retired key(s) {', '.join(outcome.retired)}: {where}.")
