"""Drafts: a brief with skeleton prompts left is refused by render and volume unless --draft,
which marks every page of every format; a finished brief carries no draft mark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from lxml import html
from pypdf import PdfReader
from typer.testing import CliRunner

from briefkit.cli import app
from briefkit.errors import DraftError
from briefkit.publish.draft import BANNER, HEADER
from briefkit.publish.render import render_brief
from briefkit.workspace import Workspace, load_workspace
from helpers import CHROMIUM_MISSING, chromium, dom_after, make_render_workspace

pytestmark = pytest.mark.slow

SERIES = "rebuilding-a-complex-partnership"
FINISHED = "briefs/the-border-as-a-membrane.md"
HINT = "use --draft to render it as a draft"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """Run the command line in-process on the workspace ``root``."""
    result = CliRunner().invoke(app, ["--workspace", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def new_skeleton(root: Path, title: str) -> Path:
    """A fresh skeleton of the test series, written by `briefkit new`."""
    code, _out, err = run(root, "new", title, "--series", SERIES, "--author", "Ana Ruiz",
                          "--date", "2021-09-01")
    assert code == 0, err
    slug = title.lower().replace(" ", "-")
    return root / "briefs" / f"{slug}.md"


def first_prompt_line(brief: Path) -> int:
    """The line of the first ``::: {.prompt}`` block of ``brief``."""
    lines = brief.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if ".prompt}" in line)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(path).pages]


def banners(path: Path) -> list[html.HtmlElement]:
    """The draft banners of an HTML page."""
    return list(html.parse(str(path)).getroot().xpath('//div[@role="note"]'))


def header_texts(path: Path) -> list[list[str]]:
    """The paragraphs of every page header in use, for each section of a Word file."""
    document = docx.Document(str(path))
    headers = []
    for section in document.sections:
        used = [section.header]
        if section.different_first_page_header_footer:
            used.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            used.append(section.even_page_header)
        headers += [[p.text for p in header.paragraphs] for header in used]
    return headers


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Path]]]:
    """A fresh skeleton rendered with --draft to every format: the brief and its files."""
    root = make_render_workspace(tmp_path_factory.mktemp("drafted") / "ws")
    brief = new_skeleton(root, "A Fresh Draft")
    code, _out, err = run(root, "render", str(brief), "--to", "all", "--draft")
    assert code == 0, err
    yield brief, {fmt: root / "build" / f"a-fresh-draft.{fmt}" for fmt in ("pdf", "docx", "html")}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A finished brief rendered without --draft to every format."""
    root = make_render_workspace(tmp_path_factory.mktemp("finished") / "ws")
    code, _out, err = run(root, "render", str(root / FINISHED), "--to", "all")
    assert code == 0, err
    yield {fmt: root / "build" / f"the-border-as-a-membrane.{fmt}"
           for fmt in ("pdf", "docx", "html")}


# --- refusing a draft --------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [(), ("--no-check",)])
def test_render_refuses_a_fresh_skeleton_and_writes_nothing(
        tmp_path: Path, flags: tuple[str, ...]) -> None:
    """A fresh skeleton: exit 1, one line naming the first prompt with the hint, no build/."""
    root = make_render_workspace(tmp_path / "ws")
    brief = new_skeleton(root, "Energy Next")
    code, out, err = run(root, "render", str(brief), "--to", "all", *flags)
    assert code == 1
    assert out == ""
    refusal = [line for line in err.splitlines() if line.startswith("error:")]
    assert refusal == [f"error: briefs/energy-next.md:{first_prompt_line(brief)}: 5 prompts "
                       f"of the skeleton are still in the brief, so it was not rendered; {HINT}"]
    assert not (root / "build").exists()


def test_render_refusal_keeps_the_previous_files(tmp_path: Path) -> None:
    """A refused draft neither replaces nor adds a file in the output folder."""
    root = make_render_workspace(tmp_path / "ws")
    brief = new_skeleton(root, "Energy Next")
    (root / "build").mkdir()
    for fmt in ("pdf", "docx", "html"):
        (root / "build" / f"energy-next.{fmt}").write_bytes(b"the last good edition")
    before = files_under(root / "build")
    code, _out, err = run(root, "render", str(brief), "--to", "all")
    assert code == 1 and HINT in err
    assert files_under(root / "build") == before


def test_one_prompt_left_is_enough_to_refuse(ws: Workspace) -> None:
    """A finished brief with one prompt left is refused by the library, naming its line."""
    brief = ws.root / FINISHED
    lines = brief.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("\n", 12) + 1
    lines[at:at] = ["::: {.prompt}\n", "Say more here.\n", ":::\n", "\n"]
    brief.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DraftError) as caught:
        render_brief(ws, brief, formats=["html"], output_dir=ws.root / "out")
    assert caught.value.exit_code == 1
    assert str(caught.value) == (f"{FINISHED}:{at + 1}: 1 prompt of the skeleton is still in "
                                 f"the brief, so it was not rendered; {HINT}")
    assert not (ws.root / "out").exists()


def test_a_prompt_shown_in_a_code_block_is_not_a_draft(ws: Workspace) -> None:
    """Only real prompt blocks count, as in check: one quoted in a code block does not."""
    brief = ws.root / FINISHED
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text + "\n```\n::: {.prompt}\nAn example.\n:::\n```\n", encoding="utf-8")
    result = render_brief(ws, brief, formats=["html"], output_dir=ws.root / "out")
    assert banners(result.outputs[0]) == []


# --- rendering a draft -------------------------------------------------------------------------


def test_draft_pdf_has_the_watermark_on_every_page(drafted: tuple[Path, dict[str, Path]]) -> None:
    """Every page of the draft PDF carries "DRAFT", and the prompts are still there."""
    pages = pdf_pages(drafted[1]["pdf"])
    assert pages and all("DRAFT" in page for page in pages)
    assert "Policymakers read this part first." in " ".join(" ".join(pages).split())


def test_draft_html_opens_with_the_banner(drafted: tuple[Path, dict[str, Path]]) -> None:
    """The first element of the body is the banner, a note styled by the house CSS."""
    page = html.parse(str(drafted[1]["html"])).getroot()
    first = page.xpath("//body/*[1]")[0]
    assert first.tag == "div" and first.get("role") == "note"
    assert first.text_content().strip() == BANNER == "Draft — not for publication"
    assert ".draft-banner" in page.xpath("//style")[0].text
    assert "draft-banner" in first.get("class")
    prompts = page.xpath('//div[contains(concat(" ", @class, " "), " prompt ")]')
    assert len(prompts) == 5
    assert "Policymakers read this part first." in " ".join(prompts[1].text_content().split())


# Where Chromium lays the banner out, whether it shows, and what it reads.
BANNER_BOX = ("const b = document.querySelector('.draft-banner');"
              "const r = b.getBoundingClientRect(); const s = getComputedStyle(b);"
              "document.body.setAttribute('data-banner', "
              "[Math.round(r.top), Math.round(r.height), s.display, s.visibility, "
              "b.innerText].join('|'));")


@pytest.mark.skipif(chromium() is None, reason=CHROMIUM_MISSING)
def test_draft_banner_shows_atop_the_page_in_a_browser(
        drafted: tuple[Path, dict[str, Path]]) -> None:
    """Opened in Chromium, the banner is laid out at the top of the page, visible, with its
    words as the reader sees them."""
    dom = html.fromstring(dom_after(drafted[1]["html"], BANNER_BOX))
    top, height, display, visibility, text = dom.find("body").get("data-banner").split("|")
    assert int(top) <= 10 and int(height) > 10
    assert display != "none" and visibility == "visible"
    assert text.strip().lower() == BANNER.lower()  # the house style sets it in capitals


def test_draft_docx_has_the_header_in_every_section(drafted: tuple[Path, dict[str, Path]]) -> None:
    """Every page header in use opens with the draft line, above the running header."""
    headers = header_texts(drafted[1]["docx"])
    assert headers and all(paragraphs[0] == HEADER for paragraphs in headers)
    assert HEADER == "DRAFT — not for publication"
    assert "Mexico Institute · Re-Building a Complex Partnership" in headers[0]
    body = " ".join(p.text for p in docx.Document(str(drafted[1]["docx"])).paragraphs)
    assert "Policymakers read this part first." in " ".join(body.split())


def test_a_finished_brief_has_no_draft_mark(finished: dict[str, Path]) -> None:
    """No watermark in the PDF, no banner in the HTML, no draft header in the Word file."""
    assert not any("DRAFT" in page for page in pdf_pages(finished["pdf"]))
    assert banners(finished["html"]) == []
    assert "draft-banner" not in re.sub(r"<style>.*?</style>", "",
                                        finished["html"].read_text(encoding="utf-8"), flags=re.S)
    assert all(HEADER not in paragraphs for paragraphs in header_texts(finished["docx"]))


def test_draft_marks_a_finished_brief_too(ws: Workspace) -> None:
    """--draft marks any brief, prompts or not."""
    code, _out, err = run(ws.root, "render", str(ws.root / FINISHED), "--to", "html", "--draft")
    assert code == 0, err
    (banner,) = banners(ws.root / "build" / "the-border-as-a-membrane.html")
    assert banner.text_content().strip() == BANNER


# --- volumes -----------------------------------------------------------------------------------


def test_volume_refuses_a_series_with_draft_briefs(tmp_path: Path) -> None:
    """One line per unfinished brief, with its first prompt and the hint; nothing written."""
    root = make_render_workspace(tmp_path / "ws")
    first = new_skeleton(root, "Energy Next")
    second = new_skeleton(root, "Water After")
    code, out, err = run(root, "volume", SERIES, "--to", "all")
    assert code == 1 and out == ""
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        f"error: briefs/{brief.name}:{first_prompt_line(brief)}: 5 prompts of the skeleton "
        f"are still in the brief, so the volume was not rendered; {HINT}"
        for brief in (first, second)
    ]
    assert not (root / "build").exists()


def test_volume_with_draft_marks_every_page(tmp_path: Path) -> None:
    """--draft renders the volume with its draft brief, every page of every format marked."""
    root = make_render_workspace(tmp_path / "ws")
    new_skeleton(root, "Energy Next")
    code, _out, err = run(root, "volume", SERIES, "--to", "all", "--draft")
    assert code == 0, err
    built = root / "build" / SERIES
    pages = pdf_pages(built.with_suffix(".pdf"))
    assert len(pages) > 3 and all("DRAFT" in page for page in pages)
    assert "Energy Next" in " ".join(pages)
    (banner,) = banners(built.with_suffix(".html"))
    assert banner.text_content().strip() == BANNER
    headers = header_texts(built.with_suffix(".docx"))
    assert headers and all(paragraphs[0] == HEADER for paragraphs in headers)


def test_volume_of_finished_briefs_has_no_draft_mark(tmp_path: Path) -> None:
    """A volume of finished briefs renders without a watermark, banner or header."""
    root = make_render_workspace(tmp_path / "ws")
    code, _out, err = run(root, "volume", SERIES, "--to", "pdf,html")
    assert code == 0, err
    built = root / "build" / SERIES
    assert not any("DRAFT" in page for page in pdf_pages(built.with_suffix(".pdf")))
    assert banners(built.with_suffix(".html")) == []


def test_the_library_refuses_a_draft_volume(tmp_path: Path) -> None:
    """render_volume raises DraftError unless draft=True."""
    from briefkit.publish.volume import render_volume

    root = make_render_workspace(tmp_path / "ws")
    new_skeleton(root, "Energy Next")
    workspace = load_workspace(root)
    with pytest.raises(DraftError) as caught:
        render_volume(workspace, SERIES, formats=["html"], output_dir=root / "out")
    assert len(caught.value.lines) == 1 and "briefs/energy-next.md:" in caught.value.lines[0]
    assert not (root / "out").exists()
