"""A series volume: every brief of a series, in series order, as one document.

The volume has a title page (institute, series title, year), a table of contents, one chapter per
brief (its title, subtitle, author line, number and date, summary, then the brief itself with its
notes), one bibliography for all the chapters, the notes about every author, and the institute's
back matter once. Each brief is read and validated exactly as `briefkit.publish.render` reads a
single brief; the chapters' identifiers are prefixed so that sections of the same name in two briefs
stay distinct, and notes are numbered through the volume, so no two chapters share a note number.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import pandoc
from ..errors import InputError
from ..pandoc import Node
from ..workspace import Workspace
from .render import (
    Edition,
    RenderResult,
    formats_from,
    house_fields,
    prepare_output,
    publish,
    read_edition,
    scratch_folder,
)

if TYPE_CHECKING:
    from ..brief.series import Series


def render_volume(
    ws: Workspace, series_id: str, *, formats: Sequence[str], output_dir: Path | None = None,
    draft: bool = False, check: bool = True,
) -> RenderResult:
    """Render every brief of ``series_id`` as one volume, ``<output_dir>/<series-id>.<ext>``.

    Every brief is checked first (unless not ``check``) and `CheckFailedError`, carrying the
    report, is raised when the check finds errors in any (`briefkit.publish.gate`).

    A brief that still holds prompts of its skeleton raises `DraftError` (naming each such
    brief) unless ``draft``, which marks every page of the volume as a draft. Raises
    `UnknownSeriesError` for a series with no definition, `InputError` for a series with no
    briefs, and whatever reading a single brief raises (see `briefkit.publish.render.render_brief`).
    """
    from ..brief.series import get_series
    from . import draft as drafts
    from .gate import read_briefs, require_checked

    chosen = formats_from(formats)
    series = get_series(ws, series_id)
    members = volume_briefs(ws, series)
    parsed = read_briefs(ws, members)
    if check:
        require_checked(ws, members, parsed, refusal=f"series {series_id}: the check found "
                        "errors, so the volume was not rendered")
    if not draft:
        drafts.require_finished(ws, members, volume=True, parsed=parsed)
    target = prepare_output(output_dir or ws.output)
    edition = assemble(series, [read_edition(ws, path, parsed=parsed) for path in members],
                       scratch=scratch_folder(ws))
    return publish(ws, drafts.mark(edition) if draft else edition, formats=chosen,
                   output_dir=target)


def volume_briefs(ws: Workspace, series: Series) -> list[Path]:
    """The briefs of ``series`` in series order.

    Raises `InputError` when it has none, when a brief's front matter does not fit the schema
    and when two of its briefs share a number.
    """
    from ..brief.series import briefs_in_series, require_distinct_numbers

    members = briefs_in_series(ws).get(series.id, [])
    if not members:
        raise InputError(ws.relative(ws.briefs), f"no brief belongs to series {series.id!r}")
    require_distinct_numbers(ws, members)
    return [info.path for info in members]


def assemble(series: Series, editions: Sequence[Edition], *, scratch: Path) -> Edition:
    """One `Edition` holding ``editions`` as chapters, with the volume's own metadata.

    ``scratch`` is the workspace folder for temporary files (see `briefkit.pandoc.read_markdown`).
    """
    blocks: list[Node] = []
    for edition in editions:
        blocks += chapter(edition)
    about = _contributors(editions)
    kind = "essays" if series.form == "perspectives" else "policy briefs"
    metadata = {
        "title": series.title,
        "subtitle": f"{len(editions)} {kind}",
        "date": str(series.year),
        "lang": "en-US",
        "link-citations": True,
        "house": house_fields(series, number=None, date=None, about=[], volume=True),
    }
    document, warnings = pandoc.read_markdown("", metadata=metadata, scratch=scratch)
    house = document["meta"]["house"]["c"]
    if about:
        house["about"] = {"t": "MetaList", "c": about}
        title = "About the Authors" if len(about) > 1 else "About the Author"
        house["about-title"] = {"t": "MetaInlines", "c": pandoc.text_inlines(title)}
    dates = [edition.date for edition in editions if edition.date is not None]
    return Edition(
        name=series.id,
        document={**document, "blocks": blocks},
        series=series,
        bibliographies=tuple(dict.fromkeys(p for e in editions for p in e.bibliographies)),
        date=max(dates) if dates else None,
        kind="volume",
        warnings=tuple(w for e in editions for w in e.warnings) + tuple(warnings),
    )


def chapter(edition: Edition) -> list[Node]:
    """The blocks of one brief as a chapter: heading, front matter, body (ids prefixed)."""
    meta = edition.document["meta"]
    prefix = f"{edition.name}-"
    body = copy.deepcopy(edition.document["blocks"])
    prefix_identifiers(body, prefix)
    shift_headings(body, lowest=2)
    heading = pandoc.header(1, pandoc.meta_inlines(meta.get("title")),
                            pandoc.attr(edition.name, ["chapter"]))
    return [heading, pandoc.div(_chapter_front(meta), pandoc.attr(f"{prefix}front",
                                                                   ["chapter-front"])), *body]


def _chapter_front(meta: dict[str, Node]) -> list[Node]:
    house = meta.get("house")
    blocks: list[Node] = []
    if "subtitle" in meta:
        blocks.append(pandoc.styled_para("Subtitle", [pandoc.emph(
            pandoc.meta_inlines(meta["subtitle"]))]))
    for person in pandoc.meta_list(meta.get("author")):
        name = pandoc.meta_inlines(pandoc.meta_field(person, "name"))
        role = pandoc.meta_inlines(pandoc.meta_field(person, "role"))
        line = [pandoc.strong(name)] + ([{"t": "Str", "c": ","}, {"t": "Space"}, *role]
                                        if role else [])
        blocks.append(pandoc.styled_para("Author", line))
    label = pandoc.meta_inlines(pandoc.meta_field(house, "number-label"))
    date = pandoc.meta_inlines(meta.get("date"))
    placed = label + ([{"t": "Space"}, {"t": "Str", "c": "·"}, {"t": "Space"}] if label and date
                      else []) + date
    if placed:
        blocks.append(pandoc.styled_para("Date", [{"t": "SmallCaps", "c": placed}]))
    if "summary" in meta:
        blocks.append(pandoc.div(pandoc.meta_blocks(meta["summary"]),
                                 pandoc.attr(classes=["chapter-summary"],
                                             custom_style="Abstract")))
    return blocks


def prefix_identifiers(blocks: list[Node], prefix: str) -> None:
    """Prefix every identifier in ``blocks`` and every internal link to one, in place."""
    renamed: set[str] = set()

    def rename(node: Node) -> None:
        attributes = pandoc.attributes(node)
        if attributes is not None and attributes[0]:
            renamed.add(attributes[0])
            attributes[0] = prefix + attributes[0]

    def relink(node: Node) -> None:
        if node["t"] == "Link":
            target = node["c"][2][0]
            if target.startswith("#") and target[1:] in renamed:
                node["c"][2][0] = f"#{prefix}{target[1:]}"

    pandoc.walk(blocks, rename)
    pandoc.walk(blocks, relink)


def shift_headings(blocks: list[Node], *, lowest: int) -> None:
    """Shift heading levels in place so that the top level in ``blocks`` is ``lowest``."""
    headings = pandoc.find(blocks, "Header")
    top = min((heading["c"][0] for heading in headings), default=lowest)
    for heading in headings if top < lowest else []:
        heading["c"][0] = min(heading["c"][0] + lowest - top, 6)


def _contributors(editions: Sequence[Edition]) -> list[Node]:
    """The ``house.about`` entries of all chapters, each author once (first appearance)."""
    seen: set[str] = set()
    people: list[Node] = []
    for edition in editions:
        house = edition.document["meta"].get("house")
        for person in pandoc.meta_list(pandoc.meta_field(house, "about")):
            name = pandoc.stringify(pandoc.meta_field(person, "name"))
            if name not in seen:
                seen.add(name)
                people.append(person)
    return people
