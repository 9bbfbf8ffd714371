"""Aligning a cited claim to the passage of its source that states it, and judging its figures.

A figure is a claim about something: "foreign direct investment fell by 20 percent in 2016". Its
value proves nothing alone: the same source may hold 20 percent for another subject or another
year. So a claim's figures are judged in two steps, each deterministic and explainable:

1. **Alignment.** The source is cut into sentences; each sentence, and each sentence with its
   neighbour, is a candidate passage. Passages are ranked by BM25 over stemmed content words with
   every figure masked (a wrong value must not pull the claim towards the passage that holds it);
   rare words of the source weigh more. The best passage states the claim when it covers enough of
   the claim's weighted words.
2. **Binding.** Inside that passage each claim figure is paired with the source figure that stands
   in the same place: the same kind of quantity (percent with percent or points, money with money),
   the most words in common near it, the same year bound to it, and the claim's order of figures.
   The pairing never looks at the claim's own value, so the right number bound to the wrong thing is
   caught. The figure is verified when the paired source figure has the same value; contradicted
   when it has another (the suggestion is that value); unsupported when no passage states the claim
   or the passage gives no such figure.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, pairwise, permutations
from typing import Final, Literal

from .figures import Figure, same_value

__all__ = [
    "MODEL_VERSION",
    "ClaimResult",
    "FigureJudgement",
    "SourceModel",
    "judge_claim",
]

Outcome = Literal["verified", "contradicted", "unsupported"]

# The version of what a `SourceModel` counts; models cached under another version are rebuilt.
MODEL_VERSION: Final = 6
# Share of the claim's weighted words that its passage must hold.
MIN_COVERAGE: Final = 0.34
_K1: Final = 1.2
_B: Final = 0.75
_YEAR_BONUS: Final = 4.0  # pairing weight of a shared bound year, against word overlap near 0..3
_FAR_WEIGHT: Final = 0.25  # least weight of a claim word, however far from the figures
_ORDER_BONUS: Final = 0.05  # breaks ties between equally good pairings in the claim's order
_ROLE_BONUS: Final = 2.0  # pairing weight of the same role in a change ("from" with "from")
_RIVAL_SHARE: Final = 0.25  # weight of a word that belongs to a rival figure of the same kind
_NEAR_TIE: Final = 0.75  # share of the best pairing's fit at which an equal value is preferred
_SAME_VALUE_EPSILON: Final = 1e-6  # prefers an equal value only among exactly tied pairings

_WORD: Final = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SENTENCE_END: Final = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9¿¡])|\n\s*\n")
_ABBREVIATION: Final = re.compile(
    r"(?:\b[A-Za-z]\.(?:[A-Za-z]\.)*|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|St|Jr|Sr"
    r"|Inc|Corp|Co|Ltd|vs|etc|No|Nos|Vol|pp|p|Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov"
    r"|Dec|Mt|Ft|approx|est|U\.S|U\.N)\.)\Z"
)
_CLAUSE_BREAK: Final = re.compile(
    r"[,;:—–]|\b(?:and|but|while|whereas|against|versus|compared (?:with|to)|than)\b",
    re.IGNORECASE)
_COMPOUND: Final = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_RELATIVE_TIME: Final = re.compile(
    r"\b(?:(?:this|last|next|past|previous|coming|current)\s+(?:year|month|week|quarter|decade)"
    r"|now|today|currently|nowadays|at\s+present)\b", re.IGNORECASE)
_DURATION_AFTER: Final = re.compile(
    r"(?:\s*(?:to|-|–|and)\s*[\d.,]+)?\s+(?:years?|months?|weeks?|days?|decades?|hours?"
    r"|centuries)\b", re.IGNORECASE)
_ROLE_BEFORE: Final = re.compile(
    r"\b(from|to)\s+(?:(?:about|around|roughly|nearly|almost|over|under|just|only|some"
    r"|more\s+than|less\s+than|an\s+estimated)\s+)?(?:us)?[$€£]?\s*\Z", re.IGNORECASE)
_RANGE_JOIN: Final = re.compile(r"\s*(?:-|–|—|to|and|through|until|till|/)\s*\Z", re.IGNORECASE)

_STOPWORDS: Final = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "although", "am", "among",
    "an", "and", "any", "are", "aren", "as", "at", "be", "because", "been", "before", "being",
    "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
    "during", "each", "either", "even", "ever", "every", "few", "for", "from", "further", "had",
    "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
    "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "least",
    "less", "many", "may", "me", "might", "more", "most", "much", "must", "my", "myself",
    "neither", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other",
    "our", "ours", "ourselves", "out", "over", "own", "per", "same", "several", "she", "should",
    "since", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "these", "they", "this", "those", "though", "through", "thus", "to", "too",
    "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where",
    "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your", "yours", "yourself", "around", "nearly", "almost",
    "roughly", "approximately", "still", "already", "percent", "cent", "dollars", "dollar",
    "billion", "million", "thousand", "trillion", "hundred", "year", "years",
])


# Words for a change in a quantity that analysts use for one another ("rose" for "increased").
_CHANGE_VERBS: Final = {
    **dict.fromkeys([
        "rise", "rises", "rising", "rose", "risen", "increase", "increases", "increased",
        "increasing", "grow", "grows", "growing", "grew", "grown", "growth", "climb",
        "climbs", "climbed", "climbing", "jump", "jumps", "jumped", "surge", "surged",
        "soar", "soared", "expand", "expanded", "expanding",
    ], "~rise"),
    **dict.fromkeys([
        "fall", "falls", "falling", "fell", "fallen", "decrease", "decreases", "decreased",
        "decreasing", "decline", "declines", "declined", "declining", "drop", "drops",
        "dropped", "dropping", "shrink", "shrank", "shrunk", "plunge", "plunged", "slump",
        "slumped",
    ], "~fall"),
    **dict.fromkeys([
        "cut", "cuts", "cutting", "reduce", "reduces", "reduced", "reducing", "reduction",
        "reductions", "lower", "lowers", "lowered", "lowering", "slash", "slashed", "trim",
        "trimmed",
    ], "~cut"),
}


# --- words ----------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer  # loaded on the first claim, not at start-up

    return snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class _Term:
    """A content word: its stem, the word as written and where it starts."""

    stem: str
    word: str
    start: int


def _terms(text: str, start: int, end: int, masked: Sequence[tuple[int, int]]) -> list[_Term]:
    """The content words of ``text[start:end]`` outside the ``masked`` spans, stemmed."""
    terms: list[_Term] = []
    for match in _WORD.finditer(text, start, end):
        if any(a <= match.start() < b for a, b in masked):
            continue
        stem = _content_stem(match.group())
        if stem is not None:
            terms.append(_Term(stem, match.group(), match.start()))
    extra = _time_terms(text, start, end) + _compound_terms(text, start, end, masked)
    return sorted(terms + extra, key=lambda t: t.start) if extra else terms


def _compound_terms(text: str, start: int, end: int,
                    masked: Sequence[tuple[int, int]] = ()) -> list[_Term]:
    """A hyphenated compound with a stopword in it ("one-year", "year-end") as one term too:
    its stopword alone counts for nothing, but the compound tells passages apart."""
    terms: list[_Term] = []
    for match in _COMPOUND.finditer(text, start, end):
        if any(a <= match.start() < b for a, b in masked):
            continue
        parts = match.group().lower().split("-")
        if any(part in _STOPWORDS for part in parts):
            terms.append(_Term(match.group().lower(), match.group(), match.start()))
    return terms


def _time_terms(text: str, start: int, end: int) -> list[_Term]:
    """A time said relative to now ("last year", "this month", "today") as one term: it binds
    a figure as a year does, and its words alone are stopwords."""
    return [_Term(_time_stem(match.group().lower()), match.group(), match.start())
            for match in _RELATIVE_TIME.finditer(text, start, end)]


def _time_stem(said: str) -> str:
    """One stem for each time relative to now; the present, however said, is "~now"."""
    words = said.split()
    if len(words) == 1 or words == ["this", "year"] or words[0] in ("current", "at"):
        return "~now"
    return f"~{words[0]} {words[-1]}"


@lru_cache(maxsize=131072)
def _content_stem(written: str) -> str | None:
    """The stem of a word as written, or None for a stopword or a single letter."""
    word = written.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) < 2 or word in _STOPWORDS:
        return None
    return _CHANGE_VERBS.get(word) or _stem(word)


# --- sentences ------------------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the sentences of ``text``, blank lines included as breaks.

    A period after an initial or a known abbreviation ("U.S.", "Mr.", "H. W.") ends no sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith((".",)) and _ABBREVIATION.search(text, max(0, end - 12),
                                                                       match.start() + 1):
            continue
        if text[start:end].strip():
            spans.append(_trimmed(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- figures as slots -----------------------------------------------------------------------------

_FAMILIES: Final = {"percent": "share", "points": "share", "fraction": "share", "money": "money",
                    "count": "count", "multiplier": "multiplier", "measure": "measure",
                    "year": "year"}


@dataclass(frozen=True)
class _Slot:
    """One value of a figure: a figure, or one end of a range ("1990–2007", "10 to 15 years").

    ``role`` is "from" or "to" for the start or end of a change ("from 12.4 to 8.9 percent",
    "down to 8.9 percent from 12.4"), else None.
    """

    figure: Figure  # the figure as written (the whole range for an end)
    value: Figure  # this end alone, as a figure without a range
    sentence: int  # index of the sentence holding it
    family: str
    role: str | None = None
    duration: bool = False  # a count of years, months, days …


def _slots(figures: Iterable[Figure], sentence: int, text: str) -> list[_Slot]:
    slots: list[_Slot] = []
    for figure in figures:
        family = _FAMILIES.get(figure.kind, figure.kind)
        if figure.per not in (None, "year"):
            family += "/" + str(figure.per)  # "a day" is another quantity than a year's total
        duration = figure.kind == "count" and bool(_DURATION_AFTER.match(text, figure.end))
        if figure.high is None:
            slots.append(_Slot(figure, figure, sentence, family, _role(text, figure.start),
                               duration))
            continue
        low = Figure(figure.kind, figure.value, figure.unit, figure.text, figure.start,
                     figure.end, figure.hedge, None, figure.per)
        high = Figure(figure.kind, figure.high, figure.unit, figure.text, figure.start,
                      figure.end, figure.hedge, None, figure.per)
        slots += [_Slot(figure, low, sentence, family, None, duration),
                  _Slot(figure, high, sentence, family, None, duration)]
    return slots


def _role(text: str, start: int) -> str | None:
    """ "from" or "to" when the word before a figure (hedges aside) says so."""
    match = _ROLE_BEFORE.search(text, max(0, start - 40), start)
    return match.group(1).lower() if match else None


def equal(claim: Figure, source: Figure) -> bool:
    """Whether a claim figure states the source figure's quantity ("a fifth" = "20 percent")."""
    if same_value(claim, source):
        return True
    pair = {claim.kind, source.kind}
    if pair == {"percent", "fraction"}:
        share = claim.value if claim.kind == "percent" else claim.value * 100
        other = source.value if source.kind == "percent" else source.value * 100
        return claim.high is None and source.high is None and math.isclose(share, other,
                                                                           rel_tol=1e-6)
    return False


def _groups(slots: Sequence[_Slot], text: str) -> list[list[int]]:
    """Indexes of slots joined into groups: the ends of a range, or figures of one kind joined
    by "to", "and" or a dash ("between 1990 and 2007", "from 11 to 24 percent")."""
    groups: list[list[int]] = []
    previous: _Slot | None = None
    for index, slot in enumerate(slots):
        joined = previous is not None and previous.sentence == slot.sentence and (
            previous.family == slot.family) and (
            previous.figure is slot.figure
            or _RANGE_JOIN.match(text[previous.figure.end:slot.figure.start]) is not None)
        if joined:
            groups[-1].append(index)
        else:
            groups.append([index])
        previous = slot
    return groups


def _bound_years(slots: Sequence[_Slot], text: str) -> dict[int, tuple[int, ...]]:
    """For each non-year slot, the year group nearest to it in its sentence (following on ties)."""
    groups = [g for g in _groups(slots, text) if slots[g[0]].family == "year"]
    bound: dict[int, tuple[int, ...]] = {}
    for index, slot in enumerate(slots):
        if slot.family == "year":
            continue
        best: tuple[int, int, tuple[int, ...]] | None = None
        for group in groups:
            members = [slots[i] for i in group]
            if members[0].sentence != slot.sentence:
                continue
            gap = _gap(slot.figure, members[0].figure, members[-1].figure, text)
            after = 0 if members[0].figure.start >= slot.figure.end else 1
            candidate = (gap, after, tuple(group))
            if best is None or candidate[:2] < best[:2]:
                best = candidate
        if best is not None:
            bound[index] = best[2]
    return bound


def _gap(figure: Figure, first: Figure, last: Figure, text: str) -> int:
    """Words between ``figure`` and the span from ``first`` to ``last``."""
    if first.start >= figure.end:
        between = text[figure.end:first.start]
    elif last.end <= figure.start:
        between = text[last.end:figure.start]
    else:
        return 0
    return len(_WORD.findall(between))


# --- the source -----------------------------------------------------------------------------------


class SourceModel:
    """A source text cut into sentences, with their words, figures and word weights.

    A claim is scored only against the passages that share at least one of its words.
    """

    def __init__(self, text: str, figures: Sequence[Figure], *,
                 known: tuple[list[tuple[int, int]], list[dict[str, int]]] | None = None) -> None:
        """Cut ``text`` into sentences and count their words, or take ``known`` sentence spans
        and word counts (from `parts` of an earlier model of the same text)."""
        self.text = text
        self.sentences = known[0] if known else sentence_spans(text)
        starts = [start for start, _ in self.sentences]
        by_sentence: list[list[Figure]] = [[] for _ in self.sentences]
        for figure in figures:
            index = _sentence_of(starts, figure.start)
            if index is not None and figure.start < self.sentences[index][1]:
                by_sentence[index].append(figure)
        self.figures = by_sentence
        self._counts = known[1] if known else _sentence_counts(text, self.sentences, by_sentence)
        self._lengths = [sum(counts.values()) for counts in self._counts]
        # In how many sentences each word occurs (its document frequency, for BM25's idf).
        self._frequency = Counter(chain.from_iterable(self._counts))
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        self._terms: dict[int, list[_Term]] = {}
        self._families: dict[int, frozenset[str]] = {}

    def parts(self) -> tuple[list[tuple[int, int]], list[dict[str, int]]]:
        """The sentence spans and word counts, to build the model again without cutting."""
        return self.sentences, self._counts

    def weight(self, stem: str) -> float:
        """How much a word of the source tells passages apart (0 for words it lacks)."""
        found = self._frequency.get(stem, 0)
        return self._idf(found) if found else 0.0

    @cached_property
    def unknown_weight(self) -> float:
        """The weight of a middling word of the source (the median of its words' weights)."""
        if not self._frequency:
            return 1.0
        frequencies = sorted(self._frequency.values(), reverse=True)
        return self._idf(frequencies[len(frequencies) // 2])

    def _idf(self, found: int) -> float:
        total = max(1, len(self.sentences))
        return math.log(1 + (total - found + 0.5) / (found + 0.5))

    def terms(self, index: int) -> list[_Term]:
        """The content words of sentence ``index``, its figures masked (built on first use)."""
        if index not in self._terms:
            start, end = self.sentences[index]
            masked = [(f.start, f.end) for f in self.figures[index]]
            self._terms[index] = _terms(self.text, start, end, masked)
        return self._terms[index]

    def ranked(self, weighted: dict[str, float]) -> list[tuple[float, int, int]]:
        """Passages that share a word with the claim, best first, as ``(score, first, last)``.

        A passage is a sentence or a sentence with its neighbour; ``weighted`` holds the claim's
        stems, each with its weight in the claim times its idf in the source (see `weigh`). The
        score is BM25; ties go to the earlier and shorter passage.
        """
        matches: dict[int, dict[str, int]] = {}
        for index, counts in enumerate(self._counts):
            shared = {stem: counts[stem] for stem in weighted.keys() & counts.keys()}
            if shared:
                matches[index] = shared
        candidates: set[tuple[int, int]] = set()
        for index in matches:
            candidates.add((index, index))
            if index + 1 < len(self.sentences):
                candidates.add((index, index + 1))
            if index > 0:
                candidates.add((index - 1, index))
        scored = [(self._bm25(weighted, matches, first, last), first, last)
                  for first, last in candidates]
        return sorted(scored, key=lambda r: (-r[0], r[1], r[2]))

    def _bm25(self, weighted: dict[str, float], matches: dict[int, dict[str, int]],
              first: int, last: int) -> float:
        length = sum(self._lengths[first:last + 1])
        norm = _K1 * (1 - _B + _B * length / max(self._average, 1.0))
        tfs: dict[str, int] = {}
        for index in range(first, last + 1):
            for stem, count in matches.get(index, {}).items():
                tfs[stem] = tfs.get(stem, 0) + count
        return sum(weighted[stem] * tf * (_K1 + 1) / (tf + norm) for stem, tf in tfs.items())

    def weigh(self, query: dict[str, float]) -> dict[str, float]:
        """The stems of ``query`` that the source uses, each weight times the stem's idf."""
        weighted = {stem: weight * self.weight(stem) for stem, weight in query.items()}
        return {stem: weight for stem, weight in weighted.items() if weight}

    def families(self, first: int, last: int) -> set[str]:
        """The kinds of figure that sentences ``first``..``last`` state."""
        return set().union(*(self._families_of(i) for i in range(first, last + 1)))

    def _families_of(self, index: int) -> frozenset[str]:
        # Asked of passage after passage while a claim looks for one with its kinds of figure.
        if index not in self._families:
            slots = _slots(self.figures[index], index, self.text)
            self._families[index] = frozenset(slot.family for slot in slots)
        return self._families[index]

    def holds(self, stem: str, first: int, last: int) -> bool:
        """Whether sentences ``first``..``last`` contain a word with ``stem``."""
        return any(stem in self._counts[i] for i in range(first, last + 1))

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of sentences ``first``..``last``."""
        return self.sentences[first][0], self.sentences[last][1]


def _sentence_counts(text: str, sentences: Sequence[tuple[int, int]],
                     figures: Sequence[Sequence[Figure]]) -> list[dict[str, int]]:
    """The stems of each sentence and how often each occurs, figures masked.

    Words are read a stretch at a time between figures; relative times and compounds in one
    pass over the text, each given to the sentence it starts in.
    """
    stems: list[list[str]] = []
    for (start, end), found in zip(sentences, figures, strict=True):
        words: list[str] = []
        position = start
        for figure in sorted(found, key=lambda f: f.start):
            words += _WORD.findall(text, position, max(position, figure.start))
            position = max(position, figure.end)
        words += _WORD.findall(text, position, end)
        stems.append([stem for stem in map(_content_stem, words) if stem])
    masked = sorted((f.start, f.end) for found in figures for f in found)
    extras = _time_terms(text, 0, len(text)) + _compound_terms(text, 0, len(text))
    starts = [start for start, _ in sentences]
    for term in extras:
        index = _sentence_of(starts, term.start)
        if index is not None and term.start < sentences[index][1] and not _inside(masked,
                                                                                 term.start):
            stems[index].append(term.stem)
    return [dict(Counter(found)) for found in stems]


def _inside(spans: Sequence[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of the sorted ``spans``."""
    index = bisect_right(spans, (offset, math.inf)) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _sentence_of(starts: Sequence[int], offset: int) -> int | None:
    index = bisect_right(starts, offset) - 1
    return index if index >= 0 else None


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureJudgement:
    """What became of one claim figure.

    ``source`` is the source figure paired with it (for a contradiction: the value to suggest);
    ``reason`` is one line for the report.
    """

    figure: Figure
    outcome: Outcome
    source: Figure | None
    reason: str


@dataclass(frozen=True)
class ClaimResult:
    """A claim aligned to a source: its passage (None when none states it) and its figures.

    ``passage`` is the character span of the aligned sentence(s); ``coverage`` the share of the
    claim's weighted words found there; ``shared`` the words (stems) it has in common.
    """

    passage: tuple[int, int] | None
    best: tuple[int, int] | None
    coverage: float
    shared: tuple[str, ...]
    judgements: tuple[FigureJudgement, ...]

    @property
    def verified(self) -> int:
        """How many figures were verified."""
        return sum(1 for j in self.judgements if j.outcome == "verified")

    @property
    def all_verified(self) -> bool:
        """Whether every figure of the claim was verified."""
        return bool(self.judgements) and self.verified == len(self.judgements)


# --- judging a claim ------------------------------------------------------------------------------


def judge_claim(text: str, figures: Sequence[Figure], source: SourceModel, *,
                quoted: Sequence[tuple[int, int]] = ()) -> ClaimResult:
    """Align the claim ``text`` (whose ``figures`` index it) to ``source`` and judge each figure.

    Words inside the ``quoted`` spans of ``text`` do not count: a quotation is checked word for
    word on its own, and its words say what the quotation is about, not the figure.

    The passage is the best-ranked one that offers a figure of every kind the claim states, when
    it covers enough of the claim; else the best-ranked one, against which the figures are
    unsupported.
    """
    terms = _terms(text, 0, len(text), [(f.start, f.end) for f in figures] + list(quoted))
    query = _query(text, terms, figures)
    ranked = source.ranked(source.weigh(query))
    if not ranked:
        return ClaimResult(None, None, 0.0, (), tuple(
            _unsupported(f, "no passage of the source shares its words") for f in figures))
    families = {slot.family for slot in _slots(figures, 0, text)}
    fitting = next((r for r in ranked if families <= source.families(r[1], r[2])), None)
    for candidate in (fitting, ranked[0]):
        if candidate is None:
            continue
        _score, first, last = candidate
        shared = tuple(stem for stem in query if source.holds(stem, first, last))
        coverage = _coverage(query, shared, source)
        if coverage >= MIN_COVERAGE:
            first, last, judgements = _best_bound(text, figures, terms, source, first, last)
            shared = tuple(stem for stem in query if source.holds(stem, first, last))
            span = source.span(first, last)
            return ClaimResult(span, span, _coverage(query, shared, source),
                               _words(terms, shared), judgements)
    _score, first, last = ranked[0]
    shared = tuple(stem for stem in query if source.holds(stem, first, last))
    coverage = _coverage(query, shared, source)
    words = ", ".join(f"“{w}”" for w in _words(terms, shared)[:4])
    reason = (f"no passage of the source states this claim; the closest shares only {words}"
              if shared else "no passage of the source states this claim")
    return ClaimResult(None, source.span(first, last), coverage, _words(terms, shared),
                       tuple(_unsupported(f, reason) for f in figures))


def _best_bound(text: str, figures: Sequence[Figure], terms: Sequence[_Term],
                source: SourceModel, first: int,
                last: int) -> tuple[int, int, tuple[FigureJudgement, ...]]:
    """Bind the claim in the aligned sentence, or in it with a neighbour when the claim's
    figures fit their counterparts there better (a claim that spans two sentences of the
    source: "that figure … stood at just five percent" in the next one).

    The choice weighs only how the figures' words fit, never their values.
    """
    judgements, fit = _bind(text, figures, terms, source, first, last)
    best = (fit, first, last, judgements)
    if first == last:
        for wider in ((first - 1, first), (first, first + 1)):
            if wider[0] >= 0 and wider[1] < len(source.sentences):
                found, wider_fit = _bind(text, figures, terms, source, *wider)
                if wider_fit > best[0]:
                    best = (wider_fit, *wider, found)
    return best[1], best[2], best[3]


def _words(terms: Sequence[_Term], stems: Sequence[str]) -> tuple[str, ...]:
    """The claim's words for ``stems``, as first written (for messages)."""
    wanted = set(stems)
    return tuple(dict.fromkeys(t.word for t in terms if t.stem in wanted))


def _query(text: str, terms: Sequence[_Term], figures: Sequence[Figure]) -> dict[str, float]:
    """The claim's stems, each weighted by its nearness to the nearest figure of the claim.

    The words next to a figure say what it is about; the rest of a long clause (a quotation
    leading up to it, say) weighs less but still counts.
    """
    ends = sorted({f.start for f in figures} | {f.end for f in figures})
    positions = [len(_WORD.findall(text, 0, end)) for end in ends]
    query: dict[str, float] = {}
    for term in terms:
        rank = len(_WORD.findall(text, 0, term.start))
        distance = min((abs(rank - p) for p in positions), default=0)
        weight = max(_FAR_WEIGHT, 1.0 / (1.0 + distance / 4.0))
        query[term.stem] = max(query.get(term.stem, 0.0), weight)
    return query


def _coverage(query: dict[str, float], shared: Sequence[str], source: SourceModel) -> float:
    """The weighted share of the claim's words that the passage holds.

    A word the source never uses weighs as a middling word of the source: a claim about
    something the source does not discuss must not align on its few common words.
    """
    unknown = source.unknown_weight
    total = sum((source.weight(s) or unknown) * w for s, w in query.items())
    return sum(source.weight(s) * query[s] for s in shared) / total if total else 0.0


def _unsupported(figure: Figure, reason: str) -> FigureJudgement:
    return FigureJudgement(figure, "unsupported", None, reason)


def _bind(text: str, figures: Sequence[Figure], terms: Sequence[_Term], source: SourceModel,
          first: int, last: int) -> tuple[tuple[FigureJudgement, ...], float]:
    """Pair the claim's figures with those of sentences ``first``..``last``; the judgements and
    how well the pairs fit (the sum of their affinities)."""
    claim_slots = _slots(figures, 0, text)
    source_slots = [slot for i in range(first, last + 1)
                    for slot in _slots(source.figures[i], i, source.text)]
    claim_years = _bound_years(claim_slots, text)
    source_years = _bound_years(source_slots, source.text)
    claim_context = _contexts(claim_slots, [terms] * len(claim_slots), text)
    source_context = _contexts(source_slots, [source.terms(s.sentence) for s in source_slots],
                               source.text)
    pairing: dict[int, int] = {}
    fit = 0.0
    order = [i for i, s in enumerate(claim_slots) if s.family != "year"]
    order += [i for i, s in enumerate(claim_slots) if s.family == "year"]
    for family in dict.fromkeys(claim_slots[i].family for i in order):
        wanted = [i for i in order if claim_slots[i].family == family]
        offered = [j for j, s in enumerate(source_slots) if s.family == family]

        def affinity(i: int, j: int) -> float:
            score = _similarity(claim_context[i], source_context[j], source)
            score += _YEAR_BONUS * _year_agreement(
                i, j, claim_slots, source_slots, claim_years, source_years, pairing)
            if claim_slots[i].role and claim_slots[i].role == source_slots[j].role:
                score += _ROLE_BONUS
            if claim_slots[i].duration != source_slots[j].duration:
                score -= _ROLE_BONUS  # "6 months" is unlikely what "8 million" counts
            if equal(claim_slots[i].value, source_slots[j].value):
                score += _SAME_VALUE_EPSILON
            return score

        chosen = _assign(wanted, offered, affinity)
        chosen = _prefer_equal(chosen, offered, claim_slots, source_slots, affinity)
        fit += sum(affinity(i, j) for i, j in chosen.items())
        pairing.update(chosen)
    return _judgements(figures, claim_slots, source_slots, pairing, source, first, last), fit


def _contexts(slots: Sequence[_Slot], terms: Sequence[Sequence[_Term]],
              text: str) -> list[dict[str, float]]:
    """The words around each slot's group (``terms[i]``: the words of slot i's sentence)."""
    group_of: dict[int, list[int]] = {}
    for group in _groups(slots, text):
        for index in group:
            group_of[index] = group
    contexts: list[dict[str, float]] = []
    for index, slot in enumerate(slots):
        members = group_of[index]
        start = min(slots[i].figure.start for i in members)
        end = max(slots[i].figure.end for i in members)
        rivals = [(s.figure.start, s.figure.end) for i, s in enumerate(slots)
                  if i not in members and s.family == slot.family and s.sentence == slot.sentence]
        contexts.append(_context(start, end, rivals, terms[index], text))
    return contexts


def _context(start: int, end: int, rivals: Sequence[tuple[int, int]],
             terms: Sequence[_Term], text: str) -> dict[str, float]:
    """The words around the span ``start``..``end``, each weighted by nearness.

    A word between this span and a rival figure of the same kind belongs to one of the two: to
    the earlier when it comes before the first clause break between them, else to the later,
    since a figure's subject mostly comes before it ("judiciary by 40 percent and we have
    increased our prosecutors by 16 percent": "prosecutors" is 16's). With no break between
    them, it belongs to the nearer one (the other keeps it at half weight).
    """
    context: dict[str, float] = {}
    before = [t for t in terms if t.start < start]
    after = [t for t in terms if t.start >= end]
    for distance, term in enumerate(reversed(before)):
        _add(context, term, distance, (start, end), rivals, text)
    for distance, term in enumerate(after):
        _add(context, term, distance, (start, end), rivals, text)
    return context


def _add(context: dict[str, float], term: _Term, distance: int, span: tuple[int, int],
         rivals: Sequence[tuple[int, int]], text: str) -> None:
    weight = 1.0 / (1.0 + distance / 2.0)
    for rival in rivals:
        side = _side(term.start, span, rival, text)
        if side == "rival" or (side is None and _reach(term.start, rival) < _reach(term.start,
                                                                                    span)):
            weight *= _RIVAL_SHARE
    if weight > context.get(term.stem, 0.0):
        context[term.stem] = weight


def _side(offset: int, span: tuple[int, int], rival: tuple[int, int],
          text: str) -> Literal["span", "rival"] | None:
    """Which of two figures a word at ``offset`` between them belongs to by the first clause
    break between them; None when the word is not between them or no break divides them."""
    left, right = (span, rival) if span[1] <= rival[0] else (rival, span)
    if not left[1] <= offset < right[0]:
        return None
    first = _CLAUSE_BREAK.search(text, left[1], right[0])
    if first is None:
        return None
    on_right = offset >= first.end()
    return "span" if on_right == (left is rival) else "rival"


def _reach(offset: int, span: tuple[int, int]) -> int:
    return span[0] - offset if offset < span[0] else max(0, offset - span[1])


def _similarity(claim: dict[str, float], source_context: dict[str, float],
                source: SourceModel) -> float:
    return sum(source.weight(stem) * weight * source_context[stem]
               for stem, weight in claim.items() if stem in source_context)


def _year_agreement(i: int, j: int, claim_slots: Sequence[_Slot], source_slots: Sequence[_Slot],
                    claim_years: dict[int, tuple[int, ...]],
                    source_years: dict[int, tuple[int, ...]], pairing: dict[int, int]) -> float:
    """How well the years bound to claim slot ``i`` agree with those bound to source slot ``j``.

    For a figure: the overlap of the values of its bound year group and the source figure's. For
    a year: whether the source year belongs to the group bound to the source figure that the
    claim figure holding this year was paired with.
    """
    if claim_slots[i].family != "year":
        mine, theirs = claim_years.get(i), source_years.get(j)
        if not mine or not theirs:
            return 0.0
        a = {claim_slots[k].value.value for k in mine}
        b = {source_slots[k].value.value for k in theirs}
        return len(a & b) / len(a | b)
    for holder, group in claim_years.items():
        if i in group and holder in pairing:
            partner_years = source_years.get(pairing[holder], ())
            return 1.0 if j in partner_years else 0.0
    return 0.0


def _assign(wanted: Sequence[int], offered: Sequence[int],
            affinity: Callable[[int, int], float]) -> dict[int, int]:
    """Pair claim slots with source slots one to one, maximising affinity plus claim order."""
    if not wanted or not offered:
        return {}
    table = {(i, j): affinity(i, j) for i in wanted for j in offered}
    if len(offered) ** min(len(wanted), len(offered)) > 5000:
        return _greedy(wanted, offered, table)
    best: tuple[float, tuple[int, ...]] | None = None
    take = min(len(wanted), len(offered))
    for chosen in permutations(offered, take):
        total = sum(table[(i, j)] for i, j in zip(wanted[:take], chosen, strict=True))
        total += _ORDER_BONUS * _in_order(chosen)
        if best is None or total > best[0] + 1e-12:
            best = (total, chosen)
    assert best is not None
    pairing = dict(zip(wanted[:take], best[1], strict=True))
    if len(wanted) > take:  # more claim figures than source ones: the leftovers stay unpaired
        pairing = _greedy(wanted, offered, table)
    return pairing


def _prefer_equal(pairing: dict[int, int], offered: Sequence[int], claim_slots: Sequence[_Slot],
                  source_slots: Sequence[_Slot],
                  affinity: Callable[[int, int], float]) -> dict[int, int]:
    """Move a claim slot paired with an unequal value to a free slot of equal value that fits it
    nearly as well.

    Word overlap cannot always tell apart two figures of one sentence ("40 percent of their
    inputs from the United States, compared with 25 percent from Canada"); when the claim's value
    sits in a slot that no other claim figure takes and that fits at least `_NEAR_TIE` as well,
    the claim is read as stating that one. A slot bound to another year never fits as well,
    since the year bonus outweighs word overlap.
    """
    result = dict(pairing)
    for i, j in pairing.items():
        if equal(claim_slots[i].value, source_slots[j].value):
            continue
        taken = set(result.values())
        fit = affinity(i, j)
        for k in offered:
            if k in taken or not equal(claim_slots[i].value, source_slots[k].value):
                continue
            if affinity(i, k) >= _NEAR_TIE * fit:
                result[i] = k
                break
    return result


def _greedy(wanted: Sequence[int], offered: Sequence[int],
            table: dict[tuple[int, int], float]) -> dict[int, int]:
    pairing: dict[int, int] = {}
    used: set[int] = set()
    for (i, j), _value in sorted(table.items(), key=lambda item: (-item[1], item[0])):
        if i not in pairing and j not in used:
            pairing[i] = j
            used.add(j)
    return pairing


def _in_order(chosen: Sequence[int]) -> int:
    return sum(1 for a, b in pairwise(chosen) if a < b)


def _judgements(figures: Sequence[Figure], claim_slots: Sequence[_Slot],
                source_slots: Sequence[_Slot], pairing: dict[int, int], source: SourceModel,
                first: int, last: int) -> tuple[FigureJudgement, ...]:
    results: list[FigureJudgement] = []
    for figure in figures:
        ends = [i for i, slot in enumerate(claim_slots) if slot.figure is figure]
        results.append(_judge(figure, ends, claim_slots, source_slots, pairing, source,
                              first, last))
    return tuple(results)


def _judge(figure: Figure, ends: Sequence[int], claim_slots: Sequence[_Slot],
           source_slots: Sequence[_Slot], pairing: dict[int, int], source: SourceModel,
           first: int, last: int) -> FigureJudgement:
    paired = [source_slots[pairing[i]] if i in pairing else None for i in ends]
    if any(p is None for p in paired):
        noun = _NOUNS.get(claim_slots[ends[0]].family, "such figure")
        return _unsupported(figure, f"the passage that states this claim gives no {noun}")
    wrong = [(claim_slots[i], p) for i, p in zip(ends, paired, strict=True)
             if p is not None and not equal(claim_slots[i].value, p.value)]
    match = paired[0]
    assert match is not None
    if not wrong:
        return FigureJudgement(figure, "verified", match.figure,
                               f"{_quoted(figure)} matches {_quoted(match.figure)} in the source")
    _claimed, other = wrong[0]
    return FigureJudgement(
        figure, "contradicted", other.figure,
        f"the source gives {_quoted(other.figure)} where the brief has {_quoted(figure)}")


_NOUNS: Final = {"share": "percentage or share", "money": "sum of money", "count": "count",
                 "multiplier": "multiple", "measure": "measure", "year": "year"}


def _quoted(figure: Figure) -> str:
    return "“" + " ".join(figure.text.split()) + "”"
