"""Finding the workspace, reading its configuration, and keeping paths inside it.

A workspace is the folder that holds a program's sources, bibliography, briefs and templates. It is
found by walking up from the current directory to the first folder that has a ``briefkit.toml``, a
``pyproject.toml`` with a ``[tool.briefkit]`` table, or a ``references.bib``. Every path can be set
in the configuration and overridden by the caller (the command-line flags).
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import (
    ConfigError,
    InputError,
    OutputError,
    PathEscapeError,
    WorkspaceNotFoundError,
)

CONFIG_FILE = "briefkit.toml"
PATH_KEYS = ("bibliography", "sources", "briefs", "templates", "output", "cache")
DEFAULT_PATHS: Mapping[str, str] = {
    "bibliography": "references.bib",
    "sources": "seeds",
    "briefs": "briefs",
    "templates": "templates",
    "output": "build",
    "cache": ".briefkit-cache",
}
BOOL_KEYS = ("allow_raw",)


@dataclass(frozen=True)
class Workspace:
    """A located workspace: its root and the absolute paths of its parts.

    ``allow_raw`` lets briefs carry raw TeX, raw HTML and raw attribute blocks (off by default).
    ``config_file`` is the file the settings came from, or None when only defaults apply.
    """

    root: Path
    bibliography: Path
    sources: Path
    briefs: Path
    templates: Path
    output: Path
    cache: Path
    allow_raw: bool = False
    config_file: Path | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        """Return ``path`` relative to the workspace root when it is inside, else as given."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def inside(self, path: Path | str, *, base: Path | None = None) -> Path:
        """Resolve ``path`` (relative to ``base`` or the root) and require it inside the root."""
        return contained(path, self.root, base=base)

    def own_file(self, path: Path) -> Path:
        """``path`` with its links resolved; `InputError` when that leads outside the workspace.

        A brief or source may be a symbolic link, but only to a file of the workspace: a link
        to anything else would show someone else's file in a report.
        """
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            shown = path.relative_to(self.root) if path.is_relative_to(self.root) else path
            raise InputError(shown, "is a link to a file outside the workspace" if path.is_symlink()
                             else "is outside the workspace")
        return resolved

    def with_overrides(self, **paths: Path | str | None) -> Workspace:
        """Return a copy with the given paths replaced (None leaves a path as it is)."""
        changes: dict[str, Any] = {
            key: (Path(value) if Path(value).is_absolute() else Path.cwd() / value).resolve()
            for key, value in paths.items()
            if value is not None
        }
        return replace(self, **changes)


def contained(path: Path | str, root: Path, *, base: Path | None = None) -> Path:
    """Resolve ``path`` against ``base`` (default ``root``); raise unless it lies inside ``root``.

    Symbolic links are resolved first, so a link that points outside the root is refused too.
    """
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = (base or root) / candidate
    resolved = candidate.resolve()
    root = root.resolve()
    if resolved != root and root not in resolved.parents:
        raise PathEscapeError(path, root)
    return resolved


def repository_root(start: Path) -> Path | None:
    """The nearest folder from ``start`` upwards holding a ``.git`` (a folder, or a file in a
    worktree or submodule), or None outside a git repository."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_root(start: Path) -> tuple[Path, Path | None]:
    """Walk up from ``start``; return the workspace root and its configuration file (or None)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        config = folder / CONFIG_FILE
        if config.is_file():
            return folder, config
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "briefkit" in _read_toml(pyproject).get("tool", {}):
            return folder, pyproject
        if (folder / DEFAULT_PATHS["bibliography"]).is_file():
            return folder, None
    raise WorkspaceNotFoundError(start)


def load_workspace(start: Path | None = None) -> Workspace:
    """Find the workspace that contains ``start`` (default: the current directory) and load it."""
    root, config_file = find_root(start or Path.cwd())
    settings = _settings(config_file) if config_file else {}
    paths = {key: root / str(settings.get(key, DEFAULT_PATHS[key])) for key in PATH_KEYS}
    return Workspace(
        root=root,
        **{key: value.resolve() for key, value in paths.items()},
        allow_raw=bool(settings.get("allow_raw", False)),
        config_file=config_file,
        settings=settings,
    )


def bundled_templates() -> Path:
    """The house templates shipped with briefkit (the wheel's copy, or the source checkout's)."""
    packaged = Path(str(resources.files("briefkit"))) / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def template_dirs(workspace: Workspace) -> list[Path]:
    """Template folders in lookup order: the workspace's own first, then the bundled ones."""
    folders = [workspace.templates, bundled_templates()]
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in unique:
            unique.append(folder.resolve())
    return unique


def _settings(config_file: Path) -> dict[str, Any]:
    data = _read_toml(config_file)
    is_pyproject = config_file.name == "pyproject.toml"
    table = data.get("tool", {}).get("briefkit", {}) if is_pyproject else data
    if not isinstance(table, dict):
        raise ConfigError(config_file, "[tool.briefkit] must be a table")
    for key, value in table.items():
        if key in PATH_KEYS and not isinstance(value, str):
            raise ConfigError(config_file, f"{key} must be a path string, not {value!r}")
        if key in BOOL_KEYS and not isinstance(value, bool):
            raise ConfigError(config_file, f"{key} must be true or false, not {value!r}")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc.strerror or exc}") from exc


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A failure leaves any previous file untouched and no temporary file behind.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(payload)
        temporary.replace(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
