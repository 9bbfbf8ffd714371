"""The comparison key: a normalised form of a text with an offset map back to the original.

Quotations are compared on the key, never on the raw text, so that differences an editor allows
silently do not count, while positions are still reported in the original text:

- Unicode NFKC (ligatures, superscripts, full-width forms; "…" becomes "...");
- every double quote mark becomes ``"`` and every single quote mark or apostrophe ``'``;
- every dash (em dash, horizontal bar, ``--``, ``---``, a spaced en dash or spaced hyphen) with
  the whitespace around it becomes the token ``" — "``;
- a hyphen or en dash between two digits (a range: ``10-15``, ``10–15``) becomes ``-``;
- every run of whitespace, line breaks and no-break spaces included, becomes one space;
- soft hyphens and zero-width characters are removed;
- Markdown emphasis marks left in plain text are removed: a run of ``_`` or ``*`` between a
  word and a non-word character (``__fall___``, ``*not*``), a run of two or more between spaces
  (``do __ expect``), and the backslash of an escaped punctuation mark (``\\--`` is ``--``). A
  run inside a word (``snake_case``) and a lone ``*`` between spaces stay: they are text.

Hyphens inside words need care, because text extracted from PDF breaks words across lines with a
hyphen: "inward-\\nlooking" is a real compound, "prac-\\ntices" is not. The key does not guess. A
hyphen (or unspaced en dash) joining two words is dropped from the key, on both sides of a
comparison, and remembered by position: `Normalized.hard_hyphens` holds the key positions of
hyphens inside a line, `Normalized.break_hyphens` those of hyphens (and soft hyphens) at a line
break. So "inward-looking", "inward-\\nlooking" and "inwardlooking" share a key, and the matcher
decides with the positions: a hyphen in a quotation must sit where the source has a hyphen of
either kind, and a hard hyphen of the source must be in the quotation. "inward looking" keeps its
space and stays different. Letter case is kept.

The offset map is run-length: only the places where the key's length differs from the original's
are stored (change points, searched with `bisect`), so a key costs little more than its text and
pickles compactly. The key is built by regular-expression passes whose patterns open with a
character set, so ordinary text is skipped at C speed and Python code runs only for special runs.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import Any

DASH = " — "  # the key's one dash token

_HYPHENS = "\\-\u2010\u2011\u2043\u2212\ufe63\uff0d"
_EN_DASHES = "\u2012\u2013"
_EM_DASHES = "\u2014\u2015\u2e3a\u2e3b\ufe58"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\u301f\uff02'
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u0060\u00b4\uff07"
# every character Python's \\s matches except the plain space
_OTHER_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DROPPED = "\xad\u200b\u200c\u200d\u2060\ufeff"
_DASHES = _HYPHENS + _EN_DASHES + _EM_DASHES
_WORD_END = f"[^\\s{_DASHES}]"  # a character that can end the word before a joining hyphen
_ASCII_PUNCTUATION = r"!-/:-@\[-`{-~"  # what a backslash may escape in Markdown

# Every alternative follows one consumed character of the leading set and checks by looking back
# which character that was; the empty named group at its end tells the callback which matched.
_ALTERNATIVES = (
    # a hyphen (or soft hyphen) ending a line inside a word: "prac-\ntices", "inward-\nlooking"
    rf"(?<={_WORD_END}[{_HYPHENS}\xad])[^\S\n]*\n\s*(?=\w)(?P<brk>)",
    # a hyphen or en dash joining two words inside a line: "U.S.-Mexico", "10–15"
    rf"(?<={_WORD_END}[{_HYPHENS}{_EN_DASHES}])(?=\w)(?P<hard>)",
    # dashes, and the whitespace after them
    rf"(?<=[{_EN_DASHES}{_EM_DASHES}])[{_EN_DASHES}{_EM_DASHES}]*\s*(?P<dash>)",
    rf"(?<=[{_HYPHENS}])[{_HYPHENS}]+\s*(?P<dashes>)",
    rf"(?<=\s[{_HYPHENS}])\s+(?P<spaced>)",
    # whitespace other than a plain space, and the whitespace after it
    r"(?<=[^\S ])\s*(?P<space>)",
    # soft hyphens and zero-width characters elsewhere, and the whitespace after them
    rf"(?<=[{_DROPPED}])[{_DROPPED}]*\s*(?P<drop>)",
    rf"(?<=[{_DOUBLE_QUOTES}])(?P<double>)",
    rf"(?<=[{_SINGLE_QUOTES}])(?P<single>)",
    # Markdown left in plain text: a backslash escape, and emphasis marks at a word's edge (then
    # the whitespace after them) or standing between spaces (see the module docstring)
    rf"(?<=\\)(?=[{_ASCII_PUNCTUATION}])(?P<escape>)",
    r"(?<=[^\W_][_*])[_*]*+(?![^\W_])\s*(?P<closing>)",
    r"(?<![\w*][_*])(?<=[_*])[_*]*+(?=[^\W_])(?P<opening>)",
    r"(?<=\s[_*])[_*]++(?=\s)\s*(?P<standing>)",
)
_LEADING = f"{_OTHER_SPACES}{_DASHES}{_DOUBLE_QUOTES}{_SINGLE_QUOTES}{_DROPPED}_*\\\\"
# The same marks found in original text, for showing source wording without them.
EMPHASIS = re.compile(
    rf"\\(?=[{_ASCII_PUNCTUATION}])|(?<=[^\W_])[_*]++(?![^\W_])|(?<![\w*])[_*]++(?=[^\W_])"
    r"|(?<=\s)[_*]{2,}+(?=\s)")
_SPACE_RUNS = re.compile("  +")  # a literal prefix: found at C speed
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Footnote callouts: one to three digits glued after a word of at least two lower-case letters or
# after closing punctuation that follows a letter ("country,2 are", 'intermestic"3 — rooted'),
# and followed by a space, punctuation or the end. Digits after a digit ("$1.4") never qualify.
# The pattern reads keys and original texts alike.
_CLOSERS = "\"')\\]\u2019\u201d"
CALLOUT = re.compile(
    rf"(?:(?<=[a-z\u00df-\u00f6\u00f8-\u00ff]{{2}})|(?<=[^\W\d_][.,;:!?{_CLOSERS}])"
    rf"|(?<=[^\W\d_][.,;:!?][{_CLOSERS}]))\d{{1,3}}(?=[\s.,;:!?){_CLOSERS}\u2014\u2013-]|$)")
# The same callouts found fast in a whole text: scanning for the digits first and checking what
# precedes them is much quicker than trying the look-behinds at every position.
_DIGIT_RUN = re.compile(r"\d+")


@dataclass(frozen=True)
class OffsetMap:
    """A run-length map from positions in a rewritten text to positions in the text it came from.

    Change points come in pairs: for each rewritten run, ``points[2k]`` (its start in the new
    text) is ``targets[2k]`` in the old, and ``points[2k+1]`` (its end) is ``targets[2k+1]``.
    Between runs positions move one for one; inside a run they all belong to the whole run.
    """

    points: array[int]
    targets: array[int]

    def start(self, i: int) -> int:
        """The old position of new position ``i`` used as a start."""
        j = bisect_right(self.points, i) - 1
        if j < 0:
            return i
        return self.targets[j] if j % 2 == 0 else self.targets[j] + i - self.points[j]

    def end(self, i: int) -> int:
        """The old position of new position ``i`` used as an exclusive end."""
        if i <= 0:
            return 0
        j = bisect_right(self.points, i - 1) - 1
        if j < 0:
            return i
        return self.targets[j + 1] if j % 2 == 0 else self.targets[j] + i - self.points[j]


@dataclass(frozen=True)
class KeyView:
    """A searchable form of a key: quote marks folded, and maybe footnote callouts removed.

    ``removed`` maps view positions back to key positions (`to_key`, `to_key_end`).
    """

    text: str
    removed: OffsetMap

    def to_key(self, i: int) -> int:
        """The key position of view position ``i`` used as a start (after removed text)."""
        return self.removed.start(i)

    def to_key_end(self, i: int) -> int:
        """The key position of view position ``i`` used as an exclusive end."""
        return self.removed.end(i)

    @cached_property
    def lowered(self) -> str:
        """The view in lower case, for fuzzy location (the view itself if lowering resizes it)."""
        low = self.text.lower()
        return low if len(low) == len(self.text) else self.text


@dataclass(frozen=True)
class Normalized:
    """A text, its comparison key ``text``, and the maps from key positions to the original.

    ``maps`` are applied from the last to the first to go from the key to the original.
    ``hard_hyphens`` and ``break_hyphens`` are the sorted key positions (of the character after
    it) where a hyphen joining two words was dropped, inside a line and at a line break.
    """

    original: str
    text: str
    maps: tuple[OffsetMap, ...]
    hard_hyphens: array[int]
    break_hyphens: array[int]

    def to_original(self, i: int) -> int:
        """The original position of key position ``i`` (``len(text)`` gives ``len(original)``).

        A position inside a rewritten run (a dash token, a collapsed space) gives the run's start.
        """
        for offsets in reversed(self.maps):
            i = offsets.start(i)
        return i

    def to_original_end(self, i: int) -> int:
        """The original position of key position ``i`` used as an exclusive end."""
        for offsets in reversed(self.maps):
            i = offsets.end(i)
        return i

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        """The original range ``[a, b)`` that the key range ``[start, end)`` came from."""
        begin = self.to_original(start)
        return (begin, max(begin, self.to_original_end(end))) if end > start else (begin, begin)

    def hyphens_between(self, start: int, end: int, *, hard: bool = True) -> array[int]:
        """Key positions of dropped hyphens strictly between ``start`` and ``end``."""
        found = self.hard_hyphens if hard else self.break_hyphens
        return found[bisect_right(found, start):bisect_left(found, end)]

    def has_hyphen(self, i: int) -> bool:
        """True when a hyphen of either kind was dropped just before key position ``i``."""
        return _contains(self.hard_hyphens, i) or _contains(self.break_hyphens, i)

    @cached_property
    def folded(self) -> KeyView:
        """The key with single and double quote marks made the same (nested quotes swap them)."""
        return KeyView(fold(self.text), _IDENTITY)

    @cached_property
    def without_callouts(self) -> KeyView:
        """The folded key without the footnote-callout candidates of `callouts`."""
        return _remove(self.folded.text, self.callouts)

    @cached_property
    def callouts(self) -> tuple[tuple[int, int], ...]:
        """Key ranges of digits that may be footnote callouts: "country,2 are".

        One to three digits glued after a word of two or more lower-case letters, or after
        punctuation that follows a letter, and before a space, punctuation or the end. Digits
        after a dropped hyphen ("top-10") or after a digit ("$1.4") are never callouts.
        """
        text = self.text
        return tuple((m.start(), m.end()) for m in _DIGIT_RUN.finditer(text)
                     if m.end() - m.start() <= 3 and CALLOUT.match(text, m.start())
                     and not _contains(self.hard_hyphens, m.start()))

    def __getstate__(self) -> dict[str, Any]:
        # Derived views are rebuilt on demand, not stored in the corpus cache; the callout
        # positions are small and take a scan of the whole text, so they are kept once known.
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        if "callouts" in self.__dict__:
            state["callouts"] = self.__dict__["callouts"]
        return state


def normalize(original: str) -> Normalized:
    """The comparison key of ``original`` with its offset map (see the module docstring)."""
    maps: list[OffsetMap] = []
    text = original
    if "  " in text:
        text, spaces = _collapse_spaces(text)
        maps.append(spaces)
    builder = _Builder(text)
    key = _pattern(_nfkc_changes(text)).sub(builder.replace, text)
    if builder.points:
        maps.append(OffsetMap(builder.points, builder.targets))
    return Normalized(original, key, tuple(maps), builder.hard, builder.breaks)


def fold(text: str) -> str:
    """``text`` with straight single and double quote marks made the same (as in `KeyView`)."""
    return text.replace('"', "'")


def _collapse_spaces(text: str) -> tuple[str, OffsetMap]:
    points: array[int] = _positions()
    targets: array[int] = _positions()
    delta = 0
    for match in _SPACE_RUNS.finditer(text):
        start, end = match.span()
        points.append(start - delta)
        targets.append(start)
        delta += end - start - 1
        points.append(end - delta)
        targets.append(end)
    return _SPACE_RUNS.sub(" ", text), OffsetMap(points, targets)


class _Builder:
    """The replacement callback of the main pass: records change points and dropped hyphens."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.delta = 0  # key position minus text position after the last replacement
        self.last_end = -1  # where the last replaced run ended, and whether its key ended in a
        self.last_space = False  # space (so a following run does not add a second one)
        self.points: array[int] = _positions()
        self.targets: array[int] = _positions()
        self.hard: array[int] = _positions()
        self.breaks: array[int] = _positions()

    def replace(self, match: re.Match[str]) -> str:
        """The key text of one special run."""
        start, end = match.span()
        replacement = self._replacement(match.lastgroup or "", match.group(), start, end)
        if len(replacement) != end - start:
            self.points.append(start + self.delta)
            self.targets.append(start)
            self.delta += len(replacement) - (end - start)
            self.points.append(end + self.delta)
            self.targets.append(end)
        if replacement:
            self.last_space = replacement.endswith(" ")
        elif start != self.last_end:
            self.last_space = start > 0 and self.text[start - 1] == " "
        self.last_end = end
        return replacement

    def _replacement(self, kind: str, found: str, start: int, end: int) -> str:
        if kind in ("brk", "hard"):
            return self._hyphen(kind, start, end)
        if kind in ("dash", "dashes", "spaced"):
            return DASH[1:] if self._space_before(start) else DASH
        if kind in ("space", "drop", "escape", "closing", "opening", "standing"):
            spaced = found[-1].isspace()
            return " " if spaced and not self._space_before(start) else ""
        if kind == "double":
            return '"'
        if kind == "single":
            return "'"
        return unicodedata.normalize("NFKC", found)

    def _space_before(self, start: int) -> bool:
        if start == self.last_end:
            return self.last_space
        return start > 0 and self.text[start - 1] == " "

    def _hyphen(self, kind: str, start: int, end: int) -> str:
        text = self.text
        if text[start - 1].isdigit() and end < len(text) and text[end].isdigit():
            return "-"  # a range: 10-15, 10–15, 10-\n15
        at = start + self.delta  # the key position of the character after the hyphen
        (self.breaks if kind == "brk" else self.hard).append(at)
        return ""


def _nfkc_changes(text: str) -> str:
    """The characters of ``text`` that NFKC changes (combining marks included)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return ""
    found = set(_NON_ASCII.findall(text))
    return "".join(sorted(c for c in found
                          if unicodedata.combining(c) or unicodedata.normalize("NFKC", c) != c))


@lru_cache(maxsize=64)
def _pattern(changed: str) -> re.Pattern[str]:
    """The main pass; a text that needs NFKC gets its own characters added to it."""
    alternatives = list(_ALTERNATIVES)
    leading = _LEADING
    marks = "".join(c for c in changed if unicodedata.combining(c))
    others = re.escape("".join(c for c in changed if not unicodedata.combining(c)))
    if others:
        leading += others
        alternatives.append(f"(?<=[{others}])(?P<nfkc>)")
    pattern = f"[{leading}](?:{'|'.join(alternatives)})"
    if marks:
        # A letter and its combining marks, composed by NFKC. This alternative has no leading
        # character set (slower), so it is only added for the rare texts that need it.
        pattern += f"|[^{_LEADING} ][{re.escape(marks)}]+(?P<compose>)"
    return re.compile(pattern)


def _remove(text: str, spans: Iterable[tuple[int, int]]) -> KeyView:
    """``text`` without ``spans``, as a view whose positions map back to ``text``."""
    pieces: list[str] = []
    points: array[int] = _positions()
    targets: array[int] = _positions()
    last = removed = 0
    for start, end in spans:
        pieces.append(text[last:start])
        at = start - removed
        points.extend((at, at))
        targets.extend((start, end))
        removed += end - start
        last = end
    pieces.append(text[last:])
    return KeyView("".join(pieces), OffsetMap(points, targets))


def _positions() -> array[int]:
    # Four bytes a position keep the cached keys small; texts are far below 4 GiB.
    return array("I")


def _contains(values: array[int], value: int) -> bool:
    i = bisect_left(values, value)
    return i < len(values) and values[i] == value


_IDENTITY = OffsetMap(_positions(), _positions())
