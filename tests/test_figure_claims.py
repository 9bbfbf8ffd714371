"""The labelled figure claims of tests/data/figure_claims: check's verdict against its label.

Each claim is written into one brief, one paragraph (or list item, footnote, table) per claim, and
the workspace is checked once. A `correct` claim passes when at least one figure on its lines was
checked and every figure finding there is verified; a `wrong` claim passes when a figure or
attribution finding on its lines is an error. A wrong claim's suggestion, when the finding on its
wrong figure has one, must be the value the source gives (`source_value`).

The helpers take the data folder as a parameter, so that another labelled set in the same layout
(tests/data/figure_claims_fresh) is checked and reported the same way.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefkit.check.run import check_briefs
from briefkit.model import Finding, Kind, Status
from briefkit.workspace import load_workspace

DATA = Path(__file__).parent / "data" / "figure_claims"
CORRECT_CONSTRUCTIONS = {
    "paraphrase", "digits-for-words", "words-for-digits", "percent-sign", "reordered", "range",
    "hedged", "decimal-for-fraction",
}
WRONG_CONSTRUCTIONS = {
    "same-paragraph-value", "same-source-value", "close-value", "wrong-year", "swapped",
    "wrong-scale", "percent-for-points", "wrong-subject",
}
FORMS = {"prose", "list", "footnote", "table"}
FIGURE_KINDS = {Kind.FIGURE, Kind.ATTRIBUTION}


def load_claims(data: Path = DATA) -> list[dict[str, Any]]:
    """The claims of the data folder's claims.yaml, in file order."""
    claims: list[dict[str, Any]] = yaml.safe_load((data / "claims.yaml").read_text("utf-8"))
    return claims


def bib_files(data: Path = DATA) -> dict[str, str]:
    """Bibliography key -> the `file` field of its entry in the data folder's references.bib."""
    text = (data / "references.bib").read_text("utf-8")
    return dict(re.findall(r"@\w+\{([^,\s]+),.*?file\s*=\s*\{([^}]+)\}", text, re.S))


def squash(text: str) -> str:
    """Whitespace runs as one space and Markdown dollar escapes dropped, for comparing values."""
    return re.sub(r"\s+", " ", text.replace("\\$", "$")).strip()


CLAIMS = load_claims()


@dataclass(frozen=True)
class Verdict:
    """How one claim came out: whether `check` agreed with its label, and why not."""

    claim: dict[str, Any]
    passed: bool
    why: str
    suggestion_ok: bool | None  # None: no suggestion on the wrong figure to compare


def write_brief(path: Path, claims: Iterable[dict[str, Any]]) -> dict[str, range]:
    """Write every claim as its own block of a brief; return each claim's range of brief lines."""
    lines = ["---", "title: Figure claims", "---", ""]
    spans: dict[str, range] = {}
    for claim in claims:
        block = claim["text"].rstrip("\n").split("\n")
        start = len(lines) + 1
        lines.extend(block)
        spans[claim["id"]] = range(start, start + len(block))
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spans


def verdict(claim: dict[str, Any], findings: list[Finding]) -> Verdict:
    """Judge the findings on a claim's lines against its label."""
    figures = [f for f in findings if f.kind in FIGURE_KINDS]
    if claim["label"] == "correct":
        if not figures:
            return Verdict(claim, False, "no figure checked", None)
        bad = [f for f in figures if f.status is not Status.VERIFIED]
        why = "; ".join(f"{f.status}: {f.message}" for f in bad)
        return Verdict(claim, not bad, why, None)
    errors = [f for f in figures if f.status is Status.ERROR]
    why = "" if errors else ("; ".join(f"{f.status}: {f.message}" for f in figures)
                             or "no figure checked")
    return Verdict(claim, bool(errors), why, suggestion_verdict(claim, errors))


def suggestion_verdict(claim: dict[str, Any], errors: list[Finding]) -> bool | None:
    """Whether the suggestions on the claim's wrong figure name the source's value (None: none).

    Only figure findings suggest a value; an attribution finding suggests another key.
    """
    figure = squash(claim["figure"]).lower()
    on_figure = [f for f in errors if f.kind is Kind.FIGURE and f.suggestion
                 and (figure in squash(f.text).lower() or squash(f.text).lower() in figure)]
    if not on_figure:
        return None
    want = squash(claim["source_value"])
    return all(squash(f.suggestion or "") == want for f in on_figure)


def check_claims(root: Path, data: Path, claims: list[dict[str, Any]]) -> list[Verdict]:
    """Check one brief holding every claim, in a new workspace at ``root`` made of the data
    folder's sources and .bib; return one verdict per claim, in order."""
    shutil.copytree(data / "sources", root / "sources")
    shutil.copy2(data / "references.bib", root / "references.bib")
    (root / "briefkit.toml").write_text(
        'bibliography = "references.bib"\nsources = "sources"\nbriefs = "briefs"\n', "utf-8")
    (root / "briefs").mkdir()
    brief = root / "briefs" / "claims.md"
    spans = write_brief(brief, claims)
    report = check_briefs(load_workspace(root), [brief])
    findings = [f for b in report.briefs for f in b.findings]
    return [verdict(c, [f for f in findings if f.span.line in spans[c["id"]]]) for c in claims]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[Verdict]:
    """Check one brief holding every claim, in a workspace of the test set's sources and .bib."""
    return check_claims(tmp_path_factory.mktemp("figure-claims"), DATA, CLAIMS)


def table(rows: list[tuple[str, int, int]], title: str) -> str:
    """A plain-text table of passed/total counts."""
    width = max(len(name) for name, _, _ in rows)
    lines = [title] + [f"  {name:<{width}}  {ok:>3} / {total:<3}" for name, ok, total in rows]
    return "\n".join(lines)


def tally(verdicts: list[Verdict], group: str, ok: Any) -> list[tuple[str, int, int]]:
    """Counts per value of the claim field ``group``: (value, passed, total), sorted by value."""
    total = Counter(v.claim[group] for v in verdicts)
    passed = Counter(v.claim[group] for v in verdicts if ok(v))
    return [(name, passed[name], total[name]) for name in sorted(total)]


def summary(verdicts: list[Verdict]) -> str:
    """The tables per construction (with label), per split and per form."""
    labelled = [Verdict({**v.claim, "label/construction": f"{v.claim['label']}/"
                         f"{v.claim['construction']}"}, v.passed, v.why, v.suggestion_ok)
                for v in verdicts]
    parts = [
        table(tally(labelled, "label/construction", lambda v: v.passed), "per construction"),
        table(tally(verdicts, "split", lambda v: v.passed), "per split"),
        table(tally(verdicts, "form", lambda v: v.passed), "per form"),
        table(tally(verdicts, "label", lambda v: v.passed), "per label"),
    ]
    return "\n".join(parts)


def assert_claim_well_formed(claim: dict[str, Any], data: Path, files: dict[str, str]) -> None:
    """One claim cites its source and points at a non-blank line of it; a wrong one names a
    figure of its text and the value the source gives near that line."""
    assert f"[@{claim['key']}]" in claim["text"], claim["id"]
    assert claim["form"] in FORMS, claim["id"]
    lines = (data / files[claim["key"]]).read_text("utf-8").splitlines()
    assert lines[claim["line"] - 1].strip(), claim["id"]
    if claim["label"] == "correct":
        assert claim["construction"] in CORRECT_CONSTRUCTIONS, claim["id"]
        return
    assert claim["label"] == "wrong", claim["id"]
    assert claim["construction"] in WRONG_CONSTRUCTIONS, claim["id"]
    near = squash(" ".join(lines[max(0, claim["line"] - 2):claim["line"] + 2]))
    assert squash(claim["source_value"]) in near, claim["id"]
    assert squash(claim["figure"]) in squash(claim["text"]), claim["id"]
    assert squash(claim["figure"]) != squash(claim["source_value"]), claim["id"]


def test_claims_are_well_formed() -> None:
    """The test set has enough claims of each kind, each citing its source and pointing into it."""
    files = bib_files()
    assert len(CLAIMS) >= 180
    assert len({c["id"] for c in CLAIMS}) == len(CLAIMS)
    wrong = Counter(c["construction"] for c in CLAIMS if c["label"] == "wrong")
    assert set(wrong) == WRONG_CONSTRUCTIONS and min(wrong.values()) >= 8
    assert 0.25 <= sum(c["split"] == "holdout" for c in CLAIMS) / len(CLAIMS) <= 0.4
    for claim in CLAIMS:
        assert_claim_well_formed(claim, DATA, files)


# The goal is every claim right; these floors are the accuracy measured so far, so that any
# change which loses a caught error or a verified claim fails here.
WRONG_CAUGHT_FLOOR = 108  # of 116
CORRECT_VERIFIED_FLOOR = 147  # of 174
RIGHT_SUGGESTION_FLOOR = 107  # of 116


@dataclass(frozen=True)
class LabelScore:
    """How often a set's claims got their label, with the printed tables and the failures."""

    caught: int  # wrong claims reported as errors
    verified: int  # correct claims verified
    report: str
    failed: list[str]


def label_score(verdicts: list[Verdict]) -> LabelScore:
    """The tables per construction, split, form and label, and the counts behind the floors."""
    failed = [f"{v.claim['id']} ({v.claim['label']}/{v.claim['construction']}): {v.why}"
              for v in verdicts if not v.passed]
    caught = sum(v.passed for v in verdicts if v.claim["label"] == "wrong")
    verified = sum(v.passed for v in verdicts if v.claim["label"] == "correct")
    return LabelScore(caught, verified, summary(verdicts), failed)


@dataclass(frozen=True)
class SuggestionScore:
    """How many wrong claims suggest the source's value (or nothing), with table and failures."""

    right: int
    report: str
    failed: list[str]


def suggestion_score(verdicts: list[Verdict]) -> SuggestionScore:
    """The suggestion table per construction of a set's wrong claims, and its count."""
    wrong = [v for v in verdicts if v.claim["label"] == "wrong"]
    rows = tally(wrong, "construction", lambda v: v.suggestion_ok is not False)
    checked = sum(v.suggestion_ok is not None for v in wrong)
    report = table(rows, f"suggestions ({checked} of {len(wrong)} wrong claims have one)")
    failed = [f"{v.claim['id']}: want {v.claim['source_value']}"
              for v in wrong if v.suggestion_ok is False]
    return SuggestionScore(len(wrong) - len(failed), report, failed)


def test_every_claim_gets_its_label(verdicts: list[Verdict]) -> None:
    """Correct claims verify and wrong claims are errors, at least as often as measured."""
    score = label_score(verdicts)
    print("\n" + score.report)
    why = score.report + "\nfailed:\n" + "\n".join(score.failed)
    assert score.caught >= WRONG_CAUGHT_FLOOR, why
    assert score.verified >= CORRECT_VERIFIED_FLOOR, why


def test_wrong_claims_suggest_the_source_value(verdicts: list[Verdict]) -> None:
    """A suggestion on a wrong figure is the value the source gives for the same thing."""
    score = suggestion_score(verdicts)
    print("\n" + score.report)
    why = score.report + "\nfailed:\n" + "\n".join(score.failed)
    assert score.right >= RIGHT_SUGGESTION_FLOOR, why
