"""The bibliography: entries, file links and diagnostics about the .bib itself."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from briefkit.check.bib import load_bibliography, parse_file_field
from briefkit.check.cache import Store
from briefkit.errors import BibliographyError
from briefkit.model import Status

GOOD = """% comment line
@article{alpha,
  author = {Pe{\\~n}a, Ana},
  title = {A Title},
  journal = {Journal},
  year = {2020},
  file = {texts/alpha.txt}
}
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    """Write a .bib file into tmp_path and return its path."""
    path = tmp_path / "refs.bib"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_example_bibliography_is_clean(repo: Path) -> None:
    """The workspace's own references.bib parses with no diagnostics and links every seed."""
    bib = load_bibliography(repo / "references.bib")
    assert bib.diagnostics == ()
    assert len(bib.entries) == 5
    for key in bib.entries:
        (path,) = bib.source_paths(key)
        assert path.is_file(), key
        assert path.parent.name == "seeds"


def test_entry_lines_are_one_based(tmp_path: Path) -> None:
    """An entry's line is the 1-based line of its @ in the file."""
    bib = load_bibliography(write(tmp_path, GOOD))
    assert bib.entries["alpha"].line == 2
    assert bib.entries["alpha"].fields["title"] == "A Title"


def test_malformed_entry_is_an_error_with_its_line(tmp_path: Path) -> None:
    """A block bibtexparser cannot parse is an error at its line; later entries survive."""
    text = GOOD + "\n@article{broken,\n  title = {never closed\n\n@misc{omega, title={Fine}}\n"
    bib = load_bibliography(write(tmp_path, text))
    (error,) = [d for d in bib.diagnostics if d.status is Status.ERROR]
    assert error.line == 10
    assert error.rule == "bib-malformed"
    assert "broken" in error.message
    assert "omega" in bib.entries


PANDOC_REFUSES = {
    "type-of-at-signs": "@@@{broken,\n  title = {X}\n}",
    "doubled-at": "@@misc{broken,\n  title = {X}\n}",
    "empty-type": "@{broken,\n  title = {X}\n}",
    "type-with-hyphen": "@my-type{broken,\n  title = {X}\n}",
    "type-with-underscore": "@my_type{broken,\n  title = {X}\n}",
    "type-with-digit": "@misc2{broken,\n  title = {X}\n}",
    "address-in-free-text": "write to me@example.org\n@misc{broken,\n  title = {X}\n}",
}
PANDOC_READS = {
    "address-in-comment-line": "% write to me@example.org\n@misc{fine,\n  title = {X}\n}",
    "address-in-a-field": "@misc{fine,\n  title = {X},\n  note = {me@example.org}\n}",
    "comment-entry": "@comment{ x @ y }\n@misc{fine,\n  title = {X}\n}",
    "accented-type": "@m\u00edsc{fine,\n  title = {X}\n}",
}


def pandoc_reads(bib: Path) -> bool:
    """Whether pandoc reads the bibliography ``bib`` (as a render would)."""
    import pypandoc

    brief = bib.parent / "brief.md"
    brief.write_text(f"---\nbibliography: {bib.name}\n---\n\n[@alpha]\n", encoding="utf-8")
    done = subprocess.run([pypandoc.get_pandoc_path(), brief.name, "--citeproc", "-t", "plain"],
                          cwd=bib.parent, capture_output=True, text=True, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("name", list(PANDOC_REFUSES))
def test_what_pandoc_refuses_is_an_error_at_its_line(tmp_path: Path, name: str) -> None:
    """An entry pandoc cannot read (a stray '@', a type that is not letters) is one error at
    its line, so the check fails where the render would."""
    path = write(tmp_path, GOOD + "\n" + PANDOC_REFUSES[name] + "\n")
    assert not pandoc_reads(path)
    errors = [d for d in load_bibliography(path).diagnostics if d.status is Status.ERROR]
    assert [(d.line, d.rule) for d in errors] == [(10, "bib-malformed")], errors


@pytest.mark.parametrize("name", list(PANDOC_READS))
def test_what_pandoc_reads_is_no_error(tmp_path: Path, name: str) -> None:
    """An '@' in a comment line, a field or a @comment, and a type in other letters, pass."""
    path = write(tmp_path, GOOD + "\n" + PANDOC_READS[name] + "\n")
    assert pandoc_reads(path)
    assert [d for d in load_bibliography(path).diagnostics if d.status is Status.ERROR] == []


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    """A second entry with the same key is an error at the duplicate's line."""
    bib = load_bibliography(write(tmp_path, GOOD + "\n@misc{alpha, title = {Again}}\n"))
    (error,) = bib.diagnostics
    assert (error.line, error.status, error.rule) == (10, Status.ERROR, "bib-duplicate-key")


def test_missing_required_fields_are_warnings(tmp_path: Path) -> None:
    """An article without journal and year is a warning naming both fields."""
    bib = load_bibliography(write(tmp_path, "@article{thin, author = {A}, title = {T}}\n"))
    (warning,) = bib.diagnostics
    assert warning.status is Status.WARNING
    assert "journal, year" in warning.message


def test_editor_stands_in_for_author(tmp_path: Path) -> None:
    """An edited book with an editor and no author is complete."""
    text = "@book{ed, editor = {E}, title = {T}, publisher = {P}, year = {2000}}\n"
    assert load_bibliography(write(tmp_path, text)).diagnostics == ()


def test_unused_entries_are_warnings(tmp_path: Path) -> None:
    """Entries no brief cites are reported as warnings, cited ones are not."""
    bib = load_bibliography(write(tmp_path, GOOD + "@misc{beta, title = {B}}\n"))
    (unused,) = bib.unused({"alpha"})
    assert unused.key == "beta"
    assert unused.rule == "bib-unused-entry"


def test_not_utf8_is_decoded_with_a_warning(tmp_path: Path) -> None:
    """Latin-1 bytes are replaced and reported, and the entries still parse."""
    bib = load_bibliography(write(tmp_path, GOOD.replace("A Title", "Se\xf1or").encode("latin-1")))
    assert "alpha" in bib.entries
    assert [d.rule for d in bib.diagnostics] == ["bib-encoding"]


def test_binary_and_missing_files_are_errors(tmp_path: Path) -> None:
    """A binary file or a missing file is a BibliographyError naming the path."""
    with pytest.raises(BibliographyError, match="binary"):
        load_bibliography(write(tmp_path, b"\x00\x01@article{"))
    with pytest.raises(BibliographyError, match="cannot be read"):
        load_bibliography(tmp_path / "absent.bib")


def test_closest_keys_suggest_typos(repo: Path) -> None:
    """A mistyped key gets the nearest known key as a suggestion."""
    bib = load_bibliography(repo / "references.bib")
    assert bib.closest_keys("oneil2017standof")[0] == "oneil2017standoff"


@pytest.mark.parametrize(
    ("value", "paths"),
    [
        ("seeds/a.txt", ("seeds/a.txt",)),
        (":seeds/a.txt:Text", ("seeds/a.txt",)),
        ("Full text:seeds/a.pdf:PDF;Notes:seeds/b.txt:Text", ("seeds/a.pdf", "seeds/b.txt")),
        ("C:\\texts\\a.txt", ("C:\\texts\\a.txt",)),
        ("desc:C\\:\\texts\\a.txt:Text", ("C:\\texts\\a.txt",)),
        ("", ()),
    ],
)
def test_file_field_forms(value: str, paths: tuple[str, ...]) -> None:
    """Plain paths and JabRef's description:path:type lists give the same paths."""
    assert parse_file_field(value) == paths


def test_cache_reuses_parse_until_the_file_changes(tmp_path: Path) -> None:
    """A cached parse is reused for the same bytes and rebuilt when they change."""
    path = write(tmp_path, GOOD)
    store = Store(tmp_path / "cache")
    first = load_bibliography(path, store=store)
    assert stored_parses(store) == 1
    assert load_bibliography(path, store=Store(tmp_path / "cache")) == first
    assert stored_parses(store) == 1
    path.write_text(GOOD + "@misc{beta, title = {B}}\n", encoding="utf-8")
    assert "beta" in load_bibliography(path, store=store).entries
    assert stored_parses(store) == 2


def stored_parses(store: Store) -> int:
    """How many parses the cache of ``store`` holds."""
    with closing(sqlite3.connect(store.path)) as database:
        count: int = database.execute("SELECT count(*) FROM bibliographies").fetchone()[0]
        return count


def test_cached_parse_does_not_load_the_parser(tmp_path: Path) -> None:
    """A warm cache is read without importing bibtexparser (a cost paid on every run)."""
    path = write(tmp_path, GOOD)
    load_bibliography(path, store=Store(tmp_path / "cache"))
    probe = ("import sys; from pathlib import Path; "
             "from briefkit.check.bib import load_bibliography; "
             "from briefkit.check.cache import Store; "
             f"b = load_bibliography(Path({str(path)!r}), store=Store(Path({str(tmp_path)!r}) / "
             "'cache')); print(sorted(b.entries), 'bibtexparser' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["['alpha']", "False"]
