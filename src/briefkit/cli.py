"""The briefkit command line: thin Typer commands over the library, and the one error handler.

This is the only module that imports typer and the only one that prints or exits. Every command
finds the workspace, calls one library entry point and writes its result.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer
from typer._click.exceptions import Abort as _Abort
from typer._click.exceptions import ClickException as _ClickException
from typer._click.exceptions import NoArgsIsHelpError as _NoArgsIsHelpError
from typer._click.exceptions import UsageError as _ClickUsageError

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_SIGNAL_BASE, EXIT_USAGE, BriefkitError, UsageError
from .workspace import Workspace, load_workspace

if TYPE_CHECKING:
    from .authoring.scaffold import Scaffold

Answer = TypeVar("Answer")

app = typer.Typer(
    name="briefkit",
    help="Scaffold, fact-check and publish policy briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefkit {__version__}")
        raise typer.Exit()


def _path_option(flag: str, what: str) -> Any:
    return typer.Option(flag, metavar="PATH", show_default=False,
                        help=f"{what} (overrides the workspace configuration).")


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Show the version and exit."),
    ] = False,
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", metavar="DIR", show_default=False,
                                  help="Find the workspace from DIR, not the current folder.")
    ] = None,
    bibliography: Annotated[Path | None, _path_option("--bibliography", "The .bib file")] = None,
    sources: Annotated[Path | None, _path_option("--sources", "Folder of source texts")] = None,
    briefs: Annotated[Path | None, _path_option("--briefs", "Folder of briefs")] = None,
    templates: Annotated[Path | None, _path_option("--templates", "Templates folder")] = None,
    output: Annotated[Path | None, _path_option("--output-dir", "Folder for rendered files")]
    = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
) -> None:
    """Scaffold, fact-check and publish policy briefs.

    Exit codes: 0 clean, 1 findings at error level, 2 bad usage or bad input,
    3 an external tool (pandoc, typst) failed, 4 an internal error (please report it),
    130 and 143 interrupted (Ctrl-C, SIGTERM).
    """
    ctx.obj = {"start": workspace, "bibliography": bibliography, "sources": sources,
               "briefs": briefs, "templates": templates, "output": output}


def fail(error: BriefkitError) -> NoReturn:
    """The one error handler: one line on stderr (one per brief for a refused draft), the
    error's exit code, no traceback."""
    for line in str(error).splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(error.exit_code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn any `BriefkitError` raised inside the block into `fail`."""
    try:
        yield
    except BriefkitError as error:
        fail(error)


def workspace_here(ctx: typer.Context) -> Workspace:
    """The workspace of the current folder (or of --workspace), with the path flags applied."""
    options = dict(ctx.obj or {})
    start = options.pop("start", None)
    return load_workspace(start or Path.cwd()).with_overrides(**options)


def is_terminal(stream: object) -> bool:
    """True when ``stream`` is an interactive terminal."""
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@app.command()
def check(
    ctx: typer.Context,
    briefs: Annotated[
        list[Path] | None,
        typer.Argument(help="Briefs or folders of briefs to check (default: every brief of "
                       "the workspace).", show_default=False, metavar="BRIEF|DIR"),
    ] = None,
    bib: Annotated[
        Path | None, typer.Option("--bib", help="Bibliography to use instead of the workspace's.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Report format: text, json, github, sarif, junit.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to FILE, not stdout.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on warnings too (exit 1).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List verified quotes and figures too (text).")
    ] = False,
    paths: Annotated[
        str | None, typer.Option(
            "--paths", metavar="repo|workspace|cwd", show_default=False,
            help="Report paths relative to the git repository (default for github, sarif and "
            "junit), the workspace, or the current folder (default for text and json).")
    ] = None,
) -> None:
    """Verify quotes, figures and citations against their sources.

    Every quotation and figure of the briefs is compared with the source its citation points at.

    Exit 0 when nothing is at error level, 1 when something is (--strict: warnings too),
    2 for bad usage or unreadable input.
    """
    from . import __version__ as version
    from .check.report import FORMATS, format_report, relocate, step_summary
    from .check.run import check_briefs
    from .workspace import atomic_write

    with handled():
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        workspace = workspace_here(ctx)
        base = report_base(workspace, paths or ("cwd" if fmt in ("text", "json") else "repo"))
        with _progress_bar("Preparing sources") as progress:
            report = check_briefs(workspace, briefs or [], bibliography=bib, progress=progress)
        report = relocate(report, workspace=workspace.root, base=base,
                          typed=Path.cwd() if briefs else None)
        color = fmt == "text" and output is None and is_terminal(sys.stdout)
        text = format_report(report, fmt, color=color, version=version, verbose=verbose,
                             strict=strict)
        if output is not None:
            atomic_write(output, text)
        else:
            typer.echo(text, nl=False)
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if fmt == "github" and summary_file:
            _append_summary(Path(summary_file), step_summary(report))
    raise typer.Exit(1 if report.failed(strict=strict) else 0)


def report_base(workspace: Workspace, choice: str) -> Path:
    """The folder report paths are relative to: the git repository holding the workspace
    (else the workspace), the workspace, or the current folder."""
    from .workspace import repository_root

    if choice == "repo":
        return repository_root(workspace.root) or workspace.root
    if choice == "workspace":
        return workspace.root
    if choice == "cwd":
        return Path.cwd()
    raise UsageError(f"unknown --paths {choice!r}; choose repo, workspace or cwd")


def _append_summary(path: Path, text: str) -> None:
    """Add the job summary; a summary that cannot be written is a warning, not a failure."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        typer.echo(f"warning: GITHUB_STEP_SUMMARY: cannot write {path}: "
                   f"{exc.strerror or exc}", err=True)


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on a terminal (stderr), or None when not a terminal."""
    if not is_terminal(sys.stderr):
        yield None
        return
    bars: list[Any] = []
    shown = [0]

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(typer.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - shown[0])
        shown[0] = done

    try:
        yield update
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


@app.command()
def new(
    ctx: typer.Context,
    title: Annotated[
        str | None,
        typer.Argument(help="Title of the brief (asked for on a terminal when left out).",
                       metavar="TITLE", show_default=False),
    ] = None,
    series: Annotated[
        str | None, typer.Option("--series", "-s", metavar="ID",
                                  help="Series id (see `briefkit series`).")
    ] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", "-a", metavar="NAME",
                                        help="Author name; repeat for several.")
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", metavar="ROLE",
                                        help="Author role, paired with --author by order.")
    ] = None,
    bio: Annotated[
        list[str] | None, typer.Option("--bio", metavar="TEXT",
                                        help="Short author bio, paired by order.")
    ] = None,
    subtitle: Annotated[str, typer.Option("--subtitle", metavar="TEXT", help="Subtitle.")] = "",
    summary: Annotated[
        str, typer.Option("--summary", metavar="TEXT", help="Summary paragraph.")
    ] = "",
    keyword: Annotated[
        list[str] | None, typer.Option("--keyword", "-k", metavar="WORD",
                                        help="Keyword; repeat for several.")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                 help="Date of the brief (default: today).", show_default=False)
    ] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", metavar="NAME",
                                 help="File name in briefs/ (default: from the title).")
    ] = None,
    number: Annotated[
        int | None, typer.Option("--number", metavar="N",
                                 help="Number in the series (default: the next one).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the path and text; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing brief, keeping its text in "
                           "<name>.md.bak beside it.")
    ] = False,
) -> None:
    """Write a new brief in the house form of a series.

    The brief is briefs/<slug>.md, numbered after the briefs already in the series.

    Missing answers are asked for on a terminal, each checked as it is given; without one, a
    missing title, series or author is an error. An existing brief is never replaced without
    --force, and --force keeps the replaced text in a .bak file beside it.
    """
    from .authoring.scaffold import BriefRequest, plan_brief, write_brief
    from .errors import BriefExistsError

    with handled():
        workspace = workspace_here(ctx)
        answers = _new_answers(workspace, title=title, series=series, authors=(author, role, bio),
                               date=date, slug=slug, number=number, force=force)
        request = BriefRequest(subtitle=subtitle, summary=summary,
                               keywords=tuple(keyword or ()), **answers)
        scaffold = plan_brief(workspace, request)
        where = workspace.relative(scaffold.path)
        if scaffold.exists and not force:
            raise BriefExistsError(where)
        if dry_run:
            typer.echo(f"would write {where}{_replacing(workspace, scaffold)}")
            typer.echo(scaffold.text, nl=False)
            return
        backup = write_brief(scaffold, force=force)
    typer.echo(f"wrote {where}: the {scaffold.ordinal} brief of {request.series}")
    if backup is not None:
        typer.echo(f"the brief it replaced is kept as {workspace.relative(backup)}")
    typer.echo(f"{workspace.relative(workspace.cache)}/ is briefkit's cache, rebuilt as needed; "
               "its own .gitignore keeps it out of git")


def _new_answers(workspace: Workspace, *, title: str | None, series: str | None,
                 authors: tuple[list[str] | None, list[str] | None, list[str] | None],
                 date: str | None, slug: str | None, number: int | None,
                 force: bool) -> dict[str, Any]:
    """The answers of `new`: every flag checked first, then each missing answer asked for and
    checked as it is given (re-asked, with the choices, until it is right), so that nothing
    typed is lost to a mistake found later."""
    import datetime as dt

    from .authoring.scaffold import (
        check_new_path,
        check_number,
        check_title,
        pair_authors,
        parse_date,
        title_slug,
    )
    from .brief.series import get_series

    names, roles, bios = authors
    day = parse_date(date) if date is not None else None
    if number is not None:
        check_number(number)
    if series:
        series = get_series(workspace, series).id
    given_authors = pair_authors(names, roles or [], bios or []) if names else None
    if slug is not None:
        check_new_path(workspace, slug, force=force)
    elif title is not None:
        check_new_path(workspace, title_slug(title), force=force)
    interactive = title is None or not series or not names
    if title is None:
        title = _ask("Title", "title", "TITLE", check_title)
        slug = slug if slug is not None else _ask_slug(workspace, title, force=force)
    if not series:
        series = _ask(f"Series ({_series_ids(workspace)})", "series", "--series",
                      lambda answer: get_series(workspace, answer.strip()).id)
    if given_authors is None:
        given_authors = pair_authors(*_ask_author(roles or [], bios or []))
    if interactive and day is None:
        day = _ask("Date (YYYY-MM-DD)", "date", "--date", parse_date,
                   default=dt.date.today().isoformat())
    return {"title": title, "series": series, "authors": given_authors, "date": day,
            "slug": slug, "number": number}


def _ask_slug(workspace: Workspace, title: str, *, force: bool) -> str | None:
    """A file name asked for when the title gives none, or one whose brief exists (without
    --force); None when the title's own file name will do."""
    from .authoring.scaffold import brief_path, check_new_path, free_slug, slugify

    stem = slugify(title)
    if stem and (force or not brief_path(workspace, stem).exists()):
        return None
    if stem:
        question = (f"{workspace.relative(brief_path(workspace, stem))} already exists; file name "
                    "for the new brief")
        default = free_slug(workspace, stem)
    else:
        question, default = "File name in briefs/ (the title makes none)", None

    def check(answer: str) -> str:
        check_new_path(workspace, answer, force=force)
        return answer.strip()

    return _ask(question, "slug", "--slug", check, default=default)


def _replacing(workspace: Workspace, scaffold: Scaffold) -> str:
    """What --dry-run says about the file a scaffold would replace."""
    from .authoring.scaffold import next_backup, replaces_work

    if not scaffold.exists:
        return ""
    backup = next_backup(scaffold.path) if replaces_work(scaffold) else None
    if backup is None:
        return " (replacing it)"
    return f" (replacing it; its text would be kept as {workspace.relative(backup)})"


def _ask(question: str, name: str, option: str, check: Callable[[str], Answer],
         default: str | None = None) -> Answer:
    """Ask for a missing answer on a terminal until ``check`` accepts it (its error is shown
    and the question asked again); without a terminal it is a `MissingAnswerError`."""
    from .errors import MissingAnswerError

    if not is_terminal(sys.stdin):
        raise MissingAnswerError(name, option)

    def convert(answer: str) -> Answer:
        try:
            return check(answer)
        except BriefkitError as error:
            raise typer.BadParameter(str(error)) from None

    return cast(Answer, typer.prompt(question, default=default, value_proc=convert))


def _ask_author(roles: list[str], bios: list[str]) -> tuple[list[str], list[str], list[str]]:
    """One author asked for on a terminal: the name, then the role and bio unless given."""
    name = _ask("Author name", "author", "--author", _required("an author name"))
    role = roles or [str(typer.prompt("Role", default="", show_default=False))]
    bio = bios or [str(typer.prompt("Short bio", default="", show_default=False))]
    return [name], role, bio


def _required(what: str) -> Callable[[str], str]:
    """A check refusing an empty answer."""
    def check(answer: str) -> str:
        if not answer.strip():
            raise UsageError(f"{what} is needed")
        return answer.strip()
    return check


def _series_ids(workspace: Workspace) -> str:
    from .brief.series import load_all_series

    return ", ".join(load_all_series(workspace))


@app.command("series")
def list_series(ctx: typer.Context) -> None:
    """List the series and their briefs.

    Each series with its briefs' numbers, dates, titles and files.
    """
    from .brief.series import briefs_in_series, load_all_series, series_listing

    with handled():
        workspace = workspace_here(ctx)
        text = series_listing(load_all_series(workspace), briefs_in_series(workspace),
                              ws=workspace)
    typer.echo(text, nl=False)


# Options shared by render and volume.
FormatsOption = Annotated[
    str, typer.Option("--to", "-t", metavar="FORMAT", help="pdf, docx, html or all.")
]
OutputDirOption = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="DIR",
                              help="Folder for the files (default: the workspace's output).")
]
NoCheckOption = Annotated[
    bool, typer.Option("--no-check", help="Render without checking quotes and figures first.")
]
DraftOption = Annotated[
    bool, typer.Option("--draft", help="Render even with skeleton prompts left, marking every "
                       "page as a draft.")
]


@app.command()
def render(
    ctx: typer.Context,
    brief: Annotated[Path, typer.Argument(help="The brief to render (Markdown).",
                                          show_default=False, metavar="BRIEF")],
    to: FormatsOption = "all",
    output: OutputDirOption = None,
    no_check: NoCheckOption = False,
    draft: DraftOption = False,
) -> None:
    """Render a brief to PDF, DOCX and HTML in house style.

    The files are <slug>.pdf, <slug>.docx and <slug>.html, in the series' house style.

    The brief is checked first and not rendered when the check finds errors (exit 1), nor
    when prompts of its skeleton are left in it, unless --draft marks it as a draft (exit 1).
    Exit 2 for bad input (unknown citation key, malformed bibliography, image outside the
    workspace), 3 when pandoc or typst fails.
    """
    from .publish.render import formats_from, render_brief, validate_brief

    with handled():
        workspace = workspace_here(ctx)
        formats = formats_from(to)
        validate_brief(workspace, brief)  # refused before the gate
        with _gate_findings(skip=no_check):
            result = render_brief(workspace, brief, formats=formats, output_dir=output,
                                  draft=draft, check=not no_check)
    _print_result(workspace, result.outputs, result.warnings)


@contextmanager
def _gate_findings(*, skip: bool) -> Iterator[None]:
    """Print the findings of a check that refused a render (`CheckFailedError`) before its
    error line. With ``skip`` (``--no-check``), say on stderr that nothing is checked."""
    from .errors import CheckFailedError

    if skip:
        typer.echo("warning: --no-check: quotes and figures are not checked", err=True)
    try:
        yield
    except CheckFailedError as error:
        from .check.report import format_report

        text = format_report(error.report, "text", color=is_terminal(sys.stderr),
                             version=__version__)
        typer.echo(text, err=True, nl=False)
        raise


def _print_result(workspace: Workspace, outputs: tuple[Path, ...],
                  warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    for path in outputs:
        typer.echo(f"wrote {workspace.relative(path)}")


@app.command()
def volume(
    ctx: typer.Context,
    series: Annotated[str, typer.Argument(metavar="SERIES", help="Series id (see `briefkit "
                                          "series`).", show_default=False)],
    to: FormatsOption = "all",
    output: OutputDirOption = None,
    no_check: NoCheckOption = False,
    draft: DraftOption = False,
) -> None:
    """Render all briefs of a series as one volume.

    The briefs come in series order; the files are <series>.pdf, .docx and .html.

    A title page, the contents, one chapter per brief, one bibliography and the institute's
    back matter. Every brief is checked first; the volume is not rendered when the check finds
    errors, nor when prompts of a skeleton are left in a brief, unless --draft marks it as a
    draft (exit 1). Exit 2 for an unknown series, a series without briefs or bad input, 3 when
    pandoc or typst fails.
    """
    from .brief.series import get_series
    from .publish.render import formats_from
    from .publish.volume import render_volume, volume_briefs

    with handled():
        workspace = workspace_here(ctx)
        formats = formats_from(to)
        volume_briefs(workspace, get_series(workspace, series))  # refused before the gate
        with _gate_findings(skip=no_check):
            result = render_volume(workspace, series, formats=formats, output_dir=output,
                                   draft=draft, check=not no_check)
    _print_result(workspace, result.outputs, result.warnings)


class _Stopped(BaseException):
    """Raised in the main thread when SIGINT or SIGTERM arrives.

    A BaseException, so that no ``except Exception`` on the way up mistakes it for a failure;
    the ``finally`` blocks on the way remove temporary files.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the ``briefkit`` program: run the command, then exit with its code.

    Whatever happens, the user sees at most one ``error: …`` line: usage errors (exit 2),
    interrupts (130 for SIGINT, 143 for SIGTERM) and internal errors (exit 4, with the
    traceback only under ``--debug``).
    """
    args = sys.argv[1:] if argv is None else argv
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        code = app(args=args, prog_name="briefkit", standalone_mode=False)
    except _Stopped as stopped:
        _ignore_signals()
        name = signal.Signals(stopped.signum).name
        _exit_with(f"interrupted by {name}", EXIT_SIGNAL_BASE + stopped.signum)
    except _NoArgsIsHelpError as exc:
        exc.show()
        _exit_with(None, exc.exit_code)
    except _ClickUsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "briefkit"
        _exit_with(f"{exc.format_message()} (see {command} --help)", EXIT_USAGE)
    except _ClickException as exc:
        _exit_with(exc.format_message(), EXIT_USAGE)
    except _Abort:
        _exit_with("no answer given; stopped", EXIT_USAGE)
    except BriefkitError as exc:
        _exit_with(str(exc), exc.exit_code)
    except Exception as exc:  # an unexpected failure is a bug: say so in one line
        if "--debug" in args:
            traceback.print_exc()
        _exit_with(f"internal error ({type(exc).__name__}: {_first_line(exc)}); please report "
                   "this bug with the command you ran (--debug before the command shows the "
                   "traceback)", EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


def _exit_with(message: str | None, code: int) -> NoReturn:
    if message is not None:
        for line in message.splitlines() or [""]:
            typer.echo(f"error: {line}", err=True)
    sys.exit(code)


def _ignore_signals() -> None:
    # A second Ctrl-C while the first is being reported must not print a traceback.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "no message"
