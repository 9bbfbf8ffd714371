"""Rendering untrusted briefs through the CLI: links, temporary files, all-or-nothing outputs."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html
from pypdf import PdfReader

from briefkit import pandoc
from briefkit.errors import OutputError
from briefkit.publish.render import safe_address
from briefkit.workspace import STALE_SECONDS, outward_links, sweep_temporaries, write_all
from helpers import CHROMIUM_MISSING, chromium, dom_after, write_brief
from helpers import make_render_workspace as make_workspace

SAFE_SCHEMES = ("http", "https", "mailto")
# Links a browser (or Word) must never follow: each hides a scheme other than http(s)/mailto.
HOSTILE_LINKS = (
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#1;javascript:alert(1)",
    "&#8;javascript:alert(1)", "&#x1F;javascript:alert(1)", "java&#9;script:alert(1)",
    "java&#10;script:alert(1)", "java&#13;script:alert(1)", "javascript&#58;alert(1)",
    "<&#32;javascript:alert(1)&#32;>", "file:///etc/passwd", "FILE:///etc/passwd",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "ftp://example.org/x",
    "smb://example.org/share", "ms-word:ofe|u|https://example.org/x.docx",
)
SAFE_LINKS = ("https://example.org/a", "http://example.org/b", "mailto:press@example.org",
              "other.html", "#summary", "//example.org/c")
# Attributes whose values browsers follow as addresses.
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "background", "cite",
                  "data", "longdesc", "poster", "usemap", "icon", "manifest", "ping",
                  "xlink:href")

pytestmark = pytest.mark.slow


def browser_scheme(address: str) -> str | None:
    """The scheme a browser reads in ``address`` (WHATWG URL standard), lower-cased, or None.

    Leading and trailing C0 controls and spaces are stripped, tabs and newlines removed anywhere.
    """
    cleaned = re.sub(r"[\t\n\r]", "", address.strip("".join(map(chr, range(0x21)))))
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return found.group(1).lower() if found else None


def hostile_brief(root: Path) -> Path:
    """A brief holding every hostile and safe link, address attributes, and a bibliography
    entry whose URL is a ``javascript:`` address."""
    with (root / "references.bib").open("a", encoding="utf-8") as handle:
        handle.write("\n@misc{scripted,\n  title = {Scripted},\n  author = {Nobody, Anne},\n"
                     "  year = {2020},\n  url = {javascript:alert(document.domain)}\n}\n")
    lines = ["# Summary {#summary}\n"]
    lines += [f"Hostile {i}: [hostile link {i}]({target}).\n" for i, target in
             enumerate(HOSTILE_LINKS)]
    lines += [f"Safe {i}: [safe link {i}]({target}).\n" for i, target in enumerate(SAFE_LINKS)]
    lines += ["An autolink <javascript:alert(1)> and a reference [link][ref].\n",
              '[A span]{href="javascript:alert(1)" src="file:///etc/passwd"}.\n',
              "A cited claim [@scripted].\n", "[ref]: &#1;javascript:alert(1)\n"]
    return write_brief(root, "links.md", "\n".join(lines))


def run_cli(root: Path, *args: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m briefkit`` in ``root``."""
    return subprocess.run([sys.executable, "-m", "briefkit", *args], cwd=root,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile brief rendered to every format through the command line."""
    base = tmp_path_factory.mktemp("links")
    root = make_workspace(base / "ws")
    hostile_brief(root)
    done = run_cli(root, "render", "briefs/links.md", "--to", "all", "--no-check",
                   env={"TMPDIR": str(base)})
    assert done.returncode == 0, done.stderr
    return {fmt: root / "build" / f"links.{fmt}" for fmt in ("pdf", "docx", "html")}


def test_html_page_has_no_address_a_browser_would_run(rendered: dict[str, Path]) -> None:
    """Parsed with lxml, no address attribute of the page has a scheme but http(s), mailto."""
    page = html.fromstring(rendered["html"].read_bytes())
    addresses = [(element.tag, name, value) for element in page.iter()
                 if isinstance(element.tag, str)
                 for name, value in element.attrib.items() if name.lower() in URL_ATTRIBUTES]
    addresses += [(element.tag, name, value) for element, name, value, _ in page.iterlinks()]
    for tag, name, value in addresses:
        if tag == "img" and value.startswith("data:image/"):
            continue  # the page's own embedded images
        assert browser_scheme(value) in (None, *SAFE_SCHEMES), (tag, name, value)
    hrefs = {element.get("href") for element in page.iter("a")}
    assert set(SAFE_LINKS) <= hrefs
    text = page.text_content()
    for i in range(len(HOSTILE_LINKS)):
        assert f"hostile link {i}" in text  # the link's words stay, as plain text
    assert "Scripted" in text  # the reference is listed, its address not linked


def test_docx_has_no_hyperlink_but_http_https_mailto(rendered: dict[str, Path]) -> None:
    """Word's hyperlinks (external relationships) are all http, https or mailto addresses:
    a relative one would open a local file or a network share."""
    with zipfile.ZipFile(rendered["docx"]) as package:
        relations = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        body = package.read("word/document.xml").decode("utf-8")
    external = [r.get("Target") for r in relations if r.get("TargetMode") == "External"]
    for target in external:
        assert browser_scheme(target) in SAFE_SCHEMES, target
    assert {"https://example.org/a", "mailto:press@example.org"} <= set(external)
    assert "HYPERLINK" not in body  # no field codes that Word would follow either
    assert "hostile link 2" in body


def test_pdf_has_no_link_but_http_https_mailto_or_internal(rendered: dict[str, Path]) -> None:
    """The PDF's link annotations open only http, https or mailto addresses (not even relative
    ones, which PDF readers open as local files)."""
    uris: list[str] = []
    for page in PdfReader(rendered["pdf"]).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    assert uris
    for uri in uris:
        assert browser_scheme(uri) in SAFE_SCHEMES, uri


@pytest.mark.parametrize("address", [
    "\x01javascript:x", "\x08javascript:x", "\x1fjavascript:x", " javascript:x ",
    "java\tscript:x", "java\nscript:x", "jav\rascript:x", "JAVASCRIPT:x", "file:///x",
    "data:x", "ftp://x", "\x00javascript:x\x00"])
def test_safe_address_reads_the_scheme_as_a_browser_does(address: str) -> None:
    """Control characters a browser strips do not hide a scheme."""
    assert not safe_address(address)


@pytest.mark.parametrize("address", ["https://x", "HTTP://x", "mailto:a@b", "a.html", "#id",
                                     "//x/y", "dir/file:x", "\x01https://x", "java\x01script:x"])
def test_safe_address_keeps_web_mail_and_relative_links(address: str) -> None:
    """http, https, mailto and relative addresses (as a browser reads them) are kept."""
    assert safe_address(address)


# --- temporary files ------------------------------------------------------------------------


def killing_pandoc(folder: Path) -> Path:
    """A pandoc that kills the briefkit run calling it (SIGKILL) as soon as it is given the
    brief's metadata, then does its work: a run killed outright in the middle of a render."""
    script = folder / "pandoc"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *--metadata-file=*) kill -9 "$PPID"; sleep 0.2 ;; esac\n'
        f'exec "{pandoc.pandoc_binary()}" "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_run_killed_mid_render_leaves_nothing_in_the_system_temporary_folder(
        tmp_path: Path) -> None:
    """A render killed while pandoc reads the metadata leaves no file outside the workspace,
    and the next run removes what it left inside."""
    root = make_workspace(tmp_path / "ws")
    write_brief(root, "case.md", "Text.\n")
    system_tmp = tmp_path / "systmp"
    system_tmp.mkdir()
    env = {"TMPDIR": str(system_tmp), "PYPANDOC_PANDOC": str(killing_pandoc(tmp_path))}
    killed = run_cli(root, "render", "briefs/case.md", "--to", "html", "--no-check", env=env)
    assert killed.returncode == -signal.SIGKILL
    assert list(system_tmp.iterdir()) == []
    left = list(root.rglob("*.tmp"))
    assert left and all(path.parent == root / ".briefkit-cache" for path in left)
    done = run_cli(root, "render", "briefs/case.md", "--to", "html", "--no-check",
                   env={"TMPDIR": str(system_tmp)})
    assert done.returncode == 0, done.stderr
    assert list(root.rglob("*.tmp")) == []
    assert list(system_tmp.iterdir()) == []


def test_sweep_removes_only_temporaries_of_finished_runs(tmp_path: Path) -> None:
    """A temporary file of a running process stays; a dead one's, or a very old one, goes."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    live = tmp_path / f".case.pdf.ab12.{os.getpid()}.tmp"
    of_dead = tmp_path / f".case.pdf.{dead_pid}.tmp"
    old = tmp_path / f".case.html.cd34.{os.getppid()}.tmp"
    other = tmp_path / "notes.tmp"
    for path in (live, of_dead, old, other):
        path.write_text("x", encoding="utf-8")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    sweep_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_write_all_writes_nothing_when_one_target_is_a_folder(tmp_path: Path) -> None:
    """One target that cannot be written leaves every other file as it was, and no temporary."""
    (tmp_path / "a.pdf").write_text("old a", encoding="utf-8")
    (tmp_path / "b.docx").mkdir()
    with pytest.raises(OutputError, match=r"b\.docx"):
        write_all([(tmp_path / "a.pdf", b"new a"), (tmp_path / "b.docx", b"new b"),
                   (tmp_path / "c.html", b"new c")])
    assert (tmp_path / "a.pdf").read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.docx"]


def test_escaping_file_is_one_line_exit_2(tmp_path: Path) -> None:
    """Raw typst beside a link out of the workspace: one error line naming the link, exit 2."""
    root = make_workspace(tmp_path / "ws")
    (tmp_path / "outside.txt").write_text("secret\n", encoding="utf-8")
    (root / "seeds" / "leak.txt").symlink_to(tmp_path / "outside.txt")
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\nallow_raw = true\n',
                                        encoding="utf-8")
    write_brief(root, "case.md", '```{=typst}\n#read("/seeds/leak.txt")\n```\n')
    done = run_cli(root, "render", "briefs/case.md", "--to", "all", "--no-check")
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr
    assert errors[0].startswith("error: seeds/leak.txt: symbolic link to ")
    assert "outside the workspace" in errors[0]
    assert not (root / "build").exists() or not list((root / "build").iterdir())


def test_outward_links_finds_links_out_of_the_root_and_loops(tmp_path: Path) -> None:
    """Links out of the root (to files, folders, from hidden folders) and loops are found, a
    folder's own in name order before its subfolders'; links inside the root are not."""
    root = tmp_path / "ws"
    (root / "a" / ".hidden").mkdir(parents=True)
    (root / "seeds.txt").write_text("x", encoding="utf-8")
    (root / "a" / "inside").symlink_to(root / "seeds.txt")
    (root / "a" / ".hidden" / "passwd").symlink_to("/etc/passwd")
    (root / "b-out").symlink_to(tmp_path)
    (root / "c-loop").symlink_to(root / "c-loop")
    found = [path.relative_to(root).as_posix() for path, _ in outward_links(root)]
    assert found == ["b-out", "c-loop", "a/.hidden/passwd"]


# What a browser makes of every address on the page: each resolved against an https page, so
# that relative links read as https and any other scheme shows as itself.
PROTOCOLS = ("const scheme = a => { try { return new URL(a, 'https://example.org/page').protocol; }"
             " catch (error) { return 'invalid:'; } };"
             "document.body.setAttribute('data-protocols', Array.from("
             "document.querySelectorAll('[href], [src], [action], [formaction], [cite], "
             "[poster], [background]')).flatMap(e => ['href', 'src', 'action', 'formaction', "
             "'cite', 'poster', 'background'].filter(n => e.hasAttribute(n)).map(n => "
             "scheme(e.getAttribute(n)))).join(' '));")


@pytest.mark.skipif(chromium() is None, reason=CHROMIUM_MISSING)
def test_html_page_in_a_browser_has_no_address_it_would_run(rendered: dict[str, Path]) -> None:
    """Opened in Chromium, every address of the page is http, https or mailto as the browser
    reads it (control characters stripped its way), and the hostile links' words are text."""
    dom = html.fromstring(dom_after(rendered["html"], PROTOCOLS))
    body = dom.find("body")
    assert body is not None
    protocols = set(body.get("data-protocols", "").split())
    assert "https:" in protocols and "mailto:" in protocols
    # "invalid:": an address the browser cannot parse, so cannot follow (citeproc writes the
    # hostile bibliography URL as "https://javascript:alert(...)", whose port is no number).
    assert protocols <= {"http:", "https:", "mailto:", "data:", "invalid:"}, protocols
    images = [e.get("src", "") for e in dom.iter("img")]
    assert "data:" not in protocols or all(src.startswith("data:image/") for src in images)
    text = body.text_content()
    assert all(f"hostile link {i}" in text for i in range(len(HOSTILE_LINKS)))
