"""Shared fixtures: the repository's example workspace, copied so tests can change it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from briefkit.workspace import Workspace, load_workspace
from helpers import make_render_workspace

REPO = Path(__file__).resolve().parents[1]
WORKSPACE_PARTS = ("references.bib", "seeds", "briefs", "templates")


@pytest.fixture
def repo() -> Path:
    """The repository root (the example workspace itself; do not write into it)."""
    return REPO


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the example workspace; the current directory is its root."""
    root = tmp_path / "ws"
    root.mkdir()
    for part in WORKSPACE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy2(source, root / part)
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\n', encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh render workspace (the render test briefs); the current directory is its root."""
    root = make_render_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    return load_workspace(root)


# Property tests draw the same examples on every run, so that a CI result is reproducible;
# HYPOTHESIS_PROFILE=explore draws new ones each time.
settings.register_profile("default", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
