"""Series volumes: every brief of a series in one document, with contents and one bibliography."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree, html
from pypdf import PdfReader
from typer.testing import CliRunner

from briefkit.cli import app
from briefkit.errors import CheckFailedError, InputError, UnknownSeriesError
from briefkit.publish.volume import prefix_identifiers, render_volume, shift_headings
from briefkit.workspace import Workspace, load_workspace
from helpers import MISQUOTED, write_brief
from helpers import make_render_workspace as make_workspace

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "render"
SERIES = "rebuilding-a-complex-partnership"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The two-brief volume of the test series, rendered once to every format."""
    root = make_workspace(tmp_path_factory.mktemp("volume") / "ws")
    result = render_volume(load_workspace(root), SERIES, formats=["all"],
                           output_dir=root / "out")
    yield {path.suffix[1:]: path for path in result.outputs}


@pytest.mark.slow
def test_volume_pdf_has_title_page_contents_and_two_chapters(volume: dict[str, Path]) -> None:
    """Title page, then contents listing both briefs in series order, each on its own page."""
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(volume["pdf"]).pages]
    assert "2 POLICY BRIEFS" in pages[0] and "Re-Building a Complex" in pages[0]
    contents = pages[1]
    assert "CONTENTS" in contents
    first, second = contents.index("The Border as a Membrane"), contents.index(
        "States and Cities First")
    assert first < second
    openings = [i for i, text in enumerate(pages) if re.search(r"Policy Brief No. \d ·", text)]
    assert len(openings) == 2
    assert "Policy Brief No. 6" in pages[openings[0]] and "Policy Brief No. 7" in pages[openings[1]]
    assert "María Elena Torres, Senior Fellow, Mexico Institute" in pages[openings[0]]


@pytest.mark.slow
def test_volume_has_one_bibliography_authors_and_back_matter_once(
        volume: dict[str, Path]) -> None:
    """One References section, every author once, the boilerplate once, no per-brief blurb."""
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(volume["pdf"]).pages)
    assert text.count("References") == 2  # the contents line and the section
    assert text.count("O’Neil, Shannon K. 2017.") == 1
    assert "Daniel Okafor-Ruiz is a global fellow" in text and "Lucía Herrera is a" in text
    assert text.count("The Mexico Institute seeks to improve understanding") == 1
    assert "This policy brief is the" not in text


@pytest.mark.slow
def test_volume_html_ids_are_unique_and_notes_never_collide(volume: dict[str, Path]) -> None:
    """Same-named sections of two briefs get distinct ids; notes are numbered through."""
    page = html.fromstring(volume["html"].read_bytes())
    ids = Counter(page.xpath("//@id"))
    assert not [name for name, count in ids.items() if count > 1]
    chapters = page.xpath("//main//h1")
    assert [" ".join(h.text_content().split()) for h in chapters][:2] == [
        "The Border as a Membrane", "States and Cities First"]
    assert page.get_element_by_id("the-border-as-a-membrane-introduction") is not None
    assert page.get_element_by_id("states-and-cities-introduction") is not None
    notes = page.xpath("//a[contains(@class, 'footnote-ref')]")
    assert [a.text_content() for a in notes] == ["1", "2", "3"]
    for ref in notes:
        target = page.get_element_by_id(ref.get("href").lstrip("#"))
        assert target.xpath(".//a[contains(@class, 'footnote-back')]/@href") == [
            f"#{ref.get('id')}"]
    nav_links = page.xpath("//nav[@id='TOC']/ul/li/a/@href")
    assert nav_links[:2] == ["#the-border-as-a-membrane", "#states-and-cities"]


@pytest.mark.slow
def test_volume_docx_has_contents_field_and_chapter_headings(volume: dict[str, Path]) -> None:
    """The Word volume opens with a title page and a TOC field; chapters are Heading 1."""
    import docx

    document = docx.Document(str(volume["docx"]))
    chapters = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert chapters[:2] == ["The Border as a Membrane", "States and Cities First"]
    with zipfile.ZipFile(volume["docx"]) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    fields = " ".join(t.text or "" for t in body.iter(f"{W}instrText"))
    assert "TOC" in fields
    assert len([n for n in notes.iter(f"{W}footnote") if "".join(
        t.text or "" for t in n.iter(f"{W}t")).strip()]) == 3


def test_unknown_series_is_an_error(ws: Workspace, tmp_path: Path) -> None:
    """A series without a definition is refused, listing the known ones."""
    with pytest.raises(UnknownSeriesError, match=r"known series: .*cpd-perspectives"):
        render_volume(ws, "no-such-series", formats=["pdf"], output_dir=tmp_path)


def test_series_without_briefs_is_an_error(ws: Workspace, tmp_path: Path) -> None:
    """A defined series that no brief belongs to has no volume."""
    out = tmp_path / "out"
    with pytest.raises(InputError, match="no brief belongs to series 'charting-a-new-course'"):
        render_volume(ws, "charting-a-new-course", formats=["pdf"], output_dir=out)
    assert not out.exists()


def test_cli_volume_exit_codes(ws: Workspace) -> None:
    """Unknown series and bad formats exit 2 with one error line."""
    unknown = CliRunner().invoke(app, ["volume", "nope", "--to", "pdf"])
    assert unknown.exit_code == 2 and "unknown series 'nope'" in unknown.stderr
    bad = CliRunner().invoke(app, ["volume", SERIES, "--to", "epub"])
    assert bad.exit_code == 2 and "unknown format 'epub'" in bad.stderr


@pytest.mark.slow
def test_cli_volume_writes_the_series_file(ws: Workspace) -> None:
    """`briefkit volume SERIES --to html` writes build/<series>.html and names it."""
    result = CliRunner().invoke(app, ["volume", SERIES, "--to", "html"])
    assert result.exit_code == 0, result.stderr
    assert f"wrote build/{SERIES}.html" in result.stdout
    assert (ws.output / f"{SERIES}.html").is_file()


def test_cli_volume_refuses_a_series_whose_brief_fails_the_check(ws: Workspace) -> None:
    """One misquoted brief in the series: exit 1, its finding on stderr, nothing written."""
    write_brief(ws.root, "misquote.md", MISQUOTED)
    result = CliRunner().invoke(app, ["volume", SERIES, "--to", "html"])
    assert result.exit_code == 1
    assert "briefs/misquote.md:10:22: error: sarukhan2014perspectives: misquoted" in (
        result.stderr)
    assert f"series {SERIES}: the check found errors, so the volume was not rendered" in (
        result.stderr)
    assert not ws.output.exists() or not any(ws.output.iterdir())


def test_render_volume_refuses_a_series_whose_brief_fails_the_check(ws: Workspace,
                                                                     tmp_path: Path) -> None:
    """The library checks every brief of the volume: one misquotation raises
    `CheckFailedError` with the report, and nothing is written."""
    write_brief(ws.root, "misquote.md", MISQUOTED)
    out = tmp_path / "out"
    with pytest.raises(CheckFailedError, match="so the volume was not rendered") as raised:
        render_volume(ws, SERIES, formats=["html"], output_dir=out)
    failing = {(r.path, f.rule) for r in raised.value.report.briefs for f in r.findings
               if f.status == "error"}
    assert failing == {("briefs/misquote.md", "quote-mismatch")}
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_render_volume_without_the_check_renders_it(ws: Workspace, tmp_path: Path) -> None:
    """``check=False`` renders the same series."""
    write_brief(ws.root, "misquote.md", MISQUOTED)
    result = render_volume(ws, SERIES, formats=["html"], output_dir=tmp_path, check=False)
    assert [p.name for p in result.outputs] == [f"{SERIES}.html"]


@pytest.mark.slow
def test_cli_volume_no_check_renders_and_says_so(ws: Workspace) -> None:
    """--no-check renders the same series anyway, with a warning on stderr."""
    write_brief(ws.root, "misquote.md", MISQUOTED)
    result = CliRunner().invoke(app, ["volume", SERIES, "--to", "html", "--no-check"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("warning: --no-check: quotes and figures are not checked")
    page = html.fromstring((ws.output / f"{SERIES}.html").read_bytes())
    assert "A Test Brief" in [" ".join(h.text_content().split()) for h in page.xpath("//main//h1")]


def test_prefix_identifiers_renames_ids_and_internal_links() -> None:
    """Identifiers get the chapter prefix and links to them follow; other links stay."""
    blocks = [
        {"t": "Header", "c": [2, ["intro", [], []], [{"t": "Str", "c": "Intro"}]]},
        {"t": "Para", "c": [
            {"t": "Link", "c": [["", [], []], [], ["#intro", ""]]},
            {"t": "Link", "c": [["", [], []], [], ["#elsewhere", ""]]},
            {"t": "Link", "c": [["", [], []], [], ["https://example.org/#intro", ""]]},
        ]},
    ]
    prefix_identifiers(blocks, "b1-")
    assert blocks[0]["c"][1][0] == "b1-intro"
    targets = [link["c"][2][0] for link in blocks[1]["c"]]
    assert targets == ["#b1-intro", "#elsewhere", "https://example.org/#intro"]


def test_shift_headings_puts_the_top_level_under_the_chapter() -> None:
    """A brief written with level-1 sections is shifted so chapters stay level 1."""
    blocks = [{"t": "Header", "c": [1, ["a", [], []], []]},
              {"t": "Header", "c": [3, ["b", [], []], []]}]
    shift_headings(blocks, lowest=2)
    assert [b["c"][0] for b in blocks] == [2, 4]
    shift_headings(blocks, lowest=2)
    assert [b["c"][0] for b in blocks] == [2, 4]


@pytest.mark.parametrize("check", [[], ["--no-check"]])
def test_cli_volume_refuses_a_brief_nested_too_deeply(ws: Workspace, check: list[str]) -> None:
    """A brief of the series with block quotes nested 500 deep: one error with its line."""
    write_brief(ws.root, "deep.md", ">" * 500 + " A quoted line.\n")
    result = CliRunner().invoke(app, ["volume", SERIES, "--to", "html", *check])
    assert result.exit_code == 2, result.output
    [line] = [text for text in result.stderr.splitlines() if text.startswith("error:")]
    assert line.startswith("error: ") and "deep.md:10: block quotes nested more than 20" in line
    assert not ws.output.exists() or not any(ws.output.iterdir())
