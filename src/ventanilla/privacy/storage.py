"""Media files (attachments, voice messages, recordings, portal uploads, voice prompts)
encrypted on disk, and read back in clear through the storage, as any Django file.

A file is written in the chunked format of `privacy.crypto.FileCipher`, mode 0600 in
directories of mode 0700. Reading it gives a seekable file of the clear content: its size is
known from the encrypted size without reading it, and a seek decrypts only the chunk it
lands in, so a download gets its Content-Length and a player can skip through a recording.
A file stored before encryption existed is read as it is, until `ventanilla keys rotate`
encrypts it.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from ventanilla.privacy.crypto import (
    CHUNK,
    FILE_MAGIC,
    TAG,
    DecryptionError,
    FileCipher,
    key_for,
)

HEADER = len(FILE_MAGIC) + 4 + 8


def clear_size(encrypted_size: int) -> int:
    """The size of the content of an encrypted file of `encrypted_size` bytes."""
    body = encrypted_size - HEADER
    chunks = max(1, -(-body // (CHUNK + TAG)))
    return body - TAG * chunks


class DecryptedFile(io.RawIOBase):
    """The clear content of an encrypted file, read and seeked as a binary file."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        super().__init__()
        header = raw.read(HEADER)
        if not FileCipher.is_encrypted(header) or len(header) < HEADER:
            raise DecryptionError(f"{name}: not an encrypted file")
        key = key_for(FileCipher.key_id(header))
        self._raw, self._aead, self._prefix = raw, key.aead, header[len(FILE_MAGIC) + 4 :]
        self.name = name
        raw.seek(0, io.SEEK_END)
        self.size = clear_size(raw.tell())
        self._chunks = max(1, -(-self.size // CHUNK))
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, start + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self.size:
            return 0
        number, within = divmod(self._position, CHUNK)
        chunk = self._chunk(number)
        piece = chunk[within : within + len(buffer)]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)

    def _chunk(self, number: int) -> bytes:
        if self._cached is not None and self._cached[0] == number:
            return self._cached[1]
        self._raw.seek(HEADER + number * (CHUNK + TAG))
        sealed = self._raw.read(CHUNK + TAG)
        last = number == self._chunks - 1
        nonce = self._prefix + struct.pack(">I", number)
        try:
            clear = self._aead.decrypt(nonce, sealed, b"last" if last else b"more")
        except InvalidTag as error:
            raise DecryptionError(f"{self.name}: damaged or cut short") from error
        self._cached = (number, clear)
        return clear

    def close(self) -> None:
        self._raw.close()
        super().close()


class EncryptedFileSystemStorage(FileSystemStorage):
    """Django's file system storage, with every file encrypted at rest."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name: str, content: File) -> str:
        if content.seekable():
            content.seek(0)
        sealed: Any = _Sealed(content)
        return super()._save(name, File(sealed, name=name))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save(), not opened for writing")
        raw = open(self.path(name), "rb")  # noqa: SIM115 (the File returned closes it)
        head = raw.read(len(FILE_MAGIC))
        raw.seek(0)
        if not FileCipher.is_encrypted(head):
            return File(raw, name=name)  # stored before encryption at rest
        return File(io.BufferedReader(DecryptedFile(raw, name), CHUNK), name=name)

    def size(self, name: str) -> int:
        path = self.path(name)
        with open(path, "rb") as raw:
            encrypted = FileCipher.is_encrypted(raw.read(len(FILE_MAGIC)))
        total = os.path.getsize(path)
        return clear_size(total) if encrypted else total

    def key_id(self, name: str) -> str:
        """The id of the key `name` is encrypted with, "" for a file in clear."""
        with open(self.path(name), "rb") as raw:
            return FileCipher.key_id(raw.read(HEADER))

    def encrypt_again(self, name: str) -> None:
        """Write `name` again under the active key (a file in clear: encrypted), in place:
        a new file beside it, then renamed over it."""
        path = Path(self.path(name))
        draft = path.with_name(f".{path.name}.rotating")
        with self.open(name) as clear, open(draft, "wb") as out:
            os.chmod(draft, 0o600)
            for piece in FileCipher.encrypt(clear):
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        os.replace(draft, path)


class _Sealed(io.RawIOBase):
    """A file's content read as its encrypted form, for FileSystemStorage to write."""

    def __init__(self, content: File) -> None:
        super().__init__()
        self._pieces = FileCipher.encrypt(content)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = next(self._pieces)
            except StopIteration:
                return 0
        piece, self._left = self._left[: len(buffer)], self._left[len(buffer) :]
        buffer[: len(piece)] = piece
        return len(piece)
