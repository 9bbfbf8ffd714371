"""The documentation shows real output: every console example is run and compared.

A ```` ```console ```` block holds commands (lines starting with ``$ ``) each followed by its
output. The commands of one file run in order in a fresh copy of the example workspace, with
stdout and stderr together as a terminal shows them. Set ``BRIEFKIT_REGENERATE_DOCS=1`` to
rewrite the outputs in place after a deliberate change.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = ("README.md", "docs/ci.md", "docs/render.md", "docs/series.md")
PARTS = ("references.bib", "seeds", "briefs", "templates", "pyproject.toml", "docs/examples")
CONSOLE = re.compile(r"(```console\n)(.*?)(```)", re.DOTALL)
REGENERATE = os.environ.get("BRIEFKIT_REGENERATE_DOCS") == "1"


def commands(block: str) -> list[tuple[str, str]]:
    """The (command, expected output) pairs of one console block."""
    pairs: list[tuple[str, str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            pairs.append((line[2:].strip(), ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + line)
    return pairs


def copy_workspace(root: Path) -> Path:
    """A private copy of the example workspace to run documentation commands in."""
    for part in PARTS:
        source, target = REPO / part, root / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


def run(command: str, root: Path) -> str:
    """Run a documented ``briefkit`` command in ``root``; return what a terminal would show."""
    words = shlex.split(command)
    assert words[0] == "briefkit", f"documentation commands run briefkit, not {words[0]}"
    environment = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    environment.pop("GITHUB_STEP_SUMMARY", None)
    done = subprocess.run([sys.executable, "-m", "briefkit", *words[1:]], cwd=root,
                          env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    return done.stdout


def documented(name: str) -> list[str]:
    """The console blocks of a documentation file."""
    return [match.group(2) for match in CONSOLE.finditer((REPO / name).read_text("utf-8"))]


@pytest.mark.slow
@pytest.mark.parametrize("name", DOCUMENTS)
def test_console_examples_are_real(name: str, tmp_path: Path) -> None:
    """Each documented command prints exactly the output shown under it."""
    root = copy_workspace(tmp_path / "ws")
    path = REPO / name
    text = path.read_text(encoding="utf-8")
    actual_blocks: list[str] = []
    mismatches = []
    for block in documented(name):
        actual = ""
        for command, expected in commands(block):
            output = run(command, root)
            actual += f"$ {command}\n{output}"
            if output != expected:
                mismatches.append(f"$ {command}\n--- documented\n{expected}--- actual\n{output}")
        actual_blocks.append(actual)
    if REGENERATE:
        replaced = iter(actual_blocks)
        path.write_text(CONSOLE.sub(lambda m: m.group(1) + next(replaced) + m.group(3), text),
                        encoding="utf-8")
        return
    assert not mismatches, "\n".join(mismatches)


def test_readme_has_the_two_quick_start_commands() -> None:
    """The README's quick start is exactly `make demo` and `make test`, and CI runs the latter."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_documented_with_output() -> None:
    """Every briefkit command appears in a README console example."""
    from briefkit.cli import app

    shown = " ".join(cmd for block in documented("README.md") for cmd, _ in commands(block))
    names = [command.name or (command.callback.__name__ if command.callback else "")
             for command in app.registered_commands]
    assert names, "no commands registered"
    for name in names:
        assert f"briefkit {name}" in shown, name
