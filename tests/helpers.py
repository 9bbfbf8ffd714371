"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RENDER_DATA = REPO / "tests" / "data" / "render"
# A brief body whose quotation changes one word of its source ("good" to "bad").
MISQUOTED = ('The border should be "a membrane that allows the bad stuff to go through" '
             "[@sarukhan2014perspectives].\n")


def make_render_workspace(root: Path) -> Path:
    """A workspace with the repository's bibliography and sources and the render test briefs."""
    root.mkdir(parents=True)
    shutil.copy2(REPO / "references.bib", root / "references.bib")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(RENDER_DATA / "briefs", root / "briefs")
    shutil.copytree(RENDER_DATA / "figures", root / "figures")
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\n', encoding="utf-8")
    return root


def write_brief(root: Path, name: str, body: str, **fields: str) -> Path:
    """A brief in the test series with front matter ``fields`` (YAML text) and ``body``."""
    meta = {"title": '"A Test Brief"', "series": "rebuilding-a-complex-partnership",
            "number": "9", "date": "2021-06-01", "bibliography": "../references.bib",
            "author": '[{name: "Test Author", role: "Fellow"}]', **fields}
    front = "".join(f"{key}: {value}\n" for key, value in meta.items())
    path = root / "briefs" / name
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return path


CHROMIUM_MISSING = "Debian's chromium is not installed (`make test` installs it when run as root)"


def chromium() -> str | None:
    """The headless browser the HTML tests open pages in, if the machine has it."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dom_after(page: Path, script: str) -> str:
    """The DOM of ``page`` as Chromium builds it, after ``script`` ran at the end of its body.

    The page is copied beside itself with the script added, so its relative assets resolve.
    """
    import subprocess

    browser = chromium()
    assert browser is not None
    probe = page.with_name(f"probe-{page.name}")
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", f"<script>{script}</script></body>"),
                     encoding="utf-8")
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--dump-dom", probe.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout
