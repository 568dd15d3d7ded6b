"""Time to search a large guide: 2,000 articles in 8 languages, against plain bm25s.

    .venv/bin/python bench/kb_search.py [--articles 2000] [--runs 5]

The guide is made from bench/data/kb_eval/guide.json: article i takes the text of one of its
articles in each language, with sentences of two others and a place name of its own, so that
the words are those of a real guide and no two articles are alike. The questions are those
of bench/data/kb_eval/questions.json, asked as the bot asks them (no language given, the
person's language as a hint). Each question is timed on its own, through
`knowledge.search.search` (the database's check that the guide has not changed included)
and through plain bm25s over the same translations, after one warm-up pass; the index's
build time and the process's memory are reported too.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from typing import Any

from kb_common import DATA, PlainBM25, fresh_installation


def rss_mb() -> float:
    status = open("/proc/self/status").read()  # noqa: SIM115 (one read)
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def large_guide(base: list[dict[str, Any]], count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    places = [
        "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(count)
    ]
    made = []
    for i in range(count):
        own, others = base[i % len(base)], rng.sample(base, 2)
        translations = {}
        for language, text in own["translations"].items():
            extra = [
                sentence
                for other in others
                for sentence in re.split(r"(?<=[.!?])\s+", other["translations"][language]["body"])[
                    :2
                ]
            ]
            translations[language] = {
                "title": f"{text['title']} ({places[i].capitalize()})",
                "body": " ".join([text["body"], *extra, places[i]]),
                "questions": list(text.get("questions", [])),
            }
        made.append({"key": f"a{i:05d}", "topic": own["topic"], "translations": translations})
    return made


def store(guide: list[dict[str, Any]]) -> None:
    """Straight into the tables: importing 16,000 translations one by one would take minutes
    and prove nothing about search."""
    from ventanilla.knowledge.models import Article, ReviewState, Topic, Translation

    topics = {
        key: Topic.objects.create(key=key, name=key) for key in {item["topic"] for item in guide}
    }
    articles = Article.objects.bulk_create(
        Article(
            key=item["key"],
            topic=topics[item["topic"]],
            source_language="es",
            state=ReviewState.PUBLISHED,
        )
        for item in guide
    )
    Translation.objects.bulk_create(
        (
            Translation(article=article, language=language, **text)
            for article, item in zip(articles, guide, strict=True)
            for language, text in item["translations"].items()
        ),
        batch_size=1000,
    )


def timed(function: Any, questions: list[dict[str, Any]], runs: int) -> list[float]:
    for question in questions:  # warm-up
        function(question)
    times = []
    for _ in range(runs):
        for question in questions:
            started = time.perf_counter()
            function(question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def line(name: str, times: list[float], baseline: float) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    median = statistics.median(times)
    return (
        f"| {name} | {median:.2f} | {p95:.2f} | {ordered[0]:.2f} | {ordered[-1]:.2f} | "
        f"{median / baseline:.1f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = json.loads((DATA / "guide.json").read_text())
    questions = json.loads((DATA / "questions.json").read_text())
    guide = large_guide(base, args.articles)
    languages = sorted({lang for item in guide for lang in item["translations"]})
    with fresh_installation():
        from ventanilla.knowledge.search import search

        store(guide)
        before = rss_mb()
        started = time.perf_counter()
        search("passport")  # builds the index
        built = time.perf_counter() - started
        indexed = rss_mb()
        search("Comment renouveler mon passeport expiré ?")  # and lingua's models
        detecting = rss_mb()
        engine = timed(
            lambda q: search(q["q"], hint=q.get("hint") or "", limit=3), questions, args.runs
        )
        started = time.perf_counter()
        plain = PlainBM25(guide)
        plain_built = time.perf_counter() - started
        baseline = timed(lambda q: plain.search(q["q"], limit=3), questions, args.runs)
    median = statistics.median(baseline)
    translations = sum(len(item["translations"]) for item in guide)
    print(
        f"{args.articles} articles, {translations} translations in {len(languages)} languages "
        f"({', '.join(languages)}); {len(questions)} questions x {args.runs} runs; "
        f"Python {sys.version.split()[0]}\n"
    )
    print("| search | median ms | p95 ms | min ms | max ms | median vs baseline |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(line("ventanilla (`knowledge.search.search`)", engine, median))
    print(line("plain bm25s (baseline)", baseline, median))
    print(
        f"\nindex built in {built:.2f} s (plain bm25s: {plain_built:.2f} s); process memory "
        f"{before:.0f} MB before, {indexed:.0f} MB with the index, {detecting:.0f} MB with "
        "lingua's models loaded"
    )


if __name__ == "__main__":
    main()
