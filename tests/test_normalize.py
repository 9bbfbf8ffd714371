"""The comparison key and its offset map."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefkit.claims.normalize import DASH, Normalized, fold, normalize

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
_TEXTS: dict[str, str] = {}
_KEYS: dict[str, Normalized] = {}


def seed_text(name: str) -> str:
    """The text of one seed (read once)."""
    if name not in _TEXTS:
        _TEXTS[name] = (SEEDS / name).read_text(encoding="utf-8")
    return _TEXTS[name]


def seed_key(name: str) -> Normalized:
    """The normalised seed (built once)."""
    if name not in _KEYS:
        _KEYS[name] = normalize(seed_text(name))
    return _KEYS[name]


def key(text: str) -> str:
    """The key of ``text``."""
    return normalize(text).text


def test_quote_marks_have_one_straight_form_per_kind() -> None:
    """Curly and other double quotes become ", single quotes and apostrophes become '."""
    assert key("“best of times” and ‘worst’ — it’s «fine» „so“") == (
        "\"best of times\" and 'worst'" + DASH + "it's \"fine\" \"so\"")
    assert fold(key("“x”")) == fold(key("‘x’"))


@pytest.mark.parametrize("dashed", [
    "trade—after all", "trade — after all", "trade -- after all", "trade--after all",
    "trade---after all", "trade – after all", "trade - after all", "trade―after all",
    "trade—\nafter all", "trade \n— after all", "trade\u00a0—\u00a0after all",
])
def test_every_dash_style_gives_the_same_token(dashed: str) -> None:
    """Em dashes, double and triple hyphens, spaced en dashes and hyphens: one dash token."""
    assert key(dashed) == "trade — after all"


def test_ranges_have_one_form() -> None:
    """A hyphen or en dash between digits is a range: 10-15 and 10–15 share a key."""
    assert key("10-15 years") == key("10–15 years") == key("10-\n15 years") == "10-15 years"


def test_whitespace_runs_become_one_space() -> None:
    """Line breaks, tabs, no-break and thin spaces collapse to one space."""
    assert key("a  b\n\nc\td\u00a0e\u2009f \r\n g") == "a b c d e f g"


def test_soft_hyphens_and_zero_width_characters_are_removed() -> None:
    """Soft hyphens and zero-width characters are not part of the key."""
    assert key("prac\u00adtices wi\u200bth\ufeff") == "practices with"


def test_nfkc_ligatures_and_composed_letters() -> None:
    """Ligatures are expanded and combining accents composed (NFKC)."""
    assert key("ﬁnancial Caldero\u0301n") == "financial Calderón"
    assert key("Calderón") == "Calderón"


def test_case_is_kept() -> None:
    """The key keeps letter case (the first-letter rule belongs to the matcher)."""
    assert key("The Worst") == "The Worst"


def test_line_break_hyphen_reads_both_ways() -> None:
    """A hyphen at a line break is dropped from the key and recorded as a break hyphen."""
    broken = normalize("inward-\nlooking and prac-\ntices")
    assert broken.text == "inwardlooking and practices"
    assert list(broken.break_hyphens) == [6, 22]
    assert list(broken.hard_hyphens) == []
    assert key("inward-looking") == key("inwardlooking") == "inwardlooking"


def test_hard_hyphen_is_recorded_and_a_space_stays_different() -> None:
    """A hyphen inside a line is recorded as hard; "inward looking" keeps its space."""
    hard = normalize("inward-looking U.S.-Mexico")
    assert list(hard.hard_hyphens) == [6, 18]
    assert key("inward looking") != key("inward-looking")


def test_suspended_hyphen_stays_in_the_key() -> None:
    """A hyphen followed by a space ("intelligence- and") is not joining two words."""
    assert key("intelligence- and security") == "intelligence- and security"


def test_cpd_seed_hyphens() -> None:
    """In the CPD seed, "inward-\\nlooking" is a break hyphen and "Westphalian-based" hard."""
    source = seed_key("sarukhan-cpd-perspectives-mexico.txt")
    at = source.text.index("inwardlooking") + len("inward")
    assert source.has_hyphen(at) and at in source.break_hyphens
    hard = source.text.index("Westphalianbased") + len("Westphalian")
    assert hard in source.hard_hyphens


def test_callouts_are_found_and_numbers_are_not() -> None:
    """Digits glued after a word or its punctuation are callouts; "$1.4" and "20th" are not."""
    source = seed_key("sarukhan-cpd-perspectives-mexico.txt")
    found = {source.text[a - 3:b + 1] for a, b in source.callouts}
    assert "ry,2 " in found
    assert 'ic"3 ' in found
    assert "country, are" in source.without_callouts.text
    assert "$1.4 billion" in source.without_callouts.text
    assert "20th century" in source.without_callouts.text


def test_callout_view_maps_back_to_the_key() -> None:
    """Positions in the callout-free view map to the same characters of the key."""
    source = normalize("in either country,2 are using")
    view = source.without_callouts
    at = view.text.index("are")
    assert source.text[view.to_key(at):view.to_key_end(at + 3)] == "are"
    assert view.to_key_end(view.text.index(",") + 1) == source.text.index(",") + 1


def test_end_of_key_maps_to_end_of_original() -> None:
    """``to_original(len(text))`` is ``len(original)``, also after trailing whitespace."""
    for text in ("", "plain", "ends with spaces  \n\n", "—", "a\u00adb", "ﬁ"):
        normalized = normalize(text)
        assert normalized.to_original(len(normalized.text)) == len(text)


def test_original_range_of_a_dash_token_covers_the_dash() -> None:
    """A key range over a dash token maps back to the dash and its spaces."""
    source = normalize("terms—and what")
    start = source.text.index("terms")
    end = source.text.index("and") + 3
    assert source.original_range(start, end) == (0, len("terms—and"))


def test_original_range_does_not_include_dropped_hyphens_at_the_edges() -> None:
    """A passage ending just before a break hyphen does not take the hyphen with it."""
    source = normalize("an inward-\nlooking view")
    start = source.text.index("inward")
    assert source.original[slice(*source.original_range(start, start + 6))] == "inward"
    after = start + 6
    assert source.original[slice(*source.original_range(after, after + 7))] == "looking"


def test_pickle_is_compact_and_round_trips() -> None:
    """A pickled key holds the text, the key and small arrays, not its derived views."""
    source = normalize(seed_text("sarukhan-cpd-perspectives-mexico.txt"))
    assert source.without_callouts.text  # derived views built, then left out of the pickle
    data = pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(source.original.encode()) + len(source.text.encode())
    assert len(data) < 1.5 * size
    back = pickle.loads(data)
    assert back == source
    assert "without_callouts" not in back.__dict__
    assert back.without_callouts.text == source.without_callouts.text


_WORD = re.compile(r"\w+")


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(SEED_NAMES), data=st.data())
def test_offset_map_round_trips_passages(name: str, data: st.DataObject) -> None:
    """The original range of a passage's key range is exactly that passage."""
    text = seed_text(name)
    words = list(_WORD.finditer(text))
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, min(len(words) - 1, first + 30)))
    a, b = words[first].start(), words[last].end()
    passage = normalize(text[a:b]).text
    assume(passage)
    source = seed_key(name)
    ranges = set()
    at = source.text.find(passage)
    while at >= 0:
        ranges.add(source.original_range(at, at + len(passage)))
        at = source.text.find(passage, at + 1)
    assert (a, b) in ranges


@pytest.mark.parametrize(("text", "expected"), [
    ("the house to __fall___\\--_but I __do __ expect", "the house to fall — but I do expect"),
    ("a **bold** and *plain* claim", "a bold and plain claim"),
    ("_Foreign Affairs_, 2017", "Foreign Affairs, 2017"),
    ("the \\[bracketed\\] word", "the [bracketed] word"),
])
def test_markdown_emphasis_left_in_plain_text_is_not_in_the_key(text: str, expected: str) -> None:
    """Emphasis marks at a word's edge, standing marks and backslash escapes are not text."""
    normalized = normalize(text)
    assert normalized.text == expected
    start = normalized.text.index("fall" if "fall" in expected else expected.split()[1])
    assert normalized.original[normalized.to_original(start)] == normalized.text[start]


@pytest.mark.parametrize("text", ["snake_case", "a__b", "2 * 3", "States.* Next", "x_1"])
def test_marks_inside_words_and_lone_asterisks_stay(text: str) -> None:
    """An underscore inside a word and a lone asterisk are text, kept in the key."""
    assert normalize(text).text == text
