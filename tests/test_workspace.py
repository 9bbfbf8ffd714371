"""Workspace discovery, configuration, path safety and atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefkit.errors import ConfigError, OutputError, PathEscapeError, WorkspaceNotFoundError
from briefkit.workspace import atomic_write, contained, find_root, load_workspace


def test_found_from_a_subfolder(workspace: Path) -> None:
    """A workspace is found by walking up from a nested folder."""
    nested = workspace / "briefs" / "drafts"
    nested.mkdir()
    found = load_workspace(nested)
    assert found.root == workspace.resolve()
    assert found.briefs == (workspace / "briefs").resolve()


def test_pyproject_table_marks_a_workspace(tmp_path: Path) -> None:
    """A pyproject.toml with [tool.briefkit] marks the root and its paths are used."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.briefkit]\nbriefs = "papers"\nbibliography = "lib.bib"\n',
        encoding="utf-8",
    )
    found = load_workspace(tmp_path)
    assert found.briefs == (tmp_path / "papers").resolve()
    assert found.bibliography == (tmp_path / "lib.bib").resolve()
    assert found.config_file == tmp_path / "pyproject.toml"


def test_pyproject_without_table_is_not_a_marker(tmp_path: Path) -> None:
    """A plain pyproject.toml does not stop the search; references.bib above it does."""
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    root, config = find_root(inner)
    assert root == tmp_path.resolve()
    assert config is None


def test_briefkit_toml_wins_and_defaults_fill_in(tmp_path: Path) -> None:
    """briefkit.toml settings override defaults; unset paths keep their defaults."""
    (tmp_path / "briefkit.toml").write_text('sources = "texts"\nallow_raw = true\n',
                                            encoding="utf-8")
    found = load_workspace(tmp_path)
    assert found.sources == (tmp_path / "texts").resolve()
    assert found.output == (tmp_path / "build").resolve()
    assert found.allow_raw is True
    assert found.unverifiable == "error"
    (tmp_path / "briefkit.toml").write_text('unverifiable = "warning"\n', encoding="utf-8")
    assert load_workspace(tmp_path).unverifiable == "warning"


def test_no_workspace_is_a_clear_error(tmp_path: Path) -> None:
    """Without any marker the error names the starting folder and what was looked for."""
    with pytest.raises(WorkspaceNotFoundError, match=r"references\.bib"):
        find_root(tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [("briefs = [1]\n", "path string"), ("allow_raw = 'yes'\n", "true or false"),
     ("briefs = \n", "not valid TOML"),
     ("unverifiable = 'maybe'\n", 'unverifiable must be "error" or "warning", not \'maybe\''),
     ("unverifiable = false\n", "unverifiable must be")],
)
def test_malformed_configuration(tmp_path: Path, content: str, problem: str) -> None:
    """Wrong types and TOML syntax errors name the configuration file."""
    (tmp_path / "briefkit.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as caught:
        load_workspace(tmp_path)
    assert "briefkit.toml" in str(caught.value)


def test_overrides_resolve_against_the_current_directory(workspace: Path) -> None:
    """Flag overrides are taken relative to the current directory."""
    found = load_workspace(workspace).with_overrides(bibliography=Path("other.bib"), output=None)
    assert found.bibliography == (workspace / "other.bib").resolve()
    assert found.output == (workspace / "build").resolve()


def test_contained_refuses_escapes(tmp_path: Path) -> None:
    """Relative escapes, absolute paths elsewhere and symlinks out of the root are refused."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    assert contained("a/b.txt", root) == (root / "a" / "b.txt").resolve()
    for bad in ("../x", "/etc/passwd", "link/secret"):
        with pytest.raises(PathEscapeError):
            contained(bad, root)


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    """A write replaces the file in one step and leaves no temporary file behind."""
    target = tmp_path / "out" / "a.txt"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_atomic_write_under_a_file_is_an_output_error(tmp_path: Path) -> None:
    """A parent path that is a regular file gives OutputError, not a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write(blocker / "a.txt", "new")
