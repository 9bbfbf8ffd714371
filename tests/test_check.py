"""`briefkit check` end to end: the example briefs, planted errors, bad input and the CLI."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefkit.check.run import check_briefs
from briefkit.cli import app
from briefkit.errors import InputError, UsageError
from briefkit.model import CheckReport, Finding, Status
from briefkit.workspace import load_workspace

RESET = "briefs/the-workaround-and-the-reset.md"
NAFTA = "briefs/what-nafta-built.md"


def run_check(root: Path, *targets: str) -> CheckReport:
    """Check ``targets`` (or every brief) of the workspace at ``root``."""
    return check_briefs(load_workspace(root), [root / t for t in targets])


def write_brief(root: Path, body: str, name: str = "planted.md") -> str:
    """Write a brief with minimal front matter; return its workspace-relative path."""
    path = root / "briefs" / name
    path.write_text(f"---\ntitle: Planted\n---\n\n{body}\n", encoding="utf-8")
    return f"briefs/{name}"


def problems(report: CheckReport) -> list[Finding]:
    """Every finding that is not verified."""
    return [f for b in report.briefs for f in b.findings if f.status is not Status.VERIFIED]


def only_problem(root: Path, body: str) -> Finding:
    """Check a one-claim brief and return its single non-verified finding."""
    report = run_check(root, write_brief(root, body))
    (finding,) = problems(report)
    return finding


def test_example_briefs_check_clean(workspace: Path) -> None:
    """The example workspace has no warnings or errors, and checks dozens of claims."""
    report = run_check(workspace)
    assert problems(report) == []
    assert report.summary.verified >= 60
    assert report.bibliography == ()
    kinds = {f.kind.value for b in report.briefs for f in b.findings}
    assert kinds == {"quote", "figure"}


def test_every_seed_is_cited_and_verified(workspace: Path) -> None:
    """Each of the five seeds backs at least one verified quote or figure."""
    report = run_check(workspace)
    used = {f.source.key for b in report.briefs for f in b.findings if f.source is not None}
    assert used == {"oneil2017standoff", "sarukhan2022allies", "sarukhan2014perspectives",
                    "wilson2017leveraging", "mexicoinstitute2021reset"}


@pytest.mark.parametrize(
    ("body", "rule", "suggested"),
    [
        ('NAFTA was "the worst trade deal in our history" [@oneil2017standoff].',
         "quote-mismatch", "the worst trade deal in history"),
        ('NAFTA was "the worst deal in history" [@oneil2017standoff].',
         "quote-mismatch", "the worst trade deal in history"),
        ('They trade "$1.7 billion dollars a day of goods" [@sarukhan2014perspectives].',
         "quote-mismatch", "1.4 billion"),
        ('Exporters buy 45 percent of their inputs from the United States [@oneil2017standoff].',
         "figure-contradicted", "40 percent"),
        ("Investment fell by 20 percent in 2015 [@oneil2017standoff].",
         "figure-contradicted", "2016"),
        ("In 2015, bilateral trade reached \\$584 million [@wilson2017leveraging].",
         "figure-contradicted", "$584 billion dollars"),
    ],
)
def test_planted_errors_are_caught(workspace: Path, body: str, rule: str,
                                   suggested: str | None) -> None:
    """A changed word, digit, figure, year or scale is an error with the source's wording."""
    finding = only_problem(workspace, body)
    assert (finding.status, finding.rule) == (Status.ERROR, rule)
    assert finding.span.line == 5
    if suggested is not None:
        assert suggested in (finding.suggestion or "")


def test_misattributed_quote_names_the_real_source(workspace: Path) -> None:
    """A quote cited to the wrong source is an attribution error naming where it is."""
    finding = only_problem(
        workspace, 'NAFTA was "the worst trade deal in history" [@sarukhan2022allies].')
    assert finding.rule == "attribution-other-source"
    assert finding.suggestion == "oneil2017standoff"
    assert finding.source is not None
    assert finding.source.path == "seeds/oneil-2017-mexican-standoff.txt"
    assert finding.source.line == 5


def test_misattributed_figure_names_the_real_source(workspace: Path) -> None:
    """Figures found together only in another source are attributed to it."""
    report = run_check(workspace, write_brief(
        workspace, "Bilateral trade reached \\$584 billion in 2015 [@oneil2017standoff]."))
    rules = {f.rule for f in problems(report)}
    assert rules == {"attribution-other-source"}
    assert {f.suggestion for f in problems(report)} == {"wilson2017leveraging"}


def test_unknown_key_suggests_the_closest(workspace: Path) -> None:
    """An unknown key is an error at the citation, with the closest known key."""
    report = run_check(workspace, write_brief(workspace, "Text [@oneil2017standof]."))
    findings = problems(report)
    unknown = [f for f in findings if f.rule == "citation-unknown-key"]
    assert len(unknown) == 1
    assert unknown[0].suggestion == "oneil2017standoff"
    assert (unknown[0].span.line, unknown[0].span.column) == (5, 7)


def test_out_of_order_ellipsis_is_an_error(workspace: Path) -> None:
    """Ellipsis segments that occur in the source in the other order do not verify."""
    finding = only_problem(
        workspace, '"not dependent on any foreign government . . . a free, independent nation" '
        "[@oneil2017standoff].")
    assert finding.status is Status.ERROR


def test_uncited_quote_and_figure_are_warnings_with_the_source(workspace: Path) -> None:
    """A quote and a money figure without citation are warnings naming the source."""
    report = run_check(workspace, write_brief(
        workspace, 'Trade is "a stunning figure" of "$1.4 billion dollars a day of goods across '
        'our common border."\n\n'
        "Farmers sell over \\$18 billion worth of goods to Mexico every year."))
    found = problems(report)
    assert [f.status for f in found] == [Status.WARNING, Status.WARNING]
    assert {f.rule for f in found} == {"quote-uncited", "figure-uncited"}
    assert {f.suggestion for f in found} == {"sarukhan2014perspectives", "oneil2017standoff"}


def test_short_scare_quotes_and_plain_years_are_not_flagged(workspace: Path) -> None:
    """Uncited one-word quotes and bare years give no finding."""
    report = run_check(workspace, write_brief(
        workspace, 'The "intermestic" agenda grew after 1994 and again in 2001.'))
    assert problems(report) == []


def test_missing_and_outside_sources_are_citation_errors(workspace: Path) -> None:
    """An entry whose file is missing or outside the workspace is reported once per brief."""
    bib = workspace / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8")
                   + "\n@misc{gone, title = {Gone}, file = {seeds/none.txt}}\n"
                   + "@misc{away, title = {Away}, file = {../../etc/passwd}}\n"
                   + "@misc{folder, title = {Folder}, file = {seeds}}\n", encoding="utf-8")
    report = run_check(workspace, write_brief(
        workspace, 'A "quoted passage here" [@gone]. Another "passage" [@away; @folder]. '
        "More [@gone]."))
    rules = sorted(f.rule for f in problems(report) if f.kind.value == "citation")
    assert rules == ["citation-source-missing", "citation-source-outside",
                     "citation-source-unreadable"]


def test_bibliography_errors_are_reported_with_lines(workspace: Path) -> None:
    """A malformed entry and a duplicate key appear in the report's bibliography section."""
    bib = workspace / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8")
                   + "\n@misc{wilson2017leveraging, title = {Twice}}\n@article{bad,\n title = {x\n",
                   encoding="utf-8")
    report = run_check(workspace)
    rules = [(d.rule, d.status) for d in report.bibliography]
    assert ("bib-duplicate-key", Status.ERROR) in rules
    assert ("bib-malformed", Status.ERROR) in rules
    assert all(d.path == "references.bib" and d.line > 60 for d in report.bibliography)
    assert report.failed()


def test_unused_entries_only_when_checking_everything(workspace: Path) -> None:
    """Unused entries are warned about for a whole-workspace check, not for one brief."""
    bib = workspace / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{spare, title = {Spare}}\n",
                   encoding="utf-8")
    assert [d.rule for d in run_check(workspace).bibliography] == ["bib-unused-entry"]
    assert run_check(workspace, NAFTA).bibliography == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01binary", "binary"), (b"---\ntitle: [oops\n---\n", "not valid YAML")],
)
def test_unusable_briefs_are_input_errors(workspace: Path, content: bytes, message: str) -> None:
    """A binary brief or invalid front matter is an InputError, not a traceback."""
    (workspace / "briefs" / "bad.md").write_bytes(content)
    with pytest.raises(InputError, match=message):
        run_check(workspace, "briefs/bad.md")


def test_empty_brief_and_missing_target(workspace: Path) -> None:
    """An empty brief checks clean with no findings; a missing path is an InputError."""
    (workspace / "briefs" / "empty.md").write_text("", encoding="utf-8")
    report = run_check(workspace, "briefs/empty.md")
    assert report.briefs[0].findings == ()
    with pytest.raises(InputError, match="no such file"):
        run_check(workspace, "briefs/absent.md")
    (workspace / "notes").mkdir()
    with pytest.raises(UsageError, match="no Markdown briefs"):
        run_check(workspace, "notes")


def test_not_utf8_brief_is_refused(workspace: Path) -> None:
    """A Latin-1 brief is an input error naming its line and the byte, not a repaired text."""
    text = '---\ntitle: Se\xf1or\n---\n\nThe "worst trade deal in history" [@oneil2017standoff].\n'
    (workspace / "briefs" / "latin.md").write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.md:2: is not UTF-8 text: byte 0xF1 at offset 13"):
        run_check(workspace, "briefs/latin.md")


def test_source_that_is_not_utf8_is_read_and_noted(workspace: Path) -> None:
    """A Latin-1 source still verifies its quotes, and the report says how it was read."""
    seed = workspace / "seeds" / "mexico-institute-2021-reset.txt"
    seed.write_bytes(seed.read_text(encoding="utf-8").encode("cp1252"))
    report = run_check(workspace, write_brief(
        workspace, 'A border "chaired by Luis Téllez and Earl Anthony Wayne" '
        "[@mexicoinstitute2021reset]."))
    assert problems(report) == []
    assert report.summary.verified == 1
    (note,) = report.notes
    assert note.startswith("seeds/mexico-institute-2021-reset.txt: ")


def test_binary_source_is_a_citation_error(workspace: Path) -> None:
    """A cited source that is a binary file is reported as unreadable, once."""
    (workspace / "seeds" / "oneil-2017-mexican-standoff.txt").write_bytes(b"\x00\x01\x02" * 50)
    report = run_check(workspace, write_brief(
        workspace, 'NAFTA was "the worst trade deal in history" [@oneil2017standoff]. '
        "Trade reached \\$520 billion [@oneil2017standoff]."))
    rules = sorted(f.rule for f in problems(report))
    assert rules == ["citation-source-unreadable", "figure-unchecked", "quote-unchecked"]


def test_oversized_brief_is_an_input_error(workspace: Path) -> None:
    """A 10 MB brief is refused with its size, not read."""
    (workspace / "briefs" / "huge.md").write_text("word " * 2_100_000, encoding="utf-8")
    with pytest.raises(InputError, match="MB"):
        run_check(workspace, "briefs/huge.md")


def test_unclosed_quote_is_an_error(workspace: Path) -> None:
    """An opening quotation mark without its closing mark is an error at the mark."""
    finding = only_problem(workspace, 'He said "the worst trade deal [@oneil2017standoff].')
    assert finding.rule == "quote-unclosed"
    assert (finding.span.line, finding.span.column) == (5, 9)


def test_cache_is_rebuilt_when_a_source_changes(workspace: Path) -> None:
    """Editing a source invalidates its cached form: a verified quote then fails."""
    brief = write_brief(workspace, 'NAFTA was "the worst trade deal in history" '
                        "[@oneil2017standoff].")
    assert problems(run_check(workspace, brief)) == []
    with closing(sqlite3.connect(workspace / ".briefkit-cache" / "cache.sqlite")) as database:
        assert database.execute("SELECT count(*) FROM sources").fetchone()[0] > 0
    seed = workspace / "seeds" / "oneil-2017-mexican-standoff.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("worst trade deal", "worst deal"),
                    encoding="utf-8")
    assert [f.rule for f in problems(run_check(workspace, brief))] == ["quote-mismatch"]


# Command line ----------------------------------------------------------------------------------


def test_cli_exit_codes_and_json(workspace: Path) -> None:
    """Clean briefs exit 0; a planted error exits 1 with a JSON report naming it."""
    runner = CliRunner()
    clean = runner.invoke(app, ["check"])
    assert clean.exit_code == 0, clean.output
    assert clean.output.strip().endswith("0 errors")
    brief = write_brief(
        workspace, 'NAFTA was "the worst trade deal in modern history" [@oneil2017standoff].')
    failed = runner.invoke(app, ["check", brief, "--format", "json"])
    assert failed.exit_code == 1
    data = json.loads(failed.output)
    assert data["summary"] == {"verified": 0, "warnings": 0, "errors": 1}
    (finding,) = data["briefs"][0]["findings"]
    assert finding["status"] == "error"
    assert finding["source"]["key"] == "oneil2017standoff"


def test_cli_strict_counts_warnings(workspace: Path) -> None:
    """A warning alone exits 0, and 1 under --strict."""
    brief = write_brief(workspace, "Farmers sell over \\$18 billion worth of goods every year.")
    runner = CliRunner()
    assert runner.invoke(app, ["check", brief]).exit_code == 0
    assert runner.invoke(app, ["check", brief, "--strict"]).exit_code == 1


def test_cli_bad_input_is_one_line_and_exit_2(workspace: Path) -> None:
    """Bad usage and unreadable input print one 'error:' line and exit 2, writing nothing."""
    runner = CliRunner()
    for args in (["check", "briefs/absent.md"], ["check", "--format", "xml"],
                 ["check", "--bib", "missing.bib", "--output", "report.json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (workspace / "report.json").exists()


def test_cli_output_file_and_github_summary(workspace: Path, tmp_path: Path) -> None:
    """--output writes the report; --format github appends a step summary when asked to."""
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(app, ["check", "--format", "github", "--output", "out.txt"],
                                env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0
    assert (workspace / "out.txt").read_text(encoding="utf-8").strip()
    assert "verified" in summary.read_text(encoding="utf-8")


def test_cli_from_a_subfolder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run inside briefs/, a brief given by its own name is found and reported as given."""
    monkeypatch.chdir(workspace / "briefs")
    result = CliRunner().invoke(app, ["check", "what-nafta-built.md", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["briefs"][0]["path"] == "what-nafta-built.md"


def test_progress_is_reported_while_the_corpus_is_prepared(workspace: Path) -> None:
    """Preparing the corpus index reports progress up to the number of sources."""
    calls: list[tuple[int, int]] = []
    brief = write_brief(workspace, 'NAFTA was "the worst trade deal of all" [@oneil2017standoff].')
    check_briefs(load_workspace(workspace), [workspace / brief],
                 progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)  # the five sources but the cited one, prepared first
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    calls.clear()
    check_briefs(load_workspace(workspace), [workspace / brief],
                 progress=lambda done, total: calls.append((done, total)))
    assert calls == []  # the second run reads the cache


def test_each_citation_covers_the_figures_before_it(workspace: Path) -> None:
    """Two cited clauses in one sentence are checked against their own sources and passages."""
    report = run_check(workspace, write_brief(
        workspace, "Trade rose from around \\$135 billion in 1993 to over \\$520 billion in 2016 "
        "[@oneil2017standoff], investment fell by 20 percent in 2016 [@oneil2017standoff], "
        "and bilateral trade reached \\$584 billion in 2015 [@wilson2017leveraging]."))
    assert problems(report) == []
    sources = [f.source.key for f in report.briefs[0].findings if f.source is not None]
    assert sources == ["oneil2017standoff"] * 6 + ["wilson2017leveraging"] * 2


def test_figures_of_one_claim_must_stand_together(workspace: Path) -> None:
    """Figures under one citation that the source gives in different places are an error."""
    finding = only_problem(workspace, "Investment fell by 20 percent while trade reached "
                           "\\$520 billion [@oneil2017standoff].")
    assert finding.rule == "figure-unsupported"


def test_entry_without_file_uses_the_sources_folder(workspace: Path) -> None:
    """An entry without a file field is read from <sources>/<key>.txt when that exists."""
    bib = workspace / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8")
                   + "\n@misc{plain, title = {Plain}}\n@misc{nothing, title = {Nothing}}\n",
                   encoding="utf-8")
    (workspace / "seeds" / "plain.txt").write_text("Exports grew by 12 percent in 2020.\n",
                                                   encoding="utf-8")
    report = run_check(workspace, write_brief(
        workspace, "Exports grew by 12 percent in 2020 [@plain]. "
        'And "words" [@nothing].'))
    warnings = problems(report)
    assert [w.rule for w in warnings] == ["quote-unchecked", "citation-no-source"]
    assert all("seeds/nothing.txt" in w.message for w in warnings)
    assert report.summary.verified == 2


UNVERIFIABLE = ('He said "these words are nowhere at all" [@nothing]. '
                'Trade reached \\$520 billion in 2016 [@nothing].')


def add_entry_without_source(root: Path) -> None:
    """A bibliography entry ``nothing`` with no file field and no text in the sources folder."""
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{nothing, title = {Nothing}}\n",
                   encoding="utf-8")


def test_unverifiable_claims_are_errors(workspace: Path) -> None:
    """A quotation or figure whose source cannot be read is an error by default: the check
    fails, and the entry itself is a warning."""
    add_entry_without_source(workspace)
    report = run_check(workspace, write_brief(workspace, UNVERIFIABLE))
    levels = {(f.rule, f.status.value) for f in problems(report)}
    assert levels == {("citation-no-source", "warning"), ("quote-unchecked", "error"),
                      ("figure-unchecked", "error")}
    assert report.failed()


def test_unverifiable_claims_as_warnings_for_drafts(workspace: Path) -> None:
    """``unverifiable = "warning"`` in briefkit.toml lowers them to warnings (exit 0), and
    --strict still fails."""
    add_entry_without_source(workspace)
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'unverifiable = "warning"\n',
                      encoding="utf-8")
    brief = write_brief(workspace, UNVERIFIABLE)
    report = run_check(workspace, brief)
    assert {f.status.value for f in problems(report)} == {"warning"}
    assert not report.failed()
    runner = CliRunner()
    assert runner.invoke(app, ["check", brief]).exit_code == 0
    assert runner.invoke(app, ["check", brief, "--strict"]).exit_code == 1


def test_path_flags_override_the_configuration(workspace: Path) -> None:
    """Global --briefs and --bibliography flags replace the configured paths."""
    other = workspace / "drafts"
    other.mkdir()
    (other / "one.md").write_text('"the worst trade deal in history" [@oneil2017standoff]\n',
                                  encoding="utf-8")
    result = CliRunner().invoke(app, ["--briefs", "drafts", "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [b["path"] for b in json.loads(result.output)["briefs"]] == ["drafts/one.md"]
    missing = CliRunner().invoke(app, ["--bibliography", "none.bib", "check"])
    assert missing.exit_code == 2
    assert "none.bib" in missing.stderr


def test_workspace_flag_starts_discovery_elsewhere(workspace: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """--workspace finds the workspace from another folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--workspace", str(workspace), "check"])
    assert result.exit_code == 0, result.output
    assert "2 briefs" in result.output


def test_cli_draws_a_progress_bar_on_a_terminal(workspace: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, preparing the corpus shows a progress bar on stderr."""
    monkeypatch.setattr("briefkit.cli.is_terminal", lambda stream: stream is not None)
    brief = write_brief(workspace, 'NAFTA was "the worst trade deal of all" [@oneil2017standoff].')
    result = CliRunner().invoke(app, ["check", brief])
    assert result.exit_code == 1
    assert "Preparing sources" in result.stderr


# Misquotations a person can act on -------------------------------------------------------------

FIFTY = ("Obliviousness and neglect from the north was met with resentment and, at times, "
         "outright hostility from the south, leaving the two countries diplomatically detached. "
         "Yet as the twenty-first century approached, this wariness began to fade, replaced by "
         "cooperation and even something resembling friendship. The détente began in the early "
         "1990s")


@pytest.mark.parametrize(("quote", "message"), [
    (FIFTY.replace("outright", "open"), "misquoted: wording changed: “open” → “outright”"),
    (FIFTY.replace("outright ", ""), "misquoted: words dropped: “outright”"),
    (FIFTY.replace("the south", "the far south"), "misquoted: words added: “far”"),
    (FIFTY.replace("the north", "the North"),
     "misquoted: capitalisation differs: “North” → “north”"),
    (FIFTY.replace("1990s", "1980s"), "misquoted: number differs: “1980s” → “1990s”"),
    ("Mexico needs to venture outside the Beltway and deepen its already strong connections",
     "misquoted: wording changed: “strong” → “rich”"),
    ("The best approach would be to avoid confronting Trump . . . by going behind him",
     "misquoted: wording changed: “behind” → “around”"),
    ("[t]he worst deal in history", "misquoted: words dropped: “trade”"),
])
def test_a_misquotes_suggestion_pasted_back_verifies(workspace: Path, quote: str,
                                                     message: str) -> None:
    """A misquotation names its one real difference, and its suggestion, pasted into the
    brief in place of the quotation, verifies."""
    body = 'O\'Neil writes that "{}" [@oneil2017standoff].'
    finding = only_problem(workspace, body.format(quote))
    assert finding.rule == "quote-mismatch"
    assert finding.message == f"oneil2017standoff: {message}"
    assert finding.suggestion is not None
    report = run_check(workspace, write_brief(workspace, body.format(finding.suggestion)))
    assert problems(report) == [] and report.summary.verified == 1


# Sources written in Markdown and HTML ----------------------------------------------------------

ESSAY = """---
title: An essay
---

# The standoff

The essay opens with a *plain* paragraph
that runs over two lines.

> Mexico needs to venture outside the Beltway
> and deepen its **already rich** connections.

Mexico's options:

- build coalitions with U.S. states and cities;
- deepen ties with _civic institutions_ and communities.
"""

PAGE = """<!DOCTYPE html>
<html><head><title>Page</title>
<script>var quote = "the wall will be paid for by Mexico";</script>
<style>p::after { content: "the wall will be paid for by Mexico"; }</style>
</head>
<body>
<p>Trump said the wall
would be paid for, <em>ultimately</em>.</p>
</body></html>
"""


def add_source(workspace: Path, key: str, name: str, text: str) -> None:
    """Write the source ``seeds/name`` and a bibliography entry ``key`` pointing at it."""
    (workspace / "seeds" / name).write_text(text, encoding="utf-8")
    bib = workspace / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8")
                   + f"\n@misc{{{key}, title = {{{key}}}, file = {{seeds/{name}}}}}\n",
                   encoding="utf-8")


def test_markdown_source_markup_is_not_text(workspace: Path) -> None:
    """Quotations of a block quote and of a list item of a Markdown source verify, pointing at
    the lines of the .md file; markup never has to be quoted."""
    add_source(workspace, "essay", "essay.md", ESSAY)
    report = run_check(workspace, write_brief(workspace, (
        'It says "Mexico needs to venture outside the Beltway and deepen its already rich '
        'connections" [@essay]. And "deepen ties with civic institutions and communities" '
        '[@essay]. Also "a plain paragraph that runs over two lines" [@essay].')))
    assert problems(report) == []
    found = [f for b in report.briefs for f in b.findings]
    assert [(f.source.path, f.source.line) for f in found if f.source is not None] == [
        ("seeds/essay.md", 10), ("seeds/essay.md", 16), ("seeds/essay.md", 7)]


def test_markdown_source_misquote_points_at_the_file_line(workspace: Path) -> None:
    """A misquotation of a Markdown source's list item is reported at its line in the file."""
    add_source(workspace, "essay", "essay.md", ESSAY)
    finding = only_problem(workspace, 'It says "build coalitions with U.S. states and towns" '
                                      '[@essay].')
    assert finding.message == "essay: misquoted: wording changed: “towns” → “cities”"
    assert finding.source is not None and finding.source.line == 15
    assert finding.suggestion == "build coalitions with U.S. states and cities"


def test_html_source_script_is_not_text(workspace: Path) -> None:
    """Words only in an HTML source's script or style never verify a quotation; its text does,
    at the line of the file."""
    add_source(workspace, "page", "page.html", PAGE)
    finding = only_problem(workspace, 'He said "the wall will be paid for by Mexico" [@page].')
    assert finding.status is Status.ERROR
    report = run_check(workspace, write_brief(
        workspace, 'He said "the wall would be paid for, ultimately" [@page].'))
    assert problems(report) == []
    (verified,) = [f for b in report.briefs for f in b.findings]
    assert verified.source is not None and verified.source.line == 7


def test_emphasis_left_in_a_plain_text_source_is_transparent(workspace: Path) -> None:
    """A plain-text source that kept Markdown emphasis and escapes verifies the quotation of
    its words without the marks."""
    add_source(workspace, "lincoln", "lincoln.txt",
               "I do not expect the Union to be dissolved\\--I do not expect the house to "
               "__fall___\\--_but I __do __ expect it will cease to be divided.\n")
    report = run_check(workspace, write_brief(workspace, (
        'Lincoln: "I do not expect the house to fall---but I do expect it will cease to be '
        'divided" [@lincoln].')))
    assert problems(report) == []
    finding = only_problem(workspace, 'Lincoln: "I do not expect the house to fall---but I '
                                      'do expect it will stop being divided" [@lincoln].')
    assert finding.message.startswith("lincoln: misquoted: wording changed: “stop being”")
    assert finding.suggestion is not None and "_" not in finding.suggestion


# Hostile briefs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    # one sentence with 2,000 claims, each with its own citation (minutes when it was quadratic)
    "Trade grew " + ", ".join(f"{i % 90 + 1} percent [@oneil2017standoff, p. {i}]"
                              for i in range(2000)) + ".",
    # a paragraph of 1.2 MB with 18,000 citations
    " ".join(f"Trade between the two countries grew [@oneil2017standoff, p. {i}]."
             for i in range(18000)),
], ids=["figures-2000-one-sentence", "citations-18000-one-paragraph"])
def test_large_brief_is_checked_to_the_end(workspace: Path, body: str) -> None:
    """A brief built to be slow is checked in full by a real process within a generous limit."""
    import subprocess
    import sys

    brief = write_brief(workspace, body, name="large.md")
    done = subprocess.run([sys.executable, "-m", "briefkit", "check", brief, "--format", "json"],
                          cwd=workspace, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode in (0, 1), done.stderr
    [report] = json.loads(done.stdout)["briefs"]
    figures = [f for f in report["findings"] if f["kind"] == "figure"]
    assert len(figures) == (2000 if "percent" in body else 0)


def test_brief_linked_from_outside_is_refused(workspace: Path, tmp_path: Path) -> None:
    """A brief that is a link to a file outside the workspace is refused, named, not shown."""
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret title\n---\n\nSecret text.\n", encoding="utf-8")
    (workspace / "briefs" / "leak.md").symlink_to(secret)
    for args in (["check"], ["check", "briefs/leak.md"], ["check", "briefs"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert result.stderr == ("error: briefs/leak.md: is a link to a file outside the "
                                 "workspace\n")
        assert "Secret" not in result.output
    listing = CliRunner().invoke(app, ["series"])
    assert listing.exit_code == 0 and "Secret" not in listing.output


def test_brief_linked_inside_the_workspace_is_read(workspace: Path) -> None:
    """A link to another file of the workspace is an ordinary brief, reported as that file."""
    (workspace / "drafts").mkdir()
    target = workspace / "drafts" / "draft.md"
    target.write_text("---\ntitle: Draft\n---\n\nText [@oneil2017standoff].\n", encoding="utf-8")
    (workspace / "briefs" / "draft.md").symlink_to(target)
    report = run_check(workspace, "briefs/draft.md")
    assert [b.path for b in report.briefs] == ["drafts/draft.md"]
