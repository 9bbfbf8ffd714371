"""Series definitions, and the briefs that belong to each series.

A series is defined by one TOML file, ``templates/series/<id>.toml``; the file name is the series
id. Definitions are looked up in `workspace.template_dirs` order, so a workspace's own definition
replaces a bundled one with the same id. Adding a series is adding a file: the format is documented
in ``docs/series.md`` and checked here when the file is loaded.

A brief belongs to the series named by the ``series`` field of its front matter; its place in the
series is its ``number`` field. Only front matter is read to list briefs.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, SeriesDefinitionError, UnknownSeriesError
from ..workspace import Workspace, template_dirs
from .frontmatter import FieldProblem, field_problems, meta_date
from .source import read_front_matter

if TYPE_CHECKING:
    from .document import Brief, Problem

SERIES_FOLDER = "series"
FORMS = ("brief", "perspectives")
CITATION_STYLES = ("chicago-author-date", "chicago-notes-bibliography")
BLURB_FIELDS = ("ordinal", "number", "title")
SERIES_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Field name -> the TOML type it must have. Optional fields fall back as `_build` says.
REQUIRED_FIELDS: Mapping[str, type] = {
    "title": str,
    "organization": str,
    "year": int,
    "form": str,
    "boilerplate": str,
    "volume_note": str,
    "blurb": str,
    "sections": list,
    "citation_style": str,
}
OPTIONAL_FIELDS: Mapping[str, type] = {"short_title": str, "institute": str, "prompts": dict}

_UNITS = (
    "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS_ORDINAL = (
    "", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth",
    "eightieth", "ninetieth",
)
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True)
class Series:
    """One series definition, read from ``path``.

    ``institute`` defaults to ``organization`` and ``short_title`` to ``title``. ``prompts`` pairs
    a section title with the guidance the scaffold writes under it; `prompt` looks one up.
    """

    id: str
    title: str
    short_title: str
    organization: str
    institute: str
    year: int
    form: str
    boilerplate: str
    volume_note: str
    blurb: str
    sections: tuple[str, ...]
    citation_style: str
    path: Path
    prompts: tuple[tuple[str, str], ...] = ()

    def prompt(self, section: str) -> str | None:
        """The guidance for ``section`` given by the definition, or None."""
        return dict(self.prompts).get(section)


@dataclass(frozen=True)
class BriefInfo:
    """What the series listing needs from one brief's front matter."""

    path: Path
    title: str
    number: int | None
    date: dt.date | None
    series: str
    authors: tuple[str, ...]


def ordinal_word(n: int) -> str:
    """``n`` as an English ordinal: words from "first" to "ninety-ninth", then "100th", "101st"."""
    if n < 1:
        raise ValueError(f"an ordinal starts at 1, not {n}")
    if n < len(_UNITS):
        return _UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return f"{_TENS[tens]}-{_UNITS[unit]}" if unit else _TENS_ORDINAL[tens]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def series_blurb(series: Series, number: int) -> str:
    """The series sentence for brief ``number``, e.g. 'This policy brief is the sixth of …'."""
    return series.blurb.format(ordinal=ordinal_word(number), number=number, title=series.title)


def load_all_series(ws: Workspace) -> dict[str, Series]:
    """Every series definition, by id, ordered by year then id.

    Bundled definitions are read first and a workspace definition with the same id replaces one.
    Raises `SeriesDefinitionError` for the first malformed file.
    """
    found: dict[str, Series] = {}
    for folder in reversed(template_dirs(ws)):
        for path in sorted((folder / SERIES_FOLDER).glob("*.toml")):
            definition = load_series_file(path)
            found[definition.id] = definition
    return dict(sorted(found.items(), key=lambda item: (item[1].year, item[0])))


def get_series(ws: Workspace, name: str) -> Series:
    """The series with id ``name``; `UnknownSeriesError` lists the known ids otherwise."""
    known = load_all_series(ws)
    try:
        return known[name.strip()]
    except KeyError:
        raise UnknownSeriesError(name, known) from None


def load_series_file(path: Path) -> Series:
    """Read and validate one definition; `SeriesDefinitionError` names the file (and line)."""
    series_id = path.stem
    if not SERIES_ID.fullmatch(series_id):
        raise SeriesDefinitionError(
            path, "the file name must be the series id: lowercase letters, digits and hyphens"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeriesDefinitionError(path, f"cannot be read: {exc}") from exc
    return _build(series_id, _parse_toml(text, path), text, path)


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position else None
        problem = _TOML_POSITION.sub("", message)
        if position:
            problem += f" (column {position.group(2)})"
        raise SeriesDefinitionError(path, f"not valid TOML: {problem}", line=line) from exc


Fail = Callable[[str, str], SeriesDefinitionError]


def _build(series_id: str, data: dict[str, Any], text: str, path: Path) -> Series:
    _check_fields(data, text, path)

    def fail(key: str, problem: str) -> SeriesDefinitionError:
        return SeriesDefinitionError(path, f"{key}: {problem}", line=_line_of(text, key))

    _check_values(data, fail)
    sections = _sections(data["sections"], fail)
    title, organization = data["title"].strip(), data["organization"].strip()
    return Series(
        id=series_id,
        title=title,
        short_title=data.get("short_title", "").strip() or title,
        organization=organization,
        institute=data.get("institute", "").strip() or organization,
        year=data["year"],
        form=data["form"],
        boilerplate=data["boilerplate"].strip(),
        volume_note=data["volume_note"].strip(),
        blurb=data["blurb"].strip(),
        sections=sections,
        citation_style=data["citation_style"],
        path=path,
        prompts=_prompts(data.get("prompts", {}), sections, fail),
    )


def _check_values(data: Mapping[str, Any], fail: Fail) -> None:
    """The values of the fields whose type is right: known form and style, no empty text."""
    if data["form"] not in FORMS:
        raise fail("form", f"unknown form {data['form']!r}; choose one of {', '.join(FORMS)}")
    if data["citation_style"] not in CITATION_STYLES:
        raise fail("citation_style", f"unknown style {data['citation_style']!r}; "
                   f"choose one of {', '.join(CITATION_STYLES)}")
    if data["year"] < 1:
        raise fail("year", f"must be a year, not {data['year']}")
    for key in ("title", "organization", "boilerplate", "volume_note", "blurb"):
        if not data[key].strip():
            raise fail(key, "must not be empty")
    problem = _blurb_problem(data["blurb"])
    if problem:
        raise fail("blurb", problem)


def _check_fields(data: Mapping[str, Any], text: str, path: Path) -> None:
    """Every required field present, no unknown field, every field of its type."""
    known = {**REQUIRED_FIELDS, **OPTIONAL_FIELDS}
    for key in data:
        if key not in known:
            raise SeriesDefinitionError(
                path, f"unknown field {key!r}; known fields: {', '.join(known)}",
                line=_line_of(text, key),
            )
    for key in REQUIRED_FIELDS:
        if key not in data:
            raise SeriesDefinitionError(path, f"missing required field {key!r}")
    for key, value in data.items():
        expected = known[key]
        # TOML booleans are Python ints too; a year of `true` is still wrong.
        if not isinstance(value, expected) or isinstance(value, bool):
            raise SeriesDefinitionError(
                path, f"{key}: must be {_type_name(expected)}, not {_toml_type(value)}",
                line=_line_of(text, key),
            )


def _blurb_problem(blurb: str) -> str | None:
    """Why ``blurb`` is not a format string with only the allowed fields, or None."""
    try:
        parts = list(string.Formatter().parse(blurb))
    except ValueError as exc:
        return f"not a valid format string ({exc}); write a literal brace as {{{{ or }}}}"
    allowed = ", ".join(f"{{{name}}}" for name in BLURB_FIELDS)
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in BLURB_FIELDS or spec or conversion:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"field {{{shown}}} is not allowed; use only {allowed}"
    return None


def _sections(value: list[Any], fail: Fail) -> tuple[str, ...]:
    if not value:
        raise fail("sections", "must list at least one section title")
    titles: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or "\n" in item:
            raise fail("sections", f"each section must be a one-line title, not {item!r}")
        if item.strip() in titles:
            raise fail("sections", f"section {item.strip()!r} is listed twice")
        titles.append(item.strip())
    return tuple(titles)


def _prompts(
    value: dict[str, Any], sections: tuple[str, ...], fail: Fail
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for section, prompt in value.items():
        if section not in sections:
            raise fail("prompts", f"{section!r} is not one of the sections")
        if not isinstance(prompt, str) or not prompt.strip():
            raise fail("prompts", f"the prompt for {section!r} must be text")
        pairs.append((section, " ".join(prompt.split())))
    return tuple(pairs)


def _line_of(text: str, key: str) -> int | None:
    """The line where ``key`` is set (``key =`` or a ``[key]`` table), if it can be found."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _type_name(expected: type) -> str:
    return {str: "a string", int: "a whole number", list: "a list", dict: "a table"}[expected]


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    for kind in (str, int, list, dict):
        if isinstance(value, kind):
            return _type_name(kind)
    return f"a {type(value).__name__}"


def briefs_in_series(ws: Workspace, *, lenient: bool = False) -> dict[str, list[BriefInfo]]:
    """The workspace's briefs grouped by series id, each group sorted by number then date.

    Briefs without a ``series`` field are left out; briefs without a number follow the numbered
    ones. Raises `InputError` naming a brief whose front matter cannot be read or does not fit
    the schema; with ``lenient`` such a brief is left out instead. Numbers used twice are not
    checked here: see `require_distinct_numbers`.
    """
    groups: dict[str, list[BriefInfo]] = {}
    for path in brief_files(ws):
        try:
            info = read_brief_info(path, name=ws.relative(path))
        except InputError:
            if not lenient:
                raise
            continue
        if info is not None:
            groups.setdefault(info.series, []).append(info)
    for briefs in groups.values():
        briefs.sort(key=_brief_order)
    return groups


def brief_files(ws: Workspace) -> list[Path]:
    """The Markdown files under the workspace's briefs folder, hidden ones excluded, and links to
    files outside the workspace left out (`check` refuses them)."""
    if not ws.briefs.is_dir():
        return []
    return sorted(
        path for path in ws.briefs.rglob("*.md")
        if path.is_file() and not any(part.startswith(".")
                                      for part in path.relative_to(ws.briefs).parts)
        and ws.root in path.resolve().parents
    )


def read_brief_info(path: Path, *, name: str | None = None) -> BriefInfo | None:
    """The series facts of one brief, or None when it names no series.

    Raises `InputError` naming the brief (as ``name``, default ``path``) and the line of the
    first field that does not fit the front-matter schema.
    """
    front = read_front_matter(path)
    problems = field_problems(front)
    if problems:
        raise _field_error(name or path, problems[0])
    meta = front.meta
    series = meta.get("series")
    if series is None:
        return None
    number = meta.get("number")
    title = meta.get("title")
    return BriefInfo(
        path=path,
        title=title or "",
        number=number,
        date=meta_date(meta.get("date")),
        series=series,
        authors=_author_names(meta.get("author")),
    )


def _field_error(name: Path | str, problem: FieldProblem) -> InputError:
    return InputError(name, problem.message, line=problem.line)


def duplicate_numbers(briefs: Sequence[BriefInfo]) -> list[tuple[BriefInfo, BriefInfo]]:
    """Each pair of briefs of one series that share a number, the first of each number first."""
    first: dict[tuple[str, int], BriefInfo] = {}
    pairs: list[tuple[BriefInfo, BriefInfo]] = []
    for info in briefs:
        if info.number is None:
            continue
        earlier = first.setdefault((info.series, info.number), info)
        if earlier is not info:
            pairs.append((earlier, info))
    return pairs


def require_distinct_numbers(
    ws: Workspace, briefs: Iterable[BriefInfo], *, only: Path | None = None
) -> None:
    """Raise `InputError` for the first number used twice in a series, naming both briefs.

    With ``only``, just the pairs that involve that brief count.
    """
    for one, other in duplicate_numbers(sorted(briefs, key=lambda i: i.path)):
        if only is not None and only not in (one.path, other.path):
            continue
        mine, theirs = (other, one) if only == other.path else (one, other)
        raise InputError(ws.relative(mine.path), _duplicate_message(ws, mine, theirs),
                         line=read_front_matter(mine.path).lines.get(("number",)))


def _duplicate_message(ws: Workspace, info: BriefInfo, other: BriefInfo) -> str:
    return (f"number {info.number} of series {info.series} is also the number of "
            f"{ws.relative(other.path)}; give each brief its own number")


def require_sound_brief(ws: Workspace, path: Path) -> None:
    """The front matter of the brief at ``path`` fits the schema, and its number is its own.

    Raises `InputError` naming the brief, the line and the other brief of a shared number.
    """
    info = read_brief_info(path, name=ws.relative(path))
    if info is not None and info.number is not None:
        siblings = briefs_in_series(ws, lenient=True).get(info.series, [])
        if all(s.path != info.path for s in siblings):
            siblings.append(info)  # a brief outside the briefs folder
        require_distinct_numbers(ws, siblings, only=info.path)


class SeriesCheck:
    """The `check` findings about a brief's place in its series: an unknown series, a number
    that another brief of the series has too. Definitions and briefs are read once, when a
    checked brief first names a series."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._known: dict[str, Series] | None = None
        self._groups: dict[str, list[BriefInfo]] = {}

    def add_problems(self, brief: Brief) -> Brief:
        """``brief`` with these findings added to its problems (as `read_brief` gives them)."""
        from dataclasses import replace

        series = brief.meta.get("series")
        if not isinstance(series, str) or not series.strip():
            return brief
        found = self._problems(brief, series.strip())
        if not found:
            return brief
        return replace(brief, problems=tuple(sorted(
            [*brief.problems, *found], key=lambda p: (p.span.line, p.span.column))))

    def _problems(self, brief: Brief, series: str) -> list[Problem]:
        if self._known is None:
            self._known = load_all_series(self.ws)
            self._groups = briefs_in_series(self.ws, lenient=True)
        lines = read_front_matter(brief.path).lines
        if series not in self._known:
            known = ", ".join(self._known) or "none"
            return [_series_problem(brief, lines, "series", "series-unknown",
                                    f"unknown series {series!r}; known series: {known}")]
        number = brief.meta.get("number")
        path = brief.path.resolve()
        others = [info for info in self._groups.get(series, [])
                  if info.number == number and info.path.resolve() != path]
        if not isinstance(number, int) or not others:
            return []
        names = ", ".join(self.ws.relative(info.path) for info in others)
        return [_series_problem(brief, lines, "number", "series-duplicate-number",
                                f"number {number} of series {series} is also the number of "
                                f"{names}; give each brief its own number")]


def _series_problem(brief: Brief, lines: Mapping[tuple[str | int, ...], int], key: str,
                    rule: str, message: str) -> Problem:
    from ..model import Span, Status
    from .document import Problem

    line = lines.get((key,), 1)
    return Problem(rule=rule, status=Status.ERROR, span=Span(line, 1, line, 1), message=message)


def _author_names(value: object) -> tuple[str, ...]:
    """Names from ``author``: a string, a list of strings, or a list of {name: …} mappings."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if name is not None and str(name).strip():
            names.append(str(name).strip())
    return tuple(names)


def _brief_order(info: BriefInfo) -> tuple[bool, int, dt.date, str]:
    return (info.number is None, info.number or 0, info.date or dt.date.max, info.path.name)


def next_number(briefs: Iterable[BriefInfo]) -> int:
    """The number of the next brief: the highest number so far plus one.

    A brief without a number counts by order, as one more brief after the highest number.
    """
    numbers = [info.number for info in briefs]
    highest = max((number for number in numbers if number is not None), default=0)
    return highest + sum(1 for number in numbers if number is None) + 1


def series_listing(
    series: Mapping[str, Series], briefs: Mapping[str, list[BriefInfo]], *, ws: Workspace
) -> str:
    """Plain aligned text: each series with its briefs (number, date, title, path).

    Series defined nowhere but named by briefs are listed last, marked as having no definition.
    Raises `InputError` when two briefs of a series share a number.
    """
    require_distinct_numbers(ws, [info for found in briefs.values() for info in found])
    groups: list[tuple[str, Series | None, list[BriefInfo]]] = [
        (series_id, defined, briefs.get(series_id, [])) for series_id, defined in series.items()
    ]
    groups += [(series_id, None, found) for series_id, found in sorted(briefs.items())
               if series_id not in series]
    rows = [info for _id, _series, found in groups for info in found]
    number_width = max((len(_number_text(info)) for info in rows), default=1)
    title_width = max((len(info.title) for info in rows), default=0)
    lines: list[str] = []
    for series_id, defined, found in groups:
        lines.append(_series_heading(series_id, defined))
        if not found:
            lines.append("  (no briefs yet)")
        for info in found:
            date = info.date.isoformat() if info.date else "no date"
            line = (f"  {_number_text(info):>{number_width}}  {date:<10}  "
                    f"{info.title:<{title_width}}  {ws.relative(info.path)}")
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n" if lines else "no series defined\n"


def _series_heading(series_id: str, defined: Series | None) -> str:
    if defined is None:
        return f"{series_id}: no definition in templates/{SERIES_FOLDER}/"
    return f"{series_id}: {defined.title} ({defined.organization}, {defined.year})"


def _number_text(info: BriefInfo) -> str:
    return str(info.number) if info.number is not None else "-"
