"""Drafts: unfinished work is not published by accident.

`briefkit new` writes author prompts (``::: {.prompt}`` blocks) under each section of a skeleton.
`check` reports each one as a ``draft-prompt`` warning. `render` and `volume` refuse a brief that
still holds one (`DraftError`, exit 1, before any output is written) unless a draft is asked for;
a draft has every page marked: a "DRAFT" watermark behind the text of each PDF page, a banner at
the top of the HTML page, and a page header in every section of the Word file. The prompts stay
visible in a draft, so the author sees what is still to be written.

The PDF and HTML marks are drawn by the house templates when the metadata holds ``house.draft``
(`mark` sets it); the Word header is added here, after pandoc, because pandoc takes the headers
from the reference document, which is shared by every render of a series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DraftError
from ..pandoc import Node

if TYPE_CHECKING:
    from ..brief import Brief
    from ..workspace import Workspace
    from .render import Edition

BANNER = "Draft — not for publication"  # the HTML banner (templates/render/brief.html)
HEADER = "DRAFT — not for publication"  # the Word page header
HEADER_COLOR = "8C2F39"  # the house accent (house.typ, house.css)
PROMPT_RULE = "draft-prompt"  # the check's rule for a prompt left in a brief


@dataclass(frozen=True)
class Unfinished:
    """A brief that still holds prompts of its skeleton: the first one's line, and how many."""

    path: Path
    line: int
    prompts: int


def unfinished(ws: Workspace, brief: Path, *,
               parsed: Mapping[Path, Brief] | None = None) -> Unfinished | None:
    """The prompts left in ``brief``, found exactly as `check` finds them; None when none are.

    ``parsed`` holds briefs already read, by resolved path (see `briefkit.publish.gate`).
    """
    from ..brief.document import read_brief

    path = ws.inside(brief, base=Path.cwd())
    read = parsed.get(path) if parsed else None
    if read is None:
        read = read_brief(path, allow_raw=ws.allow_raw)
    lines = [problem.span.line for problem in read.problems if problem.rule == PROMPT_RULE]
    return Unfinished(path, min(lines), len(lines)) if lines else None


def require_finished(ws: Workspace, briefs: Sequence[Path], *, volume: bool = False,
                     parsed: Mapping[Path, Brief] | None = None) -> None:
    """Raise `DraftError` naming every brief of ``briefs`` that still holds prompts.

    One line per brief: its path, the line of its first prompt, and the hint to use ``--draft``.
    """
    found = [entry for entry in (unfinished(ws, brief, parsed=parsed) for brief in briefs)
             if entry is not None]
    if not found:
        return
    what = "the volume" if volume else "it"
    raise DraftError([
        f"{ws.relative(entry.path)}:{entry.line}: {_count(entry.prompts)} of the skeleton "
        f"{'is' if entry.prompts == 1 else 'are'} still in the brief, so {what} was not "
        "rendered; use --draft to render it as a draft"
        for entry in found
    ])


def _count(prompts: int) -> str:
    return "1 prompt" if prompts == 1 else f"{prompts} prompts"


def mark(edition: Edition) -> Edition:
    """A copy of ``edition`` whose metadata says it is a draft (``house.draft``)."""
    document = edition.document
    meta = dict(document["meta"])
    house = meta.get("house") or {"t": "MetaMap", "c": {}}
    meta["house"] = {**house, "c": {**house["c"], "draft": {"t": "MetaBool", "c": True}}}
    return replace(edition, document={**document, "meta": meta})


def is_marked(document: Node) -> bool:
    """True when ``document`` is to be rendered as a draft (see `mark`)."""
    house = document.get("meta", {}).get("house") or {}
    flag = house.get("c", {}).get("draft") if isinstance(house.get("c"), dict) else None
    return bool(flag and flag.get("t") == "MetaBool" and flag.get("c") is True)


def mark_docx(data: bytes) -> bytes:
    """The Word file ``data`` with the draft header atop every page header of every section."""
    from .docx_reference import head_every_page

    return head_every_page(data, HEADER, color=HEADER_COLOR)
