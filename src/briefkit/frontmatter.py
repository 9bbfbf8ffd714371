"""YAML front matter of a brief: the one place that reads it (PyYAML's safe loader).

A brief opens with a YAML block fenced by ``---`` and closed by ``---`` or ``...``, as in pandoc
Markdown. Lines are counted from 1 with the front matter included, as pandoc and editors do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

# libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FENCE_OPEN = "---"
FENCE_CLOSE = ("---", "...")


@dataclass(frozen=True)
class FrontMatter:
    """The metadata of a brief and where its body starts.

    ``body_line`` is the 1-based line of the first body line; ``body_offset`` the character offset
    of that line in the text. A brief without front matter has empty ``meta`` and starts at line 1.
    """

    meta: Mapping[str, Any] = field(default_factory=dict)
    body_line: int = 1
    body_offset: int = 0


def split_front_matter(text: str, *, path: Path | str = "<brief>") -> FrontMatter:
    """Parse the front matter of ``text``; raise `InputError` naming the line when it is invalid."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE_OPEN:
        return FrontMatter()
    offset = len(lines[0])
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n").rstrip() in FENCE_CLOSE:
            block = "".join(lines[1:index])
            meta = _load(block, path)
            return FrontMatter(meta, body_line=index + 2, body_offset=offset + len(line))
        offset += len(line)
    raise InputError(path, "front matter opened with '---' is never closed", line=1)


def _load(block: str, path: Path | str) -> Mapping[str, Any]:
    try:
        data = yaml.load(block, Loader=_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        # At the end of the block the problem mark is useless; where the construct began is not.
        if context is not None and (mark is None or mark.line >= block.count("\n")):
            mark = context
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(path, f"front matter is not valid YAML: {problem}", line=line) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a YAML mapping of fields", line=2)
    return data


def read_meta(path: Path) -> Mapping[str, Any]:
    """Read only the front matter of the brief at ``path``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    return split_front_matter(text, path=path).meta


def dump_front_matter(meta: Mapping[str, Any]) -> str:
    """Serialise ``meta`` as a fenced YAML block in field order, strings quoted where needed."""
    body = yaml.safe_dump(
        dict(meta), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return f"{FENCE_OPEN}\n{body}{FENCE_OPEN}\n"


def meta_date(value: object) -> dt.date | None:
    """A front-matter date as a `datetime.date` (YAML gives dates or strings), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
