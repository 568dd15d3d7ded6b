"""All of ventanilla's configuration, read from the environment (see README, "Configuration")."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO

from ventanilla.lib.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_secret,
    env_str,
    generated_secret,
)

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(env_str("VENTANILLA_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("VENTANILLA_DEBUG")
SECRET_KEY = env_secret("VENTANILLA_SECRET_KEY") or generated_secret(HOME, "secret_key", nbytes=48)
# One or more keys, the one that encrypts first (privacy/crypto.py). Kept in HOME/data_key
# when the environment does not give them; `ventanilla keys rotate` rewrites that file.
DATA_KEY = env_secret("VENTANILLA_DATA_KEY") or generated_secret(HOME, "data_key")
DATA_KEY_GENERATED = not env_secret("VENTANILLA_DATA_KEY")
DATA_KEY_FILE = HOME / "data_key" if DATA_KEY_GENERATED else None

# The address people and providers reach this installation at: webhook URLs and the
# signature checks of some providers are built from it.
PUBLIC_URL = env_str("VENTANILLA_PUBLIC_URL").rstrip("/")
if PUBLIC_URL and urlsplit(PUBLIC_URL).scheme not in {"http", "https"}:
    raise ConfigurationError("VENTANILLA_PUBLIC_URL must start with http:// or https://")
_public_host = urlsplit(PUBLIC_URL).hostname or ""

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS += [h.strip() for h in env_str("VENTANILLA_ALLOWED_HOSTS").split(",") if h.strip()]
if _public_host:
    ALLOWED_HOSTS.append(_public_host)
    CSRF_TRUSTED_ORIGINS = [f"{urlsplit(PUBLIC_URL).scheme}://{urlsplit(PUBLIC_URL).netloc}"]
if PUBLIC_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 86400  # browsers keep to HTTPS (sent on HTTPS answers only)
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script needs the cookie
# Behind a reverse proxy, the web server takes the client's address, scheme and host from the
# X-Forwarded-* headers, but only from the proxy's address: rate limits then count people,
# not the proxy. Anyone else's X-Forwarded-* headers are dropped.
BEHIND_PROXY = env_bool("VENTANILLA_BEHIND_PROXY")
TRUSTED_PROXY = env_str("VENTANILLA_TRUSTED_PROXY", "127.0.0.1")
TRUSTED_PROXY_COUNT = env_int("VENTANILLA_TRUSTED_PROXY_COUNT", 1, minimum=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",
    "django_otp",
    "ventanilla.privacy",
    "ventanilla.desks",
    "ventanilla.access",
    "ventanilla.contacts",
    "ventanilla.channels",
    "ventanilla.conversations",
    "ventanilla.teamwork",
    "ventanilla.knowledge",
    "ventanilla.accountability",
    "ventanilla.referrals",
    "ventanilla.api",
    "ventanilla.helpcentre",
    "ventanilla.reports",
    "ventanilla.calls",
    "ventanilla.triage",
    "ventanilla.console",
    "ventanilla.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ventanilla.server.compression.CompressTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ventanilla.access.middleware.SessionGuard",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ventanilla.api.errors.JsonErrorsMiddleware",
    "ventanilla.lib.middleware.RefuseNulMiddleware",
    "ventanilla.lib.middleware.ContentPolicyMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in VENTANILLA_HOME unless DATABASE_URL names a server.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{HOME / 'ventanilla.sqlite3'}",
        conn_max_age=env_int("VENTANILLA_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web threads read while the task consumer writes; IMMEDIATE
    # transactions queue writers instead of failing them with "database is locked".
    DATABASES["default"]["ENGINE"] = "ventanilla.lib.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # FULL: a commit is on disk before it returns, so a delivery acknowledged to a provider
    # survives a power cut (about 1.7 ms a commit here). NORMAL is safe against a process
    # dying, not against the machine losing power; it is the test suite's choice.
    _synchronous = env_str("VENTANILLA_SQLITE_SYNCHRONOUS", "FULL").upper()
    if _synchronous not in ("FULL", "NORMAL"):
        raise ConfigurationError("VENTANILLA_SQLITE_SYNCHRONOUS must be FULL or NORMAL")
    DATABASES["default"]["OPTIONS"] = {
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_synchronous};",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too, not Django's shared in-memory database: the browser tests'
    # live server then has its own connection, as the web threads do in production,
    # instead of sharing one connection with the test between two threads.
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test.sqlite3")}
    # The intake table in a file of its own: acknowledgements never wait for the consumer's
    # transactions in the main file (ventanilla.channels.databases).
    _main = Path(str(DATABASES["default"]["NAME"]))
    DATABASES["intake"] = {
        **DATABASES["default"],
        "NAME": str(_main.with_name(f"{_main.stem}-intake{_main.suffix}")),
        "TEST": {"NAME": str(HOME / "test-intake.sqlite3")},
    }
DATABASE_ROUTERS = ["ventanilla.channels.databases.IntakeRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
_queue_name = "ventanilla-" + Path(str(DATABASES["default"]["NAME"])).name
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _queue_name,
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": _queue_name,
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    # Files in VENTANILLA_HOME: the web server and the consumer are separate processes and
    # must share rate limits, cached texts and templates (one machine, no other service).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(HOME / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": _queue_name,
        "filename": str(HOME / "queue.sqlite3"),
        "immediate": False,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A failed CSRF check shows a page in the person's language with a way back to the form.
CSRF_FAILURE_VIEW = "ventanilla.helpcentre.refused.csrf_failure"
AUTHENTICATION_BACKENDS = ["ventanilla.access.backends.LockingBackend"]

# Signing in (access/): after this many wrong passwords for one account, or from one address,
# within the lock time, signing in is refused for the lock time. A session unused for the
# idle time ends (live updates of an open page do not count as use).
SIGNIN_ACCOUNT_ATTEMPTS = env_int("VENTANILLA_SIGNIN_ATTEMPTS", 5, minimum=1)
SIGNIN_ADDRESS_ATTEMPTS = env_int("VENTANILLA_SIGNIN_ADDRESS_ATTEMPTS", 20, minimum=1)
SIGNIN_LOCK_SECONDS = env_int("VENTANILLA_SIGNIN_LOCK_MINUTES", 15, minimum=1) * 60
SESSION_COOKIE_AGE = env_int("VENTANILLA_SESSION_IDLE_HOURS", 8, minimum=1) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
OTP_THROTTLE_FACTOR = 1  # wrong second-factor codes: the next try waits 1, 2, 4... seconds
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works once, for a day

# E-mail, for password-reset links: none unless an SMTP server is given, as
# smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS).
_smtp = urlsplit(env_secret("VENTANILLA_SMTP_URL"))
EMAIL_HOST = _smtp.hostname or ""
EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 587)
EMAIL_HOST_USER = unquote(_smtp.username or "")
EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
EMAIL_USE_SSL = _smtp.scheme == "smtps"
EMAIL_USE_TLS = _smtp.scheme == "smtp" and EMAIL_PORT == 587
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("VENTANILLA_MAIL_FROM", "ventanilla@localhost")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("nl", "Nederlands"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("zgh", "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
]
# Django does not describe Standard Moroccan Tamazight; its pages are written in Tifinagh.
LANG_INFO.setdefault(
    "zgh",
    {"bidi": False, "code": "zgh", "name": "Standard Moroccan Tamazight", "name_local": "ⵜⴰⵎⴰⵣⵉⵖⵜ"},
)
# Right-to-left languages, Django's and those of the people ventanilla serves (Darija, Dari,
# Pashto), so that pages in a desk-added language get dir="rtl" too.
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ary", "ckb", "fa", "prs", "ps", "ur"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# English dates day first with the month in words, and formats for Tamazight.
FORMAT_MODULE_PATH = ["ventanilla.formats"]
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
# `ventanilla run` collects the static files here, with hashed names (cached for a year)
# and gzip copies; until then they are served from the installed package as they are.
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "ventanilla.privacy.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "ventanilla.server.static.StaticFiles"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded and downloaded media hold personal data: never served as static files,
# only through views that check who is asking.
MEDIA_ROOT = HOME / "media"

# A LibreTranslate server for machine translation in the console; none: no translation.
TRANSLATE_URL = env_str("VENTANILLA_TRANSLATE_URL").rstrip("/")
TRANSLATE_API_KEY = env_secret("VENTANILLA_TRANSLATE_API_KEY")

# Retention of records that are not conversations (a conversation's content follows its
# desk's and request type's retention): deliveries that could not be read, kept for staff to
# look into, and the reference hashes of status look-ups, kept to see repeated guessing.
UNREAD_RETENTION_DAYS = env_int("VENTANILLA_UNREAD_RETENTION_DAYS", 30, minimum=1)
STATUS_LOOKUP_RETENTION_DAYS = env_int("VENTANILLA_STATUS_LOOKUP_RETENTION_DAYS", 90, minimum=1)
# The audit log (who read, searched, exported, revealed or changed what) is kept this long.
AUDIT_RETENTION_DAYS = env_int("VENTANILLA_AUDIT_RETENTION_DAYS", 730, minimum=30)

# A send unfinished after this long counts as abandoned by a dead worker and is retried.
SENDING_LEASE_SECONDS = env_int("VENTANILLA_SENDING_LEASE_SECONDS", 300, minimum=1)
# How long a provider may take to answer a call to its API.
PROVIDER_TIMEOUT_SECONDS = env_int("VENTANILLA_PROVIDER_TIMEOUT_SECONDS", 30, minimum=1)

# The largest file staff or the public may upload (WhatsApp takes audio and video up to 16 MB).
MAX_UPLOAD_BYTES = env_int("VENTANILLA_MAX_UPLOAD_MB", 16, minimum=1) * 1024 * 1024

# WhatsApp deliveries can reach 3 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# How many hours back each pass compares Twilio's list of received SMS with what was stored.
SMS_RECONCILE_HOURS = env_int("VENTANILLA_SMS_RECONCILE_HOURS", 24, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"once_a_minute": {"()": "ventanilla.lib.logfilters.AtMostEvery", "seconds": 60}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("VENTANILLA_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "huey": {"level": "WARNING"},
        # httpx writes every request's address: a Twilio list's holds the desk's number.
        "httpx": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells each step of each report it writes; fontTools each font it cuts.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # "Task queue depth is N", for every request that waits for a thread (lib/logfilters).
        "waitress.queue": {"filters": ["once_a_minute"]},
    },
}
