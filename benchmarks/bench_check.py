"""Benchmark `briefkit check`: the example workspace, and a 1,010-source corpus at scale.

Usage:
    python benchmarks/bench_check.py [--corpus DIR] [--runs N] [--claims N] [--seed N]

Part 1 times `briefkit check` on the example workspace as a whole process, beside two reference
runs measured in the same session: `python -c "import typer"` and pandoc's own JSON parse of the
example briefs.

Part 2 builds a workspace in a temporary folder from a corpus of plain-text documents (default:
../shared/corpora/presidential-speeches, 1,010 speeches), a 1,010-entry .bib and a generated brief
with cited quotes and figure sentences, a third of them wrong (a changed word or digit, or the
wrong source). It times a cold run (empty cache), warm runs, peak memory, and reports how many
of the planted errors were caught and how many correct claims were flagged.

Timings are medians of whole-process wall-clock times; peak memory is the child's maximum resident
set size. Child processes use bytecode as an installed package does (see ``bytecode.py``). The
script prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bytecode import use_bytecode_cache

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "presidential-speeches"
BRIEFKIT = [sys.executable, "-m", "briefkit"]

MONEY = re.compile(r"\$\d[\d,]*(?:\.\d+)? (?:million|billion|trillion)\b")
PERCENT = re.compile(r"(?<![\d,./])\d[\d,]*(?:\.\d+)? percent\b")
SENTENCE = re.compile(r"(?:(?<=\s)|^)[A-Z](?:[^.!?\n]|\.(?=\S)){40,400}[.!?](?=\s|$)",
                      re.MULTILINE)
# Amounts as a plain reader would total them, to keep a "wrong" figure from being right
# in another form ("$6 billion" and "$6,000,000,000").
AMOUNT = re.compile(r"(\$)?\s?(\d[\d,]*(?:\.\d+)?)(?:\s+(million|billion|trillion))?"
                    r"(\s?(?:%|percent|per cent))?")
SCALE = {None: 1, "million": 1e6, "billion": 1e9, "trillion": 1e12}
WORD = re.compile(r"[A-Za-z]{5,}")
REPLACEMENTS = ["government", "people", "nation", "country", "freedom", "economy", "history"]


@dataclass(frozen=True)
class Claim:
    """One generated claim: its Markdown sentence and whether it was planted wrong."""

    markdown: str
    wrong: bool
    kind: str


def run(command: list[str], *, cwd: Path) -> tuple[float, int, int]:
    """Run ``command``; return wall time in seconds, peak RSS in MB and the exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def median_time(command: list[str], *, cwd: Path, runs: int) -> tuple[float, int]:
    """Median wall time and maximum peak RSS (MB) over ``runs`` runs."""
    results = [run(command, cwd=cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def pandoc_path() -> str:
    """The pandoc binary briefkit uses (pypandoc-binary's, or PYPANDOC_PANDOC)."""
    import pypandoc

    return os.environ.get("PYPANDOC_PANDOC") or pypandoc.get_pandoc_path()


def example_workspace(runs: int) -> list[tuple[str, float, int]]:
    """Part 1: `briefkit check` on the example workspace beside its reference runs."""
    briefs = sorted(str(p) for p in (REPO / "briefs").glob("*.md"))
    rows = []
    rows.append(("python -c 'import typer' (reference)",
                 *median_time([sys.executable, "-c", "import typer"], cwd=REPO, runs=runs)))
    rows.append((f"pandoc -t json, {len(briefs)} briefs (reference)",
                 *median_time([pandoc_path(), "-f", "markdown", "-t", "json", *briefs],
                              cwd=REPO, runs=runs)))
    subprocess.run([*BRIEFKIT, "check"], cwd=REPO, capture_output=True, check=False)
    rows.append(("briefkit check (example workspace)",
                 *median_time([*BRIEFKIT, "check"], cwd=REPO, runs=runs)))
    return rows


def build_workspace(root: Path, corpus: Path, *, claims: int, seed: int) -> list[Claim]:
    """Part 2 set-up: copy the corpus, write the .bib and a generated brief; return the claims."""
    sources = sorted(corpus.glob("*.txt"))
    shutil.copytree(corpus, root / "corpus", ignore=shutil.ignore_patterns("*.md", "*.tsv"))
    keys = {path: f"doc{index:04d}" for index, path in enumerate(sources)}
    entries = [_bib_entry(keys[path], path) for path in sources]
    (root / "references.bib").write_text("\n".join(entries), encoding="utf-8")
    (root / "briefs").mkdir()
    rng = random.Random(seed)
    texts = {path: path.read_text(encoding="utf-8") for path in sources}
    generated = _claims(rng, texts, keys, claims)
    body = "\n\n".join(claim.markdown for claim in generated)
    brief = f"---\ntitle: Generated brief\n---\n\n## Claims\n\n{body}\n"
    (root / "briefs" / "generated.md").write_text(brief, encoding="utf-8")
    return generated


def _bib_entry(key: str, path: Path) -> str:
    title = path.stem[11:].replace("-", " ").title()
    return (f"@misc{{{key},\n  title = {{{title}}},\n  year = {{{path.stem[:4]}}},\n"
            f"  file = {{corpus/{path.name}}}\n}}\n")


def _claims(rng: random.Random, texts: dict[Path, str], keys: dict[Path, str],
            count: int) -> list[Claim]:
    paths = list(texts)
    claims: list[Claim] = []
    while len(claims) < count:
        path, other = rng.choice(paths), rng.choice(paths)
        if other == path:
            continue
        wrong = len(claims) % 3 == 0
        maker = _quote_claim if len(claims) % 2 == 0 else _figure_claim
        claim = maker(rng, texts[path], keys[path], (keys[other], texts[other]), wrong)
        if claim is not None:
            claims.append(claim)
    return claims


def _quote_claim(rng: random.Random, text: str, key: str, other: tuple[str, str],
                 wrong: bool) -> Claim | None:
    sentences = [s.strip() for s in SENTENCE.findall(text) if '"' not in s and "“" not in s
                 and "[" not in s and "*" not in s and "_" not in s and "\\" not in s]
    if not sentences:
        return None
    words = rng.choice(sentences).split()
    if len(words) < 10:
        return None
    start = rng.randrange(0, len(words) - 8)
    passage = words[start:start + rng.randint(8, 14)]
    cited = key
    if wrong:
        how = rng.choice(["word", "word", "source"])
        if how == "source":
            cited = other[0]
        else:
            targets = [i for i, w in enumerate(passage) if WORD.fullmatch(w)]
            if not targets:
                return None
            index = rng.choice(targets)
            replacement = rng.choice([r for r in REPLACEMENTS if r != passage[index].lower()])
            passage[index] = replacement
            if " ".join(passage) in text:
                return None
    quote = " ".join(passage).strip(",;:.")
    if cited != key and quote in other[1]:
        return None
    return Claim(f'The speech said that "{quote}" [@{cited}].', wrong, "quote")


def _figure_claim(rng: random.Random, text: str, key: str, other: tuple[str, str],
                  wrong: bool) -> Claim | None:
    """A sentence of the source that states a figure, cited as a brief would cite it."""
    sentences = [s.strip() for s in SENTENCE.findall(text)
                 if (MONEY.search(s) or PERCENT.search(s)) and not set(s) & set('"“[]*_\\')]
    if not sentences:
        return None
    sentence = rng.choice(sentences)
    found = list(MONEY.finditer(sentence)) + list(PERCENT.finditer(sentence))
    figure = rng.choice(found)
    cited = key
    if wrong:
        if rng.random() < 0.3:
            cited = other[0]
            if _amounts(sentence) & _amounts(other[1]):
                return None
        else:
            digits = [i for i in range(*figure.span()) if sentence[i].isdigit()]
            index = rng.choice(digits)
            new = str((int(sentence[index]) + rng.randint(1, 8)) % 10)
            if index == digits[0] and new == "0":
                new = "9"
            changed = sentence[figure.start():index] + new + sentence[index + 1:figure.end()]
            if _amounts(changed) & _amounts(text):
                return None
            sentence = sentence[:figure.start()] + changed + sentence[figure.end():]
    return Claim(f"{sentence.rstrip('.!?')} [@{cited}].", wrong, "figure")


def _amounts(text: str) -> set[tuple[str, float]]:
    """The money amounts and percentages of ``text``, by kind and value."""
    found = set()
    for match in AMOUNT.finditer(text):
        dollar, number, scale, percent = match.groups()
        if dollar or percent:
            value = float(number.replace(",", "")) * SCALE[scale]
            found.add(("percent" if percent else "money", round(value, 6)))
    return found


def accuracy(report: dict[str, object], claims: list[Claim]) -> dict[str, int]:
    """Compare the JSON report with the planted claims, claim by claim (one line each)."""
    findings = report["briefs"][0]["findings"]  # type: ignore[index]
    by_line: dict[int, list[str]] = {}
    for finding in findings:
        by_line.setdefault(finding["line"], []).append(finding["status"])
    counts = {"caught": 0, "missed": 0, "false_alarms": 0, "verified": 0, "unreported": 0}
    first_line = 7  # front matter (3 lines), blank, heading, blank
    for offset, claim in enumerate(claims):
        statuses = by_line.get(first_line + 2 * offset, [])
        failed = any(s == "error" for s in statuses)
        if not statuses:
            counts["unreported"] += 1
        elif claim.wrong:
            counts["caught" if failed else "missed"] += 1
        else:
            counts["false_alarms" if failed else "verified"] += 1
    return counts


def scale(corpus: Path, *, claims: int, runs: int, seed: int) -> None:
    """Part 2: cold and warm runs at scale, peak memory and accuracy."""
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as folder:
        root = Path(folder)
        planted = build_workspace(root, corpus, claims=claims, seed=seed)
        command = [*BRIEFKIT, "check", "briefs/generated.md", "--format", "json",
                   "--output", "report.json"]
        cold = []
        for _ in range(max(1, runs // 2)):
            shutil.rmtree(root / ".briefkit-cache", ignore_errors=True)
            cold.append(run(command, cwd=root))
        warm = [run(command, cwd=root) for _ in range(runs)]
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
        sources = len(list(corpus.glob("*.txt")))
        size = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
        wrong = sum(c.wrong for c in planted)
        print(f"\nScale: {len(planted)} cited claims ({wrong} planted wrong) against {sources} "
              f"sources ({size:.1f} MB)")
        _table([
            ("briefkit check, cold cache", statistics.median(r[0] for r in cold),
             max(r[1] for r in cold)),
            ("briefkit check, warm cache", statistics.median(r[0] for r in warm),
             max(r[1] for r in warm)),
        ])
        counts = accuracy(report, planted)
        print(f"\nAccuracy: caught {counts['caught']}/{wrong} planted errors, "
              f"missed {counts['missed']}; {counts['false_alarms']} false alarms on "
              f"{len(planted) - wrong} correct claims ({counts['verified']} verified); "
              f"{counts['unreported']} claims without a finding")
        print(f"Summary: {report['summary']}")


def _table(rows: list[tuple[str, float, int]]) -> None:
    print(f"{'run':<48} {'median s':>9} {'peak MB':>8}")
    for name, seconds, peak in rows:
        print(f"{name:<48} {seconds:>9.3f} {peak:>8}")


def main() -> None:
    """Parse arguments and run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    pycache = tempfile.TemporaryDirectory(prefix="briefkit-bench-pycache-")
    use_bytecode_cache(Path(pycache.name))
    print(f"Example workspace ({os.cpu_count()} cores, medians of {args.runs} runs)")
    _table(example_workspace(args.runs))
    if not args.skip_scale:
        if not args.corpus.is_dir():
            sys.exit(f"corpus not found: {args.corpus} (pass --corpus DIR or --skip-scale)")
        scale(args.corpus, claims=args.claims, runs=args.runs, seed=args.seed)


if __name__ == "__main__":
    main()
