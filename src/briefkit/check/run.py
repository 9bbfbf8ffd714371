"""`briefkit check`: verify every quote, figure and citation of briefs against their sources.

Data flows one way: workspace → bibliography and corpus → each brief's claims → findings →
`CheckReport`. Every quotation and every figure that is checked gets exactly one finding, verified
ones included, so a report shows what was checked and not only what failed.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..brief.document import Brief, Citation, Problem, Quotation, Sentence, read_brief
from ..brief.series import SeriesCheck
from ..claims.align import ClaimResult, FigureJudgement, judge_claim
from ..claims.figures import Figure, extract_figures, is_attribution_worthy
from ..claims.quotes import QuoteMatch, match_quote
from ..errors import InputError, UsageError
from ..model import (
    BibDiagnostic,
    BriefReport,
    CheckReport,
    Finding,
    Kind,
    SourceRef,
    Span,
    Status,
)
from ..workspace import Workspace
from .bib import load_bibliography
from .cache import Store
from .corpus import Corpus, Elsewhere, Progress, SourceDoc, SourceProblem

BRIEF_SUFFIXES = (".md", ".markdown")
MIN_UNCITED_QUOTE_WORDS = 4  # shorter uncited quotes are usually scare quotes or titles
PASSAGE_LIMIT = 400  # characters of an aligned source passage shown as evidence
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s|\s[-–—]+\s")


def check_briefs(workspace: Workspace, targets: Sequence[Path] = (), *,
                 bibliography: Path | None = None,
                 progress: Progress | None = None,
                 parsed: Mapping[Path, Brief] | None = None) -> CheckReport:
    """Check the briefs named by ``targets`` (files or folders; none: every brief of the workspace).

    ``parsed`` holds briefs already read (`read_brief`), by resolved path; they are checked as
    they are instead of being read again.

    Raises `InputError` for a target that does not exist or a bibliography that cannot be read.
    """
    paths = brief_paths(workspace, targets)
    store = Store(workspace.cache, label=workspace.relative(workspace.cache))
    bib = load_bibliography(bibliography or workspace.bibliography, store=store)
    corpus = Corpus(workspace, bib, progress=progress, store=store)
    reports: list[BriefReport] = []
    cited: set[str] = set()
    series = SeriesCheck(workspace)
    for path in paths:
        read = parsed.get(path.resolve()) if parsed else None
        if read is None:
            read = read_brief(path, allow_raw=workspace.allow_raw)
        brief = series.add_problems(read)
        cited.update(c.key for c in brief.citations)
        findings = _check(brief, corpus, unverifiable=workspace.unverifiable)
        reports.append(BriefReport(_display(workspace, path), tuple(findings)))
    diagnostics = list(bib.diagnostics)
    if not targets:
        diagnostics.extend(bib.unused(cited))
    relative = [_relocate(workspace, d) for d in sorted(diagnostics, key=lambda d: d.line)]
    store.close()
    return CheckReport(briefs=tuple(reports), bibliography=tuple(relative),
                       notes=store.notes + corpus.reading_notes())


def brief_paths(workspace: Workspace, targets: Sequence[Path]) -> list[Path]:
    """The brief files named by ``targets``: files as given, folders searched for Markdown.

    Raises `InputError` for a target that is missing or not a file, and for a brief that is
    (or links to) a file outside the workspace.
    """
    if not targets:
        if not workspace.briefs.is_dir():
            raise InputError(workspace.briefs, "briefs folder not found")
        return _inside(workspace, _markdown_in(workspace.briefs))
    paths: list[Path] = []
    for target in targets:
        if target.is_dir():
            paths.extend(_markdown_in(target))
        elif target.is_file():
            paths.append(target)
        elif not target.exists():
            raise InputError(target, "no such file or folder")
        else:
            raise InputError(target, "is not a regular file")
    if not paths:
        raise UsageError("no Markdown briefs found in " + ", ".join(map(str, targets)))
    return _inside(workspace, paths)


def _inside(workspace: Workspace, paths: list[Path]) -> list[Path]:
    for path in paths:
        workspace.own_file(path)
    return paths


def _markdown_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in BRIEF_SUFFIXES and p.is_file())


class _Citations:
    """The citations of a brief's running text (not its notes), looked up by span."""

    def __init__(self, brief: Brief) -> None:
        own = sorted((c for c in brief.citations if c.note is None), key=lambda c: _start(c.span))
        self._starts = [_start(c.span) for c in own]
        self._citations = own

    def within(self, outer: Span) -> list[Citation]:
        """The citations inside ``outer``, in order (a search, not a pass over them all)."""
        low = bisect_left(self._starts, _start(outer))
        high = bisect_right(self._starts, (outer.end_line, outer.end_column))
        return [c for c in self._citations[low:high] if _within(c.span, outer)]


@dataclass(frozen=True)
class _Context:
    """What the checks of one brief share."""

    brief: Brief
    corpus: Corpus
    note_keys: dict[str, tuple[str, ...]]
    unverifiable: Status  # the level of a claim whose source cannot be read
    citations: _Citations


def _check(brief: Brief, corpus: Corpus, *, unverifiable: Status) -> list[Finding]:
    context = _Context(brief, corpus, _note_keys(brief), unverifiable, _Citations(brief))
    findings = [_problem(p) for p in brief.problems]
    findings += _citation_findings(context)
    findings += [f for q in brief.quotations if (f := _quote_finding(context, q)) is not None]
    for sentence in brief.sentences:
        findings += _figure_findings(context, sentence)
    return sorted(findings, key=lambda f: (f.span.line, f.span.column, f.kind.value))


def _note_keys(brief: Brief) -> dict[str, tuple[str, ...]]:
    keys: dict[str, list[str]] = {}
    for citation in brief.citations:
        if citation.note is not None and citation.key not in keys.setdefault(citation.note, []):
            keys[citation.note].append(citation.key)
    return {note: tuple(found) for note, found in keys.items()}


def _sentence_keys(context: _Context, sentence: Sentence) -> tuple[str, ...]:
    # A sentence inside a note without a citation of its own is covered by its note's citations.
    if sentence.keys or sentence.note is None:
        return sentence.keys
    return context.note_keys.get(sentence.note, ())


def _problem(problem: Problem) -> Finding:
    kind = Kind.QUOTE if problem.rule.startswith("quote") else Kind.CITATION
    return Finding(kind=kind, status=problem.status, span=problem.span, text="", keys=(),
                   message=problem.message, rule=problem.rule)


# Citations -------------------------------------------------------------------------------------


def _citation_findings(context: _Context) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[str] = set()
    for citation in context.brief.citations:
        doc = context.corpus.document(citation.key)
        if not isinstance(doc, SourceProblem):
            continue
        if doc.rule == "citation-unknown-key":
            close = context.corpus.bibliography.closest_keys(citation.key)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            findings.append(Finding(
                kind=Kind.CITATION, status=Status.ERROR, span=citation.span,
                text=f"@{citation.key}", keys=(citation.key,), rule=doc.rule,
                message=f"unknown citation key {citation.key!r}{hint}",
                suggestion=close[0] if close else None))
        elif citation.key not in reported:
            reported.add(citation.key)
            findings.append(Finding(
                kind=Kind.CITATION, status=Status.ERROR if doc.error else Status.WARNING,
                span=citation.span, text=f"@{citation.key}", keys=(citation.key,),
                rule=doc.rule, message=doc.message))
    return findings


# Quotes ----------------------------------------------------------------------------------------


def _quote_finding(context: _Context, quote: Quotation) -> Finding | None:
    keys = quote.keys
    if not keys:
        return _uncited_quote(context, quote)
    docs = _documents(context.corpus, keys)
    if not docs:
        return _finding(quote, keys, Kind.QUOTE, context.unverifiable, "quote-unchecked",
                        "quote not checked: " + _unusable(context.corpus, keys))
    matches = [(doc, match_quote(quote.plain, doc.prepared.normalized)) for doc in docs]
    for doc, match in matches:
        if match.verdict == "verified":
            return _finding(quote, keys, Kind.QUOTE, Status.VERIFIED, "quote-verified",
                            f"quote matches {doc.key}", source=_ref(doc, match.start, match.end))
    elsewhere = context.corpus.find_quote(quote.plain, exclude=keys)
    if elsewhere is not None:
        return _misattributed(quote, keys, elsewhere)
    doc, best = max(matches, key=lambda pair: pair[1].score)
    return _quote_error(quote, keys, doc, best)


def _uncited_quote(context: _Context, quote: Quotation) -> Finding | None:
    if len(quote.plain.split()) < MIN_UNCITED_QUOTE_WORDS:
        return None
    found = context.corpus.find_quote(quote.plain)
    if found is None:
        return _finding(quote, (), Kind.ATTRIBUTION, Status.WARNING, "quote-uncited",
                        "quoted passage has no citation")
    return _finding(quote, (), Kind.ATTRIBUTION, Status.WARNING, "quote-uncited",
                    f"quoted passage has no citation; it is in {found.doc.key} "
                    f"({found.doc.relpath}:{found.doc.line_of(found.start)})",
                    source=_ref(found.doc, found.start, found.end), suggestion=found.doc.key)


def _quote_error(quote: Quotation, keys: tuple[str, ...], doc: SourceDoc,
                 match: QuoteMatch) -> Finding:
    rule = "quote-mismatch" if match.verdict == "mismatch" else "quote-not-found"
    source = _ref(doc, match.start, match.end) if match.start >= 0 else None
    return Finding(kind=Kind.QUOTE, status=Status.ERROR, span=quote.span, text=quote.text,
                   keys=keys, message=f"{doc.key}: {match.message}", rule=rule, source=source,
                   suggestion=match.suggestion, detail=match.detail)


# Figures ---------------------------------------------------------------------------------------


def _figure_findings(context: _Context, sentence: Sentence) -> list[Finding]:
    quoted = _Quoted(sentence)
    figures = [f for f in extract_figures(sentence.plain) if not quoted(f)]
    if not figures:
        return []
    keys = _sentence_keys(context, sentence)
    if not keys:
        return _uncited_figures(context, sentence, figures)
    cited = context.citations.within(sentence.span)
    places = _Places(sentence, figures, [sentence.index_at(*_start(c.span)) for c in cited])
    findings: list[Finding] = []
    for group, group_keys in _clauses(sentence, figures, keys, cited):
        findings += _cited_figures(context, sentence, group, group_keys, places)
    return findings


def _clauses(sentence: Sentence, figures: list[Figure], keys: tuple[str, ...],
             cited: list[Citation]) -> list[tuple[list[Figure], tuple[str, ...]]]:
    """The sentence's figures grouped by the citation that follows them.

    "Trade rose to $520 billion [@a], and investment fell 20 percent [@b]." makes two claims,
    each with its own source; figures after the last citation belong to it. A sentence with one
    group of citations (or only notes) is one claim. ``cited`` are the sentence's own
    citations in order. Linear in the figures and citations (positions are found by bisection).
    """
    places = sorted(_start(sentence.span_of(f.start, f.end)) for f in figures)
    ends: list[tuple[tuple[int, int], list[str]]] = []
    for citation in cited:
        where = _start(citation.span)
        # no figure between this citation and the previous one: the same group of citations
        if ends and bisect_right(places, ends[-1][0]) == bisect_left(places, where):
            ends[-1][1].append(citation.key)
        else:
            ends.append((where, [citation.key]))
    if len(ends) < 2:
        return [(figures, keys)]
    bounds = [end for end, _ in ends]
    groups: dict[int, list[Figure]] = {}
    for figure in figures:
        where = _start(sentence.span_of(figure.start, figure.end))
        index = min(bisect_right(bounds, where), len(ends) - 1)
        groups.setdefault(index, []).append(figure)
    return [(group, tuple(dict.fromkeys(ends[i][1]))) for i, group in sorted(groups.items())]


def _cited_figures(context: _Context, sentence: Sentence, figures: list[Figure],
                   keys: tuple[str, ...], places: _Places) -> list[Finding]:
    docs = _documents(context.corpus, keys)
    if not docs:
        reason = _unusable(context.corpus, keys)
        return [_figure(sentence, f, keys, context.unverifiable, "figure-unchecked",
                        f"figure not checked: {reason}") for f in figures]
    claim, shifted, quoted = _claim(sentence, figures, places)
    results = [(doc, judge_claim(claim, shifted, context.corpus.model(doc), quoted=quoted))
               for doc in docs]
    doc, best = max(results, key=lambda pair: (pair[1].verified, pair[1].coverage))
    elsewhere = None
    if not best.all_verified:
        elsewhere = context.corpus.find_claim(claim, shifted, quoted=quoted, exclude=keys)
    findings: list[Finding] = []
    for figure, judgement in zip(figures, best.judgements, strict=True):
        if judgement.outcome == "verified":
            findings.append(_verified_figure(sentence, figure, judgement, keys, doc, best))
        elif elsewhere is not None:
            findings.append(_misattributed_figure(sentence, figure, keys, elsewhere))
        else:
            findings.append(_figure_error(sentence, figure, judgement, keys, doc, best))
    return findings


class _Places:
    """Where a sentence's figures and citations are in its plain text, sorted for bisection.

    ``figures`` are all of the sentence's figures that are checked (outside quotations);
    ``cited`` the places where its own (not its notes') citations stood.
    """

    def __init__(self, sentence: Sentence, figures: list[Figure], cited: list[int]) -> None:
        self.cited = sorted(cited)
        self.starts = sorted(f.start for f in figures)
        self.ends = sorted(f.end for f in figures)
        self.quotes = sorted(sentence.quotes)


def _claim(sentence: Sentence, figures: list[Figure],
           places: _Places) -> tuple[str, list[Figure], list[tuple[int, int]]]:
    """The clause of ``sentence`` that holds ``figures`` (one citation's claim), the figures with
    offsets into it, and the spans of quotations in it.

    A clause runs from the citation before its figures (else the punctuation after the previous
    figures, else the sentence's start) to the citation after them (else the punctuation before
    the next figures, else the sentence's end). Each bound is found by bisection in ``places``,
    so a sentence with thousands of claims costs no more per claim than one with a few.
    """
    plain = sentence.plain
    first, last = figures[0].start, figures[-1].end
    k = bisect_right(places.cited, first)
    start = places.cited[k - 1] if k else -1
    if start < 0:
        k = bisect_right(places.ends, first)
        before = places.ends[k - 1] if k else None
        cut = _CLAUSE_BREAK.search(plain, before, first) if before is not None else None
        start = (cut.end() if cut else before) if before is not None else 0
    k = bisect_left(places.cited, last)
    end = places.cited[k] if k < len(places.cited) else -1
    if end < 0:
        k = bisect_left(places.starts, last)
        after = places.starts[k] if k < len(places.starts) else None
        cut = _CLAUSE_BREAK.search(plain, last, after) if after is not None else None
        end = (cut.start() if cut else after) if after is not None else len(plain)
    shifted = [replace(f, start=f.start - start, end=f.end - start) for f in figures]
    low = max(bisect_left(places.quotes, (start, start)) - 1, 0)
    quoted = []
    for a, b in places.quotes[low:]:
        if a >= end:
            break
        if b > start:
            quoted.append((max(a, start) - start, min(b, end) - start))
    return plain[start:end], shifted, quoted


def _within(span: Span, outer: Span) -> bool:
    return _start(outer) <= _start(span) and (span.end_line, span.end_column) <= (
        outer.end_line, outer.end_column)


def _start(span: Span) -> tuple[int, int]:
    return (span.line, span.column)


def _uncited_figures(context: _Context, sentence: Sentence,
                     figures: list[Figure]) -> list[Finding]:
    worthy = [f for f in figures if is_attribution_worthy(f)]
    if not worthy:
        return []
    claim, shifted, quoted = _claim(sentence, worthy, _Places(sentence, figures, []))
    found = context.corpus.find_claim(claim, shifted, quoted=quoted)
    findings = []
    for figure in worthy:
        if found is None:
            findings.append(_figure(sentence, figure, (), Status.WARNING, "figure-uncited",
                                    f"figure {figure.text!r} has no citation",
                                    kind=Kind.ATTRIBUTION))
        else:
            where = found
            findings.append(_figure(
                sentence, figure, (), Status.WARNING, "figure-uncited",
                f"figure {figure.text!r} has no citation; it is in {where.doc.key} "
                f"({where.doc.relpath}:{where.doc.line_of(where.start)})",
                kind=Kind.ATTRIBUTION, source=_ref(where.doc, where.start, where.end),
                suggestion=where.doc.key))
    return findings


def _verified_figure(sentence: Sentence, figure: Figure, judgement: FigureJudgement,
                     keys: tuple[str, ...], doc: SourceDoc, result: ClaimResult) -> Finding:
    where = judgement.source
    source = _ref(doc, where.start, where.end) if where is not None else None
    return _figure(sentence, figure, keys, Status.VERIFIED, "figure-verified",
                   f"figure matches {doc.key}", source=source, passage=_passage(doc, result))


def _figure_error(sentence: Sentence, figure: Figure, judgement: FigureJudgement,
                  keys: tuple[str, ...], doc: SourceDoc, result: ClaimResult) -> Finding:
    passage = _passage(doc, result)
    if judgement.outcome == "contradicted" and judgement.source is not None:
        where = judgement.source
        return _figure(sentence, figure, keys, Status.ERROR, "figure-contradicted",
                       f"{doc.key}: {judgement.reason}", source=_ref(doc, where.start, where.end),
                       suggestion=" ".join(where.text.split()), passage=passage)
    source = passage if passage is not None else None
    return _figure(sentence, figure, keys, Status.ERROR, "figure-unsupported",
                   f"{doc.key}: {judgement.reason}", source=source, passage=passage)


def _passage(doc: SourceDoc, result: ClaimResult) -> SourceRef | None:
    span = result.passage or result.best
    if span is None:
        return None
    return SourceRef(key=doc.key, path=doc.relpath, line=doc.line_of(span[0]),
                     excerpt=doc.prepared.source.excerpt(*span, limit=PASSAGE_LIMIT))


def _misattributed_figure(sentence: Sentence, figure: Figure, keys: tuple[str, ...],
                          found: Elsewhere) -> Finding:
    return _figure(sentence, figure, keys, Status.ERROR, "attribution-other-source",
                   f"figure {figure.text!r} is not in {', '.join(keys)} but is in "
                   f"{found.doc.key} ({found.doc.relpath}:{found.doc.line_of(found.start)})",
                   kind=Kind.ATTRIBUTION, source=_ref(found.doc, found.start, found.end),
                   suggestion=found.doc.key)


def _figure(sentence: Sentence, figure: Figure, keys: tuple[str, ...], status: Status,
            rule: str, message: str, *, kind: Kind = Kind.FIGURE,
            source: SourceRef | None = None, suggestion: str | None = None,
            passage: SourceRef | None = None) -> Finding:
    return Finding(kind=kind, status=status, span=sentence.span_of(figure.start, figure.end),
                   text=figure.text, keys=keys, message=message, rule=rule, source=source,
                   suggestion=suggestion, passage=passage)


class _Quoted:
    """Whether a figure of ``sentence`` lies inside one of its quotations (by bisection)."""

    def __init__(self, sentence: Sentence) -> None:
        self._quotes = sorted(sentence.quotes)
        self._starts = [start for start, _ in self._quotes]

    def __call__(self, figure: Figure) -> bool:
        k = bisect_right(self._starts, figure.start)
        # quotations do not overlap: only the last one opening before the figure can hold it
        return k > 0 and figure.end <= self._quotes[k - 1][1]


# Shared helpers --------------------------------------------------------------------------------


def _unusable(corpus: Corpus, keys: Iterable[str]) -> str:
    """Why none of ``keys`` has a source text to check against."""
    reasons = [doc.message for key in keys
               if isinstance(doc := corpus.document(key), SourceProblem)]
    return "; ".join(dict.fromkeys(reasons)) or "no source text"


def _documents(corpus: Corpus, keys: Iterable[str]) -> list[SourceDoc]:
    return [doc for key in keys if isinstance(doc := corpus.document(key), SourceDoc)]


def _misattributed(quote: Quotation, keys: tuple[str, ...], found: Elsewhere) -> Finding:
    return _finding(quote, keys, Kind.ATTRIBUTION, Status.ERROR, "attribution-other-source",
                    f"quote is not in {', '.join(keys)} but is in {found.doc.key} "
                    f"({found.doc.relpath}:{found.doc.line_of(found.start)})",
                    source=_ref(found.doc, found.start, found.end), suggestion=found.doc.key)


def _finding(quote: Quotation, keys: tuple[str, ...], kind: Kind, status: Status, rule: str,
             message: str, *, source: SourceRef | None = None,
             suggestion: str | None = None) -> Finding:
    return Finding(kind=kind, status=status, span=quote.span, text=quote.text, keys=keys,
                   message=message, rule=rule, source=source, suggestion=suggestion)


def _ref(doc: SourceDoc, start: int, end: int) -> SourceRef:
    return SourceRef(key=doc.key, path=doc.relpath, line=doc.line_of(start),
                     excerpt=doc.excerpt(start, end))


def _display(workspace: Workspace, path: Path) -> str:
    # Paths the user typed are reported as typed; discovered ones relative to the workspace.
    return workspace.relative(path) if path.is_absolute() else path.as_posix()


def _relocate(workspace: Workspace, diagnostic: BibDiagnostic) -> BibDiagnostic:
    return replace(diagnostic, path=workspace.relative(Path(diagnostic.path)))
