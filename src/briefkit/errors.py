"""The one error tree of briefkit.

Every failure the library reports to a user is a `BriefkitError`. Each class builds its own
one-line message and carries the exit code the command line uses for it, so the CLI has a single
handler: print ``error: <message>`` to stderr and exit with ``exit_code``.

Exit codes: 0 clean, 1 findings at error level, 2 bad usage or bad input, 3 an external tool
(pandoc, typst) failed, 4 an internal error (a bug in briefkit), 130 and 143 interrupted by
SIGINT (Ctrl-C) or SIGTERM.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import CheckReport

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL = 3
EXIT_INTERNAL = 4
EXIT_SIGNAL_BASE = 128  # a run stopped by signal N exits 128 + N, as shells report it


class BriefkitError(Exception):
    """Base class: a user-facing failure with a one-line message and an exit code."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(BriefkitError):
    """A command was called with arguments that cannot work together."""


class InputError(BriefkitError):
    """An input file (brief, bibliography, source, configuration) cannot be used."""

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.line = line


class NestingError(InputError):
    """A brief nests its structure deeper than briefkit reads."""

    def __init__(self, path: Path | str, what: str, *, line: int | None, limit: int) -> None:
        super().__init__(
            path,
            f"{what} nested more than {limit} levels deep; briefkit reads block quotes, lists, "
            f"divs, notes, emphasis, links and quotation marks nested at most {limit} levels "
            "in all",
            line=line,
        )


class WorkspaceNotFoundError(BriefkitError):
    """No workspace marker was found from the starting directory upwards."""

    def __init__(self, start: Path) -> None:
        super().__init__(
            f"no briefkit workspace found in {start} or any parent directory "
            "(looked for briefkit.toml, [tool.briefkit] in pyproject.toml, or references.bib)"
        )


class ConfigError(InputError):
    """The workspace configuration is malformed."""


class PathEscapeError(BriefkitError):
    """A path would leave the workspace (or the folder it must stay in)."""

    def __init__(self, path: Path | str, root: Path) -> None:
        super().__init__(f"{path}: path is outside {root}")


class UnknownSeriesError(BriefkitError):
    """A series name that no definition file provides."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known)) or "none"
        super().__init__(f"unknown series {name!r}; known series: {names}")


class SeriesDefinitionError(InputError):
    """A series definition file is malformed."""


class BriefExistsError(BriefkitError):
    """`new` refuses to replace an existing brief without --force; the message offers a free
    file name (``free_slug``) first, and says that --force keeps the old file as a backup."""

    def __init__(self, path: Path | str, *, free_slug: str | None = None) -> None:
        other = (f"pass --slug {free_slug} (or give another title) to write a new brief beside "
                 "it" if free_slug else "give another title or a --slug to write a new brief")
        super().__init__(f"{path} already exists; {other}, or --force to replace it (its "
                         "text is kept in a .bak file beside it)")
        self.path = Path(path)


class MissingAnswerError(BriefkitError):
    """A required value was not given and there is no terminal to ask for it."""

    def __init__(self, name: str, option: str) -> None:
        super().__init__(f"missing {name}: pass {option} (no terminal to ask on)")


class BibliographyError(InputError):
    """The bibliography cannot be parsed at all."""


class OutputError(BriefkitError):
    """An output file or directory cannot be written."""


class CheckFailedError(BriefkitError):
    """Briefs failed the check of their quotations and figures, so they are not rendered.

    ``refusal`` says what was not rendered; ``report`` is the check's report, findings and all.
    """

    exit_code = EXIT_FINDINGS

    def __init__(self, refusal: str, report: CheckReport) -> None:
        super().__init__(f"{refusal} (fix them, or render with --no-check)")
        self.report = report


class DraftError(BriefkitError):
    """Briefs still hold prompts of their skeleton, so they are not published without --draft.

    The message has one line per brief; ``lines`` holds them.
    """

    exit_code = EXIT_FINDINGS

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = tuple(lines)
        super().__init__("\n".join(self.lines))


class ToolError(BriefkitError):
    """An external tool (pandoc, typst) failed; the message is the tool's own."""

    exit_code = EXIT_TOOL

    def __init__(self, tool: str, message: str) -> None:
        first = message.strip().splitlines()
        detail = "; ".join(line.strip() for line in first[:3] if line.strip()) or "failed"
        super().__init__(f"{tool}: {detail}")
        self.tool = tool
        self.detail = message
