"""What a desk's own texts cost: saying sentences through `speaking(desk, language)` (the
desk's wording over the catalogue) against Django's plain `translation.override(language)`.

    .venv/bin/python bench/desk_texts.py [--runs 7] [--loops 2000]

In one process on a fresh SQLite home: a desk with 20 texts of its own in Spanish and a
language of its own (Ukrainian, 20 texts, falling back to Spanish). Each loop enters the
language and says ten public sentences, as a bot reply or a help-centre page does; the
first entry after a change re-reads the desk's texts (one query), timed apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
os.environ["VENTANILLA_HOME"] = tempfile.mkdtemp(prefix="bench-texts-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from ventanilla.desks.models import Desk  # noqa: E402
from ventanilla.desks.text_services import set_text  # noqa: E402
from ventanilla.desks.texts import speaking, texts_changed  # noqa: E402
from ventanilla.desks.texts_catalogue import public_texts  # noqa: E402


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} µs (min {min(values):.1f}, max {max(values):.1f})"


def timed(enter, language: str, sentences: list[str], loops: int) -> float:
    """Microseconds per loop: enter the language, say the sentences."""
    start = time.perf_counter()
    for _ in range(loops):
        with enter(language):
            for sentence in sentences:
                gettext(sentence)
    return (time.perf_counter() - start) / loops * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--loops", type=int, default=2000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    desk = Desk.objects.create(name="Bench", slug="bench", languages=["es", "uk"])
    plain = [e.msgid for e in public_texts().values() if not e.plural and not e.context]
    placeholders = ("%", "{")
    simple = [m for m in plain if not any(p in m for p in placeholders)][:40]
    for msgid in simple[:20]:
        set_text(desk=desk, language="es", msgid=msgid, text="Texto propio", by=None)
    for msgid in simple[20:40]:
        set_text(desk=desk, language="uk", msgid=msgid, text="Власний текст", by=None)
    sentences = simple[10:30]  # half the desk's own, half the catalogue's (or fallback)

    def desk_speech(language: str):
        return speaking(desk, language)

    cases = [
        ("Spanish, catalogue only: translation.override", translation.override, "es"),
        ("Spanish, desk's texts over it: speaking", desk_speech, "es"),
        ("Ukrainian (no catalogue), desk's + fallback: speaking", desk_speech, "uk"),
    ]
    results: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for enter, language in ((desk_speech, "es"), (desk_speech, "uk")):
        timed(enter, language, sentences, 10)  # warm: the desk's texts read once
    for _ in range(options.runs):
        for name, enter, language in cases:
            results[name].append(timed(enter, language, sentences, options.loops))
    reload = []
    for _ in range(options.runs):
        texts_changed(desk)
        start = time.perf_counter()
        timed(desk_speech, "es", sentences, 1)
        reload.append((time.perf_counter() - start) * 1e6)

    print(f"{len(sentences)} sentences per loop, {options.loops} loops x {options.runs} runs")
    baseline = statistics.median(results[cases[0][0]])
    for name, values in results.items():
        ratio = statistics.median(values) / baseline
        print(f"  {name}: {summary(values)} per loop, {ratio:.2f}x")
    print(f"  first loop after a text changed (reads the desk's texts): {summary(reload)}")


if __name__ == "__main__":
    sys.exit(main())
