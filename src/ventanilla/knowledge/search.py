"""Search of the published guide: which articles answer a question, and whether surely enough.

One BM25 index (bm25s) per language over the articles' titles and alternative questions
("head") and another over their bodies, built from the database when the guide changes and
kept in memory. A question is read in its language (given, recognised by lingua, or the
person's own for very short texts), its words folded and stemmed as the articles' were,
misspelt words matched to the guide's nearest words, Darija turned to the words a guide uses;
then every language's index is asked, so that a question in a language the guide lacks, or in
two languages at once, still finds its article. Scores are relative to what the question
could score at best, which makes them comparable across languages and gives `confident` its
meaning; the thresholds are calibrated with bench/kb_eval.py.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Max

from ventanilla.knowledge import text
from ventanilla.knowledge.models import Article, ReviewState, Translation

if TYPE_CHECKING:  # imported where the guide is searched: processes that never search (the
    # intake loop, an idle web server) do without them, 12 MiB each
    import bm25s
    import numpy as np

logger = logging.getLogger(__name__)

K1, B = 1.2, 0.75
HEAD_WEIGHT, BODY_WEIGHT = 1.0, 0.5  # a question matching how people ask outweighs the body
FUZZY_WEIGHT = 0.8  # a misspelt word counts, a little less than a word written right
OTHER_LANGUAGE = 0.95  # an article found in another language than the question's
GRAM_WEIGHT = 2.0  # the pieces of words (4 letters) beside the words: morphology, compounds
GRAM = 4
# The best article is answered with when it scores this much of what the question could
# score at best, and leads the next one by this share of its own score (bench/kb_eval.py).
CONFIDENT_SCORE = 0.07
CONFIDENT_LEAD = 0.25
SHORT_TEXT = 3  # words: fewer, and lingua is not asked; the person's own language is used
MAX_QUERY_WORDS = 64
REBUILT_IN_BACKGROUND = 500  # translations: beyond, an index takes over half a second


@dataclass(frozen=True)
class Hit:
    key: str
    language: str
    title: str
    score: float
    topic: str
    translation_id: int


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    confident: bool
    language: str  # the question's language as understood; "" when not known


@dataclass
class _Language:
    """The index of one language's translations."""

    language: str
    positions: np.ndarray  # the guide's position (see _Guide.articles) of each document
    head: bm25s.BM25
    body: bm25s.BM25
    idf: dict[str, float]
    spelling: dict[str, str]  # every folded word of the texts -> its stem
    unknown_idf: float
    grams: bm25s.BM25
    gram_idf: dict[str, float]
    _near: dict[str, list[str]] | None = None

    def near(self) -> dict[str, list[str]]:
        """Words by each form with one letter left out (symmetric delete), built when first
        needed: a misspelt word and the right one share such a form."""
        if self._near is None:
            near: dict[str, list[str]] = defaultdict(list)
            for word in self.spelling:
                if len(word) >= 4:
                    for variant in _deletes(word):
                        near[variant].append(word)
            self._near = dict(near)
        return self._near


@dataclass
class _Article:
    key: str
    topic: str
    titles: dict[str, tuple[str, int]] = field(default_factory=dict)  # language -> title, id


@dataclass
class _Guide:
    fingerprint: tuple[object, ...]
    languages: list[_Language]
    articles: list[_Article]  # in the order of the score arrays
    topics: np.ndarray  # each article's topic key

    @property
    def documents(self) -> int:
        return sum(len(index.positions) for index in self.languages)


_lock = threading.Lock()
_current: _Guide | None = None


def search(
    query: str,
    *,
    language: str = "",
    hint: str = "",
    topics: Collection[str] | None = None,
    limit: int = 5,
) -> Found:
    """The published articles that answer `query`, best first.

    `language` is the question's language when known; otherwise it is recognised, or taken
    from `hint` (the person's preferred language) when the text is too short to tell.
    Results come in the question's language where the article has it. `topics`, when given,
    keeps only articles of those topics.
    """
    import numpy as np

    guide = _guide()
    tokens = text.expand_shorthand(text.words(query))[:MAX_QUERY_WORDS]
    asked = language or _recognise(tokens, query, hint, guide)
    if asked == "ary" or text.looks_like_darija(tokens):
        asked = asked or "ary"
        tokens = text.from_darija(tokens)
    # The best of each script's languages; a question in two scripts (French with Arabic)
    # adds what each of its parts found.
    count = len(guide.articles)
    groups: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # script: best scores, where found
    for number, index in enumerate(guide.languages):
        scores = _scores(index, tokens, asked)
        if scores is None:
            continue
        if asked and index.language != asked.split("-")[0]:
            scores = scores * OTHER_LANGUAGE
        full = np.zeros(count)
        full[index.positions] = scores
        script = text.script_of_language(index.language)
        if script not in groups:
            groups[script] = (full, np.full(count, number))
            continue
        best, found_in = groups[script]
        better = full > best
        best[better] = full[better]
        found_in[better] = number
    if not groups:
        return Found([], False, asked)
    total: np.ndarray = np.sum([best for best, _ in groups.values()], axis=0)
    if topics is not None:
        total = np.where(np.isin(guide.topics, list(topics)), total, 0.0)
    wanted = max(limit, 2)  # the second tells whether the first is sure
    top = np.argsort(-total, kind="stable")[:wanted]
    hits = []
    for position in top[total[top] > 0]:
        strongest = max(groups.values(), key=lambda group: group[0][position])
        language = guide.languages[int(strongest[1][position])].language
        hits.append(_hit(guide.articles[position], float(total[position]), language, asked))
    return Found(hits[: max(limit, 0)], _is_confident(hits), asked)


def _is_confident(hits: list[Hit]) -> bool:
    if not hits or hits[0].score < CONFIDENT_SCORE:
        return False
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    return hits[0].score - runner_up >= CONFIDENT_LEAD * hits[0].score


def _hit(article: _Article, score: float, found_in: str, asked: str) -> Hit:
    wanted = [lang for lang in (asked, asked.split("-")[0], "ar" if asked == "ary" else "")]
    language = next((lang for lang in wanted if lang in article.titles), found_in)
    title, translation_id = article.titles[language]
    return Hit(article.key, language, title, round(score, 4), article.topic, translation_id)


def _scores(index: _Language, tokens: list[str], asked: str) -> np.ndarray | None:
    """Each document's score relative to the best the question could score in this index."""
    script = text.script_of_language(index.language)
    exact: list[str] = []
    fuzzy: list[str] = []
    pieces: list[str] = []
    possible = 0.0
    elsewhere = 0  # words in another script: this index cannot match them
    for word in tokens:
        if text.is_stopword(word, index.language):
            continue
        if asked and text.is_stopword(word, asked.split("-")[0]):
            continue
        if text.script_of(word) != script:
            elsewhere += 1
            continue
        pieces.extend(_grams(word))
        term = text.stem(word, index.language)
        if term in index.idf:
            exact.append(term)
            possible += index.idf[term]
            continue
        possible += index.unknown_idf
        fuzzy.extend(_corrections(index, word))
    if not exact and not fuzzy and not any(p in index.gram_idf for p in pieces):
        return None
    scores = _field_scores(index, exact) + FUZZY_WEIGHT * _field_scores(index, fuzzy)
    possible += elsewhere * index.unknown_idf
    words = scores / (possible * (K1 + 1) * (HEAD_WEIGHT + BODY_WEIGHT) / 2)
    if not GRAM_WEIGHT:
        return words
    known = [p for p in pieces if p in index.gram_idf]
    gram_scores = index.grams.get_scores(known) if known else 0.0
    unmatched = elsewhere * 5 * index.unknown_idf  # a word elsewhere: about five pieces
    best = (sum(index.gram_idf.get(p, index.unknown_idf) for p in pieces) + unmatched) * (K1 + 1)
    return (words + GRAM_WEIGHT * gram_scores / best) / (1 + GRAM_WEIGHT)


@lru_cache(maxsize=200_000)
def _grams(word: str) -> tuple[str, ...]:
    padded = f"_{word}_"
    if len(padded) <= GRAM:
        return (padded,)
    return tuple(padded[i : i + GRAM] for i in range(len(padded) - GRAM + 1))


def _field_scores(index: _Language, terms: list[str]) -> np.ndarray:
    import numpy as np

    if not terms:
        return np.zeros(len(index.positions), dtype=np.float32)
    head = index.head.get_scores(terms) if _known(index.head, terms) else 0.0
    body = index.body.get_scores(terms) if _known(index.body, terms) else 0.0
    return HEAD_WEIGHT * head + BODY_WEIGHT * body + np.zeros(len(index.positions))


def _known(model: bm25s.BM25, terms: list[str]) -> bool:
    return any(term in model.vocab_dict for term in terms)


def _corrections(index: _Language, word: str) -> list[str]:
    """The stems of the guide's words one typing slip away from `word` (two for long words)."""
    if len(word) < 4 or word.isdigit():
        return []
    allowed = 1 if len(word) < 8 else 2
    candidates = {w for variant in (word, *_deletes(word)) for w in index.near().get(variant, ())}
    candidates |= {word[:i] + word[i + 1 :] for i in range(len(word))} & index.spelling.keys()
    distances = {w: _distance(word, w) for w in candidates}
    closest = [w for w, d in distances.items() if d <= allowed]
    if not closest:
        return []
    least = min(distances[w] for w in closest)
    stems = {index.spelling[w] for w in closest if distances[w] == least}
    return sorted(s for s in stems if s in index.idf)[:3]


def _deletes(word: str) -> Iterable[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _recognise(tokens: list[str], query: str, hint: str, guide: _Guide) -> str:
    """The question's language, else the person's own language (`hint`)."""
    languages = tuple(index.language for index in guide.languages)
    return _language_of(tokens, query, languages) or hint


def language_of(written: str, *, languages: Sequence[str]) -> str:
    """The language a person wrote in, among `languages` (a desk's, say); "" when the text
    is too short to tell."""
    tokens = text.expand_shorthand(text.words(written))[:MAX_QUERY_WORDS]
    return _language_of(tokens, written, tuple(languages))


def _language_of(tokens: list[str], written: str, languages: tuple[str, ...]) -> str:
    """Tifinagh is Tamazight, Darija has its own words; lingua for the rest when the text is
    long enough to tell."""
    if any(text.script_of(t) == "tifinagh" for t in tokens):
        return "zgh"
    if text.looks_like_darija(tokens):
        return "ary"
    if len(tokens) >= SHORT_TEXT:
        return _detect(written, languages)
    return ""


def _detect(query: str, languages: tuple[str, ...]) -> str:
    detector = _detector(languages)
    if detector is None:
        return ""
    values = detector.compute_language_confidence_values(query)
    if not values or values[0].value < 0.5:
        return ""
    return values[0].language.iso_code_639_1.name.lower()


@cache
def _detector(languages: tuple[str, ...]) -> Any:
    """A lingua detector for the guide's languages that lingua knows (at least two)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper(), None) for code in languages if len(code) == 2]
    known = [code for code in codes if code is not None]
    if len(known) < 2:
        return None
    # Low accuracy mode (trigrams only): 12 MB of models instead of 176 MB for seven
    # languages, and on bench/kb_eval.py's questions of three words or more 320 of 323 right
    # against 319 right and 4 undecided (docs/architecture.md).
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*known)
    return builder.with_low_accuracy_mode().build()


def _guide() -> _Guide:
    """The index of today's published guide, rebuilt when any translation or article changed.

    A large guide (its index takes seconds to build) is rebuilt in the background while
    searches go on in the previous one; a small one at once, so an edit is found at once.
    """
    global _current
    fingerprint = _fingerprint()
    guide = _current
    if guide is not None and guide.fingerprint == fingerprint:
        return guide
    if guide is not None and guide.documents > REBUILT_IN_BACKGROUND:
        _rebuild_in_background(fingerprint)
        return guide
    with _lock:
        if _current is None or _current.fingerprint != fingerprint:
            _current = _build(fingerprint)
        return _current


def _rebuild_in_background(fingerprint: tuple[object, ...]) -> None:
    if not _lock.acquire(blocking=False):
        return  # a rebuild is under way

    def rebuild() -> None:
        global _current
        try:
            _current = _build(fingerprint)
        except Exception:
            logger.exception("the guide's index could not be rebuilt; the previous one serves")
        finally:
            connection.close()
            _lock.release()

    threading.Thread(target=rebuild, name="guide-index", daemon=True).start()


def _fingerprint() -> tuple[object, ...]:
    """What changes whenever the guide does: an article saved, published or removed, a
    translation saved (translations go only with their article). Two indexed look-ups."""
    articles = Article.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    translations = Translation.objects.aggregate(changed=Max("updated_at"))
    return (articles["count"], articles["changed"], translations["changed"])


def _build(fingerprint: tuple[object, ...]) -> _Guide:
    import numpy as np

    rows = (
        Translation.objects.filter(article__state=ReviewState.PUBLISHED)
        .select_related("article__topic")
        .order_by("language", "article_id")
    )
    articles: dict[int, _Article] = {}
    positions: dict[int, int] = {}
    documents: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for row in rows.iterator(chunk_size=2000):
        if row.article_id not in articles:
            positions[row.article_id] = len(articles)
            articles[row.article_id] = _Article(row.article.key, row.article.topic.key)
        articles[row.article_id].titles[row.language] = (row.title, row.pk)
        head = "\n".join([row.title, *row.questions])
        documents[row.language].append((positions[row.article_id], head, row.body))
    languages = [_index(language, docs) for language, docs in sorted(documents.items())]
    listed = list(articles.values())
    topics = np.array([a.topic for a in listed], dtype=object)
    return _Guide(fingerprint, languages, listed, topics)


def _index(language: str, documents: list[tuple[int, str, str]]) -> _Language:
    import numpy as np

    spelling: dict[str, str] = {}
    heads, bodies, grams = [], [], []
    frequency: dict[str, int] = defaultdict(int)
    gram_frequency: dict[str, int] = defaultdict(int)
    for _, head, body in documents:
        tokenised = []
        pieces: list[str] = []
        for part in (head, body):
            terms = []
            for word in text.words(part):
                if text.is_stopword(word, language):
                    continue
                term = spelling.get(word) or spelling.setdefault(word, text.stem(word, language))
                terms.append(term)
                pieces.extend(_grams(word))
            tokenised.append(terms)
        heads.append(tokenised[0])
        bodies.append(tokenised[1])
        grams.append(pieces)
        for term in set(tokenised[0]) | set(tokenised[1]):
            frequency[term] += 1
        for piece in set(pieces):
            gram_frequency[piece] += 1
    count = len(documents)
    idf = {t: _idf(count, df) for t, df in frequency.items()}
    return _Language(
        language=language,
        positions=np.array([position for position, _, _ in documents], dtype=np.int64),
        head=_bm25(heads),
        body=_bm25(bodies),
        idf=idf,
        spelling=spelling,
        unknown_idf=_idf(count, 0),
        grams=_bm25(grams),
        gram_idf={g: _idf(count, df) for g, df in gram_frequency.items()},
    )


def _idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on itself
    model = bm25s.BM25(k1=K1, b=B)
    model.index(corpus, show_progress=False)
    return model
