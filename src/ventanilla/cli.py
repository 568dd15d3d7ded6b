"""The `ventanilla` command: Django's management commands with ventanilla's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.umask(0o077)  # databases, keys, media and logs: private to the service's user
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.core.management import execute_from_command_line

    from ventanilla.lib.env import ConfigurationError

    try:
        execute_from_command_line(sys.argv)
    except ConfigurationError as error:
        sys.exit(f"ventanilla: configuration error: {error}")


if __name__ == "__main__":
    main()
