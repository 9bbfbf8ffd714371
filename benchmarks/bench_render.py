"""Benchmark `briefkit render` against the same pandoc and typst work done bare.

Usage:
    python benchmarks/bench_render.py [--brief PATH] [--runs N]

Every figure is the median wall-clock time of whole processes, the commands taking turns round
by round after a warm-up round, run in a copy of the example workspace (so the repository's
build/ and cache are left alone), all in the same session:

- ``render pdf``: ``briefkit render BRIEF --no-check --to pdf``, beside the bare pipeline: a plain
  Python script with no briefkit that runs the same pandoc (reader, metadata, citeproc arguments
  and house template) to typst and compiles the result with typst-py, writing the PDF; and the
  same script running pandoc in two passes as briefkit does (Markdown to pandoc's JSON, JSON to
  typst), which isolates briefkit's own overhead;
- ``render docx`` and ``render html``: ``briefkit render --no-check``, beside the pandoc program
  run directly with the same reader, metadata, citeproc arguments, template and reference
  document;
- ``render all``: ``briefkit render BRIEF --no-check --to all``, beside the sum of the three
  bare runs above;
- ``render pdf, checked``: ``briefkit render BRIEF --to pdf``, the check included (target: under
  1.5 s).

Child processes use bytecode as an installed package does (see ``bytecode.py``). The bare runs
use the metadata file and arguments briefkit would use, prepared once before the timing starts.
The script prints a table of medians and ratios; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
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
DEFAULT_BRIEF = "briefs/the-workaround-and-the-reset.md"
BRIEFKIT = [sys.executable, "-m", "briefkit"]
PARTS = ("references.bib", "seeds", "briefs", "templates", "pyproject.toml")
FORMATS = ("pdf", "docx", "html")
STARTUP = ("pass", "import typer", "import briefkit.cli")

BARE_PDF = '''\
import subprocess, sys, typst, datetime
body = open(sys.argv[1], "rb").read()
if sys.argv[4] == "pdf-two-pass":  # parse to pandoc's JSON first, as briefkit does, then write
    split = sys.argv[5:].index("--")
    parse, write = sys.argv[5:][:split], sys.argv[5:][split + 1 :]
    body = subprocess.run(parse, input=body, capture_output=True, check=True).stdout
    command = write
else:
    command = sys.argv[5:]
source = subprocess.run(command, input=body, capture_output=True, check=True).stdout
stamp = datetime.datetime.fromisoformat(sys.argv[3])
pdf = typst.compile(source, root=sys.argv[2], timestamp=stamp, ignore_system_fonts=True)
open(sys.argv[2] + "/bare.pdf", "wb").write(pdf)
'''


def timed(command: list[str], *, cwd: Path, stdin: Path | None = None,
          allowed: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall time and exit code of one run of ``command``; stops on an exit not ``allowed``."""
    start = time.perf_counter()
    with (stdin.open("rb") if stdin else open("/dev/null", "rb")) as source:  # noqa: PTH123
        done = subprocess.run(command, cwd=cwd, stdin=source, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in allowed:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr.decode()}")
    return elapsed, done.returncode


@dataclass(frozen=True)
class Run:
    """One command to time, with its standard input and the exit codes it may end with."""

    command: list[str]
    stdin: Path | None = None
    allowed: tuple[int, ...] = (0,)


def interleaved_medians(runs: dict[str, Run], *, cwd: Path,
                        rounds: int) -> dict[str, tuple[float, int]]:
    """Median wall time and last exit code of each run, after one warm-up round.

    The runs take turns (round 1 runs each once, then round 2...), so a change in the machine's
    load during the benchmark weighs on every command alike.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    codes: dict[str, int] = {}
    for round_number in range(rounds + 1):
        for name, run in runs.items():
            elapsed, codes[name] = timed(run.command, cwd=cwd, stdin=run.stdin,
                                         allowed=run.allowed)
            if round_number:
                times[name].append(elapsed)
    return {name: (statistics.median(times[name]), codes[name]) for name in runs}


def bare_arguments(root: Path, brief: Path, scratch: Path) -> dict[str, list[str]]:
    """The pandoc command lines a plain script would run, with briefkit's own inputs.

    Returns one command per format; the brief body (front matter blanked) is written to
    ``scratch / "body.md"`` and the metadata to ``scratch / "meta.json"``.
    """
    sys.path.insert(0, str(REPO / "src"))
    from briefkit import pandoc
    from briefkit.brief.frontmatter import split_front_matter
    from briefkit.brief.series import get_series
    from briefkit.publish import render
    from briefkit.publish.docx_reference import reference_docx
    from briefkit.workspace import load_workspace

    ws = load_workspace(root)
    text = brief.read_text(encoding="utf-8")
    front = split_front_matter(text)
    series = get_series(ws, str(front.meta["series"]))
    body = "\n" * (front.body_line - 1) + text[front.body_offset:]
    (scratch / "body.md").write_text(body, encoding="utf-8")
    metadata = render.brief_metadata(front.meta, series, fallback_title=brief.stem)
    (scratch / "meta.json").write_text(json.dumps(metadata), encoding="utf-8")
    edition = render.Edition(name=brief.stem, document={}, series=series,
                             bibliographies=(ws.bibliography,), date=None)
    cite = render.citation_options(edition)[0]
    common = [pandoc.pandoc_binary(), "--sandbox", f"--from={pandoc.SAFE_READER}",
              f"--metadata-file={scratch / 'meta.json'}", *cite]
    reference = reference_docx(ws.cache, header=f"{series.institute} · {series.short_title}",
                               footer=series.organization)
    typst = ["--to=typst-citations", f"--template={render.template(ws, 'brief.typ')}"]
    parse = [pandoc.pandoc_binary(), "--sandbox", f"--from={pandoc.SAFE_READER}", "--to=json",
             f"--metadata-file={scratch / 'meta.json'}"]
    write = [pandoc.pandoc_binary(), "--sandbox", "--from=json", *cite, *typst]
    return {
        "pdf": [*common, *typst],
        "pdf-two-pass": [*parse, "--", *write],
        "docx": [*common, "--to=docx", f"--reference-doc={reference}",
                 f"--template={render.template(ws, 'brief.openxml')}",
                 f"--output={scratch / 'bare.docx'}"],
        "html": [*common, "--to=html5", "--standalone", "--embed-resources", "--section-divs",
                 "--toc", f"--template={render.template(ws, 'brief.html')}",
                 f"--output={scratch / 'bare.html'}"],
    }


def main() -> None:
    """Time the renders and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brief", default=DEFAULT_BRIEF, help="brief, relative to the repo")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (≥5)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as folder:
        use_bytecode_cache(Path(folder) / "pycache")
        root = Path(folder) / "ws"
        root.mkdir()
        for part in PARTS:
            source = REPO / part
            if source.is_dir():
                shutil.copytree(source, root / part)
            else:
                shutil.copy2(source, root / part)
        scratch = Path(folder)
        brief = root / options.brief
        bare = bare_arguments(root, brief, scratch)
        script = scratch / "bare_pdf.py"
        script.write_text(BARE_PDF, encoding="utf-8")
        date = "2000-01-01T00:00:00+00:00"
        out = ["--output", str(scratch / "out")]
        body = scratch / "body.md"
        runs = {f"ours {fmt}": Run([*BRIEFKIT, "render", options.brief, "--no-check", "--to", fmt,
                                    *out]) for fmt in (*FORMATS, "all")}
        for variant in ("pdf", "pdf-two-pass"):
            runs[f"bare {variant}"] = Run([sys.executable, str(script), str(body), str(root),
                                           date, variant, *bare[variant]])
        for fmt in ("docx", "html"):
            runs[f"bare {fmt}"] = Run(bare[fmt], stdin=body)
        # A brief that fails the check is refused (exit 1): that time is the check alone.
        runs["checked"] = Run([*BRIEFKIT, "render", options.brief, "--to", "pdf", *out],
                              allowed=(0, 1))
        for code in STARTUP:
            runs[code] = Run([sys.executable, "-c", code])
        medians = interleaved_medians(runs, cwd=root, rounds=options.runs)
    seconds = {name: value[0] for name, value in medians.items()}
    rows = [
        ("render pdf --no-check", seconds["ours pdf"], "bare script: pandoc → typst-py",
         seconds["bare pdf"]),
        ("render pdf --no-check", seconds["ours pdf"], "bare script, two pandoc passes",
         seconds["bare pdf-two-pass"]),
        *((f"render {fmt} --no-check", seconds[f"ours {fmt}"], "bare pandoc",
           seconds[f"bare {fmt}"]) for fmt in ("docx", "html")),
        ("render all --no-check", seconds["ours all"], "the three bare runs, summed",
         sum(seconds[f"bare {fmt}"] for fmt in FORMATS)),
    ]
    checked, status = medians["checked"]
    print(f"briefkit render benchmark: {options.brief}, median of {options.runs} runs\n")
    print(f"{'command':<26} {'briefkit':>9}  {'reference':<32} {'bare':>7}  {'ratio':>6}")
    for name, ours, label, reference in rows:
        ratio = ours / reference
        print(f"{name:<26} {ours:>8.3f}s  {label:<32} {reference:>6.3f}s  {ratio:>5.2f}×")
    name = "render pdf (checked)" if status == 0 else "check only (brief refused)"
    print(f"{name:<26} {checked:>8.3f}s  {'target':<32} {1.5:>6.3f}s  {checked / 1.5:>5.2f}×")
    print("\nfor scale, whole processes:")
    for code in STARTUP:
        print(f"  python -c '{code}'{'':<{24 - len(code)}} {seconds[code]:.3f}s")


if __name__ == "__main__":
    main()
