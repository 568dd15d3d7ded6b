"""Typed readers for the environment variables that configure ventanilla."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


class ConfigurationError(Exception):
    """An environment variable holds a value ventanilla cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}")
    return number


def env_secret(name: str) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    path = env_str(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(f"{name}_FILE: cannot read {path}: {error.strerror}") from None
    return env_str(name)


def private_home(home: Path) -> list[str]:
    """Make `home` and the files directly in it (databases, keys, the queue) readable by
    the service's user only; what lies deeper is then out of reach too. Returns the names
    of what was open to others before."""
    opened = []
    for path in [home, *home.iterdir()]:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077 and not path.is_symlink():
            path.chmod(mode & 0o700)
            opened.append(path.name)
    return opened


def generated_secret(home: Path, filename: str, *, nbytes: int = 32) -> str:
    """Return the secret kept in home/filename, creating it on first use.

    The value is written to a private temporary file (mode 0600) and hard-linked into
    place, so two processes starting at once agree on one complete value.
    """
    path = home / filename
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=home, prefix=f".{filename}.")  # mode 0600
        draft = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(nbytes) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigurationError(f"{path} is empty; delete it to have a new key made")
    return value
