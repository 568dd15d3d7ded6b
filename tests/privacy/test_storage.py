"""Media encrypted on disk, read back in clear through the storage."""

import io
import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ventanilla.privacy.crypto import CHUNK, DecryptionError
from ventanilla.privacy.storage import EncryptedFileSystemStorage, clear_size


def on_disk(name):
    with open(default_storage.path(name), "rb") as raw:
        return raw.read()


@pytest.mark.parametrize("size", [0, 10, CHUNK, 3 * CHUNK + 100])
def test_a_file_is_encrypted_on_disk_and_read_back_whole(size):
    content = os.urandom(size)
    name = default_storage.save("attachments/voice.ogg", ContentFile(content))
    stored = on_disk(name)
    assert stored.startswith(b"VTNF2") and (size < 16 or content[:16] not in stored)
    assert clear_size(len(stored)) == size == default_storage.size(name)
    with default_storage.open(name) as opened:
        assert opened.read() == content


def test_a_stored_file_is_private_to_the_service():
    name = default_storage.save("attachments/2026/12/scan.pdf", ContentFile(b"%PDF-1.7 Nombre"))
    path = default_storage.path(name)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


def test_reading_from_anywhere_decrypts_only_what_is_needed():
    content = bytes(range(256)) * (3 * CHUNK // 256) + b"the end"
    name = default_storage.save("recording.mp3", ContentFile(content))
    with default_storage.open(name) as opened:
        opened.seek(2 * CHUNK - 3)
        assert opened.read(6) == content[2 * CHUNK - 3 : 2 * CHUNK + 3]
        opened.seek(-7, io.SEEK_END)
        assert opened.read() == b"the end"
        opened.seek(0, io.SEEK_END)
        assert opened.tell() == len(content)


def test_a_file_stored_before_encryption_is_read_as_it_is_then_encrypted_again(settings):
    storage = EncryptedFileSystemStorage()
    os.makedirs(storage.path("attachments"), exist_ok=True)
    with open(storage.path("attachments/old.jpg"), "wb") as old:
        old.write(b"\xff\xd8 an old photo")
    assert storage.key_id("attachments/old.jpg") == ""
    assert storage.open("attachments/old.jpg").read() == b"\xff\xd8 an old photo"
    storage.encrypt_again("attachments/old.jpg")
    assert storage.key_id("attachments/old.jpg")
    assert b"old photo" not in on_disk("attachments/old.jpg")
    assert storage.open("attachments/old.jpg").read() == b"\xff\xd8 an old photo"


def test_a_damaged_file_is_refused_not_served_in_part():
    name = default_storage.save("attachments/photo.jpg", ContentFile(os.urandom(CHUNK + 10)))
    path = default_storage.path(name)
    with open(path, "r+b") as raw:
        raw.seek(-5, io.SEEK_END)
        raw.write(b"XXXXX")
    with default_storage.open(name) as opened, pytest.raises(DecryptionError, match="damaged"):
        opened.read()
