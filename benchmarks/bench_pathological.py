"""Benchmark `briefkit check` on pathological briefs, beside pandoc's own parse of the same text.

Usage:
    python benchmarks/bench_pathological.py [--runs N] [--only NAME ...]

Each input is one brief in a copy of the example workspace:

- ``citations-18000``: one paragraph of 1.2 MB with 18,000 citations;
- ``quotations-8000``: one paragraph of 8,000 quoted sentences, each with its citation;
- ``figures-2000``: one sentence with 2,000 figures, each with its own citation (2,000 claims);
- ``block-quote-4000``: a block quote nested 4,000 deep (refused: exit 2 at once).

For each it prints the median wall-clock time of the whole `briefkit check` process and of
pandoc's parse of the brief's body (``pypandoc.convert_text(text, "json", format="markdown")``,
timed in this process), both measured in the same session. Child processes use bytecode as an
installed package does (see ``bytecode.py``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bytecode import use_bytecode_cache

REPO = Path(__file__).resolve().parents[1]
BRIEFKIT = [sys.executable, "-m", "briefkit"]
FRONT = ('---\ntitle: "Pathological"\nseries: rebuilding-a-complex-partnership\nnumber: 9\n'
         "date: 2021-06-01\nbibliography: ../references.bib\n"
         'author: [{name: "Test Author", role: "Fellow"}]\n---\n\n')
KEY = "oneil2017standoff"

INPUTS: dict[str, Callable[[], str]] = {
    "citations-18000": lambda: " ".join(
        f"Trade between the two countries grew [@{KEY}, p. {i}]." for i in range(18000)) + "\n",
    "quotations-8000": lambda: " ".join(
        f'He said "the worst trade deal in history" [@{KEY}, p. {i}].' for i in range(8000)) + "\n",
    "figures-2000": lambda: "Trade grew " + ", ".join(
        f"{i % 90 + 1} percent [@{KEY}, p. {i}]" for i in range(2000)) + ".\n",
    "block-quote-4000": lambda: ">" * 4000 + " A quoted line.\n",
}


def workspace(root: Path) -> Path:
    """A copy of the example workspace's bibliography, sources and templates."""
    root.mkdir()
    shutil.copy2(REPO / "references.bib", root / "references.bib")
    for part in ("seeds", "templates"):
        shutil.copytree(REPO / part, root / part)
    (root / "briefs").mkdir()
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\n', encoding="utf-8")
    return root


def check_time(root: Path, brief: Path) -> tuple[float, int]:
    """Wall time of one `briefkit check` of ``brief`` and its exit code."""
    start = time.perf_counter()
    done = subprocess.run([*BRIEFKIT, "check", str(brief)], cwd=root, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, done.returncode


def pandoc_time(text: str) -> float:
    """Wall time of pandoc's own parse of ``text`` to its JSON AST."""
    import pypandoc

    start = time.perf_counter()
    pypandoc.convert_text(text, "json", format="markdown")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), help="inputs to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pathological-") as scratch:
        use_bytecode_cache(Path(scratch) / "pycache")
        root = workspace(Path(scratch) / "ws")
        print(f"{'input':<18} {'size':>10} {'briefkit check':>15} {'exit':>5} {'pandoc parse':>13}")
        for name in args.only or INPUTS:
            body = INPUTS[name]()
            brief = root / "briefs" / f"{name}.md"
            brief.write_text(FRONT + body, encoding="utf-8")
            check_time(root, brief)  # warm-up: bytecode and the source cache
            checks = [check_time(root, brief) for _ in range(args.runs)]
            pandoc = statistics.median(pandoc_time(body) for _ in range(args.runs))
            median = statistics.median(t for t, _ in checks)
            print(f"{name:<18} {len(body.encode()):>10,} {median:>14.2f}s {checks[0][1]:>5} "
                  f"{pandoc:>12.2f}s", flush=True)
            brief.unlink()


if __name__ == "__main__":
    main()
