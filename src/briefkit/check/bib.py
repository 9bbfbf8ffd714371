"""The bibliography: the one module that uses bibtexparser (v2).

It reads a .bib file into `BibEntry` records (raw field values, 1-based lines), reports malformed
blocks, duplicate keys and entries missing required fields as `BibDiagnostic`s, and resolves each
entry's ``file`` field (a plain path or JabRef's ``description:path:type``) relative to the .bib.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BibliographyError
from ..model import BibDiagnostic, Status
from . import cache

if TYPE_CHECKING:
    from bibtexparser.model import ParsingFailedBlock

# Fields an entry of each type must have (BibTeX's own list; "author" may be an "editor").
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "inbook": ("author", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "report": ("author", "title", "institution", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "mastersthesis": ("author", "title", "school", "year"),
    "misc": ("title",),
    "online": ("title",),
    "unpublished": ("author", "title", "note"),
}
_ENTRY_TYPE = re.compile(r"[^\W\d_]+")  # pandoc accepts letters only: no digits, "-" or "_"
# Part of every cached parse's key: a parse by an older rule set is not reused.
PARSE_RULES = b"bib-rules-2"
ALTERNATIVES: Mapping[str, tuple[str, ...]] = {
    "author": ("editor",),
    "year": ("date",),
    "journal": ("journaltitle",),
    "institution": ("publisher",),
}


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry: key, type, raw field values, and its 1-based line in the .bib."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    line: int

    @property
    def file_specs(self) -> tuple[str, ...]:
        """The paths named by the ``file`` field (JabRef's ``desc:path:type`` lists included)."""
        return parse_file_field(self.fields.get("file", ""))


@dataclass(frozen=True)
class Bibliography:
    """A parsed .bib file: its entries by key, and diagnostics about the file itself."""

    path: Path
    entries: Mapping[str, BibEntry] = field(default_factory=dict)
    diagnostics: tuple[BibDiagnostic, ...] = ()

    def closest_keys(self, key: str, limit: int = 3) -> list[str]:
        """Known keys that look most like ``key`` (for "did you mean" suggestions)."""
        return difflib.get_close_matches(key, list(self.entries), n=limit, cutoff=0.5)

    def source_paths(self, key: str) -> list[Path]:
        """The files the entry ``key`` points at, resolved against the .bib file's folder."""
        entry = self.entries.get(key)
        if entry is None:
            return []
        return [self.path.parent / spec for spec in entry.file_specs]

    def unused(self, used_keys: Iterable[str]) -> tuple[BibDiagnostic, ...]:
        """A warning for every entry that no brief cites."""
        used = set(used_keys)
        return tuple(
            BibDiagnostic(
                path=str(self.path),
                line=entry.line,
                status=Status.WARNING,
                message=f"entry {entry.key!r} is not cited by any brief",
                rule="bib-unused-entry",
                key=entry.key,
            )
            for entry in self.entries.values()
            if entry.key not in used
        )


def load_bibliography(path: Path, *, store: cache.Store | None = None) -> Bibliography:
    """Parse the .bib file at ``path``; raise `BibliographyError` if it cannot be read at all.

    With ``store``, the parse is cached under a hash of the file's path and bytes, and reused
    while they are unchanged.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BibliographyError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if store is None:
        return parse_bibliography(raw, path)
    key = hashlib.sha256(PARSE_RULES + b"\0" + str(path).encode() + b"\0" + raw).hexdigest()
    loaded = store.load("bibliographies", key, _BibRecord, lambda r: r.bibliography(path))
    if loaded is not None:
        return loaded
    bibliography = parse_bibliography(raw, path)
    store.save("bibliographies", key, _BibRecord.of(bibliography))
    return bibliography


class _BibRecord(cache.StoredRecord, frozen=True):
    """How a parsed bibliography is stored in the workspace cache."""

    path: str
    entries: list[tuple[str, str, dict[str, str], int]]
    diagnostics: tuple[BibDiagnostic, ...]

    @classmethod
    def of(cls, bibliography: Bibliography) -> _BibRecord:
        """The record of ``bibliography``."""
        return cls(str(bibliography.path),
                   [(e.key, e.entry_type, dict(e.fields), e.line)
                    for e in bibliography.entries.values()],
                   bibliography.diagnostics)

    def bibliography(self, path: Path) -> Bibliography:
        """The bibliography of ``path``; raises `ValueError` if the record is another file's."""
        if self.path != str(path):
            raise ValueError("record of another file")
        entries = {key: BibEntry(key, kind, fields, line)
                   for key, kind, fields, line in self.entries}
        return Bibliography(path, entries, self.diagnostics)


def parse_bibliography(raw: bytes, path: Path) -> Bibliography:
    """Parse .bib bytes (decoded as UTF-8, with replacement characters and a diagnostic if not)."""
    # Imported here: a warm cache never needs the parser, and importing it costs 0.04 s.
    from bibtexparser.entrypoint import parse_string

    # bibtexparser logs every aborted block as a warning; we report them as diagnostics instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    diagnostics: list[BibDiagnostic] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        line = raw[: exc.start].count(b"\n") + 1
        diagnostics.append(_diag(path, line, Status.WARNING, "not valid UTF-8; undecodable bytes "
                                 "were replaced", "bib-encoding"))
    if "\x00" in text:
        raise BibliographyError(path, "is a binary file, not a BibTeX bibliography")
    library = parse_string(text)
    for block in library.failed_blocks:
        diagnostics.append(_failed_block(path, block))
    diagnostics.extend(_stray_at_signs(path, library.blocks, text.splitlines()))
    entries: dict[str, BibEntry] = {}
    for entry in library.entries:
        fields = {name.lower(): _plain(value.value) for name, value in entry.fields_dict.items()}
        record = BibEntry(entry.key, entry.entry_type.lower(), fields, (entry.start_line or 0) + 1)
        entries[entry.key] = record
        if _ENTRY_TYPE.fullmatch(entry.entry_type):
            diagnostics.extend(_missing_fields(path, record))
        elif not any(d.line == record.line and d.rule == "bib-malformed" for d in diagnostics):
            diagnostics.append(_diag(path, record.line, Status.ERROR, f"malformed entry "
                                     f"{record.key!r}: its type {'@' + entry.entry_type!r} is not "
                                     "a word of letters (pandoc cannot read the file)",
                                     "bib-malformed", key=record.key))
    diagnostics.sort(key=lambda d: d.line)
    return Bibliography(path=path, entries=entries, diagnostics=tuple(diagnostics))


def _stray_at_signs(path: Path, blocks: Iterable[object],
                    lines: list[str]) -> list[BibDiagnostic]:
    """An error for each text between entries that holds an ``@`` outside a ``%`` comment line.

    bibtexparser keeps such text as a comment, but pandoc reads every ``@`` between entries as
    the start of one (``@@article{``, ``@my-type{``, ``me@example.org``) and refuses the whole
    file, so the render would fail where the check passed.
    """
    from bibtexparser.model import ImplicitComment

    found: list[BibDiagnostic] = []
    for block in blocks:
        if not isinstance(block, ImplicitComment):
            continue
        raw = block.raw or ""
        offset = 0
        for line in raw.splitlines(keepends=True):
            at = line.find("@")
            if at >= 0 and not line.lstrip().startswith("%"):
                number = (block.start_line or 0) + raw.count("\n", 0, offset) + 1
                shown = lines[number - 1] if 0 < number <= len(lines) else line
                found.append(_diag(path, number, Status.ERROR, f"malformed entry "
                                   f"{shown.strip()[:60]!r}: an '@' outside an entry (pandoc "
                                   "reads it as the start of one and cannot read the file)",
                                   "bib-malformed"))
                break
            offset += len(line)
    return found


def parse_file_field(value: str) -> tuple[str, ...]:
    """Split a ``file`` field into paths.

    Accepts a plain path, or JabRef's ``description:path:type`` triples separated by ``;`` (with
    ``\\:`` and ``\\;`` escapes). A Windows drive letter (``C:\\...``) is kept as part of the path.
    """
    specs: list[str] = []
    for item in _split_unescaped(value, ";"):
        parts = _split_unescaped(item, ":")
        if len(parts) >= 3:
            path = ":".join(parts[1:-1])
        elif len(parts) == 2 and len(parts[0]) == 1 and parts[0].isalpha():
            path = ":".join(parts)
        elif len(parts) == 2:
            path = parts[1] if parts[1] else parts[0]
        else:
            path = parts[0] if parts else ""
        path = path.replace("\\:", ":").replace("\\;", ";").strip()
        if path:
            specs.append(path)
    return tuple(specs)


def _split_unescaped(value: str, separator: str) -> list[str]:
    return re.split(rf"(?<!\\){re.escape(separator)}", value)


def _plain(value: object) -> str:
    text = str(value).strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ('"', '"')):
        text = text[1:-1]
    return text


def _failed_block(path: Path, block: ParsingFailedBlock) -> BibDiagnostic:
    from bibtexparser.model import DuplicateBlockKeyBlock

    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        return _diag(path, line, Status.ERROR, f"duplicate key {block.key!r} (pandoc would "
                     "silently use the last entry)", "bib-duplicate-key", key=block.key)
    reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
    reason = " ".join(reason.split())
    raw = (block.raw or "").strip()
    head = raw.splitlines()[0][:60] if raw else ""
    return _diag(path, line, Status.ERROR, f"malformed entry {head!r}: {reason}", "bib-malformed")


def _missing_fields(path: Path, entry: BibEntry) -> list[BibDiagnostic]:
    required = REQUIRED_FIELDS.get(entry.entry_type, ("title",))
    missing = [
        name
        for name in required
        if not entry.fields.get(name) and not any(entry.fields.get(alt) for alt in
                                                   ALTERNATIVES.get(name, ()))
    ]
    if not missing:
        return []
    return [
        _diag(path, entry.line, Status.WARNING, f"entry {entry.key!r} ({entry.entry_type}) is "
              f"missing {', '.join(missing)}", "bib-missing-field", key=entry.key)
    ]


def _diag(path: Path, line: int, status: Status, message: str, rule: str,
          key: str | None = None) -> BibDiagnostic:
    return BibDiagnostic(path=str(path), line=line, status=status, message=message, rule=rule,
                         key=key)
