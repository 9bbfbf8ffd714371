"""`briefkit new`: scaffolding briefs, numbering, safety, and what pandoc makes of the result.

The scaffolded text of each series is compared with a golden file in ``tests/golden/new/``. After
an intended change to the templates or series definitions, regenerate them with
``BRIEFKIT_REGENERATE_GOLDEN=1 python -m pytest tests/test_scaffold.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import pty
import resource
import signal
import subprocess
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypandoc
import pytest
import yaml
from typer.testing import CliRunner

from briefkit import cli
from briefkit.authoring.scaffold import (
    AuthorAnswer,
    BriefRequest,
    pair_authors,
    plan_brief,
    slugify,
    write_brief,
)
from briefkit.brief.frontmatter import split_front_matter
from briefkit.cli import app
from briefkit.errors import (
    BriefExistsError,
    InputError,
    MissingAnswerError,
    OutputError,
    PathEscapeError,
    SeriesDefinitionError,
    UnknownSeriesError,
    UsageError,
)
from briefkit.workspace import load_workspace

GOLDEN = Path(__file__).parent / "golden" / "new"
REGENERATE = os.environ.get("BRIEFKIT_REGENERATE_GOLDEN") == "1"
SERIES = ("charting-a-new-course", "rebuilding-a-complex-partnership", "cpd-perspectives")
AUTHOR = ("--author", "Ana Lucía Reyes", "--role", "Fellow, Mexico Institute",
          "--bio", "Ana Lucía Reyes studies North American trade.")
INJECTIONS = ("{{ 7*7 }}", "{% raw %}", "{{ cycler.__init__ }}", "{{ config }}: a \"quoted\" 'x'",
              "{% for x in range(3) %}{{ x }}{% endfor %}")


def run(*args: str) -> tuple[int, str, str]:
    """Run the briefkit command line in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def new(title: str, series: str = "charting-a-new-course", *extra: str) -> tuple[int, str, str]:
    """`briefkit new TITLE --series SERIES` with one author and a fixed date."""
    return run("new", title, "--series", series, *AUTHOR, "--date", "2024-05-01", *extra)


def meta_of(path: Path) -> dict[str, object]:
    """The front matter of a written brief."""
    return dict(split_front_matter(path.read_text(encoding="utf-8"), path=path).meta)


def one_error_line(stderr: str) -> str:
    """The single `error: …` line a failing command prints."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def add_brief(root: Path, name: str, series: str, number: int | None) -> Path:
    """An existing brief of ``series`` with ``number`` (or none)."""
    path = root / "briefs" / f"{name}.md"
    number_line = f"number: {number}\n" if number is not None else ""
    path.write_text(f"---\ntitle: {name}\nseries: {series}\n{number_line}date: 2024-01-01\n---\n"
                    "\nText.\n", encoding="utf-8")
    return path


def clear_briefs(root: Path) -> None:
    """Remove the example briefs so a test sees only the briefs it writes."""
    for path in (root / "briefs").glob("*.md"):
        path.unlink()


def request(title: str = "A Title", series: str = "charting-a-new-course",
            **fields: object) -> BriefRequest:
    """A library request with one author and a fixed date."""
    values: dict[str, object] = {"authors": (AuthorAnswer("Ana Reyes"),), **fields}
    return BriefRequest(title=title, series=series, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("series", SERIES)
def test_scaffold_matches_golden(workspace: Path, series: str) -> None:
    """Each series scaffolds to its golden text: front matter, sections, prompts and blurb."""
    clear_briefs(workspace)
    code, out, err = new("The Workaround and the Reset", series,
                         "--author", "Daniel Okafor-Ruiz", "--role", "Global Fellow",
                         "--subtitle", "Subnational ties in U.S.-Mexico relations",
                         "--summary", "One paragraph that says what the brief argues.",
                         "--keyword", "NAFTA", "--keyword", "trade")
    assert code == 0, err
    assert out == (f"wrote briefs/the-workaround-and-the-reset.md: the first brief of {series}\n"
                   ".briefkit-cache/ is briefkit's cache, rebuilt as needed; its own .gitignore "
                   "keeps it out of git\n")
    text = (workspace / "briefs" / "the-workaround-and-the-reset.md").read_text(encoding="utf-8")
    golden = GOLDEN / f"{series}.md"
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_front_matter_fields(workspace: Path) -> None:
    """The front matter has every house field; authors pair with roles and bios by order."""
    code, _out, err = run("new", "Trade Ties", "--series", "rebuilding-a-complex-partnership",
                          "--author", "A One", "--role", "Fellow", "--bio", "Bio one.",
                          "--author", "B Two", "--keyword", "trade", "--date", "2021-03-15")
    assert code == 0, err
    meta = meta_of(workspace / "briefs" / "trade-ties.md")
    assert list(meta) == ["title", "subtitle", "author", "series", "number", "date", "summary",
                          "keywords", "bibliography"]
    assert meta["author"] == [{"name": "A One", "role": "Fellow", "bio": "Bio one."},
                              {"name": "B Two", "role": "", "bio": ""}]
    assert meta["bibliography"] == "../references.bib"
    assert meta["keywords"] == ["trade"]
    assert str(meta["date"]) == "2021-03-15"


def test_numbering_follows_existing_briefs(workspace: Path) -> None:
    """Five briefs numbered 1 to 5 make the new one the sixth; other series do not count."""
    clear_briefs(workspace)
    for number in range(1, 6):
        add_brief(workspace, f"brief-{number}", "charting-a-new-course", number)
    add_brief(workspace, "elsewhere", "rebuilding-a-complex-partnership", 9)
    code, out, err = new("Next One")
    assert code == 0, err
    assert "the sixth brief" in out
    path = workspace / "briefs" / "next-one.md"
    assert meta_of(path)["number"] == 6
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert ('::: {.series-blurb} This policy brief is the sixth of our series "Charting a New '
            'Course: Policy Options for the Next Stage in U.S.-Mexico Relations." The policy '
            'briefs will be released individually and published as a volume in the spring of '
            '2017. :::') in text


def test_numbering_with_gaps_and_unnumbered_briefs(workspace: Path) -> None:
    """A gap does not get filled: the next number follows the highest; unnumbered count too."""
    clear_briefs(workspace)
    for number in (1, 2, 5):
        add_brief(workspace, f"brief-{number}", "charting-a-new-course", number)
    assert plan_brief(load_workspace(), request()).ordinal == "sixth"
    add_brief(workspace, "unnumbered", "charting-a-new-course", None)
    planned = plan_brief(load_workspace(), request())
    assert (planned.number, planned.ordinal) == (7, "seventh")


def test_number_override_and_large_ordinals(workspace: Path) -> None:
    """--number sets the number; past ninety-ninth the ordinal is written in digits."""
    code, _out, err = new("Far Along", "cpd-perspectives", "--number", "101")
    assert code == 0, err
    text = (workspace / "briefs" / "far-along.md").read_text(encoding="utf-8")
    assert "This essay is the 101st of our series" in text
    assert meta_of(workspace / "briefs" / "far-along.md")["number"] == 101


def test_replacing_a_brief_keeps_its_place(workspace: Path) -> None:
    """With --force the brief being replaced does not count towards the next number."""
    clear_briefs(workspace)
    add_brief(workspace, "brief-1", "charting-a-new-course", 1)
    assert new("Second")[0] == 0
    code, out, err = new("Second", "charting-a-new-course", "--force")
    assert code == 0, err
    assert "the second brief" in out


def test_example_workspace_numbers(workspace: Path) -> None:
    """On the example workspace the next brief of a series follows its highest number."""
    found = load_workspace()
    for series in ("charting-a-new-course", "rebuilding-a-complex-partnership"):
        numbers = [meta_of(path).get("number") for path in (workspace / "briefs").glob("*.md")
                   if meta_of(path).get("series") == series]
        expected = max([n for n in numbers if isinstance(n, int)], default=0) + 1 + sum(
            1 for n in numbers if n is None)
        assert plan_brief(found, request(series=series)).number == expected


def test_refuses_to_overwrite(workspace: Path) -> None:
    """An existing brief is never replaced without --force, and stays as it was."""
    path = workspace / "briefs" / "mine.md"
    path.write_text("my draft\n", encoding="utf-8")
    code, _out, err = new("Mine")
    assert code == 2
    line = one_error_line(err)
    assert "briefs/mine.md already exists; pass --slug mine-2 (or give another title)" in line
    assert "--force to replace it (its text is kept in a .bak file beside it)" in line
    assert path.read_text(encoding="utf-8") == "my draft\n"
    assert new("Mine", "charting-a-new-course", "--slug", "mine-2")[0] == 0
    assert path.read_text(encoding="utf-8") == "my draft\n"
    assert "pass --slug mine-3 " in one_error_line(new("Mine")[2])
    scaffold = plan_brief(load_workspace(), request("Mine"))
    assert scaffold.exists
    with pytest.raises(BriefExistsError):
        write_brief(scaffold)
    assert path.read_text(encoding="utf-8") == "my draft\n"


def test_force_replaces(workspace: Path) -> None:
    """--force replaces an existing brief with the scaffold, keeps the old text in
    <name>.md.bak, says where, and leaves no temporary file."""
    path = workspace / "briefs" / "mine.md"
    path.write_text("my draft\n", encoding="utf-8")
    code, out, err = new("Mine", "charting-a-new-course", "--force")
    assert code == 0, err
    assert meta_of(path)["title"] == "Mine"
    backup = workspace / "briefs" / "mine.md.bak"
    assert backup.read_text(encoding="utf-8") == "my draft\n"
    assert "the brief it replaced is kept as briefs/mine.md.bak\n" in out
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_force_numbers_backups_and_keeps_earlier_ones(workspace: Path) -> None:
    """A second --force over changed work keeps the first backup and writes mine.md.1.bak."""
    path = workspace / "briefs" / "mine.md"
    path.write_text("first draft\n", encoding="utf-8")
    assert new("Mine", "charting-a-new-course", "--force")[0] == 0
    path.write_text("second draft\n", encoding="utf-8")
    code, out, err = new("Mine", "charting-a-new-course", "--force")
    assert code == 0, err
    assert "kept as briefs/mine.md.1.bak" in out
    assert (workspace / "briefs" / "mine.md.bak").read_text(encoding="utf-8") == "first draft\n"
    assert (workspace / "briefs" / "mine.md.1.bak").read_text(encoding="utf-8") == (
        "second draft\n")


def test_force_over_the_same_skeleton_needs_no_backup(workspace: Path) -> None:
    """Replacing a brief that is still the very same skeleton loses nothing: no backup."""
    assert new("Mine")[0] == 0
    code, out, err = new("Mine", "charting-a-new-course", "--force")
    assert code == 0, err
    assert "kept as" not in out
    assert sorted(p.name for p in (workspace / "briefs").glob("mine*")) == ["mine.md"]


def test_force_without_a_backup_replaces_nothing(workspace: Path) -> None:
    """When the backup cannot be written, --force fails and the brief stays as it was."""
    path = workspace / "briefs" / "mine.md"
    draft = "a finished brief, longer than the writes allowed below\n" * 4
    path.write_text(draft, encoding="utf-8")
    scaffold = plan_brief(load_workspace(), request("Mine"))
    before = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(OutputError, match=r"backup .*mine\.md\.bak, so .* was not replaced"), \
            small_file_limit():
        write_brief(scaffold, force=True)
    assert path.read_text(encoding="utf-8") == draft
    assert sorted(p.name for p in path.parent.iterdir()) == before


@contextmanager
def small_file_limit() -> Iterator[None]:
    """Make writing any file larger than 64 bytes fail (EFBIG), as a full disk would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_force_is_atomic_when_writing_fails(workspace: Path) -> None:
    """A failed --force write leaves the previous brief intact and no temporary file behind."""
    path = workspace / "briefs" / "mine.md"
    path.write_text("my draft\n", encoding="utf-8")
    scaffold = plan_brief(load_workspace(), request("Mine"))
    before = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(OutputError, match="cannot write"), small_file_limit():
        write_brief(scaffold, force=True)
    assert path.read_text(encoding="utf-8") == "my draft\n"
    assert sorted(p.name for p in path.parent.iterdir()) == before


def test_failed_new_write_leaves_no_partial_file(workspace: Path) -> None:
    """A failed write of a new brief leaves no partial file behind."""
    scaffold = plan_brief(load_workspace(), request("Fresh"))
    with pytest.raises(OutputError, match="cannot write"), small_file_limit():
        write_brief(scaffold)
    assert not scaffold.path.exists()


def test_dry_run_writes_nothing(workspace: Path) -> None:
    """--dry-run prints the path and the text and writes no file."""
    before = sorted(p.name for p in (workspace / "briefs").iterdir())
    code, out, err = new("Dry Run", "charting-a-new-course", "--dry-run")
    assert code == 0, err
    assert out.startswith("would write briefs/dry-run.md\n---\ntitle: Dry Run\n")
    assert "::: {.series-blurb}" in out
    assert sorted(p.name for p in (workspace / "briefs").iterdir()) == before


def test_dry_run_over_an_existing_brief(workspace: Path) -> None:
    """--dry-run refuses an existing brief like a real run, and shows the replacement with
    --force."""
    path = workspace / "briefs" / "mine.md"
    path.write_text("my draft\n", encoding="utf-8")
    assert new("Mine", "charting-a-new-course", "--dry-run")[0] == 2
    code, out, _err = new("Mine", "charting-a-new-course", "--dry-run", "--force")
    assert code == 0
    assert out.startswith("would write briefs/mine.md (replacing it; its text would be kept as "
                          "briefs/mine.md.bak)\n")
    assert path.read_text(encoding="utf-8") == "my draft\n"
    assert not (workspace / "briefs" / "mine.md.bak").exists()


@pytest.mark.parametrize("value", INJECTIONS)
def test_template_code_in_values_is_written_literally(workspace: Path, value: str) -> None:
    """Template syntax in a title or author name is data: written and read back unchanged."""
    code, _out, err = run("new", value, "--series", "cpd-perspectives", "--author", value,
                          "--subtitle", value, "--slug", "injected", "--date", "2024-05-01")
    assert code == 0, err
    path = workspace / "briefs" / "injected.md"
    meta = meta_of(path)
    assert meta["title"] == value
    assert meta["subtitle"] == value
    assert meta["author"] == [{"name": value, "role": "", "bio": ""}]
    assert new("Plain", "cpd-perspectives", "--slug", "plain", "--number", "1")[0] == 0
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    plain = (workspace / "briefs" / "plain.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body == plain


def test_front_matter_stays_valid_yaml_for_awkward_titles(workspace: Path) -> None:
    """Colons, quotes, a leading dash or hash and YAML keywords stay strings in the front
    matter."""
    awkward = ['Trade: "A Reset"', "- yes", "# not a comment", "no", "null", "2024-05-01",
               "x\ny: z", "'single' and \"double\""]
    for index, title in enumerate(awkward):
        scaffold = plan_brief(load_workspace(), request(title, slug=f"awkward-{index}"))
        block = scaffold.text.split("---\n")[1]
        assert yaml.safe_load(block)["title"] == title


@pytest.mark.parametrize("slug", ["../x", "../../etc/passwd", "/etc/passwd", "a/b", "..", ".hidden",
                                  "a\\b", ""])
def test_slug_cannot_leave_briefs(workspace: Path, slug: str) -> None:
    """A --slug that is not a plain file name in briefs/ is refused and nothing is written."""
    before = sorted(str(p) for p in workspace.rglob("*"))
    code, _out, err = new("Escape", "charting-a-new-course", "--slug", slug)
    assert code == 2
    assert "--slug" in one_error_line(err)
    assert sorted(str(p) for p in workspace.rglob("*")) == before
    with pytest.raises((PathEscapeError, UsageError)):
        plan_brief(load_workspace(), request(slug=slug))


def test_title_with_path_parts_stays_in_briefs(workspace: Path) -> None:
    """A title like ../../etc/passwd only gives a file name inside briefs/."""
    code, out, err = new("../../etc/passwd")
    assert code == 0, err
    assert out.startswith("wrote briefs/etc-passwd.md:")
    assert meta_of(workspace / "briefs" / "etc-passwd.md")["title"] == "../../etc/passwd"


def test_slugify() -> None:
    """Slugs are ASCII, lowercase and hyphenated, and cut at a word boundary."""
    assert slugify("Mexico's Energy: A Reset?") == "mexicos-energy-a-reset"
    assert slugify("Peña Nieto y la relación") == "pena-nieto-y-la-relacion"
    assert slugify("{{ 7*7 }}") == "7-7"
    assert slugify("中文") == ""
    long = slugify("word " * 30)
    assert len(long) <= 60 and not long.endswith("-")


def test_title_without_ascii_needs_a_slug(workspace: Path) -> None:
    """A title that gives no file name asks for --slug; with it the brief is written."""
    code, _out, err = new("中文标题")
    assert code == 2
    assert "pass --slug" in one_error_line(err)
    assert new("中文标题", "charting-a-new-course", "--slug", "chinese-title")[0] == 0
    assert meta_of(workspace / "briefs" / "chinese-title.md")["title"] == "中文标题"


@pytest.mark.parametrize(
    ("args", "flag"),
    [(["new", "--series", "cpd-perspectives", "--author", "A"], "TITLE"),
     (["new", "T", "--author", "A"], "--series"),
     (["new", "T", "--series", "cpd-perspectives"], "--author")],
)
def test_missing_answers_without_a_terminal(workspace: Path, args: list[str], flag: str) -> None:
    """Without a terminal a missing title, series or author is an error naming the flag."""
    code, _out, err = run(*args)
    assert code == 2
    assert f"pass {flag} (no terminal to ask on)" in one_error_line(err)


def test_missing_answers_in_the_library(workspace: Path) -> None:
    """The library refuses empty required answers with `MissingAnswerError`."""
    found = load_workspace()
    with pytest.raises(MissingAnswerError, match="title"):
        plan_brief(found, request("  "))
    with pytest.raises(MissingAnswerError, match="--author"):
        plan_brief(found, request(authors=()))


def test_missing_answers_are_asked_on_a_terminal(workspace: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, the title, series and author are asked for."""
    monkeypatch.setattr(cli, "is_terminal", lambda stream: True)
    result = CliRunner().invoke(app, ["new", "--date", "2024-05-01"],
                                input="Asked Title\ncpd-perspectives\nAna\nFellow\nA bio.\n")
    assert result.exit_code == 0, result.stderr
    assert "Series (" in result.stdout and "cpd-perspectives" in result.stdout
    meta = meta_of(workspace / "briefs" / "asked-title.md")
    assert meta["series"] == "cpd-perspectives"
    assert meta["author"] == [{"name": "Ana", "role": "Fellow", "bio": "A bio."}]


ORIGINAL = "briefs/the-workaround-and-the-reset.md"


def ask_on_a_terminal(monkeypatch: pytest.MonkeyPatch, *args: str, answers: str) -> tuple[
        int, str, str]:
    """`briefkit new ARGS` in-process as on a terminal, with ``answers`` typed line by line."""
    monkeypatch.setattr(cli, "is_terminal", lambda stream: True)
    result = CliRunner().invoke(app, ["new", *args], input=answers)
    return result.exit_code, result.stdout, result.stderr


def test_wrong_answers_are_asked_again_and_nothing_is_lost(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An existing title, an unknown series and a bad date are each refused when typed, with
    the choices, and asked again; every other answer is kept and the brief is written."""
    original = (workspace / ORIGINAL).read_bytes()
    code, out, err = ask_on_a_terminal(monkeypatch, answers=(
        "The Workaround and the Reset\n"      # its file exists: a file name is asked
        "what-nafta-built\n"                   # taken too: asked again
        "\n"                                   # the offered free name
        "no-such-series\n"                     # unknown: asked again with the choices
        "rebuilding-a-complex-partnership\n"
        "Ana Reyes\nFellow\nShe writes.\n"
        "2024-13-01\n"                         # not a date: asked again
        "2024-05-01\n"))
    assert code == 0, out + err
    assert ("briefs/the-workaround-and-the-reset.md already exists; file name for the new brief "
            "[the-workaround-and-the-reset-2]") in out
    assert "Error: briefs/what-nafta-built.md already exists" in out
    assert ("Error: unknown series 'no-such-series'; known series: charting-a-new-course, "
            "cpd-perspectives, rebuilding-a-complex-partnership") in out
    assert out.count("Series (") == 2
    assert "Error: --date must be an ISO date" in out
    assert "wrote briefs/the-workaround-and-the-reset-2.md" in out
    meta = meta_of(workspace / "briefs" / "the-workaround-and-the-reset-2.md")
    assert meta["title"] == "The Workaround and the Reset"
    assert meta["series"] == "rebuilding-a-complex-partnership"
    assert meta["author"] == [{"name": "Ana Reyes", "role": "Fellow", "bio": "She writes."}]
    assert str(meta["date"]) == "2024-05-01"
    assert (workspace / ORIGINAL).read_bytes() == original


@pytest.mark.parametrize(
    ("args", "problem"),
    [(["--date", "2024-13-01"], "--date must be an ISO date"),
     (["--series", "no-such-series"], "unknown series"),
     (["--number", "0"], "--number must be 1 or more"),
     (["--author", "A", "--role", "r1", "--role", "r2"], "2 --role values"),
     (["The Workaround and the Reset"], "already exists; pass --slug"),
     (["--slug", "what-nafta-built"], "already exists"),
     (["--slug", "../escape"], "outside")],
)
def test_wrong_flags_stop_before_anything_is_asked(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], problem: str) -> None:
    """A wrong flag is an error before the first question, so no answer is typed in vain."""
    code, out, err = ask_on_a_terminal(monkeypatch, *args, answers="A Title\n")
    assert code == 2
    assert problem in one_error_line(err)
    assert out == ""


def test_interactive_new_through_a_real_terminal(workspace: Path) -> None:
    """The program run as a user runs it, its standard input a terminal: a wrong series is
    asked again, and the brief holds every answer."""
    controller, terminal = pty.openpty()
    settings = termios.tcgetattr(terminal)
    settings[3] &= ~termios.ECHO  # the test reads the program's output, not its own typing
    termios.tcsetattr(terminal, termios.TCSANOW, settings)
    os.write(controller, b"Terminal Brief\nnope\ncpd-perspectives\nAna\n\n\n2024-05-01\n")
    try:
        done = subprocess.run([sys.executable, "-m", "briefkit", "new"], stdin=terminal,
                              capture_output=True, text=True, timeout=60, check=False)
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error: unknown series 'nope'" in done.stdout
    assert done.stdout.count("Series (") == 2
    meta = meta_of(workspace / "briefs" / "terminal-brief.md")
    assert (meta["title"], meta["series"], str(meta["date"])) == (
        "Terminal Brief", "cpd-perspectives", "2024-05-01")
    assert meta["author"] == [{"name": "Ana", "role": "", "bio": ""}]


def test_unknown_series(workspace: Path) -> None:
    """An unknown series is refused, listing the known ones, in the CLI and the library."""
    code, _out, err = new("T", "no-such-series")
    line = one_error_line(err)
    assert code == 2
    assert "unknown series 'no-such-series'" in line
    assert all(series in line for series in SERIES)
    with pytest.raises(UnknownSeriesError):
        plan_brief(load_workspace(), request(series="no-such-series"))


def test_malformed_series_definition(workspace: Path) -> None:
    """A malformed definition stops `new` with one line naming the file."""
    bad = workspace / "templates" / "series" / "broken.toml"
    bad.write_text('title = "Broken"\n', encoding="utf-8")
    code, _out, err = new("T")
    assert code == 2
    assert "broken.toml: missing required field" in one_error_line(err)
    with pytest.raises(SeriesDefinitionError, match="broken"):
        plan_brief(load_workspace(), request())


def test_bad_author_pairing_and_date(workspace: Path) -> None:
    """More roles than authors and a date that is not ISO are usage errors."""
    with pytest.raises(UsageError, match="2 --role values for 1 --author"):
        pair_authors(["A"], ["r1", "r2"], [])
    code, _out, err = new("T", "cpd-perspectives", "--date", "2024-13-01")
    assert code == 2
    assert "--date must be an ISO date" in one_error_line(err)
    code, _out, err = new("T", "cpd-perspectives", "--number", "0")
    assert code == 2
    assert "--number must be 1 or more" in one_error_line(err)


def test_new_from_a_subfolder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from briefs/, the brief still goes to the workspace's briefs folder."""
    monkeypatch.chdir(workspace / "briefs")
    code, out, err = new("From Inside")
    assert code == 0, err
    assert out.startswith("wrote briefs/from-inside.md:")
    assert (workspace / "briefs" / "from-inside.md").is_file()
    assert not (workspace / "briefs" / "briefs").exists()


def test_workspace_template_overrides_bundled(workspace: Path) -> None:
    """A workspace's own new/brief.md.jinja is used instead of the bundled one, sandboxed."""
    own = workspace / "templates" / "new" / "brief.md.jinja"
    own.write_text("{{ front_matter }}\nOur house form, number {{ number }}.\n", encoding="utf-8")
    scaffold = plan_brief(load_workspace(), request())
    assert scaffold.text.endswith("\nOur house form, number 7.\n")
    own.write_text("{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"brief\.md\.jinja: template error"):
        plan_brief(load_workspace(), request())
    own.write_text("{{ undefined_name }}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"brief\.md\.jinja: template error"):
        plan_brief(load_workspace(), request())


def pandoc_read(path: Path) -> tuple[dict[str, object], str]:
    """Read ``path`` with the real pandoc, citeproc and the workspace bibliography; fail on any
    warning. Return the JSON document and pandoc's stderr."""
    completed = subprocess.run(
        [pypandoc.get_pandoc_path(), path.name, "--from", "markdown", "--to", "json",
         "--citeproc", "--fail-if-warnings", "--verbose"],
        cwd=path.parent, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "[WARNING]" not in completed.stderr
    return json.loads(completed.stdout), completed.stderr


@pytest.mark.parametrize("series", SERIES)
def test_pandoc_reads_the_scaffold_without_warnings(workspace: Path, series: str) -> None:
    """pandoc with --citeproc and the workspace bibliography reads each scaffold cleanly."""
    code, _out, err = new("{{ 7*7 }}: the Reset", series, "--slug", "pandoc")
    assert code == 0, err
    document, log = pandoc_read(workspace / "briefs" / "pandoc.md")
    assert "references.bib" in log
    meta = document["meta"]
    assert isinstance(meta, dict)
    title = "".join(part.get("c", " ") for part in meta["title"]["c"])
    assert title == "{{ 7*7 }}: the Reset"
    divs = [block["c"][0][1] for block in document["blocks"]  # type: ignore[attr-defined]
            if block["t"] == "Div"]
    assert ["series-blurb"] in divs
    assert ["unchecked", "prompt"] in divs
