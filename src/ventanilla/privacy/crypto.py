"""Encryption at rest and keyed look-up hashes, from the keys of VENTANILLA_DATA_KEY.

VENTANILLA_DATA_KEY holds one or more keys, each 32 random bytes in URL-safe base64,
separated by commas or new lines: the first encrypts, every one of them decrypts. (When the
variable is unset, the keys are kept in VENTANILLA_HOME/data_key, one per line, and
`ventanilla keys rotate` writes a new first line there.) Each key is stretched with HKDF
into independent sub-keys.

Look-up hashes (of addresses, references, access codes, the words of the search index) are
made with the index key: 32 bytes kept in the database, encrypted with the data keys
(privacy.models.IndexKey), first derived from the installation's first data key. A rotation
encrypts the index key again with the new data key but does not change it, so that what can
only be looked up by its hash (a date of birth, an access code) is still found after it.

A value is written as ``v2.<key id>.<nonce, ciphertext and tag in URL-safe base64>``,
AES-256-GCM: the key id says which key can read it, which is what lets rotation find the
values still under an old key. Values of earlier versions (Fernet tokens, without a key id)
are still read, with whichever key opens them.

Files (media, recordings) are encrypted in chunks of 64 KiB so that a large video never has
to be held in memory whole: see `FileCipher`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "DecryptionError",
    "FileCipher",
    "Key",
    "Keyring",
    "decrypt",
    "encrypt",
    "index_subkey",
    "key_fingerprint",
    "key_for",
    "key_id_of",
    "keyring",
    "lookup_hash",
]

PREFIX = "v2."
FILE_MAGIC = b"VTNF2"  # then the key id (4 bytes), an 8-byte nonce prefix, and the chunks
CHUNK = 64 * 1024
TAG = 16


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class DecryptionError(Exception):
    """A value was encrypted with a key this installation does not have, or was tampered with."""


@cache
def _subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@dataclass(frozen=True)
class Key:
    """One data key and what is derived from it."""

    master: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """Identifies the key without revealing it (16 hex digits)."""
        return hashlib.sha256(_subkey(self.master, b"ventanilla/fingerprint/v1")).hexdigest()[:16]

    @property
    def id(self) -> str:
        """The 8 hex digits every value encrypted with this key carries."""
        return self.fingerprint[:8]

    @property
    def aead(self) -> AESGCM:
        return _aead(self.master)

    @property
    def fernet(self) -> Fernet:
        return _fernet(self.master)

    def derived_index_key(self) -> bytes:
        """The index key of an installation whose first data key this is."""
        return _subkey(self.master, b"ventanilla/lookup/v1")


@cache
def _aead(master: bytes) -> AESGCM:
    return AESGCM(_subkey(master, b"ventanilla/encryption/v2"))


@cache
def _fernet(master: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey(master, b"ventanilla/encryption/v1")))


@dataclass(frozen=True)
class Keyring:
    """The installation's keys, the one that encrypts first."""

    keys: tuple[Key, ...]

    @property
    def active(self) -> Key:
        return self.keys[0]

    def by_id(self, key_id: str) -> Key | None:
        return next((k for k in self.keys if k.id == key_id), None)


def parse_keys(value: str) -> Keyring:
    """The keyring written in `value` (keys separated by commas or white space)."""
    keys: list[Key] = []
    for part in value.replace(",", " ").split():
        try:
            master = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            master = b""
        if len(master) != 32:
            raise ImproperlyConfigured(
                "VENTANILLA_DATA_KEY must be 32 random bytes in URL-safe base64 (several "
                "separated by commas, the one that encrypts first), for example the output "
                "of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        key = Key(master)
        if all(k.id != key.id for k in keys):
            keys.append(key)
    if not keys:
        raise ImproperlyConfigured("VENTANILLA_DATA_KEY is empty: it needs at least one key")
    return Keyring(tuple(keys))


_parsed: dict[str, Keyring] = {}
_file_seen: dict[str, tuple[float, float, str]] = {}  # path -> (checked at, mtime, text)
RELOAD_EVERY = 2.0  # seconds between looks at a keyring file another process may rewrite


def keyring() -> Keyring:
    """The keys in use now. A keyring kept in VENTANILLA_HOME is read again when
    `ventanilla keys rotate` rewrites it, so running processes follow a rotation."""
    text: str = settings.DATA_KEY
    path: Path | None = getattr(settings, "DATA_KEY_FILE", None)
    if path is not None:
        text = _file_text(path, text)
    ring = _parsed.get(text)
    if ring is None:
        ring = _parsed[text] = parse_keys(text)
    return ring


def _file_text(path: Path, fallback: str) -> str:
    now = time.monotonic()
    seen = _file_seen.get(str(path))
    if seen is not None and now - seen[0] < RELOAD_EVERY:
        return seen[2]
    try:
        mtime = path.stat().st_mtime
        text = seen[2] if seen is not None and seen[1] == mtime else path.read_text("utf-8")
    except OSError:
        mtime, text = 0.0, fallback
    _file_seen[str(path)] = (now, mtime, text)
    return text


def forget_keyring_file() -> None:
    """Read the keyring file again at the next use (after this process rewrote it)."""
    _file_seen.clear()


def key_for(key_id: str) -> Key:
    """The key a value or file names; the keyring file read again first if it lacks it (a
    rotation in another process may have just added it)."""
    key = keyring().by_id(key_id)
    if key is None:
        forget_keyring_file()
        key = keyring().by_id(key_id)
    if key is None:
        raise DecryptionError(
            f"cannot decrypt: key {key_id} is not in VENTANILLA_DATA_KEY"
            " (wrong VENTANILLA_DATA_KEY, or a key removed too early?)"
        )
    return key


def encrypt(plaintext: str) -> str:
    key = keyring().active
    nonce = os.urandom(12)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), None)
    return f"{PREFIX}{key.id}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str) -> str:
    ring = keyring()
    try:
        if token.startswith(PREFIX):
            key_id, _, body = token[len(PREFIX) :].partition(".")
            key = key_for(key_id)
            raw = base64.urlsafe_b64decode(body)
            return key.aead.decrypt(raw[:12], raw[12:], None).decode("utf-8")
        for key in ring.keys:
            try:
                return key.fernet.decrypt(token.encode("ascii")).decode("utf-8")
            except InvalidToken:
                continue
    except (InvalidTag, InvalidToken, UnicodeError, binascii.Error, ValueError) as error:
        raise DecryptionError("cannot decrypt: wrong VENTANILLA_DATA_KEY?") from error
    raise DecryptionError("cannot decrypt: wrong VENTANILLA_DATA_KEY?")


def key_id_of(token: str) -> str:
    """The id of the key `token` was encrypted with; "" for a value of an earlier version."""
    if token.startswith(PREFIX):
        return token[len(PREFIX) : len(PREFIX) + 8]
    return ""


_index_keys: dict[str, bytes] = {}


def _index_key() -> bytes:
    ring = keyring()
    cached = _index_keys.get(ring.active.fingerprint)
    if cached is None:
        from ventanilla.privacy.models import IndexKey  # the one key kept in the database

        # Made on first use: the look-up hashes made before it was kept were made with the
        # key derived from the one data key of that time.
        derived = base64.urlsafe_b64encode(ring.active.derived_index_key()).decode("ascii")
        stored, _ = IndexKey.objects.get_or_create(pk=1, defaults={"secret": derived})
        cached = _index_keys[ring.active.fingerprint] = base64.urlsafe_b64decode(stored.secret)
    return cached


def forget_index_key() -> None:
    _index_keys.clear()


def lookup_hash(value: str) -> str:
    """A keyed hash to find a row by a personal value without storing the value."""
    return hmac.new(_index_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def index_subkey(purpose: str) -> bytes:
    """A key derived from the index key, for look-ups of one kind (the search of a desk)."""
    return _subkey(_index_key(), purpose.encode("utf-8"))


def key_fingerprint() -> str:
    """Identifies the encrypting key without revealing it, to detect a wrong key early."""
    return keyring().active.fingerprint


class FileCipher:
    """Files encrypted in chunks: a header (magic, key id, nonce prefix), then each chunk of
    up to 64 KiB sealed with AES-GCM under a nonce made of the prefix and the chunk's
    number, the last chunk marked in its associated data so that a file cut short fails."""

    @staticmethod
    def is_encrypted(head: bytes) -> bool:
        return head.startswith(FILE_MAGIC)

    @staticmethod
    def encrypt(source: Readable) -> Iterator[bytes]:
        key = keyring().active
        prefix = os.urandom(8)
        yield FILE_MAGIC + bytes.fromhex(key.id) + prefix
        aead = key.aead
        number = 0
        chunk = source.read(CHUNK)
        while True:
            following = source.read(CHUNK)
            last = not following
            nonce = prefix + struct.pack(">I", number)
            yield aead.encrypt(nonce, chunk, b"last" if last else b"more")
            if last:
                return
            chunk, number = following, number + 1

    @staticmethod
    def decrypt(source: Readable) -> Iterator[bytes]:
        header = source.read(len(FILE_MAGIC) + 12)
        if not header.startswith(FILE_MAGIC) or len(header) < len(FILE_MAGIC) + 12:
            raise DecryptionError("not an encrypted file")
        key = key_for(FileCipher.key_id(header))
        prefix = header[len(FILE_MAGIC) + 4 :]
        aead = key.aead
        number = 0
        sealed = source.read(CHUNK + TAG)
        while True:
            following = source.read(CHUNK + TAG)
            last = not following
            nonce = prefix + struct.pack(">I", number)
            try:
                yield aead.decrypt(nonce, sealed, b"last" if last else b"more")
            except InvalidTag as error:
                raise DecryptionError("an encrypted file is damaged or cut short") from error
            if last:
                return
            sealed, number = following, number + 1

    @staticmethod
    def key_id(head: bytes) -> str:
        return (
            head[len(FILE_MAGIC) : len(FILE_MAGIC) + 4].hex()
            if FileCipher.is_encrypted(head)
            else ""
        )
