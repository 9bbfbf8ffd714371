"""The house reference document: its styles, header and footer, caching, and pandoc's use of it."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import docx
import pypandoc
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import RGBColor
from lxml import etree

from briefkit.errors import EXIT_TOOL, OutputError, ToolError
from briefkit.publish.docx_reference import (
    ACCENT,
    HOUSE_STYLES,
    PANDOC_CHARACTER_STYLES,
    PANDOC_PARAGRAPH_STYLES,
    PANDOC_TABLE_STYLES,
    RULE,
    build_reference_docx,
    find_style,
    reference_docx,
)

HEADER = "Wilson Center · Mexico Institute · Charting a New Course"
FOOTER = "Policy Brief No. 6"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
NAVY = RGBColor.from_string("1F3A5F")

BRIEF = """\
---
title: The Workaround and the Reset
subtitle: Subnational ties in U.S.-Mexico relations
author: [Ana Ruiz]
date: 2021-03-15
abstract: |
  Governors and mayors kept the relationship working while the capitals quarrelled.
reference-section-title: References
---

## Introduction

Trade grew steadily [@oneil2013nations, 4], and so did the ties between states.[^1]

> The relationship is too large and too complex to be run from two capitals alone.

### The states

Border states trade with one another directly.

[^1]: On subnational diplomacy see @oneil2013nations.
"""

BIB = """\
@book{oneil2013nations,
  author = {O'Neil, Shannon K.},
  title = {Two Nations Indivisible: Mexico, the United States, and the Road Ahead},
  publisher = {Oxford University Press},
  address = {New York},
  year = {2013},
}
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One house reference document with the example header and footer."""
    target = tmp_path_factory.mktemp("reference") / "reference.docx"
    build_reference_docx(target, header=HEADER, footer=FOOTER)
    return target


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, reference: Path) -> Path:
    """The example brief rendered by pandoc with the house reference document."""
    folder = tmp_path_factory.mktemp("rendered")
    bib = folder / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    output = folder / "brief.docx"
    pypandoc.convert_text(
        BRIEF,
        "docx",
        format="markdown",
        outputfile=str(output),
        extra_args=["--reference-doc", str(reference), "--citeproc", f"--bibliography={bib}"],
    )
    return output


def style(document: Any, name: str) -> Any:
    """The style named ``name`` in ``document``; fails the test when it is missing."""
    found = find_style(document.styles, name)
    assert found is not None, f"no style {name!r}"
    return found


def part_xml(path: Path, member: str) -> Any:
    """The parsed XML of one part of a DOCX package."""
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(member))


def footer_members(path: Path) -> list[str]:
    """The footer parts of a DOCX package."""
    with zipfile.ZipFile(path) as package:
        return [name for name in package.namelist() if name.startswith("word/footer")]


def test_reference_opens_as_a_letter_page_document(reference: Path) -> None:
    """The built document opens with python-docx: US Letter, one-inch margins."""
    document = docx.Document(str(reference))
    section: Any = document.sections[0]
    assert (section.page_width.inches, section.page_height.inches) == (8.5, 11)
    assert section.left_margin.inches == section.right_margin.inches == 1


def test_every_style_pandoc_looks_up_exists(reference: Path) -> None:
    """Every style name pandoc's DOCX writer uses is defined, with the right type."""
    document = docx.Document(str(reference))
    for names, kind in (
        (PANDOC_PARAGRAPH_STYLES, WD_STYLE_TYPE.PARAGRAPH),
        (PANDOC_CHARACTER_STYLES, WD_STYLE_TYPE.CHARACTER),
        (PANDOC_TABLE_STYLES, WD_STYLE_TYPE.TABLE),
    ):
        for name in names:
            assert style(document, name).type == kind, name
    assert {"Source Code", "Header", "Footer"} <= {s.name for s in document.styles}


@pytest.mark.parametrize(
    ("name", "face", "size", "bold", "italic", "color"),
    [
        ("Normal", "Georgia", 11, None, None, "1A1A1A"),
        ("Title", "Arial", 24, True, None, "1F3A5F"),
        ("Subtitle", "Georgia", 14, False, True, "595959"),
        ("Author", "Arial", 11, True, False, "1A1A1A"),
        ("Date", "Arial", 10, False, False, "595959"),
        ("Abstract", "Georgia", 12, None, None, "333333"),
        ("Heading 1", "Arial", 16, True, False, "1F3A5F"),
        ("Heading 2", "Arial", 13, True, False, "1F3A5F"),
        ("Heading 3", "Arial", 11, True, True, "1F3A5F"),
        ("Block Text", "Georgia", 10.5, None, False, "333333"),
        ("Footnote Text", "Georgia", 9, None, None, None),
        ("Caption", "Arial", 9, None, False, "595959"),
        ("Source Code", "Consolas", 9, None, None, None),
        ("Verbatim Char", "Consolas", 10, None, None, None),
    ],
)
def test_house_faces_sizes_and_colours(
    reference: Path,
    name: str,
    face: str,
    size: float,
    bold: bool | None,
    italic: bool | None,
    color: str | None,
) -> None:
    """The main styles carry the house face, size, weight, slant and colour."""
    font = style(docx.Document(str(reference)), name).font
    assert (font.name, font.size.pt, font.bold, font.italic) == (face, size, bold, italic)
    assert font.color.rgb == (RGBColor.from_string(color) if color else None)


def test_body_text_is_set_at_one_fifteen(reference: Path) -> None:
    """Normal (and so the body text) uses 1.15 line spacing and Georgia by default."""
    document = docx.Document(str(reference))
    assert style(document, "Normal").paragraph_format.line_spacing == pytest.approx(1.15)
    defaults = document.styles.element.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    assert defaults.find(f"{{{W}}}rFonts").get(f"{{{W}}}ascii") == "Georgia"


def test_block_text_is_indented_with_a_rule(reference: Path) -> None:
    """Block quotations are indented on both sides and ruled on the left in the accent colour."""
    block = style(docx.Document(str(reference)), "Block Text")
    layout = block.paragraph_format
    assert (layout.left_indent.inches, layout.right_indent.inches) == (0.4, 0.4)
    rule = block.element.find(f"{{{W}}}pPr/{{{W}}}pBdr/{{{W}}}left")
    assert rule is not None
    assert (rule.get(f"{{{W}}}val"), rule.get(f"{{{W}}}color")) == ("single", RULE)


def test_bibliography_has_a_hanging_indent(reference: Path) -> None:
    """Bibliography entries hang: half an inch in, the first line back at the margin."""
    layout = style(docx.Document(str(reference)), "Bibliography").paragraph_format
    assert layout.left_indent.inches == 0.5
    assert layout.first_line_indent.inches == -0.5


def test_every_spec_reads_back(reference: Path) -> None:
    """Each property the house table sets is what the saved document holds."""
    document = docx.Document(str(reference))
    for name, spec in HOUSE_STYLES.items():
        font = style(document, name).font
        if spec.font is not None:
            assert font.name == spec.font, name
        if spec.size is not None:
            assert font.size.pt == spec.size, name
        if spec.color is not None:
            assert font.color.rgb == RGBColor.from_string(spec.color), name
        for attribute in ("bold", "italic"):
            if getattr(spec, attribute) is not None:
                assert getattr(font, attribute) == getattr(spec, attribute), (name, attribute)


def test_no_theme_fonts_override_the_house_faces(reference: Path) -> None:
    """No style refers to a theme font, which Word would prefer to the named face."""
    styles = part_xml(reference, "word/styles.xml")
    for fonts in styles.iter(f"{{{W}}}rFonts"):
        assert not [key for key in fonts.attrib if key.endswith("Theme") or "theme" in key]


def test_linked_character_styles_match_their_paragraph_styles(reference: Path) -> None:
    """"Heading 1 Char" and "Title Char" look like Heading 1 and Title."""
    document = docx.Document(str(reference))
    for name in ("Title", "Heading 1", "Heading 2"):
        paragraph, character = style(document, name).font, style(document, f"{name} Char").font
        assert (character.name, character.size, character.color.rgb) == (
            paragraph.name,
            paragraph.size,
            paragraph.color.rgb,
        )


def test_header_carries_the_running_head(reference: Path) -> None:
    """Every section's header holds the header text in the Header style."""
    for section in docx.Document(str(reference)).sections:
        paragraph = section.header.paragraphs[0]
        assert paragraph.text == HEADER
        assert paragraph.style.name == "Header"


def test_footer_has_text_and_a_page_field(reference: Path) -> None:
    """The footer holds the footer text, a tab to the right margin and a PAGE field."""
    [member] = footer_members(reference)
    footer = part_xml(reference, member)
    kinds = [e.get(f"{{{W}}}fldCharType") for e in footer.iterfind(".//w:fldChar", NS)]
    assert kinds == ["begin", "separate", "end"]
    assert [e.text.strip() for e in footer.iterfind(".//w:instrText", NS)] == ["PAGE"]
    assert "".join(footer.xpath(".//w:t/text()", namespaces=NS)).startswith(FOOTER)
    assert footer.find(".//w:tab", NS) is not None


def test_empty_footer_still_numbers_pages(tmp_path: Path) -> None:
    """Without footer text the footer is just the page number."""
    target = tmp_path / "plain.docx"
    build_reference_docx(target, header=HEADER)
    footer = docx.Document(str(target)).sections[0].footer.paragraphs[0]
    assert footer.text == "\t1"
    assert "PAGE" in footer._p.xml


def test_cache_returns_the_built_file_without_rebuilding(tmp_path: Path) -> None:
    """A second call with the same inputs returns the same file untouched."""
    first = reference_docx(tmp_path, header=HEADER, footer=FOOTER)
    assert first.parent == tmp_path / "docx"
    os.utime(first, ns=(1_000_000_000, 1_000_000_000))
    second = reference_docx(tmp_path, header=HEADER, footer=FOOTER)
    assert second == first
    assert second.stat().st_mtime_ns == 1_000_000_000
    assert [p.name for p in (tmp_path / "docx").iterdir()] == [first.name]


def test_cache_keys_on_header_and_footer(tmp_path: Path) -> None:
    """A different header or footer gets its own file with its own text."""
    base = reference_docx(tmp_path, header=HEADER, footer=FOOTER)
    other = reference_docx(tmp_path, header="Wilson Center · Mexico Institute", footer=FOOTER)
    footed = reference_docx(tmp_path, header=HEADER, footer="Perspectives")
    assert len({base, other, footed}) == 3
    header = docx.Document(str(other)).sections[0].header.paragraphs[0].text
    assert header == "Wilson Center · Mexico Institute"


def fake_pandoc(folder: Path, body: str) -> Path:
    """An executable shell script standing in for pandoc."""
    script = folder / "pandoc"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_cache_keys_on_the_pandoc_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pandoc reporting another version (pinned by PYPANDOC_PANDOC) gets a new file."""
    base = reference_docx(tmp_path / "cache", header=HEADER)
    real = pypandoc.get_pandoc_path()
    wrapper = fake_pandoc(
        tmp_path,
        f'if [ "$1" = --version ]; then echo "pandoc 99.0"; else exec "{real}" "$@"; fi',
    )
    monkeypatch.setenv("PYPANDOC_PANDOC", str(wrapper))
    newer = reference_docx(tmp_path / "cache", header=HEADER)
    assert newer != base
    assert docx.Document(str(newer)).sections[0].header.paragraphs[0].text == HEADER


def test_missing_pandoc_is_a_tool_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pinned pandoc that does not exist fails with a pandoc ToolError (exit 3)."""
    monkeypatch.setenv("PYPANDOC_PANDOC", str(tmp_path / "no-such-pandoc"))
    with pytest.raises(ToolError) as caught:
        reference_docx(tmp_path, header=HEADER)
    assert caught.value.exit_code == EXIT_TOOL
    assert str(caught.value).startswith("pandoc: cannot run")
    assert not (tmp_path / "docx").exists()


def test_failing_pandoc_reports_its_own_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When pandoc cannot print its default reference document, its stderr is the message."""
    script = fake_pandoc(
        tmp_path,
        'if [ "$1" = --version ]; then echo "pandoc 0.1"; exit 0; fi\n'
        'echo "Could not find data file reference.docx" >&2; exit 97',
    )
    monkeypatch.setenv("PYPANDOC_PANDOC", str(script))
    with pytest.raises(ToolError, match=r"Could not find data file reference\.docx"):
        reference_docx(tmp_path / "cache", header=HEADER)


def test_garbage_from_pandoc_is_a_tool_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output that is not a Word document is reported as pandoc's failure, not a crash."""
    script = fake_pandoc(tmp_path, 'if [ "$1" = --version ]; then echo "pandoc 0.2"; fi\necho hi')
    monkeypatch.setenv("PYPANDOC_PANDOC", str(script))
    with pytest.raises(ToolError, match="not a Word document"):
        build_reference_docx(tmp_path / "ref.docx", header=HEADER)


def test_unwritable_cache_is_an_output_error(tmp_path: Path) -> None:
    """A cache folder that is really a file gives an OutputError."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        reference_docx(blocker, header=HEADER)


@pytest.mark.slow
def test_pandoc_uses_the_house_paragraph_styles(rendered: Path) -> None:
    """pandoc's output names the house styles for title block, headings, quote and references."""
    paragraphs: Any = docx.Document(str(rendered)).paragraphs
    used = {p.style.name for p in paragraphs}
    assert {
        "Title",
        "Subtitle",
        "Author",
        "Date",
        "Abstract Title",
        "Abstract",
        "Heading 2",
        "Heading 3",
        "First Paragraph",
        "Block Text",
        "Bibliography",
    } <= used
    by_style = {p.style.name: p.text for p in paragraphs}
    assert by_style["Author"] == "Ana Ruiz"
    assert by_style["Block Text"].startswith("The relationship is too large")
    assert by_style["Bibliography"].startswith("O’Neil, Shannon K. 2013.")


@pytest.mark.slow
def test_pandoc_output_keeps_the_house_look(rendered: Path) -> None:
    """The rendered document carries the house definitions of the styles it uses."""
    document = docx.Document(str(rendered))
    title = style(document, "Title").font
    assert (title.name, title.size.pt, title.color.rgb) == ("Arial", 24, NAVY)
    assert style(document, "Heading 2").font.color.rgb == RGBColor.from_string(ACCENT)
    assert style(document, "Footnote Text").font.size.pt == 9


@pytest.mark.slow
def test_pandoc_output_keeps_header_and_page_numbers(rendered: Path) -> None:
    """The rendered brief has the running header and the footer's PAGE field."""
    document = docx.Document(str(rendered))
    assert document.sections[0].header.paragraphs[0].text == HEADER
    [member] = footer_members(rendered)
    footer = part_xml(rendered, member)
    assert [e.text.strip() for e in footer.iterfind(".//w:instrText", NS)] == ["PAGE"]


@pytest.mark.slow
def test_pandoc_notes_use_footnote_text(rendered: Path) -> None:
    """The brief's note is in word/footnotes.xml, styled Footnote Text, with its citation."""
    notes = [
        note
        for note in part_xml(rendered, "word/footnotes.xml").iterfind("w:footnote", NS)
        if note.get(f"{{{W}}}type") is None
    ]
    assert len(notes) == 1
    styles = notes[0].xpath(".//w:pStyle/@w:val", namespaces=NS)
    assert styles == ["FootnoteText"]
    assert style(docx.Document(str(rendered)), "Footnote Text").style_id == "FootnoteText"
    text = "".join(notes[0].xpath(".//w:t/text()", namespaces=NS))
    assert "On subnational diplomacy see O’Neil (2013)" in text
