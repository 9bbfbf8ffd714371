"""Figures: extraction of every supported form, comparison, and sentence matching."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.claims.figures import (
    Figure,
    extract_figures,
    is_attribution_worthy,
    same_value,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def one(text: str) -> Figure:
    """The single figure in ``text`` (the test fails if there is not exactly one)."""
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def seed(name: str) -> str:
    """The text of a seed document."""
    return (SEEDS / name).read_text(encoding="utf-8")


# (sentence, kind, value, unit, figure text, hedge, high, per)
FORMS = [
    # money
    ("Congress was asked for $1.6 billion.", "money", 1.6e9, "USD", "$1.6 billion", None, None,
     None),
    ("It cost 1.4 billion dollars.", "money", 1.4e9, "USD", "1.4 billion dollars", None, None,
     None),
    ("It cost $1,400 million.", "money", 1.4e9, "USD", "$1,400 million", None, None, None),
    ("It cost $1.4bn.", "money", 1.4e9, "USD", "$1.4bn", None, None, None),
    ("It cost US$1.4 billion.", "money", 1.4e9, "USD", "US$1.4 billion", None, None, None),
    ("It cost €5 million.", "money", 5e6, "EUR", "€5 million", None, None, None),
    ("It cost £2m.", "money", 2e6, "GBP", "£2m", None, None, None),
    ("It cost 300 pesos.", "money", 300.0, "MXN", "300 pesos", None, None, None),
    ("It cost MXN 500.", "money", 500.0, "MXN", "MXN 500", None, None, None),
    ("It cost 50 cents.", "money", 0.5, "USD", "50 cents", None, None, None),
    ("It cost 2 billion Canadian dollars.", "money", 2e9, "CAD", "2 billion Canadian dollars",
     None, None, None),
    ("They trade $1.4 billion dollars a \nday of goods.", "money", 1.4e9, "USD",
     "$1.4 billion dollars", None, None, "day"),
    ("We sell over $18 billion worth of goods to Mexico every year.", "money", 18e9, "USD",
     "$18 billion", "over", None, "year"),
    ("They trade more than a million dollars’ worth of goods and services every minute.",
     "money", 1e6, "USD", "a million dollars", "more than", None, "minute"),
    ("Revenue rose by $250 million per year.", "money", 2.5e8, "USD", "$250 million", None,
     None, "year"),
    ("Costs were $10-15 billion.", "money", 10e9, "USD", "$10-15 billion", None, 15e9, None),
    # percent and points
    ("Inputs: 40% of them.", "percent", 40.0, "", "40%", None, None, None),
    ("Inputs: 40 percent of them.", "percent", 40.0, "", "40 percent", None, None, None),
    ("Inputs: forty per cent of them.", "percent", 40.0, "", "forty per cent", None, None, None),
    ("Inputs: 40 pct of them.", "percent", 40.0, "", "40 pct", None, None, None),
    ("Inflation was 3.1% then.", "percent", 3.1, "", "3.1%", None, None, None),
    ("Less than five percent each.", "percent", 5.0, "", "five percent", "less than", None,
     None),
    ("In July, only 17 percent approved.", "percent", 17.0, "", "17 percent", "only", None,
     None),
    ("Bonds at 4 1/2 per cent were refunded.", "percent", 4.5, "", "4 1/2 per cent", None, None,
     None),
    ("An allowance of five and one half per cent.", "percent", 5.5, "",
     "five and one half per cent", None, None, None),
    ("Rates of 10-15 percent.", "percent", 10.0, "", "10-15 percent", None, 15.0, None),
    ("Growth of 3 percent a year.", "percent", 3.0, "", "3 percent", None, None, "year"),
    ("A rise of 5 percentage points.", "points", 5.0, "", "5 percentage points", None, None,
     None),
    ("A cut of 25 basis points.", "points", 0.25, "", "25 basis points", None, None, None),
    # counts
    ("Almost two million fewer Mexicans.", "count", 2e6, "", "two million", "almost", None,
     None),
    ("They made 5 million jobs.", "count", 5e6, "", "5 million", None, None, None),
    ("Since then, over 140,000 more Mexicans left.", "count", 140000.0, "", "140,000", "over",
     None, None),
    ("Mexico ranked last among 37 nations.", "count", 37.0, "", "37", None, None, None),
    ("They elect more than 3,000 other officials.", "count", 3000.0, "", "3,000", "more than",
     None, None),
    ("It supports some five million U.S.-based jobs.", "count", 5e6, "", "five million", "some",
     None, None),
    ("Some seven million Mexicans settled.", "count", 7e6, "", "seven million", "some", None,
     None),
    ("But around 11 million still reside.", "count", 11e6, "", "11 million", "around", None,
     None),
    ("In addition to nearly 25 million Americans.", "count", 25e6, "", "25 million", "nearly",
     None, None),
    ("Over one million U.S. citizens.", "count", 1e6, "", "one million", "over", None, None),
    ("There were a dozen of them.", "count", 12.0, "", "a dozen", None, None, None),
    ("There were two and a half million people.", "count", 2.5e6, "", "two and a half million",
     None, None, None),
    ("There were a million people.", "count", 1e6, "", "a million", None, None, None),
    ("Last among thirty-seven nations.", "count", 37.0, "", "thirty-seven", None, None, None),
    ("Some 160 millions of capital.", "count", 160e6, "", "160 millions", "some", None, None),
    ("There were 7 1/2 million people.", "count", 7.5e6, "", "7 1/2 million", None, None, None),
    ("There were half a million people.", "count", 5e5, "", "half a million", None, None, None),
    ("A quarter of a million people.", "count", 2.5e5, "", "A quarter of a million", None, None,
     None),
    ("Violence over the last 10-15 years.", "count", 10.0, "", "10-15", None, 15.0, None),
    ("It hired 5 million workers a year.", "count", 5e6, "", "5 million", None, None, "year"),
    # multipliers
    ("A total six times greater than before.", "multiplier", 6.0, "", "six times", None, None,
     None),
    ("Trade has quadrupled.", "multiplier", 4.0, "", "quadrupled", None, None, None),
    ("Negative views have tripled.", "multiplier", 3.0, "", "tripled", None, None, None),
    ("Exports doubled.", "multiplier", 2.0, "", "doubled", None, None, None),
    ("A 3-fold rise.", "multiplier", 3.0, "", "3-fold", None, None, None),
    ("A tenfold rise.", "multiplier", 10.0, "", "tenfold", None, None, None),
    ("It is more than twice as large.", "multiplier", 2.0, "", "twice", "more than", None, None),
    # fractions
    ("Nearly one in ten Mexican citizens.", "fraction", 0.1, "", "one in ten", "nearly", None,
     None),
    ("It dropped by more than a third compared with last year.", "fraction", 1 / 3, "",
     "a third", "more than", None, None),
    ("Nearly half of seniors.", "fraction", 0.5, "", "half", "nearly", None, None),
    ("A two-thirds majority.", "fraction", 2 / 3, "", "two-thirds", None, None, None),
    ("Cut by one-third.", "fraction", 1 / 3, "", "one-third", None, None, None),
    ("Three quarters of the vote.", "fraction", 0.75, "", "Three quarters", None, None, None),
    ("About 1 in 5 adults.", "fraction", 0.2, "", "1 in 5", "about", None, None),
    # measures
    ("A 3,000 km border.", "measure", 3000.0, "km", "3,000 km", None, None, None),
    ("With a 3000 km land border.", "measure", 3000.0, "km", "3000 km", None, None, None),
    ("A 3000km border.", "measure", 3000.0, "km", "3000km", None, None, None),
    ("A 2,000-mile border.", "measure", 2000.0, "mi", "2,000-mile", None, None, None),
    ("An almost 2-thousand-mile contiguous land border.", "measure", 2000.0, "mi",
     "2-thousand-mile", "almost", None, None),
    ("A road of 10 kilometers.", "measure", 10.0, "km", "10 kilometers", None, None, None),
    ("A road of five miles.", "measure", 5.0, "mi", "five miles", None, None, None),
    # years
    ("Negotiated in 1993.", "year", 1993.0, "", "1993", None, None, None),
    ("Refugees to Europe in 2015-16.", "year", 2015.0, "", "2015-16", None, 2016.0, None),
    ("Since the 1990s.", "year", 1990.0, "", "1990s", None, 1999.0, None),
    ("Since the early 90s.", "year", 1990.0, "", "90s", None, 1999.0, None),
    ("In the mid-1990s.", "year", 1990.0, "", "1990s", None, 1999.0, None),
    ("In November 2012.", "year", 2012.0, "", "2012", None, None, None),
]


@pytest.mark.parametrize(("sentence", "kind", "value", "unit", "figure_text", "hedge", "high",
                          "per"), FORMS)
def test_extracts_each_form(sentence: str, kind: str, value: float, unit: str,
                            figure_text: str, hedge: str | None, high: float | None,
                            per: str | None) -> None:
    """Each form gives one figure with exact kind, value, unit, hedge, range, rate and span."""
    figure = one(sentence)
    start = sentence.index(figure_text)
    assert (figure.kind, figure.unit, figure.hedge, figure.high, figure.per) == (
        kind, unit, hedge, high, per)
    assert figure.value == pytest.approx(value, rel=1e-12)
    assert (figure.text, figure.start, figure.end) == (figure_text, start,
                                                      start + len(figure_text))


def test_offsets_index_the_text_across_lines() -> None:
    """Offsets point into the given text even when a figure spans a line break."""
    text = "Trade between them\nreached $584\nbillion dollars in 2015."
    money, year = extract_figures(text)
    assert (money.start, money.end) == (27, 47)
    assert text[money.start:money.end] == "$584\nbillion dollars"
    assert (year.kind, year.start, year.end) == ("year", 51, 55)


def test_common_nouns_are_labels_only_when_capitalised() -> None:
    """ "Act 319" is a label, but "in that case 40 percent" is a figure."""
    assert extract_figures("Under Act 319 and Line 5.") == []
    assert one("In that case 40 percent agreed.").text == "40 percent"


def test_a_year_ago_is_no_rate() -> None:
    """ "a year ago" after an amount is a time, not a rate."""
    assert one("It cost $5 million a year ago.").per is None
    assert one("It cost $5 million a year.").per == "year"


def test_hedge_survives_markdown() -> None:
    """A hedge is found across a Markdown escape or emphasis marks."""
    escaped = one("Trade rose from\naround \\$135 billion.")
    assert (escaped.text, escaped.hedge) == ("$135 billion", "around")
    assert one("It was *about* **$5 million**.").hedge == "about"


def test_figures_are_frozen() -> None:
    """A figure cannot be changed after extraction."""
    figure = one("It cost $5 million.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.value = 6.0  # type: ignore[misc]


@pytest.mark.parametrize("text", [
    "This policy brief is the fifth of our series.",
    "The 102nd anniversary of the Revolution.",
    "A 21st century border.",
    "The twenty-first century.",
    "An agreement (Act 319) on the Colorado River Basin.",
    "Global economic governance in the G20, or elsewhere.",
    "The COVID-19 pandemic.",
    "Since 9/11, there has been an emphasis.",
    "Expulsions under Title 42 continued.",
    "The USMCA replaced NAFTA.",
    "Consulates in either country,2 are using Twitter.",
    "Truly become “intermestic”3—rooted in politics.",
    "As argued on p. 34 of the report.",
    "See Resolution No. 15 of the council.",
    "The meeting started at 10:30 and ended at 3 p.m. sharp.",
    "Notions: 1) a common rising tide.",
    "Notes\n2. In the U.S., Mexico has the most consulates.",
    "Trade grew [@oneil2017standoff, 24].",
    "On June 30 the office closed.",
    "Firms like B2B exporters.",
    "He ran for president a third time.",
    "In the first half of the year.",
    "They cut the deficit in half.",
    "He visited twice.",
    "He is doubling down.",
    "The two countries have five options.",
    "More than half a century ago.",
    "A third-party candidate.",
])
def test_non_figures_extract_nothing(text: str) -> None:
    """Ordinals, identifiers, callouts, numbering, times, dates and small words are no figures."""
    assert extract_figures(text) == []


@pytest.mark.parametrize(("a", "b"), [
    ("five percent", "5 percent"),
    ("two million", "2 million"),
    ("two million", "2,000,000"),
    ("40%", "40 percent"),
    ("40 percent", "forty per cent"),
    ("$1.4 billion", "1.4 billion dollars"),
    ("$1.4 billion", "$1,400 million"),
    ("$1.4bn", "$1.4 billion"),
    ("quadrupled", "four times as large"),
    ("quadrupled", "a fourfold rise"),
    ("one in ten", "1 in 10"),
    ("a third of", "one-third"),
    ("2,000-mile", "2-thousand-mile"),
    ("3,000 km", "3000 km"),
    ("about $520 billion", "over $520 billion"),
    ("10-15 years", "10–15 years"),
    ("thirty-seven nations", "37 nations"),
    ("$1.4 billion a day", "$1.4 billion"),
    ("14 1/2 percent", "14.5 percent"),
    ("fourteen and a half percent", "14.5 percent"),
])
def test_equal_values_written_differently(a: str, b: str) -> None:
    """Different spellings of the same quantity compare equal (hedges aside)."""
    assert same_value(one(a), one(b))
    assert same_value(one(b), one(a))


@pytest.mark.parametrize(("a", "b"), [
    ("$1.4 billion", "$1.7 billion"),
    ("$1.4 billion", "$1.4 million"),
    ("$500 billion", "$520 billion"),
    ("in 2015", "in 2016"),
    ("5 percent", "5 percentage points"),
    ("$2 million", "2 million"),
    ("€5 million", "$5 million"),
    ("10-15 years", "10 years"),
    ("10-15 years", "10-16 years"),
    ("3,000 km", "3,000 miles"),
    ("$5 a day", "$5 a year"),
    ("2015-16", "in 2015"),
    ("the 1990s", "in 1990"),
    ("tripled", "quadrupled"),
    ("a third of", "a quarter of"),
])
def test_near_misses_are_not_equal(a: str, b: str) -> None:
    """A different value, scale, year, kind, unit, range or rate is a different figure."""
    assert not same_value(one(a), one(b))


def test_range_keeps_both_ends() -> None:
    """ "10-15 years" is one figure from 10 to 15."""
    figure = one("over the last 10-15 years")
    assert (figure.kind, figure.value, figure.high) == ("count", 10.0, 15.0)


def test_seed_figures_are_found() -> None:
    """The figures of the O'Neil essay are extracted with their hedges."""
    found = {(f.text, f.hedge) for f in extract_figures(seed("oneil-2017-mexican-standoff.txt"))}
    for expected in [("$135 billion", "around"), ("$520 billion", "over"),
                     ("40 percent", None), ("five percent", "less than"),
                     ("five million", "some"), ("seven million", "some"),
                     ("140,000", "over"), ("11 million", "around"), ("25 million", "nearly"),
                     ("one million", "over"), ("20 percent", None), ("tripled", None),
                     ("37", None), ("two million", "almost"), ("a third", "more than"),
                     ("one in ten", "nearly"), ("17 percent", "only"), ("11 percent", None),
                     ("24 percent", None), ("3,000", "more than"), ("23", None),
                     ("$18 billion", "over"), ("50", None), ("$1.6 billion", None)]:
        assert expected in found


def test_cpd_seed_skips_labels_and_callouts() -> None:
    """The PDF-extracted essay yields its figures but no footnote, act or G20 numbers."""
    figures = extract_figures(seed("sarukhan-cpd-perspectives-mexico.txt"))
    texts = [f.text for f in figures]
    for expected in ["$1.4 billion dollars", "1.4 billion dollars", "quadrupled", "13", "3.1%",
                     "4%", "40 million", "3000 km", "10-15", "90s"]:
        assert expected in texts
    values = {f.value for f in figures if f.kind == "count"}
    assert values == {13.0, 40e6, 10.0, 50.0}  # 50: "Consulates ... in another nation: 50."
    assert [f.per for f in figures if f.kind == "money"] == ["day", "day"]


def test_wilson_seed_figures() -> None:
    """The Wilson brief yields its multiplier, money with rate, and years."""
    figures = extract_figures(seed("wilson-2017-leveraging-the-relationship.txt"))
    summary = [(f.kind, f.value, f.hedge, f.per) for f in figures if f.kind != "year"]
    assert summary == [("multiplier", 6.0, None, None), ("money", 584e9, None, None),
                       ("money", 1e6, "more than", "minute")]


@pytest.mark.parametrize(("kind_text", "expected"), [
    ("$5 million", True),
    ("40 percent", True),
    ("5 percentage points", True),
    ("two million people", True),
    ("3,000 officials", True),
    ("a dozen officials", True),
    ("tripled", True),
    ("one in ten", True),
    ("in 2016", False),
    ("37 nations", False),
    ("3,000 km", False),
])
def test_attribution_worthy(kind_text: str, expected: bool) -> None:
    """Statistics need a citation; years, small counts and measures do not."""
    assert is_attribution_worthy(one(kind_text)) is expected


# --- properties -----------------------------------------------------------------------------

_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelled(n: int, *, british: bool) -> str:
    """``n`` (1 <= n < 1e6) in English words, with "and" after hundreds when ``british``."""
    if n >= 1000:
        rest = n % 1000
        head = spelled(n // 1000, british=british) + " thousand"
        return head + (" " + spelled(rest, british=british) if rest else "")
    if n >= 100:
        rest = n % 100
        joiner = " and " if british else " "
        return _UNITS[n // 100] + " hundred" + (joiner + spelled(rest, british=british)
                                                if rest else "")
    if n >= 20:
        return _TENS[n // 10] + ("-" + _UNITS[n % 10] if n % 10 else "")
    return _UNITS[n]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.booleans())
def test_digits_and_words_give_the_same_value(n: int, british: bool) -> None:
    """A number written with digits and commas or in words extracts to the same value."""
    as_digits = one(f"Growth reached {n:,} percent.")
    as_words = one(f"Growth reached {spelled(n, british=british)} percent.")
    assert as_digits.value == as_words.value == n
    assert same_value(as_digits, as_words)
    if n >= 10:
        assert one(f"We counted {n:,} people.").value == one(
            f"We counted {spelled(n, british=british)} people.").value == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.data())
def test_changing_a_digit_changes_the_value(n: int, data: st.DataObject) -> None:
    """Replacing any one digit of a figure gives a different value."""
    written = f"{n:,}"
    positions = [i for i, char in enumerate(written) if char.isdigit()]
    index = data.draw(st.sampled_from(positions))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != written[index]]))
    changed = written[:index] + digit + written[index + 1:]
    original = one(f"Costs were ${written} million.")
    values = [f.value for f in extract_figures(f"Costs were ${changed} million.")]
    assert values and original.value not in values


@pytest.mark.parametrize(("text", "counts"), [
    ("It lets 5 U.S. states and 5 Canadian provinces coordinate.", [5.0, 5.0]),
    ("A new field is needed every 9 months.", [9.0]),
    ("The 3 largest cities grew.", [3.0]),
    ("Table 5 shows it.", []),
    ("2 of the states agreed.", []),
    ("Item 5 is odd.", []),
    ("The two countries and the five U.S. states.", []),
])
def test_small_counts_in_digits(text: str, counts: list[float]) -> None:
    """Two to nine in digits before a plural noun is a count; in words it is not (in a brief)."""
    assert [f.value for f in extract_figures(text) if f.kind == "count"] == counts


def test_a_source_counts_small_numbers_in_words() -> None:
    """A source's "five U.S. states" is a count a brief's "5 U.S. states" can be checked on."""
    text = "It allows five U.S. states and five Canadian provinces, and two of the states agree."
    found = extract_figures(text, source=True)
    assert [(f.kind, f.value, f.text) for f in found] == [("count", 5.0, "five"),
                                                          ("count", 5.0, "five")]


@pytest.mark.parametrize(("text", "per"), [
    ("Every day, 1.4 billion dollars' worth of goods crosses the border.", "day"),
    ("Each week, about $30 million changes hands.", "week"),
    ("Every day for 20 years, prices rose.", None),
    ("Every year, $5 billion is spent.", None),
])
def test_a_rate_stated_before_its_figure(text: str, per: str | None) -> None:
    """"Every day, $1.4 billion" is a daily amount, like "$1.4 billion a day"."""
    assert extract_figures(text)[0].per == per


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("half a percent", "percent", 0.5),
    ("one-half of one percentage point", "points", 0.5),
    ("half of one percent", "percent", 0.5),
    ("a quarter of a percentage point", "points", 0.25),
    ("three-quarters of a percentage point", "points", 0.75),
])
def test_a_fraction_of_one_percent_or_point(text: str, kind: str, value: float) -> None:
    """A fraction of one percent is a percent, of one percentage point a number of points."""
    assert [(f.kind, f.value, f.text) for f in extract_figures(text)] == [(kind, value, text)]


@pytest.mark.parametrize(("text", "first"), [
    ("from 11.2 billion to almost 60 billion dollars", ("money", 11.2e9)),
    ("rose from 11 to nearly 24 percent", ("percent", 11.0)),
    ("came down from 48 to 42 percent", ("percent", 48.0)),
    ("from a potential 16 million to 6 million barrels a day", ("measure", 16e6)),
    ("the vote was 52 to 48 percent", ("count", 52.0)),
])
def test_the_first_end_of_a_span_takes_its_unit(text: str, first: tuple[str, float]) -> None:
    """The first end of a span whose unit is written once after the second is of that kind;
    a tally ("52 to 48 percent") is read as written."""
    figure = extract_figures(text)[0]
    assert (figure.kind, figure.value) == first


def test_dollars_and_cents_are_one_sum() -> None:
    """ "Four dollars and 25 cents an hour" is $4.25 an hour."""
    (figure,) = extract_figures("Four dollars and 25 cents an hour is no minimum wage.")
    assert (figure.kind, figure.value, figure.per) == ("money", 4.25, "hour")
    assert same_value(figure, one("$4.25 an hour"))


@pytest.mark.parametrize(("text", "found"), [
    ("Border controls are increasing by half.", [("fraction", 0.5)]),
    ("The deficit was cut in half.", []),
])
def test_by_half_is_a_fraction(text: str, found: list[tuple[str, float]]) -> None:
    """ "by half" states a change of 50 percent; "cut in half" is left alone as an idiom."""
    assert [(f.kind, f.value) for f in extract_figures(text)] == found
