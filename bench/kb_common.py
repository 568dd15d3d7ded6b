"""What the guide's benchmarks share: a fresh installation in this process, a guide loaded
into it, and the baseline they are measured against, plain bm25s."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bm25s

DATA = Path(__file__).with_name("data") / "kb_eval"


@contextmanager
def fresh_installation() -> Iterator[Path]:
    """Django set up in this process on a new SQLite installation, migrated."""
    with tempfile.TemporaryDirectory(prefix="ventanilla-kb-") as home:
        for name in ("DATABASE_URL", "REDIS_URL", "VENTANILLA_PUBLIC_URL"):
            os.environ.pop(name, None)
        os.environ["VENTANILLA_HOME"] = home
        os.environ["VENTANILLA_LOG_LEVEL"] = "WARNING"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield Path(home)


def documents(guide: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(article key, language, text) of every translation: title, questions and body."""
    return [
        (item["key"], language, "\n".join([t["title"], *t.get("questions", []), t["body"]]))
        for item in guide
        for language, t in item["translations"].items()
    ]


class PlainBM25:
    """bm25s as it comes: its own tokenizer (lower case, words of two letters or more), no
    stop words, no stems, one index over every translation; an article's score is that of
    its best translation."""

    def __init__(self, guide: list[dict[str, Any]]) -> None:
        docs = documents(guide)
        self.keys = [key for key, _, _ in docs]
        self.model = bm25s.BM25()
        self.model.index(
            bm25s.tokenize([t for _, _, t in docs], stopwords=None, show_progress=False),
            show_progress=False,
        )

    def search(self, query: str, limit: int = 3) -> list[tuple[str, float]]:
        tokens = bm25s.tokenize([query], stopwords=None, show_progress=False, return_ids=False)
        terms = [t for t in tokens[0] if t in self.model.vocab_dict]
        if not terms:
            return []
        scores = self.model.get_scores(terms)
        best: dict[str, float] = {}
        for position in scores.argsort()[::-1][: limit * 10]:
            score = float(scores[position])
            if score <= 0:
                break
            key = self.keys[position]
            best.setdefault(key, score)
            if len(best) == limit:
                break
        return list(best.items())
