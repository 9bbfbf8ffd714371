"""Reading source files: plain text, Markdown, HTML and PDF, as one text with line numbers.

Plain text is read as it is. Markdown and HTML are reduced to their text (markup is not words of
the source) with a line map, so that line numbers still refer to the lines of the file; PDF is
read as the text pypdf extracts, and its line numbers refer to that text. Text that is not UTF-8
is decoded as well as it can be, and `SourceText.notes` says how.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, ToolError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_NEEDS = "reading PDF sources needs pypdf: pip install 'briefkit[pdf]'"

_HTML_DROP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template",
                        "head", "svg", "button", "form"})
_HTML_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BROKEN_HYPHEN = re.compile(r"(?<=\w)-[^\S\n]*\n\s*(?=\w)")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SourceText:
    """The text of one source file; ``notes`` say how it was read when that was not plain UTF-8.

    ``lines`` maps the lines of ``text`` to the lines of the file (``lines[i]`` is the 1-based
    file line of the text's line ``i + 1``) when the text was extracted from markup; empty when
    the text is the file's own.
    """

    path: Path
    text: str
    notes: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()

    def line_of(self, offset: int) -> int:
        """The 1-based line of the file that character ``offset`` of the text comes from
        (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        if self.lines:
            return self.lines[min(line, len(self.lines)) - 1]
        return line

    def excerpt(self, start: int, end: int, *, limit: int = 160) -> str:
        """The original text of ``[start, end)``, whitespace collapsed.

        A hyphen at a line break is joined ("inward-\\nlooking" reads "inward-looking"). Longer
        than ``limit`` characters, the middle is cut and marked with "…".
        """
        text = " ".join(_BROKEN_HYPHEN.sub("-", self.text[max(0, start):end]).split())
        if len(text) <= limit:
            return text
        keep = max(1, (limit - 1) // 2)
        head, tail = text[:keep], text[len(text) - (limit - 1 - keep):]
        return f"{head.rstrip()}…{tail.lstrip()}"


def read_source(path: Path) -> SourceText:
    """Read a source file into text.

    ``.txt`` is text; ``.md`` and ``.markdown`` are read with pandoc's CommonMark reader to their
    text without markup (block quote marks, list markers, emphasis, link targets and raw HTML
    dropped; footnotes at the end); ``.html``, ``.htm`` and ``.xhtml`` are reduced to their
    visible text with lxml (script, style, navigation, header and footer dropped, one line per
    block element). Both keep a map to the lines of the file. ``.pdf`` is read with pypdf when
    it is installed (pages separated by a blank line). A file with any other suffix is read as
    text if it decodes as UTF-8 or Windows-1252.

    Raises `InputError` for a missing file, a directory, an unreadable or binary file, a PDF
    without pypdf, and a file that cannot be parsed.
    """
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _read_pdf(path, data)
    if suffix in HTML_SUFFIXES:
        return _read_html(path, data)
    _refuse_binary(path, data)
    text, notes = decode(data, strict=suffix not in TEXT_SUFFIXES)
    if text is None:
        raise InputError(path, "not a text file (neither UTF-8 nor Windows-1252)")
    if suffix in MARKDOWN_SUFFIXES:
        return _read_markdown(path, text, notes)
    return SourceText(path, text, notes)


def _read_markdown(path: Path, text: str, notes: tuple[str, ...]) -> SourceText:
    from ..pandoc import markdown_plain_text

    try:
        plain, lines = markdown_plain_text(text)
    except ToolError as error:
        raise InputError(path, f"cannot read Markdown: {error}") from None
    except RecursionError:  # block quotes or emphasis nested thousands deep
        raise InputError(path, "cannot read Markdown: nested too deeply") from None
    return SourceText(path, plain, notes, lines)


def decode(data: bytes, *, strict: bool = False) -> tuple[str | None, tuple[str, ...]]:
    """Decode ``data``: UTF-8 (a byte-order mark removed), UTF-16 with a byte-order mark,
    Windows-1252 when that decodes cleanly, else UTF-8 with undecodable bytes replaced (or, with
    ``strict``, None). The notes say which fallback was used.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ("decoded as UTF-16",)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as error:
        where = error.start
    try:
        return data.decode("cp1252"), (f"not UTF-8 (byte {where}): decoded as Windows-1252",)
    except UnicodeDecodeError:
        if strict:
            return None, ()
    return (data.decode("utf-8", errors="replace"),
            (f"not UTF-8 (byte {where}): undecodable bytes replaced with U+FFFD",))


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(path, "is a directory, not a source file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "source file not found") from None
    except OSError as error:
        raise InputError(path, f"cannot read source file: {error.strerror or error}") from None


def _refuse_binary(path: Path, data: bytes) -> None:
    if data.startswith(b"%PDF-"):
        raise InputError(path, "is a PDF file, not text (name it .pdf to read it as a PDF)")
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "is a binary file, not text")


# HTML ------------------------------------------------------------------------------------------


def _read_html(path: Path, data: bytes) -> SourceText:
    from lxml import etree, html

    text, notes = _decode_html(data)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return SourceText(path, "", ("empty HTML file",))
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise InputError(path, f"cannot parse HTML: {error}") from None
    kept = [(" ".join(line.split()), origin) for line, origin in _html_lines(_html_text(root))]
    kept = [(line, origin) for line, origin in kept if line]
    return SourceText(path, "\n".join(line for line, _ in kept), notes,
                      tuple(origin for _, origin in kept))


def _decode_html(data: bytes) -> tuple[str, tuple[str, ...]]:
    declared = _CHARSET.search(data[:4096])
    if declared is not None:
        try:
            return data.decode(declared.group(1).decode("ascii")), ()
        except (LookupError, UnicodeDecodeError):
            pass
    text, notes = decode(data)
    return text or "", notes


def _html_lines(pieces: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Lines of text from pieces of text with the file line each starts on; a line comes from
    the file line of its first visible character."""
    lines: list[tuple[str, int]] = []
    text, origin = "", 0
    for piece, line in pieces:
        parts = piece.split("\n")
        for number, part in enumerate(parts):
            if number:
                lines.append((text, origin or line))
                text, origin = "", 0
            if not origin and part.strip():
                origin = line + number  # text after a line break of <pre> is lines further
            text += part
    lines.append((text, origin or 1))
    return lines


def _html_text(root: object) -> list[tuple[str, int]]:
    """The text of an lxml tree: dropped elements skipped, blocks on lines of their own, each
    piece with the line of the file where its element starts."""
    from lxml import etree

    pieces: list[tuple[str, int]] = []
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    preformatted = 0
    for event, element in walker:
        line = element.sourceline or 1
        if event in ("comment", "pi"):
            pieces.append((_html_space(element.tail, preformatted), line))
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _HTML_DROP:
                walker.skip_subtree()
                continue
            preformatted += tag == "pre"
            if tag in _HTML_BLOCKS or tag == "br":
                pieces.append(("\n", line))
            pieces.append((_html_space(element.text, preformatted), line))
            continue
        preformatted -= tag == "pre"
        if tag in _HTML_BLOCKS:
            pieces.append(("\n", line))
        if element is not root:
            pieces.append((_html_space(element.tail, preformatted), line))
    return pieces


def _html_space(text: str | None, preformatted: int) -> str:
    # Line breaks in HTML source are spaces, except inside <pre>.
    if not text:
        return ""
    return text if preformatted else _WHITESPACE.sub(" ", text)


# PDF -------------------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes) -> SourceText:
    try:
        import pypdf
    except ImportError:
        raise InputError(path, PDF_NEEDS) from None
    import io

    if not data.startswith(b"%PDF-"):
        raise InputError(path, "not a PDF file (no %PDF- header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(path, "the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise InputError(path, f"cannot read PDF: {error}") from None
    empty = [str(number) for number, page in enumerate(pages, 1) if not page.strip()]
    notes = (f"no text on page(s) {', '.join(empty)} (scanned images?)",) if empty else ()
    return SourceText(path, "\n\n".join(page.strip("\n") for page in pages), notes)
