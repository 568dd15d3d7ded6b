"""How well the guide's search answers real questions, against plain bm25s on the same data.

    .venv/bin/python bench/kb_eval.py [--calibrate] [--split dev|test|all] [--misses]

bench/data/kb_eval/guide.json is an invented consular guide (45 articles in 8 languages) and
questions.json questions written as people write them, each with the articles that answer it
(none for the questions no article answers), its language, the person's language as the
desk knows it (the hint), its kind (plain, short, misspelt, whatsapp, paraphrase, mixed,
darija, unanswerable) and a split: dev for calibrating, test held out. Each question is
asked as the bot asks it: no language given, the hint passed.

It reports, per language and overall: top-1 and top-3 accuracy of the answerable questions,
for ventanilla and plain bm25s; how many answers were given with confidence and how many of
those were right; and how many unanswerable questions got a confident answer. For plain
bm25s, which has no notion of confidence, the same kind of rule (a score and a lead over the
second) is calibrated on the dev split. `--calibrate` prints the thresholds that give the
most confident answers on the dev split while keeping them right ≥ 92 % of the time and
answering ≤ 15 % of the unanswerable (margins under the goals of 90 % and 20 %).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kb_common import DATA, PlainBM25, fresh_installation

SENSITIVE = {"abuse-trafficking-emergencies", "detention-and-deportation"}  # as a desk marks them
LANGUAGE_ORDER = ["es", "fr", "ar", "en", "nl", "it", "de", "zgh", "ary", "mixed"]


@dataclass
class Answer:
    question: dict[str, Any]
    ranked: list[str]
    scores: list[float]
    topics: list[str]
    sure: bool = False

    @property
    def expected(self) -> set[str]:
        return set(self.question["expect"])

    def top(self, n: int) -> bool:
        return bool(self.expected & set(self.ranked[:n]))

    def confident(self, score: float, lead: float) -> bool:
        if not self.scores or self.scores[0] < score:
            return False
        runner_up = self.scores[1] if len(self.scores) > 1 else 0.0
        return self.scores[0] - runner_up >= lead * self.scores[0]


def ask_engine(questions: list[dict[str, Any]]) -> list[Answer]:
    from ventanilla.knowledge.search import search

    answers = []
    for q in questions:
        found = search(q["q"], hint=q.get("hint") or "", limit=3)
        answers.append(
            Answer(
                q,
                [h.key for h in found.hits],
                [h.score for h in found.hits],
                [h.topic for h in found.hits],
                found.confident,
            )
        )
    return answers


def ask_plain(plain: PlainBM25, questions: list[dict[str, Any]]) -> list[Answer]:
    answers = []
    for q in questions:
        found = plain.search(q["q"], limit=3)
        answers.append(Answer(q, [k for k, _ in found], [s for _, s in found], []))
    return answers


@dataclass
class Figures:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    confident: int = 0
    confident_right: int = 0
    unanswerable: int = 0
    unanswerable_confident: int = 0


def figures(answers: list[Answer], score: float, lead: float) -> dict[str, Figures]:
    by: dict[str, Figures] = defaultdict(Figures)
    for answer in answers:
        for group in (answer.question["lang"], "all"):
            f = by[group]
            sure = answer.confident(score, lead)
            if not answer.expected:
                f.unanswerable += 1
                f.unanswerable_confident += sure
                f.confident += sure
                continue
            f.answerable += 1
            f.top1 += answer.top(1)
            f.top3 += answer.top(3)
            f.confident += sure
            f.confident_right += sure and answer.top(1)
    return by


def calibrate(answers: list[Answer]) -> tuple[float, float]:
    """The thresholds giving the most confident right answers on these answers, within the
    margins; ties go to the stricter pair."""
    best: tuple[int, float, float] = (-1, 1.0, 1.0)
    scores = sorted({round(s, 2) for a in answers for s in a.scores[:1]} | {1.0})
    for score in scores:
        for lead in [i / 20 for i in range(0, 20)]:
            f = figures(answers, score, lead)["all"]
            if not f.confident:
                continue
            precision = f.confident_right / f.confident
            unanswered = f.unanswerable_confident / max(f.unanswerable, 1)
            if precision >= 0.92 and unanswered <= 0.15 and f.confident_right > best[0]:
                best = (f.confident_right, score, lead)
    return best[1], best[2]


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "n/a"


def report(title: str, engine: dict[str, Figures], plain: dict[str, Figures]) -> None:
    print(f"\n### {title}\n")
    print(
        "| language | questions | top-1 | top-1 bm25s | top-3 | top-3 bm25s | confident "
        "| bm25s confident | confident right | bm25s confident right | unanswerable "
        "| answered with confidence | bm25s |"
    )
    print("| --- |" + " ---: |" * 12)
    groups = [g for g in LANGUAGE_ORDER if g in engine] + ["all"]
    for group in groups:
        e, p = engine[group], plain[group]
        name = "**all**" if group == "all" else group
        print(
            f"| {name} | {e.answerable} | {ratio(e.top1, e.answerable)} | "
            f"{ratio(p.top1, p.answerable)} | {ratio(e.top3, e.answerable)} | "
            f"{ratio(p.top3, p.answerable)} | {ratio(e.confident, e.answerable + e.unanswerable)} "
            f"| {ratio(p.confident, p.answerable + p.unanswerable)} "
            f"| {ratio(e.confident_right, e.confident)} | {ratio(p.confident_right, p.confident)}"
            f" | {e.unanswerable} | {ratio(e.unanswerable_confident, e.unanswerable)} | "
            f"{ratio(p.unanswerable_confident, p.unanswerable)} |"
        )


def by_kind(answers: list[Answer], plain: list[Answer]) -> None:
    print("\n### Top-1 by kind of question (all splits)\n")
    print("| kind | questions | ventanilla | plain bm25s |")
    print("| --- | ---: | ---: | ---: |")
    kinds: dict[str, list[tuple[Answer, Answer]]] = defaultdict(list)
    for e, p in zip(answers, plain, strict=True):
        if e.expected:
            kinds[e.question["kind"]].append((e, p))
    for kind, pairs in sorted(kinds.items()):
        e_right = sum(e.top(1) for e, _ in pairs)
        p_right = sum(p.top(1) for _, p in pairs)
        shares = f"{ratio(e_right, len(pairs))} | {ratio(p_right, len(pairs))}"
        print(f"| {kind} | {len(pairs)} | {shares} |")


def bot_thresholds(answers: list[Answer], topic: dict[str, str]) -> None:
    """What the bot's own thresholds do on these questions (knowledge/bot.py, docs/bot.md)."""
    from ventanilla.knowledge.bot import OFFER_SCORE, SENSITIVE_SCORE

    sensitive = [a for a in answers if any(topic[k] in SENSITIVE for k in a.question["expect"])]
    others = [a for a in answers if a not in sensitive]

    def urgent(a: Answer) -> bool:
        return bool(a.topics) and a.topics[0] in SENSITIVE and a.scores[0] >= SENSITIVE_SCORE

    unsure = [a for a in answers if a.expected and not a.sure and a.top(3)]
    offered = [a for a in unsure if a.scores[0] >= OFFER_SCORE]
    unanswerable = [a for a in answers if not a.expected and not a.sure]
    listed = [a for a in unanswerable if a.scores and a.scores[0] >= OFFER_SCORE]
    print(f"\n### The bot's thresholds (sensitive topics: {', '.join(sorted(SENSITIVE))})\n")
    print(
        f"- emergencies (first hit on a sensitive topic scoring >= {SENSITIVE_SCORE}): "
        f"{sum(map(urgent, sensitive))} of {len(sensitive)} questions on sensitive topics "
        f"handed over urgently; {sum(map(urgent, others))} of {len(others)} others made urgent"
    )
    print(
        f"- lists (best hit >= {OFFER_SCORE}): offered for {len(offered)} of the {len(unsure)} "
        f"unsure questions with the right article in the top three; for {len(listed)} of the "
        f"{len(unanswerable)} unanswerable questions not answered with confidence"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calibrate", action="store_true", help="print the dev split's thresholds")
    parser.add_argument(
        "--misses", action="store_true", help="list the dev questions answered wrong"
    )
    args = parser.parse_args()
    guide = json.loads((DATA / "guide.json").read_text())
    questions = json.loads((DATA / "questions.json").read_text())
    with fresh_installation():
        from ventanilla.knowledge import search as engine_module
        from ventanilla.knowledge.formats import entries_from
        from ventanilla.knowledge.services import import_articles

        import_articles(entries=entries_from(guide), by=None)
        engine = ask_engine(questions)
        threshold = (engine_module.CONFIDENT_SCORE, engine_module.CONFIDENT_LEAD)
    plain = ask_plain(PlainBM25(guide), questions)
    dev = [i for i, q in enumerate(questions) if q["split"] == "dev"]
    test = [i for i, q in enumerate(questions) if q["split"] != "dev"]
    plain_threshold = calibrate([plain[i] for i in dev])
    if args.calibrate:
        calibrated = calibrate([engine[i] for i in dev])
        print(f"dev split calibration: CONFIDENT_SCORE, CONFIDENT_LEAD = {calibrated}")
    print(
        f"{len(guide)} articles, {len(questions)} questions ({len(dev)} dev, {len(test)} test); "
        f"confident when the best scores ≥ {threshold[0]} and leads the next by ≥ "
        f"{threshold[1]:.0%} of its score (plain bm25s, calibrated on dev the same way: "
        f"≥ {plain_threshold[0]}, lead ≥ {plain_threshold[1]:.0%})"
    )
    for title, part in (
        ("Held-out questions (test split)", test),
        ("Calibration questions (dev split)", dev),
        ("All questions", list(range(len(questions)))),
    ):
        report(
            title,
            figures([engine[i] for i in part], *threshold),
            figures([plain[i] for i in part], *plain_threshold),
        )
    by_kind(engine, plain)
    bot_thresholds(engine, {item["key"]: item["topic"] for item in guide})
    if args.misses:
        print("\n### Misses (dev split: tuning looks at these only)\n")
        for answer in (engine[i] for i in dev):
            right = answer.top(1) if answer.expected else not answer.confident(*threshold)
            if right:
                continue
            q, expected = answer.question, sorted(answer.expected)
            got = list(zip(answer.ranked, answer.scores, strict=True))
            print(f"- [{q['lang']}/{q['kind']}] {q['q']!r} expected {expected} got {got}")


if __name__ == "__main__":
    main()
