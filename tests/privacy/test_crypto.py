import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from ventanilla.privacy.crypto import (
    DecryptionError,
    decrypt,
    encrypt,
    key_fingerprint,
    lookup_hash,
)


def test_encryption_round_trips_any_script():
    for text in ["+447700900001", "مرحبا", "ⵜⴰⵎⴰⵣⵉⵖⵜ", ""]:
        assert decrypt(encrypt(text)) == text


def test_the_same_value_encrypts_differently_each_time_and_never_in_clear():
    first, second = encrypt("+447700900001"), encrypt("+447700900001")
    assert first != second
    assert "7700900001" not in first


def test_another_data_key_cannot_decrypt(settings):
    token = encrypt("+447700900001")
    settings.DATA_KEY = secrets.token_urlsafe(32)
    with pytest.raises(DecryptionError, match="wrong VENTANILLA_DATA_KEY"):
        decrypt(token)


def test_look_up_hashes_are_stable_and_depend_on_the_key(settings):
    digest = lookup_hash("tel:+447700900001")
    assert digest == lookup_hash("tel:+447700900001")
    assert len(digest) == 64 and "7700900001" not in digest
    fingerprint = key_fingerprint()
    settings.DATA_KEY = secrets.token_urlsafe(32)
    assert lookup_hash("tel:+447700900001") != digest
    assert key_fingerprint() != fingerprint


@pytest.mark.parametrize("bad", ["short", "not base64 at all!!", secrets.token_urlsafe(16)])
def test_a_malformed_data_key_is_refused_with_advice(settings, bad):
    settings.DATA_KEY = bad
    with pytest.raises(ImproperlyConfigured, match="32 random bytes"):
        encrypt("x")
