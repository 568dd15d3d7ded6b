"""Machine translation against a fake LibreTranslate server speaking its HTTP API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from fakes.libretranslate import API_KEY, FakeLibreTranslate, error
from fakes.server import Answer, as_json
from ventanilla.lib import translate
from ventanilla.lib.errors import Invalid
from ventanilla.lib.translate import Translation, TranslationUnavailable

PRIVATE = "Mi pasaporte número X1234567 caduca mañana"


@pytest.fixture
def libretranslate(settings: Any) -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as fake:
        settings.TRANSLATE_URL = fake.url
        settings.TRANSLATE_API_KEY = ""
        yield fake


def test_a_text_is_translated_from_the_language_given(libretranslate: FakeLibreTranslate) -> None:
    libretranslate.learn("es", "en", "Hola", "Hello")

    assert translate.translate("Hola", source="es", target="en") == Translation("Hello", "es")
    assert libretranslate.translated == [
        {"q": "Hola", "source": "es", "target": "en", "format": "text"}
    ]


def test_a_detected_language_is_returned_with_the_translation(
    libretranslate: FakeLibreTranslate,
) -> None:
    libretranslate.learn("es", "en", "Hola", "Hello")

    assert translate.translate("Hola", source="auto", target="en") == Translation("Hello", "es")
    assert translate.translate("مرحبا", source="auto", target="en") == Translation(
        "[en] مرحبا", "ar"
    )
    assert [asked["source"] for asked in libretranslate.translated] == ["auto", "auto"]


def test_language_codes_are_sent_as_libretranslate_spells_them(settings: Any) -> None:
    with FakeLibreTranslate(languages=["en", "pt-BR", "zh-Hans"]) as fake:
        settings.TRANSLATE_URL = fake.url

        result = translate.translate("Olá", source="PT_br", target="zh-hans")

    assert result == Translation("[zh-Hans] Olá", "pt-BR")
    assert fake.translated[0]["source"] == "pt-BR"
    assert fake.translated[0]["target"] == "zh-Hans"


def test_the_same_language_on_both_sides_makes_no_call(libretranslate: FakeLibreTranslate) -> None:
    assert translate.translate("Hello", source="EN", target="en") == Translation("Hello", "en")
    assert libretranslate.received == []


def test_the_api_key_is_sent_when_configured(settings: Any) -> None:
    with FakeLibreTranslate(api_key=API_KEY) as fake:
        settings.TRANSLATE_URL, settings.TRANSLATE_API_KEY = fake.url, API_KEY

        assert translate.translate("Hola", source="es", target="fr").text == "[fr] Hola"

    assert fake.translated[0]["api_key"] == API_KEY


@pytest.mark.parametrize(
    ("key", "status"), [("wrong-key", "HTTP 403: Invalid API key"), ("", "HTTP 400")]
)
def test_a_refused_api_key_makes_translation_unavailable(
    settings: Any, key: str, status: str
) -> None:
    with FakeLibreTranslate(api_key=API_KEY) as fake:
        settings.TRANSLATE_URL, settings.TRANSLATE_API_KEY = fake.url, key

        with pytest.raises(TranslationUnavailable, match=status):
            translate.translate("Hola", source="es", target="en")


def test_an_unreachable_server_makes_translation_unavailable(settings: Any) -> None:
    settings.TRANSLATE_URL = "http://127.0.0.1:9"

    with pytest.raises(TranslationUnavailable, match="cannot be reached"):
        translate.translate("Hola", source="es", target="en")


@pytest.mark.parametrize(
    "answer",
    [
        error(500, f"Cannot translate text: {PRIVATE}"),
        error(429, "Slowdown: 10 per 1 minute"),
        Answer(502, b"<html>Bad Gateway</html>", "text/html"),
        Answer(200, b"<html>a login page</html>", "text/html"),
        as_json(200, {"translated": "Hello"}),
        as_json(200, ["Hello"]),
    ],
    ids=["server-error", "slow-down", "proxy-error", "not-json", "no-text", "not-an-object"],
)
def test_a_failed_or_malformed_answer_makes_translation_unavailable(
    libretranslate: FakeLibreTranslate, answer: Answer
) -> None:
    libretranslate.script(answer)

    with pytest.raises(TranslationUnavailable):
        translate.translate("Hola", source="es", target="en")


def test_an_auto_translation_without_the_detected_language_is_unavailable(
    libretranslate: FakeLibreTranslate,
) -> None:
    libretranslate.script(as_json(200, {"translatedText": "Hello"}))

    with pytest.raises(TranslationUnavailable):
        translate.translate("Hola", source="auto", target="en")


def test_an_unsupported_language_makes_translation_unavailable(
    libretranslate: FakeLibreTranslate,
) -> None:
    with pytest.raises(TranslationUnavailable, match="ja is not supported"):
        translate.translate("Hola", source="es", target="ja")


def test_without_a_server_nothing_is_translated(settings: Any) -> None:
    settings.TRANSLATE_URL = ""

    assert translate.is_configured() is False
    with pytest.raises(TranslationUnavailable, match="not configured"):
        translate.translate("Hola", source="es", target="en")


def test_a_configured_server_is_reported(libretranslate: FakeLibreTranslate) -> None:
    assert translate.is_configured() is True


def test_a_text_of_5000_characters_is_translated_and_a_longer_one_refused(
    libretranslate: FakeLibreTranslate,
) -> None:
    assert translate.translate("a" * 5000, source="es", target="en").text == "[en] " + "a" * 5000

    with pytest.raises(Invalid):
        translate.translate("a" * 5001, source="es", target="en")
    assert len(libretranslate.received) == 1


@pytest.mark.parametrize(
    ("text", "source", "target"),
    [(" \n", "es", "en"), ("Hola", "es", "auto"), ("Hola", "español", "en"), ("Hola", "", "en")],
)
def test_an_empty_text_or_a_malformed_language_is_refused(
    libretranslate: FakeLibreTranslate, text: str, source: str, target: str
) -> None:
    with pytest.raises(Invalid):
        translate.translate(text, source=source, target=target)
    assert libretranslate.received == []


@pytest.mark.parametrize(
    "answer",
    [error(500, f"Cannot translate text: {PRIVATE}"), error(400, "ja is not supported"), None],
    ids=["server-error", "refused", "unreachable"],
)
def test_no_message_text_reaches_the_logs_or_the_error_when_translation_fails(
    libretranslate: FakeLibreTranslate,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    answer: Answer | None,
) -> None:
    if answer is None:
        settings.TRANSLATE_URL = "http://127.0.0.1:9"
    else:
        libretranslate.script(answer)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(TranslationUnavailable) as refused:
        translate.translate(PRIVATE, source="es", target="en")

    assert caplog.records, "a failure is logged"
    assert "pasaporte" not in caplog.text
    assert "pasaporte" not in str(refused.value)
