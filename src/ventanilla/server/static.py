"""Static files: `ventanilla run` collects them once into VENTANILLA_HOME, with a hashed
name and a gzip copy each, so that they are cached for a year and sent compressed.

Collecting is skipped while the files shipped are those collected last time. Where nothing
was collected (tests, other commands) pages link the plain names, which WhiteNoise serves
from the installed package with a short cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

import ventanilla

FINGERPRINT = ".sources"  # in STATIC_ROOT: what the collected files were made from


class StaticFiles(CompressedManifestStaticFilesStorage):
    """Hashed names from the collected manifest; a file it does not list keeps its name."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        wanted = self.hash_key(urlsplit(name).path.strip())
        if self.hashed_files.get(wanted) is None:
            return name
        return str(super().stored_name(name))


def sources_fingerprint() -> str:
    """A digest of every static file the installed apps ship: names, sizes, change times."""
    digest = hashlib.sha256(f"{ventanilla.__version__} {django.__version__}".encode())
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(None), key=lambda found: found[0]):
            stat = Path(storage.path(path)).stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> bool:
    """Collect the static files into STATIC_ROOT unless they are there already; returns
    whether it collected."""
    root = Path(settings.STATIC_ROOT)
    fingerprint = sources_fingerprint()
    marker = root / FINGERPRINT
    collected = (root / "staticfiles.json").exists() and marker.exists()
    if collected and marker.read_text().strip() == fingerprint:
        return False
    root.mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint + "\n")
    return True
