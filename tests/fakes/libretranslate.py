"""A fake LibreTranslate server: /translate, /detect and /languages, with learnable phrases.

It checks parameters, languages and the API key as LibreTranslate does and answers in its
shapes (errors as `{"error": "..."}`). Its "translation" is deterministic: a phrase it was
taught, or the text tagged with the target language, "[en] Hola".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fakes.server import Answer, FakeServer, Received, as_json

LANGUAGES = ("en", "es", "fr", "ar", "nl", "de", "it")
NAMES = {"en": "English", "es": "Spanish", "fr": "French", "ar": "Arabic", "nl": "Dutch",
         "de": "German", "it": "Italian", "pt-BR": "Portuguese (Brazil)",
         "zh-Hans": "Chinese", "zh-Hant": "Chinese (traditional)"}  # fmt: skip
API_KEY = "fake-libretranslate-key"
LEARNED_CONFIDENCE = 90.0  # LibreTranslate reports confidence from 0 to 100
GUESSED_CONFIDENCE = 30.0


def error(status: int, message: str) -> Answer:
    """An error as LibreTranslate answers it; e.g. `fake.script(error(500, "..."))`."""
    return as_json(status, {"error": message})


class FakeLibreTranslate(FakeServer):
    """`FakeLibreTranslate(languages=..., api_key=API_KEY, char_limit=...)`; all optional."""

    def __init__(
        self, *, languages: Iterable[str] = LANGUAGES, api_key: str = "", char_limit: int = -1
    ) -> None:
        super().__init__()
        self.languages = list(languages)
        self.api_key = api_key  # when set, /translate and /detect require it
        self.char_limit = char_limit  # -1: no limit, LibreTranslate's default
        self.phrases: dict[tuple[str, str, str], str] = {}  # (source, target, text) -> text
        self.known: dict[str, str] = {}  # text -> its language, for detection

    def learn(self, source: str, target: str, text: str, translation: str) -> None:
        """Translate `text` from source to target as `translation`; detect `text` as source."""
        self.phrases[source, target, text] = translation
        self.known.setdefault(translation, target)
        self.known[text] = source

    @property
    def translated(self) -> list[dict[str, Any]]:
        """The parameters of every /translate call, from JSON or form bodies alike."""
        return [params(r) for r in self.requests_to("/translate")]

    def answer(self, request: Received) -> Answer:
        if request.method == "GET" and request.path == "/languages":
            return as_json(200, [{"code": code, "name": NAMES.get(code, code),
                                  "targets": sorted(self.languages)} for code in self.languages])  # fmt: skip
        if request.method == "POST" and request.path in {"/translate", "/detect"}:
            try:
                values = params(request)
            except ValueError:
                return error(400, "Failed to decode JSON object")
            if not isinstance(values, dict):
                return error(400, "Invalid JSON format")
            refused = self._refuse_key(values.get("api_key"))
            if refused:
                return refused
            if request.path == "/detect":
                return self._detect(values)
            return self._translate(values, is_json=is_json(request))
        return Answer(404, b"<!doctype html><title>404 Not Found</title>", "text/html")

    def detect(self, text: str) -> tuple[str, float]:
        if text in self.known:
            return self.known[text], LEARNED_CONFIDENCE
        if any("\u0600" <= c <= "\u06ff" for c in text):
            return "ar", GUESSED_CONFIDENCE
        return "en", GUESSED_CONFIDENCE

    def _refuse_key(self, given: Any) -> Answer | None:
        if not self.api_key:
            return None
        if given and given != self.api_key:
            return error(403, "Invalid API key")
        if not given:  # as with --require-api-key-origin: keyless callers are turned away
            return error(400, "Please contact the server operator to get an API key")
        return None

    def _detect(self, values: dict[str, Any]) -> Answer:
        text = values.get("q")
        if not text:
            return error(400, "Invalid request: missing q parameter")
        language, confidence = self.detect(text)
        return as_json(200, [{"confidence": confidence, "language": language}])

    def _translate(self, values: dict[str, Any], *, is_json: bool) -> Answer:
        text, source, target = values.get("q"), values.get("source"), values.get("target")
        for name, value in (("q", text), ("source", source), ("target", target)):
            if not value:
                return error(400, f"Invalid request: missing {name} parameter")
        if not isinstance(text, str):
            return error(400, "the fake translates one text at a time")
        if not is_json:
            text = "\n".join(text.splitlines())  # form bodies get Unix line endings
        if self.char_limit != -1 and len(text) > self.char_limit:
            return error(
                400,
                f"Invalid request: request ({len(text)}) exceeds text limit ({self.char_limit})",
            )
        detected = {"confidence": 100.0, "language": source}
        if source == "auto":
            language, confidence = self.detect(text)
            detected = {"confidence": confidence, "language": language}
        if detected["language"] not in self.languages:
            # LibreTranslate names the whole detection here, not just the code.
            return error(400, f"{detected} is not supported")
        if target not in self.languages:
            return error(400, f"{target} is not supported")
        text_format = values.get("format") or "text"
        if text_format not in {"text", "html"}:
            return error(400, f"{text_format} format is not supported")
        language = str(detected["language"])
        if language == target:
            translation = text
        else:
            translation = self.phrases.get((language, target, text), f"[{target}] {text}")
        if source == "auto":
            return as_json(200, {"translatedText": translation, "detectedLanguage": detected})
        return as_json(200, {"translatedText": translation})


def is_json(request: Received) -> bool:
    headers = {name.lower(): value for name, value in request.headers.items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def params(request: Received) -> Any:
    """What LibreTranslate reads: the JSON body, or the query and form fields (query first)."""
    if is_json(request):
        return json.loads(request.body)
    fields = {**request.form, **request.query} if request.body else request.query
    return {name: values[0] for name, values in fields.items()}
