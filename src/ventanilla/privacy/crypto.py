"""Encryption at rest and keyed look-up hashes, both derived from VENTANILLA_DATA_KEY.

One 32-byte data key is stretched with HKDF into independent sub-keys, so the key that
encrypts addresses is never the key that hashes them for look-up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["DecryptionError", "decrypt", "encrypt", "key_fingerprint", "lookup_hash"]


class DecryptionError(Exception):
    """A value was encrypted with another data key, or has been tampered with."""


def _master_key() -> bytes:
    value: str = settings.DATA_KEY
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(
            "VENTANILLA_DATA_KEY must be 32 random bytes in URL-safe base64, for example "
            "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return key


@cache
def _subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey(_master_key(), b"ventanilla/encryption/v1")))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("cannot decrypt: wrong VENTANILLA_DATA_KEY?") from error


def lookup_hash(value: str) -> str:
    """A keyed hash to find a row by a personal value without storing the value."""
    key = _subkey(_master_key(), b"ventanilla/lookup/v1")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def key_fingerprint() -> str:
    """Identifies the data key without revealing it, to detect a wrong key early."""
    key = _subkey(_master_key(), b"ventanilla/fingerprint/v1")
    return hashlib.sha256(key).hexdigest()[:16]
