"""The check before publishing: a brief, or every brief of a volume, is checked before it is
rendered and is not rendered when the check finds errors.

Each brief is read once (`briefkit.brief.read_brief`); the check, the draft rule
(`briefkit.publish.draft`) and the citation rule of `briefkit.publish.render` all use that one
reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..brief.document import read_brief
from ..errors import CheckFailedError

if TYPE_CHECKING:
    from ..brief.document import Brief
    from ..workspace import Workspace


def read_briefs(ws: Workspace, briefs: Sequence[Path]) -> dict[Path, Brief]:
    """Each of ``briefs`` read once, by its resolved path (relative paths are taken from the
    current folder). Raises what `read_brief` raises."""
    parsed: dict[Path, Brief] = {}
    for brief in briefs:
        path = ws.inside(brief, base=Path.cwd())
        if path not in parsed:
            parsed[path] = read_brief(path, allow_raw=ws.allow_raw)
    return parsed


def require_checked(ws: Workspace, briefs: Sequence[Path], parsed: dict[Path, Brief], *,
                    refusal: str) -> None:
    """Check ``briefs`` (read as ``parsed``); raise `CheckFailedError` with the report and
    ``refusal`` (what is not rendered) when the check finds errors."""
    from ..check.run import check_briefs

    report = check_briefs(ws, briefs, parsed=parsed)
    if report.failed():
        raise CheckFailedError(refusal, report)
