"""Front matter checked against its schema, through every command that reads it.

A bad field is a ``frontmatter-invalid`` finding of `check` at the field's line, and a one-line
``error: …`` (exit 2) for `series`, `render` and `volume`; a number used twice in a series is a
``series-duplicate-number`` finding naming both briefs. No input gives a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefkit.brief.frontmatter import split_front_matter
from briefkit.cli import app
from briefkit.errors import InputError

BRIEF = "briefs/the-workaround-and-the-reset.md"
SERIES = "rebuilding-a-complex-partnership"
# An alias bomb: ten aliases of ten aliases ... expands to 10^5 strings from a few lines.
BOMB = ("bomb0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"bomb{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 5))
        + "title: *a4\n")


def run(*args: str) -> tuple[int, str, str]:
    """Run the command line in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    assert not isinstance(result.exception, (MemoryError, RecursionError)), result.exception
    return result.exit_code, result.stdout, result.stderr


def one_error_line(stderr: str) -> str:
    """The single `error: …` line a failing command prints."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


def set_field(root: Path, key: str, value: str, *, path: str = BRIEF) -> int:
    """Replace the value of ``key`` in the front matter of ``path``; return the field's line."""
    target = root / path
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[index] = f"{key}: {value}\n"
    target.write_text("".join(lines), encoding="utf-8")
    return index + 1


def sarif_results(*args: str) -> tuple[int, list[dict[str, object]]]:
    """`check --format sarif`: the exit code and the results as (rule, uri, line, message)."""
    code, out, _err = run("check", *args, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    return code, [
        {"rule": r["ruleId"], "message": r["message"]["text"],
         "uri": r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         "line": r["locations"][0]["physicalLocation"]["region"]["startLine"]}
        for r in results
    ]


BAD_FIELDS = [
    ("date", "2022-02-30", "date"),
    ("date", "2021-13-01", "date"),
    ("date", "not-a-date", "date"),
    ("date", "2022-02-15T10:00:00+99:00", "date"),
    ("number", "0", "number"),
    ("number", "two", "number"),
    ("number", "true", "number"),
    ("title", "[a, list]", "title"),
    ("lang", "'not a language!'", "lang"),
    ("keywords", "{a: 1}", "keywords"),
]


@pytest.mark.parametrize(("key", "value", "named"), BAD_FIELDS)
def test_check_reports_a_bad_field_at_its_line(
    workspace: Path, key: str, value: str, named: str
) -> None:
    """`check` gives a frontmatter-invalid error at the line of the bad field."""
    if key == "lang":
        (workspace / BRIEF).write_text((workspace / BRIEF).read_text(encoding="utf-8").replace(
            "series:", "lang: en\nseries:", 1), encoding="utf-8")
    line = set_field(workspace, key, value)
    code, results = sarif_results(BRIEF)
    assert code == 1
    found = [r for r in results if r["rule"] == "frontmatter-invalid"]
    assert len(found) == 1, results
    assert found[0]["line"] == line
    assert str(found[0]["message"]).startswith(f"{named}:")


@pytest.mark.parametrize(("key", "value", "named"), BAD_FIELDS)
def test_series_render_and_volume_name_the_bad_field(
    workspace: Path, key: str, value: str, named: str
) -> None:
    """`series`, `render` and `volume` stop with one line naming the brief, line and field."""
    if key == "lang":
        (workspace / BRIEF).write_text((workspace / BRIEF).read_text(encoding="utf-8").replace(
            "series:", "lang: en\nseries:", 1), encoding="utf-8")
    line = set_field(workspace, key, value)
    for args in (["series"], ["render", BRIEF, "--to", "html"],
                 ["render", BRIEF, "--to", "html", "--no-check"],
                 ["volume", SERIES, "--to", "html"]):
        code, _out, err = run(*args)
        assert code == 2, (args, err)
        error = one_error_line(err.replace("warning: --no-check: quotes and figures are not "
                                           "checked\n", ""))
        assert f"{BRIEF}:{line}: {named}:" in error, (args, error)
    assert not (workspace / "build").exists() or not list((workspace / "build").iterdir())


@pytest.mark.parametrize("value", ["2022-02-15", "'2022-02-15'", "2022-02-15T10:30:00+01:00",
                                   "2022-02-15 10:30:00"])
def test_valid_date_forms_pass(workspace: Path, value: str) -> None:
    """YAML dates, date strings and timestamps with a real offset are accepted."""
    set_field(workspace, "date", value)
    code, results = sarif_results(BRIEF)
    assert code == 0, results
    code, out, err = run("series")
    assert code == 0, err
    assert "2022-02-15  The Workaround and the Reset" in out


@pytest.mark.parametrize("value", ["Ana Reyes", "[Ana Reyes, Luis Soto]",
                                   "[{name: Ana Reyes, affiliation: Mexico Institute}]"])
def test_author_forms_pass(workspace: Path, value: str) -> None:
    """An author may be a name, a list of names or a list of mappings with a name."""
    set_field(workspace, "author", value)
    text = (workspace / BRIEF).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True)
             if not line.startswith(("  - name:", "    role:", "    bio:"))]
    (workspace / BRIEF).write_text("".join(lines), encoding="utf-8")
    code, results = sarif_results(BRIEF)
    assert code == 0, results


def test_author_without_a_name_is_reported(workspace: Path) -> None:
    """An author mapping without a name is an error at the author's line."""
    text = (workspace / BRIEF).read_text(encoding="utf-8").replace("  - name: Ana Lucía Reyes\n"
                                                                   "    role:", "  - role:")
    (workspace / BRIEF).write_text(text, encoding="utf-8")
    code, results = sarif_results(BRIEF)
    found = [r for r in results if r["rule"] == "frontmatter-invalid"]
    assert code == 1
    assert len(found) == 1 and found[0]["line"] == 5
    assert "author" in str(found[0]["message"]) and "name" in str(found[0]["message"])


def test_unknown_series_is_a_check_error(workspace: Path) -> None:
    """A series that no definition provides is an error at its line, listing the known ones."""
    line = set_field(workspace, "series", "no-such-series")
    code, results = sarif_results(BRIEF)
    found = [r for r in results if r["rule"] == "series-unknown"]
    assert code == 1
    assert len(found) == 1 and found[0]["line"] == line
    assert "no-such-series" in str(found[0]["message"])
    assert "charting-a-new-course" in str(found[0]["message"])


def make_duplicate(root: Path) -> Path:
    """A second brief of the series with the same number as the example brief."""
    copy = root / "briefs" / "a-second-reset.md"
    copy.write_text((root / BRIEF).read_text(encoding="utf-8").replace(
        'title: "The Workaround and the Reset"', 'title: "A Second Reset"'), encoding="utf-8")
    return copy


def test_duplicate_number_is_a_check_error_naming_both(workspace: Path) -> None:
    """Two briefs with one number in a series: an error on each, naming the other."""
    make_duplicate(workspace)
    code, results = sarif_results()
    found = [r for r in results if r["rule"] == "series-duplicate-number"]
    assert code == 1
    assert sorted(str(r["uri"]) for r in found) == ["briefs/a-second-reset.md", BRIEF]
    assert all(r["line"] == 9 for r in found)
    by_uri = {r["uri"]: str(r["message"]) for r in found}
    assert "briefs/a-second-reset.md" in by_uri[BRIEF]
    assert BRIEF in by_uri["briefs/a-second-reset.md"]
    code, results = sarif_results(BRIEF)
    assert [r["uri"] for r in results if r["rule"] == "series-duplicate-number"] == [BRIEF]


def test_duplicate_number_stops_series_render_and_volume(workspace: Path) -> None:
    """`series`, `render` and `volume` refuse a duplicate number with one line naming both."""
    make_duplicate(workspace)
    for args in (["series"], ["volume", SERIES, "--to", "html"],
                 ["render", BRIEF, "--to", "html"]):
        code, _out, err = run(*args)
        assert code == 2, (args, err)
        error = one_error_line(err)
        assert "number 2" in error and "a-second-reset.md" in error, error
        assert "the-workaround-and-the-reset.md" in error, error


def test_alias_bomb_is_refused(workspace: Path) -> None:
    """Front matter whose aliases expand without bound is refused with one line."""
    text = (workspace / BRIEF).read_text(encoding="utf-8")
    (workspace / BRIEF).write_text(text.replace('title: "The Workaround and the Reset"\n', BOMB),
                                   encoding="utf-8")
    for args in (["check", BRIEF], ["series"], ["render", BRIEF, "--to", "html"],
                 ["volume", SERIES, "--to", "html"]):
        code, _out, err = run(*args)
        assert code == 2, (args, err)
        assert "aliases" in one_error_line(err), err


def test_small_aliases_are_fine() -> None:
    """An alias used a few times (a shared author list) is read as plain data."""
    text = "---\nx: &who [Ana, Luis]\nauthor: *who\n---\n"
    assert split_front_matter(text).meta["author"] == ["Ana", "Luis"]


def test_front_matter_size_is_limited() -> None:
    """Front matter larger than the limit is refused, naming its size."""
    text = "---\nsummary: " + "word " * 40_000 + "\n---\n"
    with pytest.raises(InputError, match="front matter is"):
        split_front_matter(text, path="big.md")


def test_skeleton_prompts_are_draft_warnings_at_their_lines(workspace: Path) -> None:
    """A fresh skeleton checks with a draft-prompt warning at each prompt's opening line."""
    code, _out, err = run("new", "Fresh Draft", "--series", SERIES, "--author", "Ana",
                          "--date", "2022-03-01")
    assert code == 0, err
    text = (workspace / "briefs" / "fresh-draft.md").read_text(encoding="utf-8")
    expected = [n for n, line in enumerate(text.splitlines(), start=1)
                if line.startswith("::: {.unchecked .prompt}")]
    code, results = sarif_results("briefs/fresh-draft.md")
    assert code == 0
    assert [r["line"] for r in results if r["rule"] == "draft-prompt"] == expected
    assert len(expected) == 5
