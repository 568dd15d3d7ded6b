"""Machine translation through a self-hosted LibreTranslate server (optional).

Staff read a contact's message in their own language and may answer in the contact's. The
server is ours, but message text is still personal data: it is sent only to the configured
server and never logged, not even when the server fails.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from ventanilla.lib import http
from ventanilla.lib.errors import Invalid, ProviderError

logger = logging.getLogger(__name__)

# A person is waiting in the console: fail fast rather than hold the page.
TIMEOUT = httpx.Timeout(8.0, connect=3.0)
MAX_CHARACTERS = 5000
AUTO = "auto"

_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


class TranslationUnavailable(ProviderError):
    """No translation server is configured, or it did not translate (down, slow, refused)."""

    code = "translation_unavailable"


@dataclass(frozen=True)
class Translation:
    text: str
    source: str  # the language given, or the one the server detected when asked to


def is_configured() -> bool:
    return bool(settings.TRANSLATE_URL)


def translate(text: str, *, source: str, target: str) -> Translation:
    """Translate text from source (a language code, or "auto" to detect it) into target."""
    if not text.strip():
        raise Invalid("there is no text to translate")
    if len(text) > MAX_CHARACTERS:
        raise Invalid(f"a text to translate is at most {MAX_CHARACTERS} characters")
    target = _language(target)
    source = AUTO if source.strip().lower() == AUTO else _language(source)
    if source == target:
        return Translation(text=text, source=source)
    body = {"q": text, "source": source, "target": target, "format": "text"}
    if settings.TRANSLATE_API_KEY:
        body["api_key"] = settings.TRANSLATE_API_KEY
    answer = _call("POST", "/translate", json=body)
    if not isinstance(answer, dict) or not isinstance(answer.get("translatedText"), str):
        raise _bad_answer("/translate")
    if source == AUTO:
        detected = answer.get("detectedLanguage")
        language = detected.get("language") if isinstance(detected, dict) else None
        if not isinstance(language, str) or not language:
            raise _bad_answer("/translate")
        source = language
    return Translation(text=answer["translatedText"], source=source)


def _language(code: str) -> str:
    """A language code as LibreTranslate spells it: "es", "pt-BR", "zh-Hans"."""
    code = code.strip()
    if not _LANGUAGE_CODE.fullmatch(code):
        raise Invalid(f"{code[:20]!r} is not a language code (such as es, ar or pt-BR)")
    language, *subtags = re.split("[-_]", code)
    spelled = [language.lower()]
    for subtag in subtags:
        if len(subtag) == 4:  # a script: Hans, Cyrl
            spelled.append(subtag.title())
        elif len(subtag) == 2:  # a region: BR, MX
            spelled.append(subtag.upper())
        else:
            spelled.append(subtag.lower())
    return "-".join(spelled)


def _call(method: str, path: str, **kwargs: Any) -> Any:
    """Call the server; answer its decoded JSON or raise TranslationUnavailable."""
    if not is_configured():
        raise TranslationUnavailable("machine translation is not configured")
    url = f"{settings.TRANSLATE_URL}{path}"
    try:
        response = http.request(method, url, timeout=TIMEOUT, **kwargs)
    except http.TransportError as error:
        logger.warning("translation server %s: %s", path, error)
        raise TranslationUnavailable("the translation server cannot be reached") from None
    if not response.is_success:
        # 4xx errors name a language, a parameter or the key; a 500 may quote the text.
        reason = _error(response) if response.status_code < 500 else ""
        logger.warning("translation server %s: HTTP %s %s", path, response.status_code, reason)
        detail = f"the translation server answered HTTP {response.status_code}"
        raise TranslationUnavailable(f"{detail}: {reason}" if reason else detail)
    try:
        return response.json()
    except ValueError:
        raise _bad_answer(path) from None


def _error(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return error[:200] if isinstance(error, str) else ""


def _bad_answer(path: str) -> TranslationUnavailable:
    logger.warning("translation server %s: an answer not in LibreTranslate's shape", path)
    return TranslationUnavailable("the translation server answered in a shape it does not document")
