"""Reading a brief: front matter, citations, notes, quotations and sentences, with positions.

A brief is pandoc Markdown with YAML front matter. `read_brief` reads one without running pandoc
(a process costs ~40 ms and pandoc's AST has no source positions): a line-based block scanner
finds paragraphs, headings, block quotes, lists, notes, tables and the blocks that hold no prose
(code, raw HTML/TeX, comments, ``.series-blurb`` and ``.unchecked`` divs); an inline scanner turns
each paragraph into plain text with a per-character map back to the file, and finds citations
exactly as pandoc's ``markdown`` reader does.

Positions are 1-based lines and columns (columns count characters) in the brief file, the front
matter included. Of the metadata only ``summary`` is read as prose, and only when its text can be
mapped back to the file line by line (a block scalar, or a plain or simply quoted scalar);
otherwise only the body is read.

Pandoc's own quirks are kept, because the citations must be the ones pandoc renders. The reading
is that of `PANDOC_READER`, the dialect briefkit renders with: pandoc's ``markdown`` without
example lists, so a note ``[^1]: @key.`` cites ``key`` as an author would expect (with example
lists on, pandoc would read it as an example list item). ``[@key](url)``, ``[@key]{.class}`` and
``[@key][label]`` are links or spans, not citations.

Known limits: a note called twice contributes its citations once (pandoc repeats them); metadata
fields other than ``summary`` are not read; a table is read row by row, each row one paragraph;
a YAML block in the middle of the body is read as a rule and text; citations glued to emphasis
(``*a*@key``) follow a simplified reading of pandoc's emphasis rules.
"""

from __future__ import annotations

import html
import itertools
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import NestingError
from ..model import Span, Status
from .frontmatter import FrontMatter, field_problems, split_front_matter
from .source import BriefSource, read_brief_source

PANDOC_READER = "markdown-example_lists"  # the pandoc reading this module reproduces

# How deep block quotes, lists, divs, notes, emphasis, links and spans may nest, counted
# together. Deeper nesting is refused: typst cannot lay out lists nested about 30 deep, pandoc's
# JSON of a few hundred levels is too deep to read back, and no brief needs it.
MAX_NESTING = 20
# How many square brackets may be open at once in a paragraph of a brief that is rendered.
# Pandoc's reader takes time exponential in it (jgm/pandoc#1735: a second at 8, a minute at 16).
MAX_BRACKETS = 8

SKIPPED_DIV_CLASSES = frozenset({"series-blurb", "unchecked"})

MODE_NORMAL = "normal"
MODE_AUTHOR_IN_TEXT = "author-in-text"
MODE_SUPPRESS_AUTHOR = "suppress-author"


# Results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """One cited key as pandoc reads it.

    ``span`` covers the key as written (``@key``, ``-@key`` or ``@{key}``). ``mode`` is
    ``normal`` (``[@key]``), ``author-in-text`` (``@key``) or ``suppress-author`` (``[-@key]``).
    ``prefix`` and ``suffix`` are the raw text around the key inside the brackets, whitespace
    collapsed (``see`` and ``, pp. 3-4`` in ``[see @a, pp. 3-4]``). ``note`` is the id of the
    footnote holding the citation (``inline-N`` for inline notes), None in the running text.
    """

    key: str
    span: Span
    mode: str
    prefix: str = ""
    suffix: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Quotation:
    """A quoted passage: inline between quotation marks, or a whole block quote.

    ``text`` is the raw Markdown between the marks (for a block quote: its content without the
    ``>`` markers and without a trailing citation). ``plain`` is that text with inline Markdown,
    escapes, footnote callouts and citations removed and whitespace collapsed. ``span`` runs from
    the opening to the closing mark inclusive (block quotes: the quoted text). ``keys`` are the
    citations that cover it: those right after it in its sentence, else its sentence's (notes it
    calls included), else its note's, else (block quotes) the introducing sentence's. ``sentence``
    indexes `Brief.sentences`; it is -1 for block quotes.
    """

    text: str
    plain: str
    span: Span
    keys: tuple[str, ...]
    block: bool
    emphasis_added: bool
    sentence: int


class _LineIndex:
    """Character offsets of the brief text to 1-based (line, column) positions."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = array("l", [0])
        starts.extend(m.end() for m in _NEWLINE_RE.finditer(text))
        self._starts = starts

    def offset(self, line: int, column: int) -> int:
        """The character offset of the 1-based ``line`` and ``column``."""
        return self._starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of text[start:end]; an empty range gives a zero-width span at ``start``."""
        line, column = self.position(start)
        if end <= start:
            return Span(line, column, line, column)
        end_line, end_column = self.position(end - 1)
        return Span(line, column, end_line, end_column + 1)


def _no_offsets() -> array[int]:
    return array("l")


@dataclass(frozen=True)
class Sentence:
    """One sentence of prose (a heading counts as one sentence).

    ``plain`` has markup and citations removed; quotation marks and quoted text are kept.
    ``keys`` are the citations in the sentence and in the notes it calls, in order, without
    repeats. ``quotes`` are [start, end) ranges of ``plain`` covered by quotations, marks
    included. ``note`` is the id of the note holding the sentence, None in the running text.
    """

    plain: str
    span: Span
    keys: tuple[str, ...]
    quotes: tuple[tuple[int, int], ...]
    note: str | None
    heading: bool
    offsets: array[int] = field(default_factory=_no_offsets, compare=False, repr=False)
    lines: _LineIndex | None = field(default=None, compare=False, repr=False)

    def index_at(self, line: int, column: int) -> int:
        """The index in ``plain`` of the first character at or after ``line``:``column``."""
        if self.lines is None or len(self.offsets) != len(self.plain):
            return len(self.plain)
        return bisect_left(self.offsets, self.lines.offset(line, column))

    def span_of(self, start: int, end: int) -> Span:
        """Map the range [start, end) of ``plain`` to the brief file (clamped to ``plain``)."""
        if self.lines is None or len(self.offsets) != len(self.plain) or not self.plain:
            return self.span
        start = min(max(start, 0), len(self.plain) - 1)
        end = min(max(end, start), len(self.plain))
        if end == start:
            return self.lines.span(self.offsets[start], self.offsets[start])
        return self.lines.span(self.offsets[start], self.offsets[end - 1] + 1)


@dataclass(frozen=True)
class Problem:
    """A defect found while reading the brief (``quote-unclosed``, ``brief-raw-content``...)."""

    rule: str
    status: Status
    span: Span
    message: str


@dataclass(frozen=True)
class Brief:
    """Everything the checker needs from one brief; collections are in reading order."""

    path: Path
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False)
    citations: tuple[Citation, ...] = ()
    quotations: tuple[Quotation, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    problems: tuple[Problem, ...] = ()


# Entry points ------------------------------------------------------------------------------------


def read_brief(path: Path, *, allow_raw: bool = False) -> Brief:
    """Read the brief at ``path``.

    The file is read by `read_brief_source` (UTF-8, or UTF-16 with a byte-order mark). Raises
    `InputError` when the file cannot be read, is larger than 5 MB, is binary, holds a byte that
    is not UTF-8, has invalid front matter or is nested too deeply (see `parse_brief`). An empty
    file gives an empty `Brief`.
    """
    source = read_brief_source(path)
    return parse_brief(source.text, path=path, allow_raw=allow_raw, source=source)


def parse_brief(text: str, *, path: Path, allow_raw: bool = False,
                source: BriefSource | None = None) -> Brief:
    """Read a brief from ``text`` (``path`` names it in errors and in the result).

    Raw HTML and TeX blocks are reported as ``brief-raw-content`` warnings unless ``allow_raw``.
    Raises `InputError` (with the line) when the front matter is not valid YAML, and
    `NestingError` (with the line) when block quotes, lists, divs, notes, emphasis, links and
    spans nest more than `MAX_NESTING` levels deep, counted together.
    """
    text = text.removeprefix("\ufeff")
    # A brief read from its file has had its front matter split once already.
    front = source.front if source is not None and source.text == text else (
        split_front_matter(text, path=path))
    reader = _Reader(text, allow_raw=allow_raw)
    summary = _summary_lines(text, front)
    try:
        if summary:
            reader.read_lines(summary)
        reader.read_lines(_split_lines(text, front.body_offset, len(text)))
    except _TooDeep as deep:
        raise NestingError(path, deep.what, line=reader.lines.position(deep.offset)[0],
                           limit=MAX_NESTING) from None
    return Brief(
        path=path,
        meta=front.meta,
        citations=tuple(reader.citations),
        quotations=tuple(sorted(reader.quotations, key=_span_key)),
        sentences=tuple(reader.sentences),
        problems=tuple(sorted([*_front_matter_problems(text, front), *reader.problems],
                              key=_span_key)),
    )


def markup_problem(text: str) -> str | None:
    """Why pandoc cannot be given ``text`` (a metadata value, read as Markdown), or None.

    The limits of the body hold: `MAX_NESTING` levels of inline structure and `MAX_BRACKETS`
    square brackets open at once.
    """
    depths = _Syntax(text).depths(MAX_NESTING, MAX_BRACKETS)
    if depths.too_deep is not None:
        return f"{depths.too_deep[1]} nested more than {MAX_NESTING} levels deep"
    if depths.brackets > MAX_BRACKETS:
        return (f"{depths.brackets} square brackets are open at once; pandoc takes time "
                f"exponential in that (more than {MAX_BRACKETS} cannot be rendered)")
    return None


def _front_matter_problems(text: str, front: FrontMatter) -> list[Problem]:
    """A ``frontmatter-invalid`` error for each field that does not fit the schema."""
    lines = text.splitlines()
    return [
        Problem(rule="frontmatter-invalid", status=Status.ERROR,
                span=Span(p.line, 1, p.line, len(lines[p.line - 1]) + 1), message=p.message)
        for p in field_problems(front)
    ]


def _span_key(item: Quotation | Problem) -> tuple[int, int]:
    return item.span.line, item.span.column


# Lines and the front-matter summary -------------------------------------------------------------

_Seg = tuple[int, int]  # [start, end) of one line's content in the brief text

_NEWLINE_RE = re.compile(r"\n")
_SUMMARY_RE = re.compile(r"summary:[ \t]*(.*?)[ \t]*$")
_BLOCK_SCALAR_RE = re.compile(r"[|>][-+]?[1-9]?[-+]?(?:[ \t]+#.*)?$")


def _split_lines(text: str, start: int, end: int) -> list[_Seg]:
    """Lines of text[start:end] without their line ends (a CR before LF is dropped too)."""
    lines: list[_Seg] = []
    pos = start
    while pos < end:
        stop = text.find("\n", pos, end)
        stop = end if stop < 0 else stop
        lines.append((pos, stop - 1 if stop > pos and text[stop - 1] == "\r" else stop))
        pos = stop + 1
    return lines


def _summary_lines(text: str, front: FrontMatter) -> list[_Seg] | None:
    """The lines of the ``summary`` field, if its text maps back to the file line by line."""
    value = front.meta.get("summary")
    if not isinstance(value, str) or front.body_offset == 0:
        return None
    lines = _split_lines(text, 0, front.body_offset)[1:-1]
    for index, (start, end) in enumerate(lines):
        match = _SUMMARY_RE.match(text, start, end)
        if match is None:
            continue
        segs = _scalar_lines(text, lines[index + 1 :], match)
        found = " ".join(text[s:e] for s, e in segs or ())
        return segs if segs and found.split() == value.split() else None
    return None


def _scalar_lines(text: str, rest: list[_Seg], match: re.Match[str]) -> list[_Seg] | None:
    head, start, end = match.group(1), match.start(1), match.end(1)
    if _BLOCK_SCALAR_RE.fullmatch(head):
        return _indented_lines(text, rest, allow_blank=True)
    if head[:1] in "\"'":
        quote = head[0]
        inner = head[1:-1]
        if len(head) < 2 or head[-1] != quote or "\\" in inner or quote in inner:
            return None
        return [(start + 1, end - 1)]
    first = [(start, end)] if head else []
    return first + _indented_lines(text, rest, allow_blank=False)


def _indented_lines(text: str, rest: list[_Seg], *, allow_blank: bool) -> list[_Seg]:
    segs: list[_Seg] = []
    indent = 0
    for start, end in rest:
        line = text[start:end]
        if not line.strip():
            if not allow_blank:
                break
            segs.append((start, start))
            continue
        width = len(line) - len(line.lstrip(" "))
        if width == 0:
            break
        indent = indent or width
        segs.append((start + min(indent, width), end))
    while segs and segs[-1][0] == segs[-1][1]:
        segs.pop()
    return segs


# Block structure ---------------------------------------------------------------------------------


@dataclass
class _Para:
    """A run of prose lines: a paragraph, a heading, a table row or a list item's text."""

    segs: list[_Seg]
    heading: bool = False
    quote: int = -1  # the outermost block quote holding it, -1 outside block quotes
    checked: bool = True  # False inside .series-blurb and .unchecked divs
    depth: int = 0  # how many containers hold it


_Item = _Para | None  # None marks a block that is not prose (code, rule, table edge...)


@dataclass(frozen=True)
class _Ctx:
    quote: int = -1
    checked: bool = True
    in_list: bool = False
    in_div: bool = False
    depth: int = 0  # how many containers deep: at most MAX_NESTING


class _TooDeep(Exception):
    """Structure nested more than `MAX_NESTING` levels deep, found at ``offset``."""

    def __init__(self, offset: int, what: str) -> None:
        super().__init__(what)
        self.offset = offset
        self.what = what


_BLANK_RE = re.compile(r"[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*(.*?)[ \t]*$")
_RAW_ATTR_RE = re.compile(r"\{[ \t]*=[\w-]+[ \t]*\}")
_DIV_OPEN_RE = re.compile(r":{3,}[ \t]*(\{[^{}]*\}|[^\s{}:]\S*)[ \t]*:*[ \t]*$")
_DIV_CLOSE_RE = re.compile(r":{3,}[ \t]*$")
_CLASS_RE = re.compile(r"(?:^|\s|\{)\.([A-Za-z][\w:.-]*)")
_CLASS_ATTR_RE = re.compile(r"class=(?:\"([^\"]*)\"|'([^']*)'|(\S+?)(?=[\s}]))")
_ATX_RE = re.compile(r"(#{1,6})(?:[ \t]+|$)")
# Heading attributes right after "]" belong to a span or link, not to the heading.
_ATX_CLOSE_RE = re.compile(r"[ \t]*#*[ \t]*(?:(?<!\])\{[^{}]*\})?[ \t]*$")
_SETEXT_RE = re.compile(r"(?:=+|-+)[ \t]*$")
_ATTR_TAIL_RE = re.compile(r"[ \t]*(?<!\])\{[^{}]*\}[ \t]*$")
_HRULE_RE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_RE = re.compile(
    r"( {0,3})(?:([-*+])|(\d{1,9}|#|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+|@[\w-]*)([.)])"
    r"|\((\d{1,9}|#|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+|@[\w-]*)\))([ \t]+|$)"
)
_BQ_RE = re.compile(r" {0,3}> ?")
_NOTE_DEF_RE = re.compile(r" {0,3}\[\^([^\]\s]+)\]:[ \t]*")
_NOTE_MARK_RE = re.compile(r" {0,3}\[\^[^\]\s]+\]")
_REF_DEF_RE = re.compile(r" {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*(\S.*)?$")
_TITLE_LINE_RE = re.compile(r"[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\))[ \t]*$")
_HTML_BLOCK_RE = re.compile(r" {0,3}<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>]|$)")
_COMMENT_START_RE = re.compile(r" {0,3}<!--")
_TEX_BEGIN_RE = re.compile(r"\\begin\{([^{}\n]+)\}")
_TEX_LINE_RE = re.compile(
    r"\\[A-Za-z]+\*?(?:[ \t]*(?:\[[^\]\n]*\]|\{[^{}\n]*(?:\{[^{}\n]*\}[^{}\n]*)*\}))*[ \t]*$"
)
_PIPE_SEP_RE = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_GRID_RE = re.compile(r" {0,3}\+(?:[-=:]+\+)+[ \t]*$")
_DASHES_RE = re.compile(r" {0,3}-+(?:[ \t]+-+)*[ \t]*$")
_DASH_COLUMNS_RE = re.compile(r" {0,3}-+(?:[ \t]+-+)+[ \t]*$")
_CAPTION_RE = re.compile(r" {0,3}(?:Table)?:[ \t]+")
_LINE_BLOCK_RE = re.compile(r"\|(?: |$)")
_DEF_RE = re.compile(r" {0,3}[:~][ \t]+")
_CELL_STOP_RE = re.compile(r"[|\\`]")

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "canvas", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "iframe",
    "legend", "li", "main", "map", "menu", "nav", "noscript", "object", "ol", "optgroup",
    "option", "p", "pre", "script", "section", "style", "summary", "svg", "table", "tbody",
    "td", "textarea", "tfoot", "th", "thead", "tr", "ul", "video", "math"
})
_VERBATIM_TAGS = frozenset({"pre", "script", "style", "textarea"})


class _BlockScanner:
    """Splits lines into prose items, registering notes, link references and raw blocks."""

    def __init__(self, text: str, *, allow_raw: bool, lines: _LineIndex,
                 problems: list[Problem], quote_ids: Iterable[int]) -> None:
        self.text = text
        self.allow_raw = allow_raw
        self.lines = lines
        self.problems = problems
        self.notes: dict[str, list[_Item]] = {}
        self.refs: set[str] = set()
        self.examples: set[str] = set()  # labels of example list items, "(@label)"
        self._raw_lines: set[int] = set()
        self._syntax = _Syntax(text)  # code spans in table cells
        self._misses: dict[tuple[int, str], tuple[list[_Seg], int]] = {}
        self._quote_ids = iter(quote_ids)
        self._handlers = (
            self._fenced_code, self._bullet_item, self._fenced_div, self._heading,
            self._html, self._table, self._indented_code, self._raw_tex, self._line_block,
            self._block_quote, self._hrule, self._ordered_item, self._definitions,
            self._note_definition, self._reference, self._paragraph,
        )

    def parse(self, lines: list[_Seg], ctx: _Ctx) -> list[_Item]:
        """The prose items of ``lines`` (a list this call may rewrite) in reading order."""
        out: list[_Item] = []
        i = 0
        while i < len(lines):
            if self._blank(lines[i]):
                i += 1
                continue
            for handler in self._handlers:
                nxt = handler(lines, i, ctx, out)
                if nxt is not None:
                    i = nxt
                    break
        return out

    # helpers

    def _deeper(self, ctx: _Ctx, seg: _Seg, what: str, **changes: Any) -> _Ctx:
        """The context one container deeper than ``ctx``; `_TooDeep` beyond `MAX_NESTING`."""
        if ctx.depth >= MAX_NESTING:
            raise _TooDeep(self._dedent(seg, 3)[0], what)
        return replace(ctx, depth=ctx.depth + 1, **changes)

    def _blank(self, seg: _Seg) -> bool:
        return _BLANK_RE.match(self.text, seg[0], seg[1]) is not None

    def _match(self, pattern: re.Pattern[str], seg: _Seg) -> re.Match[str] | None:
        return pattern.match(self.text, seg[0], seg[1])

    def _indent(self, seg: _Seg) -> int:
        width = 0
        for char in self.text[seg[0] : seg[1]]:
            if char == " ":
                width += 1
            elif char == "\t":
                width += 4 - width % 4
            else:
                break
        return width

    def _dedent(self, seg: _Seg, columns: int) -> _Seg:
        start, end = seg
        width = 0
        while start < end and width < columns and self.text[start] in " \t":
            width += 1 if self.text[start] == " " else 4 - width % 4
            start += 1
        return start, end

    def _raw(self, seg: _Seg, what: str) -> None:
        span = self.lines.span(*self._dedent(seg, 3))
        if self.allow_raw or span.line in self._raw_lines:
            return
        self._raw_lines.add(span.line)  # one warning per line: "<table><tr>" is one block
        self.problems.append(Problem(
            rule="brief-raw-content", status=Status.WARNING, span=span,
            message=f"raw {what}: raw HTML and TeX are not allowed in a brief "
                    "unless the workspace sets allow_raw",
        ))

    def _list_marker(self, seg: _Seg) -> re.Match[str] | None:
        match = self._match(_LIST_RE, seg)
        if match is None or (match.group(2) and self._match(_HRULE_RE, seg)):
            return None
        label, delim, spaces = match.group(3), match.group(4), match.group(6)
        if (label or match.group(5) or "").startswith("@"):
            return None  # example lists are off in the house reader: "@key." cites
        initial = label is not None and label.isupper() and (len(label) == 1 or label in "IVXLCDM")
        if initial and delim == "." and len(spaces) < 2 and match.end() < seg[1]:
            return None  # an initial such as "A. Smith", not a list
        if label == "p" and delim == "." and self.text[match.end() : match.end() + 1].isdigit():
            return None  # a page reference such as "p. 3"
        return match

    def _fence_start(self, lines: list[_Seg], j: int) -> bool:
        """Whether a backtick code block (closed, as pandoc requires) starts at ``lines[j]``."""
        match = self._match(_FENCE_RE, lines[j])
        if match is None or match.group(1)[0] != "`":
            return False
        return self._fenced_code(lines, j, _Ctx(checked=False), []) is not None

    def _interrupts(self, lines: list[_Seg], j: int, ctx: _Ctx) -> bool:
        """Whether ``lines[j]`` ends the paragraph before it (pandoc's rules)."""
        seg = lines[j]
        if self._blank(seg) or self._fence_start(lines, j):
            return True
        if ctx.in_div and self._match(_DIV_CLOSE_RE, seg):
            return True
        return ctx.in_list and self._list_marker(seg) is not None

    # handlers: each returns the index of the next unread line, or None when it does not apply

    def _fenced_code(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        match = self._match(_FENCE_RE, lines[i])
        if match is None:
            return None
        fence = match.group(1)
        closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = self._first_line(lines, i + 1, fence, lambda seg: bool(self._match(closing, seg)))
        if j is None:
            return None  # never closed: pandoc reads the line as text
        if _RAW_ATTR_RE.fullmatch(match.group(2)) and ctx.checked:
            self._raw(lines[i], f"block ({match.group(2)})")
        out.append(None)
        return j + 1

    def _first_line(self, lines: list[_Seg], start: int, key: str,
                    found: Callable[[_Seg], bool]) -> int | None:
        """The index of the first line from ``start`` on for which ``found`` holds.

        A miss is remembered under ``key`` for this list of lines, so that many unclosed fences
        or comments cost one pass, not one pass each.
        """
        entry = self._misses.get((id(lines), key))
        missing_from = entry[1] if entry is not None and entry[0] is lines else len(lines) + 1
        for j in range(start, min(missing_from, len(lines))):
            if found(lines[j]):
                return j
        self._misses[(id(lines), key)] = (lines, min(start, missing_from))
        return None

    def _bullet_item(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        match = self._list_marker(lines[i])
        if match is None or not match.group(2):
            return None
        return self._list_item(lines, i, match, ctx, out)

    def _ordered_item(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        match = self._list_marker(lines[i])
        if match is None or match.group(2):
            return None
        return self._list_item(lines, i, match, ctx, out)

    def _list_item(self, lines: list[_Seg], i: int, match: re.Match[str], ctx: _Ctx,
                   out: list[_Item]) -> int:
        start, end = lines[i]
        label = match.group(3) or match.group(5) or ""
        if label.startswith("@"):
            self.examples.add(label[1:])  # pandoc: "@key." opening a block is an example list
        spaces = match.group(6)
        content = match.end() if len(spaces) <= 4 else match.start(6) + 1
        indent = content - start
        item = [(content, end)]
        j = i + 1
        while j < len(lines) and not self._interrupts(lines, j, replace(ctx, in_list=True)):
            item.append(self._dedent(lines[j], indent))
            j += 1
        j = self._list_continuations(lines, j, indent, ctx, item)
        out.extend(self.parse(item, self._deeper(ctx, lines[i], "lists", in_list=True)))
        return j

    def _list_continuations(self, lines: list[_Seg], j: int, indent: int, ctx: _Ctx,
                            item: list[_Seg]) -> int:
        while True:
            k = j
            while k < len(lines) and self._blank(lines[k]):
                k += 1
            if k >= len(lines) or self._indent(lines[k]) < indent:
                return j
            item.extend((s, s) for s, _ in lines[j:k])
            item.append(self._dedent(lines[k], indent))
            j = k + 1
            while j < len(lines) and not self._blank(lines[j]):
                if ctx.in_div and self._match(_DIV_CLOSE_RE, lines[j]):
                    return j
                if self._indent(lines[j]) >= indent:
                    item.append(self._dedent(lines[j], indent))
                elif self._list_marker(lines[j]) is None:
                    item.append(lines[j])
                else:
                    return j
                j += 1

    def _fenced_div(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        match = self._match(_DIV_OPEN_RE, lines[i])
        if match is None:
            return None
        end = self._div_end(lines, i)
        if end is None:
            return None
        classes = _classes(match.group(1))
        skipped = bool(classes & SKIPPED_DIV_CLASSES)
        if "prompt" in classes:
            self.problems.append(Problem(
                rule="draft-prompt", status=Status.WARNING,
                span=self.lines.span(*self._dedent(lines[i], 3)),
                message="a prompt of the skeleton is still in the brief: write the section, "
                        "then delete the prompt",
            ))
        inner = self._deeper(ctx, lines[i], "divs", in_div=True,
                             checked=ctx.checked and not skipped)
        out.append(None)
        out.extend(self.parse(lines[i + 1 : end], inner))
        out.append(None)
        return end + 1

    def _div_end(self, lines: list[_Seg], i: int) -> int | None:
        depth = 1
        j = i + 1
        while j < len(lines):
            seg = lines[j]
            if self._match(_FENCE_RE, seg):
                skipped = self._fenced_code(lines, j, _Ctx(checked=False), [])
                if skipped is not None:
                    j = skipped
                    continue
            if self._match(_DIV_CLOSE_RE, seg):
                depth -= 1
                if depth == 0:
                    return j
            elif self._match(_DIV_OPEN_RE, seg):
                depth += 1
            j += 1
        return None

    def _heading(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        start, end = lines[i]
        if i + 1 < len(lines) and self._match(_SETEXT_RE, lines[i + 1]):
            tail = _ATTR_TAIL_RE.search(self.text, start, end)
            seg = self._dedent((start, tail.start() if tail else end), 3)
            out.append(_Para([seg], heading=True, quote=ctx.quote, checked=ctx.checked,
                             depth=ctx.depth))
            return i + 2
        match = self._match(_ATX_RE, lines[i])
        if match is None:
            return None
        closing = _ATX_CLOSE_RE.search(self.text, match.end(), end)
        stop = closing.start() if closing else end
        if stop > match.end():
            out.append(_Para([(match.end(), stop)], heading=True, quote=ctx.quote,
                             checked=ctx.checked, depth=ctx.depth))
        return i + 1

    def _html(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        end = lines[i][1]
        if self._match(_COMMENT_START_RE, lines[i]):
            return self._comment(lines, i)
        match = self._match(_HTML_BLOCK_RE, lines[i])
        if match is None or match.group(2).lower() not in _BLOCK_TAGS:
            return None
        name = match.group(2).lower()
        if name != "div" and ctx.checked:
            self._raw(lines[i], f"HTML <{match.group(1)}{name}>")
        out.append(None)
        if name in _VERBATIM_TAGS and not match.group(1):
            closer = re.compile(rf"</{name}\s*>", re.IGNORECASE)
            j = self._first_line(lines, i, f"</{name}>",
                                 lambda seg: bool(closer.search(self.text, *seg)))
            return len(lines) if j is None else j + 1
        tag_end = self.text.find(">", match.end(), end)
        if tag_end < 0 or self._blank((tag_end + 1, end)):
            return i + 1
        lines[i] = (tag_end + 1, end)  # read what follows the tag on its line
        return i

    def _comment(self, lines: list[_Seg], i: int) -> int | None:
        first = self.text.find("<!--", *lines[i]) + 4
        close = self.text.find("-->", first, lines[i][1])
        j = i
        if close < 0:
            found = self._first_line(lines, i + 1, "-->", self._closes_comment)
            if found is None:
                return None  # never closed: pandoc reads it as text
            j, close = found, self.text.find("-->", *lines[found])
        end = lines[j][1]
        if self._blank((close + 3, end)):
            return j + 1
        lines[j] = (close + 3, end)
        return j

    def _closes_comment(self, seg: _Seg) -> bool:
        return self.text.find("-->", *seg) >= 0

    def _table(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        seg = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt and "|" in self.text[seg[0] : seg[1]] and "|" in self.text[nxt[0] : nxt[1]] \
                and self._match(_PIPE_SEP_RE, nxt):
            rows = [seg, *self._rows(lines, i + 2, lambda s: "|" in self.text[s[0] : s[1]])]
            return self._emit_rows(lines, i, rows, len(rows) + 1, ctx, out, cells=True)
        if self._match(_GRID_RE, seg):
            rows = [seg, *self._rows(lines, i + 1, lambda s: True)]
            return self._emit_rows(lines, i, rows, len(rows), ctx, out, cells=True)
        if nxt and self._match(_DASH_COLUMNS_RE, nxt):
            rows = [seg, *self._rows(lines, i + 2, lambda s: True)]
            return self._emit_rows(lines, i, rows, len(rows) + 1, ctx, out, cells=False)
        if self._match(_DASHES_RE, seg):
            last = self._multiline_table_end(lines, i)
            if last is not None:
                return self._emit_rows(lines, i, lines[i : last + 1], last + 1 - i, ctx, out,
                                       cells=False)
        return None

    def _rows(self, lines: list[_Seg], j: int, keep: Callable[[_Seg], bool]) -> list[_Seg]:
        rows: list[_Seg] = []
        while j < len(lines) and not self._blank(lines[j]) and keep(lines[j]):
            rows.append(lines[j])
            j += 1
        return rows

    def _multiline_table_end(self, lines: list[_Seg], i: int) -> int | None:
        blank_run = 0
        for j in range(i + 1, len(lines)):
            if self._blank(lines[j]):
                blank_run += 1
                if blank_run > 1 or j == i + 1:
                    return None
                continue
            blank_run = 0
            following = j + 1 >= len(lines) or self._blank(lines[j + 1])
            if self._match(_DASHES_RE, lines[j]) and following and j > i + 1:
                return j
        return None

    def _emit_rows(self, lines: list[_Seg], i: int, rows: list[_Seg], used: int, ctx: _Ctx,
                   out: list[_Item], *, cells: bool) -> int:
        out.append(None)
        for row in rows:
            if self._match(_PIPE_SEP_RE, row) or self._match(_GRID_RE, row) \
                    or self._match(_DASHES_RE, row):
                continue
            segs = self._cells(row) if cells else [self._dedent(row, 3)]
            segs = [s for s in segs if not self._blank(s)]
            if segs:
                out.append(_Para(segs, quote=ctx.quote, checked=ctx.checked,
                                 depth=ctx.depth))
            out.append(None)
        return self._caption(lines, i + used, ctx, out)

    def _cells(self, row: _Seg) -> list[_Seg]:
        text = self.text
        start, end = row
        cells: list[_Seg] = []
        cell = pos = start
        while (match := _CELL_STOP_RE.search(text, pos, end)) is not None:
            pos = match.end()
            char = match.group()
            if char == "\\":
                pos += 1
            elif char == "`":
                close = self._syntax.code_end(match.start(), end)
                pos = close if close is not None else pos
            else:
                cells.append(_trim(text, cell, match.start()))
                cell = pos
        cells.append(_trim(text, cell, end))
        return [c for c in cells if c[1] > c[0]]

    def _caption(self, lines: list[_Seg], j: int, ctx: _Ctx, out: list[_Item]) -> int:
        k = j
        while k < len(lines) and self._blank(lines[k]):
            k += 1
        if k >= len(lines):
            return k
        match = self._match(_CAPTION_RE, lines[k])
        if match is None:
            return j
        segs = [(match.end(), lines[k][1])]
        k += 1
        while k < len(lines) and not self._blank(lines[k]):
            segs.append(lines[k])
            k += 1
        out.append(_Para(segs, quote=ctx.quote, checked=ctx.checked,
                         depth=ctx.depth))
        return k

    def _indented_code(self, lines: list[_Seg], i: int, ctx: _Ctx,
                       out: list[_Item]) -> int | None:
        if self._indent(lines[i]) < 4:
            return None
        j = i
        while j < len(lines):
            if self._blank(lines[j]):
                k = j
                while k < len(lines) and self._blank(lines[k]):
                    k += 1
                if k >= len(lines) or self._indent(lines[k]) < 4:
                    break
                j = k
            elif self._indent(lines[j]) >= 4:
                j += 1
            else:
                break
        out.append(None)
        return j

    def _raw_tex(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        begin = self._match(_TEX_BEGIN_RE, lines[i])
        if begin is not None:
            ending = f"\\end{{{begin.group(1)}}}"
            j = self._first_line(lines, i, ending, lambda seg: self.text.find(ending, *seg) >= 0)
            if j is None:
                return None
            if ctx.checked:
                self._raw(lines[i], f"TeX \\begin{{{begin.group(1)}}}")
            out.append(None)
            return j + 1
        if self._match(_TEX_LINE_RE, lines[i]) is None:
            return None
        if ctx.checked:
            command = self.text[lines[i][0] : lines[i][1]].strip()
            self._raw(lines[i], f"TeX {command[:40]}")
        out.append(None)
        return i + 1

    def _line_block(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        if self._match(_LINE_BLOCK_RE, lines[i]) is None:
            return None
        segs: list[_Seg] = []
        j = i
        while j < len(lines) and not self._blank(lines[j]):
            start, end = lines[j]
            if self._match(_LINE_BLOCK_RE, lines[j]):
                segs.append((min(start + 2, end), end))
            elif self.text[start] == " ":
                segs.append(lines[j])
            else:
                break
            j += 1
        out.append(_Para(segs, quote=ctx.quote, checked=ctx.checked,
                         depth=ctx.depth))
        return j

    def _block_quote(self, lines: list[_Seg], i: int, ctx: _Ctx,
                     out: list[_Item]) -> int | None:
        if self._match(_BQ_RE, lines[i]) is None:
            return None
        inner: list[_Seg] = []
        j = i
        while j < len(lines):
            marker = self._match(_BQ_RE, lines[j])
            if marker is not None:
                inner.append((marker.end(), lines[j][1]))
            elif inner and not self._blank(inner[-1]) and not self._interrupts(lines, j, ctx):
                inner.append(lines[j])  # a lazy continuation line
            else:
                break
            j += 1
        quote = ctx.quote if ctx.quote >= 0 else next(self._quote_ids)
        out.extend(self.parse(inner, self._deeper(ctx, lines[i], "block quotes", quote=quote)))
        return j

    def _hrule(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        if self._match(_HRULE_RE, lines[i]) is None:
            return None
        out.append(None)
        return i + 1

    def _definitions(self, lines: list[_Seg], i: int, ctx: _Ctx,
                     out: list[_Item]) -> int | None:
        j = self._definition_marker(lines, i + 1)
        if j is None:
            return None
        out.append(_Para([self._dedent(lines[i], 3)], quote=ctx.quote, checked=ctx.checked,
                         depth=ctx.depth))
        while j is not None:
            marker = self._match(_DEF_RE, lines[j])
            assert marker is not None
            body = [(marker.end(), lines[j][1])]
            inner = self._deeper(ctx, lines[j], "definition lists")
            j = self._definition_body(lines, j + 1, ctx, body)
            out.extend(self.parse(body, inner))
            j_next = self._definition_marker(lines, j)
            if j_next is None:
                return j
            j = j_next
        return j

    def _definition_marker(self, lines: list[_Seg], j: int) -> int | None:
        if j < len(lines) and self._blank(lines[j]):
            j += 1
        if j < len(lines) and self._match(_DEF_RE, lines[j]):
            return j
        return None

    def _definition_body(self, lines: list[_Seg], j: int, ctx: _Ctx, body: list[_Seg]) -> int:
        while j < len(lines):
            seg = lines[j]
            if self._blank(seg):
                k = j
                while k < len(lines) and self._blank(lines[k]):
                    k += 1
                if k >= len(lines) or self._indent(lines[k]) < 4:
                    return j
                body.extend((s, s) for s, _ in lines[j:k])
                j = k
                continue
            if ctx.in_div and self._match(_DIV_CLOSE_RE, seg):
                return j
            if self._indent(seg) >= 4:
                body.append(self._dedent(seg, 4))
            elif self._match(_DEF_RE, seg) is None:
                body.append(seg)
            else:
                return j
            j += 1
        return j

    def _note_definition(self, lines: list[_Seg], i: int, ctx: _Ctx,
                         out: list[_Item]) -> int | None:
        match = self._match(_NOTE_DEF_RE, lines[i])
        if match is None:
            return None
        body: list[_Seg] = []
        first: _Seg = (match.end(), lines[i][1])
        j = i + 1
        if self._blank(first) and j < len(lines) and not self._blank(lines[j]):
            first, j = self._dedent(lines[j], 4), j + 1
        body.append(first)
        j = self._note_lines(lines, j, body)
        while True:
            k = j
            while k < len(lines) and self._blank(lines[k]):
                k += 1
            if k >= len(lines) or self._indent(lines[k]) < 4 or k == j:
                break
            body.extend((s, s) for s, _ in lines[j:k])
            body.append(self._dedent(lines[k], 4))
            j = self._note_lines(lines, k + 1, body)
        inner = self._deeper(_Ctx(checked=ctx.checked, depth=ctx.depth), lines[i], "notes")
        self.notes[match.group(1)] = self.parse(body, inner)
        return j

    def _note_lines(self, lines: list[_Seg], j: int, body: list[_Seg]) -> int:
        while j < len(lines) and not self._blank(lines[j]):
            if self._match(_NOTE_MARK_RE, lines[j]):
                break
            seg = lines[j]
            body.append(self._dedent(seg, 4) if self._indent(seg) >= 4 else seg)
            j += 1
        return j

    def _reference(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int | None:
        match = self._match(_REF_DEF_RE, lines[i])
        if match is None or match.group(1)[:1] in "^@":
            return None
        target = match.group(2)
        j = i + 1
        if target is None:
            if j >= len(lines) or self._blank(lines[j]):
                return None
            j += 1
        elif target.startswith("["):
            return None
        if j < len(lines) and self._match(_TITLE_LINE_RE, lines[j]):
            j += 1
        self.refs.add(_ref_key(match.group(1)))
        return j

    def _paragraph(self, lines: list[_Seg], i: int, ctx: _Ctx, out: list[_Item]) -> int:
        segs = [self._dedent(lines[i], 3)]
        j = i + 1
        while True:
            while j < len(lines) and not self._interrupts(lines, j, ctx):
                segs.append(lines[j])
                j += 1
            close = self._comment_close(segs, lines, j)
            if close is None:
                break
            segs.extend(lines[j : close + 1])  # an HTML comment runs on past blank lines
            j = close + 1
        out.append(_Para(segs, quote=ctx.quote, checked=ctx.checked,
                         depth=ctx.depth))
        return j

    def _comment_close(self, segs: list[_Seg], lines: list[_Seg], j: int) -> int | None:
        """If ``segs`` leave an HTML comment open, the index of the line that closes it."""
        text = "\n".join(self.text[s:e] for s, e in segs)
        opened = text.rfind("<!--")
        if opened < 0 or text.find("-->", opened + 4) >= 0:
            return None
        return self._first_line(lines, j, "-->", self._closes_comment)


def _classes(attributes: str) -> set[str]:
    if not attributes.startswith("{"):
        return {attributes}
    found = set(_CLASS_RE.findall(attributes))
    for match in _CLASS_ATTR_RE.finditer(attributes):
        found.update("".join(g or "" for g in match.groups()).split())
    return found


def _trim(text: str, start: int, end: int) -> _Seg:
    while start < end and text[start] in " \t|":
        start += 1
    while end > start and text[end - 1] in " \t|":
        end -= 1
    return start, end


def _ref_key(label: str) -> str:
    return " ".join(label.lower().split())


# Inline syntax -----------------------------------------------------------------------------------

# Plain spaces are not special: a run of words is emitted at once (double spaces collapsed there).
_SPECIAL_RE = re.compile(r"[\\`*_~^\[!<@$&\t\n\r\f\v]")
_SPACES_RE = re.compile(r" +")
_WS_RE = re.compile(r"\s+")
_KEY_RE = re.compile(r"[\w*](?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*")
_UNIT_RE = re.compile(r"[\\`\[\]^<$;@\-&]")
_BRACKET_RE = re.compile(r"[\\`\[\]<]")
_NESTING_RE = re.compile(r"[\\`<$*_~^\[\]\"']")
_SUFFIX_RE = re.compile(r"[\\`\[\]^<$;&]")
_NOTE_REF_RE = re.compile(r"\[\^([^\s\]]+)\]")
_SUPER_RE = re.compile(r"\^([^\s^]+)\^")
_SUB_RE = re.compile(r"~([^\s~]+)~")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*?)?/?>")
_TEX_CMD_RE = re.compile(r"\\[A-Za-z]+\*?")
_ATTRS_RE = re.compile(
    r"\{\s*(?:(?:[#.][A-Za-z][\w:.-]*|[A-Za-z][\w:.-]*=(?:\"[^\"]*\"|'[^']*'|[^\s}]*)|-)\s*)*\}"
)
_RAW_INLINE_RE = re.compile(r"\{=[\w-]+\}")
_MATH_STOP_RE = re.compile(r"[\\$]")
_EXAMPLE_REF_RE = re.compile(r"@(?:[^\W_]+|[_-][^\W_]+)*")


@dataclass(frozen=True)
class _CiteItem:
    """One citation inside brackets: where its prefix, key and suffix are in the source."""

    prefix: tuple[int, int]
    key: str
    key_range: tuple[int, int]
    suffix: tuple[int, int]
    suppress: bool
    textual: bool = False


class _Syntax:
    """The inline syntax of one paragraph's text, with the lookups it needs computed once.

    Matching brackets and code spans are found in one pass over the text, so that text full of
    unbalanced brackets or backticks costs linear time, not quadratic or worse.
    """

    def __init__(self, src: str) -> None:
        self.src = src
        self._pairs: dict[str, dict[int, int | None]] = {}
        self._runs: dict[int, list[int]] | None = None
        self._no_comment_end: dict[int, int] = {}  # range end -> from where "-->" is missing
        self._closers: dict[str, set[int]] = {}

    def code_end(self, j: int, b: int) -> int | None:
        """The end of the code span opening at ``j`` (a run of backticks), or None if unclosed."""
        run = self.backtick_run(j, b)
        size = run - j
        if self._runs is None:
            self._runs = {}
            for match in re.finditer("`+", self.src):
                self._runs.setdefault(match.end() - match.start(), []).append(match.start())
        starts = self._runs.get(size, [])
        k = bisect_left(starts, run)  # the closing run has exactly as many backticks
        return starts[k] + size if k < len(starts) and starts[k] + size <= b else None

    def _table(self, opening: str) -> dict[int, int | None]:
        """Every ``opening`` mark matched to its closing mark in one pass over the text.

        ``[`` skips escapes, code spans, comments and tags like pandoc's bracket matching;
        ``(`` and ``{`` skip escapes only.
        """
        table = self._pairs.get(opening)
        if table is not None:
            return table
        table = self._pairs[opening] = {}
        closing = {"[": "]", "(": ")", "{": "}"}[opening]
        pattern = _BRACKET_RE if opening == "[" else re.compile(rf"[\\\{opening}\{closing}]")
        stack: list[int] = []
        src, end, pos = self.src, len(self.src), 0
        while (match := pattern.search(src, pos)) is not None:
            k = match.start()
            char = src[k]
            pos = k + 1
            if char == "\\":
                pos = k + 2
            elif char == "`":
                pos = self.code_end(k, end) or k + 1
            elif char == "<":
                pos = self.angle_end(k, end) or k + 1
            elif char == opening:
                stack.append(k)
                table[k] = None
            elif stack:
                table[stack.pop()] = k
        return table

    def _matching(self, opening: str, j: int, b: int) -> int | None:
        close = self._table(opening).get(j)
        return close if close is not None and close < b else None

    def backtick_run(self, j: int, b: int) -> int:
        src = self.src
        while j < b and src[j] == "`":
            j += 1
        return j

    def angle_end(self, j: int, b: int) -> int | None:
        """The end of an HTML comment, autolink or tag opening at ``j``, or None."""
        src = self.src
        if src.startswith("<!--", j):
            missing = self._no_comment_end.get(b, b + 1)
            close = src.find("-->", j + 4, b) if j + 4 < missing else -1
            if close < 0:
                self._no_comment_end[b] = min(missing, j + 4)
                return None
            return close + 3
        match = _AUTOLINK_RE.match(src, j, b) or _TAG_RE.match(src, j, b)
        return match.end() if match else None

    def math_end(self, j: int, b: int) -> int | None:
        """The end of TeX math opening at ``j`` with pandoc's rules for ``$``, or None."""
        src = self.src
        if src.startswith("$$", j):
            close = src.find("$$", j + 2, b)
            return close + 2 if close > j + 2 else None
        if j + 1 >= b or src[j + 1].isspace():
            return None
        pos = j + 1
        while (match := _MATH_STOP_RE.search(src, pos, b)) is not None:
            k = match.start()
            if src[k] == "\\":
                pos = k + 2
                continue
            if src[k - 1].isspace() or (k + 1 < b and src[k + 1].isdigit()):
                return None  # "$20 and $30" is not math
            return k + 1
        return None

    def depths(self, limit: int, brackets_limit: int) -> _Depths:
        """How deep the inline structure nests: where it first nests more than ``limit``
        levels, the most brackets open at once, and where more than ``brackets_limit`` first
        were.

        Emphasis, strikeout, super- and subscripts, links, spans, inline notes and quotation
        marks (pandoc's smart quotes) count as nesting, each pair of delimiters one level. A
        closing delimiter takes the nearest open one of its kind and drops the unclosed ones
        above it, so stray asterisks and plain brackets (``[[[x]]]``, which pandoc keeps as
        text) nest nothing; but every ``[`` not yet closed counts as an open bracket. One pass:
        linear in the text.
        """
        src, end = self.src, len(self.src)
        stack: list[tuple[str, int]] = []  # open delimiters: *, _, ~, ^, [, ^[, " or '
        counts: dict[str, int] = {}  # open delimiters per closing character
        levels: list[tuple[int, int, str]] = []  # (position, +1 or -1, what opens there)
        brackets = most = over_at = 0
        pos = 0
        while (match := _NESTING_RE.search(src, pos)) is not None:
            k = match.start()
            char = src[k]
            if char in "\\`<$":
                pos = self._skip_opaque(k, end)
                continue
            if char == "[" or src.startswith("^[", k):
                token = "^[" if char == "^" else "["
                stack.append((token, k))
                counts["]"] = counts.get("]", 0) + 1
                brackets += 1
                most = max(most, brackets)
                if brackets == brackets_limit + 1 and not over_at:
                    over_at = k + 1
                pos = k + len(token)
                continue
            if char == "]" and brackets:
                brackets -= 1
            run = k + 1
            while run < end and src[run] == char != "]":
                run += 1
            before = src[k - 1] if k else " "
            after = src[run] if run < end else " "
            inword = char in "_'\""  # these neither open after nor close before a letter
            opens = char != "]" and not after.isspace() and not (inword and before.isalnum())
            closes = counts.get(char, 0) > 0 and (char == "]" or not before.isspace()) and not (
                inword and after.isalnum())
            # A delimiter that may do both closes only the innermost open one, as pandoc's
            # parser (which looks for the innermost closer first) reads "*_*_x_*_*".
            if closes and (not opens or _closing_key(stack[-1][0]) == char):
                opened, at = self._pop_to(stack, counts, char)
                what = {"[": "links", "^[": "notes", '"': "quotations",
                        "'": "quotations"}.get(opened, "emphasis")
                if what != "links" or src[k + 1 : k + 2] in ("(", "{", "["):
                    levels += [(at, 1, what), (k, -1, what)]
            elif opens:
                stack.append((char, k))
                counts[char] = counts.get(char, 0) + 1
            pos = run
        return _Depths(_first_beyond(levels, limit), most, over_at - 1)

    def _skip_opaque(self, k: int, end: int) -> int:
        """The index after the escape, code span, tag or math at ``k`` (or after ``k``)."""
        char = self.src[k]
        if char == "\\":
            return k + 2
        if char == "`":
            return self.code_end(k, end) or self.backtick_run(k, end)
        if char == "<":
            return self.angle_end(k, end) or k + 1
        return self.math_end(k, end) or k + 1

    @staticmethod
    def _pop_to(stack: list[tuple[str, int]], counts: dict[str, int],
                closer: str) -> tuple[str, int]:
        """Pop open delimiters down to the nearest one ``closer`` closes; return it."""
        while True:
            token, at = stack.pop()
            key = _closing_key(token)
            counts[key] -= 1
            if key == closer:
                return token, at

    def match_bracket(self, j: int, b: int) -> int | None:
        """The index of the ``]`` closing the ``[`` at ``j`` (code, escapes and tags skipped)."""
        table = self._table("[")
        if j in table:
            return self._matching("[", j, b)
        return self._scan_bracket(j, b)  # a bracket the whole-text pass saw inside code

    def _scan_bracket(self, j: int, b: int) -> int | None:
        src = self.src
        depth = 0
        pos = j
        while (match := _BRACKET_RE.search(src, pos, b)) is not None:
            k = match.start()
            char = src[k]
            if char == "\\":
                pos = k + 2
            elif char == "`":
                pos = self.code_end(k, b) or k + 1
            elif char == "<":
                pos = self.angle_end(k, b) or k + 1
            else:
                depth += 1 if char == "[" else -1
                if depth == 0:
                    return k
                pos = k + 1
        return None

    def skip_unit(self, j: int, b: int) -> int:
        """The index after one inline unit starting at ``j`` (for scanning inside brackets)."""
        src = self.src
        char = src[j]
        if char == "\\":
            return min(j + 2, b)
        if char == "`":
            return self.code_end(j, b) or j + 1
        if char == "[" or (char == "^" and src.startswith("^[", j)):
            close = self.match_bracket(j if char == "[" else j + 1, b)
            if close is None:
                return j + 1
            if close + 1 < b and src[close + 1] == "(":  # a link: its destination is not text
                return self.link_dest_end(close + 1, b) or close + 1
            return close + 1
        if char == "<":
            return self.angle_end(j, b) or j + 1
        if char == "$":
            return self.math_end(j, b) or j + 1
        if char == "&":
            entity = _ENTITY_RE.match(src, j, b)
            return entity.end() if entity else j + 1
        return j + 1

    def spnl(self, j: int, b: int) -> int | None:
        """Skip spaces and at most one line break; None if a blank line follows."""
        src = self.src
        while j < b and src[j] in " \t":
            j += 1
        if j < b and src[j] == "\n":
            j += 1
            while j < b and src[j] in " \t":
                j += 1
            if j < b and src[j] == "\n":
                return None
        return j

    def cite_allowed(self, p: int) -> bool:
        """Whether a citation may start at ``p``: pandoc wants it not to follow a word."""
        src = self.src
        if p == 0:
            return True
        prev = src[p - 1]
        if prev.isalnum():
            return False
        if prev == ".":
            q = p - 1
            while q >= 0 and src[q] == ".":
                q -= 1
            dots = p - 1 - q
            if q >= 0 and src[q] == "\\":
                dots -= 1  # an escaped dot is not part of a word
            return dots % 3 == 0  # "..." is an ellipsis, not the end of a word
        if prev in "*_":
            return not self.closes_emphasis(p - 1)
        return True

    def closes_emphasis(self, q: int) -> bool:
        """Whether the run of ``*`` or ``_`` ending at ``q`` closes emphasis."""
        char = self.src[q]
        if char not in self._closers:
            self._closers[char] = self._emphasis_closers(char)
        return q + 1 in self._closers[char]

    def _emphasis_closers(self, char: str) -> set[int]:
        """Where runs of ``char`` that close emphasis end, reading left to right as pandoc does:
        a run not followed by a space opens, the next run closes."""
        src = self.src
        closers: set[int] = set()
        opened = False
        for match in re.finditer(rf"\{char}+", src):
            start, end = match.span()
            before = src[start - 1] if start else " "
            after = src[end] if end < len(src) else " "
            if before == "\\" or (opened and char == "_" and after.isalnum()):
                continue
            if opened:
                closers.add(end)
                opened = False
            else:
                opened = not after.isspace() and (char == "*" or not before.isalnum())
        return closers

    def key(self, i: int, b: int) -> tuple[str, int] | None:
        """The citation key starting at ``i`` (just after ``@``) and where it ends."""
        src = self.src
        if i >= b:
            return None
        if src[i] != "{":
            match = _KEY_RE.match(src, i, b)
            return (match.group(), match.end()) if match else None
        depth = 0
        for k in range(i, b):
            char = src[k]
            if char.isspace():
                return None
            if char in "{}":
                depth += 1 if char == "{" else -1
                if depth == 0:
                    return src[i + 1 : k], k + 1
        return None

    def key_at(self, j: int, b: int, *,
                after: Collection[int] = ()) -> tuple[bool, str, int, int] | None:
        """A citation key written at ``j`` (``@key`` or ``-@key``): (suppress, key, start, end).

        ``after`` holds the positions just after earlier citations, where a new one may start.
        """
        src = self.src
        if j >= b:
            return None
        suppress = src[j] == "-"
        at = j + 1 if suppress else j
        if at >= b or src[at] != "@" or not (j in after or self.cite_allowed(j)):
            return None
        found = self.key(at + 1, b)
        if found is None:
            return None
        return suppress, found[0], j, found[1]

    def cite_item(self, j: int, b: int) -> _CiteItem | None:
        """Parse ``prefix @key suffix`` up to ``;`` or ``]``; None if it is not a citation."""
        src = self.src
        start = j
        found = None
        while found is None:
            match = _UNIT_RE.search(src, j, b)
            if match is None:
                return None
            j = match.start()
            char = src[j]
            if char == ";":
                return None
            if char == "]":
                # pandoc's prefix ends at a "]" that a key follows directly: "[see]@key]"
                found = self.key_at(j + 1, b, after=(j + 1,))
                if found is None:
                    return None
                break
            if char in "@-":
                found = self.key_at(j, b)
            if found is None:
                j = self.skip_unit(j, b)
        assert found is not None
        suppress, key, key_start, key_end = found
        end = self.suffix_end(key_end, b)
        if end is None:
            return None
        return _CiteItem((start, j), key, (key_start, key_end), (key_end, end), suppress)

    def suffix_end(self, j: int, b: int) -> int | None:
        """The index of the ``;`` or ``]`` ending a citation suffix that starts at ``j``."""
        src = self.src
        while (match := _SUFFIX_RE.search(src, j, b)) is not None:
            j = match.start()
            if src[j] in ";]":
                return j
            j = self.skip_unit(j, b)
        return None

    def cite_list(self, j: int, b: int) -> tuple[list[_CiteItem], int] | None:
        """Parse citations separated by ``;``; returns them and the index of the closing ``]``."""
        src = self.src
        items: list[_CiteItem] = []
        while True:
            item = self.cite_item(j, b)
            if item is None:
                return None
            items.append(item)
            j = item.suffix[1]
            if src[j] == "]":
                return items, j
            nxt = self.spnl(j + 1, b)
            if nxt is None:
                return None
            j = nxt

    def not_link(self, end: int, b: int) -> bool:
        """Whether a bracket ending before ``end`` stays a citation (or note): it does not when
        a link destination, attributes or a reference label follow it directly."""
        src = self.src
        if end >= b:
            return True
        char = src[end]
        if char == "(":
            return self.link_dest_end(end, b) is None
        if char == "{":
            return _ATTRS_RE.match(src, end, b) is None
        if char == "[":
            return src.startswith("[^", end) or self.match_bracket(end, b) is None
        return True

    def cite_group(self, j: int, b: int) -> tuple[list[_CiteItem], int] | None:
        """Parse a bracketed citation ``[see @a, p. 3; @b]`` at ``j``; returns items and its end."""
        if self.match_bracket(j, b) is None:
            return None  # without a closing bracket nothing can end the group: fail fast
        start = self.spnl(j + 1, b)
        if start is None:
            return None
        parsed = self.cite_list(start, b)
        if parsed is None or not self.not_link(parsed[1] + 1, b):
            return None
        return parsed[0], parsed[1] + 1

    def bareloc(self, j: int, b: int) -> tuple[tuple[int, int], list[_CiteItem], int] | None:
        """Parse the locator of ``@key [p. 3]`` at ``j``: (suffix range, more items, end)."""
        src = self.src
        if src.startswith("[^", j) or self.match_bracket(j, b) is None:
            return None
        k = self.suffix_end(j + 1, b)
        if k is None:
            return None
        suffix = (j + 1, k)
        items: list[_CiteItem] = []
        if src[k] == ";":
            start = self.spnl(k + 1, b)
            parsed = self.cite_list(start, b) if start is not None else None
            if parsed is None:
                return None
            items, k = parsed
        if src[k + 1 : k + 2] in ("[", "(", "{"):
            return None  # pandoc refuses a locator followed by anything like a link
        return suffix, items, k + 1

    def link_dest_end(self, j: int, b: int) -> int | None:
        """The end of a link destination ``(url "title")`` opening at ``j``, or None."""
        close = self._matching("(", j, b)
        return close + 1 if close is not None else None

    def tex_end(self, k: int, b: int) -> int:
        """Skip the ``[...]`` and ``{...}`` arguments of a TeX command ending at ``k``."""
        while k < b and self.src[k] in "[{":
            close = self._matching(self.src[k], k, b)
            if close is None:
                return k
            k = close + 1
        return k


@dataclass(frozen=True)
class _Depths:
    """How deep a paragraph's inline structure goes (see `_Syntax.depths`)."""

    too_deep: tuple[int, str] | None  # where it first nests beyond the limit, and what
    brackets: int  # the most brackets open at once, closed later or not
    brackets_at: int  # where more than the limit first were open (-1: never)


def _first_beyond(levels: list[tuple[int, int, str]], limit: int) -> tuple[int, str] | None:
    """The first opening at which the pairs of ``levels`` nest more than ``limit`` deep."""
    depth = 0
    for at, step, what in sorted(levels):
        depth += step
        if depth > limit:
            return at, what
    return None


def _closing_key(token: str) -> str:
    """The character that closes an open delimiter (``]`` for ``[`` and ``^[``)."""
    return "]" if token in ("[", "^[") else token


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Event:
    """A citation or a note call found in a paragraph, anchored at a position in its plain text."""

    at: int
    start: int  # original offsets of the source text it stands for
    end: int
    vstart: int  # where that source text starts in the paragraph's text
    citation: Citation | None = None
    note: str | None = None
    inline: tuple[int, int] | None = None  # content of an inline note
    bracketed: bool = False


class _Inline:
    """One pass over a paragraph's text: plain text, its offset maps, citations and note calls.

    ``src`` is the paragraph with container markers removed and lines joined by ``\\n``;
    ``vmap[i]`` is the offset in the brief text of ``src[i]``.
    """

    def __init__(self, src: str, vmap: array[int], *, lines: _LineIndex,
                 notes: Mapping[str, object], refs: set[str], examples: set[str],
                 note: str | None, inline_ids: Iterable[int], note_depth: int = 0,
                 syntax: _Syntax | None = None) -> None:
        self.src = src
        self.vmap = vmap
        self.lines = lines
        self.notes = notes
        self.refs = refs
        self.examples = examples
        self.note = note
        self.note_depth = note_depth  # how many inline notes this text is nested in
        self.inline_ids = iter(inline_ids)
        self.syntax = syntax or _Syntax(src)
        self.chunks: list[str] = []
        self.orig = array("l")
        self.virt = array("l")
        self.opaque = bytearray()
        self.events: list[_Event] = []
        self.cite_ends: set[int] = set()  # pandoc lets a citation follow another directly
        self.n = 0
        self.space = False
        self.silent = 0
        self.depth = 0
        self._dispatch = {
            "\\": self._backslash, "`": self._code, "*": self._emphasis, "_": self._emphasis,
            "~": self._tilde, "^": self._caret, "[": self._bracket, "!": self._bang,
            "<": self._angle, "@": self._at, "$": self._dollar, "&": self._entity,
        }

    @property
    def plain(self) -> str:
        return "".join(self.chunks)

    def scan(self, a: int, b: int) -> None:
        """Read src[a:b], appending its plain text and events."""
        if self.depth >= MAX_NESTING:
            self._emit_text(a, b)  # deeper than too_deep counts (it allows no more): as text
            return
        self.depth += 1
        try:
            self._scan(a, b)
        finally:
            self.depth -= 1

    def _scan(self, a: int, b: int) -> None:
        src = self.src
        i = a
        while i < b:
            match = _SPECIAL_RE.search(src, i, b)
            if match is None:
                self._emit(i, b)
                return
            j = match.start()
            if j > i:
                self._emit(i, j)
            char = src[j]
            if char in "\t\n\r\f\v":
                stop = _WS_RE.match(src, j, b)
                assert stop is not None
                self._space(j)
                i = stop.end()
            else:
                i = self._dispatch[char](j, b)

    def _silent_scan(self, a: int, b: int) -> None:
        self.silent += 1
        self.scan(a, b)
        self.silent -= 1

    # output

    def _emit(self, a: int, b: int, *, opaque: bool = False) -> None:
        if self.silent or a >= b:
            return
        chunk = self.src[a:b]
        if "  " in chunk or (chunk[0] == " " and (self.space or self.n == 0)):
            self._emit_spaced(a, b, opaque=opaque)
            return
        self.chunks.append(chunk)
        self.orig.extend(self.vmap[a:b])
        self.virt.extend(range(a, b))
        self.opaque.extend(b"\x01" * (b - a) if opaque else bytes(b - a))
        self.n += b - a
        self.space = chunk[-1] == " "

    def _emit_spaced(self, a: int, b: int, *, opaque: bool) -> None:
        pos = a
        for match in _SPACES_RE.finditer(self.src, a, b):
            self._emit(pos, match.start(), opaque=opaque)
            self._space(match.start())
            pos = match.end()
        self._emit(pos, b, opaque=opaque)

    def _emit_text(self, a: int, b: int) -> None:
        """Emit src[a:b] as opaque text (code, math, links), whitespace collapsed."""
        pos = a
        for match in _WS_RE.finditer(self.src, a, b):
            self._emit(pos, match.start(), opaque=True)
            self._space(match.start())
            pos = match.end()
        self._emit(pos, b, opaque=True)

    def _emit_char(self, text: str, at: int) -> None:
        if self.silent:
            return
        self.chunks.append(text)
        for _ in text:
            self.orig.append(self.vmap[at])
            self.virt.append(at)
            self.opaque.append(1)
        self.n += len(text)
        self.space = False

    def _space(self, at: int) -> None:
        if self.silent or self.n == 0 or self.space:
            return
        self.chunks.append(" ")
        self.orig.append(self.vmap[at])
        self.virt.append(at)
        self.opaque.append(0)
        self.n += 1
        self.space = True

    def _unspace(self) -> None:
        if not self.silent and self.space:
            self._pop_char()

    def _pop_char(self) -> None:
        last = self.chunks[-1]
        if len(last) == 1:
            self.chunks.pop()
        else:
            self.chunks[-1] = last[:-1]
        self._drop_last()
        self.space = bool(self.chunks) and self.chunks[-1].endswith(" ")

    def _drop_last(self) -> None:
        self.orig.pop()
        self.virt.pop()
        self.opaque.pop()
        self.n -= 1

    def _literal(self, j: int) -> int:
        self._emit(j, j + 1)
        return j + 1

    # handlers: each returns the index after what it read

    def _backslash(self, j: int, b: int) -> int:
        if j + 1 >= b:
            return self._literal(j)
        char = self.src[j + 1]
        if char == "\n" or char in " \t":
            self._space(j + 1)  # a hard line break or an escaped (non-breaking) space
            return j + 2
        if not char.isalnum():
            self._emit(j + 1, j + 2, opaque=True)
            return j + 2
        command = _TEX_CMD_RE.match(self.src, j, b)
        if command is not None:
            return self.syntax.tex_end(command.end(), b)  # raw TeX is not prose
        return self._literal(j)

    def _code(self, j: int, b: int) -> int:
        end = self.syntax.code_end(j, b)
        if end is None:
            return self._literal(j)  # pandoc retries with the rest of the run
        size = self.syntax.backtick_run(j, b) - j
        content = self.src[j + size : end - size]
        lead = len(content) - len(content.lstrip())
        trail = len(content.rstrip())
        self._emit_text(j + size + lead, j + size + max(trail, lead))
        raw = _RAW_INLINE_RE.match(self.src, end, b) or _ATTRS_RE.match(self.src, end, b)
        return raw.end() if raw else end

    def _emphasis(self, j: int, b: int) -> int:
        src = self.src
        char = src[j]
        k = j
        while k < b and src[k] == char:
            k += 1
        before = src[j - 1] if j > 0 else " "
        after = src[k] if k < b else " "
        if (char == "_" and before.isalnum() and after.isalnum()) or (
                before.isspace() and after.isspace()):
            self._emit(j, k)  # intraword underscores and lone asterisks are text
        return k

    def _tilde(self, j: int, b: int) -> int:
        if self.src.startswith("~~", j):
            return self._emphasis(j, b)
        match = _SUB_RE.match(self.src, j, b)
        if match is None:
            return self._literal(j)
        self.scan(j + 1, match.end() - 1)
        return match.end()

    def _caret(self, j: int, b: int) -> int:
        match = _SUPER_RE.match(self.src, j, b)
        if match is not None:
            self.scan(j + 1, match.end() - 1)
            return match.end()
        if self.src.startswith("^[", j) and self.note_depth < MAX_NESTING:
            close = self.syntax.match_bracket(j + 1, b)
            # pandoc reads "^[text](url)" as a caret before a link, not as a note
            after = self.src[close + 1 : close + 2] if close is not None else ""
            if close is not None and after not in ("(", "[") and (
                    after != "{" or _ATTRS_RE.match(self.src, close + 1, b) is None):
                note = f"inline-{next(self.inline_ids)}"
                self.events.append(_Event(
                    at=self.n, start=self.vmap[j], end=self.vmap[close] + 1, vstart=j,
                    note=note, inline=(j + 2, close)))
                return close + 1
        return self._literal(j)

    def _bracket(self, j: int, b: int) -> int:
        if self.src.startswith("[^", j):
            end = self._note_ref(j, b)
            if end is not None:
                return end
        group = self.syntax.cite_group(j, b)
        if group is not None:
            self._unspace()  # "economically [@key]." reads "economically."
            self._citations(group[0], j, group[1], bracketed=True)
            return group[1]
        end = self._link(j, b)
        return end if end is not None else self._literal(j)

    def _bang(self, j: int, b: int) -> int:
        if self.src.startswith("![", j):
            end = self._link(j + 1, b)
            if end is not None:
                return end
        return self._literal(j)

    def _note_ref(self, j: int, b: int) -> int | None:
        match = _NOTE_REF_RE.match(self.src, j, b)
        if match is None:
            return None
        if self.note is None and match.group(1) in self.notes:
            self.events.append(_Event(
                at=self.n, start=self.vmap[j], end=self.vmap[match.end() - 1] + 1, vstart=j,
                note=match.group(1)))
        else:
            self._emit(j, match.end())  # an undefined note, or one inside a note: text
        return match.end()

    def _link(self, j: int, b: int) -> int | None:
        """Read a link or span at ``j`` (its text only); None when the bracket is literal."""
        src = self.src
        close = self.syntax.match_bracket(j, b)
        if close is None:
            return None
        after = close + 1
        end: int | None = None
        if after < b and src[after] == "(":
            end = self.syntax.link_dest_end(after, b)
            if end is not None:
                attrs = _ATTRS_RE.match(src, end, b)
                end = attrs.end() if attrs else end
        elif after < b and src[after] == "{":
            attrs = _ATTRS_RE.match(src, after, b)
            end = attrs.end() if attrs else None
        elif after < b and src[after] == "[":
            label_close = self.syntax.match_bracket(after, b)
            if label_close is None:
                return None
            label = src[after + 1 : label_close] or src[j + 1 : close]
            if _ref_key(label) not in self.refs:
                self._emit(j, j + 1)
                self.scan(j + 1, close)
                self._emit(close, after)
                self.scan(after, label_close + 1)  # pandoc reads the label on its own
                return label_close + 1
            end = label_close + 1
        elif _ref_key(src[j + 1 : close]) in self.refs:
            end = after
        if end is None:
            return None
        self.scan(j + 1, close)
        return end

    def _angle(self, j: int, b: int) -> int:
        src = self.src
        autolink = _AUTOLINK_RE.match(src, j, b)
        if autolink is not None:
            self._emit_text(autolink.start(1), autolink.end(1))
            return autolink.end()
        end = self.syntax.angle_end(j, b)
        return end if end is not None else self._literal(j)

    def _dollar(self, j: int, b: int) -> int:
        end = self.syntax.math_end(j, b)
        if end is None:
            return self._literal(j)
        self._emit_text(j, end)
        return end

    def _entity(self, j: int, b: int) -> int:
        match = _ENTITY_RE.match(self.src, j, b)
        if match is None:
            return self._literal(j)
        decoded = html.unescape(match.group())
        if decoded == match.group():
            return self._literal(j)
        self._emit_char(decoded, j)
        return match.end()

    def _at(self, j: int, b: int) -> int:
        src = self.src
        ends = self.cite_ends
        suppress = (j > 0 and src[j - 1] == "-" and src[j - 2 : j - 1] != "-"  # "--" is a dash
                    and (j - 1 in ends or self.syntax.cite_allowed(j - 1)))
        found = self.syntax.key_at(j - 1 if suppress else j, b, after=ends)
        if found is None:
            # pandoc reads "@label" as one unit then, so a citation may follow it directly
            label = _EXAMPLE_REF_RE.match(src, j, b)
            assert label is not None
            self._emit(j, label.end())
            ends.add(label.end())
            return label.end()
        _, key, start, end = found
        if suppress and not self.silent and self.n and self.virt[-1] == j - 1:
            self._pop_char()
        first = _CiteItem((start, start), key, (start, end), (end, end), suppress, textual=True)
        nxt = self.syntax.spnl(end, b)
        if nxt is not None and nxt < b and src[nxt] == "[" and not src.startswith("[^", nxt):
            group = self.syntax.cite_group(nxt, b)
            if group is not None:
                self._citations([first, *group[0]], start, group[1], bracketed=False)
                return group[1]
            located = self.syntax.bareloc(nxt, b)
            if located is not None:
                first = replace(first, suffix=located[0])
                self._citations([first, *located[1]], start, located[2], bracketed=False)
                return located[2]
        if key in self.examples:
            self._emit(start, end)  # a reference to an example list item, not a citation
            return end
        self._citations([first], start, end, bracketed=False)
        if end < b and src[end] in ",.;:!?)":
            self._unspace()  # "See @key, which" reads "See, which"
        return end

    def _citations(self, items: Sequence[_CiteItem], j: int, end: int, *,
                   bracketed: bool) -> None:
        start, stop = self.vmap[j], self.vmap[end - 1] + 1
        self.cite_ends.add(end)
        for item in items:
            self._silent_scan(*item.prefix)
            citation = Citation(
                key=item.key,
                span=self.lines.span(self.vmap[item.key_range[0]],
                                     self.vmap[item.key_range[1] - 1] + 1),
                mode=_mode(item),
                prefix=_squash(self.src[item.prefix[0] : item.prefix[1]]),
                suffix=_squash(self.src[item.suffix[0] : item.suffix[1]]),
                note=self.note,
            )
            self.events.append(_Event(at=self.n, start=start, end=stop, vstart=j,
                                      citation=citation, bracketed=bracketed))
            self.cite_ends.add(item.key_range[1])
            self._silent_scan(*item.suffix)


def _mode(item: _CiteItem) -> str:
    if item.suppress:
        return MODE_SUPPRESS_AUTHOR
    return MODE_AUTHOR_IN_TEXT if item.textual else MODE_NORMAL


# Quotations --------------------------------------------------------------------------------------

_MARK_RE = re.compile("[\"“”‘’']")
_OPENING_CONTEXT = frozenset("([{<—–-/\u00a0")
_ELISION_RE = re.compile(r"(?:n[’']|em\b|tis\b|twas\b|til\b|cause\b|bout\b|round\b|cept\b)",
                         re.IGNORECASE)
_EMPHASIS_ADDED_RE = re.compile(r"\(?\s*(?:emphasis|italics) (?:added|mine|supplied)\s*\)?",
                                re.IGNORECASE)
_TRAILING_EMPHASIS_RE = re.compile(r"^[\s,.;:]*\((?:emphasis|italics) (?:added|mine|supplied)\)",
                                   re.IGNORECASE)


def _find_quotes(plain: str, opaque: bytearray) -> tuple[list[tuple[int, int]], list[int]]:
    """Quotations in a paragraph's plain text as [open, close] mark indices, and unclosed marks.

    Double marks (straight or curly) nest; single marks inside them belong to the outer quote.
    A top-level single-quoted passage counts only when its closing mark is unambiguous, so
    apostrophes (Mexico’s, ’90s, rock ’n’ roll) never open or close a quotation.
    """
    pairs: list[tuple[int, int, int]] = []  # opening, closing, enclosing opening or -1
    stack: list[int] = []
    skip_to = 0
    for match in _MARK_RE.finditer(plain):
        i = match.start()
        if i < skip_to or opaque[i]:
            continue
        if plain[i] in "‘’'":
            close = _single_close(plain, opaque, i) if not stack else None
            if close is not None:
                pairs.append((i, close, -1))
                skip_to = close + 1
            continue
        action = _double_action(plain, i, bool(stack))
        if action == "open":
            stack.append(i)
        elif action == "close":
            opening = stack.pop()
            pairs.append((opening, i, stack[-1] if stack else -1))
    # Marks left open are reported; what they would have enclosed stands on its own.
    unclosed = set(stack)
    found = sorted((o, c) for o, c, outer in pairs if outer == -1 or outer in unclosed)
    return found, stack


def _double_action(plain: str, i: int, inside: bool) -> str:
    char = plain[i]
    if char == "“":
        return "open"
    if char == "”":
        return "close" if inside else ""
    before = plain[i - 1] if i > 0 else " "
    after = plain[i + 1] if i + 1 < len(plain) else " "
    if inside and not before.isspace():
        return "close"
    if not after.isspace():
        return "open"
    return ""


def _single_close(plain: str, opaque: bytearray, i: int) -> int | None:
    """The closing mark of a top-level single quote opening at ``i``, if there is exactly one."""
    before = plain[i - 1] if i > 0 else " "
    after = plain[i + 1] if i + 1 < len(plain) else " "
    if not (before.isspace() or before in _OPENING_CONTEXT) or not after.isalpha():
        return None
    if _ELISION_RE.match(plain, i + 1):
        return None
    closing = "’" if plain[i] == "‘" else "'"
    candidates: list[int] = []
    for match in _MARK_RE.finditer(plain, i + 1):
        k = match.start()
        if opaque[k]:
            continue
        if plain[k] in "\"“”":
            break
        left = plain[k - 1]
        right = plain[k + 1] if k + 1 < len(plain) else " "
        if left.isspace():
            if right.isalpha() and not _ELISION_RE.match(plain, k + 1):
                break  # another opening: the passage ended without a clear close
            continue
        if not right.isalnum() and plain[k] == closing:
            candidates.append(k)
    return candidates[0] if len(candidates) == 1 else None


# Sentences ---------------------------------------------------------------------------------------

_END_RE = re.compile(r"([.!?]+)[\"”’')\]]*(?=\s)")
_WORD_RE = re.compile(r"[A-Za-z]+")
_ACRONYM_RE = re.compile(r"(?:[a-z]\.)+[a-z]")
_NEVER_END = frozenset({
    "mr", "mrs", "ms", "messrs", "dr", "prof", "sen", "sens", "rep", "reps", "gov", "gen",
    "lt", "col", "sgt", "capt", "cmdr", "adm", "rev", "hon", "amb", "pres", "sec", "st", "mt",
    "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "e.g", "i.e", "cf", "vs", "v", "viz", "ca", "approx", "dept", "univ", "assn", "bros",
    "ave", "blvd", "ibid", "op", "cit"
})
_BEFORE_NUMBER = frozenset({
    "p", "pp", "no", "nos", "vol", "vols", "ch", "chap", "sec", "secs", "fig", "figs", "art",
    "para", "paras", "n", "nn"
})
_MAYBE_END = frozenset({
    "inc", "ltd", "co", "corp", "jr", "sr", "etc", "al", "est"
})
_STARTERS = frozenset({
    "the", "this", "that", "these", "those", "it", "its", "in", "on", "at", "by", "for",
    "from", "with", "as", "a", "an", "but", "and", "or", "yet", "so", "if", "when", "while",
    "since", "after", "before", "although", "though", "however", "moreover", "meanwhile", "he",
    "she", "they", "we", "i", "you", "there", "here", "such", "both", "each", "many", "most",
    "some", "what", "who", "why", "how", "our", "their", "his", "her", "my", "your", "one",
    "not", "only", "still", "even", "instead", "indeed", "today", "now", "then", "thus",
    "also", "under", "over", "between", "among", "despite", "during", "to"
})


def _sentence_bounds(plain: str, quotes: Sequence[tuple[int, int]],
                     starts: set[int]) -> list[tuple[int, int]]:
    """[start, end) of each sentence of a paragraph's plain text, whitespace trimmed."""
    quote_starts = [q[0] for q in quotes]
    cuts = [0]
    for match in _END_RE.finditer(plain):
        end = match.end()
        k = bisect_left(quote_starts, end) - 1
        if k >= 0 and end < quotes[k][1]:
            continue  # inside a quotation: "... the border... The ..." is one quote
        nxt = end
        while nxt < len(plain) and plain[nxt].isspace():
            nxt += 1
        if nxt < len(plain) and _starts_sentence(plain, nxt, starts) \
                and _ends_sentence(plain, match, nxt):
            cuts.append(nxt)
    cuts.append(len(plain))
    bounds = []
    for a, z in itertools.pairwise(cuts):
        while a < z and plain[a].isspace():
            a += 1
        while z > a and plain[z - 1].isspace():
            z -= 1
        if any(char.isalnum() for char in plain[a:z]):
            bounds.append((a, z))  # "@key." leaves a lone period: not a sentence
    return bounds


def _starts_sentence(plain: str, j: int, starts: set[int]) -> bool:
    char = plain[j]
    return char.isupper() or char.isdigit() or char in "\"“‘'([¿¡$" or j in starts


def _ends_sentence(plain: str, match: re.Match[str], nxt: int) -> bool:
    punct = match.group(1)
    if ".." in punct:
        return False  # an ellipsis
    if punct != ".":
        return True
    p = match.start()
    if plain[p - 2 : p] == ". ":
        return False  # a spaced ellipsis ". . ."
    k = p
    while k > 0 and not plain[k - 1].isspace():
        k -= 1
    token = plain[k:p].lstrip("\"“‘'([")
    low = token.lower()
    if not token:
        return True  # what stood before the period was a citation
    if (len(token) == 1 and token.isupper()) or low in _NEVER_END:
        return False  # an initial ("George H. W. Bush") or an abbreviation ("Dr.")
    if low in _BEFORE_NUMBER:
        return not plain[nxt].isdigit()
    if low in _MAYBE_END or _ACRONYM_RE.fullmatch(low):
        word = _WORD_RE.match(plain, nxt)
        return word is not None and word.group().lower() in _STARTERS
    return True


# Reading -----------------------------------------------------------------------------------------


@dataclass
class _QuoteDraft:
    text: str
    plain: str
    span: Span
    keys: tuple[str, ...] | None  # None until known
    block: bool
    emphasis_added: bool
    sentence: int  # index into the owning result's sentences, -1 for block quotes

    def final(self, base: int) -> Quotation:
        return Quotation(self.text, self.plain, self.span, self.keys or (), self.block,
                         self.emphasis_added, self.sentence + base if self.sentence >= 0 else -1)


@dataclass
class _NoteResult:
    keys: tuple[str, ...]
    results: list[_Result]


@dataclass
class _Result:
    """What one paragraph or block quote contributes, before it is placed in the brief."""

    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[_QuoteDraft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[_NoteResult] = field(default_factory=list)
    last_keys: tuple[str, ...] = ()


class _Reader:
    """Reads blocks of a brief in order and collects its citations, sentences and quotations."""

    def __init__(self, text: str, *, allow_raw: bool) -> None:
        self.text = text
        self.allow_raw = allow_raw
        self.lines = _LineIndex(text)
        self.citations: list[Citation] = []
        self.sentences: list[Sentence] = []
        self.quotations: list[Quotation] = []
        self.problems: list[Problem] = []
        self._quote_ids = itertools.count()
        self._inline_ids = itertools.count(1)
        self._notes_read: dict[str, _NoteResult] = {}

    def read_lines(self, lines: list[_Seg]) -> None:
        """Read a run of lines (the summary or the body) as one Markdown document."""
        blocks = _BlockScanner(self.text, allow_raw=self.allow_raw, lines=self.lines,
                               problems=self.problems, quote_ids=self._quote_ids)
        items = blocks.parse(lines, _Ctx())
        for result in self._read_items(items, blocks, note=None, checked=True):
            self._commit(result, top=True)

    def _commit(self, result: _Result, *, top: bool) -> None:
        if top:
            self.citations.extend(result.citations)
        base = len(self.sentences)
        self.sentences.extend(result.sentences)
        self.quotations.extend(q.final(base) for q in result.quotes)
        self.problems.extend(result.problems)
        for note in result.notes:
            for inner in note.results:
                self._commit(inner, top=False)

    def _read_items(self, items: list[_Item], blocks: _BlockScanner, *, note: str | None,
                    checked: bool) -> list[_Result]:
        results: list[_Result] = []
        previous: _Result | None = None
        k = 0
        while k < len(items):
            item = items[k]
            if item is None:
                previous = None
                k += 1
                continue
            if item.quote >= 0:
                group, k = _quote_group(items, k)
                intro = previous.last_keys if previous else ()
                results.append(self._read_block_quote(group, blocks, intro, note, checked))
                previous = None
                continue
            result = self._read_para(item, blocks, note, checked)
            results.append(result)
            previous = None if item.heading else result
            k += 1
        return results

    def _virtual(self, segs: Sequence[_Seg]) -> tuple[str, array[int]]:
        text = self.text
        parts: list[str] = []
        vmap = array("l")
        previous = segs[0][0]
        for index, (start, end) in enumerate(segs):
            if index:
                parts.append("\n")
                vmap.append(previous)  # the line break between two lines
            parts.append(text[start:end])
            vmap.extend(range(start, end))
            previous = end
        vmap.append(previous)
        return "".join(parts), vmap

    def _scan(self, syntax: _Syntax, vmap: array[int], a: int, b: int, blocks: _BlockScanner,
              note: str | None, note_depth: int = 0) -> _Inline:
        scan = _Inline(syntax.src, vmap, lines=self.lines, notes=blocks.notes, refs=blocks.refs,
                       examples=blocks.examples, note=note, inline_ids=self._inline_ids,
                       note_depth=note_depth, syntax=syntax)
        scan.scan(a, b)
        return scan

    def _syntax(self, item: _Para) -> tuple[_Syntax, array[int]]:
        """The inline syntax of a paragraph and its offset map; `_TooDeep` when its inline
        structure, inside the containers that hold it, nests more than `MAX_NESTING` deep."""
        src, vmap = self._virtual(item.segs)
        syntax = _Syntax(src)
        depths = syntax.depths(MAX_NESTING - item.depth, MAX_BRACKETS)
        if depths.too_deep is not None:
            raise _TooDeep(vmap[depths.too_deep[0]], depths.too_deep[1])
        if depths.brackets > MAX_BRACKETS:
            at = vmap[depths.brackets_at]
            self.problems.append(Problem(
                rule="brief-brackets", status=Status.WARNING, span=self.lines.span(at, at + 1),
                message=f"{depths.brackets} square brackets are open at once in this paragraph; "
                        f"pandoc takes time exponential in that (more than {MAX_BRACKETS} cannot "
                        "be rendered): close them or escape them as \\[",
            ))
        return syntax, vmap

    def _read_para(self, item: _Para, blocks: _BlockScanner, note: str | None,
                   checked: bool) -> _Result:
        syntax, vmap = self._syntax(item)
        return self._read_text(syntax, vmap, 0, len(syntax.src), blocks, note=note,
                               checked=checked and item.checked, heading=item.heading)

    def _read_text(self, syntax: _Syntax, vmap: array[int], a: int, b: int,
                   blocks: _BlockScanner, *, note: str | None, checked: bool, heading: bool,
                   note_depth: int = 0) -> _Result:
        scan = self._scan(syntax, vmap, a, b, blocks, note, note_depth)
        result = _Result()
        called, fresh = self._read_notes(scan, blocks, checked, result)
        result.citations = _expand(scan.events, called, fresh)
        if checked:
            self._sentences(scan, called, note, heading, result)
        return result

    def _read_notes(self, scan: _Inline, blocks: _BlockScanner, checked: bool,
                    result: _Result) -> tuple[dict[str, _NoteResult], set[str]]:
        """Read the notes a paragraph calls; returns all of them and those read for the first
        time (only those contribute their citations here)."""
        called: dict[str, _NoteResult] = {}
        fresh: set[str] = set()
        for event in scan.events:
            name = event.note
            if name is None or name in called:
                continue
            if name in self._notes_read:
                called[name] = self._notes_read[name]
                continue
            if event.inline is not None:
                inner = [self._read_text(scan.syntax, scan.vmap, *event.inline, blocks, note=name,
                                         checked=checked, heading=False,
                                         note_depth=scan.note_depth + 1)]
            else:
                inner = self._read_items(blocks.notes[name], blocks, note=name, checked=checked)
            called[name] = self._notes_read[name] = _note_result(inner)
            result.notes.append(called[name])
            fresh.add(name)
        return called, fresh

    def _sentences(self, scan: _Inline, called: Mapping[str, _NoteResult], note: str | None,
                   heading: bool, result: _Result) -> None:
        """Split a paragraph into sentences and find its quotations."""
        plain = scan.plain
        quotes, unclosed = _find_quotes(plain, scan.opaque)
        ranges = [(o, c + 1) for o, c in quotes]
        if heading:
            bounds = [(a, z) for a, z in [_strip_range(plain, 0, len(plain))] if z > a]
        else:
            starts = {e.at for e in scan.events if e.citation is not None and not e.bracketed}
            bounds = _sentence_bounds(plain, ranges, starts)
        groups = _group_events(scan.events, bounds)
        # Quotations and sentences are both sorted and do not overlap: bisection pairs them,
        # so a paragraph of thousands of quoted sentences costs linear time.
        opens = [o for o, _ in ranges]
        for (a, z), events in zip(bounds, groups, strict=True):
            first, stop = bisect_left(opens, a), bisect_left(opens, z)
            inside = tuple((o - a, c - a) for o, c in ranges[first:stop] if c <= z)
            result.sentences.append(Sentence(
                plain=plain[a:z], span=self._sentence_span(scan, a, z, events),
                keys=_keys(events, called), quotes=inside, note=note, heading=heading,
                offsets=scan.orig[a:z], lines=self.lines))
        firsts = [a for a, _ in bounds]
        places: dict[int, list[int]] = {}  # where the events of a sentence stand in ``plain``
        for q, (o, _) in enumerate(quotes):
            index = bisect_right(firsts, o) - 1
            if index >= 0 and o >= bounds[index][1]:
                index = -1
            events = groups[index] if index >= 0 else []
            if index not in places:
                places[index] = [e.at for e in events]
            at = places[index]
            later = quotes[q + 1][0] if q + 1 < len(quotes) else len(plain) + 1
            draft = self._inline_quote(scan, plain, quotes[q], events, at, later, called)
            if index >= 0 and draft.keys is None:
                draft.keys = result.sentences[index].keys
            draft.sentence = index
            result.quotes.append(draft)
        result.problems.extend(self._unclosed(scan, plain, o) for o in unclosed)
        if result.sentences:
            result.last_keys = result.sentences[-1].keys

    def _sentence_span(self, scan: _Inline, a: int, z: int, events: list[_Event]) -> Span:
        start, end = scan.orig[a], scan.orig[z - 1] + 1
        for event in events:
            if event.citation is not None or event.inline is None:
                start, end = min(start, event.start), max(end, event.end)
        return self.lines.span(start, end)

    def _inline_quote(self, scan: _Inline, plain: str, quote: tuple[int, int],
                      events: list[_Event], at: list[int], later: int,
                      called: Mapping[str, _NoteResult]) -> _QuoteDraft:
        """The quotation between the marks at ``quote``; ``events`` are its sentence's (``at``
        where each stands, in order) and ``later`` is where the next quotation opens. Its keys
        are those of the citations and notes after it and before ``later``, or None when there
        are none."""
        o, c = quote
        local = events[bisect_right(at, c) : bisect_right(at, later)]
        after = plain[c + 1 : later]
        emphasis = bool(_TRAILING_EMPHASIS_RE.match(after)) or any(
            e.citation is not None and _EMPHASIS_ADDED_RE.search(e.citation.suffix)
            for e in local)
        return _QuoteDraft(
            text=scan.src[scan.virt[o] + 1 : scan.virt[c]],
            plain=_squash(plain[o + 1 : c]),
            span=self.lines.span(scan.orig[o], scan.orig[c] + 1),
            # a note called right after the quote speaks for it, even when it cites nothing
            keys=_keys(local, called) if local else None,
            block=False, emphasis_added=emphasis, sentence=-1)

    def _unclosed(self, scan: _Inline, plain: str, at: int) -> Problem:
        return Problem(
            rule="quote-unclosed", status=Status.ERROR,
            span=self.lines.span(scan.orig[at], scan.orig[at] + 1),
            message=f"quotation mark {plain[at]} is never closed in its paragraph",
        )

    def _read_block_quote(self, group: list[_Para], blocks: _BlockScanner,
                          intro: tuple[str, ...], note: str | None, checked: bool) -> _Result:
        result = _Result()
        scans: list[_Inline] = []
        keys: list[str] = []
        for para in group:
            syntax, vmap = self._syntax(para)
            scan = self._scan(syntax, vmap, 0, len(syntax.src), blocks, note)
            called, fresh = self._read_notes(scan, blocks, checked and para.checked, result)
            result.citations.extend(_expand(scan.events, called, fresh))
            keys.extend(_keys(scan.events, called))
            scans.append(scan)
        if checked and all(p.checked for p in group):
            result.quotes.append(self._block_draft(scans, tuple(dict.fromkeys(keys)) or intro))
        return result

    def _block_draft(self, scans: list[_Inline], keys: tuple[str, ...]) -> _QuoteDraft:
        last = scans[-1]
        plain = " ".join(s.plain.strip() for s in scans).strip()
        cut = len(last.src)
        tail = [e for e in last.events if e.citation is not None and e.bracketed
                and e.at >= len(last.plain.rstrip())]
        if tail:
            cut = min(e.vstart for e in tail)
        emphasis = any(e.citation is not None and _EMPHASIS_ADDED_RE.search(e.citation.suffix)
                       for e in tail)
        trailing = re.search(r"\s*\((?:emphasis|italics) (?:added|mine|supplied)\)\s*$", plain,
                             re.IGNORECASE)
        if trailing:
            plain, emphasis = plain[: trailing.start()], True
        texts = [s.src.rstrip() for s in scans[:-1]] + [last.src[:cut].rstrip()]
        while len(texts) > 1 and not texts[-1].strip():
            texts.pop()  # a paragraph holding only the citation
        first, final = scans[0], scans[len(texts) - 1]
        begin = len(first.src) - len(first.src.lstrip())
        end_index = max(len(texts[-1]) - 1, 0)
        span = self.lines.span(first.vmap[begin], final.vmap[end_index] + 1)
        return _QuoteDraft(text="\n\n".join(t.strip() for t in texts), plain=_squash(plain),
                           span=span, keys=keys, block=True, emphasis_added=emphasis,
                           sentence=-1)


def _quote_group(items: list[_Item], k: int) -> tuple[list[_Para], int]:
    """The paragraphs of the block quote starting at ``items[k]`` and the index after it."""
    first = items[k]
    assert first is not None
    group: list[_Para] = []
    j = k
    while j < len(items):
        item = items[j]
        if item is not None and item.quote != first.quote:
            break
        if item is not None:
            group.append(item)
        j += 1
    while j > k and items[j - 1] is None:
        j -= 1
    return group, j


def _note_result(results: list[_Result]) -> _NoteResult:
    keys = tuple(dict.fromkeys(c.key for r in results for c in r.citations))
    for result in results:
        for quote in result.quotes:
            if not quote.keys:
                quote.keys = keys  # a quote in a note is covered by the note's citations
    return _NoteResult(keys=keys, results=results)


def _expand(events: Iterable[_Event], called: Mapping[str, _NoteResult],
            fresh: set[str]) -> list[Citation]:
    """Citations in pandoc's reading order: a note's citations where it is first called."""
    out: list[Citation] = []
    seen: set[str] = set()
    for event in events:
        if event.citation is not None:
            out.append(event.citation)
        elif event.note in fresh and event.note not in seen:
            seen.add(event.note)
            for result in called[event.note].results:
                out.extend(result.citations)
    return out


def _keys(events: Iterable[_Event], called: Mapping[str, _NoteResult]) -> tuple[str, ...]:
    keys: list[str] = []
    for event in events:
        if event.citation is not None:
            keys.append(event.citation.key)
        elif event.note is not None:
            keys.extend(called[event.note].keys)
    return tuple(dict.fromkeys(keys))


def _group_events(events: Sequence[_Event],
                  bounds: Sequence[tuple[int, int]]) -> list[list[_Event]]:
    """The events of each sentence: a citation right after a sentence's end belongs to it."""
    groups: list[list[_Event]] = [[] for _ in bounds]
    ends = [z for _, z in bounds]
    for event in events:
        if groups:
            groups[min(bisect_left(ends, event.at), len(groups) - 1)].append(event)
    return groups


def _strip_range(plain: str, a: int, z: int) -> tuple[int, int]:
    while a < z and plain[a].isspace():
        a += 1
    while z > a and plain[z - 1].isspace():
        z -= 1
    return a, z
