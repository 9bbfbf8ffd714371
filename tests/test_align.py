"""Aligning claims to the passage that states them, and judging their figures there."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefkit.claims.align import ClaimResult, SourceModel, equal, judge_claim, sentence_spans
from briefkit.claims.figures import extract_figures

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@cache
def model(name: str) -> SourceModel:
    """The alignment model of a seed document."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return SourceModel(text, extract_figures(text, source=True))


def judge(claim: str, name: str = "oneil-2017-mexican-standoff.txt") -> ClaimResult:
    """Judge every figure of ``claim`` against a seed."""
    return judge_claim(claim, extract_figures(claim), model(name))


def outcomes(result: ClaimResult) -> list[tuple[str, str, str | None]]:
    """(figure, outcome, paired source figure) for each figure of a claim."""
    return [(j.figure.text, j.outcome, j.source.text if j.source else None)
            for j in result.judgements]


# The wrong claims of the issue that reported "verified" for the right number about the wrong
# thing, with the source's value for the thing the claim is about.
@pytest.mark.parametrize(("claim", "figure", "source_value"), [
    ("Foreign direct investment in Mexico fell by 25 percent in 2016", "25 percent",
     "20 percent"),
    ("Foreign direct investment in Mexico fell by 40 percent in 2016", "40 percent",
     "20 percent"),
    ("Mexican exporters buy, on average, 25 percent of their inputs from the United States",
     "25 percent", "40 percent"),
    ("Around 11 million Americans of Mexican heritage live in the United States", "11 million",
     "25 million"),
    ("In July, only 24 percent of Mexicans approved of Peña Nieto", "24 percent", "17 percent"),
    ("Trade in goods rose to over $135 billion in 2016", "$135 billion", "$520 billion"),
    ("Between 1990 and 2009, some seven million Mexicans moved north", "2009", "2007"),
    ("Approval of Peña Nieto stood at 27 percent of Mexicans in July", "27 percent",
     "17 percent"),
])
def test_right_number_for_the_wrong_thing_is_contradicted(claim: str, figure: str,
                                                          source_value: str) -> None:
    """Each reported false "verified" is now contradicted, with the value of the passage."""
    result = judge(claim)
    wrong = [j for j in result.judgements if j.figure.text == figure]
    assert [j.outcome for j in wrong] == ["contradicted"]
    assert wrong[0].source is not None and wrong[0].source.text == source_value
    others = [j.outcome for j in result.judgements if j.figure.text != figure]
    assert set(others) <= {"verified"}


@pytest.mark.parametrize("claim", [
    "Foreign direct investment dropped 20% in 2016 as Trump closed in on the nomination",
    "On average, Mexican exporters buy forty percent of their inputs from U.S. suppliers",
    "Nearly 25 million Americans have Mexican heritage",
    "In July, just 17 percent of Mexicans approved of Peña Nieto's performance",
    "Goods trade climbed from $135 billion in 1993 to more than $520 billion in 2016",
    "Some seven million Mexicans settled in the north between 1990 and 2007",
    "López Obrador's approval ratings rose from 11 to 24 percent after Trump's victory",
    "American farmers sell over $18 billion of goods to Mexico every year",
])
def test_paraphrased_correct_claims_verify(claim: str) -> None:
    """Correct claims in an analyst's own words verify, ranges and spans included."""
    result = judge(claim)
    assert result.judgements
    assert [j.outcome for j in result.judgements] == ["verified"] * len(result.judgements), (
        outcomes(result))


def test_swapped_figures_are_both_contradicted() -> None:
    """ "from $520 billion in 1993 to $135 billion in 2016" swaps the source's two values."""
    result = judge("Trade in goods grew from $520 billion in 1993 to $135 billion in 2016")
    assert outcomes(result) == [
        ("$520 billion", "contradicted", "$135 billion"),
        ("1993", "verified", "1993"),
        ("$135 billion", "contradicted", "$520 billion"),
        ("2016", "verified", "2016"),
    ]


def test_swapped_ends_of_a_span_are_contradicted() -> None:
    """ "from 24 percent to 11 percent" reverses the source's "from 11 percent ... to 24"."""
    result = judge("López Obrador's approval ratings went from 24 percent to 11 percent")
    assert [o for _, o, _ in outcomes(result)] == ["contradicted", "contradicted"]


def test_wrong_year_is_contradicted_and_the_value_verified() -> None:
    """ "20 percent in 2015": the percent is right, the year is the source's 2016."""
    result = judge("Foreign direct investment fell by 20 percent in 2015")
    assert outcomes(result) == [("20 percent", "verified", "20 percent"),
                                ("2015", "contradicted", "2016")]


def test_wrong_scale_and_kind_are_contradicted() -> None:
    """Million for billion, and percentage points for percent, are other quantities."""
    assert outcomes(judge("Trade in goods reached $520 million in 2016"))[0][1] == "contradicted"
    points = judge("Foreign direct investment fell by 20 percentage points in 2016")
    assert outcomes(points)[0] == ("20 percentage points", "contradicted", "20 percent")


def test_a_fraction_states_a_percent() -> None:
    """ "a fifth" is 20 percent."""
    result = judge("Foreign direct investment in Mexico dropped by a fifth in 2016")
    assert [o for _, o, _ in outcomes(result)] == ["verified", "verified"]
    assert equal(result.judgements[0].figure, extract_figures("20 percent")[0])


def test_claim_the_source_does_not_make_is_unsupported() -> None:
    """A claim about something the source never discusses is unsupported, not contradicted."""
    result = judge("Remittances to Oaxaca fell by 20 percent in 2016 as wages collapsed")
    assert [o for _, o, _ in outcomes(result)] == ["unsupported", "unsupported"]
    assert result.passage is None
    assert "no passage of the source states this claim" in result.judgements[0].reason


def test_multiplier_and_year_verify_in_a_hard_wrapped_source() -> None:
    """ "quadrupled since 1993" verifies against the CPD text broken over lines."""
    result = judge("Since NAFTA was negotiated in 1993, trade between Mexico and the United States "
                   "has quadrupled", "sarukhan-cpd-perspectives-mexico.txt")
    assert [o for _, o, _ in outcomes(result)] == ["verified", "verified"]


def test_words_in_quotations_do_not_pull_the_alignment() -> None:
    """A quotation leading up to a figure is checked on its own; the figure aligns on its words."""
    claim = ('The two countries trade "$1.4 billion dollars a day of goods across our common '
             'border," and trade between them has quadrupled since 1993')
    quoted = (claim.index('"'), claim.index('," and') + 2)
    figures = [f for f in extract_figures(claim) if f.start > quoted[1]]
    result = judge_claim(claim, figures, model("sarukhan-cpd-perspectives-mexico.txt"),
                         quoted=[quoted])
    assert [j.outcome for j in result.judgements] == ["verified", "verified"]


def test_a_rate_is_not_a_total() -> None:
    """ "a million dollars ... every minute" is not the year's "$584 billion"."""
    result = judge("Bilateral trade in goods and services came to $584 billion in 2015",
                   "wilson-2017-leveraging-the-relationship.txt")
    assert [o for _, o, _ in outcomes(result)] == ["verified", "verified"]


def test_sentences_of_a_source() -> None:
    """Initials and abbreviations end no sentence; sentence ends and blank lines do."""
    text = ("President George H. W. Bush met U.S. officials. Trade grew 5 percent.\n\n"
            "A new paragraph without a period\nNext line.")
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == ["President George H. W. Bush met U.S. officials.", "Trade grew 5 percent.",
                     "A new paragraph without a period\nNext line."]


def text_model(text: str) -> SourceModel:
    """The alignment model of a source written in the test."""
    return SourceModel(text, extract_figures(text, source=True))


COURTS = ("Crime is a federal priority. We have increased our judiciary by 40 percent and we have "
          "increased our prosecutors by 16 percent. The dockets are still full.")


def test_a_clause_break_tells_whose_words_they_are() -> None:
    """Words after "and" belong to the figure of the next clause, in source and claim alike."""
    source = text_model(COURTS)
    reordered = "Federal prosecutors have increased by 16 percent and the judiciary by 40 percent"
    result = judge_claim(reordered, extract_figures(reordered), source)
    assert [o for _, o, _ in outcomes(result)] == ["verified", "verified"]
    swapped = "Federal prosecutors have increased by 40 percent and the judiciary by 16 percent"
    result = judge_claim(swapped, extract_figures(swapped), source)
    assert outcomes(result) == [("40 percent", "contradicted", "16 percent"),
                                ("16 percent", "contradicted", "40 percent")]


@pytest.mark.parametrize(("claim", "verdicts"), [
    ("The corporate rate would come down from 48 to 42 percent", ["verified", "verified"]),
    ("The corporate rate would come down from 46 to 42 percent", ["contradicted", "verified"]),
    ("The corporate rate would come down from 48 to 44 percent", ["verified", "contradicted"]),
    ("The maximum fine would rise from 50,000 to 100,000 dollars", ["verified", "verified"]),
    ("The maximum fine would rise from 50,000 to 150,000 dollars", ["verified", "contradicted"]),
    ("Imports would fall from a potential 16 million to 6 million barrels a day",
     ["verified", "verified"]),
    ("Imports would fall from a potential 16 million to 8 million barrels a day",
     ["verified", "contradicted"]),
])
def test_descending_and_scaled_spans(claim: str, verdicts: list[str]) -> None:
    """Each end of "from 48 to 42 percent", "from 50,000 to 100,000 dollars" and "from 16 million
    to 6 million barrels a day" is a figure of the span's kind, checked on its own."""
    source = text_model(
        "The plan has three parts. The corporate tax rate would be cut from 48 percent to 42 "
        "percent. The maximum penalty for a violator would rise from $50,000 to $100,000. "
        "Oil imports would fall from a potential 16 million barrels a day to 6 million barrels "
        "a day.")
    result = judge_claim(claim, extract_figures(claim), source)
    assert [o for _, o, _ in outcomes(result)] == verdicts


def test_a_claim_may_span_two_sentences_of_the_source() -> None:
    """A figure stated in the next sentence ("that figure … stood at") is found there; a value
    from the first sentence about something else is still contradicted."""
    claim = ("Before NAFTA, Mexican exporters bought just five percent of their inputs from the "
             "United States; today they buy, on average, 40 percent")
    assert [o for _, o, _ in outcomes(judge(claim))] == ["verified", "verified"]
    wrong = claim.replace("just five percent", "just 25 percent")
    assert outcomes(judge(wrong))[0] == ("25 percent", "contradicted", "five percent")


@pytest.mark.parametrize(("claim", "verdicts"), [
    ("The region lets 5 U.S. states and 5 Canadian provinces coordinate on energy",
     ["verified", "verified"]),
    ("The region lets 6 U.S. states and 5 Canadian provinces coordinate on energy",
     ["contradicted", "verified"]),
])
def test_small_counts_in_digits_are_figures(claim: str, verdicts: list[str]) -> None:
    """"5 U.S. states" is a figure, checked against the source's "five U.S. states"."""
    assert [o for _, o, _ in outcomes(judge(claim))] == verdicts


OIL = ("Six years ago, we paid $3.7 billion for imported oil. Last year we spent $36 billion for "
       "imported oil, nearly 10 times as much. And this year we may spend $45 billion.")


@pytest.mark.parametrize(("claim", "verdict", "source_value"), [
    ("This year the nation may spend $45 billion on imported oil", "verified", "$45 billion"),
    ("This year the nation may spend $36 billion on imported oil", "contradicted", "$45 billion"),
    ("Last year the nation spent $36 billion on imported oil", "verified", "$36 billion"),
    ("Last year the nation spent $45 billion on imported oil", "contradicted", "$36 billion"),
    ("Today the nation may spend $45 billion on imported oil", "verified", "$45 billion"),
    ("Today the nation may spend $36 billion on imported oil", "contradicted", "$45 billion"),
])
def test_a_relative_time_binds_like_a_year(claim: str, verdict: str, source_value: str) -> None:
    """"last year" and "this year" tell two amounts of one sentence pair apart."""
    result = judge_claim(claim, extract_figures(claim), text_model(OIL))
    assert outcomes(result) == [(extract_figures(claim)[0].text, verdict, source_value)]


RATES = ("Inflation has been brought down from 12.4 percent to 8.9 percent. Some 8 million people "
         "are out of work, and the average spell lasts 6 months.")


@pytest.mark.parametrize(("claim", "verdicts"), [
    ("Inflation came down to 8.9 percent from 12.4 percent", ["verified", "verified"]),
    ("Inflation came down to 12.4 percent from 8.9 percent", ["contradicted", "contradicted"]),
    ("About 8 million people were unemployed", ["verified"]),
    ("About 6 million people were unemployed", ["contradicted"]),
])
def test_start_and_end_of_a_change_and_durations(claim: str, verdicts: list[str]) -> None:
    """"to Y from X" pairs Y with the source's end and X with its start; a count of people is
    not paired with a count of months."""
    result = judge_claim(claim, extract_figures(claim), text_model(RATES))
    assert [o for _, o, _ in outcomes(result)] == verdicts
    if verdicts == ["contradicted"]:
        assert outcomes(result)[0][2] == "8 million"


TAXES = ("To create new jobs, I propose a one-year tax reduction of $16 billion. Tax revenues "
         "more than doubled since 1976. In 1980 tax revenues increased by $54 billion. I also "
         "propose that future income taxes be reduced by $16.5 billion.")


@pytest.mark.parametrize(("claim", "verdict", "source_value"), [
    ("In 1980 alone, tax revenues rose by $54 billion", "verified", "$54 billion"),
    ("In 1980 alone, tax revenues grew by $45 billion", "contradicted", "$54 billion"),
    ("Ford proposed a one-year tax cut of $16 billion", "verified", "$16 billion"),
    ("Ford proposed a one-year tax cut of $16.5 billion", "contradicted", "$16 billion"),
])
def test_change_verbs_and_compounds(claim: str, verdict: str, source_value: str) -> None:
    """"rose" states "increased" and "cut" states "reduction"; "one-year" tells two tax cuts
    apart though "one" and "year" alone count for nothing."""
    result = judge_claim(claim, extract_figures(claim), text_model(TAXES))
    judged = [o for o in outcomes(result) if o[0].startswith("$")]
    assert judged == [(judged[0][0], verdict, source_value)]


# --- properties ----------------------------------------------------------------------------------

SUBJECTS = ["steel exports", "avocado imports", "auto production", "tourist arrivals",
            "remittance flows", "cement sales", "natural gas shipments", "wheat harvests"]


def synthetic_source(values: list[int], years: list[int]) -> str:
    """A source stating one percent change, with its year, per subject."""
    return " ".join(f"In {year}, {subject} in the region grew by {value} percent."
                    for subject, value, year in zip(SUBJECTS, values, years, strict=False))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(values=st.lists(st.integers(1, 99), min_size=3, max_size=8, unique=True),
       years=st.lists(st.integers(1990, 2020), min_size=8, max_size=8),
       data=st.data())
@example(values=[20, 40, 25], years=[2016] * 8, data=None)
def test_only_the_subjects_own_value_and_year_verify(values: list[int], years: list[int],
                                                     data: st.DataObject | None) -> None:
    """A claim verifies exactly when it gives its subject's own value and year."""
    text = synthetic_source(values, years)
    source = SourceModel(text, extract_figures(text))
    pick = 0 if data is None else data.draw(st.integers(0, len(values) - 1))
    value = values[pick] if data is None else data.draw(st.sampled_from([*values, 100]))
    year = years[pick] if data is None else data.draw(st.sampled_from([years[pick], 2021]))
    claim = f"{SUBJECTS[pick].capitalize()} rose {value}% in {year}"
    result = judge_claim(claim, extract_figures(claim), source)
    expected_right = value == values[pick] and year == years[pick]
    assert result.all_verified is expected_right, (claim, outcomes(result))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(claim=st.text(st.sampled_from("abcdefg 0123456789%$.,"), max_size=80))
def test_verified_means_equal_values(claim: str) -> None:
    """Whatever the claim, a verified figure is paired with a source figure of equal value."""
    result = judge_claim(claim, extract_figures(claim), model("oneil-2017-mexican-standoff.txt"))
    for judgement in result.judgements:
        if judgement.outcome == "verified":
            assert judgement.source is not None
        if judgement.outcome == "contradicted":
            assert judgement.source is not None and not equal(judgement.figure,
                                                              judgement.source)
