"""Rendering a brief to PDF, DOCX and HTML in the house style of its series.

The pipeline, for one brief:

1. read the front matter and keep only the fields a brief may set (title, subtitle, author,
   date, summary, keywords, lang...); everything pandoc would act on (filters, includes, CSS,
   bibliography, CSL...) is dropped, and the house fields come from the series definition;
2. validate before pandoc runs: the bibliography must parse without errors and every cited key
   must be in it;
3. parse the Markdown once into pandoc's AST (raw TeX, HTML and attribute blocks stay text unless
   the workspace allows raw), drop the body's ``.series-blurb`` div (the blurb is generated from
   the series definition), remove event handlers and every link whose scheme is not http,
   https or mailto (in PDF and Word relative ones too), require every image to be a file
   inside the workspace (symbolic links resolved), add the references section;
4. run citeproc (Chicago author-date, or the series' CSL style) once, apply the link rule again
   to what it produced (bibliography URLs), and run the writers: typst with the house template
   compiled in-process to PDF, DOCX with the house reference document, HTML as one
   self-contained page with the house CSS;
5. write every output to a temporary file beside its target and rename them into place only
   when all were written, so a failure never leaves a broken file, destroys a previous one or
   leaves a mix of old and new formats.

Temporary files live in the workspace's own folders (the cache, the output folder), never in the
system's temporary folder, and the next run removes those of a run that was killed outright.

`briefkit.publish.volume` reuses steps 1–5 for a whole series.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .. import pandoc
from ..brief.frontmatter import meta_date
from ..brief.source import read_brief_source
from ..check.bib import Bibliography, load_bibliography
from ..check.cache import Store, prepare_folder
from ..errors import BibliographyError, InputError, OutputError, PathEscapeError, UsageError
from ..pandoc import Node
from ..workspace import Workspace, outward_links, sweep_temporaries, template_dirs, write_all

if TYPE_CHECKING:
    from ..brief.document import Brief
    from ..brief.series import Series

FORMATS = ("pdf", "docx", "html")
DEFAULT_STYLE = "chicago-author-date"  # pandoc's built-in CSL style
# Links: a browser strips leading and trailing C0 controls and spaces from an address and tabs
# and newlines anywhere in it before reading its scheme (WHATWG URL standard, "basic URL parser").
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Attributes whose values browsers (or Word) follow as addresses.
URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "background", "cite", "codebase", "data",
    "longdesc", "poster", "usemap", "icon", "manifest", "ping", "lowsrc", "dynsrc", "archive",
    "classid", "profile", "xlink:href",
})
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
PAGE_BREAK = {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']}
# A Word table of contents (chapters only): a TOC field that Word fills in when it opens the file.
TOC_FIELD = {"t": "RawBlock", "c": ["openxml", (
    '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
    "<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>"
    '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>Contents</w:t></w:r></w:p>'
    '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/>'
    '<w:instrText xml:space="preserve"> TOC \\o "1-1" \\h \\z \\u </w:instrText>'
    '<w:fldChar w:fldCharType="separate"/><w:t>Right-click to update the contents.</w:t>'
    '<w:fldChar w:fldCharType="end"/></w:r></w:p></w:sdtContent></w:sdt>')]}


@dataclass(frozen=True)
class RenderResult:
    """The files written (in the order of the formats asked for) and the tools' warnings."""

    outputs: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """A document ready for the writers: the AST with its house metadata, and what it needs.

    ``name`` is the output file name without extension; ``kind`` is "brief" or "volume".
    """

    name: str
    document: Node
    series: Series
    bibliographies: tuple[Path, ...]
    date: dt.date | None
    kind: str = "brief"
    warnings: tuple[str, ...] = field(default=())


def formats_from(value: str | Iterable[str]) -> tuple[str, ...]:
    """The formats named by ``value`` ("pdf", "docx", "html", "all", or a list of them).

    Raises `UsageError` for an unknown name.
    """
    names = [value] if isinstance(value, str) else list(value)
    chosen: list[str] = []
    for name in (part.strip().lower() for item in names for part in item.split(",")):
        for fmt in FORMATS if name == "all" else (name,):
            if fmt not in FORMATS:
                raise UsageError(f"unknown format {name!r}; choose pdf, docx, html or all")
            if fmt not in chosen:
                chosen.append(fmt)
    if not chosen:
        raise UsageError("no output format given; choose pdf, docx, html or all")
    return tuple(chosen)


def render_brief(
    ws: Workspace, brief: Path, *, formats: Sequence[str], output_dir: Path | None = None,
    draft: bool = False, check: bool = True,
) -> RenderResult:
    """Render ``brief`` to each of ``formats`` as ``<output_dir>/<slug>.<ext>``.

    ``output_dir`` defaults to the workspace's output folder. The brief is checked first
    (unless not ``check``) and `CheckFailedError`, carrying the report, is raised when the check
    finds errors (`briefkit.publish.gate`). A brief that still holds prompts
    of its skeleton raises `DraftError` unless ``draft``, which marks every page as a draft
    (`briefkit.publish.draft`). Raises `InputError` (unreadable brief, unknown citation key, image
    outside the workspace...), `BibliographyError`, `UnknownSeriesError`, `OutputError` and
    `ToolError` (pandoc or typst failed). Nothing is written unless every format rendered.
    """
    from . import draft as drafts
    from .gate import read_briefs, require_checked

    chosen = formats_from(formats)
    validate_brief(ws, brief)
    parsed = read_briefs(ws, [brief])
    if check:
        require_checked(ws, [brief], parsed,
                        refusal=f"{brief}: the check found errors, so it was not rendered")
    if not draft:
        drafts.require_finished(ws, [brief], parsed=parsed)
    target = prepare_output(output_dir or ws.output)
    edition = read_edition(ws, brief, parsed=parsed)
    return publish(ws, drafts.mark(edition) if draft else edition, formats=chosen,
                   output_dir=target)


def validate_brief(ws: Workspace, brief: Path) -> None:
    """Require ``brief`` to exist with front matter that fits the schema and a number no other
    brief of its series has; `InputError` names the brief and the line otherwise."""
    from ..brief.series import require_sound_brief

    require_sound_brief(ws, _brief_path(ws, brief))


def typst_source(ws: Workspace, brief: Path) -> str:
    """The typst source the PDF of ``brief`` is compiled from (for inspection and tests)."""
    edition = read_edition(ws, brief)
    return _typst(ws, edition, with_citations(edition)[0])[0]


# --- reading and validating a brief ----------------------------------------------------------


def read_edition(ws: Workspace, brief: Path, *,
                 parsed: Mapping[Path, Brief] | None = None) -> Edition:
    """Read, validate and parse ``brief`` into an `Edition` (no output is written).

    ``parsed`` holds briefs already read, by resolved path (see `briefkit.publish.gate`).
    """
    from ..brief.series import get_series

    path = _brief_path(ws, brief)
    source = read_brief_source(path)
    text, front = source.text, source.front
    meta = front.meta
    series_id = meta.get("series")
    if not isinstance(series_id, str) or not series_id.strip():
        raise InputError(path, "front matter names no series (the house style comes from it)")
    series = get_series(ws, series_id)
    bibliographies = _bibliographies(ws, path, meta)
    known = _known_keys(bibliographies)
    _check_citations(path, known, allow_raw=ws.allow_raw, read=(parsed or {}).get(path))
    body = "\n" * (front.body_line - 1) + text[front.body_offset :]
    _check_markup(path, meta, front.lines)
    metadata = brief_metadata(meta, series, fallback_title=path.stem)
    document, warnings = pandoc.read_markdown(body, metadata=metadata, allow_raw=ws.allow_raw,
                                              scratch=scratch_folder(ws))
    _check_parsed_citations(path, document, known)
    pandoc.remove_blocks(document["blocks"], lambda node: pandoc.has_class(node, "series-blurb"))
    sanitize(document)
    check_images(ws, document, path)
    normalise_meta(document)
    notes = [f"pandoc: {ws.relative(path)}: {w}" for w in warnings]
    prompts = [d for d in pandoc.find(document["blocks"], "Div") if pandoc.has_class(d, "prompt")]
    if prompts:
        # A draft keeps its prompts visible; say so, so that none reaches a final edition.
        notes.append(f"{ws.relative(path)}: {len(prompts)} author prompt(s) of the skeleton are "
                     "still in the brief (::: {.prompt} blocks)")
    return Edition(
        name=path.stem,
        document=document,
        series=series,
        bibliographies=tuple(b.path for b in bibliographies),
        date=meta_date(meta.get("date")),
        warnings=tuple(notes),
    )


def _brief_path(ws: Workspace, brief: Path) -> Path:
    path = ws.inside(brief, base=Path.cwd())
    if not path.is_file():
        raise InputError(brief, "no such brief" if not path.exists() else "is not a file")
    return path


def _bibliographies(ws: Workspace, path: Path, meta: Mapping[str, Any]) -> list[Bibliography]:
    """The brief's ``bibliography`` files (relative to the brief), else the workspace's."""
    declared = meta.get("bibliography")
    names = [declared] if isinstance(declared, str) else declared or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError(path, "bibliography must be a path or a list of paths")
    files = [ws.inside(name, base=path.parent) for name in names] or [ws.bibliography]
    store = Store(ws.cache)
    loaded = [load_bibliography(file, store=store) for file in dict.fromkeys(files)]
    for bibliography in loaded:
        _require_sound(ws, bibliography)
    return loaded


def _require_sound(ws: Workspace, bibliography: Bibliography) -> None:
    errors = [d for d in bibliography.diagnostics if d.status == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise BibliographyError(
            ws.relative(bibliography.path), errors[0].message + more, line=errors[0].line
        )


def _known_keys(bibliographies: Sequence[Bibliography]) -> set[str]:
    return {key for bibliography in bibliographies for key in bibliography.entries}


def _check_citations(path: Path, known: set[str], *, allow_raw: bool,
                     read: Brief | None = None) -> None:
    """Every key the brief cites must be in the bibliography (pandoc would print ``key?``), and
    pandoc must be able to read the brief in reasonable time (no pile of open brackets).

    ``read`` is the brief as already read, if it was."""
    from ..brief.document import read_brief

    brief = read if read is not None else read_brief(path, allow_raw=allow_raw)
    for problem in brief.problems:
        if problem.rule == "brief-brackets":
            raise InputError(path, f"column {problem.span.column}: {problem.message}",
                             line=problem.span.line)
    citations = brief.citations
    missing = [c for c in citations if c.key not in known]
    if missing:
        first = missing[0]
        others = sorted({c.key for c in missing} - {first.key})
        more = f"; also unknown: {', '.join(others)}" if others else ""
        raise InputError(
            path,
            f"column {first.span.column}: citation key {first.key!r} is not in the "
            f"bibliography{more}",
            line=first.span.line,
        )


def _check_markup(path: Path, meta: Mapping[str, Any],
                  lines: Mapping[tuple[str | int, ...], int]) -> None:
    """Every text of the front matter is Markdown to pandoc: it must keep the body's limits."""
    from ..brief.document import markup_problem

    stack: list[tuple[tuple[str | int, ...], Any]] = [((key,), part) for key, part in meta.items()]
    while stack:
        at, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(((*at, key), part) for key, part in value.items())
        elif isinstance(value, list):
            stack.extend(((*at, index), part) for index, part in enumerate(value))
        elif isinstance(value, str) and (problem := markup_problem(value)) is not None:
            raise InputError(path, f"front matter field {at[0]}: {problem}", line=lines.get(at[:1]))


def _check_parsed_citations(path: Path, document: Node, known: set[str]) -> None:
    """The same rule on pandoc's own reading, which is what citeproc will see."""
    keys = {c["citationId"] for cite in pandoc.find(document, "Cite") for c in cite["c"][0]}
    missing = sorted(keys - known)
    if missing:
        raise InputError(path, f"citation key {missing[0]!r} is not in the bibliography")


def sanitize(document: Node) -> None:
    """Remove what would run in a browser or open something local, in every format.

    Event-handler attributes (``{onclick=...}``) go; links whose address is not http, https,
    mailto or relative (`safe_address`) become plain text (a Span keeping their text), and
    address attributes (``{href=...}``, ``{src=...}``) with such an address are dropped.
    """

    def clean(node: Node) -> None:
        attributes = pandoc.attributes(node)
        if attributes is not None:
            attributes[2] = [pair for pair in attributes[2] if _safe_attribute(*pair)]
        if node["t"] == "Link" and not safe_address(node["c"][2][0]):
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]

    pandoc.walk(document, clean)


def safe_address(address: str) -> bool:
    """True when a browser would read ``address`` as relative or as http, https or mailto.

    The scheme is read as a browser reads it: after stripping leading and trailing C0 control
    characters and spaces and removing tabs and newlines anywhere (``"\x01java\tscript:"`` is a
    ``javascript:`` address).
    """
    cleaned = address.strip(C0_AND_SPACE).translate({ord(c): None for c in "\t\n\r"})
    scheme = URL_SCHEME.match(cleaned)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def document_links(document: Node) -> Node:
    """``document``, or a copy of it, in which only http, https and mailto addresses and links
    within the document (``#id``) stay links; the others keep their text.

    For PDF and Word: a relative address means nothing in a file that travels alone, and Word
    and PDF readers open it as a local file or a network share (``//host/share``).
    """
    if all(_document_link(link["c"][2][0]) for link in pandoc.find(document, "Link")):
        return document
    copied = copy.deepcopy(document)

    def unlink(node: Node) -> None:
        if node["t"] == "Link" and not _document_link(node["c"][2][0]):
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]

    pandoc.walk(copied, unlink)
    return copied


def _document_link(address: str) -> bool:
    if address.startswith("#"):
        return True
    scheme = URL_SCHEME.match(address.strip(C0_AND_SPACE))
    return scheme is not None and safe_address(address)


def _safe_attribute(name: str, value: str) -> bool:
    key = name.lower()
    if key.startswith("on") or key == "srcdoc":
        return False
    return key not in URL_ATTRIBUTES or safe_address(value)


def check_images(ws: Workspace, document: Node, brief: Path) -> None:
    """Every image must be a file inside the workspace; record its resolved path on the node.

    Raises `InputError` naming the image when it is outside the workspace, a remote or data
    address, or a missing file.
    """
    for image in pandoc.find(document, "Image"):
        source = image["c"][2][0]
        if urlsplit(source).scheme and not re.match(r"[A-Za-z]:[\\/]", source):
            raise InputError(brief, f"image {source!r} is not a file in the workspace "
                             "(remote and data addresses are not fetched)")
        try:
            resolved = ws.inside(unquote(source), base=brief.parent)
        except PathEscapeError as exc:
            raise InputError(brief, f"image {source!r} is outside the workspace "
                             f"({ws.root})") from exc
        if not resolved.is_file():
            raise InputError(brief, f"image {source!r} not found ({ws.relative(resolved)})")
        image["c"][2][0] = str(resolved)


# --- metadata ---------------------------------------------------------------------------------


def brief_metadata(
    meta: Mapping[str, Any], series: Series, *, fallback_title: str
) -> dict[str, Any]:
    """The metadata pandoc sees: the brief's own fields, cleaned, and the house fields."""
    date = meta_date(meta.get("date"))
    number = meta.get("number")
    number = number if isinstance(number, int) and not isinstance(number, bool) else None
    authors = authors_of(meta.get("author"))
    data: dict[str, Any] = {
        "title": _text(meta.get("title")) or fallback_title,
        "subtitle": _text(meta.get("subtitle")),
        "author": [{"name": a["name"], "role": a["role"]} for a in authors],
        "date": display_date(date) if date else _text(meta.get("date")),
        "summary": _text(meta.get("summary")),
        "keywords": _keywords(meta.get("keywords")),
        "lang": _lang(meta.get("lang")),
        "link-citations": True,
        "house": house_fields(series, number=number, date=date, about=authors),
    }
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def house_fields(
    series: Series, *, number: int | None, date: dt.date | None,
    about: Sequence[Mapping[str, str]], volume: bool = False,
) -> dict[str, Any]:
    """The house elements from the series definition (cover, running header, back matter)."""
    from ..brief.series import series_blurb

    perspectives = series.form == "perspectives"
    label = "Essay" if perspectives else "Policy Brief"
    fields: dict[str, Any] = {
        "organization": series.organization,
        "institute": series.institute,
        # The institute named beside the organization only when the two differ.
        "distinct-institute": (series.institute
                               if series.institute != series.organization else ""),
        "series-title": series.title,
        "series-short-title": series.short_title,
        "running-header": f"{series.institute} · {series.short_title}",
        "number-label": f"{label} No. {number}" if number is not None and not volume else "",
        "blurb": series_blurb(series, number) if number is not None and not volume else "",
        "volume-note": "" if volume else series.volume_note,
        "boilerplate": series.boilerplate,
        "summary-title": "Summary",
        "about-title": "About the Authors" if len(about) > 1 else "About the Author",
        "about": [dict(a) for a in about],
        "date-iso": date.isoformat() if date else "",
        "perspectives": perspectives,
        "volume": volume,
    }
    return {key: value for key, value in fields.items() if value not in ("", [], None, False)}


def authors_of(value: object) -> list[dict[str, str]]:
    """Authors as ``{name, role, bio}``: from a name, a list of names or of mappings."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    authors: list[dict[str, str]] = []
    for item in items:
        fields = item if isinstance(item, Mapping) else {"name": item}
        name = _text(fields.get("name"))
        if name:
            role = _text(fields.get("role")) or _text(fields.get("affiliation"))
            authors.append({"name": name, "role": role, "bio": _text(fields.get("bio"))})
    return authors


def display_date(date: dt.date) -> str:
    """A date as the house writes it: "February 15, 2022"."""
    return f"{date:%B} {date.day}, {date.year}"


def _text(value: object) -> str:
    if value is None or isinstance(value, (Mapping, list)):
        return ""
    return str(value).strip()


def _keywords(value: object) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",") if value else []
    return [word for word in (_text(item) for item in items) if word]


def _lang(value: object) -> str:
    text = _text(value)
    return text if LANG_TAG.fullmatch(text) else "en-US"


def normalise_meta(document: Node) -> None:
    """Give the house fields the shape the templates expect: one-line fields as inlines,
    summaries and biographies as blocks."""
    meta = document["meta"]
    house = meta.get("house", {}).get("c", {})
    for key in ("blurb", "volume-note", "boilerplate", "running-header", "series-title"):
        if key in house:
            house[key] = {"t": "MetaInlines", "c": pandoc.meta_inlines(house[key])}
    if "summary" in meta:
        meta["summary"] = {"t": "MetaBlocks", "c": pandoc.meta_blocks(meta["summary"])}
    for person in pandoc.meta_list(house.get("about")):
        fields = person.get("c", {})
        if "bio" in fields:
            fields["bio"] = {"t": "MetaBlocks", "c": pandoc.meta_blocks(fields["bio"])}


# --- writing ------------------------------------------------------------------------------------


def scratch_folder(ws: Workspace) -> Path:
    """The folder for a run's temporary files: the workspace's cache folder, else its output
    folder (the cache may be unusable, which only costs time). Raises `OutputError` when
    neither can be created."""
    try:
        prepare_folder(ws.cache)
        if ws.cache.is_dir():
            return ws.cache
    except OSError:
        pass
    return prepare_output(ws.output)


def prepare_output(folder: Path) -> Path:
    """Create ``folder`` if needed; raise `OutputError` unless files can be written in it.

    The temporary files that killed runs left in it are removed.
    """
    folder = folder.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {folder}: {exc.strerror or exc}") from exc
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {folder} is not writable")
    sweep_temporaries(folder)
    return folder


def publish(
    ws: Workspace, edition: Edition, *, formats: Sequence[str], output_dir: Path
) -> RenderResult:
    """Render ``edition`` to every format, then write the files (all or none)."""
    document, warnings = with_citations(edition)
    rendered: list[tuple[Path, bytes]] = []
    for fmt, (data, found) in zip(formats, _run_writers(ws, edition, document, formats),
                                  strict=True):
        rendered.append((output_dir / f"{edition.name}.{fmt}", data))
        warnings += found
    write_all(rendered)
    return RenderResult(
        outputs=tuple(target for target, _ in rendered),
        warnings=tuple(dict.fromkeys([*edition.warnings, *warnings])),
    )


def with_citations(edition: Edition) -> tuple[Node, list[str]]:
    """``edition``'s document with its citations and references processed by citeproc, the
    link rule applied to them (a bibliography's URLs become links), and the warnings.

    Citations are processed once and the writers share the result.
    """
    cite, warnings = citation_options(edition)
    if not pandoc.find(edition.document["blocks"], "Cite"):
        return edition.document, warnings
    document = with_references(edition.document, level=1 if edition.kind == "volume" else 2)
    processed = pandoc.write(document, to="json", options=cite)
    document = pandoc.load_ast(processed.data)
    sanitize(document)
    return document, [*warnings, *_tagged(processed.warnings)]


def _run_writers(
    ws: Workspace, edition: Edition, document: Node, formats: Sequence[str]
) -> list[tuple[bytes, list[str]]]:
    """Each format's bytes and warnings, in the order of ``formats``.

    The writers only read ``document``; they run side by side because each mostly waits for
    pandoc or typst. The first failure, in the order of ``formats``, is raised.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(formats)) as pool:
        futures = [pool.submit(WRITERS[fmt], ws, edition, document) for fmt in formats]
        return [future.result() for future in futures]


def citation_options(edition: Edition) -> tuple[list[str], list[str]]:
    """Pandoc's citeproc arguments for ``edition``, and a warning if its style is missing."""
    options = ["--citeproc", *(f"--bibliography={path}" for path in edition.bibliographies)]
    style = edition.series.citation_style
    if style == DEFAULT_STYLE:
        return options, []
    try:
        return [*options, f"--csl={pandoc.csl_style(style)}"], []
    except LookupError as exc:
        return options, [f"citation style {style!r} is not available ({exc}); "
                         "using Chicago author-date"]


def with_references(document: Node, *, level: int = 2) -> Node:
    """A copy of ``document`` that ends with a "References" section holding pandoc's refs div.

    A brief that places its own ``#refs`` div keeps it; a brief that cites nothing gets none.
    """
    cites = pandoc.find(document["blocks"], "Cite")
    placed = any(div["c"][0][0] == "refs" for div in pandoc.find(document["blocks"], "Div"))
    if not cites or placed:
        return document
    heading = pandoc.header(level, pandoc.text_inlines("References"),
                            pandoc.attr("references", ["unnumbered"]))
    return {**document, "blocks": [*document["blocks"], heading,
                                   pandoc.div([], pandoc.attr("refs"))]}


def _tagged(warnings: Iterable[str], tool: str = "pandoc") -> list[str]:
    return [f"{tool}: {warning}" for warning in warnings]


def template(ws: Workspace, name: str) -> Path:
    """The render template ``name``: the workspace's own copy first, then the bundled one."""
    for folder in template_dirs(ws):
        candidate = folder / "render" / name
        if candidate.is_file():
            return candidate
    raise InputError(f"templates/render/{name}", "template not found")


def _timestamp(date: dt.date | None) -> dt.datetime:
    """The PDF's creation time: the brief's date, else SOURCE_DATE_EPOCH, else a fixed day."""
    if date is not None:
        return dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _images(document: Node, rewrite: Callable[[Path], str]) -> Node:
    """A copy of ``document`` whose image sources (resolved paths) are passed through
    ``rewrite``: typst wants paths from its root, HTML and Word want the data itself."""
    if not pandoc.find(document, "Image"):
        return document
    copied = copy.deepcopy(document)
    for image in pandoc.find(copied, "Image"):
        target = image["c"][2]
        target[0] = rewrite(Path(target[0]))
    return copied


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        payload = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    return f"data:{kind};base64,{payload}"


def _typst(ws: Workspace, edition: Edition, document: Node) -> tuple[str, list[str]]:
    # Typst reads images itself, from its root (the workspace): "/…" is relative to the root.
    located = _images(document_links(document),
                      lambda path: "/" + path.relative_to(ws.root).as_posix())
    name = "volume.typ" if edition.kind == "volume" else "brief.typ"
    output = pandoc.write(located, to="typst-citations",
                          options=[f"--template={template(ws, name)}"])
    return output.data.decode("utf-8"), _tagged(output.warnings)


def _write_pdf(ws: Workspace, edition: Edition, document: Node) -> tuple[bytes, list[str]]:
    from .pdf import compile_pdf

    if _has_raw(document, "typst"):
        require_no_outward_links(ws)
    source, warnings = _typst(ws, edition, document)
    compiled = compile_pdf(source, root=ws.root, timestamp=_timestamp(edition.date))
    return compiled.pdf, [*warnings, *_tagged(compiled.warnings, "typst")]


def require_no_outward_links(ws: Workspace) -> None:
    """Refuse a workspace holding a symbolic link to a place outside it.

    Typst reads any file under its root (the workspace) and follows symbolic links, so raw typst
    in a brief (``#read``, ``#include``, ``#image``) could read a file outside the workspace
    through such a link. Raises `InputError` naming the first link.
    """
    for link, target in outward_links(ws.root):
        raise InputError(link.relative_to(ws.root.resolve()).as_posix(),
                         f"symbolic link to {target}, outside the workspace; raw typst in the "
                         "brief could read through it (remove the link or the raw typst)")


def _has_raw(document: Node, fmt: str) -> bool:
    return any(node["c"][0] == fmt for node in pandoc.find(document, "RawBlock", "RawInline"))


def _write_html(ws: Workspace, edition: Edition, document: Node) -> tuple[bytes, list[str]]:
    embedded = _images(document, _data_uri)
    options = [
        "--standalone", "--embed-resources", "--section-divs", "--toc", "--toc-depth=2",
        f"--template={template(ws, 'brief.html')}",
    ]
    output = pandoc.write(embedded, to="html5", options=options)
    return output.data, _tagged(output.warnings)


def _write_docx(ws: Workspace, edition: Edition, document: Node) -> tuple[bytes, list[str]]:
    from . import draft as drafts
    from .docx_reference import reference_docx

    series = edition.series
    reference = reference_docx(ws.cache, header=f"{series.institute} · {series.short_title}",
                               footer=series.organization)
    laid_out = docx_document(_images(document_links(document), _data_uri),
                             volume=edition.kind == "volume")
    options = [f"--reference-doc={reference}",
               f"--template={template(ws, 'brief.openxml')}"]
    output = pandoc.write(laid_out, to="docx", options=options)
    data = output.data
    if drafts.is_marked(document):
        data = drafts.mark_docx(data)
    return data, _tagged(output.warnings)


WRITERS = {"pdf": _write_pdf, "docx": _write_docx, "html": _write_html}


# --- the Word document: house elements as styled paragraphs -----------------------------------


def _styled(style: str, blocks: list[Node]) -> Node:
    return pandoc.div(blocks, pandoc.attr(custom_style=style))


def docx_document(document: Node, *, volume: bool = False) -> Node:
    """``document`` with its cover, author notes and back matter as Word-styled paragraphs.

    Pandoc's DOCX writer has no layout template, so the house elements the typst and HTML
    templates place are built here as paragraphs in named styles (Title, Subtitle, Author, Date,
    Abstract... from the house reference document). The author list becomes plain names so
    Word's document properties name the authors.
    """
    meta = document["meta"]
    house = meta.get("house")
    perspectives = pandoc.meta_field(house, "perspectives") is not None
    cover = _docx_cover(meta)
    summary = _docx_summary(meta)
    about = _docx_about(house)
    back = _docx_back(house)
    body = list(document["blocks"])
    if perspectives and not volume:
        blocks = [*cover, PAGE_BREAK, *about, PAGE_BREAK, *summary, *body, PAGE_BREAK, *back]
    elif volume:
        chapters = [block for node in body for block in (
            [PAGE_BREAK, node] if node["t"] == "Header" and node["c"][0] == 1 else [node])]
        blocks = [*cover[:1], *cover[2:], PAGE_BREAK, TOC_FIELD, *chapters, PAGE_BREAK, *about,
                  *back]
    else:
        blocks = [*cover, *summary, *body, *about, *back]
    names = [{"t": "MetaInlines", "c": pandoc.meta_inlines(pandoc.meta_field(a, "name"))}
             for a in pandoc.meta_list(meta.get("author"))]
    new_meta = {**meta, "author": {"t": "MetaList", "c": names}}
    return {**document, "meta": new_meta, "blocks": blocks}


def _docx_cover(meta: Mapping[str, Node]) -> list[Node]:
    house = meta.get("house")

    def field_text(key: str) -> list[Node]:
        return pandoc.meta_inlines(pandoc.meta_field(house, key))

    masthead = field_text("organization")
    if field_text("distinct-institute"):
        masthead = [*masthead, {"t": "Space"}, {"t": "Str", "c": "·"}, {"t": "Space"},
                    *field_text("distinct-institute")]
    series_line = field_text("series-title")
    if field_text("number-label"):
        series_line = [*series_line, {"t": "Space"}, {"t": "Str", "c": "—"}, {"t": "Space"},
                       *field_text("number-label")]
    blocks = [_styled("Masthead", [pandoc.para(masthead)]),
              _styled("Series Line", [pandoc.para(series_line)]),
              _styled("Title", [pandoc.para(pandoc.meta_inlines(meta.get("title")))])]
    if "subtitle" in meta:
        blocks.append(_styled("Subtitle", [pandoc.para(pandoc.meta_inlines(meta["subtitle"]))]))
    for person in pandoc.meta_list(meta.get("author")):
        blocks.append(_styled("Author", [pandoc.para(_name_and_role(person))]))
    if "date" in meta:
        blocks.append(_styled("Date", [pandoc.para(pandoc.meta_inlines(meta["date"]))]))
    return blocks


def _name_and_role(person: Node) -> list[Node]:
    name = pandoc.meta_inlines(pandoc.meta_field(person, "name"))
    role = pandoc.meta_inlines(pandoc.meta_field(person, "role"))
    return [*name, {"t": "Str", "c": ","}, {"t": "Space"}, *role] if role else name


def _docx_summary(meta: Mapping[str, Node]) -> list[Node]:
    if "summary" not in meta:
        return []
    title = pandoc.meta_inlines(pandoc.meta_field(meta.get("house"), "summary-title"))
    return [_styled("Abstract Title", [pandoc.para(title)]),
            _styled("Abstract", pandoc.meta_blocks(meta["summary"]))]


def _docx_about(house: Node | None) -> list[Node]:
    people = pandoc.meta_list(pandoc.meta_field(house, "about"))
    if not people:
        return []
    title = pandoc.meta_inlines(pandoc.meta_field(house, "about-title"))
    blocks = [pandoc.header(2, title, pandoc.attr("about-the-author", ["unnumbered"]))]
    for person in people:
        name = pandoc.meta_inlines(pandoc.meta_field(person, "name"))
        role = pandoc.meta_inlines(pandoc.meta_field(person, "role"))
        line = [pandoc.strong(name)]
        if role:
            line += [{"t": "Str", "c": ","}, {"t": "Space"}, pandoc.emph(role)]
        blocks += [pandoc.para(line), *pandoc.meta_blocks(pandoc.meta_field(person, "bio"))]
    return blocks


def _docx_back(house: Node | None) -> list[Node]:
    def field_text(key: str) -> list[Node]:
        return pandoc.meta_inlines(pandoc.meta_field(house, key))

    blocks: list[Node] = []
    blurb = [*field_text("blurb")]
    if field_text("volume-note"):
        blurb += [{"t": "Space"}, *field_text("volume-note")] if blurb else field_text(
            "volume-note")
    if blurb:
        blocks.append(_styled("Series Blurb", [pandoc.para([pandoc.emph(blurb)])]))
    blocks.append(_styled("Back Matter Heading", [pandoc.para(field_text("institute"))]))
    blocks.append(_styled("Back Matter", [pandoc.para(field_text("boilerplate"))]))
    return blocks
