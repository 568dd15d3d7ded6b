"""Text from outside made storable: lone surrogates replaced, NUL removed, depth bounded."""

import pytest

from ventanilla.lib.text import MAX_DEPTH, Unreadable, read_json, storable


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Hola", "Hola"),
        ("a\ud83db", "a\ufffdb"),
        ("\udc00", "\ufffd"),
        ("\ud83d\ude00", "\U0001f600"),  # a pair that stands together is the emoji it encodes
        ("\ud83d\ud83d\ude00", "\ufffd\U0001f600"),
        ("a\x00b", "ab"),
        ("\u200fمرحبا\u200e", "\u200fمرحبا\u200e"),  # noqa: RUF001 (direction marks kept)
    ],
)
def test_only_what_no_database_holds_is_changed(given, kept):
    assert storable(given) == kept
    storable(given).encode("utf-8")  # never raises


def test_a_json_body_is_read_with_every_string_storable_keys_included():
    assert read_json(b'{"a\\ud83d": ["x\\u0000y", {"n": 1.5}]}') == {"a\ufffd": ["xy", {"n": 1.5}]}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b"not json",
        b'{"a": NaN}',
        b"[1e999]",
        b"1" * 5000,
        b'"\xc3\x28"',
    ],
)
def test_bodies_that_cannot_be_kept_as_json_are_unreadable(body):
    with pytest.raises(Unreadable):
        read_json(body)


def test_nesting_up_to_the_limit_is_read():
    depth = MAX_DEPTH
    assert read_json(b"[" * depth + b"]" * depth) is not None
