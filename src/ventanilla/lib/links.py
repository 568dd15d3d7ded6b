"""Absolute URLs as people and providers outside see them; web addresses found in text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest

# A web address runs to the next space, angle bracket, quotation mark or bidirectional mark.
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'\u200e\u200f\u202a-\u202e\u2066-\u2069]+", re.I)
_TRAILING = ".,;:!?)]}»”’؟،"  # noqa: RUF001 (punctuation after an address is the sentence's)
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """VENTANILLA_PUBLIC_URL + path; without that setting, the host the request came to."""
    base: str = settings.PUBLIC_URL
    if not base and request is not None:
        base = f"{request.scheme}://{request.get_host()}"
    return f"{base or 'http://127.0.0.1:8000'}{path}"


def web_addresses(text: str) -> Iterator[tuple[int, int]]:
    """Where each http(s) address in a text starts and ends, without the punctuation that
    ends the sentence after it (a closing bracket stays when the address opened one)."""
    for found in _WEB_ADDRESS.finditer(text):
        address = found.group()
        while address and address[-1] in _TRAILING:
            if address[-1] == ")" and address.count("(") >= address.count(")"):
                break
            address = address[:-1]
        if len(address) > len("https://"):
            yield found.start(), found.start() + len(address)


def reads_right_to_left(text: str) -> bool | None:
    """Whether the first strong character of a text is right-to-left; None with none."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return None


def isolate_web_addresses(text: str) -> str:
    """Plain text whose web addresses read left to right inside right-to-left lines: each
    wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, where the line (or, for a
    line of addresses alone, the text) is right-to-left."""
    whole = reads_right_to_left(_without_addresses(text))
    lines = []
    for line in text.split("\n"):
        rtl = reads_right_to_left(_without_addresses(line))
        if rtl or (rtl is None and whole):
            for start, end in reversed(list(web_addresses(line))):
                line = (
                    f"{line[:start]}{FIRST_STRONG_ISOLATE}{line[start:end]}"
                    f"{POP_DIRECTIONAL_ISOLATE}{line[end:]}"
                )
        lines.append(line)
    return "\n".join(lines)


def _without_addresses(text: str) -> str:
    kept, last = [], 0
    for start, end in web_addresses(text):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return "".join(kept)
