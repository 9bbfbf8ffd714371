"""Front matter: splitting, errors with lines, and safe serialisation."""

from __future__ import annotations

import datetime as dt

import pytest

from briefkit.brief.frontmatter import dump_front_matter, meta_date, split_front_matter
from briefkit.errors import InputError


def test_body_line_counts_the_front_matter() -> None:
    """The body starts on the line after the closing fence, counted from 1."""
    text = "---\ntitle: A\nnumber: 3\n---\n\nBody\n"
    front = split_front_matter(text)
    assert front.meta == {"title": "A", "number": 3}
    assert front.body_line == 5
    assert text[front.body_offset:] == "\nBody\n"


def test_dots_close_the_block_and_no_front_matter_is_fine() -> None:
    """A '...' fence closes the block; a brief without one starts at line 1."""
    assert split_front_matter("---\na: 1\n...\nx").meta == {"a": 1}
    assert split_front_matter("# Title\n").body_line == 1


def test_invalid_yaml_names_the_line() -> None:
    """A YAML error is an InputError pointing at the line in the brief."""
    with pytest.raises(InputError, match=r"brief.md:3: front matter is not valid YAML"):
        split_front_matter("---\ntitle: A\nbad: [1, 2\n---\n", path="brief.md")


def test_unclosed_and_non_mapping_front_matter() -> None:
    """An unclosed block and a list instead of fields are errors."""
    with pytest.raises(InputError, match="never closed"):
        split_front_matter("---\ntitle: A\n")
    with pytest.raises(InputError, match="mapping"):
        split_front_matter("---\n- a\n- b\n---\n")


def test_dump_round_trips_hostile_values() -> None:
    """Titles with colons, quotes and template syntax survive a dump and reload unchanged."""
    meta = {"title": 'A: "b" {{ 7*7 }}', "keywords": ["x", "y: z"], "number": 6}
    assert split_front_matter(dump_front_matter(meta) + "\nbody").meta == meta


@pytest.mark.parametrize(
    ("value", "expected"),
    [(dt.date(2017, 3, 1), dt.date(2017, 3, 1)), ("2021-02-15", dt.date(2021, 2, 15)),
     (dt.datetime(2020, 1, 2, 3, 4), dt.date(2020, 1, 2)), ("spring", None), (None, None)],
)
def test_meta_date(value: object, expected: dt.date | None) -> None:
    """Dates come as YAML dates, datetimes or ISO strings; anything else is None."""
    assert meta_date(value) == expected
