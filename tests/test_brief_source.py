"""One way of reading a brief file: every command gives the same answer to the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefkit.brief.source import read_brief_source
from briefkit.cli import app
from helpers import make_render_workspace, write_brief

SERIES = "rebuilding-a-complex-partnership"
COMMANDS = {
    "check": ("check", "briefs/latin.md"),
    "render": ("render", "briefs/latin.md", "--to", "html", "--no-check"),
    "volume": ("volume", SERIES, "--to", "html", "--no-check"),
    "series": ("series",),
    "new": ("new", "Another Brief", "--series", SERIES, "--author", "Ana", "--date",
            "2024-05-01"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_one_latin1_byte_is_the_same_error_everywhere(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One Latin-1 byte in a brief stops every command with the same one-line error (exit 2)."""
    root = make_render_workspace(tmp_path / "ws")
    path = write_brief(root, "latin.md", "The text.\n", title='"What NAFTA\u00e9 Built"')
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, list(COMMANDS[command]))
    assert result.exit_code == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert "latin.md:2: is not UTF-8 text: byte 0xE9 at offset 22 cannot be decoded" in errors[0]
    assert "\ufffd" not in result.stdout + result.stderr
    assert not (root / "build").exists()
    assert sorted(p.name for p in (root / "briefs").iterdir()) == [
        "a-public-diplomacy-for-neighbors.md", "latin.md", "states-and-cities.md",
        "the-border-as-a-membrane.md"]


def test_source_splits_the_front_matter_once(tmp_path: Path) -> None:
    """A byte-order mark and CRLF line endings are read; the body offset is in the text."""
    path = tmp_path / "b.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Caf\xc3\xa9\r\n---\r\n\r\nBody.\r\n")
    source = read_brief_source(path)
    assert source.front.meta == {"title": "Caf\u00e9"}
    assert source.text[source.front.body_offset:].strip() == "Body."
    assert source.path == path
