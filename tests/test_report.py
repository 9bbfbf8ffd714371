"""Every output format of `briefkit check`, built from hand-made reports."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from briefkit.check.report import FORMATS, RULES, format_report, step_summary, summary_line
from briefkit.errors import UsageError
from briefkit.model import (
    BibDiagnostic,
    BriefReport,
    CheckReport,
    Finding,
    Kind,
    SourceRef,
    Span,
    Status,
)

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile("\x1b\\[")
NAFTA = "briefs/what-nafta-built.md"
RESET = "briefs/the-workaround-and-the-reset.md"
RULE_IDS = [
    "quote-verified", "quote-mismatch", "quote-not-found", "quote-unchecked", "quote-uncited",
    "quote-unclosed", "figure-verified", "figure-contradicted", "figure-unsupported",
    "figure-unchecked", "figure-uncited", "citation-unknown-key",
    "citation-no-source", "citation-source-missing", "citation-source-unreadable",
    "citation-source-outside", "attribution-other-source", "brief-brackets",
    "brief-raw-content", "frontmatter-invalid", "series-unknown", "series-duplicate-number",
    "draft-prompt",
    "bib-malformed", "bib-duplicate-key", "bib-missing-field", "bib-unused-entry", "bib-encoding",
]

VERIFIED = Finding(
    kind=Kind.QUOTE,
    status=Status.VERIFIED,
    span=Span(24, 22, 25, 6),
    text="the second-largest foreign buyer of U.S. goods, second only to Canada",
    keys=("wilson2017leveraging",),
    message="quotation matches wilson2017leveraging",
    rule="quote-verified",
    source=SourceRef(
        "wilson2017leveraging",
        "seeds/wilson-2017-leveraging-the-relationship.txt",
        9,
        "the second-largest foreign buyer of U.S. goods, second only to Canada",
    ),
)
FIGURE = Finding(
    kind=Kind.FIGURE,
    status=Status.ERROR,
    span=Span(26, 34, 26, 46),
    text="\\$18 billion",
    keys=("oneil2017standoff",),
    message="figure $18 billion differs from the source ($17.7 billion)",
    rule="figure-contradicted",
    source=SourceRef(
        "oneil2017standoff",
        "seeds/oneil-2017-mexican-standoff.txt",
        31,
        "American farmers sell some $17.7 billion worth of goods to Mexico",
    ),
    suggestion="$17.7 billion",
)
UNCITED = Finding(
    kind=Kind.QUOTE,
    status=Status.WARNING,
    span=Span(41, 9, 41, 52),
    text="a partnership that has never been more vital",
    keys=(),
    message="quotation has no citation",
    rule="quote-uncited",
)
MISQUOTE = Finding(
    kind=Kind.QUOTE,
    status=Status.ERROR,
    span=Span(18, 40, 18, 97),
    text="the most important relationship in the world",
    keys=("sarukhan2022allies",),
    message="quotation differs from sarukhan2022allies: 1 word changed",
    rule="quote-mismatch",
    source=SourceRef(
        "sarukhan2022allies",
        "seeds/sarukhan-2022-foreign-affairs.txt",
        12,
        "the most consequential relationship in the world",
    ),
    suggestion="the most consequential relationship in the world",
    detail="- important\n+ consequential",
)
UNUSED = BibDiagnostic(
    path="references.bib",
    line=41,
    status=Status.WARNING,
    message="entry sarukhan2014perspectives is never cited",
    rule="bib-unused-entry",
    key="sarukhan2014perspectives",
)


def sample() -> CheckReport:
    """Two briefs (one verified quote, two errors, one warning) and one bibliography warning."""
    return CheckReport(
        briefs=(
            BriefReport(NAFTA, (VERIFIED, FIGURE, UNCITED)),
            BriefReport(RESET, (MISQUOTE,)),
        ),
        bibliography=(UNUSED,),
    )


def render(report: CheckReport, fmt: str, **options: Any) -> str:
    return format_report(report, fmt, version="0.1.0", **options)


# -- all formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", [CheckReport(), sample()], ids=["empty", "sample"])
def test_every_format_ends_with_one_newline(fmt: str, report: CheckReport) -> None:
    """Every format renders an empty and a full report as text ending in exactly one newline."""
    output = render(report, fmt)
    assert output.endswith("\n")
    assert not output.endswith("\n\n")


def test_unknown_format_is_a_usage_error() -> None:
    """An unknown format name raises UsageError naming the known formats."""
    with pytest.raises(UsageError, match="sarif"):
        render(sample(), "xml")


def test_rules_cover_every_stable_rule_id() -> None:
    """RULES has exactly the stable rule ids, each with a description, help and a valid level."""
    assert list(RULES) == RULE_IDS
    for info in RULES.values():
        assert info.short.endswith(".")
        assert len(info.help) > len(info.short)
        assert info.level in {"error", "warning", "note"}
    assert RULES["quote-verified"].level == "note"


# -- JSON -------------------------------------------------------------------------------------


def test_json_keys_and_their_order_are_pinned() -> None:
    """Schema version 2: the key set and key order at every level are exactly as documented."""
    data = json.loads(render(sample(), "json"))
    assert list(data) == ["version", "briefs", "bibliography", "summary"]
    assert data["version"] == 2
    assert list(data["briefs"][0]) == ["path", "findings"]
    finding_keys = [
        "kind", "status", "line", "column", "end_line", "end_column",
        "text", "keys", "message", "source", "suggestion", "passage",
    ]
    for brief in data["briefs"]:
        for finding in brief["findings"]:
            assert list(finding) == finding_keys
    assert list(data["briefs"][0]["findings"][0]["source"]) == ["key", "path", "line", "excerpt"]
    assert list(data["bibliography"][0]) == ["path", "line", "status", "message"]
    assert list(data["summary"]) == ["verified", "warnings", "errors"]


def test_json_values_round_trip() -> None:
    """Kinds and statuses are plain strings, spans flat, absent source and suggestion null."""
    data = json.loads(render(sample(), "json"))
    nafta = data["briefs"][0]
    assert nafta["path"] == NAFTA
    verified, figure, uncited = nafta["findings"]
    assert (verified["kind"], verified["status"]) == ("quote", "verified")
    assert (figure["kind"], figure["status"]) == ("figure", "error")
    assert [figure["line"], figure["column"], figure["end_line"], figure["end_column"]] == [
        26, 34, 26, 46,
    ]
    assert figure["keys"] == ["oneil2017standoff"]
    assert figure["text"] == "\\$18 billion"
    assert figure["source"]["line"] == 31
    assert figure["suggestion"] == "$17.7 billion"
    assert uncited["keys"] == []
    assert uncited["source"] is None and uncited["suggestion"] is None
    assert verified["suggestion"] is None
    assert data["bibliography"] == [{
        "path": "references.bib", "line": 41, "status": "warning",
        "message": "entry sarukhan2014perspectives is never cited",
    }]
    assert data["summary"] == {"verified": 1, "warnings": 2, "errors": 2}


def test_json_leaves_out_rule_and_detail() -> None:
    """The rule id and the multi-line detail are not part of the JSON schema."""
    output = render(sample(), "json")
    assert "quote-mismatch" not in output
    assert "+ consequential" not in output


def test_json_keeps_unicode_and_indents_by_two() -> None:
    """Non-ASCII text is written as is (not \\u-escaped) and the document is indented by two."""
    curly = replace(UNCITED, text="“vital”")
    output = render(CheckReport(briefs=(BriefReport(NAFTA, (curly,)),)), "json")
    assert "“vital”" in output
    assert "\\u201c" not in output
    assert output.startswith('{\n  "version": 2,\n  "briefs": [\n')


# -- text -------------------------------------------------------------------------------------


def test_text_lists_problems_and_counts_verified_findings() -> None:
    """Errors and warnings get a located line each; verified findings only count in the summary."""
    lines = render(sample(), "text").splitlines()
    figure = "figure $18 billion differs from the source ($17.7 billion)"
    assert f"{NAFTA}:26:34: error: {figure}" in lines
    assert f"{NAFTA}:41:9: warning: quotation has no citation" in lines
    assert not any("verified:" in line or ":24:22:" in line for line in lines)
    assert lines[-1] == "2 briefs: 1 verified, 2 warnings, 2 errors"


def test_text_block_shows_source_suggestion_and_detail() -> None:
    """A mismatch is followed by its indented source excerpt, suggestion and word difference."""
    output = render(sample(), "text")
    assert (
        f"{RESET}:18:40: error: quotation differs from sarukhan2022allies: 1 word changed\n"
        "    source: seeds/sarukhan-2022-foreign-affairs.txt:12: "
        "“the most consequential relationship in the world”\n"
        "    suggestion: the most consequential relationship in the world\n"
        "    - important\n"
        "    + consequential\n"
    ) in output


def test_text_verbose_lists_verified_findings() -> None:
    """With verbose=True verified findings are listed as well."""
    output = render(sample(), "text", verbose=True)
    assert f"{NAFTA}:24:22: verified: quotation matches wilson2017leveraging" in output


def test_text_lists_bibliography_diagnostics_and_notes() -> None:
    """Bibliography diagnostics are located by line; notes come before the summary line."""
    report = replace(sample(), notes=("2 quotations are in .unchecked divs",))
    lines = render(report, "text").splitlines()
    assert "references.bib:41: warning: entry sarukhan2014perspectives is never cited" in lines
    assert lines[-2:] == [
        "note: 2 quotations are in .unchecked divs",
        "2 briefs: 1 verified, 2 warnings, 2 errors",
    ]


def test_text_without_colour_has_no_escape_codes() -> None:
    """color=False output holds no ANSI escape sequence, even for a brief that contains one."""
    hostile = replace(UNCITED, message="quotation has \x1b[2Jno citation")
    report = CheckReport(briefs=(BriefReport(NAFTA, (hostile,)),))
    output = render(report, "text")
    assert not ANSI.search(output)
    assert "\\u001b[2Jno citation" in output


def test_text_with_colour_paints_levels_counts_and_sources() -> None:
    """color=True paints errors red, warnings yellow, the verified count green, sources dim."""
    output = render(sample(), "text", color=True)
    assert f"{NAFTA}:26:34: \x1b[1;31merror\x1b[0m: figure" in output
    assert f"{NAFTA}:41:9: \x1b[1;33mwarning\x1b[0m: quotation" in output
    assert "    \x1b[2msource: seeds/oneil-2017-mexican-standoff.txt:31: " in output
    assert output.splitlines()[-1] == (
        "2 briefs: \x1b[32m1 verified\x1b[0m, \x1b[33m2 warnings\x1b[0m, \x1b[31m2 errors\x1b[0m"
    )
    assert ANSI.sub("", output).count("\x1b") == 0


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ((), "1 brief: 0 verified, 0 warnings, 0 errors"),
        ((VERIFIED, UNCITED, FIGURE), "1 brief: 1 verified, 1 warning, 1 error"),
        ((VERIFIED, VERIFIED, UNCITED, UNCITED, FIGURE, MISQUOTE),
         "1 brief: 2 verified, 2 warnings, 2 errors"),
    ],
)
def test_summary_line_gets_singular_and_plural_right(
    findings: tuple[Finding, ...], expected: str
) -> None:
    """The summary line says "1 warning" but "2 warnings", "1 brief" but "2 briefs"."""
    report = CheckReport(briefs=(BriefReport(NAFTA, findings),))
    assert summary_line(report) == expected
    assert render(report, "text").splitlines()[-1] == expected
    assert summary_line(CheckReport()) == "0 briefs: 0 verified, 0 warnings, 0 errors"


# -- GitHub workflow commands -----------------------------------------------------------------


def test_github_writes_one_command_per_problem() -> None:
    """Each error or warning is one workflow command with its span and rule; verified are not."""
    lines = render(sample(), "github").splitlines()
    assert lines[0] == (
        f"::error file={NAFTA},line=26,col=34,endLine=26,endColumn=46,"
        "title=briefkit%3A figure-contradicted::figure $18 billion differs from the source "
        "($17.7 billion)%0Asuggestion: $17.7 billion"
    )
    assert lines[1] == (
        f"::warning file={NAFTA},line=41,col=9,endLine=41,endColumn=52,"
        "title=briefkit%3A quote-uncited::quotation has no citation"
    )
    assert lines[3] == (
        "::warning file=references.bib,line=41,title=briefkit%3A bib-unused-entry"
        "::entry sarukhan2014perspectives is never cited"
    )
    assert len(lines) == 5
    assert lines[-1] == "2 briefs: 1 verified, 2 warnings, 2 errors"


def test_github_escapes_messages() -> None:
    """In a message % CR and LF are escaped; colons and commas are left alone."""
    odd = replace(FIGURE, message="50% off: a, b\r\nnext", suggestion=None)
    line = render(CheckReport(briefs=(BriefReport(NAFTA, (odd,)),)), "github").splitlines()[0]
    assert line.endswith("::50%25 off: a, b%0D%0Anext")


def test_github_escapes_properties() -> None:
    """In a property value , and : are escaped as well, so a path with a comma stays one value."""
    path = "briefs/trade, people: 100%.md"
    line = render(CheckReport(briefs=(BriefReport(path, (FIGURE,)),)), "github").splitlines()[0]
    assert line.startswith("::error file=briefs/trade%2C people%3A 100%25.md,line=26,")


def test_github_plain_lines_cannot_be_commands() -> None:
    """A note that starts with :: is printed as a plain note, never as a workflow command."""
    report = CheckReport(notes=("::stop-commands::x",))
    lines = render(report, "github").splitlines()
    assert lines == ["note: ::stop-commands::x", "0 briefs: 0 verified, 0 warnings, 0 errors"]


def test_github_step_summary_has_table_and_problem_list() -> None:
    """The step summary tabulates counts per file and lists every error and warning."""
    markdown = step_summary(sample())
    assert markdown.startswith("## briefkit check\n\n2 briefs: 1 verified, 2 warnings, 2 errors\n")
    assert f"| `{NAFTA}` | 1 | 1 | 1 |" in markdown
    assert f"| `{RESET}` | 0 | 0 | 1 |" in markdown
    assert "| `references.bib` | 0 | 1 | 0 |" in markdown
    assert "| **Total** | 1 | 2 | 2 |" in markdown
    assert (
        f"- **error** `{RESET}:18:40` quote-mismatch: quotation differs from "
        "sarukhan2022allies: 1 word changed<br>suggestion: the most consequential relationship "
        "in the world"
    ) in markdown
    assert "- **warning** `references.bib:41` bib-unused-entry: entry" in markdown


def test_github_step_summary_escapes_markdown_and_html() -> None:
    """Brief-controlled text cannot inject HTML or table cells into the step summary."""
    hostile = replace(UNCITED, message="<img src=x> | *bold*")
    markdown = step_summary(CheckReport(briefs=(BriefReport("briefs/a|b.md", (hostile,)),)))
    assert "\\<img src=x\\> \\| \\*bold\\*" in markdown
    assert not re.search(r"(?<!\\)<", markdown)
    assert "| `briefs/a|b.md` |" not in markdown


def test_github_step_summary_of_a_clean_report() -> None:
    """A clean report says so instead of an empty list."""
    report = CheckReport(briefs=(BriefReport(NAFTA, (VERIFIED,)),))
    markdown = step_summary(report)
    assert "No errors or warnings." in markdown
    assert "### Errors and warnings" not in markdown


def test_github_step_summary_caps_its_list() -> None:
    """A very long list is cut off with a count of the rest."""
    many = tuple(replace(UNCITED, span=Span(n, 1, n, 9)) for n in range(1, 251))
    markdown = step_summary(CheckReport(briefs=(BriefReport(NAFTA, many),)))
    assert markdown.count("- **warning**") == 200
    assert "- … and 50 more (see the job log)" in markdown


# -- SARIF ------------------------------------------------------------------------------------

SARIF_LEVELS = {"none", "note", "warning", "error"}


def check_region(region: dict[str, Any], *, full: bool) -> None:
    """A region has positive integers, startLine always, the rest when ``full``."""
    keys = ["startLine", "startColumn", "endLine", "endColumn"] if full else ["startLine"]
    assert list(region) == keys
    for key in keys:
        assert type(region[key]) is int and region[key] >= 1, key
    if full:
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"], region["startColumn"],
        )


def check_location(location: dict[str, Any], base_ids: dict[str, Any]) -> None:
    """A physical location relative to a declared base, with forward slashes only."""
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    assert isinstance(artifact["uri"], str) and "\\" not in artifact["uri"]
    assert not artifact["uri"].startswith(("/", "./"))
    assert artifact["uriBaseId"] in base_ids


def check_sarif(log: dict[str, Any]) -> None:
    """Structural checks of the SARIF 2.1.0 requirements that code scanning relies on."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "briefkit" and isinstance(driver["version"], str)
    assert driver["informationUri"].startswith("https://")
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for rule in driver["rules"]:
        assert isinstance(rule["shortDescription"]["text"], str)
        assert isinstance(rule["fullDescription"]["text"], str)
        assert rule["defaultConfiguration"]["level"] in SARIF_LEVELS
    base_ids = run["originalUriBaseIds"]
    assert isinstance(run["results"], list)
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert type(result["ruleIndex"]) is int
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        assert len(result["locations"]) == 1
        check_location(result["locations"][0], base_ids)
        region = result["locations"][0]["physicalLocation"].get("region")
        if region is not None:
            check_region(region, full="startColumn" in region)
        fingerprints = result["partialFingerprints"]
        assert fingerprints and all(isinstance(v, str) for v in fingerprints.values())
        for related in result.get("relatedLocations", []):
            check_location(related, base_ids)


def sarif(report: CheckReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report, "sarif"))
    return data


def test_sarif_structure_meets_2_1_0_requirements() -> None:
    """The sample report gives a SARIF log that passes the structural checks."""
    check_sarif(sarif(sample()))
    check_sarif(sarif(CheckReport()))


def test_sarif_rules_come_from_rules_table() -> None:
    """tool.driver.rules lists every rule of RULES, in order, with its texts and level."""
    driver = sarif(CheckReport())["runs"][0]["tool"]["driver"]
    assert driver["version"] == "0.1.0"
    assert [rule["id"] for rule in driver["rules"]] == RULE_IDS
    mismatch = driver["rules"][RULE_IDS.index("quote-mismatch")]
    assert mismatch["shortDescription"]["text"] == RULES["quote-mismatch"].short
    assert mismatch["fullDescription"]["text"] == RULES["quote-mismatch"].help
    assert mismatch["defaultConfiguration"]["level"] == "error"


def test_sarif_results_are_problems_only() -> None:
    """Verified findings are not results; errors and warnings keep their level and region."""
    results = sarif(sample())["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("figure-contradicted", "error"),
        ("quote-uncited", "warning"),
        ("quote-mismatch", "error"),
        ("bib-unused-entry", "warning"),
    ]
    figure = results[0]
    location = figure["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": NAFTA, "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 26, "startColumn": 34, "endLine": 26,
                                  "endColumn": 46}
    assert figure["message"]["text"].endswith("\nSuggestion: $17.7 billion")
    related = figure["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "seeds/oneil-2017-mexican-standoff.txt"


def test_sarif_bibliography_results_have_a_start_line_only() -> None:
    """A bibliography diagnostic is a result whose region gives its line alone."""
    result = sarif(sample())["runs"][0]["results"][-1]
    assert result["ruleIndex"] == RULE_IDS.index("bib-unused-entry")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "references.bib"
    assert location["region"] == {"startLine": 41}


def fingerprint(finding: Finding, path: str = NAFTA) -> str:
    result = sarif(CheckReport(briefs=(BriefReport(path, (finding,)),)))["runs"][0]["results"][0]
    value: str = result["partialFingerprints"]["briefkit/v1"]
    return value


def test_sarif_fingerprint_survives_line_moves_only() -> None:
    """The fingerprint ignores the position but changes with rule, path or text."""
    moved = replace(FIGURE, span=Span(40, 2, 41, 3))
    assert re.fullmatch("[0-9a-f]{64}", fingerprint(FIGURE))
    assert fingerprint(moved) == fingerprint(FIGURE)
    assert fingerprint(replace(FIGURE, text="\\$18  billion")) == fingerprint(FIGURE)
    assert fingerprint(replace(FIGURE, text="\\$19 billion")) != fingerprint(FIGURE)
    assert fingerprint(replace(FIGURE, rule="figure-unsupported")) != fingerprint(FIGURE)
    assert fingerprint(FIGURE, path=RESET) != fingerprint(FIGURE)


def test_sarif_repeated_claims_get_distinct_fingerprints() -> None:
    """The same wrong figure twice in one brief gives two alerts, not one."""
    twice = (FIGURE, replace(FIGURE, span=Span(50, 1, 50, 13)))
    results = sarif(CheckReport(briefs=(BriefReport(NAFTA, twice),)))["runs"][0]["results"]
    first, second = (r["partialFingerprints"]["briefkit/v1"] for r in results)
    assert first != second


def test_sarif_uris_are_relative_with_forward_slashes() -> None:
    """Windows separators, ./ prefixes and spaces become a clean relative URI reference."""
    report = CheckReport(briefs=(
        BriefReport("briefs\\draft one.md", (FIGURE,)),
        BriefReport("./briefs/b.md", (FIGURE,)),
    ))
    log = sarif(report)
    check_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]]
    assert uris == ["briefs/draft%20one.md", "briefs/b.md"]


def test_sarif_clamps_regions_and_describes_unknown_rules() -> None:
    """A degenerate span still gives a valid region; a rule outside RULES gets a descriptor."""
    odd = replace(UNCITED, span=Span(0, 0, 0, 0), rule="quote-experimental")
    log = sarif(CheckReport(briefs=(BriefReport(NAFTA, (odd,)),)))
    check_sarif(log)
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1,
    }
    assert log["runs"][0]["tool"]["driver"]["rules"][-1]["id"] == "quote-experimental"


# -- JUnit XML --------------------------------------------------------------------------------


def junit(report: CheckReport, *, strict: bool = False) -> Any:
    return etree.fromstring(render(report, "junit", strict=strict).encode("utf-8"))


def test_junit_counts_match_the_report() -> None:
    """One suite per brief and per bibliography, one case per finding, errors as failures."""
    root = junit(sample())
    assert root.tag == "testsuites"
    assert (root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == (
        "briefkit", "5", "2", "0",
    )
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [
        (NAFTA, "3", "1"), (RESET, "1", "1"), ("references.bib", "1", "0"),
    ]
    assert len(root.findall(".//testcase")) == 5


def test_junit_failures_carry_rule_message_and_detail() -> None:
    """An error's testcase has a <failure> with the rule as type and the detail as text."""
    case = junit(sample()).findall("testsuite")[1].find("testcase")
    assert case.get("classname") == RESET
    assert case.get("file") == RESET
    assert case.get("time") == "0"
    assert case.get("name") == "quote line 18: the most important relationship in the world"
    failure = case.find("failure")
    assert failure.get("type") == "quote-mismatch"
    assert failure.get("message") == "quotation differs from sarukhan2022allies: 1 word changed"
    assert "- important\n+ consequential" in failure.text
    assert "suggestion: the most consequential relationship in the world" in failure.text


def test_junit_warnings_pass_unless_strict() -> None:
    """A warning is a note on a passing testcase, and a failure under strict=True."""
    lenient = junit(sample()).findall("testsuite")[0].findall("testcase")[2]
    assert lenient.find("failure") is None
    assert lenient.findtext("system-out") == "warning: quotation has no citation [quote-uncited]"
    strict = junit(sample(), strict=True)
    assert strict.get("failures") == "4"
    case = strict.findall("testsuite")[0].findall("testcase")[2]
    assert case.find("failure").get("type") == "quote-uncited"


def test_junit_names_are_shortened_and_xml_safe() -> None:
    """Long claim text is shortened in the case name; characters XML forbids are replaced."""
    long_text = "word " * 30 + "\x00end"
    finding = replace(MISQUOTE, text=long_text, message="bad \x07 bell")
    case = junit(CheckReport(briefs=(BriefReport(NAFTA, (finding,)),))).find(".//testcase")
    assert case.get("name").endswith("…")
    assert len(case.get("name")) <= len("quote line 18: ") + 60
    assert case.find("failure").get("message") == "bad \ufffd bell"


# -- CI files shipped with the project --------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    """The pre-commit hook runs `briefkit check` on changed Markdown briefs, serially."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks == [{
        "id": "briefkit-check",
        "name": "briefkit check",
        "description": hooks[0]["description"],
        "entry": "briefkit check",
        "language": "python",
        "types_or": ["markdown"],
        "files": "^briefs/",
        "pass_filenames": True,
        "require_serial": True,
    }]


def test_ci_docs_list_every_rule() -> None:
    """docs/ci.md has a table row for every rule with its default level and description."""
    docs = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for rule_id, info in RULES.items():
        assert f"| `{rule_id}` | {info.level} | {info.short} |" in docs, rule_id


def test_ci_docs_embed_the_example_workflow() -> None:
    """The workflow in docs/ci.md is docs/examples/briefkit-check.yml, and it is valid YAML."""
    workflow = (REPO / "docs" / "examples" / "briefkit-check.yml").read_text(encoding="utf-8")
    assert workflow in (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    steps = yaml.safe_load(workflow)["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("briefkit check --strict --format github" in run for run in runs)
    assert any("--format sarif --output briefkit.sarif" in run for run in runs)
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == "briefkit.sarif"


def test_every_rule_the_package_reports_is_described() -> None:
    """Each rule id written in the package's source is in RULES (and so in SARIF and the docs)."""
    package = Path(__file__).resolve().parents[1] / "src" / "briefkit"
    written = set()
    for module in package.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        written |= set(re.findall(r'rule="([a-z]+(?:-[a-z]+)+)"', text))
        written |= set(re.findall(r'_RULE = "([a-z]+(?:-[a-z]+)+)"', text))
        written |= set(re.findall(r'_problem\([^)]*?"([a-z]+-[a-z-]+)"', text))
    assert written and written <= set(RULES), sorted(written - set(RULES))
