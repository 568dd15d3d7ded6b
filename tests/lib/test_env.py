import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from ventanilla.lib.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_secret,
    generated_secret,
)


def test_booleans_read_the_usual_spellings(monkeypatch):
    for value, expected in [
        ("1", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
    ]:
        monkeypatch.setenv("VT_FLAG", value)
        assert env_bool("VT_FLAG") is expected
    monkeypatch.delenv("VT_FLAG")
    assert env_bool("VT_FLAG", default=True) is True


def test_a_boolean_that_is_neither_is_refused(monkeypatch):
    monkeypatch.setenv("VT_FLAG", "maybe")
    with pytest.raises(ConfigurationError, match="VT_FLAG must be true or false"):
        env_bool("VT_FLAG")


def test_whole_numbers_are_checked(monkeypatch):
    monkeypatch.setenv("VT_NUMBER", "12")
    assert env_int("VT_NUMBER", 3) == 12
    monkeypatch.setenv("VT_NUMBER", "twelve")
    with pytest.raises(ConfigurationError, match="whole number"):
        env_int("VT_NUMBER", 3)
    monkeypatch.setenv("VT_NUMBER", "-1")
    with pytest.raises(ConfigurationError, match="at least 0"):
        env_int("VT_NUMBER", 3)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret-from-file\n")
    monkeypatch.setenv("VT_SECRET", "from-env")
    monkeypatch.setenv("VT_SECRET_FILE", str(secret_file))
    assert env_secret("VT_SECRET") == "s3cret-from-file"


def test_an_unreadable_secret_file_is_a_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setenv("VT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="cannot read"):
        env_secret("VT_SECRET")


def test_a_generated_secret_is_private_and_stable(tmp_path):
    first = generated_secret(tmp_path, "key")
    assert len(first) >= 40
    assert generated_secret(tmp_path, "key") == first
    mode = stat.S_IMODE(os.stat(tmp_path / "key").st_mode)
    assert mode == 0o600


def test_processes_starting_together_agree_on_one_generated_secret(tmp_path):
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = set(pool.map(lambda _: generated_secret(tmp_path, "key"), range(32)))
    assert len(values) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["key"]


def test_served_over_https_cookies_are_secure_and_browsers_keep_to_https(tmp_path):
    import subprocess
    import sys

    shown = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "VENTANILLA_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
    }
    plain = subprocess.run([sys.executable, "-c", shown], env=env, capture_output=True, text=True)
    assert plain.stdout.split() == ["False", "False", "0", "True", "True", "Lax"], plain.stderr
    env["VENTANILLA_PUBLIC_URL"] = "https://helpdesk.example.org"
    https = subprocess.run([sys.executable, "-c", shown], env=env, capture_output=True, text=True)
    assert https.stdout.split() == ["True", "True", "31536000", "True", "True", "Lax"], https.stderr
