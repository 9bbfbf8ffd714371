"""briefkit: scaffold, fact-check and publish policy briefs.

The library behind the command line. A caller finds the workspace, then checks, renders or
scaffolds briefs in it::

    from briefkit import check_briefs, load_workspace, render_brief

    ws = load_workspace()
    report = check_briefs(ws)
    render_brief(ws, ws.briefs / "the-workaround-and-the-reset.md", formats=("pdf",))

Failures raise a `BriefkitError` (each subclass carries its exit code); findings are `Finding`
values of a `CheckReport`. The names below are loaded on first use, so importing briefkit stays
cheap. docs/architecture.md describes the subpackages behind them.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_TOOL",
    "EXIT_USAGE",
    "FORMATS",
    "AuthorAnswer",
    "BibDiagnostic",
    "BibliographyError",
    "BriefExistsError",
    "BriefReport",
    "BriefRequest",
    "BriefkitError",
    "CheckFailedError",
    "CheckReport",
    "ConfigError",
    "DraftError",
    "Finding",
    "InputError",
    "Kind",
    "MissingAnswerError",
    "OutputError",
    "PathEscapeError",
    "Scaffold",
    "Series",
    "SeriesDefinitionError",
    "SourceRef",
    "Span",
    "Status",
    "Summary",
    "ToolError",
    "UnknownSeriesError",
    "UsageError",
    "Workspace",
    "WorkspaceNotFoundError",
    "check_briefs",
    "format_report",
    "get_series",
    "load_all_series",
    "load_workspace",
    "plan_brief",
    "render_brief",
    "render_volume",
    "write_brief",
]

if TYPE_CHECKING:
    from .authoring import AuthorAnswer, BriefRequest, Scaffold, plan_brief, write_brief
    from .brief import Series, get_series, load_all_series
    from .check import FORMATS, check_briefs, format_report
    from .errors import (
        EXIT_FINDINGS,
        EXIT_INTERNAL,
        EXIT_TOOL,
        EXIT_USAGE,
        BibliographyError,
        BriefExistsError,
        BriefkitError,
        CheckFailedError,
        ConfigError,
        DraftError,
        InputError,
        MissingAnswerError,
        OutputError,
        PathEscapeError,
        SeriesDefinitionError,
        ToolError,
        UnknownSeriesError,
        UsageError,
        WorkspaceNotFoundError,
    )
    from .model import (
        BibDiagnostic,
        BriefReport,
        CheckReport,
        Finding,
        Kind,
        SourceRef,
        Span,
        Status,
        Summary,
    )
    from .publish import render_brief, render_volume
    from .workspace import Workspace, load_workspace
else:
    from ._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "workspace": ("Workspace", "load_workspace"),
        "errors": ("BibliographyError", "BriefExistsError", "BriefkitError", "CheckFailedError",
                   "ConfigError", "DraftError", "InputError", "MissingAnswerError",
                   "OutputError", "PathEscapeError", "SeriesDefinitionError", "ToolError",
                   "UnknownSeriesError", "UsageError", "WorkspaceNotFoundError", "EXIT_FINDINGS",
                   "EXIT_USAGE", "EXIT_TOOL", "EXIT_INTERNAL"),
        "model": ("BibDiagnostic", "BriefReport", "CheckReport", "Finding", "Kind", "SourceRef",
                  "Span", "Status", "Summary"),
        "check": ("FORMATS", "check_briefs", "format_report"),
        "publish": ("render_brief", "render_volume"),
        "authoring": ("AuthorAnswer", "BriefRequest", "Scaffold", "plan_brief", "write_brief"),
        "brief": ("Series", "get_series", "load_all_series"),
    })
