"""The quotation grammar and matcher, on the real seed texts."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefkit.claims.normalize import Normalized, fold, normalize
from briefkit.claims.quotes import ELLIPSIS_SPAN, QuoteMatch, match_quote, parse_quote

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ONEIL = "oneil-2017-mexican-standoff.txt"
CPD = "sarukhan-cpd-perspectives-mexico.txt"
FA2022 = "sarukhan-2022-foreign-affairs.txt"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


@cache
def seed(name: str) -> Normalized:
    """A seed's comparison key (read from the repository's seeds/ at test time)."""
    return normalize((SEEDS / name).read_text(encoding="utf-8"))


def check(quote: str, name: str = ONEIL, *, fuzzy: bool = True) -> QuoteMatch:
    """Match ``quote`` against the seed ``name``."""
    return match_quote(quote, seed(name), fuzzy=fuzzy)


def verified(quote: str, name: str = ONEIL) -> bool:
    """True when ``quote`` verifies against the seed ``name``."""
    return check(quote, name).verdict == "verified"


def matched_text(match: QuoteMatch, name: str) -> str:
    """The original source text a match points at, whitespace collapsed."""
    return " ".join(seed(name).original[match.start:match.end].split())


# Verbatim and near misses ----------------------------------------------------------------------


def test_verbatim_quote_verifies_at_its_place() -> None:
    """O'Neil: “the worst trade deal in history” verifies and points at that passage."""
    match = check("the worst trade deal in history")
    assert match.verdict == "verified"
    assert match.score == 100.0
    assert matched_text(match, ONEIL) == "the worst trade deal in history"


def test_added_word_is_a_mismatch_with_the_source_wording() -> None:
    """An added word fails; the nearest passage and a word difference are reported."""
    match = check("the worst trade deal in the history")
    assert match.verdict == "mismatch"
    assert match.suggestion == "the worst trade deal in history"
    assert "“the”" in match.message and "added" in match.message
    assert match.detail == "quote:  … trade deal in the history\nsource: … trade deal in history"
    assert matched_text(match, ONEIL) == "the worst trade deal in history"


def test_changed_word_is_a_mismatch() -> None:
    """“hurting us economically” is not “killing us economically”."""
    match = check("hurting us economically")
    assert match.verdict == "mismatch"
    assert match.suggestion == "killing us economically"
    assert match.message == "misquoted: wording changed: “hurting” → “killing”"


def test_dropped_word_is_a_mismatch() -> None:
    """Leaving a word out without an ellipsis is an error."""
    match = check("the worst deal in history")
    assert match.verdict == "mismatch"
    assert "dropped" in match.message and "trade" in match.message


def test_swapped_digits_are_a_number_change() -> None:
    """“$153 billion in 1993” against “$135 billion in 1993” is a changed number."""
    assert verified("from around $135 billion in 1993")
    match = check("from around $153 billion in 1993")
    assert match.verdict == "mismatch"
    assert match.message == "misquoted: number differs: “153” → “135”"
    assert match.suggestion == "from around $135 billion in 1993"


def test_one_digit_changed_in_a_figure_is_a_number_change() -> None:
    """CPD: “$1.4 billion dollars a day” verifies; “$1.7 billion” is a number change."""
    assert verified("$1.4 billion dollars a day", CPD)
    match = check("$1.7 billion dollars a day", CPD)
    assert match.verdict == "mismatch"
    assert match.message == "misquoted: number differs: “1.7” → “1.4”"
    assert match.detail is not None and "$1.7 billion" in match.detail
    assert "$1.4 billion" in match.detail


def test_a_number_is_quoted_whole() -> None:
    """A quotation may not start or end inside a number: “4 billion” is not in “$1.4 billion”."""
    assert not verified("4 billion dollars a day", CPD)
    assert not verified("United States trade $1", CPD)
    assert not verified("United States trade $1.", CPD)
    assert verified("United States trade $1.4 billion", CPD)


def test_number_word_change_is_a_number_change() -> None:
    """A changed number word counts as a changed number."""
    assert verified("the two countries diplomatically detached")
    match = check("the three countries diplomatically detached")
    assert match.verdict == "mismatch"
    assert match.message == "misquoted: number differs: “three” → “two”"


def test_unrelated_text_is_not_found() -> None:
    """Nothing like the quotation in the source: not found, no position."""
    match = check("a completely unrelated sentence about penguins and glaciers")
    assert match.verdict == "not-found"
    assert (match.start, match.end, match.suggestion) == (-1, -1, None)


def test_without_fuzzy_a_near_miss_is_only_not_found() -> None:
    """``fuzzy=False`` answers "is it there?" without looking for the nearest passage."""
    match = check("the worst trade deal in the history", fuzzy=False)
    assert match.verdict == "not-found" and match.suggestion is None
    assert check("the worst trade deal in history", fuzzy=False).verdict == "verified"


# Allowed silently ------------------------------------------------------------------------------


def test_first_letter_case_is_free() -> None:
    """The first letter's case may change; any other letter's may not."""
    assert verified("The worst trade deal in history")
    assert not verified("the Worst trade deal in history")


def test_end_punctuation_inside_the_closing_mark() -> None:
    """A closing . , ; : ! ? may stand where the source has other punctuation or none."""
    assert verified("the worst trade deal in history.")
    assert verified("killing us economically.")
    assert verified("killing us economically!")
    assert verified("the worst trade deal in history,")


def test_internal_punctuation_change_is_an_error() -> None:
    """Punctuation inside the quotation must match."""
    match = check("the worst trade deal, in history")
    assert match.verdict == "mismatch"
    assert "punctuation" in match.message


def test_straight_curly_single_and_double_quotes() -> None:
    """Nested quotes may be straight or curly, single or double."""
    assert verified("called NAFTA “the worst trade deal in history”")
    assert verified('called NAFTA "the worst trade deal in history"')
    assert verified("called NAFTA 'the worst trade deal in history'")
    assert verified("called NAFTA ‘the worst trade deal in history’")
    assert verified("it is the 'best of times' and the 'worst of times'!", CPD)


@pytest.mark.parametrize("dash", ["—", " — ", "--", " -- ", " - ", "---", " – "])
def test_dash_and_space_style(dash: str) -> None:
    """CPD “terms—and what motivations”: any dash style verifies."""
    assert verified(f"in concrete terms{dash}and what motivations public opinion", CPD)


def test_a_dropped_or_replaced_dash_is_an_error() -> None:
    """A dash is punctuation: leaving it out or making it a comma fails."""
    assert not verified("in concrete terms and what motivations", CPD)
    assert not verified("in concrete terms, and what motivations", CPD)


def test_line_breaks_and_spaces_in_the_quotation() -> None:
    """Line breaks and runs of spaces in a quotation do not matter."""
    assert verified("the worst trade\ndeal  in\n   history")


def test_hyphen_at_a_line_break_is_read_both_ways() -> None:
    """CPD “inward-\\nlooking” and “intelligence-\\ngathering” verify with or without hyphen."""
    assert verified("a jingoistic, inward-looking, protective", CPD)
    assert verified("intelligence-gathering capabilities and practices", CPD)
    assert verified("intelligencegathering capabilities", CPD)
    source = normalize("the best prac-\ntices of the trade")
    assert match_quote("the best practices of", source).verdict == "verified"


def test_hyphen_inside_a_line_is_significant() -> None:
    """A space for a hyphen fails, and a source hyphen inside a line must be quoted."""
    match = check("a jingoistic, inward looking, protective", CPD)
    assert match.verdict == "mismatch"
    assert match.suggestion == "a jingoistic, inward-looking, protective"
    dropped = check("Westphalianbased outlook", CPD)
    assert dropped.verdict == "mismatch"
    assert dropped.message == "hyphenation differs from the source"
    assert dropped.suggestion == "Westphalian-based outlook"
    assert not verified("the U.S. Mexican security relationship")
    assert verified("the U.S.-Mexican security relationship")


def test_quoted_hyphen_needs_a_source_hyphen() -> None:
    """A hyphen in the quotation where the source has none is an error."""
    assert not verified("the worst trade-deal in history")


def test_footnote_callouts_may_be_left_out() -> None:
    """CPD “country,2 are” and “intermestic”3—rooted” match without the callout digits."""
    assert verified("Consulates in either country, are using Twitter accounts", CPD)
    assert verified("Consulates in either country,2 are using", CPD)
    match = check("truly become “intermestic”—rooted in the domestic politics", CPD)
    assert match.verdict == "verified"
    assert "intermestic”3—rooted" in matched_text(match, CPD)


def test_digits_of_the_quotation_are_never_skipped() -> None:
    """A quotation's own digits must match: a wrong callout or a dropped figure fails."""
    assert not verified("Consulates in either country,3 are using", CPD)
    assert not verified("United States trade $ billion dollars a day", CPD)
    assert not verified("United States trade billion dollars a day", CPD)


def test_emphasis_note_is_ignored() -> None:
    """“(emphasis added)” is the author's note, not part of the quotation."""
    assert verified("the worst trade deal in history (emphasis added)")


# Allowed when marked: ellipses -----------------------------------------------------------------


@pytest.mark.parametrize("mark", ["...", " ... ", "…", " … ", ". . .", " [...] ", " […] "])
def test_ellipsis_joins_passages_in_order(mark: str) -> None:
    """Every ellipsis style joins two passages that occur in order."""
    assert verified(f"the worst trade deal in history{mark}killing us economically")


def test_four_dots_across_a_sentence_end() -> None:
    """A period and an ellipsis: the sentence ends, later text follows."""
    assert verified("killing us economically.... He pledged to establish")


def test_passage_after_an_ellipsis_may_change_first_letter_case() -> None:
    """After an ellipsis the next passage may start with a capital."""
    assert verified("the worst trade deal in history ... Killing us economically")


def test_ellipsis_out_of_order_fails() -> None:
    """Passages joined by an ellipsis must be in the source's order."""
    match = check("killing us economically ... the worst trade deal in history")
    assert match.verdict == "mismatch"
    assert "out of order" in match.message


def test_ellipsis_must_omit_a_word() -> None:
    """An ellipsis that stands for nothing is an error."""
    match = check("the worst trade deal ... in history")
    assert match.verdict == "mismatch"
    assert match.message == "an ellipsis must stand for at least one omitted word"


def test_ellipsis_passages_must_be_close() -> None:
    """Passages further apart than the bound do not join."""
    source = seed(ONEIL)
    first = "For most of the twentieth century"
    last = "can be not only salvaged but even deepened"
    gap = source.text.index(last) - source.text.index(first)
    assert gap > ELLIPSIS_SPAN
    match = match_quote(f"{first} ... {last}", source)
    assert match.verdict == "mismatch"
    assert "more than 2,000 characters apart" in match.message


def test_a_source_ellipsis_can_be_quoted() -> None:
    """A source that has an ellipsis of its own matches the same text literally."""
    source = normalize("He said: wait… and then nothing more.")
    assert match_quote("wait… and then nothing", source).verdict == "verified"
    assert match_quote("wait... and then nothing", source).verdict == "verified"


# Allowed when marked: brackets and [sic] -------------------------------------------------------


def test_bracket_glued_to_a_word_stands_for_part_of_it() -> None:
    """[t]he and [T]he stand for the source's first letter."""
    assert verified("[t]he worst trade deal in history")
    assert verified("[T]he worst trade deal in history")
    assert verified("This North American partnership is facing serious [c]hallenges", CPD)


def test_bracket_substitutes_source_words() -> None:
    """[trade] may stand for “North American”, at exactly that place."""
    assert verified("This [trade] partnership is facing serious challenges", CPD)
    assert verified("[The] North American partnership is facing serious challenges", CPD)
    assert verified("This North American partnership is facing [them]", CPD)


def test_bracket_for_nothing_fails() -> None:
    """An insertion must stand for source text: “[ever]” between adjacent words fails."""
    match = check("the worst trade deal [ever] in history")
    assert match.verdict == "mismatch"
    assert "bracketed insertion" in match.message
    assert match.suggestion == "the worst trade deal in history"


def test_bracket_for_too_much_fails() -> None:
    """A bracket stands for a few words, not a sentence."""
    assert not verified("This [partnership] the other nation on both sides of the border", CPD)


def test_bracket_must_sit_where_the_source_text_is() -> None:
    """The passages around a bracket must be adjacent to it in the source."""
    assert not verified("the worst trade deal [ever] killing us economically")


def test_literal_brackets_in_the_source() -> None:
    """A source with brackets of its own matches the same bracketed text."""
    source = normalize("The minister said the [new] agreement was final [sic] and binding.")
    assert match_quote("the [new] agreement was final", source).verdict == "verified"
    assert match_quote("agreement was final [sic] and binding", source).verdict == "verified"


def test_sic_requires_the_word_exactly() -> None:
    """2022: “Democratsbecause [sic]” verifies; a recased or repaired word does not."""
    assert verified("believes Democratsbecause [sic] of what he believed", FA2022)
    assert verified("Democratsbecause [sic] of what he believed", FA2022)
    assert verified("democratsbecause of what he believed", FA2022)
    recased = check("democratsbecause [sic] of what he believed", FA2022)
    assert recased.verdict == "mismatch"
    assert recased.message == "the word before [sic] is not exactly as in the source"
    assert not verified("believes Democrats because [sic] of what", FA2022)


def test_parse_quote_readings() -> None:
    """Marks are read literally first, then as ellipses, then as brackets."""
    readings = parse_quote("[t]he deal ... in history [sic]")
    assert [len(r.segments) for r in readings] == [1, 2, 2]
    last = readings[-1]
    assert last.segments[-1].sic == ((3, 10),)
    assert last.gaps[0] is not None and last.gaps[0].kind == "bracket"
    assert last.gaps[1] is not None and last.gaps[1].kind == "ellipsis"


# Properties ------------------------------------------------------------------------------------


_TOKENS: dict[str, list[re.Match[str]]] = {}


def tokens(name: str) -> list[re.Match[str]]:
    """Whitespace-separated tokens of a seed with their positions."""
    if name not in _TOKENS:
        _TOKENS[name] = list(re.finditer(r"\S+", seed(name).original))
    return _TOKENS[name]


@st.composite
def passages(draw: st.DrawFn, *, least: int = 3, most: int = 25) -> tuple[str, int, int]:
    """A seed name and a verbatim passage of whole tokens (not ending in a broken word)."""
    name = draw(st.sampled_from(SEED_NAMES))
    found = tokens(name)
    first = draw(st.integers(0, len(found) - least))
    count = draw(st.integers(least, min(most, len(found) - first)))
    last = found[first + count - 1]
    assume(not last.group().endswith(("-", "\u2010")))  # "inward-" of "inward-\nlooking"
    return name, found[first].start(), last.end()


def core(passage: str) -> str:
    """The passage's key in lower case, without end punctuation (which a quotation may drop)."""
    return fold(normalize(passage).text).strip().rstrip(".,;:!?").rstrip().lower()


def anywhere(quote: str, source: Normalized) -> bool:
    """True when the quotation's key occurs in the source key, ignoring case."""
    wanted = core(quote)
    return wanted in source.folded.lowered or wanted in source.without_callouts.text.lower()


@settings(max_examples=200, deadline=None)
@given(passages())
def test_any_verbatim_passage_verifies(drawn: tuple[str, int, int]) -> None:
    """A passage copied from a seed verifies and points at text with the same key."""
    name, a, b = drawn
    source = seed(name)
    quote = source.original[a:b]
    match = match_quote(quote, source)
    assert match.verdict == "verified", (quote, match)
    found = fold(normalize(source.original[match.start:match.end]).text).strip()
    wanted = fold(normalize(quote).text).strip()
    assert found[1:] == wanted[1:] and found[:1].lower() == wanted[:1].lower()


_WORDISH = re.compile(r"[A-Za-z]{2,}")


@settings(max_examples=200, deadline=None)
@given(passages(least=3), st.data())
def test_changing_one_word_never_verifies(drawn: tuple[str, int, int],
                                          data: st.DataObject) -> None:
    """Replacing one word of a verbatim passage by another word is never verified."""
    name, a, b = drawn
    source = seed(name)
    quote = source.original[a:b]
    words = list(_WORDISH.finditer(quote))
    assume(words)
    target = data.draw(st.sampled_from(words))
    other = data.draw(st.sampled_from([m.group() for m in _WORDISH.finditer(source.original)]))
    assume(other.lower() != target.group().lower())
    changed = quote[:target.start()] + other + quote[target.end():]
    assume(not anywhere(changed, source))
    assert match_quote(changed, source).verdict != "verified", changed


@st.composite
def figures(draw: st.DrawFn) -> tuple[str, str, str]:
    """A seed name, a passage with a digit, and the passage with that digit changed."""
    name = draw(st.sampled_from(SEED_NAMES))
    source = seed(name).original
    digits = [m.start() for m in re.finditer(r"\d", source)]
    assume(digits)
    at = draw(st.sampled_from(digits))
    found = tokens(name)
    index = next(i for i, m in enumerate(found) if m.end() > at)
    lo = max(0, index - draw(st.integers(0, 6)))
    hi = min(len(found) - 1, index + draw(st.integers(0, 6)))
    a, b = found[lo].start(), found[hi].end()
    digit = draw(st.sampled_from([d for d in "0123456789" if d != source[at]]))
    return name, source[a:b], source[a:at] + digit + source[at + 1:b]


@settings(max_examples=200, deadline=None)
@given(figures())
def test_changing_one_digit_never_verifies(drawn: tuple[str, str, str]) -> None:
    """Changing one digit of a passage is never verified, and a near miss names a number."""
    name, original, changed = drawn
    source = seed(name)
    assume(not anywhere(changed, source))
    match = match_quote(changed, source)
    assert match.verdict != "verified", (original, changed)
    explained = match.verdict == "mismatch" and match.message.startswith("misquoted")
    if explained and core(match.suggestion or "") == core(original):
        assert "number" in match.message, (changed, match.message)


@st.composite
def two_passages(draw: st.DrawFn) -> tuple[str, str, str]:
    """A seed name and two passages in source order with at least one word between them."""
    name = draw(st.sampled_from(SEED_NAMES))
    found = tokens(name)
    first = draw(st.integers(0, len(found) - 12))
    one = draw(st.integers(3, 5))
    skip = draw(st.integers(1, 40))
    two = draw(st.integers(3, 5))
    assume(first + one + skip + two <= len(found))
    text = seed(name).original
    head, tail = found[first:first + one], found[first + one + skip:first + one + skip + two]
    assume(not head[-1].group().endswith("-") and not tail[-1].group().endswith("-"))
    skipped = found[first + one:first + one + skip]
    assume(any(any(c.isalnum() for c in t.group()) for t in skipped))  # an ellipsis omits words
    return (name, text[head[0].start():head[-1].end()], text[tail[0].start():tail[-1].end()])


@settings(max_examples=200, deadline=None)
@given(two_passages())
def test_ellipsis_between_passages_in_order_verifies(drawn: tuple[str, str, str]) -> None:
    """Two passages in source order joined by an ellipsis verify."""
    name, first, second = drawn
    source = seed(name)
    assume(len(source.text) > 0)
    match = match_quote(f"{first} ... {second}", source)
    assert match.verdict == "verified", (first, second, match)


def occurrences(passage: str, source: Normalized) -> int:
    """How often the passage's key occurs in the source key (ignoring case)."""
    wanted = core(passage)
    return max(source.folded.lowered.count(wanted),
               source.without_callouts.text.lower().count(wanted))


@settings(max_examples=200, deadline=None)
@given(two_passages())
def test_ellipsis_between_swapped_passages_fails(drawn: tuple[str, str, str]) -> None:
    """The same two passages in the wrong order never verify."""
    name, first, second = drawn
    source = seed(name)
    assume(occurrences(first, source) == 1 and occurrences(second, source) == 1)
    assume(not anywhere(f"{second} {first}", source))
    assert match_quote(f"{second} ... {first}", source).verdict != "verified", (first, second)


# Reports a person can act on -------------------------------------------------------------------

# 50 words of O'Neil's first paragraph, across three sentences.
FIFTY = ("Obliviousness and neglect from the north was met with resentment and, at times, "
         "outright hostility from the south, leaving the two countries diplomatically detached. "
         "Yet as the twenty-first century approached, this wariness began to fade, replaced by "
         "cooperation and even something resembling friendship. The détente began in the early "
         "1990s")


def fixed(match: QuoteMatch, name: str = ONEIL) -> bool:
    """True when the suggestion, quoted instead, verifies against the seed ``name``."""
    return match.suggestion is not None and verified(match.suggestion, name)


def test_fifty_words_are_fifty_words() -> None:
    """The long quotation below is 50 words and verifies as it is."""
    assert len(FIFTY.split()) == 50
    assert verified(FIFTY)


@pytest.mark.parametrize(("quote", "message"), [
    (FIFTY.replace("outright hostility", "open hostility"),
     "misquoted: wording changed: “open” → “outright”"),
    (FIFTY.replace("outright hostility", "hostility"), "misquoted: words dropped: “outright”"),
    (FIFTY.replace("outright hostility", "outright and open hostility"),
     "misquoted: words added: “and open”"),
    (FIFTY.replace("the north", "the North"),
     "misquoted: capitalisation differs: “North” → “north”"),
    (FIFTY.replace("Yet as", "yet as"), "misquoted: capitalisation differs: “yet” → “Yet”"),
    (FIFTY.replace("Obliviousness", "Ignorance"),
     "misquoted: wording changed: “Ignorance” → “Obliviousness”"),
    (FIFTY.replace("friendship", "partnership"),
     "misquoted: wording changed: “partnership” → “friendship”"),
    (FIFTY.replace("1990s", "1980s"), "misquoted: number differs: “1980s” → “1990s”"),
    (FIFTY.replace("the two countries", "the three countries"),
     "misquoted: number differs: “three” → “two”"),
])
def test_one_change_in_fifty_words_is_named_alone(quote: str, message: str) -> None:
    """One change in a long quotation is reported alone, with the quotation's own span (no
    words of the neighbouring sentences) as the suggestion, which verifies when pasted back."""
    match = check(quote)
    assert match.verdict == "mismatch"
    assert match.message == message
    assert match.suggestion == FIFTY
    assert fixed(match)
    assert matched_text(match, ONEIL) == FIFTY
    assert match.detail is not None and "  " not in match.detail.replace("quote:  ", "")
    assert " ." not in match.detail and " ," not in match.detail  # no token spacing


def test_a_changed_number_is_a_number_difference() -> None:
    """“the past 35 years” against “the past 25 years”: the number, and the source's wording."""
    match = check("During the past 35 years, connections between the two countries have "
                  "proliferated at the state and local levels as well.")
    assert match.message == "misquoted: number differs: “35” → “25”"
    assert match.suggestion == ("During the past 25 years, connections between the two countries "
                                "have proliferated at the state and local levels as well.")
    assert fixed(match)


def test_a_quotation_ending_mid_sentence_suggests_only_its_span() -> None:
    """A quotation that stops inside a sentence gets the source's words up to there only."""
    match = check("Mexico needs to venture outside the Beltway and deepen its already strong "
                  "connections")
    assert match.message == "misquoted: wording changed: “strong” → “rich”"
    assert match.suggestion == ("Mexico needs to venture outside the Beltway and deepen its "
                                "already rich connections")
    assert match.detail == ("quote:  … deepen its already strong connections\n"
                            "source: … deepen its already rich connections")
    assert fixed(match)


def test_punctuation_change_is_named_as_punctuation() -> None:
    """A comma for a semicolon is a punctuation change, shown as written."""
    match = check("Mayors have embraced sister cities and held joint events and conferences, "
                  "San Diego and Tijuana even explored a shared bid")
    assert match.message == "misquoted: punctuation changed: “,” → “;”"
    assert fixed(match)


def test_end_punctuation_of_the_source_is_kept_in_the_suggestion() -> None:
    """A quotation ending with the source's full stop gets a suggestion that keeps it."""
    match = check("Law enforcement officers have trained together and conducted joint exercises.")
    assert match.message == "misquoted: wording changed: “exercises” → “operations”"
    assert match.suggestion == ("Law enforcement officers have trained together and conducted "
                                "joint operations.")
    assert fixed(match)


@pytest.mark.parametrize("quote", [
    "[t]he worst trade deal in history",
    "[T]he best approach would be to avoid confronting Trump . . . by going around him",
    "The best approach would be to avoid confronting Trump ... by going around him",
    "[Mexico] needs to venture outside the Beltway and deepen its already rich connections",
    "Mexico needs to venture outside the Beltway . . . [and its] already rich connections",
])
def test_marked_changes_stay_exact(quote: str) -> None:
    """Ellipses and brackets of the house rules still verify."""
    assert verified(quote)


@pytest.mark.parametrize(("quote", "message", "suggestion"), [
    ("The best approach would be to avoid confronting Trump ... by going behind him",
     "misquoted: wording changed: “behind” → “around”",
     "The best approach would be to avoid confronting Trump ... by going around him"),
    ("[Mexico] needs to venture outside the Beltway and deepen its already strong connections",
     "misquoted: wording changed: “strong” → “rich”",
     "[Mexico] needs to venture outside the Beltway and deepen its already rich connections"),
    ("[t]he worst deal in history", "misquoted: words dropped: “trade”",
     "[t]he worst trade deal in history"),
])
def test_a_misquote_with_marks_keeps_its_marks_in_the_suggestion(
        quote: str, message: str, suggestion: str) -> None:
    """A wrong word beside an ellipsis or a bracket is named; the suggestion is the quotation
    with its marks and the source's words, and verifies."""
    match = check(quote)
    assert (match.message, match.suggestion) == (message, suggestion)
    assert fixed(match)


def test_a_wrong_passage_after_an_ellipsis_is_explained_near_the_first() -> None:
    """A short passage after an ellipsis is compared with the source right after the first."""
    match = check("The best approach would be to avoid confronting Trump ... by going behind him")
    assert matched_text(match, ONEIL) == "by going around him"


def test_emphasis_marks_in_a_plain_text_source_are_transparent() -> None:
    """A plain-text source converted from Markdown keeps emphasis marks and escapes; a quotation
    without them is exact, and a changed word beside them is still an error."""
    source = normalize("“A house divided against itself cannot stand.” I do not expect the "
                       "house to __fall___\\--_but I __do __ expect it will cease to be divided.")
    quote = "I do not expect the house to fall--but I do expect it will cease to be divided."
    assert match_quote(quote, source).verdict == "verified"
    assert match_quote(quote.replace("--", "\u2014"), source).verdict == "verified"
    wrong = match_quote(quote.replace("fall", "stand"), source)
    assert wrong.message == "misquoted: wording changed: “stand” → “fall”"
    assert wrong.suggestion == quote.rstrip(".") + "."
    assert match_quote(wrong.suggestion or "", source).verdict == "verified"
    assert match_quote("I do not expect the house to fall--but I expect it", source).verdict \
        == "mismatch"


def test_a_very_long_quotation_names_each_change() -> None:
    """A quotation of two paragraphs (267 words) with two changed words names both, and its
    suggestion is the source's two paragraphs."""
    text = seed(ONEIL).original
    passage = text[text.index("Since Trump took office"):
                   text.index("And it might work even better")]
    quote = " ".join(passage.split()).replace("insincere", "sincere")
    quote = quote.replace("few options", "some options")
    match = check(quote)
    assert match.message == ("misquoted: wording changed: “sincere” → “insincere”; "
                             "wording changed: “some” → “few”")
    assert match.suggestion == " ".join(passage.split())
    assert fixed(match)
