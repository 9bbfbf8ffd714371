"""The house reference document that pandoc's DOCX writer takes its styles from.

Pandoc styles a Word document by name: every paragraph and character style it writes (Title,
Author, Heading 2, Block Text, Footnote Text, Bibliography, ...) is looked up in the document
passed as ``--reference-doc``, and that document's headers and footers are carried over. This
module builds that document: it starts from pandoc's own default (so every style pandoc expects is
present) and restyles it with python-docx, using styles rather than direct formatting so that
editors who open the brief in Word get the house styles in the gallery.

The look, on US Letter with one-inch margins:

- body text in Georgia 11 pt, line spacing 1.15, near-black ink, 8 pt between paragraphs;
- the title in Arial bold 24 pt, navy (#1F3A5F), left-aligned; the subtitle in Georgia italic
  14 pt, grey; the author line in Arial bold 11 pt; the date in Arial 10 pt, grey;
- the summary (pandoc's Abstract) in Georgia 12 pt with a thin grey rule below it, under a small
  navy "Abstract Title" set in bold capitals;
- headings in Arial, navy: 16 pt bold, 13 pt bold, 11 pt bold italic, then 11 pt and smaller;
- block quotations (Block Text) in Georgia 10.5 pt, indented 0.4 inch on both sides, with a
  burgundy (#7A1F2B) rule on the left; notes (Footnote Text) in Georgia 9 pt, single-spaced;
- captions in Arial 9 pt grey; the bibliography in Georgia 10 pt with a half-inch hanging indent;
- a running header in Arial 8.5 pt grey above a thin burgundy rule, and a footer with the footer
  text on the left and the page number (a PAGE field) on the right.

Built documents are cached by a hash of their inputs, the look's version and pandoc's version.
This is the only module that imports python-docx; it is imported on rendering paths only.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import pandoc
from ..check.cache import prepare_folder
from ..errors import ToolError
from ..workspace import atomic_write

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.section import Section
    from docx.styles.styles import Styles

# Bump whenever the look changes, so cached reference documents are rebuilt.
REFERENCE_VERSION = "1"
# What pandoc needs from a reference document; a cached one without them is rebuilt.
REQUIRED_PARTS = frozenset({"[Content_Types].xml", "word/document.xml", "word/styles.xml"})

BODY_FONT = "Georgia"
DISPLAY_FONT = "Arial"
MONO_FONT = "Consolas"
ACCENT = "1F3A5F"  # navy: title and headings
RULE = "7A1F2B"  # burgundy: rules beside quotations and under the running header
INK = "1A1A1A"
MUTED = "595959"

# Every style name pandoc's DOCX writer looks up in a reference document (pandoc manual,
# --reference-doc), as python-docx reports the names.
PANDOC_PARAGRAPH_STYLES = (
    "Normal",
    "Body Text",
    "First Paragraph",
    "Compact",
    "Title",
    "Subtitle",
    "Author",
    "Date",
    "Abstract",
    "Abstract Title",
    "Bibliography",
    *(f"Heading {level}" for level in range(1, 10)),
    "Block Text",
    "Footnote Text",
    "Footnote Block Text",
    "Source Code",
    "Definition Term",
    "Definition",
    "Caption",
    "Table Caption",
    "Image Caption",
    "Figure",
    "Captioned Figure",
    "TOC Heading",
)
PANDOC_CHARACTER_STYLES = (
    "Default Paragraph Font",
    "Body Text Char",
    "Verbatim Char",
    "Footnote Reference",
    "Hyperlink",
    "Section Number",
)
PANDOC_TABLE_STYLES = ("Table",)

# Children of w:pPr that must follow w:pBdr (ECMA-376 sequence order).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@dataclass(frozen=True)
class StyleSpec:
    """How one style looks; None leaves a property to the style it is based on.

    Sizes and spacing are in points, indents in inches (a negative ``first_line`` is a hanging
    indent), ``line`` is a multiple of single spacing, colours are ``RRGGBB``, ``align`` is one of
    left, center, right, justify, and ``border`` is a (side, colour) rule beside the paragraph.
    """

    font: str | None = None
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    caps: bool | None = None
    underline: bool | None = None
    color: str | None = None
    align: str | None = None
    before: float | None = None
    after: float | None = None
    line: float | None = None
    left: float | None = None
    right: float | None = None
    first_line: float | None = None
    keep_next: bool | None = None
    border: tuple[str, str] | None = None


def _heading(size: float, *, bold: bool, italic: bool, before: float, after: float) -> StyleSpec:
    return StyleSpec(
        font=DISPLAY_FONT, size=size, bold=bold, italic=italic, color=ACCENT,
        before=before, after=after, line=1.0, keep_next=True,
    )


# The house look, style by style (paragraph styles first, then character and table styles).
HOUSE_STYLES: dict[str, StyleSpec] = {
    "Normal": StyleSpec(font=BODY_FONT, size=11, color=INK, line=1.15, before=0, after=6),
    "Body Text": StyleSpec(before=0, after=8),
    "Compact": StyleSpec(before=2, after=2),
    "Title": StyleSpec(
        font=DISPLAY_FONT, size=24, bold=True, color=ACCENT, align="left", before=0, after=6,
        line=1.0,
    ),
    "Subtitle": StyleSpec(
        font=BODY_FONT, size=14, bold=False, italic=True, color=MUTED, align="left", after=14,
    ),
    "Author": StyleSpec(
        font=DISPLAY_FONT, size=11, bold=True, italic=False, color=INK, align="left", before=6,
        after=0,
    ),
    "Date": StyleSpec(
        font=DISPLAY_FONT, size=10, bold=False, italic=False, color=MUTED, align="left",
        before=2, after=14,
    ),
    "Abstract Title": StyleSpec(
        font=DISPLAY_FONT, size=9, bold=True, caps=True, color=ACCENT, align="left", before=12,
        after=2,
    ),
    "Abstract": StyleSpec(
        font=BODY_FONT, size=12, color="333333", before=2, after=18, border=("bottom", MUTED),
    ),
    "Bibliography": StyleSpec(size=10, line=1.0, after=6, left=0.5, first_line=-0.5),
    "Heading 1": _heading(16, bold=True, italic=False, before=18, after=6),
    "Heading 2": _heading(13, bold=True, italic=False, before=14, after=4),
    "Heading 3": _heading(11, bold=True, italic=True, before=12, after=3),
    "Heading 4": _heading(11, bold=False, italic=True, before=10, after=2),
    "Heading 5": _heading(10.5, bold=False, italic=False, before=8, after=2),
    "Heading 6": _heading(10.5, bold=False, italic=True, before=8, after=2),
    "Heading 7": _heading(10, bold=False, italic=False, before=6, after=0),
    "Heading 8": _heading(10, bold=False, italic=True, before=6, after=0),
    "Heading 9": _heading(10, bold=False, italic=False, before=6, after=0),
    "TOC Heading": _heading(16, bold=True, italic=False, before=18, after=6),
    "Block Text": StyleSpec(
        font=BODY_FONT, size=10.5, italic=False, color="333333", before=6, after=10, left=0.4,
        right=0.4, first_line=0, border=("left", RULE),
    ),
    "Footnote Text": StyleSpec(font=BODY_FONT, size=9, line=1.0, before=0, after=3),
    "Footnote Block Text": StyleSpec(
        before=3, after=3, left=0.3, right=0.3, first_line=0, border=("left", RULE),
    ),
    "Source Code": StyleSpec(font=MONO_FONT, size=9, line=1.0, before=6, after=6),
    "Definition Term": StyleSpec(bold=True, keep_next=True, before=6, after=0),
    "Definition": StyleSpec(left=0.3, after=6),
    "Caption": StyleSpec(
        font=DISPLAY_FONT, size=9, italic=False, color=MUTED, before=3, after=9, line=1.0,
    ),
    "Table Caption": StyleSpec(before=9, after=3, keep_next=True),
    "Image Caption": StyleSpec(before=3, after=9),
    "Figure": StyleSpec(align="center", before=6, after=3),
    "Captioned Figure": StyleSpec(keep_next=True),
    "Header": StyleSpec(
        font=DISPLAY_FONT, size=8.5, color=MUTED, line=1.0, before=0, after=0,
        border=("bottom", RULE),
    ),
    "Footer": StyleSpec(font=DISPLAY_FONT, size=8.5, color=MUTED, line=1.0, before=0, after=0),
    "Hyperlink": StyleSpec(color=ACCENT, underline=True),
    "Verbatim Char": StyleSpec(font=MONO_FONT, size=10),
    "Section Number": StyleSpec(color=ACCENT),
    "Table": StyleSpec(font=DISPLAY_FONT, size=9.5),
}

# Styles pandoc's default reference document lacks: (name, based on).
_ADDED_PARAGRAPH_STYLES = (("Source Code", "Normal"), ("Header", "Normal"), ("Footer", "Normal"))
# Paragraph styles whose linked character style ("Title Char", ...) should look the same.
_LINKED = ("Title", "Subtitle", *(f"Heading {level}" for level in range(1, 10)))


def reference_docx(cache_dir: Path, *, header: str, footer: str = "") -> Path:
    """Return the house reference document for ``header``/``footer``, building it if missing.

    The file lives in ``cache_dir / "docx"`` under a name hashed from the header, the footer,
    ``REFERENCE_VERSION`` and pandoc's version, so a changed look or a new pandoc gets a new file.
    A cached file that is not a whole Word document (truncated, damaged) is built again.
    Raises ``ToolError`` when pandoc cannot be run, ``OutputError`` when the cache is not writable.
    """
    inputs = [REFERENCE_VERSION, pandoc.pandoc_version(), header, footer]
    digest = hashlib.sha256(json.dumps(inputs).encode("utf-8")).hexdigest()[:20]
    target = cache_dir / "docx" / f"reference-{digest}.docx"
    if not _is_whole_docx(target):
        with contextlib.suppress(OSError):
            prepare_folder(cache_dir)  # its .gitignore; a failure shows when writing
        build_reference_docx(target, header=header, footer=footer)
    return target


def _is_whole_docx(path: Path) -> bool:
    """True when ``path`` is a regular file that unzips without error and holds Word's styles.

    A truncated or damaged file (an interrupted copy, a planted one) is rebuilt, not passed on.
    """
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            return names >= REQUIRED_PARTS and archive.testzip() is None
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            NotImplementedError, RuntimeError):
        return False


def build_reference_docx(target: Path, *, header: str, footer: str = "") -> None:
    """Write the house reference document to ``target`` (atomically), whatever is there.

    ``header`` is the running header's text; ``footer`` is set left of the page number.
    Raises ``ToolError`` when pandoc cannot print its default reference document and
    ``OutputError`` when ``target`` cannot be written.
    """
    document = _open_default(_default_reference())
    _restyle(document.styles)
    for section in document.sections:
        _lay_out(section, header=header, footer=footer)
    buffer = io.BytesIO()
    document.save(buffer)
    atomic_write(target, buffer.getvalue())


def _default_reference() -> bytes:
    return pandoc.run(["--print-default-data-file", "reference.docx"]).data


def _open_default(data: bytes) -> DocxDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    # python-docx lets zipfile, lxml (a SyntaxError) and its own errors through on bad input.
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise ToolError("pandoc", f"default reference.docx is not a Word document: {exc}") from exc


def _restyle(styles: Styles) -> None:
    """Apply ``HOUSE_STYLES`` to pandoc's default styles, adding the ones it lacks."""
    from docx.enum.style import WD_STYLE_TYPE

    _drop_theme_fonts(styles)
    _set_default_font(styles, BODY_FONT, size=11)
    for name, based_on in _ADDED_PARAGRAPH_STYLES:
        if find_style(styles, name) is None:
            # Header and Footer are Word's own built-in styles; Source Code is pandoc's.
            builtin = name in ("Header", "Footer")
            added = styles.add_style(  # type: ignore[no-untyped-call]
                name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin
            )
            added.style_id = name.replace(" ", "")
            added.base_style = find_style(styles, based_on)
    for name, spec in HOUSE_STYLES.items():
        _apply(_require_style(styles, name), spec)
    _footer_tab(styles)
    for name in _LINKED:
        _sync_linked(styles, name)
    for level in (1, 2, 3):
        heading = _require_style(styles, f"Heading {level}")
        heading.hidden = False
        heading.quick_style = True


def find_style(styles: Styles, name: str) -> Any:
    """The style shown as ``name`` in Word's gallery, or None.

    python-docx's own lookup translates some names to Word's internal spelling ("Caption" to
    "caption"), which misses the styles pandoc spells differently; comparing UI names does not.
    """
    return next((style for style in styles if style.name == name), None)


def _require_style(styles: Styles, name: str) -> Any:
    style = find_style(styles, name)
    if style is None:
        raise ToolError("pandoc", f"default reference.docx has no style {name!r}")
    return style


def _drop_theme_fonts(styles: Styles) -> None:
    # Theme font references win over named fonts in Word, so the house faces need them gone.
    from docx.oxml.ns import qn

    for fonts in styles.element.iter(qn("w:rFonts")):
        for attribute in _THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)


def _set_default_font(styles: Styles, face: str, *, size: float) -> None:
    from docx.oxml.ns import qn

    for properties in styles.element.iter(qn("w:rPrDefault")):
        run = properties.find(qn("w:rPr"))
        if run is None:
            continue
        _set_face(run, face)
        for tag in ("w:sz", "w:szCs"):
            element = run.find(qn(tag))
            if element is not None:
                element.set(qn("w:val"), str(round(size * 2)))


def _set_face(run_properties: Any, face: str) -> None:
    from docx.oxml.ns import qn

    fonts = run_properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), face)


def _apply(style: Any, spec: StyleSpec) -> None:
    """Set the properties ``spec`` names on ``style`` (a python-docx style object)."""
    _apply_font(style, spec)
    if hasattr(style, "paragraph_format"):
        _apply_paragraph(style, spec)


def _apply_font(style: Any, spec: StyleSpec) -> None:
    from docx.shared import Pt, RGBColor

    font = style.font
    if spec.font is not None:
        _set_face(style.element.get_or_add_rPr(), spec.font)
    if spec.size is not None:
        font.size = Pt(spec.size)
        _set_complex_size(style, spec.size)
    if spec.color is not None:
        font.color.rgb = RGBColor.from_string(spec.color)
    for attribute, value in (
        ("bold", spec.bold),
        ("italic", spec.italic),
        ("all_caps", spec.caps),
        ("underline", spec.underline),
    ):
        if value is not None:
            setattr(font, attribute, value)


def _set_complex_size(style: Any, size: float) -> None:
    # w:szCs sizes right-to-left and complex-script text; keep it with w:sz.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = style.element.get_or_add_rPr()
    element = run.find(qn("w:szCs"))
    if element is None:
        element = OxmlElement("w:szCs")
        run.find(qn("w:sz")).addnext(element)
    element.set(qn("w:val"), str(round(size * 2)))


def _apply_paragraph(style: Any, spec: StyleSpec) -> None:
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.shared import Inches, Pt

    layout = style.paragraph_format
    if spec.align is not None:
        layout.alignment = WD_PARAGRAPH_ALIGNMENT[spec.align.upper()]
    for attribute, points in (("space_before", spec.before), ("space_after", spec.after)):
        if points is not None:
            setattr(layout, attribute, Pt(points))
    if spec.line is not None:
        layout.line_spacing = spec.line
    for attribute, inches in (
        ("left_indent", spec.left),
        ("right_indent", spec.right),
        ("first_line_indent", spec.first_line),
    ):
        if inches is not None:
            setattr(layout, attribute, Inches(inches))
    if spec.keep_next is not None:
        layout.keep_with_next = spec.keep_next
    if spec.border is not None:
        _set_border(style, *spec.border)


def _set_border(style: Any, side: str, color: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = style.element.get_or_add_pPr()
    existing = properties.find(qn("w:pBdr"))
    if existing is not None:
        properties.remove(existing)
    borders = OxmlElement("w:pBdr")
    rule = OxmlElement(f"w:{side}")
    # sz is in eighths of a point; space (points) keeps the text off the rule.
    for attribute, value in (("val", "single"), ("sz", "8"), ("space", "6"), ("color", color)):
        rule.set(qn(f"w:{attribute}"), value)
    borders.append(rule)
    properties.insert_element_before(borders, *_AFTER_PBDR)


def _footer_tab(styles: Styles) -> None:
    # The page number sits at the right margin of a one-inch-margin US Letter page.
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Inches

    footer = _require_style(styles, "Footer")
    footer.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)


def _sync_linked(styles: Styles, name: str) -> None:
    """Give the character style linked to paragraph style ``name`` the same run properties."""
    from docx.oxml.ns import qn

    paragraph = _require_style(styles, name).element
    link = paragraph.find(qn("w:link"))
    run = paragraph.find(qn("w:rPr"))
    if link is None or run is None:
        return
    linked = styles.element.get_by_id(link.get(qn("w:val")))
    if linked is None:
        return
    previous = linked.find(qn("w:rPr"))
    if previous is not None:
        linked.remove(previous)
    linked.append(copy.deepcopy(run))


def _lay_out(section: Section, *, header: str, footer: str) -> None:
    """US Letter with one-inch margins, the running header, and the footer with page numbers."""
    from docx.shared import Inches

    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(1)
    section.top_margin = section.bottom_margin = Inches(1)
    section.header_distance = section.footer_distance = Inches(0.5)
    section.header.is_linked_to_previous = False
    top = section.header.paragraphs[0]
    top.style = "Header"
    top.text = header
    section.footer.is_linked_to_previous = False
    bottom = section.footer.paragraphs[0]
    bottom.style = "Footer"
    bottom.text = f"{footer}\t"
    _append_page_field(bottom)


def _append_page_field(paragraph: Any) -> None:
    """Append a PAGE field (begin, instruction, separate, placeholder, end) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    for part in (field_char("begin"), instruction, field_char("separate"), placeholder):
        paragraph.add_run()._r.append(part)
    paragraph.add_run()._r.append(field_char("end"))


def head_every_page(data: bytes, text: str, *, color: str) -> bytes:
    """The Word file ``data`` with the bold line ``text`` (``color``: hex RGB) atop every page
    header of every section; a header that already opens with it is left as it is.

    Each header in use is marked once: the default one, the first page's when the section has
    its own, and the even pages' when the document has them. A header a section shares with
    the one before it is already marked.
    """
    import docx

    document = docx.Document(io.BytesIO(data))
    even = document.settings.odd_and_even_pages_header_footer
    for index, section in enumerate(document.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if even:
            headers.append(section.even_page_header)
        for header in headers:
            if index == 0 or not header.is_linked_to_previous:
                _head(header, text, color)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _head(header: Any, text: str, color: str) -> None:
    from docx.shared import Pt, RGBColor

    paragraphs = header.paragraphs
    if paragraphs and paragraphs[0].text == text:
        return
    paragraph = (paragraphs[0].insert_paragraph_before() if paragraphs
                 else header.add_paragraph())
    paragraph.style = "Header"
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor.from_string(color)
