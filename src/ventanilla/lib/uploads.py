"""Checking uploaded files: their size, and their type by their first bytes, not their name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

MB = 1024 * 1024

_SIGNATURES: list[tuple[str, int, bytes]] = [  # (mime type, offset, leading bytes)
    ("application/pdf", 0, b"%PDF-"),
    ("image/jpeg", 0, b"\xff\xd8\xff"),
    ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
    ("image/gif", 0, b"GIF8"),
    ("audio/ogg", 0, b"OggS"),
    ("audio/mpeg", 0, b"ID3"),
    ("audio/amr", 0, b"#!AMR"),
]
_FTYP = {  # ISO base media "ftyp" brands
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"M4A ": "audio/mp4",
    b"isom": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

DOCUMENTS = frozenset(
    {"application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp", DOCX}
)
MEDIA = DOCUMENTS | {
    "image/gif",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/amr",
    "video/mp4",
    "video/3gpp",
}


class UploadRefused(ValueError):
    """The file is too large or of a type that is not accepted; the message says which."""


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    mime_type: str


def sniff(head: bytes, content: bytes | None = None) -> str | None:
    """The type of a file from its first bytes (and, for Office files, its zip listing)."""
    for mime, offset, signature in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return _FTYP.get(head[8:12])
    if head[:4] == b"PK\x03\x04" and content is not None:
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            return None
        return DOCX if "word/document.xml" in names else None
    return None


def check_upload(file: IO[bytes], *, allowed: frozenset[str], max_bytes: int) -> CheckedUpload:
    """Read the file, refusing it when larger than max_bytes or of a type not allowed."""
    content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadRefused(f"the file is larger than {max_bytes // MB} MB")
    if not content:
        raise UploadRefused("the file is empty")
    mime = sniff(content[:32], content)
    if mime is None or mime not in allowed:
        raise UploadRefused("this type of file is not accepted (PDF, photos, Word documents)")
    return CheckedUpload(content=content, mime_type=mime)
