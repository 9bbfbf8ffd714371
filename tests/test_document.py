"""Tests for briefkit.brief.document: citations, notes, quotations and sentences of a brief."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.brief.document import (
    MAX_BRACKETS,
    MAX_NESTING,
    PANDOC_READER,
    Brief,
    parse_brief,
    read_brief,
)
from briefkit.errors import InputError, NestingError
from briefkit.model import Span, Status

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_BRIEFS = sorted((REPO / "briefs").glob("*.md"))


def brief(text: str, *, allow_raw: bool = False) -> Brief:
    """Parse an inline brief; its first line is line 1."""
    return parse_brief(textwrap.dedent(text).lstrip("\n"), path=Path("brief.md"),
                       allow_raw=allow_raw)


def plains(parsed: Brief) -> list[str]:
    """The plain text of every sentence."""
    return [s.plain for s in parsed.sentences]


# What pandoc itself reads -------------------------------------------------------------------------

PANDOC_MODES = {"NormalCitation": "normal", "AuthorInText": "author-in-text",
                "SuppressAuthor": "suppress-author"}


def _walk(node: Any, in_note: bool, found: list[tuple[str, str, bool]]) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, in_note, found)
    elif isinstance(node, dict):
        kind = node.get("t")
        if kind == "Cite":
            for citation in node["c"][0]:
                _walk(citation["citationPrefix"], in_note, found)
                found.append((citation["citationId"],
                              PANDOC_MODES[citation["citationMode"]["t"]], in_note))
                _walk(citation["citationSuffix"], in_note, found)
        elif kind == "Note":
            _walk(node["c"], True, found)
        else:
            for child in node.values():
                _walk(child, in_note, found)


def pandoc_citations(text: str) -> list[tuple[str, str, bool]]:
    """(key, mode, in a note) for each citation as pandoc's markdown reader reads ``text``."""
    import pypandoc

    doc = json.loads(pypandoc.convert_text(text, "json", format=PANDOC_READER))
    found: list[tuple[str, str, bool]] = []
    _walk(doc["meta"].get("summary"), False, found)
    _walk(doc["blocks"], False, found)
    return found


def our_citations(text: str) -> list[tuple[str, str, bool]]:
    """(key, mode, in a note) for each citation as briefkit reads ``text``."""
    parsed = parse_brief(text, path=Path("brief.md"))
    return [(c.key, c.mode, c.note is not None) for c in parsed.citations]


TRICKY = {
    "after-punctuation": "(@b) x.@c x-@d x_@e '@f' “@g” —@h 1@i @9x @_y @*z",
    "after-word-or-dot": "Mr.@x x.@c e.g.@x é@x ab1.@y a..@b a...@b a…@b a-@b a'@b a’@b a)@b",
    "after-markup": "`c`@b a:@b a/@b a@b €@b ½@b a\\$@b [x]@b @b@c @b.@c @b-@c *@b* ^[x]@b",
    "after-emphasis": "**Bold.**@x *it*@y",
    "nested-textual": "[@a and @b]",
    "prefix-locator": "[see @a, pp. 3-4; @b]",
    "semicolon-in-prefix": "[text; more @key] and [a, b @c] and [x: b @c]",
    "narrative-locators": "@key [p. 33] and @k2 [p. 3; @k3] and @k4 [link](url)",
    "braced-keys": "@{key with odd} @{a:b c} @{a{b}c} @{odd:key!}",
    "key-punctuation": "@a.b. @a..b @a:b @a-b- @http://x.org @a/b/ @a:/b @a://b",
    "key-symbols": "@a#b @a$b @a%b @a&b @a+b @a?b @a<b @a>b @a~b @a!b @a=b @a'b @aé @a’s",
    "not-citations": "[text @k](http://x.org/@u) <http://y.org/@v> <a@b.org> `@c` \\@esc",
    "hidden": "<!-- @c1 --> <span title=\"@c2\">x</span> $x@y$ and $5 @m$",
    "emails": "Write to jane.doe@example.org or @jane; see https://x.org/@user.",
    "notes": "Text[^1] and ^[inline @n1] end.\n\n[^1]: Note @n2.\n\n    More @n3.\n\n"
             "[^2]: unreferenced @n4",
    "block-quote-lazy": "> quote @q1\nlazy @q2\n\n    code @q3",
    "list-continued": "- item @l1\ncontinued @l2",
    "span-link-ref": "[@a]{.x} [@a](u) [@a][r]\n\n[r]: http://x",
    "mixed": "Mr.@x ok @x's @x. (@y) [-@z] [@a;@b] [ @c ] [@d, p. 4, emphasis added]",
    "failed-groups": "[see; @a] [@a; b] [@a; see @b] [@a, p. 3; see also @b, ch. 2] [@a]  [@b]",
    "bare-locators": "@a[p. 3] @a  [p. 3] @a [-@b] @a [see @b] @a [p. 3](u) [@a] [p. 3]",
    "nested-brackets": "[see [also] @a] [@a, [x] 3] [@a, `]` 3] [see @a; @b; and @c]",
    "blank-line-in-group": "[@a, p. 3\n\n@b]",
    "suppress-and-braces": "[-@a, p. 4] [see -@a] [@{a b}] [@{a}b] @{a}b @{a}. [@a-] @a-",
    "key-starts": "@9 @_ @a_b @a__b @a\\_b @a:b:c",
    "group-endings": "[see @a]{.c} [@a][] [see @a; and; @b] [@a, p. 3; text]",
    "reference-label": "@a [r]\n\n[r]: http://x",
    "trailing-semicolons": "[see @a](u) [see @a, p. 3;] [@a;] [@a, x; y @b] [@a, x; y; @b]",
    "notes-in-groups": "[see ^[note @a] @b] [@a^[n @b]] [@a, p. `3;`] [@a, p. 3 \\; 4]",
    "line-breaks": "[@a;\n@b] x [@a] y [-@b, 4] @a [-@b, 4; @c] @a[;@b] @a [p. 3; text]",
    "note-first": "[^1]: see [@a]\n\nx[^1]",
    "note-lines": "x[^1]\n\n[^1]: see @a\n[@b]",
    "emphasis-around": "*[@a]* **@a** _@a_ @a [see @b](u) @a [see @b]{.x} @a [p. 3]{.x}",
    "dollars": "Prices: $5 and $6 or $5-$6; \\$1.4 billion [@k1]; see $x @k2$ [@k3].",
    "code-blocks": "```\n[@c1]\n```\n\n~~~ {.python}\n@c2\n~~~\n\nText [@k4].",
    "skipped-divs": "::: {.series-blurb}\nBlurb [@blurb].\n:::\n\n::: unchecked\nU @un.\n:::\n\n"
                    "Body [@body].",
    "headings-tables": "# Heading @h1 #\n\nSetext @h2\n----------\n\n| col @t1 | b |\n"
                       "|---------|---|\n| [@t2]   | x |\n\nTerm @d1\n:   Definition [@d2]",
    "lists": "1. First [@o1].\n2. Second\n   continued @o2.\n\n   Item para [@o3].\n\n"
             "- Bullet [@b1]\n    - nested [@b2]",
    "raw-blocks": "\\begin{center}\n@tex1\n\\end{center}\n\n\\newpage\n\n<div class=\"x\">\n"
                  "Inside [@div1].\n</div>\n\n<pre>\n@pre1\n</pre>\n\nAfter [@after].",
    "summary": "---\ntitle: \"T @meta\"\nsummary: |\n  A summary with [@s1] and @s2.\n---\n\n"
               "Body [@b1].",
    "example-lists": "x[^1]\n\n[^1]: @key. More @b.\n\nSee @key and @other.",
    "quotes": "Quote: \"text [@q1]\" and 'single @q2' and ‘curly @q3’.",
    "html-and-entities": "<span>@s1</span> <a href=\"mailto:x@y.org\">@s2</a> &amp;@s3 &#64;s4",
    "locator-with-list": "See @smith [pp. 33-35, emphasis added; also @jones, ch. 1].",
    "nested-block-quote": "> Block quote [@bq1]\n>\n> > nested @bq2\n>\n> Last.\n> [@bq3]",
    "reference-fallback": "[@a][@b]{.x} [x][@b]{.x} ^[n @a][@b] [@a][x][@b] [see @jones](see",
    "hard-breaks": "Hard break\\\n@after [@a]  \n@b",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_citations_agree_with_pandoc(text: str) -> None:
    """Keys, modes and note membership match pandoc's reading of tricky snippets."""
    assert our_citations(text) == pandoc_citations(text)


@pytest.mark.parametrize("path", EXAMPLE_BRIEFS, ids=[p.name for p in EXAMPLE_BRIEFS])
def test_example_briefs_agree_with_pandoc(path: Path) -> None:
    """Every example brief's citations match pandoc's reading of it."""
    text = path.read_text(encoding="utf-8")
    assert our_citations(text) == pandoc_citations(text)


@pytest.mark.parametrize("path", EXAMPLE_BRIEFS, ids=[p.name for p in EXAMPLE_BRIEFS])
def test_example_briefs_read_cleanly(path: Path) -> None:
    """Every example brief reads with sentences, quotations and no problems."""
    parsed = read_brief(path)
    assert parsed.sentences and parsed.quotations and parsed.citations
    assert parsed.problems == ()


FRAGMENTS = [
    "text", "Mexico", "trade.", "U.S.", "(see", "below)", "@smith2020", "[@smith2020]",
    "[see @jones, p. 3]", "[@a; @b]", "[-@c]", "@d [p. 4]", "@{odd:key}", "-@e", "x@y.org",
    "\\@notcite", "`@code`", "<!-- @c -->", "[link](http://x/@u)", "<a@b.org>", "$x@y$",
    "@a.b.", "@k-", "[", "]", ";", "^[note @n]", '"quoted"', "'", ",", "@f:g", "...", "—",
    "[h, 3; see @i]", "@j [see @k]", "[t]he", "\\$5", "$5", "&amp;", "@l's", "e.g.",
    "[@o]{.x}", "[p](q)", "@r\n[p. 5]", "~~s~~", "^sup^", "@", "[@", "{", "}", "[see\n@u]",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from([" ", " ", "\n", ""])),
                min_size=1, max_size=12))
def test_random_text_agrees_with_pandoc(parts: list[tuple[str, str]]) -> None:
    """Random mixes of citations, emails, escapes and code read as pandoc reads them."""
    text = "".join(fragment + sep for fragment, sep in parts).strip() or "x"
    assert our_citations(text) == pandoc_citations(text)


# Citations and their positions --------------------------------------------------------------------


def test_citation_forms_and_spans() -> None:
    """Each citation form gives its key, mode, prefix, suffix and the span of the key."""
    parsed = brief("""
        Line one cites [@alpha] here.
        Also [see @beta, pp. 3-4; @gamma] and @delta says,
        @eps [p. 33] and [-@zeta] and @{odd:key!}.
    """)
    got = [(c.key, c.mode, c.prefix, c.suffix, c.span) for c in parsed.citations]
    assert got == [
        ("alpha", "normal", "", "", Span(1, 17, 1, 23)),
        ("beta", "normal", "see", ", pp. 3-4", Span(2, 11, 2, 16)),
        ("gamma", "normal", "", "", Span(2, 27, 2, 33)),
        ("delta", "author-in-text", "", "", Span(2, 39, 2, 45)),
        ("eps", "author-in-text", "", "p. 33", Span(3, 1, 3, 5)),
        ("zeta", "suppress-author", "", "", Span(3, 19, 3, 25)),
        ("odd:key!", "author-in-text", "", "", Span(3, 31, 3, 42)),
    ]


def test_positions_count_the_front_matter() -> None:
    """Lines are counted in the file, front matter included."""
    parsed = brief("""
        ---
        title: "A brief"
        ---

        Text [@key].
    """)
    assert parsed.meta == {"title": "A brief"}
    assert parsed.citations[0].span == Span(5, 7, 5, 11)


@pytest.mark.parametrize("text", [
    "Write to jane@example.org today.",
    "An escaped \\@key is text.",
    "Code `[@key]` is text.",
    "A comment <!-- [@key] --> is hidden.",
    "A [link](http://example.org/@key) hides its address.",
    "An autolink <http://example.org/@key> too.",
], ids=["email", "escape", "code-span", "comment", "link-url", "autolink"])
def test_not_citations(text: str) -> None:
    """Emails, escapes, code, comments and link addresses hold no citations."""
    assert brief(text).citations == ()


def test_key_punctuation_follows_pandoc() -> None:
    """Inner punctuation stays in a key only when a letter or digit follows it."""
    parsed = brief("See @a.b. and @c-d- and @http://x.org and @e:/f too.")
    assert [c.key for c in parsed.citations] == ["a.b", "c-d", "http://x.org", "e:/f"]


def test_note_opening_with_a_key_cites_it() -> None:
    """With example lists off, as briefkit renders, a note opening "@key." cites the key."""
    parsed = brief("""
        Text.[^n] See @key again, and @other.

        [^n]: @key. Some words.
    """)
    assert [c.key for c in parsed.citations] == ["key", "key", "other"]
    assert [c.note for c in parsed.citations] == ["n", None, None]


# Notes --------------------------------------------------------------------------------------------


def test_footnote_citation_belongs_to_calling_sentence() -> None:
    """A citation in a footnote counts for the sentence that calls the note."""
    parsed = brief("""
        Trade grew fast.[^t] Next sentence.

        [^t]: See [@oneil, 4]. It "grew fast" too.
    """)
    assert [(c.key, c.note) for c in parsed.citations] == [("oneil", "t")]
    assert [(s.plain, s.keys, s.note) for s in parsed.sentences] == [
        ("Trade grew fast.", ("oneil",), None),
        ("Next sentence.", (), None),
        ("See.", ("oneil",), "t"),
        ('It "grew fast" too.', (), "t"),
    ]
    assert parsed.sentences[0].span == Span(1, 1, 1, 21)
    assert parsed.quotations[0].keys == ("oneil",)


def test_inline_note_gets_generated_id() -> None:
    """An inline note's citations carry a generated note id and count for the calling sentence."""
    parsed = brief('Trade grew.^[As @oneil notes, "it grew".] Next.')
    assert [(c.key, c.note) for c in parsed.citations] == [("oneil", "inline-1")]
    assert [(s.plain, s.keys, s.note) for s in parsed.sentences] == [
        ("Trade grew.", ("oneil",), None),
        ("Next.", (), None),
        ('As notes, "it grew".', ("oneil",), "inline-1"),
    ]


def test_multi_paragraph_note() -> None:
    """Indented continuation paragraphs belong to the note."""
    parsed = brief("""
        Text.[^n]

        [^n]: First paragraph [@a].

            Second paragraph [@b].

        After [@c].
    """)
    assert [(c.key, c.note) for c in parsed.citations] == [("a", "n"), ("b", "n"), ("c", None)]
    assert parsed.sentences[0].keys == ("a", "b")


def test_unreferenced_note_is_not_read() -> None:
    """A note nobody calls is dropped, as pandoc drops it."""
    parsed = brief("""
        Text [@a].

        [^x]: Unused "quote" [@u].
    """)
    assert [c.key for c in parsed.citations] == ["a"]
    assert parsed.quotations == ()


# Block quotes -------------------------------------------------------------------------------------


def test_block_quote_inherits_introducing_sentence() -> None:
    """A block quote without a citation takes the keys of the sentence introducing it."""
    parsed = brief("""
        Trade matters. As O'Neil argues [@oneil]:

        > Mexico should "go around" Washington.
        > It has tools.

        After.
    """)
    [quote] = parsed.quotations
    assert quote.block and quote.sentence == -1 and quote.keys == ("oneil",)
    assert quote.span == Span(3, 3, 4, 16)
    assert quote.text == 'Mexico should "go around" Washington.\nIt has tools.'
    assert quote.plain == 'Mexico should "go around" Washington. It has tools.'
    assert plains(parsed) == ["Trade matters.", "As O'Neil argues:", "After."]


def test_block_quote_uses_its_own_citation() -> None:
    """A citation inside the block quote, even on its own line, is the quote's citation."""
    parsed = brief("""
        Intro sentence [@intro]:

        > Quoted text here.
        > [@source]
    """)
    [quote] = parsed.quotations
    assert quote.keys == ("source",)
    assert quote.text == "Quoted text here."
    assert quote.span == Span(3, 3, 3, 20)
    assert [c.key for c in parsed.citations] == ["intro", "source"]


def test_block_quote_after_heading_inherits_nothing() -> None:
    """Only a paragraph introduces a block quote; a heading does not."""
    parsed = brief("""
        ## Heading [@h]

        > Quoted text.
    """)
    assert parsed.quotations[0].keys == ()


def test_block_quote_emphasis_added() -> None:
    """A trailing "(emphasis added)" is noted and left out of the quotation's plain text."""
    parsed = brief("""
        Intro:

        > The border is *long*. (emphasis added) [@s]
    """)
    [quote] = parsed.quotations
    assert quote.emphasis_added and quote.plain == "The border is long."


# Inline quotations --------------------------------------------------------------------------------


def test_straight_and_curly_quotes() -> None:
    """Straight and curly double quotes are quotations from mark to mark."""
    parsed = brief('He said "this is it" and “that was that” [@a].')
    assert [(q.plain, q.span) for q in parsed.quotations] == [
        ("this is it", Span(1, 9, 1, 21)),
        ("that was that", Span(1, 26, 1, 41)),
    ]
    assert parsed.sentences[0].quotes == ((8, 20), (25, 40))


def test_nested_single_quotes_belong_to_outer_quote() -> None:
    """Single quotes inside double quotes are part of the outer quotation."""
    parsed = brief('He wrote "the ‘Erdogan trap’ and the \'other\' one" [@s].')
    assert [q.plain for q in parsed.quotations] == ["the ‘Erdogan trap’ and the 'other' one"]


def test_quote_wrapping_lines() -> None:
    """A quote across lines maps to both lines; its plain text has single spaces."""
    parsed = brief("""
        - The relationship should "cooperate consistently;
          coordinate holistically" [@sarukhan].
    """)
    [quote] = parsed.quotations
    assert quote.span == Span(1, 27, 2, 27)
    assert quote.plain == "cooperate consistently; coordinate holistically"
    assert quote.text == "cooperate consistently;\ncoordinate holistically"
    assert quote.keys == ("sarukhan",)


@pytest.mark.parametrize("text", [
    "Mexico’s economy grew in the ’90s and the ‘90s.",
    "It was rock ’n’ roll and rock 'n' roll.",
    "The students’ views and the teachers’ views differ.",
    "Don't tell 'em it's the country's best.",
])
def test_apostrophes_are_never_quotes(text: str) -> None:
    """Apostrophes and elisions never open or close a quotation."""
    parsed = brief(text)
    assert parsed.quotations == () and parsed.problems == ()


def test_unambiguous_single_quotes() -> None:
    """A top-level single-quoted passage counts when its closing mark is unambiguous."""
    parsed = brief("The ‘third way’ failed, and the 'Mexico’s turn' did too.")
    assert [q.plain for q in parsed.quotations] == ["third way", "Mexico’s turn"]


def test_unclosed_quote_is_reported() -> None:
    """An opening mark without a closing mark in its paragraph is an error at the mark."""
    parsed = brief("""
        Fine "quote" here.

        He wrote "unclosed text here.
        And more.
    """)
    [problem] = parsed.problems
    assert problem.rule == "quote-unclosed" and problem.status == Status.ERROR
    assert problem.span == Span(3, 10, 3, 11)
    assert [q.plain for q in parsed.quotations] == ["quote"]


def test_quote_keys_are_the_citations_after_it() -> None:
    """Each quotation takes the citation that follows it in its sentence."""
    parsed = brief('"A is true" [@a], but "B is false" [@b], and "C".')
    assert [q.keys for q in parsed.quotations] == [("a",), ("b",), ("a", "b")]


def test_emphasis_added_in_text_or_suffix() -> None:
    """"(emphasis added)" after a quote or in its citation's suffix is noted."""
    parsed = brief("""
        It "grew *fast*" (emphasis added) [@a]. It "fell" [@b, 4, emphasis added].
        It "rose" [@c].
    """)
    assert [q.emphasis_added for q in parsed.quotations] == [True, True, False]


def test_quote_plain_removes_markup() -> None:
    """Emphasis, links, escapes, note callouts and citations leave a quote's plain text."""
    parsed = brief("""
        He said "a *b* [c](http://x.org) d\\* e[^n] f [@k] g and [t]he \\$5" [@a].

        [^n]: A note.
    """)
    assert parsed.quotations[0].plain == "a b c d* e f g and [t]he $5"


def test_code_is_not_quoted() -> None:
    """Quote marks in code spans and code blocks are not quotations."""
    parsed = brief('''
        Text with `"code quote" @c1` inline [@a].

        ```
        "fenced" [@c2]
        ```

            "indented" [@c3]

        <!-- "comment" [@c4] -->
    ''')
    assert [c.key for c in parsed.citations] == ["a"]
    assert parsed.quotations == ()
    assert plains(parsed) == ['Text with "code quote" @c1 inline.']


# Sentences ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("The U.S. Congress met. It adjourned.", ["The U.S. Congress met.", "It adjourned."]),
    ("Dr. Smith met Mr. Jones on Jan. 5. They talked.",
     ["Dr. Smith met Mr. Jones on Jan. 5.", "They talked."]),
    ("George H. W. Bush signed it. Then he left.", ["George H. W. Bush signed it.",
                                                   "Then he left."]),
    ("Trade hit $1.4 billion. Exports rose 3.5 percent.",
     ["Trade hit $1.4 billion.", "Exports rose 3.5 percent."]),
    ("See p. 3 and pp. 4-5, e.g. the tables, i.e. all. No. 2 vs. No. 3 differ.",
     ["See p. 3 and pp. 4-5, e.g. the tables, i.e. all.", "No. 2 vs. No. 3 differ."]),
    ("Apple Inc. reported gains. Acme Inc. The firm grew.",
     ["Apple Inc. reported gains.", "Acme Inc.", "The firm grew."]),
    ("Relations with the U.S. The next step is clear.",
     ["Relations with the U.S.", "The next step is clear."]),
    ('He said "this is it... The end" and left. Next.',
     ['He said "this is it... The end" and left.', "Next."]),
    ("It hurt “economically.” He left.", ["It hurt “economically.”", "He left."]),
    ("Is it? Yes! Fine.", ["Is it?", "Yes!", "Fine."]),
    ("It rose (see above.) Then it fell.", ["It rose (see above.)", "Then it fell."]),
    ("Trade fell in 2016. 40 percent of it.", ["Trade fell in 2016.", "40 percent of it."]),
    ("A. Smith wrote it. B. Jones agreed.", ["A. Smith wrote it.", "B. Jones agreed."]),
])
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    """Abbreviations, initials, decimals and ellipses do not end sentences; real ends do."""
    assert plains(brief(text)) == expected


@pytest.mark.parametrize("text", [
    'It hurt "economically." [@key] He left.',
    "It hurt economically [@key]. He left.",
    "It hurt economically.[^n] He left.\n\n[^n]: [@key].",
])
def test_citation_after_period_belongs_to_previous_sentence(text: str) -> None:
    """A citation or note call right after a sentence's end belongs to that sentence."""
    parsed = brief(text)
    assert [s.keys for s in parsed.sentences if s.note is None] == [("key",), ()]


def test_sentences_do_not_cross_blocks() -> None:
    """List items, headings and paragraphs end sentences even without a period."""
    parsed = brief("""
        - First item without period
        - Second item.

        ## The "intermestic" agenda {#agenda}

        Para.
    """)
    assert [(s.plain, s.heading) for s in parsed.sentences] == [
        ("First item without period", False),
        ("Second item.", False),
        ('The "intermestic" agenda', True),
        ("Para.", False),
    ]
    assert parsed.quotations[0].sentence == 2


def test_span_of_maps_plain_to_file() -> None:
    """Sentence.span_of maps a range of the plain text back to lines and columns."""
    parsed = brief("""
        Trade rose to *$5 billion*
          in 2016 [@a].
    """)
    [sentence] = parsed.sentences
    assert sentence.plain == "Trade rose to $5 billion in 2016."
    start = sentence.plain.index("$5")
    assert sentence.span_of(start, start + 10) == Span(1, 16, 1, 26)
    start = sentence.plain.index("2016")
    assert sentence.span_of(start, start + 4) == Span(2, 6, 2, 10)
    assert sentence.span == Span(1, 1, 2, 16)


# Skipped material ---------------------------------------------------------------------------------


def test_series_blurb_and_unchecked_divs_are_skipped() -> None:
    """Blurb and unchecked divs give no sentences or quotations; pandoc still cites there."""
    parsed = brief("""
        Body "quote here" [@a].

        ::: {.series-blurb}
        This brief is the "sixth" of our series [@blurb].
        :::

        ::: unchecked
        An "unchecked quote" [@u].
        :::
    """)
    assert [q.plain for q in parsed.quotations] == ["quote here"]
    assert plains(parsed) == ['Body "quote here".']
    assert [c.key for c in parsed.citations] == ["a", "blurb", "u"]


def test_raw_blocks_are_reported_unless_allowed() -> None:
    """Raw HTML and TeX blocks give a warning unless the workspace allows raw content."""
    text = """
        <table><tr><td>x</td></tr></table>

        \\newpage

        ```{=html}
        <b>x</b>
        ```

        Text.
    """
    problems = brief(text).problems
    assert [(p.rule, p.status, p.span.line) for p in problems] == [
        ("brief-raw-content", Status.WARNING, 1),
        ("brief-raw-content", Status.WARNING, 3),
        ("brief-raw-content", Status.WARNING, 5),
    ]
    assert brief(text, allow_raw=True).problems == ()


# Front matter summary -----------------------------------------------------------------------------


def test_summary_block_scalar_is_read_in_place() -> None:
    """A ``summary: |`` field is read as sentences at its lines in the front matter."""
    parsed = brief("""
        ---
        title: T
        summary: |
          The first sentence [@s1]. A "quoted" second
          sentence.
        ---

        Body.
    """)
    assert [(s.plain, s.span) for s in parsed.sentences] == [
        ("The first sentence.", Span(4, 3, 4, 28)),
        ('A "quoted" second sentence.', Span(4, 29, 5, 12)),
        ("Body.", Span(8, 1, 8, 6)),
    ]
    assert parsed.citations[0].span == Span(4, 23, 4, 26)
    assert parsed.quotations[0].span == Span(4, 31, 4, 39)


def test_summary_plain_scalar_is_read() -> None:
    """A one-line summary is read at its position."""
    parsed = brief("""
        ---
        summary: A one-line summary [@s].
        ---
    """)
    assert [(s.plain, s.span) for s in parsed.sentences] == [
        ("A one-line summary.", Span(2, 10, 2, 34)),
    ]


def test_summary_that_cannot_be_mapped_is_skipped() -> None:
    """A summary whose text differs from its source lines (escapes) is not read."""
    parsed = brief("""
        ---
        summary: "An \\"escaped\\" summary."
        ---

        Body.
    """)
    assert plains(parsed) == ["Body."]


# Files --------------------------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    """The first byte that is not UTF-8 stops the reading, with its line and byte offset."""
    path = tmp_path / "brief.md"
    path.write_bytes(b"Text.\nCaf\xe9 text.\nMore \xff\xfe [@a].\n")
    with pytest.raises(InputError, match=r"brief\.md:2: is not UTF-8 text: byte 0xE9 at offset 9"):
        read_brief(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    """A file with NUL bytes is not a brief."""
    path = tmp_path / "brief.md"
    path.write_bytes(b"Text\x00\x01 more")
    with pytest.raises(InputError, match="is a binary file, not a Markdown brief"):
        read_brief(path)


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    """A file over 5 MB is refused with its size and the limit."""
    path = tmp_path / "brief.md"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)
    with pytest.raises(InputError, match=r"5,242,881 bytes; a brief may be at most 5 MB"):
        read_brief(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A brief that cannot be read is an input error naming the file."""
    with pytest.raises(InputError, match="cannot be read"):
        read_brief(tmp_path / "missing.md")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    """Invalid front matter is an input error with its line."""
    path = tmp_path / "brief.md"
    path.write_text("---\ntitle: T\nkeywords: [a, b\n---\n\nBody.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_brief(path)
    assert caught.value.line is not None and 2 <= caught.value.line <= 4


def test_empty_brief(tmp_path: Path) -> None:
    """An empty file is a brief with nothing in it."""
    path = tmp_path / "brief.md"
    path.write_bytes(b"")
    assert read_brief(path) == Brief(path=path, meta={})


def test_crlf_and_bom() -> None:
    """Windows line ends and a byte-order mark do not shift positions."""
    parsed = parse_brief('\ufeffText [@a].\r\nMore "quote" here.\r\n', path=Path("b.md"))
    assert parsed.citations[0].span == Span(1, 7, 1, 9)
    assert parsed.quotations[0].span == Span(2, 6, 2, 13)
    assert plains(parsed) == ["Text.", 'More "quote" here.']


def test_note_after_quote_speaks_for_it() -> None:
    """A note called right after a quote covers it, even when the note cites nothing."""
    parsed = brief("""
        Trade hit $584 billion [@w], or "$1.4 billion a day."[^n]

        [^n]: A comment without a source.
    """)
    assert parsed.quotations[0].keys == ()
    assert parsed.sentences[0].keys == ("w",)


def test_utf16_with_a_byte_order_mark_reads_like_utf8(tmp_path: Path) -> None:
    """A UTF-16 brief with a byte-order mark gives what the same brief in UTF-8 gives."""
    text = '---\ntitle: "Café"\n---\n\nHe said "the worst deal" [@a].\n'
    wide, narrow = tmp_path / "wide.md", tmp_path / "narrow.md"
    narrow.write_text(text, encoding="utf-8")
    for encoding in ("utf-16", "utf-16-be"):
        wide.write_bytes(("\ufeff" + text).encode(encoding))
        assert read_brief(wide) == replace(read_brief(narrow), path=wide)


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    """UTF-16 without a byte-order mark is named as such, not called binary."""
    path = tmp_path / "brief.md"
    for encoding in ("utf-16-le", "utf-16-be"):
        path.write_bytes("Text [@a].\n".encode(encoding))
        with pytest.raises(InputError, match="UTF-16 without a byte-order mark"):
            read_brief(path)


# Nesting and size ---------------------------------------------------------------------------------

DEEP = {
    "block quotes": lambda n: ">" * n + " A quoted line.\n",
    "lists": lambda n: "".join("  " * i + "- item\n" for i in range(n)),
    "divs": lambda n: "::: a\n" * n + "Text.\n" + ":::\n" * n,
    "notes": lambda n: "Text" + "^[" * n + "x" + "]" * n + "\n",
    "emphasis": lambda n: "*_" * (n // 2) + "x" + "_*" * (n // 2) + "\n",
    "links": lambda n: "[" * n + "x" + "](u)" * n + "\n",
    "quotations": lambda n: "\"'" * (n // 2) + "x" + "'\"" * (n // 2) + "\n",
}


@pytest.mark.parametrize("what", DEEP)
def test_nesting_up_to_the_limit_is_read(what: str) -> None:
    """Twenty levels of any structure are read."""
    parse_brief("Intro.\n\n" + DEEP[what](MAX_NESTING), path=Path("b.md"))


@pytest.mark.parametrize("what", DEEP)
@pytest.mark.parametrize("depth", [MAX_NESTING + 2, 8000])
def test_nesting_beyond_the_limit_is_an_error_with_its_line(what: str, depth: int) -> None:
    """Deeper nesting is one error naming the brief, the line and what nests, at any depth."""
    with pytest.raises(NestingError) as caught:
        parse_brief("Intro.\n\n" + DEEP[what](depth), path=Path("b.md"))
    assert caught.value.line == (3 + MAX_NESTING if what in ("lists", "divs") else 3)
    assert str(caught.value).startswith(f"b.md:{caught.value.line}: {what} nested more than 20")


def test_nesting_counts_blocks_and_inlines_together() -> None:
    """Emphasis inside block quotes counts the quotes too."""
    text = "> " * 12 + "*_" * 5 + "x" + "_*" * 5 + "\n"
    with pytest.raises(NestingError, match="emphasis nested"):
        parse_brief(text, path=Path("b.md"))
    parse_brief("> " * 10 + "*_" * 5 + "x" + "_*" * 5 + "\n", path=Path("b.md"))


def test_stray_delimiters_nest_nothing() -> None:
    """Unclosed emphasis marks, lone asterisks, intraword underscores and apostrophes are text."""
    text = " ".join(["*open", "a * b", "snake_case_name", "don't", "'90s", "[x]", "x^2"] * 300)
    parsed = parse_brief(text + "\n", path=Path("b.md"))
    assert len(parsed.sentences) == 1 and not parsed.problems


def test_plain_brackets_are_read_with_a_warning() -> None:
    """Brackets nested 5,000 deep are text; a warning says pandoc could not render them."""
    parsed = parse_brief("Intro.\n\n" + "[" * 5000 + "x" + "]" * 5000 + "\n", path=Path("b.md"))
    [problem] = parsed.problems
    assert problem.rule == "brief-brackets" and problem.status == Status.WARNING
    assert problem.span == Span(3, MAX_BRACKETS + 1, 3, MAX_BRACKETS + 2)
    assert "5000 square brackets are open at once" in problem.message


def test_unclosed_brackets_count_as_open() -> None:
    """Brackets never closed count too (pandoc's time grows with them as well)."""
    assert not parse_brief("word [ " * MAX_BRACKETS, path=Path("b.md")).problems
    [problem] = parse_brief("word [ " * (MAX_BRACKETS + 1), path=Path("b.md")).problems
    assert problem.rule == "brief-brackets"


def test_many_quotations_in_one_paragraph() -> None:
    """Thousands of quoted sentences in one paragraph keep their own sentences and keys."""
    text = " ".join(f'He said "deal {i}" [@k{i}].' for i in range(3000))
    parsed = parse_brief(text + "\n", path=Path("b.md"))
    assert len(parsed.quotations) == len(parsed.sentences) == 3000
    last = parsed.quotations[-1]
    assert last.plain == "deal 2999" and last.keys == ("k2999",) and last.sentence == 2999
