"""Quotations: their grammar, and the matcher that checks one against a source's key.

A quotation is verified only by an exact search on the comparison key (`briefkit.claims.normalize`),
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
from functools import lru_cache
from typing import Literal

from .normalize import EMPHASIS, KeyView, Normalized, fold, normalize

ELLIPSIS_SPAN = 2_000  # key characters allowed between the passages joined by one ellipsis
BRACKET_WORDS = 6  # most source words one bracketed insertion may stand for
BRACKET_CHARS = 80  # most source characters one bracketed insertion may stand for
NEAR_MISS = 80.0  # similarity (0-100) from which the nearest passage is reported as a mismatch
ANCHORED_NEAR_MISS = 60.0  # the same, for a passage right after a passage of the quotation found
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
    ``hyphens`` those of all its hyphens (see `normalize`); ``sic`` the spans of words
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
    index = missing[0]
    before = alone[index - 1] if index > 0 else None
    if before is not None:
        # The passage before an ellipsis or bracket was found: the missing one is near it.
        start = max(0, before.end - 20)  # its view may differ a little (footnote callouts)
        anchored = _nearest(form, index, source, within=(start, before.end + ELLIPSIS_SPAN),
                            least=ANCHORED_NEAR_MISS)
        if anchored.verdict == "mismatch":
            return anchored
    return _nearest(form, index, source)


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


def _nearest(form: QuoteForm, index: int, source: Normalized, *,
             within: tuple[int, int] | None = None, least: float = NEAR_MISS) -> QuoteMatch:
    """Locate the passage most like segment ``index`` of ``form`` and explain the difference.

    ``within`` limits the search to a range of the view; ``least`` is the similarity from which
    the passage found is reported as a mismatch.

    The passage is located by fuzzy search, then the quotation's words are aligned with the
    source's words around it (`_align`), so that the passage reported is the quotation's own
    span in the source, no more, and the differences named are the real ones.
    """
    from rapidfuzz import fuzz

    segment = form.segments[index]
    view = source.without_callouts if source.callouts else source.folded
    lo, hi = within if within is not None else (0, len(view.text))
    needle, haystack = segment.text.lower(), view.lowered[lo:hi]
    alignment = fuzz.partial_ratio_alignment(needle, haystack) if needle and haystack else None
    if alignment is None:
        return QuoteMatch("not-found", -1, -1, "quote not found in the source", 0.0)
    swapped = len(needle) > len(haystack)  # rapidfuzz then aligns the other way round
    begin = lo + (alignment.src_start if swapped else alignment.dest_start)
    finish = lo + (alignment.src_end if swapped else alignment.dest_end)
    score = float(alignment.score)
    if score >= LOCATE:
        # The aligned window is as long as the quotation; the words the quotation dropped lie
        # beyond it, so the alignment gets a margin on each side (its ends cost nothing).
        margin = max(40, min(len(needle) // 2, 400))
        begin, finish = _widen(view.text, max(lo, begin - margin), min(hi, finish + margin))
        match = _difference(form, index, source, view, begin, finish)
        if match.score >= least:
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


# Tokens of a key: a number whole ("1,400", "1.4", "1990s"), a word (with inner apostrophes), or
# any other single character (punctuation; the key's dash). Hyphens inside words are not in the
# key.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*[^\W_]*|[^\W_]+(?:'[^\W_]+)*|\S")
_SIC_NOTE = re.compile(r"\[\s*sic\s*!?\s*\]", re.IGNORECASE)
NUMBER_WORDS = frozenset((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions",
    "trillion", "trillions", "dozen", "dozens", "half", "quarter", "quarters", "twice", "thrice",
    "double", "doubled", "triple", "tripled", "quadruple", "quadrupled", "first", "second",
    "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "percent",
))
_ADD = 1.0  # cost of a quotation word the source does not have, or a source word left out
_MIXED = 3.0  # a word against a punctuation mark: never aligned
_MAX_CELLS = 100_000  # largest alignment table; beyond it rapidfuzz aligns the words (faster)


@dataclass(frozen=True)
class _Token:
    """A word, number or punctuation mark of a key: ``text[start:end]``, compared as ``low``."""

    text: str
    start: int
    end: int
    low: str

    @property
    def word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def mark(self) -> bool:
        """A punctuation mark (not a symbol such as "$" or "%")."""
        return unicodedata.category(self.text[0]).startswith("P")


@dataclass(frozen=True)
class _Change:
    """Quotation tokens ``[q1, q2)`` stand where the source has tokens ``[s1, s2)``.

    ``case`` marks a change of letter case only.
    """

    q1: int
    q2: int
    s1: int
    s2: int
    case: bool = False


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    stop = len(text) if end is None else end
    return [_Token(m.group(), m.start(), m.end(), m.group().lower())
            for m in _TOKEN.finditer(text, start, stop)]


@dataclass(frozen=True)
class _Quoted:
    """A quotation segment's own key and tokens, with the map back to what was quoted."""

    key: Normalized
    tokens: list[_Token]
    raw: str

    @classmethod
    def of(cls, segment: Segment) -> _Quoted:
        raw = " ".join(_SIC_NOTE.sub(" ", segment.raw).split())
        key = normalize(raw)
        return cls(key, _tokens(fold(key.text)), raw)

    def display(self, first: int, last: int) -> str:
        """The quotation's own wording of tokens ``[first, last)``."""
        if last <= first:
            return ""
        start, end = self.key.original_range(self.tokens[first].start, self.tokens[last - 1].end)
        return _wording(self.raw[start:end])


def _difference(form: QuoteForm, index: int, source: Normalized, view: KeyView, begin: int,
                finish: int) -> QuoteMatch:
    """A mismatch between segment ``index`` of ``form`` and the best stretch of the view range
    ``[begin, finish)`` of ``source``.

    The score is the similarity (0-100) of the quotation and the stretch, compared letter by
    letter or word by word, whichever is higher: one word dropped from a short quotation costs
    many letters but only one word.
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Indel

    segment = form.segments[index]
    quoted = _Quoted.of(segment)
    quote = quoted.tokens
    closing = None
    if segment.tail and quote and quote[-1].text in _END_PUNCTUATION and len(quote) > 1:
        closing = quote.pop()  # end punctuation inside the closing mark is free
    passage = _tokens(view.text, begin, finish)
    if not quote or not passage:
        return QuoteMatch("not-found", -1, -1, "quote not found in the source", 0.0)
    before, after = form.gaps[index], form.gaps[index + 1]
    glued = (before is not None and before.kind == "bracket" and not before.space_after,
             after is not None and after.kind == "bracket" and not after.space_before)
    first, last, changes = _align(quote, passage, case_free=segment.case_free, glued=glued)
    stretch = passage[first:last]
    keys, found = [t.low for t in quote], [t.low for t in stretch]
    score = max(float(fuzz.ratio(" ".join(keys), " ".join(found))),
                100.0 * Indel.normalized_similarity(keys, found))
    start, end = _source_range(source, view, *_span(quote, passage, first, last, glued, closing))
    wording = _wording(source.original[start:end])
    suggestion = _rebuilt(form, index, wording)
    shown = [c for c in changes if not c.case] + [c for c in changes if c.case]
    if not shown:
        return QuoteMatch("mismatch", start, end, "quote differs from the source in spacing or "
                          "hyphenation", score, suggestion,
                          f"quote:  {quoted.raw}\nsource: {wording}")
    parts = [_describe(change, quoted, passage, source, view) for change in shown]
    message = "misquoted: " + "; ".join(parts[:3]) + ("; …" if len(parts) > 3 else "")
    lines = [f"quote:  {_context(quoted, c)}\n"
             f"source: {_source_context(source, view, passage, first, last, c)}"
             for c in shown[:3]]
    return QuoteMatch("mismatch", start, end, message, score, suggestion, "\n".join(lines))


def _span(quote: list[_Token], passage: list[_Token], first: int, last: int,
          glued: tuple[bool, bool], closing: _Token | None) -> tuple[int, int]:
    """The view range of the stretch ``passage[first:last]``: with the source's end punctuation
    when the quotation ends with the same, and only the part of a word that a glued bracket
    leaves ("[t]he" stands for the end of "the")."""
    stop = last
    if closing is not None and last < len(passage) and passage[last].text == closing.text:
        stop = last + 1
    begin, finish = passage[first].start, passage[stop - 1].end
    head, tail = passage[first], passage[last - 1]
    if glued[0] and head.low != quote[0].low and head.low.endswith(quote[0].low):
        begin = head.end - len(quote[0].text)
    if glued[1] and stop == last and tail.low != quote[-1].low \
            and tail.low.startswith(quote[-1].low):
        finish = tail.start + len(quote[-1].text)
    return begin, finish


def _source_range(source: Normalized, view: KeyView, begin: int, finish: int) -> tuple[int, int]:
    return source.original_range(view.to_key(begin), view.to_key_end(finish))


def _rebuilt(form: QuoteForm, index: int, wording: str) -> str:
    """The quotation with segment ``index`` in the source's wording, its marks kept."""
    if len(form.segments) == 1 and all(g is None for g in form.gaps):
        return wording
    out = ""
    for i, segment in enumerate(form.segments):
        gap = form.gaps[i]
        if gap is not None:
            out += (" " if out and gap.space_before else "") + gap.label
            out += " " if gap.space_after else ""
        elif out:
            out += " "
        out += wording if i == index else segment.raw
    if (gap := form.gaps[-1]) is not None:
        out += (" " if gap.space_before else "") + gap.label
    return out


def _align(quote: list[_Token], passage: list[_Token], *, case_free: bool,
           glued: tuple[bool, bool] = (False, False)) -> tuple[int, int, list[_Change]]:
    """The stretch ``[first, last)`` of ``passage`` that the quotation stands for, and the
    changes between them.

    A word-level edit distance where the passage's words before and after the stretch cost
    nothing (a semi-global alignment): the stretch is the quotation's own span, and a changed
    word at either end is a change, not an addition beside words of the neighbouring sentence.
    A substituted word costs less than an added or dropped one, and less the more alike the two
    words are; letter case alone costs nothing here and is reported apart. With ``glued``, the
    quotation's first (last) word is the end (start) of a source word, the rest being stood for
    by a bracket glued to it ("[t]he").
    """
    n, m = len(quote), len(passage)
    same = _Sameness(quote, glued)
    if n * m > _MAX_CELLS:
        first, last, script = _global_steps(quote, passage)
        return first, last, _changes(quote, passage, script, case_free, same)
    cost = [[0.0] * (m + 1)] + [[i * _ADD] + [0.0] * m for i in range(1, n + 1)]
    move = [[2] * (m + 1)] + [[1] + [0] * m for _ in range(n)]
    lows, words = [t.low for t in passage], [t.word for t in passage]
    for i in range(1, n + 1):
        row, above, moves = cost[i], cost[i - 1], move[i]
        low, word = quote[i - 1].low, quote[i - 1].word
        edge = (i == 1 and glued[0]) or (i == n and glued[1])
        for j in range(1, m + 1):
            other = lows[j - 1]
            if other == low or (edge and same(i - 1, passage[j - 1])):
                substitution = 0.0
            elif words[j - 1] != word:
                substitution = _MIXED
            else:
                substitution = _unlike(low, other)
            best, step = above[j - 1] + substitution, 0
            if above[j] + _ADD < best:
                best, step = above[j] + _ADD, 1
            if row[j - 1] + _ADD < best:
                best, step = row[j - 1] + _ADD, 2
            row[j], moves[j] = best, step
    last = min(range(m + 1), key=lambda j: (cost[n][j], j))
    steps: list[tuple[str, int, int]] = []
    i, j = n, last
    while i > 0:
        step = move[i][j]
        if step == 0:
            i, j = i - 1, j - 1
            steps.append(("sub", i, j))
        elif step == 1:
            i -= 1
            steps.append(("add", i, j))
        else:
            j -= 1
            steps.append(("drop", i, j))
    steps.reverse()
    first = j
    return first, max(last, first + 1), _changes(quote, passage, steps, case_free, same)


def _global_steps(quote: list[_Token],
                  passage: list[_Token]) -> tuple[int, int, list[tuple[str, int, int]]]:
    """Alignment steps of a very long quotation (rapidfuzz's word-level edit script), the
    passage's words before and after the quotation's span left out."""
    from rapidfuzz.distance import Levenshtein

    steps: list[tuple[str, int, int]] = []
    for op in Levenshtein.opcodes([t.low for t in quote], [t.low for t in passage]):
        ours = range(op.src_start, op.src_end)
        theirs = range(op.dest_start, op.dest_end)
        both = min(len(ours), len(theirs))
        steps += [("sub", ours[k], theirs[k]) for k in range(both)]
        steps += [("add", i, op.dest_start + both) for i in ours[both:]]
        steps += [("drop", op.src_start + both, j) for j in theirs[both:]]
    while steps and steps[0][0] == "drop":
        steps.pop(0)
    while steps and steps[-1][0] == "drop":
        steps.pop()
    first = steps[0][2] if steps else 0
    ends = [j + 1 for kind, _, j in steps if kind != "add"]
    return first, max(ends, default=first + 1), steps


@dataclass(frozen=True)
class _Sameness:
    """Whether a quotation token stands for a source token: the same word or mark, or the part
    of a word that a glued bracket leaves."""

    quote: list[_Token]
    glued: tuple[bool, bool]

    def __call__(self, i: int, s: _Token) -> bool:
        q = self.quote[i].low
        if q == s.low:
            return True
        return ((i == 0 and self.glued[0] and s.low.endswith(q))
                or (i == len(self.quote) - 1 and self.glued[1] and s.low.startswith(q)))


@lru_cache(maxsize=65_536)
def _unlike(a: str, b: str) -> float:
    """The cost of one word for another: less the more alike they are (common words recur)."""
    from rapidfuzz.distance import Indel

    return 0.95 - 0.3 * Indel.normalized_similarity(a, b)


def _changes(quote: list[_Token], passage: list[_Token], steps: list[tuple[str, int, int]],
             case_free: bool, same: _Sameness) -> list[_Change]:
    """Runs of differing tokens from alignment steps (adjacent edits merged into one change)."""
    changes: list[_Change] = []
    for kind, i, j in steps:
        if kind == "sub" and quote[i].low != passage[j].low and same(i, passage[j]):
            continue
        if kind == "sub" and quote[i].low == passage[j].low:
            q, s = quote[i].text, passage[j].text
            if (q[1:] if case_free and i == 0 else q) == (s[1:] if case_free and i == 0 else s):
                continue
            case = True
        else:
            case = False
        q2 = i + (kind != "drop")
        s2 = j + (kind != "add")
        last = changes[-1] if changes else None
        if last is not None and last.case == case and last.q2 == i and last.s2 == j:
            changes[-1] = _Change(last.q1, q2, last.s1, s2, case)
        else:
            changes.append(_Change(i, q2, j, s2, case))
    return changes


def _describe(change: _Change, quoted: _Quoted, passage: list[_Token], source: Normalized,
              view: KeyView) -> str:
    ours = quoted.display(change.q1, change.q2)
    theirs = ""
    if change.s2 > change.s1:
        start, end = _source_range(source, view, passage[change.s1].start,
                                   passage[change.s2 - 1].end)
        theirs = _wording(source.original[start:end])
    if change.case:
        return f"capitalisation differs: “{ours}” → “{theirs}”"
    touched = quoted.tokens[change.q1:change.q2] + passage[change.s1:change.s2]
    if all(not t.word for t in touched):
        what = "punctuation"
    elif ours and theirs and any(_is_number(t.text) for t in touched):
        return f"number differs: “{ours}” → “{theirs}”"
    else:
        what = "wording" if ours and theirs else "words"
    if ours and theirs:
        return f"{what} changed: “{ours}” → “{theirs}”"
    if ours:
        return f"{what} added: “{ours}”"
    return f"{what} dropped: “{theirs}”"


def _is_number(token: str) -> bool:
    return any(c.isdigit() for c in token) or token.lower() in NUMBER_WORDS


_AROUND = 3  # tokens of context shown on either side of a change


def _context(quoted: _Quoted, change: _Change) -> str:
    """The quotation's tokens of ``change`` with a few around them, as quoted."""
    tokens = quoted.tokens
    lo, hi = _around(tokens, change.q1, change.q2, 0, len(tokens))
    if hi <= lo:
        return ""
    return ("… " if lo > 0 else "") + quoted.display(lo, hi) + (" …" if hi < len(tokens) else "")


def _around(tokens: list[_Token], first: int, last: int, lo: int, hi: int) -> tuple[int, int]:
    """A few tokens around ``[first, last)`` within ``[lo, hi)``, not starting or ending with a
    punctuation mark outside the change (a context reads "… at times, open", not "… , open")."""
    start, stop = max(lo, first - _AROUND), min(hi, last + _AROUND)
    while start < first and tokens[start].mark:
        start += 1
    while stop > last and tokens[stop - 1].mark:
        stop -= 1
    return start, stop


def _source_context(source: Normalized, view: KeyView, passage: list[_Token], first: int,
                    last: int, change: _Change) -> str:
    """The source's tokens of ``change`` with a few around them, inside the stretch."""
    lo, hi = _around(passage, change.s1, change.s2, first, last)
    if hi <= lo:
        return ""
    start, end = _source_range(source, view, passage[lo].start, passage[hi - 1].end)
    return (("… " if lo > first else "") + _wording(source.original[start:end])
            + (" …" if hi < last else ""))


def _wording(text: str) -> str:
    """Original text for display: a hyphen at a line break joined, Markdown emphasis marks left
    in plain text removed (they are not compared either), whitespace collapsed."""
    return " ".join(EMPHASIS.sub("", _BROKEN_HYPHEN.sub("-", text)).split())


_BROKEN_HYPHEN = re.compile(r"(?<=\w)-[^\S\n]*\n\s*(?=\w)")
