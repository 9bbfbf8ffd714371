"""Figures in prose: extraction, canonical values and comparison.

A *figure* is a number together with what it counts or measures: "$1.4 billion" (money, 1.4e9 USD),
"40 percent" (percent, 40), "some five million jobs" (count, 5e6, hedged "some"), "quadrupled"
(multiplier, 4), "one in ten" (fraction, 0.1), "3,000 km" (measure, 3000 km), "2015-16" (year,
2015 to 2016). Equal values written differently compare equal ("two million" = "2 million" =
"2,000,000"); anything else that differs (scale, unit, year, kind) does not.

Extraction scans a lower-cased copy of the text once with one compiled pattern (a trie of the
number words that can start a figure, plus digits) and parses each candidate with anchored
patterns, so a whole source document costs one regular-expression pass plus a little work per
number. Offsets always refer to the text given.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

__all__ = [
    "KINDS",
    "Figure",
    "extract_figures",
    "is_attribution_worthy",
    "same_value",
]

KINDS: Final = ("money", "percent", "points", "count", "multiplier", "fraction", "measure", "year")


@dataclass(frozen=True)
class Figure:
    """One figure found in a text.

    ``value`` is canonical: money in units of the currency (``unit`` an ISO code such as "USD"),
    percent and points as written ("40 percent" is 40), counts and multipliers as plain numbers,
    fractions as their quotient, measures in the unit written (``unit`` "km", "mi", ...), years as
    the year. ``high`` is the upper end of a range ("10-15 years", "2015-16", "the 1990s").
    ``text``/``start``/``end`` cover the figure itself in the original text, without its hedge
    ("about", "more than", ...) and without its rate ``per`` ("day", "year", ...).
    """

    kind: str
    value: float
    unit: str
    text: str
    start: int
    end: int
    hedge: str | None
    high: float | None = None
    per: str | None = None


# --- vocabulary -------------------------------------------------------------------------------

_UNITS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_BIG: Final = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALES: Final = {"hundred": 100, **_BIG}
_ABBREVIATED: Final = {"k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "b": 10**9,
                       "bn": 10**9, "tn": 10**12, "trn": 10**12}
_DENOMINATORS: Final = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
    "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7,
    "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10,
}
_VERB_MULTIPLIERS: Final = {
    "doubled": 2, "doubling": 2, "tripled": 3, "tripling": 3, "trebled": 3, "quadrupled": 4,
    "quadrupling": 4, "quintupled": 5, "halved": 0.5, "twice": 2,
}
_FOLD_WORDS: Final = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                      "eight": 8, "nine": 9, "ten": 10, "hundred": 100, "thousand": 1000}
_CURRENCY_SIGNS: Final = {"$": "USD", "us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD",
                          "mx$": "MXN", "€": "EUR", "£": "GBP", "¥": "JPY"}
_SIGN_ENDS: Final = frozenset(sign[-1] for sign in _CURRENCY_SIGNS)
_SIGNS_LONGEST_FIRST: Final = sorted(_CURRENCY_SIGNS.items(), key=lambda item: -len(item[0]))
_CURRENCY_CODES: Final = ("usd", "eur", "mxn", "cad", "gbp", "jpy", "cny")
_CURRENCY_WORDS: Final = {"dollar": "USD", "dollars": "USD", "peso": "MXN", "pesos": "MXN",
                          "euro": "EUR", "euros": "EUR", "yen": "JPY", "yuan": "CNY",
                          "renminbi": "CNY", "sterling": "GBP", "pounds sterling": "GBP"}
_DOLLAR_COUNTRIES: Final = {"canadian": "CAD", "australian": "AUD"}
_MEASURES: Final = (
    (r"square\s+kilomet(?:er|re)s?|sq\.?\s*km|km2|km²", "km2"),
    (r"square\s+miles?|sq\.?\s*mi", "mi2"),
    (r"kilomet(?:er|re)s?|kms?", "km"),
    (r"miles?|mi", "mi"),
    (r"met(?:er|re)s?", "m"),
    (r"feet|foot|ft", "ft"),
    (r"acres?", "acre"),
    (r"hectares?|ha", "ha"),
    (r"kilograms?|kgs?", "kg"),
    (r"metric\s+tons|tonnes?", "t"),
    (r"tons?", "ton"),
    (r"pounds|lbs?", "lb"),
    (r"barrels?|bbl", "bbl"),
    (r"gallons?", "gal"),
    (r"lit(?:er|re)s?", "l"),
    (r"megawatts?|mw", "MW"),
    (r"gigawatts?|gw", "GW"),
    (r"inch(?:es)?", "in"),
    (r"degrees?", "deg"),
)
_PER_WORDS: Final = {
    "day": "day", "daily": "day", "week": "week", "weekly": "week", "month": "month",
    "monthly": "month", "year": "year", "yearly": "year", "annually": "year", "annum": "year",
    "yr": "year", "hour": "hour", "hourly": "hour", "minute": "minute", "second": "second",
    "quarter": "quarter", "decade": "decade", "capita": "person", "person": "person",
    "head": "person",
}
_MONTHS: Final = frozenset(
    [
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "jan", "jan.", "feb", "feb.", "mar", "mar.", "apr",
        "apr.", "jun", "jun.", "jul", "jul.", "aug", "aug.", "sep", "sep.", "sept", "sept.",
        "oct", "oct.", "nov", "nov.", "dec", "dec."
    ]
)
# Words before a number that make it a label rather than a quantity ("p. 3", "Title 42"); the
# common nouns among them only when capitalised ("Act 319", but "in that case 40 percent").
_LABEL_WORDS: Final = frozenset(
    [
        "title", "article", "art.", "section", "sec.", "chapter", "ch.", "figure", "fig.",
        "table", "no.", "nos.", "p.", "pp.", "page", "pages", "vol.", "volume", "proposition",
        "prop.", "resolution", "route", "highway", "interstate", "flight", "apollo", "appendix",
        "annex", "exhibit", "paragraph", "para.", "clause", "footnote", "docket", "h.r.", "s.",
        "h.res.", "s.res.", "suite", "apt.", "covid", "g",
    ]
)
_CAPITALISED_LABEL_WORDS: Final = frozenset(
    [
        "act", "number", "part", "order", "law", "rule", "room", "amendment", "item", "box",
        "form", "schedule", "line", "note", "case", "bill", "code", "model", "version", "phase",
        "level", "tier", "grade", "class", "district", "region", "unit", "ward", "lot", "block",
        "building", "platform", "gate", "terminal", "channel", "station", "step", "stage",
        "round", "game",
    ]
)
_YEAR_WORDS: Final = frozenset(
    [
        "in", "since", "by", "from", "until", "till", "to", "between", "and", "of", "during",
        "before", "after", "through", "circa", "c.", "year", "fiscal", "fy", "early", "late",
        "mid", "the", "spring", "summer", "fall", "autumn", "winter", "election", "as"
    ]
)
_NOT_BEFORE_FRACTION: Final = frozenset({
    "first", "second", "last", "latter", "other", "better", "final", "past", "next", "previous",
    "coming", "remaining", "consecutive", "the",
})
_HEDGES: Final = (
    "no more than", "no less than", "more than", "less than", "fewer than", "at least",
    "at most", "up to", "close to", "upwards of", "in excess of", "just over", "just under",
    "well over", "well under", "an estimated", "approximately", "roughly", "around", "about",
    "some", "nearly", "almost", "over", "under", "only", "just", "circa",
)

# --- patterns (all applied to the lower-cased text) ------------------------------------------

_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_SCAN_DIGITS: Final = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_CORE: Final = re.compile(rf"(?:{_NUM})(?![0-9])")
_SCALE_AFTER: Final = re.compile(
    r"(?:\s*-\s*|\s+)(hundred|thousand|million|billion|trillion)s?(?![a-z])"
    r"(?:\s+(thousand|million|billion))?(?![a-z])"
)
_ABBR_AFTER: Final = re.compile(r"\s?(bn|mn|mln|tn|trn)(?![a-z])|(k|m|b)(?![a-z0-9])")
_RANGE: Final = re.compile(rf"\s?[-–]\s?(?P<cur>us\$|\$|€|£)?(?P<num>{_NUM})(?![0-9])")
_YEAR_RANGE: Final = re.compile(r"[-–/]([0-9]{4}|[0-9]{2})(?![0-9a-z])")
_DECADE: Final = re.compile(r"['’]?s(?![a-z])")
_POINTS: Final = re.compile(
    r"(?:\s?%|[\s-]+(?:percent|per\s+cent))?[\s-]+percentage[\s-]+points?(?![a-z])"
    r"|(?:\s?%|[\s-]+(?:percent|per\s+cent))[\s-]+points?(?![a-z])"
    r"|\s?(?:p\.p\.|pp)(?![a-z])"
)
_BASIS_POINTS: Final = re.compile(r"[\s-]*(?:basis[\s-]+points?|bps?)(?![a-z])")
_PERCENT: Final = re.compile(r"\s?%|[\s-]*(?:per\s*cent(?:um)?|pct)(?![a-z])")
_MONEY_WORD: Final = re.compile(
    r"(?:\s+|-)(?:(u\.s\.|us|american|canadian|australian|mexican)\s+)?"
    r"(dollars?|pesos?|euros?|cents?|yen|yuan|renminbi|pounds\s+sterling|sterling)(?![a-z])"
)
_TRAILING_DOLLARS: Final = re.compile(r"\s+(?:u\.s\.\s+)?dollars?(?![a-z])")
_MEASURE: Final = re.compile(
    r"(?:\s*-\s*|\s+|(?=[a-z]))(?:"
    + "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _unit) in enumerate(_MEASURES))
    + r")(?![a-z0-9])"
)
_FOLD: Final = re.compile(r"(?:\s*-\s*|\s?)fold(?![a-z])")
_GLUED_X: Final = re.compile(r"x(?![a-z0-9])")
_TIMES: Final = re.compile(
    r"\s+times(?=\s+(?:greater|more|larger|higher|bigger|faster|smaller|lower|less|fewer|as|the"
    r"|that|what|over|its|their|his|her|our|this|those|these)(?![a-z]))"
)
_TWICE_CONTEXT: Final = re.compile(
    r"\s+(?:as|the|that|what|over|its|their|his|her|our|this|those|these|more|many|much"
    r"|greater|larger|higher|bigger|faster)(?![a-z])"
)
_DOWN_AFTER: Final = re.compile(r"\s+down(?![a-z])")
_OF_AFTER: Final = re.compile(r"\s+of(?![a-z])")
_IN_EVERY: Final = re.compile(r"\s+(?:in|out\s+of)\s+(?:every\s+)?")
_FRACTION_AFTER: Final = re.compile(
    r"(\s*-\s*|\s+)(half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?"
    r"|ninths?|tenths?)(?![a-z])"
)
_FRACTION_SCALE: Final = re.compile(
    r"(?:\s+of)?(?:\s+an?)?\s+(hundred|thousand|million|billion|trillion)(?![a-z])"
)
_AND_FRACTION: Final = re.compile(
    r"[\s-]+and[\s-]+(an?|one|two|three)[\s-]+(half|thirds?|quarters?)(?![a-z])"
)
_ARTICLE_AFTER: Final = re.compile(r"\s+an?\s")
_COMPOUND_AFTER: Final = re.compile(r"-[a-z]")
_MIXED: Final = re.compile(
    r"(?:\s(?P<n>[1-9])/(?P<d>[1-9]|1[0-6])|\s?(?P<v>[½¼¾⅓⅔⅛⅜⅝⅞]))(?![0-9/])"
)
_VULGAR: Final = {"½": (1, 2), "¼": (1, 4), "¾": (3, 4), "⅓": (1, 3), "⅔": (2, 3), "⅛": (1, 8),
                  "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8)}
_FRACTION_FOLLOW: Final = re.compile(r"\s+of(?![a-z])|\s*(?:[^\sa-z0-9]|\Z)")
_ORDINAL_AFTER: Final = re.compile(
    r"\s*-\s*(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)(?![a-z])"
)
_WORD_TOKEN: Final = re.compile(r"(\s*-\s*|\s+)?([a-z]+)(?![a-z])")
_PER: Final = re.compile(
    r"(?:['’]s?)?(?P<gap>\s+worth\s+of(?:\s+[a-z]+){0,4}?|(?:\s+[a-z]+){0,2}?)"
    r"\s+(?:(?:a|an|per|each|every)\s+(?P<unit>day|week|month|year|hour|minute|second|quarter"
    r"|decade|capita|person|head|annum)|(?P<adv>annually|daily|weekly|monthly|yearly|hourly))"
    r"(?![a-z])(?!\s+(?:ago|earlier|later|before|after)(?![a-z]))"
    r"|\s*/\s*(?P<slash>yr|year|day|month|week|hour|capita)(?![a-z])"
)
# Markdown may put emphasis marks or an escape between hedge and figure ("*about* \\$5").
_HEDGE: Final = re.compile(
    r"(?<![a-z])(" + "|".join(h.replace(" ", r"\s+") for h in _HEDGES) + r"|~)[*_]*\s*[*_\\]*\Z"
)
_PREVIOUS_WORD: Final = re.compile(
    r"(?<![a-z.])([a-z](?:\.[a-z])+\.?|[a-z]+\.?)\s+\Z|(?<![a-z])([a-z]+)[-–]\Z"
)
_NEXT_WORD: Final = re.compile(r"\s+([a-z]+\.?)")
_PREFIX_BEFORE: Final = re.compile(r"(?<![a-z])(?:mid|pre|post|early|late)[-–]\Z")
_ARTICLE_BEFORE: Final = re.compile(r"(?<![a-z])an?\s+\Z")
_AND_A_BEFORE: Final = re.compile(r"(?<![a-z])and[\s-]+an?[\s-]+\Z")
_HALF_FOLLOW: Final = re.compile(
    r"\s+(?:of|the|its|their|our|his|her|all|that|this|these|those)(?![a-z])"
)
_GLUED_DIGIT: Final = re.compile(r"[/.,:][0-9]")
_CHAIN: Final = re.compile(r"[-–/.,:][0-9]")
_TIME_AFTER: Final = re.compile(r"\s*(?:a\.m\.|p\.m\.|am|pm|o['’]clock)(?![a-z])")
_LINE_NUMBERING: Final = re.compile(r"[.)](?:\s|\Z)")
_SCALE_IN_TEXT: Final = re.compile(
    r"hundred|thousand|million|billion|trillion|dozen|\dbn|\dmn|\dtn|\dk\b", re.IGNORECASE
)

_SMALL_WORDS: Final = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_FOLLOWERS: Final = (
    r"(?:[\s-]+(?:and[\s-]+(?:an?|one|two|three)[\s-]+(?:half|thirds?|quarters?)[\s-]+)?"
    r"(?:hundred|thousand|million|billion|trillion"
    r"|dozen|per|pct|in\s|out\s|times|half|halves|thirds?|quarters?|fourths?|fifths?|sixths?"
    r"|sevenths?|eighths?|ninths?|tenths?|dollars|pesos|euros|cents|fold|km|kilomet|mi\b|miles?"
    r"|square|met(?:er|re)s|feet|acres|hectares|tonnes|tons|barrels|gallons)|fold)"
)
_ANCHOR_WORDS: Final = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "thousand", "million", "billion", "trillion", "dozen", "half", "third",
    "quarter", "fifth", "tenth", *_VERB_MULTIPLIERS, *(word + "fold" for word in _FOLD_WORDS),
)


def _trie(tails: dict[str, str], prefix: str = "") -> str:
    """A pattern matching each word of ``tails`` followed by its tail, shaped as a trie.

    The regular-expression engine skips an alternative whose first literal differs from the
    current character almost for free, so a trie scans several times faster than a flat list.
    """
    words = [word for word in tails if word.startswith(prefix)]
    nexts = sorted({word[len(prefix)] for word in words if len(word) > len(prefix)})
    branches = [re.escape(char) + _trie(tails, prefix + char) for char in nexts]
    if prefix in tails:
        branches.append(tails[prefix])
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# Where figures can start: digits, any number word that can stand alone as a figure ("twenty",
# "tripled"), and one to nine only where a scale, unit or fraction follows ("five million", "one
# in ten"). Digits glued to a letter ("G20") or inside a number ("1,400") never start one.
_SCAN: Final = re.compile(
    "[^a-z0-9.,]"
    + _trie({**dict.fromkeys(_SMALL_WORDS, f"(?={_WORD_FOLLOWERS})"),
             **dict.fromkeys(_ANCHOR_WORDS, "(?![a-z])"),
             **dict.fromkeys("0123456789", "")})
)


# --- extraction -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Number:
    """A parsed number: its value and span, and how it was written."""

    value: float
    start: int
    end: int
    scaled: bool  # a scale word or abbreviation ("million", "bn", "a dozen") applies
    digits: str | None  # the digit token as written; None for number words
    currency: str | None = None


def extract_figures(text: str, *, source: bool = False) -> list[Figure]:
    """Every figure in ``text``, in order of position; offsets index ``text``.

    A ``source`` (a text that claims are checked against) also counts small numbers in words
    before a plural noun ("five U.S. states"), which a brief's "5 U.S. states" may restate.
    """
    low = _lower(text)
    starts = [match.start() + 1 for match in _SCAN.finditer(low)]
    if _SCAN.match(" " + low[:80]):
        starts.insert(0, 0)
    figures: list[Figure] = []
    consumed = 0
    for position in starts:
        if position < consumed:
            continue
        if low[position].isdigit():
            found = _at_digits(text, low, position)
        else:
            found = _at_word(text, low, position)
        if isinstance(found, Figure):
            figures.append(found)
            consumed = found.end
        else:
            consumed = found  # not a figure: skip the token it covers
    if source:
        figures = sorted(figures + _small_word_counts(text, low, figures),
                         key=lambda f: f.start)
    return _spans(text, low, _dollars_and_cents(text, low, figures))


_AND_CENTS: Final = re.compile(r"\s+and\s+\Z")


def _dollars_and_cents(text: str, low: str, figures: list[Figure]) -> list[Figure]:
    """ "Four dollars and 25 cents" is one sum, $4.25."""
    result: list[Figure] = []
    for figure in figures:
        previous = result[-1] if result else None
        if (previous is not None and previous.kind == figure.kind == "money"
                and previous.unit == figure.unit == "USD" and previous.high is None
                and low[previous.start:previous.end].endswith(("dollar", "dollars"))
                and low[figure.start:figure.end].endswith(("cent", "cents")) and figure.value < 1
                and _AND_CENTS.match(low, previous.end, figure.start)):
            result[-1] = Figure("money", round(previous.value + figure.value, 2), "USD",
                                text[previous.start:figure.end], previous.start, figure.end,
                                previous.hedge, None, figure.per)
        else:
            result.append(figure)
    return result


_SMALL_WORD: Final = re.compile(r"\b(two|three|four|five|six|seven|eight|nine)\b")


def _small_word_counts(text: str, low: str, found: list[Figure]) -> list[Figure]:
    """Counts from two to nine in words before a plural noun, outside the figures ``found``."""
    taken = [(f.start, f.end) for f in found]
    counts: list[Figure] = []
    for match in _SMALL_WORD.finditer(low):
        if any(a <= match.start() < b for a, b in taken) or low[match.end():match.end() + 1] == "-":
            continue
        if _plural_follows(low, match.end()):
            counts.append(_figure(text, low, "count", _UNITS[match.group(1)], "", match.start(),
                                  match.end()))
    return counts


# A hedge on the second end of a span: "from 11.2 billion to almost 60 billion dollars".
_SPAN_HEDGE: Final = r"(?:(?:almost|nearly|about|around|roughly|some|over|more\s+than)\s+)?"
# The first end of a span whose unit is written once, after the second: "from 11 to 24 percent",
# "between 10 and 15 percent", "$10 to $15 billion", "2 to 3 million".
_SPAN_START: Final = re.compile(
    r"(?:(?P<lead>from|between)\s+)?(?P<cur>us\$|\$|€|£)?"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?"
    r"|[a-z]+(?:-[a-z]+)?)\s*(?P<join>to|and|-|–)\s*" + _SPAN_HEDGE + r"(?:us\$|\$|€|£)?\Z"
)
_SCALE_WORD: Final = re.compile(r"(hundred|thousand|million|billion|trillion)(?![a-z])"
                                r"|[0-9](bn|mn|tn)(?![a-z])")
_SPAN_KINDS: Final = frozenset({"money", "percent", "points", "measure", "count"})


def _spans(text: str, low: str, figures: list[Figure]) -> list[Figure]:
    """Give the first end of each written-once span the second end's kind, unit and scale."""
    result: list[Figure] = []
    for figure in figures:
        if result and _scaled_start(low, result[-1], figure):
            previous = result[-1]
            result[-1] = Figure(figure.kind, previous.value, figure.unit, previous.text,
                                previous.start, previous.end, previous.hedge, None, figure.per)
            result.append(figure)
            continue
        first = _span_start(text, low, figure, result[-1] if result else None)
        if first is not None:
            if result and result[-1].start == first.start:
                result[-1] = first
            else:
                result.append(first)
        result.append(figure)
    return result


_SPAN_JOIN: Final = re.compile(r"\s*(?:to|-|–)\s*" + _SPAN_HEDGE + r"\Z")


def _scaled_start(low: str, previous: Figure, figure: Figure) -> bool:
    """Whether ``previous`` is a count with its own scale word that opens a span whose unit is
    written once, after ``figure``: "from 16 million to 6 million barrels a day"."""
    return (previous.kind == "count" and figure.kind in _SPAN_KINDS - {"count"}
            and figure.high is None and previous.high is None
            and _SCALE_WORD.search(low, previous.start, previous.end) is not None
            and _SPAN_JOIN.match(low, previous.end, figure.start) is not None)


def _span_start(text: str, low: str, figure: Figure, previous: Figure | None) -> Figure | None:
    if figure.kind not in _SPAN_KINDS or figure.high is not None:
        return None
    match = _SPAN_START.search(low, max(0, figure.start - 24), figure.start)
    if match is None or (match.group("join") == "and" and match.group("lead") != "between"):
        return None
    start = match.start("cur") if match.group("cur") else match.start("num")
    if previous is not None and previous.end > start and not (
            previous.start == start and previous.kind in ("count", figure.kind)):
        return None  # the number before belongs to another figure ("$135 billion in 1993 to")
    value = _span_value(match.group("num"))
    if value is None or (figure.kind == "count" and previous is not None
                         and previous.start == start):
        return None
    scale = _SCALE_WORD.search(low, figure.start, figure.end)
    if value >= 1000:
        scale = None  # "$50,000 to $1 million": a number in thousands takes no scale word
    if scale is not None and not (previous is not None and previous.start == start
                                  and _SCALE_WORD.search(low, previous.start, previous.end)):
        name = scale.group(1) or scale.group(2)
        value *= _SCALES.get(name) or _ABBREVIATED[name]
    if value >= figure.value and match.group("lead") != "from":
        return None  # a span ascends ("52 to 48 percent" is a tally), unless it says "from"
    end = match.end("num")
    return Figure(figure.kind, value, figure.unit, text[start:end], start, end, None,
                  None, figure.per)


def _span_value(token: str) -> float | None:
    if token[0].isdigit():
        return float(Decimal(token.replace(",", "")))
    parsed = _parse_words(token + " ", 0)
    return parsed.value if parsed is not None and parsed.end == len(token) else None


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two; keep those as they are so offsets stay aligned.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _at_digits(text: str, low: str, position: int) -> Figure | int:
    token_end = _SCAN_DIGITS.match(low, position)
    skip = token_end.end() if token_end else position + 1
    core = _CORE.match(low, position)
    if core is None or not _free_before(low, position, skip):
        return skip
    raw = core.group()
    currency, start = _currency_before(low, position)
    if currency is None and _is_label(text, low, position, raw):
        return skip
    number = _mixed(low, _Number(_decimal(raw), start, core.end(), False, raw, currency))
    decade = _decade(text, low, number)
    if decade is not None:
        return decade
    number = _with_scale(low, number)
    high, number = _range(low, number)
    return _classify(text, low, number, high) or skip


def _mixed(low: str, number: _Number) -> _Number:
    """ "14 1/2", "3½": a whole number with a vulgar fraction."""
    raw = number.digits or ""
    match = _MIXED.match(low, number.end) if raw.isdigit() else None
    if match is None:
        return number
    vulgar = match.group("v")
    numerator, denominator = _VULGAR[vulgar] if vulgar else (int(match["n"]), int(match["d"]))
    if numerator >= denominator:
        return number
    return _Number(number.value + numerator / denominator, number.start, match.end(), False,
                   raw + match.group(), number.currency)


def _at_word(text: str, low: str, position: int) -> Figure | int:
    word = _WORD_TOKEN.match(low, position)
    if word is None:
        return position + 1
    name = word.group(2)
    if name in _VERB_MULTIPLIERS:
        return _verb_multiplier(text, low, position, word.end(), name)
    if name.endswith("fold"):
        return _figure(text, low, "multiplier", _FOLD_WORDS[name[:-4]], "", position, word.end())
    if name in _DENOMINATORS:
        return _lone_fraction(text, low, position, word.end(), name)
    start = _article_before(low, position) if name in _SCALES or name == "dozen" else position
    parsed = _parse_words(low, start)
    if parsed is None:
        return word.end()
    return _classify(text, low, parsed, None) or parsed.end


def _decimal(raw: str) -> float:
    return float(Decimal(raw.replace(",", "")))


def _free_before(low: str, position: int, token_end: int) -> bool:
    """False when the digits are glued to something that makes them a label or a callout."""
    if position == 0:
        return True
    before = low[position - 1]
    if before.isalpha():
        return False  # "G20", "country2"
    if before in "’'":
        return _DECADE.match(low, token_end) is not None  # "’90s"; but "'50" is a year, unplaced
    if before in ",.;:)]/#§^”\"*_":
        return _opening(low, position - 1)  # "country,2", "“intermestic”3", "9/11"
    if before in "-–" and position >= 2:
        if low[position - 2].isdigit():
            return False  # the tail of "1-800-555" or a descending "52-48"
        if low[position - 2].isalpha():  # "COVID-19", "G-20"; but "mid-1990s"
            return _PREFIX_BEFORE.search(low, max(0, position - 7), position) is not None
    return True


def _opening(low: str, index: int) -> bool:
    """A quote or emphasis mark that opens rather than closes (nothing word-like before it)."""
    return low[index] in "\"*_" and (index == 0 or low[index - 1].isspace()
                                        or low[index - 1] in "([“‘")


def _currency_before(low: str, position: int) -> tuple[str | None, int]:
    """The currency sign or code written before the digits at ``position``, and where it starts."""
    index = position - 1 if position > 0 and low[position - 1] == " " else position
    mark = low[index - 1] if index > 0 else ""
    if mark in _SIGN_ENDS:
        for sign, code in _SIGNS_LONGEST_FIRST:
            begin = index - len(sign)
            if begin >= 0 and low.startswith(sign, begin) and (
                    len(sign) == 1 or not _alpha_at(low, begin - 1)):
                return code, begin
    elif (mark.isalpha() and index < position and low[index - 3:index] in _CURRENCY_CODES
          and not _alpha_at(low, index - 4)):
        return low[index - 3:index].upper(), index - 3  # "MXN 500"
    return None, position


def _alpha_at(low: str, index: int) -> bool:
    return 0 <= index < len(low) and low[index].isalpha()


def _is_label(text: str, low: str, position: int, raw: str) -> bool:
    """Identifiers, page and list numbers, dates, times of day, citation locators."""
    end = position + len(raw)
    if _TIME_AFTER.match(low, end) or _GLUED_DIGIT.match(low, end):
        return True  # "10:30", "3 p.m.", "9/11", "1.2.3", "12,34"
    previous = _previous_word(low, position)
    if previous in _LABEL_WORDS:
        return True
    if previous in _CAPITALISED_LABEL_WORDS and text[low.rfind(previous, 0, position)].isupper():
        return True
    if "." in raw or "," in raw or int(raw) >= 100:
        return False
    if previous in _MONTHS or _next_word(low, end) in _MONTHS:
        return True  # the day of a date
    return _list_number(low, position, end) or _in_citation(low, position)


def _previous_word(low: str, position: int) -> str:
    """The word just before ``position``, with its period when abbreviated ("p.", "no.")."""
    match = _PREVIOUS_WORD.search(low, max(0, position - 24), position)
    if match is None:
        return ""
    return match.group(1) or match.group(2) or ""


def _next_word(low: str, end: int) -> str:
    match = _NEXT_WORD.match(low, end)
    return match.group(1) if match else ""


def _list_number(low: str, position: int, end: int) -> bool:
    if low.startswith(")", end):
        return True  # "1) a common rising tide", "(2)"
    line_start = low.rfind("\n", 0, position) + 1
    return not low[line_start:position].strip() and bool(_LINE_NUMBERING.match(low, end))


def _in_citation(low: str, position: int) -> bool:
    """A locator inside a pandoc citation such as "[@oneil2017standoff, 24]"."""
    opening = low.rfind("[", max(0, position - 120), position)
    return opening >= 0 and "]" not in low[opening:position] and "@" in low[opening:position]


def _decade(text: str, low: str, number: _Number) -> Figure | None:
    """ "the 1990s", "1990’s", "the early 90s", "’90s" as a year range."""
    raw = number.digits or ""
    if number.currency or not raw.isdigit() or not raw.endswith("0"):
        return None
    suffix = _DECADE.match(low, number.end)
    if suffix is None:
        return None
    if len(raw) == 4 and 1000 <= number.value <= 2090:
        first = number.value
    elif len(raw) == 2 and _two_digit_decade(low, number.start):
        first = number.value + (1900 if number.value >= 20 else 2000)
    else:
        return None
    return _figure(text, low, "year", first, "", number.start, suffix.end(), high=first + 9,
                   hedged=False)


def _two_digit_decade(low: str, start: int) -> bool:
    if start > 0 and low[start - 1] in "’'":
        return True
    return _previous_word(low, start) in ("the", "early", "mid", "late")


def _with_scale(low: str, number: _Number) -> _Number:
    factor, end = _scale_at(low, number.end, number.currency)
    if factor == 1:
        return number
    value = float(Decimal(repr(number.value)) * factor)
    return _Number(value, number.start, end, True, number.digits, number.currency)


def _scale_at(low: str, end: int, currency: str | None) -> tuple[int, int]:
    """The factor of a scale word or abbreviation at ``end`` (1 if none) and where it ends."""
    scale = _SCALE_AFTER.match(low, end)
    if scale is not None:
        factor = _SCALES[scale.group(1)] * (_BIG[scale.group(2)] if scale.group(2) else 1)
        return factor, scale.end()
    abbreviation = _ABBR_AFTER.match(low, end)
    if abbreviation is not None and (abbreviation.group(1) or currency):
        return _ABBREVIATED[abbreviation.group(1) or abbreviation.group(2)], abbreviation.end()
    return 1, end


def _range(low: str, number: _Number) -> tuple[float | None, _Number]:
    """The upper end of a dash range starting at ``number``, and the number's new span.

    "10-15 million" applies the scale to both ends; "2015-16" is a year range; a range must
    ascend ("52-48" is none).
    """
    raw = number.digits or ""
    if _is_year_token(raw) and not number.scaled:
        years = _YEAR_RANGE.match(low, number.end)
        if years is None:
            return None, number
        second = years.group(1)
        high = float(int(raw[:2] + second) if len(second) == 2 else int(second))
        return (high, _with_end(number, years.end())) if high > number.value else (None, number)
    match = _RANGE.match(low, number.end)
    if match is None or _CHAIN.match(low, match.end()) or (
            match.group("cur") and not number.currency):
        return None, number
    factor, end = _scale_at(low, match.end(), number.currency)
    upper = float(Decimal(match.group("num").replace(",", "")) * factor)
    value = number.value
    if factor != 1 and not number.scaled:
        value = float(Decimal(repr(value)) * factor)
    if upper <= value:
        return None, number
    joined = _Number(value, number.start, end, number.scaled or factor != 1, raw, number.currency)
    return upper, joined


def _is_year_token(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and 1000 <= int(raw) <= 2099


def _with_end(number: _Number, end: int) -> _Number:
    return _Number(number.value, number.start, end, number.scaled, number.digits, number.currency)


def _classify(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    """Turn a parsed number into a figure by what follows it, or None when it is no figure."""
    for attempt in (_as_money, _as_percent_or_points, _as_measure, _as_multiplier, _as_fraction):
        figure = attempt(text, low, number, high)
        if figure is not None:
            return figure
    return _as_year_or_count(text, low, number, high)


def _as_money(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    if number.currency:
        trailing = _TRAILING_DOLLARS.match(low, number.end)
        end = trailing.end() if trailing and number.currency == "USD" else number.end
        return _figure(text, low, "money", number.value, number.currency, number.start, end,
                       high=high)
    word = _MONEY_WORD.match(low, number.end)
    if word is None:
        return None
    name = " ".join(word.group(2).split())
    if name.startswith("cent"):
        hundredth = None if high is None else _hundredth(high)
        return _figure(text, low, "money", _hundredth(number.value), "USD", number.start,
                       word.end(), high=hundredth)
    code = _CURRENCY_WORDS[name]
    if code == "USD" and word.group(1) in _DOLLAR_COUNTRIES:
        code = _DOLLAR_COUNTRIES[word.group(1)]
    return _figure(text, low, "money", number.value, code, number.start, word.end(), high=high)


def _hundredth(value: float) -> float:
    return float(Decimal(repr(value)) / 100)


def _as_percent_or_points(text: str, low: str, number: _Number,
                          high: float | None) -> Figure | None:
    points = _POINTS.match(low, number.end)
    if points is not None:
        return _figure(text, low, "points", number.value, "", number.start, points.end(),
                       high=high)
    basis = _BASIS_POINTS.match(low, number.end)
    if basis is not None:
        upper = None if high is None else _hundredth(high)
        return _figure(text, low, "points", _hundredth(number.value), "", number.start,
                       basis.end(), high=upper)
    percent = _PERCENT.match(low, number.end)
    if percent is not None:
        return _figure(text, low, "percent", number.value, "", number.start, percent.end(),
                       high=high)
    return None


def _as_measure(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    match = _MEASURE.match(low, number.end)
    if match is None or match.lastgroup is None:
        return None
    if match.start(match.lastgroup) == number.end and len(match.group(match.lastgroup)) > 3:
        return None  # "3000km" is a way of writing; "3000miles" is not
    unit = _MEASURES[int(match.lastgroup[1:])][1]
    return _figure(text, low, "measure", number.value, unit, number.start, match.end(), high=high)


def _as_multiplier(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    match = _FOLD.match(low, number.end) or _TIMES.match(low, number.end)
    if match is None and number.digits is not None:
        match = _GLUED_X.match(low, number.end)
    if match is None:
        return None
    return _figure(text, low, "multiplier", number.value, "", number.start, match.end(),
                   high=high)


def _as_fraction(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    """ "one in ten", "1 out of every 5", "one-third", "two-thirds", "one half"."""
    if high is not None or number.scaled or number.value != int(number.value):
        return None
    every = _IN_EVERY.match(low, number.end)
    if every is not None:
        whole = _number_at(low, every.end())
        if whole is None or _is_year_token(whole.digits or "") or not (
                1 <= number.value < whole.value):
            return None
        return _figure(text, low, "fraction", number.value / whole.value, "", number.start,
                       whole.end)
    after = _FRACTION_AFTER.match(low, number.end)
    if after is None or number.digits is not None or not 1 <= number.value <= 9:
        return None
    name = after.group(2)
    numerator, denominator = int(number.value), _DENOMINATORS[name]
    if (numerator == 1) == name.endswith("s") or numerator >= denominator:
        return None  # "one thirds", "two third", "five quarters"
    if _FRACTION_SCALE.match(low, after.end()):
        scaled = _scaled_fraction(text, low, number.start, after.end(), numerator, denominator)
        return scaled if isinstance(scaled, Figure) else None
    if "-" not in after.group(1) and not _fraction_stands_alone(low, number.start, after.end()):
        return None
    return _fraction_figure(text, low, number.start, after.end(), numerator, denominator)


def _fraction_stands_alone(low: str, start: int, end: int) -> bool:
    """ "a third of", "a third." and "more than a third" are fractions; "a third time" is not."""
    if _previous_word(low, start) in _NOT_BEFORE_FRACTION:
        return False  # "the first three quarters of 2017"
    return bool(_FRACTION_FOLLOW.match(low, end) or _PERCENT.match(low, end)
                or _hedge(low, start) or _previous_word(low, start) == "by")


def _as_year_or_count(text: str, low: str, number: _Number, high: float | None) -> Figure | None:
    if _ORDINAL_AFTER.match(low, number.end) or _alpha_at(low, number.end):
        return None  # "twenty-first", "21st", "4G"
    raw = number.digits
    if raw is not None and _is_year_token(raw) and not number.scaled:
        previous = _previous_word(low, number.start)
        if number.value >= 1700 or previous in _YEAR_WORDS or previous in _MONTHS:
            return _figure(text, low, "year", number.value, "", number.start, number.end,
                           high=high, hedged=False)
    if number.scaled or high is not None or number.value >= 10 or _small_count(low, number):
        return _figure(text, low, "count", number.value, "", number.start, number.end, high=high)
    return None


# What a small number counts: a plural noun within its next three words ("5 U.S. states"); a
# function word ends the search ("2 of the states" counts nothing here).
_NEXT_WORDS: Final = re.compile(r"\s+([a-z][a-z.'’\-]*)")
_ENDS_SEARCH: Final = frozenset(["of", "the", "and", "or", "to", "in", "on", "at", "a", "an",
                                 "for", "with", "that", "which", "who", "are", "were", "be", "is",
                                 "was", "has", "have", "had", "will", "would", "than", "more",
                                 "less", "as"])
_NOT_PLURAL: Final = frozenset(["this", "was", "has", "does", "goes", "its", "his", "hers", "yes",
                                "less", "unless", "plus", "thus", "always", "perhaps", "across",
                                "whereas", "besides", "news", "series", "means", "species"])


def _small_count(low: str, number: _Number) -> bool:
    """Whether a number from two to nine written in digits counts something: a plural noun
    within its next three words ("5 U.S. states", "every 9 months").

    The same numbers in words are left alone: prose spells small numbers out where they are no
    statistic ("the two countries", "over three years").
    """
    if number.digits is None or not 2 <= number.value <= 9 or number.value != int(number.value):
        return False
    return _plural_follows(low, number.end)


def _plural_follows(low: str, position: int) -> bool:
    """Whether a plural noun comes within the three words after ``position``."""
    for _ in range(3):
        match = _NEXT_WORDS.match(low, position)
        if match is None or match.group(1) in _ENDS_SEARCH:
            return False
        word, position = match.group(1).rstrip("."), match.end()
        if _plural(word):
            return True
    return False


def _plural(word: str) -> bool:
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s"))
            and word not in _NOT_PLURAL)


def _number_at(low: str, position: int) -> _Number | None:
    core = _CORE.match(low, position)
    if core is not None:
        return _Number(_decimal(core.group()), position, core.end(), False, core.group())
    return _parse_words(low, position)


def _article_before(low: str, position: int) -> int:
    """Where "a"/"an" directly before ``position`` starts, else ``position``."""
    match = _ARTICLE_BEFORE.search(low, max(0, position - 6), position)
    return match.start() if match else position


def _parse_words(low: str, start: int) -> _Number | None:
    """The longest well-formed number-word phrase at ``start`` ("two and a half million")."""
    state = _WordState()
    committed: tuple[float, int, bool] | None = None
    position = start
    while (token := _WORD_TOKEN.match(low, position)) is not None:
        if (token.group(1) is None) != (position == start):
            break
        fraction = _AND_FRACTION.match(low, position) if position != start else None
        if fraction is not None and state.add_fraction(fraction.group(1), fraction.group(2)):
            position = fraction.end()
        elif state.take(token.group(2)):
            position = token.end()
        else:
            break
        if state.last not in ("a", "and"):
            committed = (state.total + state.current, position, state.scaled)
    if committed is None:
        return None
    return _Number(committed[0], start, committed[1], committed[2], None)


class _WordState:
    """The running value of a number-word phrase (a small grammar of English numerals)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.current = 0.0
        self.last = ""
        self.last_big = 10**15
        self.scaled = False

    def take(self, word: str) -> bool:
        """Add ``word`` if it can continue the phrase; False (and no change) if it cannot."""
        if word.endswith("s") and word[:-1] in _BIG and self.last in ("unit", "tens", "hundred"):
            word = word[:-1]  # "one hundred and sixty millions"
        kind = self._kind(word)
        if kind is None:
            return False
        if kind == "big":
            self.total += self.current * _BIG[word]
            self.last_big, self.current = _BIG[word], 0.0
        self.scaled = self.scaled or kind in ("hundred", "big", "dozen")
        self.last = kind
        return True

    def add_fraction(self, numerator_word: str, name: str) -> bool:
        """Add "and a half", "and one quarter", "and two thirds" if the phrase allows it."""
        numerator = 1 if numerator_word in ("a", "an") else _UNITS[numerator_word]
        denominator = _DENOMINATORS[name]
        if (numerator == 1) == name.endswith("s") or numerator >= denominator:
            return False
        if self.last in ("unit", "tens", "hundred") and self.current >= 1:
            self.current += numerator / denominator
        elif self.last == "big":
            self.total += numerator / denominator * self.last_big  # "a million and a half"
        else:
            return False
        self.last = "fraction"
        return True

    def _kind(self, word: str) -> str | None:
        last = self.last
        fresh = last in ("", "hundred", "big", "and")
        if word in ("a", "an"):
            if last:
                return None
            self.current = 1.0
            return "a"
        if word in _UNITS and (fresh or (last == "tens" and _UNITS[word] < 10)):
            self.current += _UNITS[word]
            return "unit"
        if word in _TENS and fresh:
            self.current += _TENS[word]
            return "tens"
        if word == "hundred" and last in ("a", "unit", "tens") and 0 < self.current < 100:
            self.current *= 100
            return "hundred"
        if word in _BIG and _BIG[word] < self.last_big and self.current > 0 and last in (
                "a", "unit", "tens", "hundred", "fraction", "dozen"):
            return "big"
        if word == "dozen" and last in ("a", "unit"):
            self.current *= 12
            return "dozen"
        if word == "and" and last in ("unit", "tens", "hundred", "big"):
            return "and"
        return None


def _verb_multiplier(text: str, low: str, start: int, end: int, name: str) -> Figure | int:
    if name == "twice" and _TWICE_CONTEXT.match(low, end) is None:
        return end  # "visited twice", "twice a year"
    if _DOWN_AFTER.match(low, end) or (name.endswith("ing") and not (
            _OF_AFTER.match(low, end) or _previous_word(low, start) in ("a", "the"))):
        return end  # "doubled down"; "doubling" only as "a doubling of"
    return _figure(text, low, "multiplier", _VERB_MULTIPLIERS[name], "", start, end)


# A fraction of one percent or point: "half a percent", "a quarter of a percentage point".
_OF_A_PERCENT: Final = re.compile(
    r"\s+(?:of\s+)?(?:a|an|one)\s+(?:(?P<points>percentage\s+points?)|percent|per\s+cent|%)"
    r"(?![a-z])")


def _lone_fraction(text: str, low: str, position: int, end: int, name: str) -> Figure | int:
    """A fraction word without a numeral: "a third of", "half of", "a quarter million"."""
    start = _article_before(low, position)
    if (start < position or name == "half") and _FRACTION_SCALE.match(low, end):
        return _scaled_fraction(text, low, start, end, 1, _DENOMINATORS[name])
    if _COMPOUND_AFTER.match(low, end) or _previous_word(low, start) in _NOT_BEFORE_FRACTION:
        return end  # "a third-party", "half-hearted", "the first half"
    if _OF_A_PERCENT.match(low, end):
        return _fraction_figure(text, low, start, end, 1, _DENOMINATORS[name])
    if name == "half":
        if _AND_A_BEFORE.search(low, max(0, position - 10), position) or _ARTICLE_AFTER.match(
                low, end):
            return end  # "a year and a half", "half a century"
        if start == position and not _HALF_FOLLOW.match(low, end) and not _hedge(
                low, start) and _previous_word(low, start) != "by":
            return end  # "cut in half"; but "rose by half" is a fraction
    elif start == position or not _fraction_stands_alone(low, start, end):
        return end  # "the third", "a third time"
    return _fraction_figure(text, low, start, end, 1, _DENOMINATORS[name])


def _fraction_figure(text: str, low: str, start: int, end: int, numerator: int,
                     denominator: int) -> Figure:
    """A fraction, or the percent or points it qualifies ("one half per cent", "half a
    percentage point", "one-half of one percent")."""
    share = _OF_A_PERCENT.match(low, end)
    if share is not None:
        kind = "points" if share.group("points") else "percent"
        return _figure(text, low, kind, numerator / denominator, "", start, share.end())
    percent = _PERCENT.match(low, end)
    if percent is not None:
        return _figure(text, low, "percent", numerator / denominator, "", start, percent.end())
    return _figure(text, low, "fraction", numerator / denominator, "", start, end)


def _scaled_fraction(text: str, low: str, start: int, end: int, numerator: int,
                     denominator: int) -> Figure | int:
    """ "half a million", "a quarter of a billion dollars", "three-quarters of a million"."""
    scale = _FRACTION_SCALE.match(low, end)
    if scale is None:
        return end
    value = _SCALES[scale.group(1)] * numerator / denominator
    number = _Number(value, start, scale.end(), True, None)
    return _classify(text, low, number, None) or scale.end()


def _figure(text: str, low: str, kind: str, value: float, unit: str, start: int, end: int, *,
            high: float | None = None, hedged: bool = True) -> Figure:
    hedge = _hedge(low, start) if hedged else None
    return Figure(kind, float(value), unit, text[start:end], start, end, hedge,
                  None if high is None else float(high), _per(low, start, end, kind))


def _hedge(low: str, start: int) -> str | None:
    match = _HEDGE.search(low, max(0, start - 24), start)
    return " ".join(match.group(1).split()) if match else None


# A rate stated before its figure, in the same clause: "Every day, $1.4 billion in goods ...".
_PER_BEFORE: Final = re.compile(
    r"(?<![a-z])(?:every|each)\s+(?P<unit>day|week|month|hour),?\s+(?:(?:about|around|roughly"
    r"|some|nearly|almost|over|approximately|more\s+than|less\s+than)\s+)?\Z")


def _per(low: str, start: int, end: int, kind: str) -> str | None:
    if kind in ("year", "fraction"):
        return None
    match = _PER.match(low, end)
    if match is None:
        before = _PER_BEFORE.search(low, max(0, start - 40), start)
        return None if before is None else _PER_WORDS[before.group("unit")]
    gap = (match.group("gap") or "").strip()
    if gap and not gap.startswith("worth") and kind not in ("count", "measure"):
        return None
    name = match.group("unit") or match.group("adv") or match.group("slash") or ""
    return _PER_WORDS.get(name)


# --- comparison -------------------------------------------------------------------------------

def same_value(a: Figure, b: Figure) -> bool:
    """Whether two figures state the same quantity, hedges aside.

    Same kind, unit and value (relative tolerance 1e-9, so only float noise: "$500 billion" is
    not "$520 billion"), the same range, and the same rate when both state one. Percent never
    equals points; money never equals a count.
    """
    if a.kind != b.kind or a.unit != b.unit or not _close(a.value, b.value):
        return False
    if a.high is None or b.high is None:
        if a.high is not b.high:
            return False
    elif not _close(a.high, b.high):
        return False
    return a.per is None or b.per is None or a.per == b.per


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def is_attribution_worthy(f: Figure) -> bool:
    """Whether an uncited ``f`` deserves a warning: statistics, not years or small numbers.

    True for money, percent, points, multipliers and fractions, and for counts with a scale word
    ("two million", "a dozen") or of four digits or more; False for years, measures and other
    counts.
    """
    if f.kind in ("money", "percent", "points", "multiplier", "fraction"):
        return True
    if f.kind == "count":
        return f.value >= 1000 or bool(_SCALE_IN_TEXT.search(f.text))
    return False
