"""Every output format of `briefkit check`: text, JSON, GitHub workflow commands, SARIF, JUnit XML.

`format_report` turns a `CheckReport` into the text of one format; `step_summary` gives the
Markdown for ``$GITHUB_STEP_SUMMARY``; `RULES` describes every stable rule id. The functions here
only build strings: writing them (stdout, ``--output``) and the exit code belong to the caller, so
no format ever fails a job by itself.

The JSON format (schema version 2) is a stable interface: its keys, their order and their meaning
change only with a new ``version``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from ..errors import UsageError
from ..model import (
    BibDiagnostic,
    BriefReport,
    CheckReport,
    Finding,
    SourceRef,
    Span,
    Status,
    Summary,
)

FORMATS = ("text", "json", "github", "sarif", "junit")
JSON_VERSION = 2
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/briefkit/"
FINGERPRINT = "briefkit/v1"
SRCROOT = "%SRCROOT%"
STEP_SUMMARY_LIMIT = 200  # list items; GitHub caps a step summary at 1 MiB

JSONObject = dict[str, Any]


@dataclass(frozen=True)
class RuleInfo:
    """A stable rule: a one-line description, a longer help text and its usual SARIF level.

    ``level`` is ``"error"``, ``"warning"`` or ``"note"``; a finding's own status decides the
    level of each result, so this is only the default shown by SARIF viewers.
    """

    short: str
    help: str
    level: str = "error"


RULES: Mapping[str, RuleInfo] = MappingProxyType({
    "quote-verified": RuleInfo(
        "Quotation matches its cited source.",
        "The quoted words occur in the source the citation points at, with only the changes an "
        "editor may make silently (first-letter case, quote and dash style, line breaks, emphasis, "
        "end punctuation inside the closing mark) and the changes marked with an ellipsis, square "
        "brackets, [sic] or (emphasis added).",
        "note",
    ),
    "quote-mismatch": RuleInfo(
        "Quotation differs from the cited source.",
        "The nearest passage of the cited source differs from the quotation by a changed, added or "
        "dropped word, a changed number or changed internal punctuation. Copy the source wording "
        "shown as the suggestion, or mark the change: an ellipsis for an omission, square brackets "
        "for an insertion or substitution. A changed number is an error however small the edit.",
    ),
    "quote-not-found": RuleInfo(
        "Quotation not found in the cited source.",
        "No passage of the cited source is close to the quotation. Check the citation key, or cite "
        "the work the words come from. If the passage is a paraphrase, drop the quotation marks.",
    ),
    "quote-unchecked": RuleInfo(
        "Quotation could not be checked.",
        "The quotation cites a work whose source text cannot be used, so its wording was not "
        "compared with anything: it is unverified, and an error. The message says why; the "
        "citation-* finding for the same key names the fix. For drafts, unverifiable = "
        "\"warning\" in briefkit.toml lowers it to a warning.",
    ),
    "quote-uncited": RuleInfo(
        "Quotation carries no citation.",
        "A quotation is checked against the source its citation points at, and this one has no "
        "citation in its sentence or footnote. Add a pandoc citation such as [@key, 12].",
        "warning",
    ),
    "quote-unclosed": RuleInfo(
        "Quotation mark is never closed.",
        "An opening quotation mark has no closing mark in the same paragraph, so the extent of the "
        "quotation is unknown and it was not checked. Close the quotation, or escape a literal "
        "quotation mark.",
    ),
    "figure-verified": RuleInfo(
        "Figure matches its cited source.",
        "The cited source states the same quantity. Number words and forms are compared by value: "
        "\"two million\" equals \"2 million\", \"40%\" equals \"forty per cent\", \"$1.4 billion\" "
        "equals \"$1,400 million\".",
        "note",
    ),
    "figure-contradicted": RuleInfo(
        "Figure contradicts the cited source.",
        "The passage of the cited source that states this claim gives another value for the same "
        "thing (its subject, its year, its place among the claim's figures); the suggestion is "
        "the source's value from that passage. Correct the figure, or cite the work that gives "
        "it.",
    ),
    "figure-unsupported": RuleInfo(
        "Figure is not supported by the cited source.",
        "No passage of the cited source states this claim, or the passage that does gives no "
        "figure of this kind; the value may still occur elsewhere in the source, about something "
        "else. The message shows the closest passage. A figure computed from the source (a sum, "
        "a share) cannot be checked: say how it was derived, or cite the work that states it.",
    ),
    "figure-unchecked": RuleInfo(
        "Figure could not be checked.",
        "The figure cites a work whose source text cannot be used, so its value was not compared "
        "with anything: it is unverified, and an error. The message says why; the citation-* "
        "finding for the same key names the fix. For drafts, unverifiable = \"warning\" in "
        "briefkit.toml lowers it to a warning.",
    ),
    "figure-uncited": RuleInfo(
        "Figure carries no citation.",
        "A sentence states a figure without a citation, so it cannot be checked. Add a pandoc "
        "citation such as [@key, 12].",
        "warning",
    ),
    "citation-unknown-key": RuleInfo(
        "Citation key is not in the bibliography.",
        "The key is not defined in the bibliography; pandoc would print it as \"key?\". The "
        "suggestion names the closest key that exists.",
    ),
    "citation-no-source": RuleInfo(
        "Bibliography entry has no source text.",
        "The cited entry has no file field, so the quotations and figures that cite it cannot be "
        "checked. Add the source text to the workspace and link it from the entry with "
        "file = {seeds/...}.",
        "warning",
    ),
    "citation-source-missing": RuleInfo(
        "Source file does not exist.",
        "The file field of the cited entry names a file that does not exist. Paths in file fields "
        "are relative to the bibliography.",
    ),
    "citation-source-unreadable": RuleInfo(
        "Source file cannot be read.",
        "The source file of the cited entry exists but cannot be read as text: an unsupported "
        "format, an unknown encoding or a damaged file.",
    ),
    "citation-source-outside": RuleInfo(
        "Source file is outside the workspace.",
        "The file field of the cited entry points outside the workspace. briefkit reads sources "
        "only from inside it, so a bibliography cannot make it read arbitrary files.",
    ),
    "attribution-other-source": RuleInfo(
        "Claim comes from another source.",
        "The quotation or figure is not in the cited source but occurs in another source of the "
        "bibliography, named in the message: the claim is attributed to the wrong work. Cite "
        "the work it comes from.",
    ),
    "brief-brackets": RuleInfo(
        "Brief has too many square brackets open at once.",
        "More than 8 square brackets are open at once in a paragraph (nested, or never closed). "
        "Pandoc takes time exponential in that, so render and volume refuse the brief; close "
        "the brackets or escape them as \\[.",
        "warning",
    ),
    "brief-raw-content": RuleInfo(
        "Brief contains raw HTML or TeX.",
        "Raw HTML, TeX and raw attribute blocks are read as text unless the workspace sets "
        "allow_raw = true, so they will not act in the rendered brief.",
        "warning",
    ),
    "frontmatter-invalid": RuleInfo(
        "Front matter field is invalid.",
        "A field of the brief's front matter has the wrong type or an impossible value (a date "
        "that is not a calendar date, a number that is not a positive integer, a list where one "
        "value belongs). The finding is at the field's line; fix the value.",
    ),
    "series-unknown": RuleInfo(
        "Brief names an unknown series.",
        "The brief's series is not one the workspace defines; the message lists the series it "
        "knows. Use one of them or define the series.",
    ),
    "series-duplicate-number": RuleInfo(
        "Two briefs share a number in a series.",
        "Another brief of the same series has the same number, so the volume would print it "
        "twice. The message names the other brief; renumber one of them.",
    ),
    "draft-prompt": RuleInfo(
        "Skeleton prompt left in the brief.",
        "A prompt written by `briefkit new` is still in the brief: the brief is unfinished. "
        "`render` and `volume` refuse it unless given --draft, which marks every page as a draft.",
        "warning",
    ),
    "bib-malformed": RuleInfo(
        "Bibliography entry is malformed.",
        "Part of the bibliography cannot be parsed. Pandoc would abort with a position at the end "
        "of the file; this finding gives the line where the broken entry starts.",
    ),
    "bib-duplicate-key": RuleInfo(
        "Bibliography key is defined twice.",
        "Two entries share one key. Pandoc silently uses the last one, so citations may point at "
        "the wrong work. Rename or remove one of them.",
    ),
    "bib-missing-field": RuleInfo(
        "Bibliography entry lacks a field.",
        "The entry lacks a field that the citation style needs for its type (such as author, "
        "title or year), so the rendered reference would be incomplete.",
        "warning",
    ),
    "bib-unused-entry": RuleInfo(
        "Bibliography entry is never cited.",
        "No checked brief cites this entry. Remove it, or cite it where it is used.",
        "warning",
    ),
    "bib-encoding": RuleInfo(
        "Bibliography is not valid UTF-8.",
        "The bibliography is not valid UTF-8; it was read with the undecodable bytes replaced. "
        "Save it as UTF-8; LaTeX escapes such as Pe{\\~n}a remain valid.",
        "warning",
    ),
})


def format_report(
    report: CheckReport,
    fmt: str,
    *,
    version: str,
    color: bool = False,
    verbose: bool = False,
    strict: bool = False,
) -> str:
    """The text of ``report`` in format ``fmt`` (one of `FORMATS`), ending with a newline.

    ``version`` is briefkit's version (SARIF names it). ``color`` adds ANSI colours and
    ``verbose`` lists verified findings (text only); ``strict`` makes warnings JUnit failures.
    Raises `UsageError` for an unknown format.
    """
    match fmt:
        case "text":
            return _text(report, color=color, verbose=verbose)
        case "json":
            return _dump(_json_report(report))
        case "github":
            return _github(report)
        case "sarif":
            return _dump(_sarif_log(report, version=version))
        case "junit":
            return _junit(report, strict=strict)
    raise UsageError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def relocate(report: CheckReport, *, workspace: Path, base: Path,
             typed: Path | None = None) -> CheckReport:
    """``report`` with its paths relative to ``base`` (absolute when outside it).

    The checker reports a source, a bibliography and a brief it found itself relative to
    ``workspace``; a brief named on the command line as it was typed, relative to ``typed``
    (the current folder then).
    """
    def move(path: str, origin: Path) -> str:
        return _rebase(path, origin, base)

    def source(ref: SourceRef | None) -> SourceRef | None:
        return None if ref is None else replace(ref, path=move(ref.path, workspace))

    briefs = tuple(
        BriefReport(move(brief.path, typed or workspace),
                    tuple(replace(f, source=source(f.source)) for f in brief.findings))
        for brief in report.briefs)
    bibliography = tuple(replace(d, path=move(d.path, workspace)) for d in report.bibliography)
    return replace(report, briefs=briefs, bibliography=bibliography)


def _rebase(path: str, origin: Path, base: Path) -> str:
    if not path:
        return path
    absolute = Path(os.path.normpath(origin / path))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return str(absolute)


# -- shared helpers ----------------------------------------------------------------------------

# C0/C1 controls and bidirectional overrides: a brief or source could otherwise move the cursor,
# recolour a terminal or reorder what a reviewer sees.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(text: str) -> str:
    """``text`` with control and bidi-override characters shown as escapes."""
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _one_line(text: str) -> str:
    """``text`` on one line: whitespace runs collapsed, hidden characters made visible."""
    return _visible(" ".join(text.split()))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _problems(report: CheckReport) -> Iterator[tuple[str, Finding]]:
    """Every non-verified finding with its brief's path, in report order."""
    for brief in report.briefs:
        for finding in brief.findings:
            if finding.status is not Status.VERIFIED:
                yield brief.path, finding


def _dump(data: JSONObject) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def summary_line(report: CheckReport) -> str:
    """One line of counts, e.g. ``2 briefs: 41 verified, 1 warning, 2 errors``."""
    return _summary_line(report, _Palette(enabled=False))


# -- text --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Palette:
    """ANSI colours, or none at all."""

    enabled: bool

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def status(self, status: Status) -> str:
        codes = {Status.ERROR: "1;31", Status.WARNING: "1;33", Status.VERIFIED: "32"}
        return self.paint(str(status), codes[status])


def _text(report: CheckReport, *, color: bool, verbose: bool) -> str:
    palette = _Palette(enabled=color)
    lines: list[str] = []
    for brief in report.briefs:
        for finding in brief.findings:
            if verbose or finding.status is not Status.VERIFIED:
                lines.extend(_finding_block(brief.path, finding, palette))
    lines.extend(
        f"{_bib_location(d)}: {palette.status(d.status)}: {_one_line(d.message)}"
        for d in report.bibliography
    )
    lines.extend(f"note: {_one_line(note)}" for note in report.notes)
    lines.append(_summary_line(report, palette))
    return "\n".join(lines) + "\n"


def _finding_block(path: str, finding: Finding, palette: _Palette) -> list[str]:
    """The header line of a finding and its indented source, suggestion and detail lines."""
    span = finding.span
    lines = [
        f"{_visible(path)}:{span.line}:{span.column}: {palette.status(finding.status)}: "
        f"{_one_line(finding.message)}"
    ]
    if finding.source is not None:
        source = finding.source
        where = f"source: {_visible(source.path)}:{source.line}: “{_one_line(source.excerpt)}”"
        lines.append("    " + palette.paint(where, "2"))
    if finding.passage is not None and finding.status is Status.VERIFIED:
        passage = finding.passage
        where = f"passage: {_visible(passage.path)}:{passage.line}: “{_one_line(passage.excerpt)}”"
        lines.append("    " + palette.paint(where, "2"))
    if finding.suggestion is not None:
        lines.append(f"    suggestion: {_one_line(finding.suggestion)}")
    if finding.detail:
        detail = finding.detail.splitlines()
        lines.extend(f"    {_visible(line.rstrip())}" for line in detail if line.strip())
    return lines


def _bib_location(diagnostic: BibDiagnostic) -> str:
    path = _visible(diagnostic.path)
    return f"{path}:{diagnostic.line}" if diagnostic.line >= 1 else path


def _summary_line(report: CheckReport, palette: _Palette) -> str:
    summary = report.summary
    verified = f"{summary.verified} verified"
    warnings = _plural(summary.warnings, "warning")
    errors = _plural(summary.errors, "error")
    return (
        f"{_plural(len(report.briefs), 'brief')}: "
        f"{palette.paint(verified, '32') if summary.verified else verified}, "
        f"{palette.paint(warnings, '33') if summary.warnings else warnings}, "
        f"{palette.paint(errors, '31') if summary.errors else errors}"
    )


# -- JSON --------------------------------------------------------------------------------------


def _json_report(report: CheckReport) -> JSONObject:
    summary = report.summary
    return {
        "version": JSON_VERSION,
        "briefs": [_json_brief(brief) for brief in report.briefs],
        "bibliography": [_json_diagnostic(d) for d in report.bibliography],
        "summary": {
            "verified": summary.verified,
            "warnings": summary.warnings,
            "errors": summary.errors,
        },
    }


def _json_brief(brief: BriefReport) -> JSONObject:
    return {"path": brief.path, "findings": [_json_finding(f) for f in brief.findings]}


def _json_finding(finding: Finding) -> JSONObject:
    span, source = finding.span, finding.source
    return {
        "kind": str(finding.kind),
        "status": str(finding.status),
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "text": finding.text,
        "keys": list(finding.keys),
        "message": finding.message,
        "source": None if source is None else {
            "key": source.key,
            "path": source.path,
            "line": source.line,
            "excerpt": source.excerpt,
        },
        "suggestion": finding.suggestion,
        "passage": None if finding.passage is None else {
            "path": finding.passage.path,
            "line": finding.passage.line,
            "text": finding.passage.excerpt,
        },
    }


def _json_diagnostic(diagnostic: BibDiagnostic) -> JSONObject:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "status": str(diagnostic.status),
        "message": diagnostic.message,
    }


# -- GitHub workflow commands ------------------------------------------------------------------


def _escape_data(text: str) -> str:
    """Escape a workflow command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``...)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(status: Status, properties: list[tuple[str, object]], message: str) -> str:
    """One ``::error`` (or ``::warning``) workflow command."""
    level = "error" if status is Status.ERROR else "warning"
    props = ",".join(f"{key}={_escape_property(_visible(str(value)))}" for key, value in properties)
    return f"::{level} {props}::{_escape_data(_visible(message))}"


def _github(report: CheckReport) -> str:
    lines = [_github_finding(path, finding) for path, finding in _problems(report)]
    lines.extend(_github_diagnostic(d) for d in report.bibliography)
    # A plain line may not start with "::" or the runner would read it as a command.
    lines.extend(f"note: {_one_line(note)}" for note in report.notes)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _github_finding(path: str, finding: Finding) -> str:
    span = finding.span
    properties: list[tuple[str, object]] = [
        ("file", _posix(path)),
        ("line", span.line),
        ("col", span.column),
        ("endLine", span.end_line),
        ("endColumn", span.end_column),
        ("title", f"briefkit: {finding.rule}"),
    ]
    message = finding.message
    if finding.suggestion is not None:
        message += f"\nsuggestion: {_one_line(finding.suggestion)}"
    return _command(finding.status, properties, message)


def _github_diagnostic(diagnostic: BibDiagnostic) -> str:
    properties: list[tuple[str, object]] = [("file", _posix(diagnostic.path))]
    if diagnostic.line >= 1:
        properties.append(("line", diagnostic.line))
    properties.append(("title", f"briefkit: {diagnostic.rule}"))
    return _command(diagnostic.status, properties, diagnostic.message)


# -- GitHub step summary (Markdown) ------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!&])")


def _md(text: str) -> str:
    """``text`` on one line with Markdown and HTML syntax escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def _code(text: str) -> str:
    """``text`` as a code span, or escaped text when a backtick or a pipe would break one."""
    return _md(text) if "`" in text or "|" in text else f"`{_one_line(text)}`"


def step_summary(report: CheckReport) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: counts per brief, then every error and warning."""
    lines = ["## briefkit check", "", summary_line(report), ""]
    lines.extend(_summary_table(report))
    lines.extend(_summary_problems(report))
    if report.notes:
        lines.extend(["", "### Notes", ""])
        lines.extend(f"- {_md(note)}" for note in report.notes)
    return "\n".join(lines) + "\n"


def _counts(statuses: list[Status]) -> Summary:
    return Summary(
        verified=statuses.count(Status.VERIFIED),
        warnings=statuses.count(Status.WARNING),
        errors=statuses.count(Status.ERROR),
    )


def _summary_table(report: CheckReport) -> list[str]:
    rows = [(brief.path, _counts([f.status for f in brief.findings])) for brief in report.briefs]
    bib_paths = dict.fromkeys(d.path for d in report.bibliography)
    rows += [
        (path, _counts([d.status for d in report.bibliography if d.path == path]))
        for path in bib_paths
    ]
    lines = ["| File | Verified | Warnings | Errors |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {_code(path)} | {c.verified} | {c.warnings} | {c.errors} |" for path, c in rows]
    total = report.summary
    lines.append(f"| **Total** | {total.verified} | {total.warnings} | {total.errors} |")
    return lines


def _summary_problems(report: CheckReport) -> list[str]:
    items = [_summary_item(path, finding) for path, finding in _problems(report)]
    items += [
        f"- **{d.status}** {_code(_bib_location(d))} {d.rule}: {_md(d.message)}"
        for d in report.bibliography
    ]
    if not items:
        return ["", "No errors or warnings."]
    lines = ["", "### Errors and warnings", "", *items[:STEP_SUMMARY_LIMIT]]
    if len(items) > STEP_SUMMARY_LIMIT:
        lines.append(f"- … and {len(items) - STEP_SUMMARY_LIMIT} more (see the job log)")
    return lines


def _summary_item(path: str, finding: Finding) -> str:
    span = finding.span
    where = _code(f"{path}:{span.line}:{span.column}")
    item = f"- **{finding.status}** {where} {finding.rule}: {_md(finding.message)}"
    if finding.suggestion is not None:
        item += f"<br>suggestion: {_md(finding.suggestion)}"
    return item


# -- SARIF 2.1.0 -------------------------------------------------------------------------------


def _sarif_log(report: CheckReport, *, version: str) -> JSONObject:
    rule_ids = _rule_ids(report)
    occurrences: dict[str, int] = {}
    results = [
        _sarif_finding(path, finding, rule_ids, occurrences) for path, finding in _problems(report)
    ]
    results += [_sarif_diagnostic(d, rule_ids, occurrences) for d in report.bibliography]
    driver = {
        "name": "briefkit",
        "version": version,
        "informationUri": INFORMATION_URI,
        "rules": [_sarif_rule(rule_id) for rule_id in rule_ids],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the briefkit workspace."}},
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [_sarif_invocation(report)],
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rule_ids(report: CheckReport) -> list[str]:
    """Every rule of `RULES`, then any other rule the report uses (so each result has a rule)."""
    used = [f.rule for brief in report.briefs for f in brief.findings]
    used += [d.rule for d in report.bibliography]
    return list(dict.fromkeys([*RULES, *used]))


def _sarif_rule(rule_id: str) -> JSONObject:
    info = RULES.get(rule_id) or RuleInfo(f"briefkit rule {rule_id}.", f"briefkit rule {rule_id}.")
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.help},
        "help": {"text": info.help},
        "defaultConfiguration": {"level": info.level},
    }


def _sarif_invocation(report: CheckReport) -> JSONObject:
    notes = [{"level": "note", "message": {"text": note}} for note in report.notes]
    return {"executionSuccessful": True, "toolExecutionNotifications": notes}


def _sarif_finding(
    path: str, finding: Finding, rule_ids: list[str], occurrences: dict[str, int]
) -> JSONObject:
    message = finding.message
    if finding.suggestion is not None:
        message += f"\nSuggestion: {finding.suggestion}"
    location = {"artifactLocation": _artifact(path), "region": _region(finding.span)}
    result = _sarif_result(finding.rule, finding.status, message, rule_ids)
    result["locations"] = [{"physicalLocation": location}]
    result["partialFingerprints"] = {
        FINGERPRINT: _fingerprint(finding.rule, path, finding.text, occurrences)
    }
    if finding.source is not None and finding.source.line >= 1:
        result["relatedLocations"] = [_related(finding.source)]
    return result


def _sarif_diagnostic(
    diagnostic: BibDiagnostic, rule_ids: list[str], occurrences: dict[str, int]
) -> JSONObject:
    location: JSONObject = {"artifactLocation": _artifact(diagnostic.path)}
    if diagnostic.line >= 1:
        location["region"] = {"startLine": diagnostic.line}
    result = _sarif_result(diagnostic.rule, diagnostic.status, diagnostic.message, rule_ids)
    result["locations"] = [{"physicalLocation": location}]
    identity = diagnostic.key if diagnostic.key is not None else diagnostic.message
    result["partialFingerprints"] = {
        FINGERPRINT: _fingerprint(diagnostic.rule, diagnostic.path, identity, occurrences)
    }
    return result


def _sarif_result(rule: str, status: Status, message: str, rule_ids: list[str]) -> JSONObject:
    return {
        "ruleId": rule,
        "ruleIndex": rule_ids.index(rule),
        "level": "error" if status is Status.ERROR else "warning",
        "message": {"text": message},
    }


def _related(source: SourceRef) -> JSONObject:
    """The source passage a finding compares against, as a SARIF related location."""
    return {
        "id": 1,
        "message": {"text": f"{source.key}: “{_one_line(source.excerpt)}”"},
        "physicalLocation": {
            "artifactLocation": _artifact(source.path),
            "region": {"startLine": source.line},
        },
    }


def _region(span: Span) -> JSONObject:
    """A SARIF region from a span, clamped so that it is never empty or reversed."""
    start_line, start_column = max(1, span.line), max(1, span.column)
    end_line = max(start_line, span.end_line)
    end_column = max(1, span.end_column)
    if end_line == start_line:
        end_column = max(start_column, end_column)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _posix(path: str) -> str:
    """``path`` with forward slashes and without a leading ``./``."""
    return PureWindowsPath(path).as_posix() if "\\" in path else str(PurePosixPath(path))


def _artifact(path: str) -> JSONObject:
    """A SARIF artifact location: relative to %SRCROOT%, or a file URI for an absolute path."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():
        return {"uri": windows.as_uri()}
    posix = PurePosixPath(_posix(path))
    if posix.is_absolute():
        return {"uri": posix.as_uri()}
    return {"uri": quote(str(posix), safe="/"), "uriBaseId": SRCROOT}


def _fingerprint(rule: str, path: str, text: str, occurrences: dict[str, int]) -> str:
    """SHA-256 of rule, path and normalised text (and its repeat count), independent of lines.

    Code scanning matches alerts across runs by this value, so a claim keeps its alert when
    lines above it move; a second identical claim in one file gets its own.
    """
    normalized = unicodedata.normalize("NFC", " ".join(text.split()))
    identity = "\0".join((rule, _posix(path), normalized))
    occurrence = occurrences.get(identity, 0)
    occurrences[identity] = occurrence + 1
    return hashlib.sha256(f"{identity}\0{occurrence}".encode()).hexdigest()


# -- JUnit XML ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    """One JUnit test case: a finding or a bibliography diagnostic."""

    path: str
    line: int
    name: str
    status: Status
    rule: str
    message: str
    body: str


def _shorten(text: str, width: int = 60) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _finding_case(path: str, finding: Finding) -> _Case:
    lines = []
    if finding.source is not None:
        source = finding.source
        lines.append(f"source: {source.path}:{source.line}: “{_one_line(source.excerpt)}”")
    if finding.suggestion is not None:
        lines.append(f"suggestion: {_one_line(finding.suggestion)}")
    if finding.detail:
        lines.append(finding.detail)
    return _Case(
        path=path,
        line=finding.span.line,
        name=f"{finding.kind} line {finding.span.line}: {_shorten(finding.text)}",
        status=finding.status,
        rule=finding.rule,
        message=finding.message,
        body="\n".join(lines),
    )


def _diagnostic_case(diagnostic: BibDiagnostic) -> _Case:
    subject = diagnostic.key if diagnostic.key is not None else diagnostic.rule
    return _Case(
        path=diagnostic.path,
        line=diagnostic.line,
        name=f"bibliography line {diagnostic.line}: {_shorten(subject)}",
        status=diagnostic.status,
        rule=diagnostic.rule,
        message=diagnostic.message,
        body="",
    )


def _suites(report: CheckReport) -> list[tuple[str, list[_Case]]]:
    """Test suites by file: one per brief, one per bibliography with diagnostics."""
    suites = [
        (brief.path, [_finding_case(brief.path, f) for f in brief.findings])
        for brief in report.briefs
    ]
    bib_cases: dict[str, list[_Case]] = {}
    for diagnostic in report.bibliography:
        bib_cases.setdefault(diagnostic.path, []).append(_diagnostic_case(diagnostic))
    return suites + list(bib_cases.items())


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("\ufffd", text)


def _fails(case: _Case, *, strict: bool) -> bool:
    return case.status is Status.ERROR or (strict and case.status is Status.WARNING)


def _junit(report: CheckReport, *, strict: bool) -> str:
    from lxml import etree  # imported here: only this format needs it

    suites = _suites(report)
    cases = [case for _, suite in suites for case in suite]
    root = etree.Element(
        "testsuites", name="briefkit", tests=str(len(cases)),
        failures=str(sum(_fails(c, strict=strict) for c in cases)), errors="0", time="0",
    )
    for name, suite_cases in suites:
        suite = etree.SubElement(
            root, "testsuite", name=_xml(name), tests=str(len(suite_cases)),
            failures=str(sum(_fails(c, strict=strict) for c in suite_cases)),
            errors="0", skipped="0", time="0",
        )
        for case in suite_cases:
            _junit_case(suite, case, strict=strict)
    data: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data.decode("utf-8")


def _junit_case(suite: Any, case: _Case, *, strict: bool) -> None:
    """Add one <testcase>: a <failure> when it fails, a <system-out> note for a warning."""
    from lxml import etree

    element = etree.SubElement(
        suite, "testcase", classname=_xml(case.path), name=_xml(case.name),
        file=_xml(case.path), line=str(case.line), time="0",
    )
    if _fails(case, strict=strict):
        failure = etree.SubElement(
            element, "failure", message=_xml(case.message), type=_xml(case.rule)
        )
        failure.text = _xml(case.body) if case.body else None
    elif case.status is Status.WARNING:
        note = f"warning: {case.message} [{case.rule}]"
        out = etree.SubElement(element, "system-out")
        out.text = _xml("\n".join(filter(None, (note, case.body))))
