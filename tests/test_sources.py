"""Reading source files: text, Markdown, HTML, PDF, encodings and bad inputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from briefkit.errors import InputError
from briefkit.sources.read import SourceText, decode, read_source

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def write(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` and return the path."""
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_seed_text_is_read_unchanged() -> None:
    """A .txt seed is read byte for byte as UTF-8, without notes."""
    path = SEEDS / "sarukhan-cpd-perspectives-mexico.txt"
    source = read_source(path)
    assert source.text == path.read_text(encoding="utf-8")
    assert source.notes == ()
    assert source.path == path


@pytest.mark.parametrize("suffix", [".rst", ""])
def test_unknown_suffixes_read_as_text(tmp_path: Path, suffix: str) -> None:
    """An unknown suffix is read as text, as it is, when it decodes."""
    path = write(tmp_path / f"source{suffix}", "# Title\n\nThe *worst* deal.\n")
    assert read_source(path).text == "# Title\n\nThe *worst* deal.\n"


@pytest.mark.parametrize("suffix", [".md", ".markdown"])
def test_markdown_is_read_without_its_markup(tmp_path: Path, suffix: str) -> None:
    """Markdown markup is not text: headings, emphasis, block quote marks and list markers go,
    and each line of the text maps to its line in the file."""
    path = write(tmp_path / f"source{suffix}", MARKDOWN)
    source = read_source(path)
    assert source.text == (
        "Title\n\nThe worst deal\nin history.\n\nA quoted line\nand its second line.\n\n"
        "first item\n\nsecond item, continued\nhere\n\nfn(x)\n\nThe note.")
    for words, line in [("Title", 1), ("The worst", 3), ("in history", 4),
                        ("A quoted", 6), ("and its second", 7), ("first item", 9),
                        ("second item", 10), ("here", 11), ("fn(x)", 14), ("The note", 17)]:
        assert source.line_of(source.text.index(words)) == line, words


MARKDOWN = """# Title

The *worst* deal
in [history](https://example.org).[^1]

> A quoted line
> and its **second** line.

- first item
- second item, continued
  here

```
fn(x)
```

[^1]: The note.
"""


def test_line_of_counts_from_one() -> None:
    """``line_of`` gives 1-based lines of the text; offsets past the end are clamped."""
    source = SourceText(Path("x.txt"), "one\ntwo\nthree")
    assert [source.line_of(i) for i in (0, 3, 4, 8, 13, 99)] == [1, 1, 2, 3, 3, 3]


def test_line_of_in_a_seed() -> None:
    """The CPD seed's “country,2 are” is on line 398."""
    source = read_source(SEEDS / "sarukhan-cpd-perspectives-mexico.txt")
    assert source.line_of(source.text.index("country,2 are")) == 398


def test_excerpt_collapses_whitespace_and_joins_broken_words() -> None:
    """An excerpt is one line; a hyphen at a line break is joined to the next word."""
    source = read_source(SEEDS / "sarukhan-cpd-perspectives-mexico.txt")
    start = source.text.index("jingoistic")
    end = source.text.index("outlook on foreign") + len("outlook")
    assert source.excerpt(start, end) == (
        "jingoistic, inward-looking, protective, Westphalian-based outlook")


def test_excerpt_is_cut_in_the_middle() -> None:
    """A long excerpt keeps its start and end and marks the cut with an ellipsis."""
    source = SourceText(Path("x.txt"), "alpha " + "word " * 100 + "omega")
    short = source.excerpt(0, len(source.text), limit=40)
    assert len(short) <= 40
    assert short.startswith("alpha word") and short.endswith("word omega")
    assert "…" in short


def test_html_keeps_visible_text_one_block_per_line(tmp_path: Path) -> None:
    """Scripts, styles, navigation, header and footer are dropped; blocks become lines, each
    mapped to the line of the file it starts on."""
    page = """<!DOCTYPE html>
<html><head><title>Not body text</title><style>p { color: red }</style></head>
<body><header>Site name</header><nav><a href="/">Home</a></nav>
<main><h1>The Mexican Standoff</h1>
<p>He called NAFTA &ldquo;the worst trade
deal in history&rdquo;<!-- a comment --> and more.</p>
<script>var hidden = "script text";</script>
<p>Second<br>line &amp; <em>emphasis</em>.</p>
<ul><li>one</li><li>two</li></ul></main>
<footer>Copyright</footer></body></html>"""
    source = read_source(write(tmp_path / "page.html", page))
    assert source.text.split("\n") == [
        "The Mexican Standoff",
        "He called NAFTA “the worst trade deal in history” and more.",
        "Second",
        "line & emphasis.",
        "one",
        "two",
    ]
    assert source.line_of(source.text.index("line &")) == 8
    assert source.line_of(source.text.index("He called")) == 5
    assert source.line_of(source.text.index("two")) == 9


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    """A page declared as windows-1252 is decoded as such, without a note."""
    page = '<html><head><meta charset="windows-1252"></head><body><p>caf\xe9 \x93x\x94</p>'
    source = read_source(write(tmp_path / "page.htm", page.encode("latin-1")))
    assert source.text == "café “x”"
    assert source.notes == ()


def test_xhtml_with_xml_declaration(tmp_path: Path) -> None:
    """An XHTML file with an XML declaration is read like HTML."""
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            "<body><p>Détente began.</p></body></html>")
    assert read_source(write(tmp_path / "page.xhtml", page)).text == "Détente began."


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    """A PDF made with typst reads back as its text, pages separated by a blank line."""
    import typst

    document = tmp_path / "brief.typ"
    document.write_text("The worst trade deal in history.\n\n#pagebreak()\nSecond page.\n",
                        encoding="utf-8")
    pdf = tmp_path / "brief.pdf"
    typst.compile(str(document), output=str(pdf))
    source = read_source(pdf)
    assert source.text == "The worst trade deal in history.\n\nSecond page."
    assert source.line_of(source.text.index("Second")) == 3


def test_pdf_without_pypdf_says_how_to_install_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pypdf, a PDF source is an input error naming the extra to install."""
    monkeypatch.setitem(sys.modules, "pypdf", None)  # makes `import pypdf` fail
    path = write(tmp_path / "brief.pdf", b"%PDF-1.7\n")
    with pytest.raises(InputError, match=r"pip install 'briefkit\[pdf\]'"):
        read_source(path)


def test_damaged_pdf_is_an_input_error(tmp_path: Path) -> None:
    """A .pdf that is not a PDF, or a broken one, is an input error."""
    with pytest.raises(InputError, match="not a PDF file"):
        read_source(write(tmp_path / "a.pdf", "plain text"))
    with pytest.raises(InputError, match="cannot read PDF"):
        read_source(write(tmp_path / "b.pdf", b"%PDF-1.7\n garbage without objects"))


def test_cp1252_text_is_decoded_with_a_note(tmp_path: Path) -> None:
    """Windows-1252 bytes are decoded as such, and a note says so."""
    path = write(tmp_path / "old.txt", "Pe\xf1a Nieto \x93said\x94 \x96 fine".encode("latin-1"))
    source = read_source(path)
    assert source.text == "Peña Nieto “said” – fine"
    assert source.notes == ("not UTF-8 (byte 2): decoded as Windows-1252",)


def test_undecodable_text_is_replaced_with_a_note(tmp_path: Path) -> None:
    """Bytes that are neither UTF-8 nor Windows-1252 are replaced, and a note says so."""
    source = read_source(write(tmp_path / "odd.txt", b"ok \x81\x8d here"))
    assert source.text == "ok \ufffd\ufffd here"
    assert source.notes == ("not UTF-8 (byte 3): undecodable bytes replaced with U+FFFD",)


def test_undecodable_file_with_unknown_suffix_is_refused(tmp_path: Path) -> None:
    """A file of unknown type that decodes neither way is not taken for text."""
    with pytest.raises(InputError, match="not a text file"):
        read_source(write(tmp_path / "data.bin", b"ok \x81\x8d here"))


def test_byte_order_marks(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark is removed silently; UTF-16 with a mark is decoded with a note."""
    assert read_source(write(tmp_path / "bom.txt", b"\xef\xbb\xbfhello")).text == "hello"
    assert read_source(tmp_path / "bom.txt").notes == ()
    utf16 = read_source(write(tmp_path / "wide.txt", "héllo".encode("utf-16")))
    assert (utf16.text, utf16.notes) == ("héllo", ("decoded as UTF-16",))


def test_decode_order() -> None:
    """UTF-8 first, Windows-1252 when clean, then replacement (or None when strict)."""
    assert decode("é".encode()) == ("é", ())
    assert decode(b"\xe9")[0] == "é"
    assert decode(b"\x81", strict=True) == (None, ())


def test_binary_file_is_refused(tmp_path: Path) -> None:
    """NUL bytes in a text source mean a binary file."""
    with pytest.raises(InputError, match="binary file"):
        read_source(write(tmp_path / "image.txt", b"GIF89a\x00\x01\x02"))


def test_pdf_named_txt_is_refused(tmp_path: Path) -> None:
    """A PDF saved with a .txt name is reported, not read as text."""
    with pytest.raises(InputError, match="is a PDF file"):
        read_source(write(tmp_path / "report.txt", b"%PDF-1.7\n..."))


def test_directory_is_refused(tmp_path: Path) -> None:
    """A directory is not a source file."""
    with pytest.raises(InputError, match="is a directory"):
        read_source(tmp_path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """A missing file is an input error naming the path."""
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(InputError, match="source file not found") as raised:
        read_source(missing)
    assert raised.value.path == missing


def test_markdown_nested_too_deeply_is_an_input_error(tmp_path: Path) -> None:
    """A Markdown source of block quotes nested thousands deep is refused, not a crash."""
    path = write(tmp_path / "deep.md", "> " * 3000 + "deep text\n")
    with pytest.raises(InputError, match="nested too deeply"):
        read_source(path)


def test_markdown_with_bad_front_matter_is_an_input_error(tmp_path: Path) -> None:
    """A Markdown source whose YAML front matter does not parse is refused with pandoc's word."""
    path = write(tmp_path / "bad.md", "---\ntitle: [bad\n---\n\nText here.\n")
    with pytest.raises(InputError, match="cannot read Markdown"):
        read_source(path)


def test_markdown_dollars_dashes_and_quotes_stay_as_written(tmp_path: Path) -> None:
    """Dollar signs are not math, ":smile:" is not an emoji, "--" and straight quotes are not
    made typographic: the comparison key has its own rules for them."""
    text = 'Trade of $1.4 billion, then 2$ more -- "so" it\'s said :smile:'
    assert read_source(write(tmp_path / "s.md", text + "\n")).text == text
