"""The word search of the console and the API over texts that are stored encrypted.

No database can look inside ciphertext, so each message with a text gets a row of short
keyed hashes of its words (`SearchEntry.terms`), kept in an inverted index: SQLite's FTS5
(a table of its own, kept by triggers) or a GIN index on PostgreSQL. A word becomes:
- a word of 1 to 3 letters: the hash of the whole word;
- a longer word: the hash of its first 4 letters and, from 6 letters, of its first 6.
A word searched for is looked up by the same rule (so "pasap" finds "pasaporte") and every
message the index offers is then read, decrypted, and kept only if each word searched for
begins one of its words. The hashes are keyed per desk (with keys derived from the index
key, privacy.crypto) and cut to 32 bits: they tell nothing without the key, the same word
hashes differently at two desks, and a collision only costs the check a message more.

Words are compared without case or accents, Arabic without its vowel marks, tatweel or
hamza seats (alef with hamza or madda is alef, alef maqsura is yeh, teh marbuta is heh),
digits of any script as 0-9.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.db import connection

from ventanilla.conversations.models import Message, SearchEntry
from ventanilla.privacy.crypto import index_subkey

__all__ = [
    "conversations_saying",
    "index_message",
    "normalised_words",
    "query_terms",
    "terms_of",
]

WORD = re.compile(r"\w+")
SHORT = 3  # words up to this long are indexed whole; longer ones by their first letters
PREFIXES = (4, 6)
PAGE = 500  # candidate messages read and checked at a time
_FOLD = str.maketrans({"\u0649": "\u064a", "\u0629": "\u0647", "\u0640": ""})


def normalised_words(text: str) -> list[str]:
    """The words of `text`, as the search compares them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else c
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return WORD.findall(bare.translate(_FOLD))


def _terms(word: str) -> list[str]:
    if len(word) <= SHORT:
        return ["w" + word]
    return ["p" + word[:n] for n in PREFIXES if len(word) >= n]


def _query_term(word: str) -> str:
    """The one indexed term that every word beginning with `word` has."""
    if len(word) <= SHORT:
        return "w" + word
    return "p" + word[: max(n for n in PREFIXES if n <= len(word))]


def _desk_key(desk_id: int) -> bytes:
    return index_subkey(f"ventanilla/search/v1/desk/{desk_id}")


def _hash(key: bytes, term: str) -> str:
    return hmac.new(key, term.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def terms_of(text: str, desk_id: int) -> str:
    """What `SearchEntry.terms` holds for a message of `desk_id` saying `text`."""
    key = _desk_key(desk_id)
    return " ".join(sorted({_hash(key, t) for w in normalised_words(text) for t in _terms(w)}))


def index_message(message: Message, desk_id: int) -> None:
    """Index the words of a newly stored message (nothing for a message without text)."""
    terms = terms_of(message.text, desk_id) if message.text else ""
    if terms:
        SearchEntry.objects.create(message_id=message.pk, terms=terms)


def query_terms(words: str, desk_ids: Iterable[int]) -> list[list[str]]:
    """For each desk, the hashed terms a message must all have: any one of these lists
    matching is enough. Empty when `words` holds no word."""
    wanted = sorted({_query_term(w) for w in normalised_words(words)})
    if not wanted:
        return []
    return [[_hash(_desk_key(desk), term) for term in wanted] for desk in desk_ids]


def conversations_saying(
    words: str, desk_ids: Iterable[int], limit: int, *, page: int = PAGE
) -> list[int]:
    """The ids of up to `limit` conversations, the latest first, with a message in which
    each word of `words` begins a word. Candidates are read `page` at a time."""
    asked = normalised_words(words)
    groups = query_terms(words, desk_ids)
    if not groups:
        return []
    found: list[int] = []
    for ids in _candidate_pages(groups, page):
        texts = Message.objects.filter(pk__in=ids).values_list("pk", "conversation_id", "text")
        saying = {pk: conversation for pk, conversation, text in texts if _says(text, asked)}
        for pk in ids:  # newest first
            conversation = saying.get(pk)
            if conversation is not None and conversation not in found:
                found.append(conversation)
                if len(found) >= limit:
                    return found
    return found


def _says(text: str, asked: list[str]) -> bool:
    words = normalised_words(text)
    return all(
        any(w == a for w in words) if len(a) <= SHORT else any(w.startswith(a) for w in words)
        for a in asked
    )


def _candidate_pages(groups: list[list[str]], size: int) -> Iterator[list[int]]:
    """Ids of the messages whose index holds every term of one of `groups`, newest first."""
    before = None
    while True:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                query = " | ".join("(" + " & ".join(g) + ")" for g in groups)
                sql = (
                    "SELECT message_id FROM conversations_searchentry "
                    "WHERE terms::tsvector @@ %s::tsquery"
                )
                key = "message_id"
            else:
                query = " OR ".join("(" + " AND ".join(f'"{t}"' for t in g) + ")" for g in groups)
                sql = (
                    "SELECT rowid FROM conversations_searchentry_fts "
                    "WHERE conversations_searchentry_fts MATCH %s"
                )
                key = "rowid"
            params: list[str | int] = [query]
            if before is not None:
                sql += f" AND {key} < %s"
                params.append(before)
            cursor.execute(f"{sql} ORDER BY {key} DESC LIMIT {int(size)}", params)
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return
        yield ids
        if len(ids) < size:
            return
        before = ids[-1]
