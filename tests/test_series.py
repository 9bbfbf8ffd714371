"""Series definitions, ordinals, the briefs of each series, and the `series` command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefkit.brief.series import (
    BriefInfo,
    briefs_in_series,
    get_series,
    load_all_series,
    next_number,
    ordinal_word,
    series_blurb,
)
from briefkit.cli import app
from briefkit.errors import InputError, SeriesDefinitionError, UnknownSeriesError
from briefkit.workspace import load_workspace

BUNDLED = ("charting-a-new-course", "cpd-perspectives", "rebuilding-a-complex-partnership")
MINIMAL = """\
title = "Test Series"
organization = "Test Org"
year = 2024
form = "brief"
boilerplate = "The Test Org studies tests."
volume_note = "The briefs will be published as a volume."
blurb = 'This brief is the {ordinal} of our series "{title}."'
sections = ["Introduction", "Recommendations"]
citation_style = "chicago-author-date"
"""


def write_brief(root: Path, name: str, series: str, number: int | None, date: str = "2024-01-01",
                title: str | None = None) -> Path:
    """Write a minimal brief with the given front matter into the workspace's briefs folder."""
    lines = ["---", f"title: {title or name}", f"series: {series}", f"date: {date}"]
    if number is not None:
        lines.append(f"number: {number}")
    path = root / "briefs" / f"{name}.md"
    path.write_text("\n".join([*lines, "author:", "  - name: A. Writer", "---", "", "Text.", ""]),
                    encoding="utf-8")
    return path


def write_definition(root: Path, series_id: str, text: str) -> Path:
    """Write a series definition into the workspace's own templates folder."""
    path = root / "templates" / "series" / f"{series_id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def clear_briefs(root: Path) -> None:
    """Remove the example briefs so a test sees only the briefs it writes."""
    for path in (root / "briefs").glob("*.md"):
        path.unlink()


@pytest.mark.parametrize(
    ("number", "word"),
    [(1, "first"), (2, "second"), (3, "third"), (5, "fifth"), (6, "sixth"), (8, "eighth"),
     (9, "ninth"), (11, "eleventh"), (12, "twelfth"), (19, "nineteenth"), (20, "twentieth"),
     (21, "twenty-first"), (22, "twenty-second"), (23, "twenty-third"), (40, "fortieth"),
     (58, "fifty-eighth"), (99, "ninety-ninth"), (100, "100th"), (101, "101st"), (102, "102nd"),
     (103, "103rd"), (111, "111th"), (112, "112th"), (113, "113th"), (121, "121st")],
)
def test_ordinal_words(number: int, word: str) -> None:
    """Ordinals are words up to ninety-ninth, then digits with the right suffix."""
    assert ordinal_word(number) == word


def test_ordinal_rejects_zero() -> None:
    """There is no zeroth brief."""
    with pytest.raises(ValueError, match="starts at 1"):
        ordinal_word(0)


def test_bundled_series_are_loaded(workspace: Path) -> None:
    """The three house series load with their ids, forms and citation styles."""
    found = load_all_series(load_workspace())
    assert sorted(found) == list(BUNDLED)
    assert found["cpd-perspectives"].form == "perspectives"
    assert found["cpd-perspectives"].organization == "USC Center on Public Diplomacy"
    assert found["cpd-perspectives"].title == "CPD Perspectives on Public Diplomacy"
    assert found["charting-a-new-course"].citation_style == "chicago-author-date"
    assert found["rebuilding-a-complex-partnership"].year == 2021


@pytest.mark.parametrize(
    ("series_id", "seed"),
    [("charting-a-new-course", "wilson-2017-leveraging-the-relationship.txt"),
     ("rebuilding-a-complex-partnership", "mexico-institute-2021-reset.txt")],
)
def test_mexico_institute_text_is_the_seeds_wording(workspace: Path, series_id: str,
                                                    seed: str) -> None:
    """Series title, volume note and boilerplate are worded exactly as in the seed page."""
    series = get_series(load_workspace(), series_id)
    text = " ".join((workspace / "seeds" / seed).read_text(encoding="utf-8").split())
    assert f'series "{series.title}." {series.volume_note}' in text
    assert series.boilerplate in text
    assert series.institute == "Mexico Institute"


def test_blurb_matches_the_seed_for_the_fifth_brief(workspace: Path) -> None:
    """The blurb for number 5 is the sentence of the fifth brief of the 2017 series."""
    series = get_series(load_workspace(), "charting-a-new-course")
    seed = (workspace / "seeds" / "wilson-2017-leveraging-the-relationship.txt").read_text(
        encoding="utf-8")
    assert series_blurb(series, 5) in seed
    assert series_blurb(series, 6).startswith("This policy brief is the sixth of our series")


def test_workspace_definition_overrides_bundled(workspace: Path) -> None:
    """A workspace definition with a bundled id replaces the bundled one."""
    shared = workspace / "templates"
    assert shared.resolve() != (Path(__file__).parents[1] / "templates").resolve()
    path = shared / "series" / "charting-a-new-course.toml"
    path.write_text(MINIMAL.replace("Test Series", "Our Own Course"), encoding="utf-8")
    series = get_series(load_workspace(), "charting-a-new-course")
    assert series.title == "Our Own Course"
    assert series.path == path.resolve()


def test_adding_a_series_is_adding_a_file(workspace: Path) -> None:
    """A new TOML file is a new series; optional fields fall back to their defaults."""
    write_definition(workspace, "test-series", MINIMAL)
    series = get_series(load_workspace(), "test-series")
    assert series.short_title == "Test Series"
    assert series.institute == "Test Org"
    assert series.sections == ("Introduction", "Recommendations")
    assert series_blurb(series, 2) == 'This brief is the second of our series "Test Series."'


def test_unknown_series_lists_known_ones(workspace: Path) -> None:
    """An unknown id names itself and every known series."""
    with pytest.raises(UnknownSeriesError) as caught:
        get_series(load_workspace(), "nope")
    assert "'nope'" in str(caught.value)
    for series_id in BUNDLED:
        assert series_id in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (MINIMAL.replace('year = 2024', 'year = 2024\nform2 = = "x"'), ":4: not valid TOML"),
        (MINIMAL.replace('organization = "Test Org"\n', ""),
         "missing required field 'organization'"),
        (MINIMAL.replace("year = 2024", 'year = "2024"'), ':3: year: must be a whole number'),
        (MINIMAL.replace("year = 2024", "year = true"), "year: must be a whole number, not a bool"),
        (MINIMAL.replace('form = "brief"', 'form = "pamphlet"'), ":4: form: unknown form"),
        (MINIMAL.replace('sections = ["Introduction", "Recommendations"]', 'sections = "Intro"'),
         "sections: must be a list"),
        (MINIMAL.replace('sections = ["Introduction", "Recommendations"]', "sections = []"),
         "at least one section"),
        (MINIMAL.replace('"chicago-author-date"', '"mla"'), "citation_style: unknown style"),
        (MINIMAL + 'colour = "blue"\n', ":10: unknown field 'colour'"),
        (MINIMAL.replace("{ordinal}", "{author}"), "field {author} is not allowed"),
        (MINIMAL.replace("{title}", "{title.__class__}"), "field {title.__class__} is not allowed"),
        (MINIMAL.replace("{ordinal}", "{0}"), "field {0} is not allowed"),
        (MINIMAL.replace("{ordinal}", "{ordinal!r}"), "field {ordinal!r} is not allowed"),
        (MINIMAL.replace("{ordinal}", "{ordinal"), "not a valid format string"),
        (MINIMAL + '[prompts]\n"Conclusion" = "x"\n', "'Conclusion' is not one of the sections"),
    ],
)
def test_malformed_definition_names_the_file(workspace: Path, text: str, fragment: str) -> None:
    """Bad TOML, missing or unknown fields, wrong types and bad blurbs name file and problem."""
    path = write_definition(workspace, "broken", text)
    with pytest.raises(SeriesDefinitionError) as caught:
        load_all_series(load_workspace())
    assert str(caught.value).startswith(str(path.resolve()))
    assert fragment in str(caught.value)


def test_definition_file_name_must_be_an_id(workspace: Path) -> None:
    """A file name that is not a series id is refused, naming the file."""
    write_definition(workspace, "Bad Name", MINIMAL)
    with pytest.raises(SeriesDefinitionError, match=r"Bad Name\.toml: the file name must be"):
        load_all_series(load_workspace())


def test_malformed_definition_through_the_cli(workspace: Path) -> None:
    """`briefkit series` reports a malformed definition in one line and exits 2."""
    write_definition(workspace, "broken", MINIMAL.replace("year = 2024", "year = 2024 2025"))
    result = CliRunner().invoke(app, ["series"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "broken.toml:3: not valid TOML" in lines[0]


def test_briefs_grouped_and_sorted(workspace: Path) -> None:
    """Briefs are grouped by series and sorted by number, unnumbered ones last by date."""
    clear_briefs(workspace)
    write_brief(workspace, "c", "charting-a-new-course", 3)
    write_brief(workspace, "a", "charting-a-new-course", 1)
    write_brief(workspace, "late", "charting-a-new-course", None, date="2024-05-01")
    write_brief(workspace, "early", "charting-a-new-course", None, date="2024-02-01")
    write_brief(workspace, "r", "rebuilding-a-complex-partnership", 1)
    (workspace / "briefs" / "notes.md").write_text("No front matter.\n", encoding="utf-8")
    groups = briefs_in_series(load_workspace())
    assert sorted(groups) == ["charting-a-new-course", "rebuilding-a-complex-partnership"]
    charting = groups["charting-a-new-course"]
    assert [info.path.stem for info in charting] == ["a", "c", "early", "late"]
    assert charting[0].authors == ("A. Writer",)
    assert charting[0].date == dt.date(2024, 1, 1)


def test_unreadable_front_matter_is_an_input_error(workspace: Path) -> None:
    """A brief whose front matter is not YAML stops the listing with its name."""
    bad = workspace / "briefs" / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.md"):
        briefs_in_series(load_workspace())


def test_malformed_number_is_an_input_error(workspace: Path) -> None:
    """A number that is not a positive whole number is named with its brief."""
    bad = workspace / "briefs" / "six.md"
    bad.write_text("---\ntitle: Six\nseries: charting-a-new-course\nnumber: six\n---\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"six\.md:4: number: must be a whole number"):
        briefs_in_series(load_workspace())


def info(number: int | None) -> BriefInfo:
    """A brief of the test series with only a number."""
    return BriefInfo(Path("x.md"), "x", number, None, "s", ())


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [([], 1), ([1, 2, 3, 4, 5], 6), ([1, 2, 5], 6), ([None, None, None], 4), ([1, 2, None], 4),
     ([7], 8)],
)
def test_next_number(numbers: list[int | None], expected: int) -> None:
    """The next number follows the highest; each unnumbered brief counts as one more."""
    assert next_number([info(number) for number in numbers]) == expected


def test_series_command_lists_briefs_aligned(workspace: Path) -> None:
    """`briefkit series` lists every series with its briefs; an empty series says so."""
    clear_briefs(workspace)
    write_brief(workspace, "first", "charting-a-new-course", 1, date="2017-03-01",
                title="The First Brief")
    write_brief(workspace, "tenth", "charting-a-new-course", 10, date="2017-09-01",
                title="Tenth")
    write_brief(workspace, "stray", "unlisted-series", None, title="Stray")
    result = CliRunner().invoke(app, ["series"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cpd-perspectives: CPD Perspectives on Public Diplomacy")
    assert lines[1] == "  (no briefs yet)"
    first = lines.index("   1  2017-03-01  The First Brief  briefs/first.md")
    assert lines[first + 1] == "  10  2017-09-01  Tenth            briefs/tenth.md"
    assert "unlisted-series: no definition in templates/series/" in lines
    assert "   -  2024-01-01  Stray            briefs/stray.md" in lines
    assert "rebuilding-a-complex-partnership: Re-Building" in result.stdout
