import base64
import io
import os
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ventanilla.privacy import crypto
from ventanilla.privacy.crypto import (
    CHUNK,
    DecryptionError,
    FileCipher,
    decrypt,
    encrypt,
    key_fingerprint,
    key_id_of,
    keyring,
    lookup_hash,
)
from ventanilla.privacy.models import IndexKey


@pytest.fixture
def keys(settings):
    """Keys set in the environment's way, the test's own (not the installation's file)."""

    def use(*values: str) -> None:
        settings.DATA_KEY = ",".join(values)
        settings.DATA_KEY_FILE = None

    return use


def test_encryption_round_trips_any_script():
    for text in ["+447700900001", "مرحبا", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "", "x" * 100_000]:
        assert decrypt(encrypt(text)) == text


def test_the_same_value_encrypts_differently_each_time_and_never_in_clear():
    first, second = encrypt("+447700900001"), encrypt("+447700900001")
    assert first != second
    assert "7700900001" not in first
    assert first.startswith(f"v2.{keyring().active.id}.")


def test_another_data_key_cannot_decrypt(keys):
    keys(secrets.token_urlsafe(32))
    token = encrypt("+447700900001")
    keys(secrets.token_urlsafe(32))
    with pytest.raises(DecryptionError, match="is not in VENTANILLA_DATA_KEY"):
        decrypt(token)


def test_a_tampered_value_is_refused(keys):
    keys(secrets.token_urlsafe(32))
    token = encrypt("pasaporte caducado")
    raw = bytearray(base64.urlsafe_b64decode(token.split(".", 2)[2]))
    raw[-1] ^= 1
    forged = token.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(DecryptionError, match="wrong VENTANILLA_DATA_KEY"):
        decrypt(forged)


def test_every_key_of_the_keyring_decrypts_and_the_first_encrypts(keys):
    old, new = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    keys(old)
    under_old = encrypt("cita consular")
    old_id = keyring().active.id
    keys(new, old)
    assert decrypt(under_old) == "cita consular"
    under_new = encrypt("cita consular")
    assert key_id_of(under_old) == old_id
    assert key_id_of(under_new) == keyring().active.id != old_id
    keys(new)
    assert decrypt(under_new) == "cita consular"
    with pytest.raises(DecryptionError, match=f"key {old_id} is not in"):
        decrypt(under_old)


def test_values_of_the_earlier_version_are_still_read(keys):
    """Before key ids, values were Fernet tokens under a sub-key of the one data key."""
    value = secrets.token_urlsafe(32)
    keys(secrets.token_urlsafe(32), value)
    master = base64.urlsafe_b64decode(value + "=")
    legacy = Fernet(
        base64.urlsafe_b64encode(crypto._subkey(master, b"ventanilla/encryption/v1"))
    ).encrypt(b"+447700900001")
    assert decrypt(legacy.decode()) == "+447700900001"
    assert key_id_of(legacy.decode()) == ""


def test_look_up_hashes_are_stable_and_outlive_a_new_data_key(db, keys):
    first = secrets.token_urlsafe(32)
    keys(first)
    IndexKey.objects.all().delete()  # an installation of its own
    digest = lookup_hash("tel:+447700900001")
    assert digest == lookup_hash("tel:+447700900001")
    assert len(digest) == 64 and "7700900001" not in digest
    fingerprint = key_fingerprint()
    keys(secrets.token_urlsafe(32), first)
    assert lookup_hash("tel:+447700900001") == digest  # the index key is kept, not changed
    assert key_fingerprint() != fingerprint
    stored = IndexKey.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM privacy_indexkey")
        assert cursor.fetchone()[0].startswith("v2.")  # kept encrypted
    assert stored.secret


def test_another_installation_hashes_differently(db, keys):
    keys(secrets.token_urlsafe(32))
    IndexKey.objects.all().delete()
    mine = lookup_hash("tel:+447700900001")
    keys(secrets.token_urlsafe(32))
    IndexKey.objects.all().delete()
    assert lookup_hash("tel:+447700900001") != mine


@pytest.mark.parametrize("bad", ["short", "not base64 at all!!", secrets.token_urlsafe(16), " , "])
def test_a_malformed_data_key_is_refused_with_advice(keys, bad):
    keys(bad)
    with pytest.raises(ImproperlyConfigured, match="VENTANILLA_DATA_KEY"):
        encrypt("x")


def test_a_keyring_file_rewritten_by_another_process_is_followed(settings, tmp_path, monkeypatch):
    first, second = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    path = tmp_path / "data_key"
    path.write_text(first + "\n")
    settings.DATA_KEY, settings.DATA_KEY_FILE = first, path
    crypto.forget_keyring_file()
    under_first = encrypt("x")
    path.write_text(f"{second}\n{first}\n")  # what `keys rotate` does
    os.utime(path, (1, 1))  # a different modification time, however fast the test runs
    monkeypatch.setattr(crypto, "RELOAD_EVERY", 0.0)
    under_second = encrypt("y")
    assert key_id_of(under_second) != key_id_of(under_first)
    assert (decrypt(under_first), decrypt(under_second)) == ("x", "y")


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_files_round_trip_in_chunks(size):
    content = os.urandom(size)
    sealed = b"".join(FileCipher.encrypt(io.BytesIO(content)))
    assert FileCipher.is_encrypted(sealed[:16])
    assert FileCipher.key_id(sealed[:16]) == keyring().active.id
    assert b"".join(FileCipher.decrypt(io.BytesIO(sealed))) == content
    if size > 32:
        assert content[:32] not in sealed


def test_an_encrypted_file_cut_short_or_altered_is_refused():
    content = os.urandom(2 * CHUNK + 5)
    sealed = b"".join(FileCipher.encrypt(io.BytesIO(content)))
    cut = sealed[: len(sealed) - (5 + 16)]  # the last chunk gone: the one before is not marked last
    with pytest.raises(DecryptionError, match="damaged or cut short"):
        b"".join(FileCipher.decrypt(io.BytesIO(cut)))
    altered = bytearray(sealed)
    altered[100] ^= 1
    with pytest.raises(DecryptionError, match="damaged or cut short"):
        b"".join(FileCipher.decrypt(io.BytesIO(bytes(altered))))
    with pytest.raises(DecryptionError, match="not an encrypted file"):
        b"".join(FileCipher.decrypt(io.BytesIO(b"plain file")))
