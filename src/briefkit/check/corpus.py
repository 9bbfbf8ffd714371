"""The corpus: every source text the bibliography points at, prepared once and cached.

Preparing a source (reading, the comparison key with its offset map, its figures) is done once per
distinct file content and stored in the workspace cache (`cache`), keyed by the SHA-256
of the file's bytes; a manifest of file stamps (size, modification and change times, inode) avoids
re-reading unchanged files. An index
over all sources (which documents contain which words and which figure values) lets the checker
ask "is this quote or figure anywhere else in the corpus?" without scanning every document.
"""

from __future__ import annotations

import hashlib
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..claims.align import MODEL_VERSION, SourceModel, judge_claim
from ..claims.figures import Figure, extract_figures
from ..claims.normalize import Normalized, OffsetMap, normalize
from ..claims.quotes import QuoteMatch, match_quote
from ..errors import BriefkitError, InputError, PathEscapeError
from ..sources.read import SourceText, read_source
from ..workspace import Workspace, contained
from . import cache
from .bib import Bibliography

PARALLEL_THRESHOLD = 64  # below this many new sources, worker processes cost more than they save
Progress = Callable[[int, int], None]
SOURCE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf")

FigureKey = tuple[str, float, str]

_SEPARATOR = "\n\x00\n"  # never inside a run of words, so no match spans two sources
_RUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)+")
# The version of how a source is prepared (read, normalised, its figures found); a prepared
# source cached under another version is prepared again.
PREPARED_VERSION = 6
# Sources tried, closest first, when a claim's figures are looked for beyond its cited source.
ELSEWHERE_CANDIDATES = 3
# Long enough to be rare (short words are everywhere); folded text is lower-case Latin-1.
_LONG_WORD = re.compile(r"[a-z\xdf-\xf6\xf8-\xff]{7,}")
# Brackets and ellipses stand for source text that the quotation does not reproduce.
_OMISSIONS = re.compile(r"\[[^\]]*\]|\.\s?\.\s?\.|\u2026")


@dataclass(frozen=True)
class Prepared:
    """A source made ready for matching: its text, comparison key and figures."""

    source: SourceText
    normalized: Normalized
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class SourceDoc:
    """A bibliography entry's source text, ready for matching."""

    key: str
    path: Path
    relpath: str
    prepared: Prepared

    def line_of(self, offset: int) -> int:
        """The 1-based line of ``offset`` in the original source text."""
        return self.prepared.source.line_of(offset)

    def excerpt(self, start: int, end: int) -> str:
        """The original wording of ``[start, end)``, whitespace collapsed and shortened."""
        return self.prepared.source.excerpt(start, end)


@dataclass(frozen=True)
class SourceProblem:
    """Why an entry's source text cannot be used; ``rule`` is a stable finding rule id."""

    key: str
    rule: str
    message: str
    error: bool = True


@dataclass(frozen=True)
class Elsewhere:
    """A claim found in a source other than the cited one."""

    doc: SourceDoc
    start: int
    end: int


@dataclass
class _Index:
    """Every source's folded key in one searchable text, and which sources hold which words.

    ``text`` joins the folded keys (see `_fold`) with a separator; ``starts[i]`` is where the
    source ``keys[i]`` begins. Long words and figure values map to the sources that contain
    them, as bits of an int, so that a search can skip the sources that cannot match.
    """

    keys: list[str] = field(default_factory=list)
    text: str = ""
    starts: array[int] = field(default_factory=lambda: array("q"))
    words: dict[str, int] = field(default_factory=dict)
    figures: dict[FigureKey, int] = field(default_factory=dict)

    def sources_containing(self, run: str, *, words: Iterable[str] = ()) -> list[int]:
        """Positions (in ``keys``) of the sources whose folded key contains ``run``.

        ``words`` are long words that any such source must contain (they narrow the search).
        """
        mask = -1
        for word in words:
            mask &= self.words.get(word, 0)
        if mask == -1:
            return self._scan(run, 0, len(self.text))
        return [i for i in _bits(mask) if self._scan(run, *self._bounds(i), first=True)]

    def _bounds(self, source: int) -> tuple[int, int]:
        following = source + 1
        end = self.starts[following] if following < len(self.starts) else len(self.text)
        return self.starts[source], end

    def _scan(self, run: str, start: int, end: int, *, first: bool = False) -> list[int]:
        found: list[int] = []
        position = self.text.find(run, start, end)
        while position >= 0:
            source = bisect_right(self.starts, position) - 1
            found.append(source)
            if first:
                break
            position = self.text.find(run, self._bounds(source)[1], end)
        return found


@dataclass(frozen=True)
class _Summary:
    """What the index keeps of one prepared source."""

    folded: str
    words: frozenset[str]
    figures: frozenset[FigureKey]

    @classmethod
    def of(cls, prepared: Prepared) -> _Summary:
        """Summarise a prepared source for the index."""
        folded = _fold(prepared.normalized.text)
        return cls(folded, frozenset(_LONG_WORD.findall(folded)),
                   frozenset(map(_figure_key, prepared.figures)))


class Corpus:
    """The sources of one bibliography, loaded lazily from the cache or prepared on first use."""

    def __init__(self, workspace: Workspace, bibliography: Bibliography, *,
                 progress: Progress | None = None, store: cache.Store | None = None) -> None:
        self.workspace = workspace
        self.bibliography = bibliography
        self._progress = progress
        self._cache = _Cache(store or cache.Store(workspace.cache,
                                                  label=workspace.relative(workspace.cache)))
        self._docs: dict[str, SourceDoc | SourceProblem] = {}
        self._paths: dict[str, Path | SourceProblem] = {}
        self._index: _Index | None = None
        self._models: dict[str, SourceModel] = {}

    def document(self, key: str) -> SourceDoc | SourceProblem:
        """The prepared source of ``key``, or the reason there is none."""
        if key not in self._docs:
            self._docs[key] = self._load(key)
        return self._docs[key]

    def reading_notes(self) -> tuple[str, ...]:
        """How the sources used so far were read, where that was not plain UTF-8 text."""
        return tuple(f"{doc.relpath}: {note}" for doc in self._docs.values()
                     if isinstance(doc, SourceDoc) for note in doc.prepared.source.notes)

    def find_quote(self, quote: str, *, exclude: Iterable[str] = ()) -> Elsewhere | None:
        """A source, other than those in ``exclude``, where ``quote`` verifies exactly."""
        index = self._ensure_index()
        for key in self._candidates(index, quote, set(exclude)):
            doc = self.document(key)
            if isinstance(doc, SourceDoc):
                match: QuoteMatch = match_quote(quote, doc.prepared.normalized, fuzzy=False)
                if match.verdict == "verified":
                    return Elsewhere(doc, match.start, match.end)
        return None

    def model(self, doc: SourceDoc) -> SourceModel:
        """The sentences, words and figures of ``doc`` for aligning claims, built once."""
        model = self._models.get(doc.key)
        if model is None:
            model = self._cache.model(doc.path, doc.prepared)
            self._models[doc.key] = model
        return model

    def find_claim(self, claim: str, figures: Sequence[Figure], *,
                   quoted: Sequence[tuple[int, int]] = (),
                   exclude: Iterable[str] = ()) -> Elsewhere | None:
        """A source, other than those in ``exclude``, with a passage that states ``claim``.

        ``figures`` index ``claim``; every one of them must be verified in that passage.
        """
        if not figures:
            return None
        index = self._ensure_index()
        mask = -1
        for wanted in {_figure_key(f) for f in figures}:
            mask &= index.figures.get(wanted, 0)
        excluded = set(exclude)
        for position in _closest(index, claim, _bits(mask if mask > 0 else 0)):
            key = index.keys[position]
            doc = None if key in excluded else self.document(key)
            if not isinstance(doc, SourceDoc):
                continue
            result = judge_claim(claim, figures, self.model(doc), quoted=quoted)
            if result.passage is not None and result.all_verified:
                return Elsewhere(doc, *result.passage)
        return None

    def _candidates(self, index: _Index, quote: str, exclude: set[str]) -> list[str]:
        # A verbatim quote's longest run of plain words is in its source's folded key; the exact
        # match that follows confirms each candidate.
        runs = _quote_runs(quote)
        if not runs:
            return []
        found = index.sources_containing(runs[0], words=_quote_long_words(quote))
        return [key for key in dict.fromkeys(index.keys[i] for i in found) if key not in exclude]

    def _load(self, key: str) -> SourceDoc | SourceProblem:
        resolved = self._resolve(key)
        if isinstance(resolved, SourceProblem):
            return resolved
        try:
            prepared = self._cache.prepared(resolved)
        except BriefkitError as exc:
            return SourceProblem(key, "citation-source-unreadable", str(exc))
        return SourceDoc(key, resolved, self.workspace.relative(resolved), prepared)

    def _resolve(self, key: str) -> Path | SourceProblem:
        if key not in self._paths:
            self._paths[key] = self._locate(key)
        return self._paths[key]

    def _locate(self, key: str) -> Path | SourceProblem:
        entry = self.bibliography.entries.get(key)
        if entry is None:
            return SourceProblem(key, "citation-unknown-key", f"unknown key {key!r}")
        specs = entry.file_specs
        if not specs:
            return self._conventional(key)
        try:
            path = contained(specs[0], self.workspace.root, base=self.bibliography.path.parent)
        except PathEscapeError:
            return SourceProblem(key, "citation-source-outside",
                                 f"source of {key!r} ({specs[0]}) is outside the workspace")
        if not path.exists():
            return SourceProblem(key, "citation-source-missing",
                                 f"source of {key!r} not found: {self.workspace.relative(path)}")
        if not path.is_file():
            where = self.workspace.relative(path)
            return SourceProblem(key, "citation-source-unreadable",
                                 f"source of {key!r} is not a file: {where}")
        return path

    def _conventional(self, key: str) -> Path | SourceProblem:
        """An entry without a ``file`` field may have its text at ``<sources>/<key>.<ext>``."""
        folder = self.workspace.sources
        for suffix in SOURCE_SUFFIXES:
            candidate = folder / f"{key}{suffix}"
            if candidate.is_file():
                try:
                    return contained(candidate, self.workspace.root)
                except PathEscapeError:
                    break
        where = self.workspace.relative(folder)
        return SourceProblem(key, "citation-no-source",
                             f"entry {key!r} has no file field and no {where}/{key}.txt (or .md, "
                             ".html, .pdf), so its quotes and figures cannot be checked",
                             error=False)

    def _ensure_index(self) -> _Index:
        if self._index is None:
            usable = {}
            for key in self.bibliography.entries:
                resolved = self._resolve(key)
                if isinstance(resolved, Path):
                    usable[key] = resolved
            self._index = self._cache.index(usable, progress=self._progress)
        return self._index


class _Cache:
    """Prepared sources and the corpus index in the workspace cache, keyed by content.

    A file's SHA-256 is taken from the manifest while its stamp (size, modification and change
    times, inode; see `cache.file_stamp`) is unchanged, and computed again otherwise; a file
    changed in the last moments is hashed every time until it settles (`cache.settled`).
    """

    def __init__(self, store: cache.Store) -> None:
        self.store = store
        self._manifest: dict[str, tuple[cache.FileStamp, str]] | None = None
        self._changed: dict[str, tuple[cache.FileStamp, str]] = {}

    def prepared(self, path: Path) -> Prepared:
        """The prepared form of the file at ``path``, from the cache when its content is known."""
        key = _prepared_key(self.digest(path))
        stored = self.store.load("sources", key, _SourceRecord, lambda r: r.prepared(path))
        if stored is not None:
            return stored
        prepared = prepare(path)
        self.store.save("sources", key, _SourceRecord.of(prepared))
        self._save_manifest()
        return prepared

    def model(self, path: Path, prepared: Prepared) -> SourceModel:
        """The alignment model of the source at ``path``, its sentences and words from the cache
        when its content is known."""
        # Built from the prepared text and figures: a new way of preparing them rebuilds it too.
        key = f"{_prepared_key(self.digest(path))}/{MODEL_VERSION}"
        text, figures = prepared.source.text, prepared.figures
        stored = self.store.load("models", key, _ModelRecord,
                                 lambda record: record.model(text, figures))
        if stored is not None:
            return stored
        model = SourceModel(text, figures)
        self.store.save("models", key, _ModelRecord.of(model))
        return model

    def index(self, paths: Mapping[str, Path], *, progress: Progress | None) -> _Index:
        """The word and figure index over ``paths``, rebuilt when any source changed."""
        digests = {key: _prepared_key(self.digest(path)) for key, path in paths.items()}
        signature = hashlib.sha256(repr(list(digests.items())).encode()).hexdigest()[:32]
        stored = self.store.load("indexes", signature, _IndexRecord, _IndexRecord.index)
        if stored is not None and stored.keys == list(paths):
            self._save_manifest()
            return stored
        index = self._build_index(paths, digests, progress)
        self.store.save("indexes", signature, _IndexRecord.of(index))
        self.store.keep_only("indexes", signature)
        self._save_manifest()
        return index

    def _build_index(self, paths: Mapping[str, Path], digests: Mapping[str, str],
                     progress: Progress | None) -> _Index:
        summaries: dict[str, _Summary | None] = {}
        missing: list[str] = []
        for key, path in paths.items():
            stored = self.store.load("sources", digests[key], _SourceRecord,
                                     partial(_SourceRecord.prepared, path=path))
            if stored is not None:
                summaries[key] = _Summary.of(stored)
            else:
                missing.append(key)
        targets = [str(paths[key]) for key in missing]
        for done, (key, prepared) in enumerate(zip(missing, _prepare_all(targets), strict=True),
                                               start=1):
            if prepared is not None:
                record, summary = prepared
                self.store.save("sources", digests[key], record)
                summaries[key] = summary
            else:
                summaries[key] = None
            if progress:
                progress(done, len(missing))
        return _assemble(paths, summaries)

    def digest(self, path: Path) -> str:
        """SHA-256 of the file's bytes, taken from the manifest while the file's stamp agrees."""
        if self._manifest is None:
            self._manifest = self.store.manifest()
        try:
            stamp = cache.file_stamp(path.stat())
        except OSError as exc:
            raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
        known = self._manifest.get(str(path))
        if known and known[0] == stamp:
            return known[1]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
        if cache.settled(stamp):
            self._manifest[str(path)] = self._changed[str(path)] = (stamp, digest)
        return digest

    def _save_manifest(self) -> None:
        if self._changed:
            self.store.remember((path, *known) for path, known in self._changed.items())
            self._changed.clear()


class _ModelRecord(cache.StoredRecord, frozen=True):
    """How an alignment model is stored: its sentence spans and each sentence's word counts."""

    sentences: list[tuple[int, int]]
    counts: list[dict[str, int]]

    @classmethod
    def of(cls, model: SourceModel) -> _ModelRecord:
        """The record of ``model``."""
        return cls(*model.parts())

    def model(self, text: str, figures: Sequence[Figure]) -> SourceModel:
        """The model of ``text``; raises `ValueError` if the record does not fit the text."""
        if len(self.counts) != len(self.sentences):
            raise ValueError("word counts for another number of sentences")
        end = 0
        for start, stop in self.sentences:
            if not end <= start <= stop <= len(text):
                raise ValueError("sentence spans out of order or outside the text")
            end = stop
        return SourceModel(text, figures, known=(self.sentences, self.counts))


class _SourceRecord(cache.StoredRecord, frozen=True):
    """How a prepared source is stored: its text, key, offset maps (4-byte positions), figures."""

    text: str
    notes: tuple[str, ...]
    key: str
    maps: tuple[tuple[bytes, bytes], ...]
    hard_hyphens: bytes
    break_hyphens: bytes
    callouts: tuple[tuple[int, int], ...]
    figures: tuple[Figure, ...]
    lines: tuple[int, ...]

    @classmethod
    def of(cls, prepared: Prepared) -> _SourceRecord:
        """The record of ``prepared``."""
        normalized = prepared.normalized
        return cls(prepared.source.text, prepared.source.notes, normalized.text,
                   tuple((_packed(m.points), _packed(m.targets)) for m in normalized.maps),
                   _packed(normalized.hard_hyphens), _packed(normalized.break_hyphens),
                   normalized.callouts, prepared.figures, prepared.source.lines)

    def prepared(self, path: Path) -> Prepared:
        """The prepared source read from ``path``; raises `ValueError` if the record is damaged."""
        maps = tuple(OffsetMap(_unpacked(points), _unpacked(targets))
                     for points, targets in self.maps)
        if any(len(m.points) != len(m.targets) for m in maps):
            raise ValueError("offset map with unpaired positions")
        normalized = Normalized(self.text, self.key, maps, _unpacked(self.hard_hyphens),
                                _unpacked(self.break_hyphens))
        normalized.__dict__["callouts"] = self.callouts  # what `prepare` computed, kept
        return Prepared(SourceText(path, self.text, self.notes, self.lines), normalized,
                        self.figures)


class _IndexRecord(cache.StoredRecord, frozen=True):
    """How the corpus index is stored; the source sets are little-endian bit masks."""

    keys: list[str]
    text: str
    starts: list[int]
    words: dict[str, bytes]
    figures: list[tuple[str, float, str, bytes]]

    @classmethod
    def of(cls, index: _Index) -> _IndexRecord:
        """The record of ``index``."""
        return cls(index.keys, index.text, index.starts.tolist(),
                   {word: _mask_bytes(mask) for word, mask in index.words.items()},
                   [(*figure, _mask_bytes(mask)) for figure, mask in index.figures.items()])

    def index(self) -> _Index:
        """The index; raises `ValueError` if the record is damaged."""
        if len(self.starts) != len(self.keys) or self.starts != sorted(self.starts):
            raise ValueError("index positions out of order")
        words = {word: int.from_bytes(mask, "little") for word, mask in self.words.items()}
        figures = {(kind, value, unit): int.from_bytes(mask, "little")
                   for kind, value, unit, mask in self.figures}
        return _Index(self.keys, self.text, array("q", self.starts), words, figures)


def _packed(positions: array[int]) -> bytes:
    return (positions if positions.typecode == "I" else array("I", positions)).tobytes()


def _unpacked(data: bytes) -> array[int]:
    positions = array("I")
    positions.frombytes(data)  # ValueError unless a whole number of positions
    return positions


def _mask_bytes(mask: int) -> bytes:
    return mask.to_bytes((mask.bit_length() + 7) // 8, "little")


def prepare(path: Path) -> Prepared:
    """Read and prepare one source file (raises `InputError` when it cannot be read)."""
    source = read_source(path)
    normalized = normalize(source.text)
    _ = normalized.callouts  # computed once here, so that the cached form carries it
    return Prepared(source, normalized, tuple(extract_figures(source.text, source=True)))


def _prepare_all(targets: list[str]) -> Iterator[tuple[_SourceRecord, _Summary] | None]:
    """Prepare each source, in worker processes when there are many (None if unreadable)."""
    if len(targets) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from map(_prepare_record, targets)
        return
    from concurrent.futures import ProcessPoolExecutor  # only cold builds of many sources

    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        yield from pool.map(_prepare_record, targets, chunksize=8)


def _prepare_record(path: str) -> tuple[_SourceRecord, _Summary] | None:
    """Prepare ``path``: its cache record and its summary (None if unreadable)."""
    try:
        prepared = prepare(Path(path))
    except BriefkitError:
        return None  # an unreadable source is reported when it is cited, not while indexing
    return _SourceRecord.of(prepared), _Summary.of(prepared)


def _assemble(paths: Mapping[str, Path], summaries: Mapping[str, _Summary | None]) -> _Index:
    index = _Index()
    parts: list[str] = []
    length = 0
    for position, key in enumerate(paths):
        summary = summaries.get(key)
        index.keys.append(key)
        index.starts.append(length)
        folded = summary.folded if summary is not None else ""
        parts.append(folded)
        length += len(folded) + len(_SEPARATOR)
        bit = 1 << position
        for word in summary.words if summary is not None else ():
            index.words[word] = index.words.get(word, 0) | bit
        for figure in summary.figures if summary is not None else ():
            index.figures[figure] = index.figures.get(figure, 0) | bit
    index.text = _SEPARATOR.join(parts)
    return index


def _fold(key: str) -> str:
    """A key lower-cased with every character outside Latin-1 made ``?`` (a compact str)."""
    return key.lower().encode("latin-1", "replace").decode("latin-1")


def _quote_runs(quote: str) -> list[str]:
    """The runs of plain words (two or more) of ``quote``'s folded key, longest first."""
    runs: list[str] = []
    for piece in _OMISSIONS.split(quote):
        runs += _RUN.findall(_fold(normalize(piece).text))
    return sorted(runs, key=len, reverse=True)


def _prepared_key(digest: str) -> str:
    """The cache key of a source's prepared form: its content and how it was prepared."""
    return f"{digest}/{PREPARED_VERSION}"


def _closest(index: _Index, claim: str, positions: Iterable[int]) -> list[int]:
    """The few sources among ``positions`` that share the most long words with ``claim``, and
    at least half of them.

    A source that states a claim uses its words; trying only the closest few keeps the search
    for another source of a figure from aligning the claim to every source that has the value.
    """
    words = [index.words.get(word, 0)
             for word in set(_LONG_WORD.findall(_fold(normalize(claim).text)))]
    least = max(1, (len(words) + 1) // 2)  # a source that states it has most of its words
    shared = {p: sum(1 for bits in words if bits >> p & 1) for p in positions}
    ranked = sorted((p for p, n in shared.items() if n >= least), key=lambda p: (-shared[p], p))
    return ranked[:ELSEWHERE_CANDIDATES]


def _quote_long_words(quote: str) -> set[str]:
    """Long words a verbatim source of ``quote`` must contain.

    A word next to a bracket or an ellipsis may be cut ("[gov]ernments"), so it is left out.
    """
    pieces = _OMISSIONS.split(quote)
    words: set[str] = set()
    for number, piece in enumerate(pieces):
        found = _LONG_WORD.findall(_fold(normalize(piece).text))
        if number > 0 and found:
            found = found[1:]
        if number < len(pieces) - 1 and found:
            found = found[:-1]
        words.update(found)
    return words


def _figure_key(figure: Figure) -> FigureKey:
    return (figure.kind, round(figure.value, 9), figure.unit)


def _bits(mask: int) -> Iterable[int]:
    position = 0
    while mask:
        if mask & 1:
            yield position
        mask >>= 1
        position += 1


