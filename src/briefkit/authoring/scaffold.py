"""Scaffolding a new brief: its file name, front matter, section skeleton and series blurb.

`plan_brief` works out everything and writes nothing; `write_brief` writes the plan, and never
replaces a brief that holds anything but the same skeleton without keeping its text in a backup
beside it (``<name>.md.bak``, else ``<name>.md.1.bak``, ...). The ``check_*`` functions validate
one answer each, so that the command line can refuse a wrong answer as soon as it is given.
Values are data, never template code: the front matter is serialised with PyYAML's safe dumper,
and the body comes from a sandboxed Jinja2 template (``new/<form>.md.jinja``, looked up in
`workspace.template_dirs` order) that receives every value as a variable. A brief's file always
lies directly in the workspace's briefs folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..brief.frontmatter import dump_front_matter
from ..brief.series import (
    Series,
    briefs_in_series,
    get_series,
    next_number,
    ordinal_word,
    series_blurb,
)
from ..errors import (
    BriefExistsError,
    BriefkitError,
    InputError,
    MissingAnswerError,
    OutputError,
    PathEscapeError,
    UsageError,
)
from ..workspace import Workspace, atomic_write, contained, template_dirs

TEMPLATE_FOLDER = "new"
SLUG_LIMIT = 60
BACKUP_LIMIT = 1000  # numbered backups tried before giving up
WRAP = 100
SAFE_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DEFAULT_PROMPT = (
    "Write this section. Cite the source of every quotation and figure, for example "
    "`[@key, 4]`, with a key from the workspace bibliography."
)


@dataclass(frozen=True)
class AuthorAnswer:
    """One author as given on the command line: name, and optionally role and short bio."""

    name: str
    role: str = ""
    bio: str = ""


@dataclass(frozen=True)
class BriefRequest:
    """The answers `new` needs. ``date`` defaults to today, ``slug`` to one made from the title,
    ``number`` to the next number of the series."""

    title: str
    series: str
    authors: tuple[AuthorAnswer, ...]
    subtitle: str = ""
    summary: str = ""
    keywords: tuple[str, ...] = ()
    date: dt.date | None = None
    slug: str | None = None
    number: int | None = None


@dataclass(frozen=True)
class Scaffold:
    """A planned brief: where it goes, its full text, its place in the series, and whether a
    file is already there."""

    path: Path
    text: str
    number: int
    ordinal: str
    exists: bool


def plan_brief(ws: Workspace, request: BriefRequest) -> Scaffold:
    """Work out the brief ``request`` asks for; nothing is written.

    Raises `MissingAnswerError` for an empty title, series or author list, `UnknownSeriesError`,
    `SeriesDefinitionError`, `PathEscapeError` or `UsageError` for a slug that is not a plain file
    name in the briefs folder, and `InputError` for a broken template or existing brief.
    """
    _require_answers(request)
    series = get_series(ws, request.series)
    path = brief_path(ws, request.slug if request.slug is not None else title_slug(request.title))
    number = request.number if request.number is not None else _next_number(ws, series, path)
    check_number(number)
    meta = brief_meta(ws, request, series=series, number=number, path=path)
    text = render_skeleton(ws, series, _context(request, series, number, meta))
    return Scaffold(path=path, text=text, number=number, ordinal=ordinal_word(number),
                    exists=path.exists())


def write_brief(scaffold: Scaffold, *, force: bool = False) -> Path | None:
    """Write a planned brief; return the backup of the file it replaced, or None.

    An existing file is replaced only with ``force``, atomically, and only after its text is
    safe in a new backup file beside it (unless it is the very same skeleton: nothing to lose).
    Raises `BriefExistsError` when the file exists (now, not only when planned) and ``force`` is
    off, and `OutputError` when it or its backup cannot be written; a failed write leaves no
    partial file and the old brief as it was.
    """
    if force:
        backup = _back_up(scaffold)
        try:
            atomic_write(scaffold.path, scaffold.text)
        except OutputError:
            if backup is not None:  # the brief is as it was, so its fresh copy is not needed
                backup.unlink(missing_ok=True)
            raise
        return backup
    try:
        scaffold.path.parent.mkdir(parents=True, exist_ok=True)
        # "x" creates the file only if it does not exist, so a brief made meanwhile is kept.
        handle = scaffold.path.open("x", encoding="utf-8", newline="\n")
    except FileExistsError:
        raise BriefExistsError(scaffold.path) from None
    except OSError as exc:
        raise OutputError(f"cannot write {scaffold.path}: {exc.strerror or exc}") from exc
    try:
        with handle:
            handle.write(scaffold.text)
    except OSError as exc:
        scaffold.path.unlink(missing_ok=True)
        raise OutputError(f"cannot write {scaffold.path}: {exc.strerror or exc}") from exc
    return None


def replaces_work(scaffold: Scaffold) -> bool:
    """Whether writing ``scaffold`` would replace a file holding anything but its own text."""
    try:
        return scaffold.path.read_bytes() != scaffold.text.encode("utf-8")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # unreadable (a folder, no permission): treat it as work to keep


def backup_names(path: Path) -> list[Path]:
    """The names a backup of ``path`` may take, in order: ``x.md.bak``, ``x.md.1.bak``, …

    They end in ``.bak`` so that no command takes a backup for a brief.
    """
    return [path.with_name(f"{path.name}.bak")] + [
        path.with_name(f"{path.name}.{n}.bak") for n in range(1, BACKUP_LIMIT)]


def next_backup(path: Path) -> Path | None:
    """The first backup name of ``path`` that is free, or None when all are taken."""
    return next((name for name in backup_names(path) if not name.exists()), None)


def _back_up(scaffold: Scaffold) -> Path | None:
    """Copy the file ``scaffold`` replaces to a new backup file; None when nothing would be lost.

    A backup name is only ever created, never overwritten ("x" mode), so earlier backups stay.
    """
    if not replaces_work(scaffold):
        return None
    path = scaffold.path
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot back up {path} before replacing it: "
                          f"{exc.strerror or exc}") from exc
    for name in backup_names(path):
        try:
            handle = name.open("xb")
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write the backup {name}, so {path} was not replaced: "
                              f"{exc.strerror or exc}") from exc
        try:
            with handle:
                handle.write(old)
        except OSError as exc:
            name.unlink(missing_ok=True)
            raise OutputError(f"cannot write the backup {name}, so {path} was not replaced: "
                              f"{exc.strerror or exc}") from exc
        return name
    raise OutputError(f"{path}: {BACKUP_LIMIT} backups exist already; remove some, so that "
                      "--force can keep this one")


def check_title(title: str) -> str:
    """A title as answered: stripped, and not empty."""
    if not title.strip():
        raise UsageError("the title must not be empty")
    return title.strip()


def check_number(number: int) -> int:
    """A number in the series, as given with --number: 1 or more."""
    if number < 1:
        raise UsageError(f"--number must be 1 or more, not {number}")
    return number


def check_new_path(ws: Workspace, slug: str, *, force: bool = False) -> Path:
    """The file for ``slug`` (see `brief_path`), which must not exist unless ``force``.

    Raises `BriefExistsError` offering a free file name.
    """
    path = brief_path(ws, slug)
    if path.exists() and not force:
        raise BriefExistsError(ws.relative(path), free_slug=free_slug(ws, path.stem))
    return path


def free_slug(ws: Workspace, slug: str) -> str | None:
    """``slug`` when its file is free, else ``slug-2``, ``slug-3``…; None when none is."""
    stem = slug.strip().removesuffix(".md")
    for candidate in [stem] + [f"{stem}-{n}" for n in range(2, BACKUP_LIMIT)]:
        try:
            if not brief_path(ws, candidate).exists():
                return candidate
        except BriefkitError:
            return None
    return None


def pair_authors(
    names: list[str], roles: list[str], bios: list[str]
) -> tuple[AuthorAnswer, ...]:
    """Pair repeated --author, --role and --bio values by order (roles and bios may be fewer)."""
    for option, values in (("--role", roles), ("--bio", bios)):
        if len(values) > len(names):
            raise UsageError(f"{len(values)} {option} values for {len(names)} --author "
                             "values; give one per author, in the same order")
    return tuple(
        AuthorAnswer(name=name.strip(), role=_at(roles, index), bio=_at(bios, index))
        for index, name in enumerate(names)
    )


def _at(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def parse_date(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) given with --date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--date must be an ISO date (YYYY-MM-DD), not {text!r}") from None


def slugify(title: str) -> str:
    """A file name stem from ``title``: ASCII, lowercase, words joined by hyphens, at most
    `SLUG_LIMIT` characters cut at a word boundary. Empty when the title has no ASCII letters
    or digits."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", ascii_text.lower()))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_LIMIT:
            break
        slug = candidate
    return slug or (words[0][:SLUG_LIMIT] if words else "")


def brief_path(ws: Workspace, slug: str) -> Path:
    """The file for ``slug`` directly inside the briefs folder.

    Raises `PathEscapeError` when the slug would lead outside it (``../x``, an absolute path) and
    `UsageError` when it is not a plain file name (a separator, a leading dot, other characters).
    """
    stem = slug.strip().removesuffix(".md")
    if not stem:
        raise UsageError("--slug must not be empty")
    try:
        target = contained(f"{stem}.md", ws.briefs)
    except PathEscapeError:
        raise PathEscapeError(f"--slug {slug!r}", ws.briefs.resolve()) from None
    if not SAFE_SLUG.fullmatch(stem) or target.parent != ws.briefs.resolve():
        raise UsageError(f"--slug {slug!r} must be a plain file name: letters, digits, '.', "
                         "'_' and '-', not starting with a dot")
    return target


def brief_meta(
    ws: Workspace, request: BriefRequest, *, series: Series, number: int, path: Path
) -> dict[str, Any]:
    """The front matter fields of the new brief, in the house order."""
    meta: dict[str, Any] = {
        "title": request.title.strip(),
        "subtitle": request.subtitle.strip(),
        "author": [
            {"name": author.name.strip(), "role": author.role.strip(), "bio": author.bio.strip()}
            for author in request.authors
        ],
        "series": series.id,
        "number": number,
        "date": request.date or dt.date.today(),
        "summary": request.summary.strip(),
        "keywords": [keyword.strip() for keyword in request.keywords if keyword.strip()],
    }
    if ws.bibliography.is_file():
        meta["bibliography"] = Path(os.path.relpath(ws.bibliography, path.parent)).as_posix()
    return meta


def render_skeleton(ws: Workspace, series: Series, context: dict[str, Any]) -> str:
    """Render ``new/<form>.md.jinja`` for ``series`` in a sandbox with strict undefined values.

    Raises `InputError` naming the template when it is missing or broken.
    """
    name = f"{TEMPLATE_FOLDER}/{series.form}.md.jinja"
    folders = template_dirs(ws)
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        template = environment.get_template(name)
    except jinja2.TemplateNotFound:
        where = ", ".join(str(folder) for folder in folders) or "no template folder"
        raise InputError(name, f"template not found in {where}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(exc.filename or name, f"template error: {exc.message}",
                         line=exc.lineno) from exc
    try:
        return template.render(context)
    except jinja2.TemplateError as exc:
        raise InputError(template.filename or name, f"template error: {exc}") from exc


def _require_answers(request: BriefRequest) -> None:
    if not request.title.strip():
        raise MissingAnswerError("title", "TITLE")
    if not request.series.strip():
        raise MissingAnswerError("series", "--series")
    if not request.authors or not all(author.name.strip() for author in request.authors):
        raise MissingAnswerError("author", "--author")


def title_slug(title: str) -> str:
    """The file name stem made from ``title``; raises `UsageError` when none can be made."""
    slug = slugify(title)
    if not slug:
        raise UsageError(f"cannot make a file name from the title {title!r}; pass --slug")
    return slug


def _next_number(ws: Workspace, series: Series, path: Path) -> int:
    """The next number of ``series``; the brief being replaced (``path``) does not count."""
    others = [info for info in briefs_in_series(ws).get(series.id, [])
              if info.path.resolve() != path]
    return next_number(others)


def _context(
    request: BriefRequest, series: Series, number: int, meta: dict[str, Any]
) -> dict[str, Any]:
    """The template variables: plain values only, so nothing in them is ever evaluated."""
    sections = [
        {"title": section, "prompt": _wrap(series.prompt(section) or DEFAULT_PROMPT)}
        for section in series.sections
    ]
    return {
        "front_matter": dump_front_matter(meta),
        "meta": meta,
        "series": {
            "id": series.id, "title": series.title, "short_title": series.short_title,
            "organization": series.organization, "institute": series.institute,
            "year": series.year, "form": series.form, "boilerplate": series.boilerplate,
            "volume_note": series.volume_note, "citation_style": series.citation_style,
        },
        "sections": sections,
        "number": number,
        "ordinal": ordinal_word(number),
        "blurb": _wrap(f"{series_blurb(series, number)} {series.volume_note}".strip()),
    }


def _wrap(text: str) -> str:
    """Fill a paragraph to `WRAP` columns without breaking words or hyphenated compounds."""
    return textwrap.fill(" ".join(text.split()), width=WRAP, break_long_words=False,
                         break_on_hyphens=False)
