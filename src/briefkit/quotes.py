"""Quotations: their grammar, and the matcher that checks one against a source's key.

A quotation is verified only by an exact search on the comparison key (`briefkit.normalize`),
with the changes an editor allows:

- silently: the first letter's case (of the quotation and of a passage after an ellipsis); end
  punctuation (``. , ; : ! ?``) just inside the closing mark, where the source has other or none;
  straight or curly, single or double quote marks; dash and space style; line breaks; a hyphen
  at a line break of the source, read either way; footnote callouts of the source left out
  ("country,2 are" matches "country, are"; digits of the quotation are never skipped);
- when marked: an ellipsis (``...``, ``…``, ``. . .``, four dots across a sentence end, ``[...]``)
  joins passages that must each match, in order, the next one starting at most `ELLIPSIS_SPAN`
  characters of the key after the previous one ends, with at least one omitted word between
  them; square brackets (``[t]he``, ``[Mexico's]``) stand for source text at exactly that place:
  at least one character and at most `BRACKET_WORDS` words (a bracket glued to a word stands for
  part of that word); ``[sic]`` requires the word before it to match exactly, case included;
  ``(emphasis added)`` and the like are ignored. Brackets are read literally first, so a source
  with brackets of its own matches the same bracketed text.

Everything else (a changed, added or dropped word, changed punctuation inside the quotation, a
changed number) is an error. Fuzzy matching (rapidfuzz) only builds the explanation of an error:
the nearest passage, its wording, and a word-level difference. It never verifies anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from .normalize import CALLOUT, KeyView, Normalized, fold, normalize

ELLIPSIS_SPAN = 2_000  # key characters allowed between the passages joined by one ellipsis
BRACKET_WORDS = 6  # most source words one bracketed insertion may stand for
BRACKET_CHARS = 80  # most source characters one bracketed insertion may stand for
NEAR_MISS = 80.0  # similarity (0-100) from which the nearest passage is reported as a mismatch
LOCATE = 50.0  # fuzzy location score below which no passage is considered near
MAX_CANDIDATES = 2_000  # occurrences of one passage tried before giving up (very short passages)

Verdict = Literal["verified", "mismatch", "not-found"]


@dataclass(frozen=True)
class QuoteMatch:
    """The outcome of checking one quotation against one source.

    ``start``/``end`` are offsets in the source's original text of the matched passage (or, for a
    mismatch, of the nearest one); -1 when there is none. ``message`` is one line. ``score`` is
    100 for a verified quotation and the fuzzy similarity (0-100) of the nearest passage
    otherwise. ``suggestion`` is the source's wording of the nearest passage (original text,
    whitespace collapsed); ``detail`` a word-level difference for people.
    """

    verdict: Verdict
    start: int
    end: int
    message: str
    score: float
    suggestion: str | None = None
    detail: str | None = None


# The grammar -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A passage of a quotation between marks: it must occur verbatim (on the key).

    ``text`` is its folded key; ``hard`` the positions of its hyphens inside a line and
    ``hyphens`` those of all its hyphens (see `briefkit.normalize`); ``sic`` the spans of words
    followed by ``[sic]``.
    """

    text: str
    raw: str
    hard: tuple[int, ...] = ()
    hyphens: tuple[int, ...] = ()
    case_free: bool = False
    tail: bool = False
    sic: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Gap:
    """An ellipsis or a bracketed insertion between (or around) segments."""

    kind: Literal["ellipsis", "bracket"]
    label: str
    space_before: bool = True
    space_after: bool = True
    words: int = BRACKET_WORDS


@dataclass(frozen=True)
class QuoteForm:
    """One reading of a quotation: segments, and the gaps before, between and after them."""

    segments: tuple[Segment, ...]
    gaps: tuple[Gap | None, ...]

    @property
    def has(self) -> frozenset[str]:
        """The kinds of marks this reading uses: "ellipsis", "bracket", "sic"."""
        kinds: set[str] = {g.kind for g in self.gaps if g is not None}
        if any(s.sic for s in self.segments):
            kinds.add("sic")
        return frozenset(kinds)


_MARK = re.compile(
    r"(?P<ellipsis>\[\s*(?:\.\s?){3,}\s*\]|\[\s*\u2026\s*\]|(?:\.\s?){2,}\.|\.?\s?\u2026(?:\s?\.)?)"
    r"|(?P<sic>\[\s*sic\s*!?\s*\])"
    r"|(?P<emphasis>[\[(]\s*(?:emphasis|italics)\s+(?:added|mine|supplied|in\s+(?:the\s+)?original)"
    r"\s*[\])])"
    r"|(?P<bracket>\[[^\[\]]*\])",
    re.IGNORECASE)
_SIC = "\ue000"  # stands for [sic] inside a segment while it is normalised
_END_PUNCTUATION = ".,;:!?"


def parse_quote(quote: str) -> tuple[QuoteForm, ...]:
    """The readings of ``quote``, tried in order; the last one is the quotation's marked form.

    Marks are first read as text (the source may have brackets or an ellipsis of its own), then
    ellipses as marks, then brackets too. Emphasis notes are dropped in every reading.
    """
    kinds = {m.lastgroup for m in _MARK.finditer(quote)}
    readings: list[frozenset[str]] = []
    if kinds & {"ellipsis", "bracket", "sic"}:
        readings.append(frozenset())
    if "ellipsis" in kinds and kinds & {"bracket", "sic"}:
        readings.append(frozenset({"ellipsis"}))
    readings.append(frozenset({"ellipsis", "bracket", "sic"}))
    return tuple(_form(quote, marks) for marks in readings)


def _form(quote: str, marks: frozenset[str]) -> QuoteForm:
    builder = _FormBuilder()
    last = 0
    for mark in _MARK.finditer(quote):
        kind = mark.lastgroup or ""
        if kind != "emphasis" and kind not in marks:
            continue
        builder.text(quote[last:mark.start()])
        last = mark.end()
        if kind == "sic":
            builder.sic()
        elif kind != "emphasis":
            before = mark.start() == 0 or quote[mark.start() - 1].isspace()
            after = mark.end() == len(quote) or quote[mark.end()].isspace()
            gap_kind: Literal["ellipsis", "bracket"] = (
                "ellipsis" if kind == "ellipsis" else "bracket")
            builder.gap(Gap(gap_kind, mark.group(), before, after))
    builder.text(quote[last:])
    return builder.finish()


@dataclass
class _FormBuilder:
    """Collects segments and gaps while a quotation is read from left to right."""

    parts: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    gaps: list[Gap | None] = field(default_factory=list)
    pending: Gap | None = None

    def text(self, text: str) -> None:
        self.parts.append(text)

    def sic(self) -> None:
        if self.parts:
            self.parts[-1] = self.parts[-1].rstrip()
        self.parts.append(_SIC)

    def gap(self, gap: Gap) -> None:
        self._flush()
        self.pending = gap if self.pending is None else _merge(self.pending, gap)

    def finish(self) -> QuoteForm:
        self._flush()
        segments, gaps = self.segments, [*self.gaps, self.pending]
        if len(segments) > 1 and all(c in _END_PUNCTUATION for c in segments[-1].text):
            # "called it [NAFTA]." : the closing punctuation after a bracket is not a passage
            segments.pop()
            gaps.pop()
        for edge in (0, -1):  # an ellipsis at either end stands for nothing to check
            if (gap := gaps[edge]) is not None and gap.kind == "ellipsis":
                gaps[edge] = None
        for i, segment in enumerate(segments):
            # The last passage, and a passage before an ellipsis, may drop its end punctuation.
            following = gaps[i + 1]
            if following is None or following.kind == "ellipsis":
                ends = segment.text[-1] in _END_PUNCTUATION and len(segment.text) > 1
                segments[i] = replace(segment, tail=ends)
        return QuoteForm(tuple(segments), tuple(gaps))

    def _flush(self) -> None:
        raw = "".join(self.parts)
        self.parts = []
        if not raw.replace(_SIC, "").strip():
            return
        gap = self.pending
        after_ellipsis = gap is None or gap.kind == "ellipsis"
        self.segments.append(_segment(raw, case_free=after_ellipsis))
        self.gaps.append(gap)
        self.pending = None


def _merge(first: Gap, second: Gap) -> Gap:
    if "ellipsis" in (first.kind, second.kind):
        return Gap("ellipsis", first.label + second.label)
    return Gap("bracket", first.label + second.label, first.space_before, second.space_after,
               first.words + second.words)


def _segment(raw: str, *, case_free: bool) -> Segment:
    """One passage's key, hyphen positions and marks (``_SIC`` after a word marks [sic])."""
    key = normalize(f" {raw} ")  # spaces around, so that "- Mexico" reads as a spaced dash
    text = fold(key.text)
    lead = len(text) - len(text.lstrip(" "))
    text = text.strip(" ")
    hard = [p - lead for p in key.hard_hyphens]
    breaks = [p - lead for p in key.break_hyphens]
    sic: list[tuple[int, int]] = []
    while (at := text.find(_SIC)) >= 0:
        text = text[:at] + text[at + 1:]
        hard = [p - 1 if p > at else p for p in hard]
        breaks = [p - 1 if p > at else p for p in breaks]
        start = text.rfind(" ", 0, at) + 1
        if start < at:
            sic.append((start, at))
    display = " ".join(raw.replace(_SIC, " [sic]").split())
    return Segment(
        text=text, raw=display, hard=tuple(hard), hyphens=tuple(sorted(hard + breaks)),
        case_free=case_free and text[:1].isalpha(), sic=tuple(sic))


# The matcher -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """What a search enforces; relaxed copies tell which rule a near match breaks."""

    hyphens: bool = True
    sic: bool = True
    brackets: bool = True
    ellipsis_words: bool = True
    span: int = ELLIPSIS_SPAN


_STRICT = _Rules()


@dataclass(frozen=True)
class _Found:
    """Where a reading of a quotation was found: a view and the view span of each segment."""

    view: KeyView
    spans: tuple[tuple[int, int], ...]
    start: int
    end: int


def match_quote(quote: str, source: Normalized, *, fuzzy: bool = True) -> QuoteMatch:
    """Check the quotation ``quote`` (plain text, Markdown removed) against ``source``.

    Verified only on an exact match of the key under the rules of the module docstring. With
    ``fuzzy`` false a failure is reported as "not-found" without looking for the nearest passage
    (for fast "is it anywhere?" questions).
    """
    forms = parse_quote(quote)
    if not forms[-1].segments:
        return QuoteMatch("not-found", -1, -1, "the quotation has no words to compare", 0.0)
    for form in forms:
        found = _search(form, source, _STRICT)
        if found is not None:
            start, end = _original(source, found)
            return QuoteMatch("verified", start, end, "quote matches the source", 100.0)
    if not fuzzy:
        return QuoteMatch("not-found", -1, -1, "quote not found in the source", 0.0)
    return _explain(forms[-1], source)


def _search(form: QuoteForm, source: Normalized, rules: _Rules) -> _Found | None:
    for view in _views(source):
        spans = _Placer(form, source, view, rules).place(0, 0, len(view.text), 0)
        if spans is not None:
            start, end = _extent(form, view.text, spans)
            return _Found(view, tuple(spans), start, end)
    return None


def _views(source: Normalized) -> tuple[KeyView, ...]:
    if source.callouts:
        return (source.folded, source.without_callouts)
    return (source.folded,)


@dataclass
class _Placer:
    """Backtracking placement of a reading's segments in one view of the source."""

    form: QuoteForm
    source: Normalized
    view: KeyView
    rules: _Rules
    budget: int = MAX_CANDIDATES * 4

    def place(self, i: int, lo: int, hi: int, previous: int) -> list[tuple[int, int]] | None:
        """Spans for segments ``i`` onwards, segment ``i`` starting within ``[lo, hi]``."""
        segment = self.form.segments[i]
        last = i == len(self.form.segments) - 1
        for start, end in _occurrences(self.view.text, segment, lo, hi):
            self.budget -= 1
            if self.budget < 0:
                return None
            if not self._fits(i, start, end, previous):
                continue
            if last:
                return [(start, end)]
            following = self._window(self.form.gaps[i + 1], end)
            rest = self.place(i + 1, *following, end)
            if rest is not None:
                return [(start, end), *rest]
        return None

    def _window(self, gap: Gap | None, end: int) -> tuple[int, int]:
        if gap is not None and gap.kind == "bracket":
            return end, end + BRACKET_CHARS
        return end, end + self.rules.span

    def _fits(self, i: int, start: int, end: int, previous: int) -> bool:
        form, text = self.form, self.view.text
        before, after = form.gaps[i], form.gaps[i + 1]
        if i > 0 and before is not None and not self._gap_ok(before, text[previous:start]):
            return False
        if i == 0 and not self._leading_ok(before, start):
            return False
        if i == len(form.segments) - 1 and not self._trailing_ok(after, end):
            return False
        segment = form.segments[i]
        return (self._edges_ok(segment, before, after, start, end)
                and self._hyphens_ok(segment, start, end)
                and self._sic_ok(segment, start))

    def _gap_ok(self, gap: Gap, between: str) -> bool:
        if gap.kind == "ellipsis":
            return not self.rules.ellipsis_words or any(c.isalnum() for c in between)
        if not self.rules.brackets:
            return True
        inner = between.strip(" ")
        return (bool(inner) and gap.space_before == between.startswith(" ")
                and gap.space_after == between.endswith(" ")
                and len(inner.split()) <= gap.words)

    def _leading_ok(self, gap: Gap | None, start: int) -> bool:
        if gap is None or gap.kind != "bracket" or not self.rules.brackets:
            return True
        text = self.view.text
        if gap.space_after:  # "[Mexico's] economy": a word, a space, then the passage
            return start >= 2 and text[start - 1] == " " and text[start - 2] != " "
        return start >= 1 and text[start - 1] != " "

    def _trailing_ok(self, gap: Gap | None, end: int) -> bool:
        if gap is None or gap.kind != "bracket" or not self.rules.brackets:
            return True
        text = self.view.text
        if gap.space_before:
            return end + 1 < len(text) and text[end] == " " and text[end + 1] != " "
        return end < len(text) and text[end] != " "

    def _edges_ok(self, segment: Segment, before: Gap | None, after: Gap | None,
                  start: int, end: int) -> bool:
        """A passage starts and ends at word boundaries unless a bracket is glued to it.

        A number is one word: "4 billion" does not start inside "$1.4 billion", nor "$1." end
        inside it. A dropped hyphen is a boundary ("looking" in "inward-looking").
        """
        glued_before = before is not None and before.kind == "bracket" and not before.space_after
        glued_after = after is not None and after.kind == "bracket" and not after.space_before
        return ((glued_before or self._starts_ok(segment.text[0], start))
                and (glued_after or self._ends_ok(end)))

    def _starts_ok(self, first: str, start: int) -> bool:
        text = self.view.text
        if start == 0 or not first.isalnum():
            return True
        if text[start - 1].isalnum() and not self._hyphen_at(start):
            return False
        return not _inside_number(text, start - 1, start - 2, first)

    def _ends_ok(self, end: int) -> bool:
        text = self.view.text
        if end >= len(text):
            return True
        if not text[end - 1].isalnum():
            return not (end >= 2 and _inside_number(text, end - 1, end, text[end - 2]))
        if _inside_number(text, end, end + 1, text[end - 1]):
            return False
        return not text[end].isalnum() or self._hyphen_at(end)

    def _hyphen_at(self, i: int) -> bool:
        return self.source.has_hyphen(self.view.to_key(i))

    def _hyphens_ok(self, segment: Segment, start: int, end: int) -> bool:
        """Every hard hyphen of the source is in the quotation; every hyphen of it in the source."""
        if not self.rules.hyphens:
            return True
        to_key = self.view.to_key
        quoted = {to_key(start + r) for r in segment.hyphens if start + r < end}
        begin, finish = to_key(start), self.view.to_key_end(end)
        if any(p not in quoted for p in self.source.hyphens_between(begin, finish)):
            return False
        return all(self.source.has_hyphen(to_key(start + r))
                   for r in segment.hard if start + r < end)

    def _sic_ok(self, segment: Segment, start: int) -> bool:
        if not self.rules.sic:
            return True
        text = self.view.text
        return all(text[start + a:start + b] == segment.text[a:b] for a, b in segment.sic)


def _inside_number(text: str, mark: int, beyond: int, digit: str) -> bool:
    """True when ``digit`` is a digit and a decimal point or thousands comma at ``mark`` joins
    it to the digit at ``beyond``."""
    return (digit.isdigit() and 0 <= beyond < len(text) and text[mark] in ".,"
            and text[beyond].isdigit())


def _occurrences(text: str, segment: Segment, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Exact occurrences of the segment's needles starting within ``[lo, hi]``.

    Needles come in order of preference (as quoted, then without the end punctuation, then with
    the first letter's case changed), each one's occurrences from left to right.
    """
    seen = 0
    for needle in _needles(segment):
        limit = min(len(text), hi + len(needle))
        at = text.find(needle, lo, limit)
        while at >= 0 and seen < MAX_CANDIDATES:
            seen += 1
            yield at, at + len(needle)
            at = text.find(needle, at + 1, limit)


def _needles(segment: Segment) -> list[str]:
    bases = [segment.text]
    if segment.tail:
        stripped = segment.text[:-1].rstrip(" ")
        if stripped:
            bases.append(stripped)
    needles = list(bases)
    if segment.case_free:
        needles += [b[0].swapcase() + b[1:] for b in bases if b[0].swapcase() != b[0]]
    return needles


def _extent(form: QuoteForm, text: str, spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The view range of a placement, with what edge brackets stand for."""
    start, end = spans[0][0], spans[-1][1]
    leading, trailing = form.gaps[0], form.gaps[-1]
    if leading is not None and leading.kind == "bracket":
        cut = max(0, start - BRACKET_CHARS)
        edge = start - 1 if leading.space_after else start
        start = max(cut, text.rfind(" ", cut, max(cut, edge)) + 1)
    if trailing is not None and trailing.kind == "bracket":
        edge = end + 1 if trailing.space_before else end
        stop = text.find(" ", edge, end + BRACKET_CHARS)
        end = stop if stop >= 0 else min(len(text), end + BRACKET_CHARS)
    return start, end


def _original(source: Normalized, found: _Found) -> tuple[int, int]:
    view = found.view
    return source.original_range(view.to_key(found.start), view.to_key_end(found.end))


# Explaining a failure --------------------------------------------------------------------------


_RELAXATIONS: tuple[tuple[str, _Rules, str], ...] = (
    ("sic", _Rules(sic=False), "the word before [sic] is not exactly as in the source"),
    ("", _Rules(hyphens=False), "hyphenation differs from the source"),
    ("bracket", _Rules(brackets=False),
     "a bracketed insertion must stand for source text (one to a few words) at that place"),
    ("ellipsis", _Rules(ellipsis_words=False),
     "an ellipsis must stand for at least one omitted word"),
    ("ellipsis", _Rules(span=10**12),
     f"the passages joined by an ellipsis are more than {ELLIPSIS_SPAN:,} characters apart "
     "in the source"),
)


def _explain(form: QuoteForm, source: Normalized) -> QuoteMatch:
    """Why ``form`` failed: a broken rule, passages out of order, or the nearest passage."""
    for needs, rules, message in _RELAXATIONS:
        if needs and needs not in form.has:
            continue
        found = _search(form, source, rules)
        if found is not None:
            start, end = _original(source, found)
            wording = _wording(source.original[start:end])
            detail = f"quote:  {_quoted_wording(form)}\nsource: {wording}"
            return QuoteMatch("mismatch", start, end, message, _similarity(form, found),
                              wording, detail)
    alone = [_search(_alone(form, i), source, _Rules(brackets=False))
             for i in range(len(form.segments))]
    missing = [i for i, found in enumerate(alone) if found is None]
    if not missing:
        first = alone[0]
        assert first is not None
        start, end = _original(source, first)
        message = ("the passages joined by an ellipsis are out of order in the source"
                   if "ellipsis" in form.has else "the passages around a bracketed insertion "
                   "are not together in the source")
        return QuoteMatch("mismatch", start, end, message, _similarity(form, first),
                          _wording(source.original[start:end]))
    return _nearest(form.segments[missing[0]], source)


def _similarity(form: QuoteForm, found: _Found) -> float:
    from rapidfuzz import fuzz

    quoted = " ".join(s.text for s in form.segments)
    return float(fuzz.ratio(quoted, found.view.text[found.start:found.end]))


def _alone(form: QuoteForm, i: int) -> QuoteForm:
    gaps = [g if g is not None and g.kind == "bracket" else None
            for g in (form.gaps[i], form.gaps[i + 1])]
    return QuoteForm((form.segments[i],), tuple(gaps))


def _quoted_wording(form: QuoteForm) -> str:
    parts: list[str] = []
    for gap, segment in zip(form.gaps, form.segments, strict=False):
        if gap is not None:
            parts.append(gap.label)
        parts.append(segment.raw)
    if form.gaps[-1] is not None:
        parts.append(form.gaps[-1].label)
    return " ".join(parts)


def _nearest(segment: Segment, source: Normalized) -> QuoteMatch:
    """Locate the passage most like ``segment`` and explain the difference word by word."""
    from rapidfuzz import fuzz

    view = source.folded
    needle, haystack = segment.text.lower(), view.lowered
    alignment = fuzz.partial_ratio_alignment(needle, haystack) if needle and haystack else None
    if alignment is None:
        return QuoteMatch("not-found", -1, -1, "quote not found in the source", 0.0)
    swapped = len(needle) > len(haystack)  # rapidfuzz then aligns the other way round
    begin = alignment.src_start if swapped else alignment.dest_start
    finish = alignment.src_end if swapped else alignment.dest_end
    score = float(alignment.score)
    if score >= LOCATE:
        # The aligned window is as long as the quotation; a little more on each side lets the
        # word difference see source words the quotation dropped, and trimming takes off what
        # is extra. The passage found is then scored as a whole against the quotation.
        margin = max(12, len(needle) // 4)
        begin, finish = _widen(view.text, max(0, begin - margin),
                               min(len(haystack), finish + margin))
        start, end = source.original_range(view.to_key(begin), view.to_key_end(finish))
        match = _difference(segment, source.original, start, end)
        if match.score >= NEAR_MISS:
            return match
        score = max(score, match.score)
    return QuoteMatch("not-found", -1, -1, "quote not found in the source "
                      f"(the closest passage scores {score:.0f}/100)", score)


def _widen(text: str, begin: int, finish: int) -> tuple[int, int]:
    """Extend a view range to whole words."""
    while begin > 0 and text[begin - 1].isalnum():
        begin -= 1
    while finish < len(text) and text[finish].isalnum():
        finish += 1
    return begin, finish


# Word-level differences ------------------------------------------------------------------------


_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*"
    r"|\w+(?:(?:['\u2019\u2010\u2011\xad-]|-[^\S\n]*\n\s*)\w+)*"
    r"|[^\w\s]")
_TOKEN_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": "'", "\u201d": "'",
                             '"': "'", "-": None, "\u2010": None, "\u2011": None, "\xad": None,
                             "\n": None, " ": None, "\t": None, "\r": None, "\u2013": "\u2014"})
_SIC_NOTE = re.compile(r"\[\s*sic\s*!?\s*\]", re.IGNORECASE)
_TRIM = 8  # most source words trimmed from either end of the located passage
NUMBER_WORDS = frozenset((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions",
    "trillion", "trillions", "dozen", "dozens", "half", "quarter", "quarters", "twice", "thrice",
    "double", "doubled", "triple", "tripled", "quadruple", "quadrupled", "first", "second",
    "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "percent",
))


@dataclass(frozen=True)
class _Token:
    """A word, number or punctuation mark; ``key`` is what is compared."""

    text: str
    start: int
    end: int
    key: str


@dataclass(frozen=True)
class _Change:
    """Quotation tokens ``[q1, q2)`` stand where the source has tokens ``[s1, s2)``."""

    q1: int
    q2: int
    s1: int
    s2: int


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    stop = len(text) if end is None else end
    return [_Token(m.group(), m.start(), m.end(),
                   unicodedata.normalize("NFKC", m.group()).translate(_TOKEN_FOLD).lower())
            for m in _TOKEN.finditer(text, start, stop)]


def _difference(segment: Segment, original: str, start: int, end: int) -> QuoteMatch:
    """A mismatch between ``segment`` and the source passage ``original[start:end]``.

    The score is the similarity (0-100) of the quotation and the passage, word keys compared
    letter by letter or word by word, whichever is higher: one word dropped from a short
    quotation costs many letters but only one word.
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Indel

    raw = " ".join(_SIC_NOTE.sub(" ", segment.raw).split())
    quote = _tokens(raw)
    passage = _trim(quote, _without_callouts(_tokens(original, start, end), original, quote,
                                             start, end))
    if passage:
        start, end = passage[0].start, passage[-1].end
    keys, found = [t.key for t in quote], [t.key for t in passage]
    score = max(float(fuzz.ratio(" ".join(keys), " ".join(found))),
                100.0 * Indel.normalized_similarity(keys, found))
    wording = _wording(original[start:end])
    changes = _changes(quote, passage)
    if not changes:
        return QuoteMatch("mismatch", start, end, "quote differs from the source in letter case "
                          "or spacing", score, wording, f"quote:  {raw}\nsource: {wording}")
    parts = [_describe(change, quote, passage) for change in changes]
    message = "misquoted: " + "; ".join(parts[:2]) + ("; …" if len(parts) > 2 else "")
    lines = [f"quote:  {_context(raw, quote, c.q1, c.q2)}\n"
             f"source: {_context(original, passage, c.s1, c.s2)}" for c in changes[:3]]
    return QuoteMatch("mismatch", start, end, message, score, wording, "\n".join(lines))


def _without_callouts(passage: list[_Token], text: str, quote: list[_Token], start: int,
                      end: int) -> list[_Token]:
    """The passage without the footnote callouts that the quotation leaves out."""
    quoted = {t.key for t in quote}
    callouts = {m.start() for m in CALLOUT.finditer(text, start, end)}
    return [t for t in passage if t.start not in callouts or t.key in quoted]


def _trim(quote: list[_Token], passage: list[_Token]) -> list[_Token]:
    """The passage without the extra source words at its ends that fit the quotation worst."""
    from rapidfuzz.distance import Levenshtein

    # Compared as characters, so that a word split or joined ("Democrats because") costs little
    # and an unrelated extra word costs much; on a tie the longer passage wins.
    wanted = " ".join(t.key for t in quote)
    joined = " ".join(t.key for t in passage)
    starts: list[int] = []
    at = 0
    for token in passage:
        starts.append(at)
        at += len(token.key) + 1
    limit = min(_TRIM, max(0, len(passage) - 1))
    best = (len(wanted) + len(joined) + 1, 0, len(passage))
    for lo in range(limit + 1):
        for hi in range(len(passage), max(lo, len(passage) - limit - 1), -1):
            piece = joined[starts[lo]:starts[hi - 1] + len(passage[hi - 1].key)]
            cost = Levenshtein.distance(wanted, piece, score_cutoff=best[0])
            if cost < best[0]:
                best = (cost, lo, hi)
    return passage[best[1]:best[2]]


def _changes(quote: list[_Token], passage: list[_Token]) -> list[_Change]:
    """Runs of differing tokens (adjacent edits merged into one change)."""
    from rapidfuzz.distance import Levenshtein

    changes: list[_Change] = []
    for op in Levenshtein.opcodes([t.key for t in quote], [t.key for t in passage]):
        if op.tag == "equal":
            continue
        last = changes[-1] if changes else None
        if last is not None and last.q2 == op.src_start and last.s2 == op.dest_start:
            changes[-1] = _Change(last.q1, op.src_end, last.s1, op.dest_end)
        else:
            changes.append(_Change(op.src_start, op.src_end, op.dest_start, op.dest_end))
    return changes


def _describe(change: _Change, quote: list[_Token], passage: list[_Token]) -> str:
    ours = _wording(" ".join(t.text for t in quote[change.q1:change.q2]))
    theirs = _wording(" ".join(t.text for t in passage[change.s1:change.s2]))
    touched = quote[change.q1:change.q2] + passage[change.s1:change.s2]
    if any(_is_number(t.text) for t in touched):
        what = "number"
    elif all(not t.text[0].isalnum() for t in touched):
        what = "punctuation"
    else:
        what = "wording"
    if ours and theirs:
        return f"{what} changed: quote has “{ours}” where the source has “{theirs}”"
    if ours:
        return f"{what} added: quote has “{ours}”, not in the source"
    return f"{what} dropped: the source has “{theirs}” here"


def _is_number(token: str) -> bool:
    return any(c.isdigit() for c in token) or token.lower() in NUMBER_WORDS


def _context(text: str, tokens: list[_Token], first: int, last: int, *, around: int = 3) -> str:
    """The tokens ``[first, last)`` with a few around them, as written in ``text``."""
    lo, hi = max(0, first - around), min(len(tokens), last + around)
    if hi <= lo:
        return ""
    shown = _wording(text[tokens[lo].start:tokens[hi - 1].end])
    return ("… " if lo > 0 else "") + shown + (" …" if hi < len(tokens) else "")


def _wording(text: str) -> str:
    """Original text for display: a hyphen at a line break joined, whitespace collapsed."""
    return " ".join(_BROKEN_HYPHEN.sub("-", text).split())


_BROKEN_HYPHEN = re.compile(r"(?<=\w)-[^\S\n]*\n\s*(?=\w)")
