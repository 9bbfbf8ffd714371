"""The one place a brief file is read: every command reads a brief through `read_brief_source`.

A brief is UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark, at most
`MAX_BRIEF_BYTES` long. A byte that is not UTF-8 stops every command with one `InputError`
naming the file, the line and the byte offset: a brief with a broken byte is neither checked,
published nor listed with a "repaired" text, because a replaced byte would change a quotation
or a title silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .frontmatter import FrontMatter, split_front_matter

MAX_BRIEF_BYTES = 5 * 1024 * 1024  # the whole brief file


@dataclass(frozen=True, slots=True)
class BriefSource:
    """A brief file as read: its decoded ``text`` and its front matter, split once.

    The body starts at ``front.body_offset`` of ``text`` (line ``front.body_line``).
    """

    path: Path
    text: str
    front: FrontMatter


def read_brief_source(path: Path) -> BriefSource:
    """Read and decode the brief at ``path`` and split off its front matter.

    Raises `InputError` when the file cannot be read, is larger than `MAX_BRIEF_BYTES`, holds a
    byte that is not UTF-8 (with its line and byte offset), is UTF-16 without a byte-order mark
    (it cannot be told from binary data for sure), holds NUL bytes (binary), or has front matter
    that is not valid YAML.
    """
    text = read_brief_text(path)
    return BriefSource(path=path, text=text, front=split_front_matter(text, path=path))


def read_brief_text(path: Path) -> str:
    """The decoded text of the brief file at ``path`` (see `read_brief_source` for the rules)."""
    try:
        size = path.stat().st_size
        if size > MAX_BRIEF_BYTES:
            raise InputError(
                path, f"is {size:,} bytes; a brief may be at most 5 MB ({MAX_BRIEF_BYTES:,} bytes)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"is not valid UTF-16 (byte {exc.start + 2})") from exc
    if b"\x00" in data:
        if _looks_like_utf16(data):
            raise InputError(path, "looks like UTF-16 without a byte-order mark; save it as "
                             "UTF-8 (or as UTF-16 with a byte-order mark)")
        raise InputError(path, "is a binary file, not a Markdown brief")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            path, f"is not UTF-8 text: byte 0x{data[exc.start]:02X} at offset {exc.start} cannot "
            "be decoded; save the brief as UTF-8", line=line) from None


def _looks_like_utf16(data: bytes) -> bool:
    """Whether ``data`` reads as UTF-16 text: mostly Latin script, so one byte of each pair is
    NUL, always on the same side."""
    sample = data[: 4096 & ~1]
    pairs = len(sample) // 2
    high_first = sample[0::2].count(0)  # big-endian: the NUL comes first
    low_second = sample[1::2].count(0)
    return pairs > 0 and max(high_first, low_second) >= 0.6 * pairs and min(
        high_first, low_second) <= 0.05 * pairs


def read_front_matter(path: Path) -> FrontMatter:
    """Read only the front matter of the brief at ``path``."""
    return read_brief_source(path).front
