"""YAML front matter of a brief: the one place that reads it, and its schema.

A brief opens with a YAML block fenced by ``---`` and closed by ``---`` or ``...``, as in pandoc
Markdown. Lines are counted from 1 with the front matter included, as pandoc and editors do.

The block is read with a safe loader that never builds anything but plain data, refuses blocks
larger than `MAX_BYTES` and aliases that expand beyond `MAX_VALUES` values (an "alias bomb"), and
keeps a timestamp that is not a real date or time (``2022-02-30``, a ``+99:00`` offset) as its
text. `field_problems` then holds the fields to `Schema` (msgspec), each problem with its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from ..errors import InputError

# libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure one.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FENCE_OPEN = "---"
FENCE_CLOSE = ("---", "...")
MAX_BYTES = 64 * 1024
MAX_VALUES = 10_000  # values of the block with every alias expanded
MAX_DEPTH = 4  # how deep field positions are recorded (author[0].name is depth 3)
LANG_TAG = r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
SERIES_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_PATH_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_AT = re.compile(r" - at `\$(.*)`$")

Position = tuple[str | int, ...]


class Author(msgspec.Struct, forbid_unknown_fields=False):
    """One author as a mapping: a name, and the optional house fields."""

    name: Annotated[str, msgspec.Meta(min_length=1)]
    role: str | None = None
    affiliation: str | None = None
    bio: str | None = None


class Schema(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    """The fields briefkit reads, with their types; every field is optional and others pass.

    ``date`` is a calendar date (a YAML date or timestamp, or its text); ``number`` a whole number
    from 1; ``author`` a name, a list of names, or a list of `Author` mappings.
    """

    title: str | None = None
    subtitle: str | None = None
    author: str | list[str | Author] | None = None
    series: Annotated[str, msgspec.Meta(pattern=SERIES_ID)] | None = None
    number: Annotated[int, msgspec.Meta(ge=1)] | None = None
    date: dt.date | None = None
    summary: str | None = None
    keywords: str | list[str] | None = None
    lang: Annotated[str, msgspec.Meta(pattern=LANG_TAG)] | None = None
    bibliography: str | list[str] | None = None


@dataclass(frozen=True)
class FrontMatter:
    """The metadata of a brief and where its body starts.

    ``body_line`` is the 1-based line of the first body line; ``body_offset`` the character offset
    of that line in the text. ``lines`` maps a field's position (``("author", 0, "name")``) to its
    line in the brief. A brief without front matter has empty ``meta`` and starts at line 1.
    """

    meta: Mapping[str, Any] = field(default_factory=dict)
    body_line: int = 1
    body_offset: int = 0
    lines: Mapping[Position, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FieldProblem:
    """A field that does not fit `Schema`: its name, its line in the brief, and what is wrong."""

    field: str
    line: int
    message: str


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, except that an impossible timestamp stays text (the schema says why)."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def split_front_matter(text: str, *, path: Path | str = "<brief>") -> FrontMatter:
    """Parse the front matter of ``text``; raise `InputError` naming the line when it is invalid
    YAML, not a mapping, larger than `MAX_BYTES` or expanding beyond `MAX_VALUES` values."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE_OPEN:
        return FrontMatter()
    offset = len(lines[0])
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n").rstrip() in FENCE_CLOSE:
            block = "".join(lines[1:index])
            meta, positions = _load(block, path)
            return FrontMatter(meta, body_line=index + 2, body_offset=offset + len(line),
                               lines=positions)
        offset += len(line)
        if offset > MAX_BYTES:
            break
    if offset > MAX_BYTES:
        raise InputError(path, f"front matter is larger than {MAX_BYTES // 1024} KB; a brief's "
                         "fields fit in far less", line=1)
    raise InputError(path, "front matter opened with '---' is never closed", line=1)


def _load(block: str, path: Path | str) -> tuple[Mapping[str, Any], dict[Position, int]]:
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _require_bounded(node, path)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, block, path) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a YAML mapping of fields", line=2)
    positions: dict[Position, int] = {}
    _record_lines(node, (), positions)
    return data, positions


def _yaml_error(exc: yaml.YAMLError, block: str, path: Path | str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    # At the end of the block the problem mark is useless; where the construct began is not.
    if context is not None and (mark is None or mark.line >= block.count("\n")):
        mark = context
    line = mark.line + 2 if mark is not None else 1
    problem = getattr(exc, "problem", None) or "invalid YAML"
    return InputError(path, f"front matter is not valid YAML: {problem}", line=line)


def _require_bounded(root: yaml.Node, path: Path | str) -> None:
    """Count the values of ``root`` with every alias expanded; refuse more than `MAX_VALUES`.

    Aliases share one node, so the walk sees each use of an anchor again; a recursive alias
    never ends and is refused the same way.
    """
    stack = [root]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise InputError(path, "front matter is refused: its aliases expand to more than "
                             f"{MAX_VALUES:,} values", line=node.start_mark.line + 2)
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _record_lines(node: yaml.Node, at: Position, positions: dict[Position, int]) -> None:
    if len(at) >= MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                where = (*at, key.value)
                positions[where] = key.start_mark.line + 2
                _record_lines(value, where, positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            positions[(*at, index)] = item.start_mark.line + 2
            _record_lines(item, (*at, index), positions)


def field_problems(front: FrontMatter) -> list[FieldProblem]:
    """Each field of ``front`` that does not fit `Schema`, in the order of the fields."""
    problems: list[FieldProblem] = []
    for spec in msgspec.structs.fields(Schema):
        if spec.name not in front.meta:
            continue
        message, at = _field_problem(spec.name, front.meta[spec.name], spec.type)
        if message is not None:
            line = _line(front, (spec.name, *at))
            problems.append(FieldProblem(spec.name, line, message))
    return sorted(problems, key=lambda problem: problem.line)


def _field_problem(name: str, value: object, kind: Any) -> tuple[str | None, Position]:
    """Why ``value`` is not a ``kind`` (and where inside it), or None."""
    if name == "date":
        return (None, ()) if value is None or meta_date(value) is not None else (
            f"date: not a calendar date: {_shown(value)} (write YYYY-MM-DD)", ())
    try:
        msgspec.convert(value, type=kind)
    except msgspec.ValidationError as exc:
        return _explained(name, value, str(exc))
    return None, ()


def _explained(name: str, value: object, detail: str) -> tuple[str, Position]:
    at = _AT.search(detail)
    steps: Position = ()
    if at:
        steps = tuple(int(index) if index else key
                      for key, index in _PATH_STEP.findall(at.group(1)))
        detail = detail[: at.start()]
    where = name + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)
    if name == "number":
        return f"number: must be a whole number from 1, not {_shown(value)}", steps
    if name in ("series", "lang") and isinstance(value, str):
        what = "a series id (lowercase letters, digits, hyphens)" if name == "series" else (
            "a language tag such as en-US")
        return f"{name}: must be {what}, not {_shown(value)}", steps
    detail = detail.replace("Object missing required field", "missing field")
    return f"{where}: {detail[:1].lower()}{detail[1:]}", steps


def _line(front: FrontMatter, at: Position) -> int:
    """The line of the deepest recorded position on the way to ``at``."""
    for end in range(len(at), 0, -1):
        if at[:end] in front.lines:
            return front.lines[at[:end]]
    return 2


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
        return _date_text(value.strip())
    return None


def _date_text(text: str) -> dt.date | None:
    """A date written as text: YYYY-MM-DD, or a timestamp with a time and a real offset."""
    if len(text) == 10:
        try:
            return msgspec.convert(text, type=dt.date)
        except msgspec.ValidationError:
            return None
    try:
        # msgspec wants RFC 3339's "T"; YAML also allows a space between date and time.
        return msgspec.convert(text.replace(" ", "T", 1), type=dt.datetime).date()
    except msgspec.ValidationError:
        return None
