"""Bad inputs and faults, each through the command line as a user would meet them.

Every case runs ``python -m briefkit`` in a fresh copy of the example workspace and holds the
program to its promises (README, "What briefkit promises with untrusted input"): the documented
exit code, at most one ``error: …`` line and never a traceback, no file of the workspace lost or
changed (outputs included when the run fails), and nothing written outside the workspace, the
system's temporary folder included.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import REPO, write_brief

pytestmark = pytest.mark.slow

PARTS = ("references.bib", "seeds", "briefs", "templates")
SECRET = "root:x:0:0:secret-outside-the-workspace"
QUOTE = ('The border should be "a membrane that allows the good stuff to go through" '
         "[@sarukhan2014perspectives].\n")
# Directories whose content a successful run may change.
PRODUCTS = ("build", ".briefkit-cache")


@dataclass(frozen=True)
class Run:
    """One finished run of the program."""

    code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Case:
    """A bad input or fault: how to set it up, the command, and what must come of it."""

    args: tuple[str, ...]
    code: int
    message: str = ""
    setup: Callable[[Path], None] = lambda root: None
    verify: Callable[[Path, Run], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


def make_workspace(base: Path) -> Path:
    """A private copy of the example workspace, a secret file beside it and a private TMPDIR."""
    root = base / "ws"
    root.mkdir()
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\n', encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "secret.typ").write_text(SECRET + "\n", encoding="utf-8")
    (base / "systmp").mkdir()
    return root


def environment(base: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a run: a private temporary folder, no CI variables, no colour."""
    env = {**os.environ, "TMPDIR": str(base / "systmp"), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.update({key: value.replace("{base}", str(base)) for key, value in extra.items()})
    return env


def start(root: Path, args: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the program in ``root``."""
    return subprocess.Popen([sys.executable, "-m", "briefkit", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> Run:
    """Wait for a started run and collect what it printed."""
    stdout, stderr = process.communicate(timeout=120)
    return Run(process.returncode, stdout, stderr)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (links not followed) with a digest of its content."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            files[path.relative_to(root).as_posix()] = "link:" + str(path.readlink())
        elif path.is_file():
            try:
                files[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
            except OSError:
                files[path.relative_to(root).as_posix()] = "unreadable"
    return files


def assert_promises(base: Path, root: Path, before: dict[str, str], run: Run, case: Case) -> None:
    """The exit code, one error line without traceback, nothing lost, nothing written outside."""
    shown = f"exit {run.code}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
    assert run.code == case.code, shown
    assert "Traceback" not in run.stdout + run.stderr, shown
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    if case.code >= 2:
        assert len(errors) == 1, shown
        assert case.message in errors[0], shown
    elif case.message:
        assert case.message in run.stdout + run.stderr, shown
    after = snapshot(root)
    for name, digest in before.items():
        produced = name.split("/", 1)[0] in PRODUCTS
        if produced and case.code == 0:
            continue
        assert after.get(name) == digest, f"{name} changed or lost\n{shown}"
    assert not list((base / "systmp").iterdir()), f"files left in TMPDIR\n{shown}"
    assert sorted(p.name for p in base.iterdir()) == ["outside", "systmp", "ws"], shown
    assert sorted(p.name for p in (base / "outside").iterdir()) == ["secret.txt", "secret.typ"]
    leftovers = list(root.rglob("*.tmp"))
    assert not leftovers, f"temporary files left: {leftovers}\n{shown}"


# Set-up helpers ---------------------------------------------------------------------------------


def brief(body: str, name: str = "case.md", **fields: str) -> Callable[[Path], None]:
    """A set-up writing one brief with ``body`` and front matter ``fields``."""
    def setup(root: Path) -> None:
        write_brief(root, name, body, **fields)
    return setup


def raw_brief(data: bytes, name: str = "case.md") -> Callable[[Path], None]:
    """A set-up writing the bytes of one brief."""
    def setup(root: Path) -> None:
        (root / "briefs" / name).write_bytes(data)
    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several set-ups in order."""
    def setup(root: Path) -> None:
        for step in setups:
            step(root)
    return setup


def settings(text: str) -> Callable[[Path], None]:
    """A set-up adding lines to briefkit.toml."""
    def setup(root: Path) -> None:
        config = root / "briefkit.toml"
        config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")
    return setup


def bib_entry(text: str) -> Callable[[Path], None]:
    """A set-up appending ``text`` to the bibliography."""
    def setup(root: Path) -> None:
        with (root / "references.bib").open("a", encoding="utf-8") as handle:
            handle.write("\n" + text + "\n")
    return setup


def link(name: str, target: str) -> Callable[[Path], None]:
    """A set-up making ``name`` (inside the workspace) a symbolic link to ``target``."""
    def setup(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target.replace("{outside}", str(root.parent / "outside")))
    return setup


def existing_outputs(*names: str) -> Callable[[Path], None]:
    """A set-up leaving earlier outputs in build/ (that a failed run must not touch)."""
    def setup(root: Path) -> None:
        (root / "build").mkdir(exist_ok=True)
        for name in names:
            (root / "build" / name).write_text(f"earlier {name}\n", encoding="utf-8")
    return setup


def folder(name: str) -> Callable[[Path], None]:
    """A set-up making a folder where a file is expected."""
    def setup(root: Path) -> None:
        (root / name).mkdir(parents=True)
    return setup


def html_of(root: Path, name: str = "case") -> str:
    """The rendered HTML page of a brief."""
    return (root / "build" / f"{name}.html").read_text(encoding="utf-8")


def no_unsafe_links(root: Path, run: Run, name: str = "case") -> None:
    """The HTML page has no link or image whose address is not http(s), mailto or relative."""
    from lxml import html

    page = html.fromstring(html_of(root, name))
    for element, attribute, address, _ in page.iterlinks():
        if element.tag == "img" and address.startswith("data:image/"):
            continue  # the page's own embedded images
        cleaned = re.sub(r"[\x00-\x20]", "", address).lower()
        scheme = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
        assert scheme is None or scheme.group(1) in ("http", "https", "mailto"), (
            element.tag, attribute, address)


def literal_in_html(*texts: str) -> Callable[[Path, Run], None]:
    """A check that each of ``texts`` shows literally on the rendered page."""
    def verify(root: Path, run: Run) -> None:
        from lxml import html

        page = html.fromstring(html_of(root))
        shown = page.text_content()
        for text in texts:
            assert text in shown
        assert not page.xpath("//script[contains(., 'alert')]")
        assert SECRET not in shown
    return verify


def deep_quotes(depth: int) -> str:
    """A paragraph inside ``depth`` nested block quotes."""
    return ">" * depth + " A quoted line.\n"


def many_citations(count: int) -> str:
    """One long paragraph with ``count`` citations."""
    return " ".join(f"Trade grew [@oneil2017standoff, p. {i}]." for i in range(count)) + "\n"


def raw_typst(body: str) -> Callable[[Path], None]:
    """A set-up allowing raw content and writing a brief with a raw typst block."""
    return both(settings("allow_raw = true\n"),
                brief(f"Text before.\n\n```{{=typst}}\n{body}\n```\n"))


def rendered_pdf_text(root: Path) -> str:
    """The text of the rendered PDF."""
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(root / "build" / "case.pdf").pages)


def secret_not_in_pdf(root: Path, run: Run) -> None:
    """The rendered PDF (if any) does not contain the file outside the workspace."""
    if (root / "build" / "case.pdf").exists():
        assert SECRET not in rendered_pdf_text(root)


def earlier_outputs_kept(*names: str) -> Callable[[Path, Run], None]:
    """A check that the earlier outputs are still there, unchanged."""
    def verify(root: Path, run: Run) -> None:
        for name in names:
            assert (root / "build" / name).read_text(encoding="utf-8") == f"earlier {name}\n"
    return verify


def summary_folder(root: Path, run: Run) -> None:
    """The report is still printed; the summary problem is one warning line."""
    assert "::error" in run.stdout
    assert any(line.startswith("warning:") and "GITHUB_STEP_SUMMARY" in line
               for line in run.stderr.splitlines()), run.stderr


def no_unsafe_volume_links(root: Path, run: Run) -> None:
    """The volume's HTML page has no link whose address is not http(s), mailto or relative."""
    no_unsafe_links(root, run, VOLUME_SERIES)


CHECK = ("check", "briefs/case.md")
VOLUME_SERIES = "rebuilding-a-complex-partnership"
VOLUME = ("volume", VOLUME_SERIES, "--no-check")
RENDER_HTML = ("render", "briefs/case.md", "--to", "html", "--no-check")
RENDER_PDF = ("render", "briefs/case.md", "--to", "pdf", "--no-check")

CASES: dict[str, Case] = {
    # Front matter and the brief file
    "front-matter-not-yaml": Case(CHECK, 2, "case.md", raw_brief(
        b"---\ntitle: [unclosed\n---\n\nText.\n")),
    "front-matter-python-tag": Case(CHECK, 2, "case.md", raw_brief(
        b"---\ntitle: !!python/object/apply:os.system ['touch pwned']\n---\n\nText.\n")),
    "front-matter-a-list": Case(CHECK, 2, "case.md", raw_brief(b"---\n- a\n- b\n---\n\nText.\n")),
    "front-matter-unclosed": Case(RENDER_HTML, 2, "case.md", raw_brief(
        b"---\ntitle: A\nseries: rebuilding-a-complex-partnership\n\nText.\n")),
    "brief-binary": Case(CHECK, 2, "binary", raw_brief(b"\x89PNG\r\n\x1a\n\x00\x00\x00")),
    "brief-utf16-with-bom": Case(CHECK, 0, "1 brief", raw_brief(
        ("\ufeff---\ntitle: A\n---\n\n" + QUOTE).encode("utf-16"))),
    "brief-utf16-without-bom": Case(CHECK, 2, "UTF-16", raw_brief(
        ("---\ntitle: A\n---\n\n" + QUOTE).encode("utf-16-le"))),
    "brief-latin1-byte": Case(CHECK, 2, "case.md:2: is not UTF-8 text: byte 0xE9", raw_brief(
        ("---\ntitle: Caf\u00e9\n---\n\n" + QUOTE).encode("latin-1"))),
    "brief-too-large": Case(CHECK, 2, "at most", raw_brief(b"word " * (1_100_000 + 1))),
    "brief-missing": Case(("check", "briefs/nothing.md"), 2, "no such file"),
    "brief-link-outside": Case(CHECK, 2, "outside the workspace",
                               link("briefs/case.md", "{outside}/secret.txt")),
    "render-brief-link-outside": Case(RENDER_HTML, 2, "outside",
                                      link("briefs/case.md", "{outside}/secret.txt")),
    "brief-folder-named-md": Case(RENDER_HTML, 2, "not a file", folder("briefs/case.md")),
    "unknown-series": Case(RENDER_HTML, 2, "unknown series",
                           brief("Text.\n", series="no-such-series")),
    # Pathological structure and size
    "quotes-nested-500-render": Case(RENDER_HTML, 2, "nested", brief(deep_quotes(500))),
    "quotes-nested-500-check": Case(CHECK, 2, "nested", brief(deep_quotes(500))),
    "quotes-nested-8000-check": Case(CHECK, 2, "nested", brief(deep_quotes(8000))),
    "lists-nested-300": Case(CHECK, 2, "nested", brief(
        "".join("  " * i + "- item\n" for i in range(300)))),
    "divs-nested-300": Case(RENDER_HTML, 2, "nested", brief(
        "::: a\n" * 300 + "Text.\n" + ":::\n" * 300)),
    "brackets-nested-5000": Case(CHECK, 0, "1 brief", brief("[" * 5000 + "x" + "]" * 5000)),
    "emphasis-nested-3000": Case(RENDER_HTML, 2, "nested", brief(
        "*_" * 1500 + "x" + "_*" * 1500 + "\n")),
    "notes-nested-500": Case(RENDER_HTML, 2, "nested", brief("^[" * 500 + "x" + "]" * 500)),
    "long-paragraph-many-citations": Case(CHECK, 0, "1 brief", brief(many_citations(3000))),
    "long-line-no-breaks": Case(CHECK, 0, "1 brief", brief("word" * 200_000 + "\n")),
    # Injection in titles and values
    "title-jinja": Case(RENDER_HTML, 0, "", brief("Text.\n", title='"{{ 7*7 }} and {% raw %}"'),
                        verify=literal_in_html("{{ 7*7 }} and {% raw %}")),
    "title-typst-import": Case(RENDER_PDF, 0, "", brief(
        "Text.\n", title='"#import \\"/etc/passwd\\" #read(\\"/etc/passwd\\")"'),
        verify=lambda root, run: (secret_not_in_pdf(root, run),
                                  "#import" in rendered_pdf_text(root))),
    "title-script": Case(RENDER_HTML, 0, "", brief(
        "Text.\n", title='"<script>alert(1)</script>"'),
        verify=literal_in_html("<script>alert(1)</script>")),
    "body-script": Case(RENDER_HTML, 0, "", brief("<script>alert(1)</script> text.\n"),
                        verify=literal_in_html("<script>alert(1)</script>")),
    "body-raw-typst-not-allowed": Case(RENDER_PDF, 0, "", brief(
        '```{=typst}\n#read("/etc/passwd")\n```\n\n`#read("../outside/secret.txt")`{=typst}\n'),
        verify=secret_not_in_pdf),
    "front-matter-filters": Case(RENDER_HTML, 0, "", brief(
        "Text.\n", **{"header-includes": '"<script>alert(1)</script>"',
                      "include-before": '"../outside/secret.txt"', "css": "/etc/passwd"}),
        verify=literal_in_html()),
    "bibliography-outside": Case(RENDER_HTML, 2, "outside", brief(
        QUOTE, bibliography="/etc/passwd")),
    # Links and images in the HTML page
    **{f"link-{name}": Case(RENDER_HTML, 0, "", brief(f"A [link]({target}) here.\n"),
                            verify=no_unsafe_links)
       for name, target in {
           "javascript": "javascript:alert(1)",
           "javascript-mixed-case": "JaVaScRiPt:alert(1)",
           "javascript-entity-1": "&#1;javascript:alert(1)",
           "javascript-entity-8": "&#8;javascript:alert(1)",
           "javascript-entity-x1f": "&#x1F;javascript:alert(1)",
           "javascript-tab": "java&#9;script:alert(1)",
           "javascript-newline": "java&#10;script:alert(1)",
           "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
           "vbscript": "vbscript:msgbox(1)",
           "file": "file:///etc/passwd",
       }.items()},
    "link-reference-javascript": Case(RENDER_HTML, 0, "", brief(
        "A [link][x] here.\n\n[x]: javascript:alert(1)\n"), verify=no_unsafe_links),
    "link-autolink-javascript": Case(RENDER_HTML, 0, "", brief(
        "A <javascript:alert(1)> here.\n"), verify=no_unsafe_links),
    "link-in-title": Case(RENDER_HTML, 0, "", brief(
        "Text.\n", title='"[click](javascript:alert(1))"'), verify=no_unsafe_links),
    "image-javascript": Case(RENDER_HTML, 2, "image", brief("![x](javascript:alert(1))\n")),
    "image-outside": Case(RENDER_HTML, 2, "outside", brief("![x](../../outside/secret.txt)\n")),
    "image-link-outside": Case(RENDER_HTML, 2, "outside", both(
        link("figures/chart.png", "{outside}/secret.txt"), brief("![x](../figures/chart.png)\n"))),
    **{f"image-link-outside-{fmt}": Case(
        ("render", "briefs/case.md", "--to", fmt, "--no-check"), 2, "outside", both(
            link("figures/chart.png", "{outside}/secret.txt"),
            brief("![x](../figures/chart.png)\n"))) for fmt in ("pdf", "docx")},
    "image-linked-folder-outside": Case(RENDER_PDF, 2, "outside", both(
        link("figures/out", "{outside}"), brief("![x](../figures/out/secret.txt)\n"))),
    # Raw typst (allow_raw) must not read outside the workspace
    "raw-typst-read-absolute": Case(RENDER_PDF, 3, "typst",
                                    raw_typst('#read("/etc/passwd")'), verify=secret_not_in_pdf),
    "raw-typst-read-through-link": Case(RENDER_PDF, 2, "outside", both(
        link("seeds/passwd.txt", "{outside}/secret.txt"),
        raw_typst('#read("/seeds/passwd.txt")')), verify=secret_not_in_pdf),
    "raw-typst-include-through-link": Case(RENDER_PDF, 2, "outside", both(
        link("notes.typ", "{outside}/secret.typ"), raw_typst('#include "/notes.typ"'))),
    "raw-typst-image-through-link": Case(RENDER_PDF, 2, "outside", both(
        link("figures/x.svg", "{outside}/secret.txt"), raw_typst('#image("/figures/x.svg")'))),
    "raw-typst-linked-folder": Case(RENDER_PDF, 2, "outside", both(
        link("figures/out", "{outside}"), raw_typst('#read("/figures/out/secret.txt")'))),
    "raw-typst-link-inside-is-fine": Case(RENDER_PDF, 0, "", both(
        link("figures/quoted.txt", "../seeds/oneil-2017-mexican-standoff.txt"),
        raw_typst('#read("/figures/quoted.txt").slice(0, 10)'))),
    # A series volume follows the same rules
    "volume-link-javascript-entity": Case(VOLUME, 0, "", brief(
        "A [link](&#1;javascript:alert(1)) and [another](file:///etc/passwd) here.\n"),
        verify=no_unsafe_volume_links),
    "volume-image-link-outside": Case(VOLUME, 2, "outside", both(
        link("figures/chart.png", "{outside}/secret.txt"), brief("![x](../figures/chart.png)\n"))),
    "volume-raw-typst-through-link": Case(VOLUME, 2, "outside", both(
        link("seeds/passwd.txt", "{outside}/secret.txt"),
        raw_typst('#read("/seeds/passwd.txt")'))),
    "volume-one-target-is-folder": Case(
        VOLUME, 2, f"{VOLUME_SERIES}.html", both(
            brief(QUOTE), existing_outputs(f"{VOLUME_SERIES}.pdf", f"{VOLUME_SERIES}.docx"),
            folder(f"build/{VOLUME_SERIES}.html")),
        verify=earlier_outputs_kept(f"{VOLUME_SERIES}.pdf", f"{VOLUME_SERIES}.docx")),
    # The bibliography and the sources
    "bib-type-at-signs": Case(CHECK, 1, "error", both(
        bib_entry("@@@{broken,\n  title = {X}\n}"), brief(QUOTE))),
    "bib-unbalanced-braces": Case(CHECK, 1, "error", both(
        bib_entry("@article{broken,\n  title = {X\n"), brief(QUOTE))),
    "bib-not-utf8": Case(CHECK, 0, "1 brief", both(
        lambda root: (root / "references.bib").write_bytes(
            (root / "references.bib").read_bytes() + b"\n% caf\xe9\n"), brief(QUOTE))),
    "bib-file-outside": Case(CHECK, 1, "outside", both(
        bib_entry("@misc{leak,\n  title = {Leak},\n  file = {/etc/passwd}\n}"),
        brief('He said "root x" [@leak].\n'))),
    "bib-file-link-outside": Case(CHECK, 1, "outside", both(
        link("seeds/leak.txt", "{outside}/secret.txt"),
        bib_entry("@misc{leak,\n  title = {Leak},\n  file = {seeds/leak.txt}\n}"),
        brief('He said "secret outside the workspace" [@leak].\n'))),
    "bib-file-missing": Case(CHECK, 1, "not found", both(
        bib_entry("@misc{gone,\n  title = {Gone},\n  file = {seeds/gone.txt}\n}"),
        brief('He said "these words are nowhere" [@gone].\n'))),
    "source-none-unverifiable": Case(CHECK, 1, "cannot be checked", both(
        bib_entry("@misc{nofile,\n  title = {No file}\n}"),
        brief('He said "these words are nowhere at all" [@nofile].\n'))),
    "source-none-allowed-as-warning": Case(CHECK, 0, "warning", both(
        settings('unverifiable = "warning"\n'),
        bib_entry("@misc{nofile,\n  title = {No file}\n}"),
        brief('He said "these words are nowhere at all" [@nofile].\n'))),
    "source-figure-unverifiable": Case(CHECK, 1, "figure not checked", both(
        bib_entry("@misc{nofile,\n  title = {No file}\n}"),
        brief("Trade reached $520 billion in 2016 [@nofile].\n"))),
    "source-binary": Case(CHECK, 1, "error", both(
        lambda root: (root / "seeds" / "blob.txt").write_bytes(b"\x00\x01\x02" * 100),
        bib_entry("@misc{blob,\n  title = {Blob},\n  file = {seeds/blob.txt}\n}"),
        brief('He said "these words are nowhere at all" [@blob].\n'))),
    "source-folder": Case(CHECK, 1, "not a file", both(
        folder("seeds/dir.txt"),
        bib_entry("@misc{dir,\n  title = {Dir},\n  file = {seeds/dir.txt}\n}"),
        brief('He said "these words are nowhere at all" [@dir].\n'))),
    "source-utf16": Case(CHECK, 0, "1 brief", both(
        lambda root: (root / "seeds" / "wide.txt").write_bytes(
            "The wide text says hello to every reader.\n".encode("utf-16")),
        bib_entry("@misc{wide,\n  title = {Wide},\n  file = {seeds/wide.txt}\n}"),
        brief('It says "hello to every reader" [@wide].\n'))),
    "configuration-bad-toml": Case(CHECK, 2, "TOML", settings("[[[\n")),
    "configuration-bad-unverifiable": Case(CHECK, 2, "unverifiable", settings(
        'unverifiable = "maybe"\n')),
    # Usage
    "unknown-option": Case(("check", "--bogus"), 2, "--bogus"),
    "unknown-command": Case(("bogus",), 2, "bogus"),
    "unknown-global-option": Case(("--bogus", "check"), 2, "--bogus"),
    "unknown-format": Case(("check", "--format", "xml"), 2, "xml"),
    "unknown-render-format": Case(("render", "briefs/case.md", "--to", "exe"), 2, "exe",
                                  brief(QUOTE)),
    "missing-argument": Case(("render",), 2, "BRIEF"),
    # Output places
    "report-output-is-folder": Case(("check", "--output", "build"), 2, "build", folder("build")),
    "step-summary-is-folder": Case(("check", "--format", "github", "docs"), 1, "", both(
        folder("summary"), lambda root: shutil.copytree(REPO / "docs" / "examples",
                                                        root / "docs")),
        verify=summary_folder, env={"GITHUB_STEP_SUMMARY": "{base}/ws/summary"}),
    "step-summary-unwritable": Case(("check", "--format", "github", "docs"), 1, "",
                                    lambda root: shutil.copytree(REPO / "docs" / "examples",
                                                                 root / "docs"),
                                    verify=summary_folder,
                                    env={"GITHUB_STEP_SUMMARY": "/proc/no/such/summary.md"}),
    "output-folder-is-a-file": Case(RENDER_HTML, 2, "build", both(
        brief(QUOTE), lambda root: (root / "build").write_text("a file\n", encoding="utf-8"))),
    "all-formats-one-target-is-folder": Case(
        ("render", "briefs/case.md", "--to", "all", "--no-check"), 2, "case.docx", both(
            brief(QUOTE), existing_outputs("case.pdf", "case.html"), folder("build/case.docx")),
        verify=earlier_outputs_kept("case.pdf", "case.html")),
    "disk-full-render": Case(
        ("render", "briefs/case.md", "--to", "all", "--no-check"), 2, "cannot write", both(
            brief(QUOTE), existing_outputs("case.pdf", "case.docx", "case.html")),
        verify=earlier_outputs_kept("case.pdf", "case.docx", "case.html"),
        env={"BATTERY_FILE_SIZE_LIMIT": "20000"}),
    "disk-full-report": Case(("check", "--format", "json", "--output", "build/report.json"), 2,
                             "cannot write", existing_outputs("report.json"),
                             env={"BATTERY_FILE_SIZE_LIMIT": "2000"},
                             verify=earlier_outputs_kept("report.json")),
    "cache-is-a-file": Case(("check",), 0, "2 briefs", lambda root: (
        root / ".briefkit-cache").write_text("not a folder\n", encoding="utf-8")),
}


def limited(env: dict[str, str]) -> Callable[[], None] | None:
    """A pre-exec hook limiting the size of files the run may write (a full disk)."""
    limit = env.get("BATTERY_FILE_SIZE_LIMIT")
    if not limit:
        return None

    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    return apply


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    """One bad input or fault gives its documented exit code and one line, and loses nothing."""
    case = CASES[name]
    root = make_workspace(tmp_path)
    case.setup(root)
    before = snapshot(root)
    env = environment(tmp_path, case.env)
    done = subprocess.run([sys.executable, "-m", "briefkit", *case.args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=limited(env), check=False)
    run = Run(done.returncode, done.stdout, done.stderr)
    assert_promises(tmp_path, root, before, run, case)
    if case.verify is not None:
        case.verify(root, run)


# Interrupts, crashes and concurrent runs ----------------------------------------------------------


def wait_for_start(process: subprocess.Popen[str]) -> None:
    """Give the program time to import and begin its work before it is interrupted."""
    time.sleep(1.0)
    assert process.poll() is None, "the run finished before it could be interrupted"


SIGNALS = {"sigint-check": (signal.SIGINT, ("check", "--format", "json", "--output",
                                             "build/report.json"), 130),
           "sigterm-check": (signal.SIGTERM, ("check",), 143),
           "sigint-render": (signal.SIGINT, ("render", "briefs/slow.md", "--to", "all"), 130),
           "sigterm-render": (signal.SIGTERM, ("render", "briefs/slow.md", "--to", "all"), 143),
           "sigterm-volume": (signal.SIGTERM, ("volume", "rebuilding-a-complex-partnership",
                                               "--no-check"), 143)}


def slow_workspace(root: Path) -> None:
    """A workspace whose check and render take long enough to be interrupted."""
    body = many_citations(2500) + "\n" + "".join(
        f"Paragraph {i} says \"the worst trade deal in history\" [@oneil2017standoff].\n\n"
        for i in range(400))
    write_brief(root, "slow.md", body)
    for i in range(3):
        write_brief(root, f"slow-{i}.md", body, number=str(10 + i))


def slow_pandoc(base: Path) -> str:
    """A pandoc that waits a few seconds before it works, so that a render is surely under way
    (and not already done) when the signal arrives, however fast or loaded the machine."""
    from briefkit.pandoc import pandoc_binary

    script = base / "slow-pandoc"
    script.write_text(f'#!/bin/sh\nsleep 3\nexec "{pandoc_binary()}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("name", list(SIGNALS))
def test_interrupted(name: str, tmp_path: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    """A run stopped by SIGINT or SIGTERM exits 130 or 143 with one line and no partial output."""
    sent, args, code = SIGNALS[name]
    root = make_workspace(tmp_path)
    slow_workspace(root)
    existing_outputs("report.json", "slow.pdf", "slow.docx", "slow.html")(root)
    before = snapshot(root)
    tools = tmp_path_factory.mktemp("tools")  # outside the case's folder, which is watched
    process = start(root, args, environment(tmp_path, {"PYPANDOC_PANDOC": slow_pandoc(tools)}))
    wait_for_start(process)
    process.send_signal(sent)
    run = finish(process)
    assert_promises(tmp_path, root, before, run, Case(args, code, "interrupted"))
    assert run.stdout == ""


def test_killed_run_leaves_nothing_behind(tmp_path: Path) -> None:
    """Temporary files of a run killed outright are removed by the next run."""
    root = make_workspace(tmp_path)
    write_brief(root, "case.md", QUOTE)
    (root / "build").mkdir()
    stale = [root / "build" / ".case.pdf.999999.tmp", root / ".briefkit-cache" / "x" / (
        ".entry.999999.tmp")]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    os.utime(stale[0], (0, 0))
    os.utime(stale[1], (0, 0))
    env = environment(tmp_path, {})
    run = finish(start(root, RENDER_PDF, env))
    assert run.code == 0, run.stderr
    run = finish(start(root, CHECK, env))
    assert run.code == 0, run.stderr
    assert not [path for path in stale if path.exists()]


def test_internal_error_is_one_line_and_code_4(tmp_path: Path) -> None:
    """An unexpected error exits 4 with one line asking for a bug report; --debug shows it."""
    root = make_workspace(tmp_path)
    program = ("import sys, briefkit.check.run as c\n"
               "def boom(*a, **k): raise ZeroDivisionError('planted')\n"
               "c.check_briefs = boom\n"
               "from briefkit.cli import main\n"
               "sys.argv[0] = 'briefkit'\n"
               "main()\n")
    env = environment(tmp_path, {})
    plain = subprocess.run([sys.executable, "-c", program, "check"], cwd=root, env=env,
                           capture_output=True, text=True, check=False)
    assert plain.returncode == 4, plain.stderr
    assert plain.stderr.count("\n") == 1 and plain.stderr.startswith("error: internal error")
    assert "bug" in plain.stderr and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-c", program, "--debug", "check"], cwd=root,
                           env=env, capture_output=True, text=True, check=False)
    assert debug.returncode == 4
    assert "Traceback" in debug.stderr and "ZeroDivisionError: planted" in debug.stderr


def test_concurrent_renders_and_checks(tmp_path: Path) -> None:
    """Runs side by side on one workspace (cold cache) all succeed with whole outputs."""
    root = make_workspace(tmp_path)
    write_brief(root, "case.md", QUOTE)
    env = environment(tmp_path, {})
    runs = [start(root, ("render", "briefs/case.md", "--to", "pdf"), env) for _ in range(3)]
    runs += [start(root, ("check", "--format", "json"), env) for _ in range(3)]
    results = [finish(process) for process in runs]
    assert [r.code for r in results] == [0] * 6, [r.stderr for r in results]
    reports = {r.stdout for r in results[3:]}
    assert len(reports) == 1
    assert (root / "build" / "case.pdf").read_bytes().startswith(b"%PDF")
    assert not list(root.rglob("*.tmp"))
    assert not list((tmp_path / "systmp").iterdir())
